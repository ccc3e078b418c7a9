"""sa.relax: soundness checked densely at 50 digits, optimality against an independently
computed envelope tangent (mpmath findroot), and a float64 CROWN re-implementation."""

from __future__ import annotations

import mpmath
import pytest
import sympy

import symact as sa

PHI = {
    "gelu": lambda t: t / 2 * (1 + mpmath.erf(t / mpmath.sqrt(2))),
    "silu": lambda t: t / (1 + mpmath.exp(-t)),
    "sigmoid": lambda t: 1 / (1 + mpmath.exp(-t)),
    "tanh": mpmath.tanh,
    "softplus": lambda t: mpmath.log(1 + mpmath.exp(t)),
    "mish": lambda t: t * mpmath.tanh(mpmath.log(1 + mpmath.exp(t))),
    "relu": lambda t: max(t, 0),
    "elu": lambda t: t if t > 0 else mpmath.exp(t) - 1,
}

INTERVALS = [(-3, -1), (-1.45, -1.404), (-2, 1), ("-0.3", "2.5"), (0.5, 4), (-6, 6)]


def _q(v):
    return mpmath.mpf(sympy.Rational(v).p) / sympy.Rational(v).q


def _dense_min(f, l, u, n=160):
    """min of f on [l, u]: a dense grid, then findroot on f' at every local grid minimum."""
    xs = [l + (u - l) * k / n for k in range(n + 1)]
    ys = [f(t) for t in xs]
    best = min(ys)
    for i in range(1, n):
        if ys[i] <= ys[i - 1] and ys[i] <= ys[i + 1]:
            try:
                r = mpmath.findroot(lambda t: mpmath.diff(f, t), xs[i], tol=mpmath.mpf(10) ** -40)
            except (ValueError, ZeroDivisionError):
                continue
            if l <= r <= u:
                best = min(best, f(r))
    return best


@pytest.mark.parametrize("name", sorted(PHI))
def test_sound_on_grid_of_intervals(name):
    phi = PHI[name]
    with mpmath.workdps(50):
        for lo, hi in INTERVALS:
            r = sa.relax(name, lo, hi)
            l, u = _end(lo), _end(hi)
            low, up = r.lower, r.upper
            assert isinstance(low.slope, sympy.Rational) and isinstance(up.intercept, sympy.Rational)
            dl = _dense_min(lambda t: phi(t) - (_q(low.slope) * t + _q(low.intercept)), l, u)
            du = _dense_min(lambda t: (_q(up.slope) * t + _q(up.intercept)) - phi(t), l, u)
            assert dl >= 0 and du >= 0, (name, lo, hi, dl, du)
            # tight: the lines touch phi (up to the outward margin) somewhere
            assert dl <= 1e-20 and du <= 1e-20, (name, lo, hi, dl, du)
            assert low.ratio is None or low.ratio.enclosure[1] - 1 < 1e-15
            assert up.ratio is None or up.ratio.enclosure[1] - 1 < 1e-15


def _end(v):
    from symact.analysis.local import as_end

    e = as_end(v)
    return mpmath.mpf(sympy.N(e, 60))


def _envelope_tangent_lower(phi, l, u, m):
    """Independent: the convex envelope's tangent at m for a function with <= 1 inflection on [l, u].

    Tangent at m if it lies below phi; otherwise the line touching phi at one end and
    tangent at d (findroot on phi'(d)(d - e) = phi(d) - phi(e)) whose touching points straddle m.
    """
    dphi = lambda t: mpmath.diff(phi, t)  # noqa: E731
    s = dphi(m)
    line = lambda t: phi(m) + s * (t - m)  # noqa: E731
    if _dense_min(lambda t: phi(t) - line(t), l, u) >= -mpmath.mpf(10) ** -30:
        return s
    for e in (l, u):
        other = u if e == l else l
        for start in [m + (other - m) * k / 8 for k in range(8)]:
            try:
                d = mpmath.findroot(lambda t: dphi(t) * (t - e) - (phi(t) - phi(e)), start)
            except (ValueError, ZeroDivisionError):
                continue
            if min(e, d) <= m <= max(e, d) and min(l, u) <= d <= max(l, u):
                sl = (phi(d) - phi(e)) / (d - e)
                if _dense_min(lambda t: phi(t) - phi(e) - sl * (t - e), l, u) >= -mpmath.mpf(10) ** -25:
                    return sl
    sl = (phi(u) - phi(l)) / (u - l)  # the chord
    return sl


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "softplus"])
def test_optimal_against_independent_envelope(name):
    phi = PHI[name]
    with mpmath.workdps(40):
        for lo, hi in [(-3, -1), (-2, 1), (-0.5, 3), (0.5, 4), (-4, 0.25)]:
            r = sa.relax(name, lo, hi)
            l, u = _end(lo), _end(hi)
            m = (l + u) / 2
            s_low = _envelope_tangent_lower(phi, l, u, m)
            s_up = -_envelope_tangent_lower(lambda t: -phi(t), l, u, m)
            assert abs(_q(r.lower.slope) - s_low) < 1e-20, (lo, hi)
            assert abs(_q(r.upper.slope) - s_up) < 1e-20, (lo, hi)


def _crown(phi, dphi, l, u):
    """Float64 CROWN (Zhang et al. 2018) for sigmoid/tanh: S-shaped, convex for x < 0."""
    import math

    def tangent_through(e, lo, hi):  # d in [lo, hi] with phi'(d)(d - e) = phi(d) - phi(e), by bisection
        g = lambda d: dphi(d) * (d - e) - (phi(d) - phi(e))  # noqa: E731
        a, b = lo, hi
        for _ in range(100):
            c = (a + b) / 2
            if (g(c) > 0) == (g(a) > 0):
                a = c
            else:
                b = c
        return (a + b) / 2

    m = (l + u) / 2
    chord = (phi(u) - phi(l)) / (u - l) if u > l else dphi(l)
    if u <= 0:  # convex: lower tangent at m, upper chord
        return (dphi(m), phi(m) - dphi(m) * m), (chord, phi(l) - chord * l)
    if l >= 0:  # concave
        return (chord, phi(l) - chord * l), (dphi(m), phi(m) - dphi(m) * m)
    # mixed: upper through (l, phi(l)) tangent at d >= 0 (or chord), lower through (u, phi(u)) tangent at d <= 0
    if dphi(u) >= chord:
        up = (chord, phi(l) - chord * l)
    else:
        d = tangent_through(l, 0.0, u)
        up = (dphi(d), phi(l) - dphi(d) * l)
    if dphi(l) >= chord:
        low = (chord, phi(u) - chord * u)
    else:
        d = tangent_through(u, l, 0.0)
        low = (dphi(d), phi(u) - dphi(d) * u)
    del math
    return low, up


@pytest.mark.parametrize("name", ["sigmoid", "tanh"])
def test_never_looser_than_crown(name):
    import math

    phi = {"sigmoid": lambda t: 1 / (1 + math.exp(-t)), "tanh": math.tanh}[name]
    dphi = {"sigmoid": lambda t: phi(t) * (1 - phi(t)), "tanh": lambda t: 1 - math.tanh(t) ** 2}[name]
    for l, u in [(-3.0, -1.0), (-2.0, 1.0), (-1.0, 3.0), (0.5, 4.0), (-0.5, 0.25)]:
        (al, bl), (au, bu) = _crown(phi, dphi, l, u)
        r = sa.relax(name, l, u)
        w = u - l
        area = lambda a, b, sgn: sgn * (mpmath.quad(PHI[name], [l, u]) - (a * (u * u - l * l) / 2 + b * w))  # noqa: E731
        crown_low, crown_up = area(al, bl, 1), area(au, bu, -1)
        assert r.lower.area.enclosure[0] <= crown_low * (1 + 1e-9) + 1e-12
        assert r.upper.area.enclosure[0] <= crown_up * (1 + 1e-9) + 1e-12


def test_relu_exact_lines_and_at():
    r = sa.relax("relu", -1, 3)
    assert (r.upper.slope, r.upper.intercept) == (sympy.Rational(3, 4), sympy.Rational(3, 4))
    assert r.upper.margin == 0
    t = sa.relax("sigmoid", -1, 1, at="1/2")
    # tangent of the concave envelope at 1/2 is the tangent of sigmoid at 1/2 only if it is above sigmoid:
    with mpmath.workdps(40):
        d = lambda v: PHI["sigmoid"](v) * (1 - PHI["sigmoid"](v))  # noqa: E731
        s = d(mpmath.mpf(1) / 2)
        assert abs(_q(t.upper.slope) - s) < 1e-20 or _q(t.upper.slope) > s


def test_bad_input():
    with pytest.raises(ValueError, match="empty or reversed"):
        sa.relax("gelu", 1, 0)
    with pytest.raises(ValueError, match="must lie in the interval"):
        sa.relax("gelu", 0, 1, at=2)
    with pytest.raises(ValueError, match="finite real"):
        sa.relax("gelu", float("nan"), 1)
    p = sa.relax("tanh", "0.5", "0.5")
    with mpmath.workdps(50):
        v = mpmath.tanh(mpmath.mpf(1) / 2)
        assert _q(p.lower.intercept) <= v <= _q(p.upper.intercept) and p.lower.slope == 0
        assert _q(p.upper.intercept) - _q(p.lower.intercept) < 1e-30
    q = sa.relax("tanh", "-0.5", "-0.5")  # a negative value
    with mpmath.workdps(50):
        v = mpmath.tanh(-mpmath.mpf(1) / 2)
        assert _q(q.lower.intercept) <= v <= _q(q.upper.intercept)


def test_relax_table_sound_save_load_and_executor(tmp_path):
    import concurrent.futures

    import numpy as np

    grid = [-3.0, -1.5, -0.5, 0.0, 0.75, 2.0]
    with concurrent.futures.ThreadPoolExecutor(2) as ex:
        t = sa.RelaxTable.build("sigmoid", grid, executor=ex)
    path = tmp_path / "sig.npz"
    t.save(str(path))
    t2 = sa.RelaxTable.load(str(path))
    rng = np.random.default_rng(0)
    a = rng.uniform(-3, 2, 300)
    b = rng.uniform(-3, 2, 300)
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    out = t2(lo, hi)
    assert out.covered.all()
    with mpmath.workdps(30):
        for k in range(0, 300, 7):
            for x in np.linspace(lo[k], hi[k], 9):
                xm = mpmath.mpf(float(x))
                v = PHI["sigmoid"](xm)
                assert mpmath.mpf(out.lower_slope[k]) * xm + mpmath.mpf(out.lower_intercept[k]) <= v
                assert mpmath.mpf(out.upper_slope[k]) * xm + mpmath.mpf(out.upper_intercept[k]) >= v
    off = t2(np.array([-5.0, 1.0]), np.array([0.0, 0.5]))
    assert not off.covered.any() and np.isnan(off.lower_slope).all()


def test_cli_relax_and_orders_table(capsys):
    import json

    from symact.presentation.cli import main

    assert main(["relax", "relu", "-1", "3", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["upper"]["slope"] == "3/4" and data["upper"]["intercept"] == "3/4"
    assert main(["relax", "gelu", "-1.45", "-1.404"]) == 0
    assert "proved" in capsys.readouterr().out
    assert main(["table", "--orders", "2", "gelu", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)["tables"][0]["rows"]
    lo, hi = (mpmath.mpf(v) for v in rows[1]["sup_abs"]["enclosure"])
    assert lo <= 2 / mpmath.sqrt(2 * mpmath.pi) <= hi  # sup|gelu''| = gelu''(0) = 2 pdf(0)
    assert main(["relax", "gelu", "1", "0"]) == 2
