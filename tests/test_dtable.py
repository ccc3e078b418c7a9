"""sa.derivative_table against mpmath: mp.diff at 50 digits on a dense grid, then findroot."""

from __future__ import annotations

import mpmath
import pytest

import symact as sa

PHI = {
    "gelu": lambda t: t / 2 * (1 + mpmath.erf(t / mpmath.sqrt(2))),
    "silu": lambda t: t / (1 + mpmath.exp(-t)),
    "softplus": lambda t: mpmath.log(1 + mpmath.exp(t)),
    "tanh": mpmath.tanh,
    "mish": lambda t: t * mpmath.tanh(mpmath.log(1 + mpmath.exp(t))),
}


def _sup_abs(f, n, l=-8, u=8, m=161):
    """sup |f^(n)| on [l, u]: mp.diff on a grid, findroot on f^(n+1) at grid extrema of |f^(n)|."""
    xs = [mpmath.mpf(l) + (u - l) * mpmath.mpf(k) / (m - 1) for k in range(m)]
    ys = [mpmath.diff(f, t, n) for t in xs]
    best = max(abs(v) for v in ys)
    for i in range(1, m - 1):
        if abs(ys[i]) >= abs(ys[i - 1]) and abs(ys[i]) >= abs(ys[i + 1]):
            try:
                r = mpmath.findroot(lambda t: mpmath.diff(f, t, n + 1), xs[i])
            except (ValueError, ZeroDivisionError):
                continue
            best = max(best, abs(mpmath.diff(f, r, n)))
    return best


CASES = [("gelu", 1), ("gelu", 4), ("silu", 1), ("silu", 6), ("softplus", 5), ("tanh", 6), ("mish", 1), ("mish", 4)]


@pytest.mark.parametrize("name,n", CASES)
def test_sup_abs_against_mpmath(name, n):
    row = sa.derivative_table(name, n).rows[-1]
    with mpmath.workdps(50):
        ref = _sup_abs(PHI[name], n)
        lo, hi = row.sup_abs.enclosure
        assert lo - 1e-25 <= ref <= hi + 1e-25, (name, n, ref, lo, hi)
        assert hi - lo < 1e-25


def test_published_table_entries_are_too_low():
    # the transformer-bounds table's SiLU/softplus entries are below the true supremum: ours are certified
    t = sa.derivative_table("silu", 2)
    lo, hi = t.rows[1].sup_abs.enclosure
    assert t.rows[0].sup > 1.0998 and lo <= 0.5 <= hi and hi - lo < 1e-25


def test_both_symmetric_points_reported():
    import sympy

    r = sa.derivative_table("gelu", 2).rows[1]
    assert r.inf.at == {sympy.Integer(-2), sympy.Integer(2)}  # gelu'' = pdf(x) (2 - x^2), even


def test_interval_and_bad_input():
    r = sa.derivative_table("gelu", 3, interval=(0, 1)).rows[2]
    with mpmath.workdps(40):
        f = PHI["gelu"]
        ref = max(mpmath.diff(f, mpmath.mpf(k) / 200, 3) for k in range(201))
        assert abs(r.sup.enclosure[1] - ref) < 1e-12 or r.sup.enclosure[1] >= ref
    with pytest.raises(ValueError, match="orders"):
        sa.derivative_table("gelu", 0)
    with pytest.raises(sa.UnsupportedExpression, match="piecewise"):
        sa.derivative_table("relu", 2)


def test_tail_enclosure_against_mpmath():
    import sympy

    from symact.analysis.dtable import tail_enclosure

    x = sympy.Symbol("x", real=True)
    d = sympy.diff(x / (1 + sympy.exp(-x)), x, 3)  # silu''' on the left tail x <= -16
    b = tail_enclosure(d, x, 16, -1)
    f = lambda t: mpmath.diff(PHI["silu"], t, 3)  # noqa: E731
    with mpmath.workdps(30):
        for t in (-16, -20, -40, -200):
            v = f(mpmath.mpf(t))
            assert b.lower() <= v <= b.upper()
    assert tail_enclosure(sympy.erf(x), x, 16, 1) is None  # not an exponential form
