"""sa.image and sa.slopes against mpmath (dense grid + findroot at 50 digits), kinks, exact ends."""

from __future__ import annotations

import mpmath
import pytest
import sympy

import symact as sa

PHI = {
    "gelu": lambda t: t / 2 * (1 + mpmath.erf(t / mpmath.sqrt(2))),
    "silu": lambda t: t / (1 + mpmath.exp(-t)),
    "tanh": mpmath.tanh,
    "sigmoid": lambda t: 1 / (1 + mpmath.exp(-t)),
}


def _range(f, l, u, n=200):
    """[min, max] of f on [l, u]: dense grid, then findroot on f' from every grid extremum."""
    xs = [l + (u - l) * k / n for k in range(n + 1)]
    ys = [f(t) for t in xs]
    lo, hi = min(ys), max(ys)
    for i in range(1, n):
        if (ys[i] - ys[i - 1]) * (ys[i + 1] - ys[i]) <= 0:
            try:
                r = mpmath.findroot(lambda t: mpmath.diff(f, t), xs[i])
            except (ValueError, ZeroDivisionError):
                continue
            if l <= r <= u:
                lo, hi = min(lo, f(r)), max(hi, f(r))
    return lo, hi


@pytest.mark.parametrize("name", sorted(PHI))
@pytest.mark.parametrize("ends", [(-3, 1), ("-1.45", "-1.404"), (0.25, 2.5)])
def test_image_and_slopes_against_mpmath(name, ends):
    with mpmath.workdps(50):
        l, u = (mpmath.mpf(sympy.N(sympy.Rational(str(e)), 60)) for e in ends)
        r = sa.image(name, *ends)
        lo, hi = _range(PHI[name], l, u)
        assert abs(r.inf.enclosure[0] - lo) < 1e-25 and abs(r.sup.enclosure[1] - hi) < 1e-25
        assert r.inf.attained and r.sup.attained
        s = sa.slopes(name, *ends)
        dlo, dhi = _range(lambda t: mpmath.diff(PHI[name], t), l, u, n=60)
        assert abs(s.inf.enclosure[0] - dlo) < 1e-20 and abs(s.sup.enclosure[1] - dhi) < 1e-20
        a, b = r.outward
        assert a <= lo and b >= hi


def test_gelu_range_excludes_global_minimum_when_it_should():
    r = sa.image("gelu", 0.5, 2)
    assert r.inf.exact and r.inf.at == {sympy.Rational(1, 2)}
    # auto_LiRPA's interval bound always includes GELU's global minimum (about -0.17)
    assert r.lower > 0.3


def test_mish_image():
    with mpmath.workdps(50):
        f = lambda t: t * mpmath.tanh(mpmath.log(1 + mpmath.exp(t)))  # noqa: E731
        r = sa.image("mish", -3, 1)
        lo, hi = _range(f, mpmath.mpf(-3), mpmath.mpf(1))
        assert abs(r.inf.enclosure[0] - lo) < 1e-25 and abs(r.sup.enclosure[1] - hi) < 1e-25


def test_kinks_and_ends():
    assert sa.image("relu", -1, 2).bounds == (0, 2)
    assert sa.slopes("relu", -1, 2).bounds == (0, 1)
    assert sa.slopes("hardtanh", -2, 2).bounds == (0, 1)
    assert sa.slopes("relu", 0, 0).bounds == (0, 1)  # a point at the kink: both one-sided slopes
    assert sa.image("tanh", 0.1, 0.1).bounds[0] == sympy.tanh(sympy.Rational(3602879701896397, 2 ** 55))


def test_ends_read_exactly_and_bad_input():
    from symact.analysis.local import as_end

    assert as_end(0.1) == sympy.Rational(3602879701896397, 2 ** 55)
    assert as_end("-1.45") == sympy.Rational(-29, 20)
    with pytest.raises(ValueError, match="empty or reversed"):
        sa.image("gelu", 1, 0)
    with pytest.raises(TypeError, match="must be a number"):
        sa.image("gelu", [0], 1)
    with pytest.raises(ValueError, match="cannot read"):
        sa.image("gelu", "one", 2)
