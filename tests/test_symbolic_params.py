"""Closed forms in symbolic parameters, compared with numbers at many parameter values.

For each parameterised family, derivative_bounds / analyze / gradient_bound are asked once
with a symbol; hypothesis then substitutes values satisfying the stated assumptions and
compares with an independent mpmath computation (finite differences of hand-written
formulas on a grid that includes points close to every breakpoint).
"""

from __future__ import annotations

from fractions import Fraction

import mpmath as mp
import pytest
import sympy
from hypothesis import example, given, settings
from hypothesis import strategies as st

import symact as sa

a = sympy.Symbol("a", real=True)
alpha = sympy.Symbol("alpha")
beta = sympy.Symbol("beta")
lam = sympy.Symbol("lambd")
lo_s, hi_s = sympy.Symbol("lo"), sympy.Symbol("hi")

POS = st.fractions(min_value=Fraction(1, 20), max_value=Fraction(20), max_denominator=50)
REAL = st.fractions(min_value=Fraction(-20), max_value=Fraction(20), max_denominator=50)


def _grid_derivative_extrema(f, breaks=()):
    pts = [mp.mpf(k) / 4 for k in range(-120, 121)] + [mp.mpf(10) ** 6, -mp.mpf(10) ** 6]
    for b in breaks:
        pts += [b - mp.mpf("1e-12"), b + mp.mpf("1e-12")]
    h = mp.mpf("1e-20")
    vals = [(f(t + h) - f(t - h)) / (2 * h) for t in pts if all(abs(t - b) > mp.mpf("1e-15") for b in breaks)]
    return max(vals), min(vals)


def _num(e, subs):
    return mp.mpf(sympy.N(sympy.sympify(e).subs(subs), 40))


FAMILIES = {
    "leaky_relu": (sa.activation("leaky_relu", negative_slope=a), {"a": REAL},
                   lambda p: (lambda t: t if t > 0 else p["a"] * t), lambda p: (0,)),
    "elu": (sa.activation("elu", alpha=alpha), {"alpha": POS},
            lambda p: (lambda t: t if t > 0 else p["alpha"] * mp.expm1(t)), lambda p: (0,)),
    "celu": (sa.activation("celu", alpha=alpha), {"alpha": POS},
             lambda p: (lambda t: t if t > 0 else p["alpha"] * mp.expm1(t / p["alpha"])), lambda p: (0,)),
    "softplus": (sa.activation("softplus", beta=beta), {"beta": POS},
                 lambda p: (lambda t: mp.log1p(mp.exp(p["beta"] * t)) / p["beta"]), lambda p: ()),
    "squareplus": (sa.activation("squareplus", b=beta), {"beta": POS},
                   lambda p: (lambda t: (t + mp.sqrt(t * t + p["beta"])) / 2), lambda p: ()),
    "softshrink": (sa.activation("softshrink", lambd=lam), {"lambd": POS},
                   lambda p: (lambda t: t - p["lambd"] if t > p["lambd"] else (t + p["lambd"] if t < -p["lambd"] else mp.mpf(0))),
                   lambda p: (p["lambd"], -p["lambd"])),
}


@pytest.fixture(scope="module")
def bounds():
    return {k: sa.derivative_bounds(v[0]) for k, v in FAMILIES.items()}


def test_documented_closed_forms(bounds):
    assert bounds["leaky_relu"].sup.value == sympy.Max(1, a)
    assert bounds["leaky_relu"].inf.value == sympy.Min(1, a)
    assert bounds["elu"].sup.value == sympy.Max(1, alpha)
    assert bounds["elu"].inf.value == 0
    assert sympy.StrictGreaterThan(alpha, 0) in bounds["elu"].assumptions
    assert bounds["softplus"].sup.value == 1 and bounds["softplus"].inf.value == 0


@pytest.mark.parametrize("family", sorted(FAMILIES))
@settings(max_examples=15, deadline=None)
@given(data=st.data())
def test_bounds_match_numbers(bounds, family, data):
    _act, strategies, ref, breaks = FAMILIES[family]
    values = {k: data.draw(s, label=k) for k, s in strategies.items()}
    with mp.workdps(40):
        p = {k: mp.mpf(v.numerator) / v.denominator for k, v in values.items()}
        subs = {sympy.Symbol(k, real=True) if k == "a" else sympy.Symbol(k): sympy.Rational(v.numerator, v.denominator)
                for k, v in values.items()}
        ref_sup, ref_inf = _grid_derivative_extrema(ref(p), breaks(p))
        b = bounds[family]
        s, i = _num(b.sup.value, subs), _num(b.inf.value, subs)
        assert ref_sup <= s + mp.mpf("1e-10") and s - ref_sup < mp.mpf("1e-3"), (values, s, ref_sup)
        assert ref_inf >= i - mp.mpf("1e-10") and ref_inf - i < mp.mpf("1e-3"), (values, i, ref_inf)
        L = _num(b.lipschitz.value, subs)
        assert abs(L - max(abs(ref_sup), abs(ref_inf))) < mp.mpf("1e-3")


@settings(max_examples=20, deadline=None)
@given(lo=REAL, width=POS)
@example(lo=Fraction(-1), width=Fraction(2))
def test_hard_tanh_range_and_slope(lo, width):
    act = sa.activation("hard_tanh", min_val=lo_s, max_val=hi_s)
    p = sa.analyze(act)
    hi = lo + width
    subs = {lo_s: sympy.Rational(lo.numerator, lo.denominator), hi_s: sympy.Rational(hi.numerator, hi.denominator)}
    assert p.range.subs(subs) == sympy.Interval(subs[lo_s], subs[hi_s])
    assert p.lipschitz.value == 1 and sympy.StrictGreaterThan(hi_s, lo_s) in p.assumptions


@settings(max_examples=20, deadline=None)
@given(al=POS, layers=st.integers(min_value=1, max_value=12))
def test_gradient_bound_elu(al, layers):
    gb = sa.gradient_bound(sa.activation("elu", alpha=alpha), layers)
    v = sympy.Rational(al.numerator, al.denominator)
    assert sympy.simplify(gb.expr.subs(alpha, v) - max(1, v) ** layers) == 0
    assert gb.regime == "depends" and sympy.StrictGreaterThan(alpha, 0) in gb.assumptions


def test_jumping_families():
    t, v = sympy.symbols("t v")
    L = sa.derivative_bounds(sa.activation("threshold", threshold=t, value=v)).lipschitz.value
    assert L.subs({t: 1, v: 1}) == 1 and L.subs({t: 1, v: 0}) == sympy.oo
    assert sa.derivative_bounds(sa.activation("hardshrink", lambd=lam)).lipschitz.value == sympy.oo
