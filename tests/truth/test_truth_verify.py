"""check_bound, check_identity, check_claim, subdifferential and numeric against references."""

from __future__ import annotations

from fractions import Fraction

import mpmath as mp
import numpy as np
import pytest
import sympy
from hypothesis import given
from hypothesis import strategies as st

import symact as sa

from .checks import case, few
from .ref import CATALOGUE, DPS, num
from .test_truth_extrema import DERIVATIVE_EXTREMA

F = Fraction


def _q(f):
    return sympy.Rational(f.numerator, f.denominator)


# -- check_bound: holds exactly when the bound is past the true sup/inf ---------------------------

SMOOTH = ["sigmoid", "tanh", "softsign", "arctan", "silu", "gelu", "mish", "gaussian", "squareplus"]


@few
@given(name=st.sampled_from(SMOOTH), delta=st.fractions(F(-1, 2), F(1, 2), max_denominator=10**6).filter(lambda d: d != 0),
       upper=st.booleans())
def test_check_bound_decides_like_the_reference(name, delta, upper):
    sup_ref, inf_ref = DERIVATIVE_EXTREMA[name]
    with mp.workdps(DPS):
        ext = sup_ref() if upper else inf_ref()
        bound = sympy.Rational(mp.nstr(ext, 40)) + _q(delta)  # never the extremum itself
        truth = (mp.mpf(sympy.N(bound, DPS)) >= ext) if upper else (mp.mpf(sympy.N(bound, DPS)) <= ext)
    d = sa.activation(name).derivative()
    v = sa.check_bound(d, upper=bound) if upper else sa.check_bound(d, lower=bound)
    assert v.holds is truth, f"{name}' {'<=' if upper else '>='} {bound}: holds={v.holds}, truth {truth}"
    if not truth:  # the counterexample must really violate the bound
        x0 = v.counterexample["point"]
        with mp.workdps(DPS):
            val = CATALOGUE[name][1](mp.mpf(sympy.N(x0, DPS)))
            assert (val > mp.mpf(sympy.N(bound, DPS))) if upper else (val < mp.mpf(sympy.N(bound, DPS))), (
                f"counterexample x = {x0}: {name}'(x) = {mp.nstr(val, 20)} does not violate {bound}")


# -- check_identity ------------------------------------------------------------------------------

IDENTITIES = [
    ("tanh(x)", "2*sigmoid(2*x) - 1", True),
    ("softplus(x) - softplus(-x)", "x", True),
    ("sigmoid(x) + sigmoid(-x)", "1", True),
    ("silu(x)", "x*sigmoid(x)", True),
    ("log_sigmoid(x)", "-softplus(-x)", True),
    ("relu(x) - relu(-x)", "x", True),
    ("tanh(x)", "2*sigmoid(x) - 1", False),
    ("sigmoid(x)", "(1 + tanh(x))/2", False),
    ("softplus(x)", "relu(x)", False),
    ("gelu(x)", "silu(x)", False),
    ("softsign(x)", "x/(1 + x**2)", False),
]

_EVAL = {"tanh": mp.tanh, "sigmoid": CATALOGUE["sigmoid"][0], "softplus": CATALOGUE["softplus"][0],
         "silu": CATALOGUE["silu"][0], "log_sigmoid": CATALOGUE["log_sigmoid"][0], "relu": CATALOGUE["relu"][0],
         "gelu": CATALOGUE["gelu"][0], "softsign": CATALOGUE["softsign"][0]}


def _evaluate(text, x0):
    """Evaluate a claim's side with the reference catalogue (mpmath), not with symact."""
    return eval(text.replace("**", "^").replace("^", "**"), {"__builtins__": {}}, {**_EVAL, "x": x0})


@pytest.mark.parametrize("lhs, rhs, truth", IDENTITIES)
def test_check_identity(lhs, rhs, truth):
    v = sa.check_identity(lhs, rhs)
    assert v.holds is truth, f"{lhs} = {rhs}: holds={v.holds}"
    if not truth:
        with mp.workdps(DPS):
            x0 = mp.mpf(sympy.N(sympy.sympify(v.counterexample["point"]), DPS))
            a, b = _evaluate(lhs, x0), _evaluate(rhs, x0)
            assert abs(a - b) > mp.mpf(10) ** -30, f"counterexample x = {x0}: both sides are {mp.nstr(a, 20)}"


# -- claims at kinks (the derivative does not exist there) ----------------------------------------

@pytest.mark.parametrize("claim, truth", [
    ("relu'(1) = 1", True),
    ("sigmoid'(0) = 1/4", True),
    ("tanh'(0) = 1/2", False),
    ("tanh(0) = 0", True),
    ("tanh(0) = 1", False),
    ("relu'(0) = 0", None),
    ("relu'(0) = 1", None),
    ("leaky_relu'(0) = 1/100", None),
    ("hard_tanh'(1) = 0", None),
])
def test_claims_at_points(claim, truth):
    v = sa.check_claim(claim)
    if truth is None:  # no derivative at a kink: neither proved nor refuted with a point elsewhere
        assert v.holds is not True, f"{claim!r} proved, but the derivative does not exist there"
        assert v.counterexample is None or v.counterexample.get("point") in (0, 1), f"{claim!r}: {v.summary}"
    else:
        assert v.holds is truth, f"{claim!r}: {v.summary}"
    if v.holds is False and v.counterexample:
        assert sympy.sympify(v.counterexample["point"]) in (0, 1), f"{claim!r} refuted at an unrelated point: {v.summary}"


# -- subdifferentials -----------------------------------------------------------------------------

def _one_sided(name, x0):
    """(left, right) limits of phi' at x0 from the hand-written derivative, 1e-35 away."""
    d = CATALOGUE[name][1]
    with mp.workdps(DPS):
        h = mp.mpf(10) ** -35
        x = num(x0)
        return d(x - h), d(x + h)


KINKS = [("relu", 0), ("leaky_relu", 0), ("prelu", 0), ("relu6", 0), ("relu6", 6), ("hard_tanh", -1), ("hard_tanh", 1),
         ("hardswish", -3), ("hardswish", 3), ("hard_sigmoid", -3), ("hard_sigmoid", 3), ("softshrink", F(1, 2)),
         ("sparse_sigmoid", -1), ("sparse_sigmoid", 1), ("elu", 0), ("selu", 0), ("softsign", 0), ("hard_elish", -1),
         ("hard_elish", 0), ("hard_elish", 1), ("sparse_plus", -1), ("sparse_plus", 1), ("threshold", 0), ("celu", 0)]


@pytest.mark.parametrize("name, x0", KINKS)
def test_subdifferential_at_kinks_is_the_hull_of_one_sided_derivatives(name, x0):
    left, right = _one_sided(name, x0)
    s = sa.activation(name).subdifferential(_q(F(x0)))
    with mp.workdps(DPS):
        lo, hi = min(left, right), max(left, right)
        tol = mp.mpf(10) ** -30
        ends = (s.inf, s.sup) if isinstance(s, sympy.Interval) else (min(s), max(s))
        got = [mp.mpf(sympy.N(e, DPS)) for e in ends]
        assert abs(got[0] - lo) < tol and abs(got[1] - hi) < tol, f"{name} at {x0}: {s}, reference [{lo}, {hi}]"
        if hi - lo > tol:
            assert isinstance(s, sympy.Interval)


@few
@given(name=st.sampled_from(sorted(CATALOGUE)), x0=st.fractions(-8, 8, max_denominator=7))
def test_subdifferential_at_smooth_points_is_the_derivative(name, x0):
    left, right = _one_sided(name, x0)
    if abs(left - right) > 1e-20:
        return  # a kink: covered above
    s = sa.activation(name).subdifferential(_q(x0))
    assert isinstance(s, sympy.FiniteSet) and len(s) == 1, f"{name} at {x0}: {s}"
    with mp.workdps(DPS):
        assert abs(mp.mpf(sympy.N(next(iter(s)), DPS)) - right) < mp.mpf(10) ** -30


# -- numeric (float64 and mpmath backends) ----------------------------------------------------

POINTS = [-1e300, -1e10, -700.0, -40.0, -3.5, -1.0, -0.3, 0.1, 0.7, 2.5, 30.0, 700.0, 1e10, 1e300]

NUMERIC_BUGS: dict = {}  # (name, order) -> reason, for a known float64 failure


def _numeric_cases():
    for name in sorted(CATALOGUE):
        for order in (0, 1):
            reason = NUMERIC_BUGS.get((name, order))
            yield case(name, order, item=reason) if reason else (name, order)


@pytest.mark.parametrize("name, order", list(_numeric_cases()))
def test_numeric_float64_matches_the_reference(name, order):
    kinks = {float(num(k)) for k in CATALOGUE[name][2]}
    pts = [p for p in POINTS if p not in kinks]
    with np.errstate(all="ignore"):
        got = sa.activation(name).numeric(order)(np.array(pts))
    f = CATALOGUE[name][order]
    bad = []
    # float64 contract: an absolute error of 1e-13 (relative above 1): 1 - tanh(30)**2 = 0 is fine
    with mp.workdps(DPS):
        for p, g in zip(pts, got, strict=False):
            ref = f(mp.mpf(p))
            if not (abs(mp.mpf(float(g)) - ref) <= 1e-13 * max(1, abs(ref))) and not (
                    mp.isnan(ref) and np.isnan(g)):
                bad.append((p, float(g), mp.nstr(ref, 17)))
    assert not bad, f"{name} numeric({order}) wrong at (x, got, truth): {bad}"


@few
@given(name=st.sampled_from(sorted(CATALOGUE)), x0=st.fractions(-30, 30, max_denominator=1000))
def test_numeric_mpmath_backend_at_40_digits(name, x0):
    if any(F(k) == x0 for k in CATALOGUE[name][2]):
        return
    f = sa.activation(name).numeric(1, backend="mpmath")
    with mp.workdps(40):
        x = num(x0)
        got, ref = f(x), CATALOGUE[name][1](x)
        assert abs(got - ref) <= mp.mpf(10) ** -35 * (1 + abs(ref)), f"{name}'({x0}) = {got}, truth {ref}"
