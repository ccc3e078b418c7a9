"""Verification of claims: proved, certified, sampled or refuted -- against independent numbers."""

from __future__ import annotations

import mpmath
import pytest
import sympy

import symact as sa
from symact.core.errors import UnsafeExpression
from symact.expressions.activation import x
from symact.proofs.claims import check_claim, check_depth, check_maximum, explain_four_sigmoid
from symact.proofs.verify import (
    Verdict,
    check_bound,
    check_derivative,
    check_identity,
    to_expr,
)


def _silu_prime(t):
    s = mpmath.sigmoid(t)
    return s * (1 + t * (1 - s))


def _silu_max() -> mpmath.mpf:
    with mpmath.workdps(40):
        root = mpmath.findroot(lambda t: mpmath.diff(_silu_prime, t), 2.4)
        return _silu_prime(root)


# -- identities ----------------------------------------------------------------
def test_sigmoid_identity_proved_symbolically():
    v = check_identity(sa.activation("sigmoid").derivative(), "sigmoid(x)*(1 - sigmoid(x))")
    assert (v.holds, v.method, v.counterexample) == (True, "symbolic", None)
    assert "proved" in str(v)


def test_tanh_identity_plain_and_latex():
    assert check_claim("tanh(x) = 2*sigmoid(2*x) - 1").holds is True
    v = check_claim(r"\sigma'(x) = \sigma(x)(1-\sigma(x))")
    assert (v.holds, v.method) == (True, "symbolic")


def test_false_identity_refuted_with_verified_point():
    v = check_identity("tanh(x)", "2*sigmoid(x) - 1")
    assert v.holds is False and v.method == "certified"
    p = v.counterexample["point"]
    with mpmath.workdps(40):
        t = mpmath.mpf(sympy.Rational(p).p) / sympy.Rational(p).q
        assert abs(mpmath.tanh(t) - (2 * mpmath.sigmoid(t) - 1)) > 1e-20


def test_piecewise_identity_and_breakpoint_mismatch():
    assert check_identity("relu(x)", "(x + abs(x))/2").method == "symbolic"
    assert check_identity("relu(x)", "(x + abs(x))/2").holds is True
    # equal on both pieces but different at the breakpoint 0
    v = check_identity(sympy.Piecewise((x, x > 0), (0, True)), sympy.Piecewise((x, x > 0), (0, x < 0), (1, True)))
    assert v.holds is False and v.counterexample["point"] == 0


def test_sampling_never_proves():
    with pytest.raises(ValueError, match="sampling cannot prove"):
        Verdict(True, "sampled", None, check_identity("x", "x").derivation, "")


# -- bounds --------------------------------------------------------------------
def test_sigmoid_quarter_bound_strict_and_non_strict():
    d = sa.activation("sigmoid").derivative()
    ok = check_bound(d, upper=sympy.Rational(1, 4))
    assert (ok.holds, ok.method) == (True, "symbolic")
    strict = check_claim("sigmoid'(x) < 1/4")
    assert strict.holds is False and strict.counterexample["point"] == 0
    # independent: sigma'(0) = 1/4 exactly
    assert mpmath.sigmoid(0) * (1 - mpmath.sigmoid(0)) == 0.25


def test_sigmoid_fifth_refuted_near_zero():
    v = check_claim("sigmoid'(x) <= 1/5")
    assert v.holds is False
    p = v.counterexample["point"]
    assert abs(p) < 0.1
    val = mpmath.sigmoid(p) * (1 - mpmath.sigmoid(p))
    assert val > 0.2


def test_silu_certified_both_ways():
    top = _silu_max()
    assert 1.099 < top < 1.1  # the independent value sits between the two claims
    v = check_claim("silu'(x) <= 1.1")
    assert (v.holds, v.method) == (True, "certified")
    w = check_claim("silu'(x) <= 1.099")
    assert (w.holds, w.method) == (False, "certified")
    p = w.counterexample["point"]
    with mpmath.workdps(40):
        assert _silu_prime(mpmath.mpf(p.p) / p.q) > mpmath.mpf("1.099")


def test_relu_derivative_bounds():
    assert check_claim("relu'(x) <= 1").holds is True
    v = check_bound(sa.activation("relu").derivative(), lower=0, upper=1)
    assert (v.holds, v.method) == (True, "symbolic")
    assert check_bound(sa.activation("relu").derivative(), lower=0, strict=True).holds is False


def test_bound_with_x_on_both_sides():
    assert check_claim("tanh(x) <= x + 1").holds is None or check_claim("tanh(x) <= x + 1").holds is False
    assert check_claim("sigmoid(x) >= 0").holds is True


def test_bound_input_errors():
    with pytest.raises(ValueError, match="lower or an upper"):
        check_bound("x")
    with pytest.raises(ValueError, match="constant"):
        check_bound("tanh(x)", upper="x")


# -- derivative, maximum, depth ------------------------------------------------
def test_check_derivative():
    assert check_derivative("tanh(x)", "1 - tanh(x)**2").holds is True
    v = check_derivative("x*sigmoid(x)", "sigmoid(x)")
    assert v.holds is False
    p = v.counterexample["point"]
    t = mpmath.mpf(p.p) / p.q
    assert abs(_silu_prime(t) - mpmath.sigmoid(t)) > 1e-20


def test_check_maximum():
    assert check_maximum("sigmoid'(x)", "1/4", at=0).holds is True
    assert check_maximum("sigmoid'(x)", "1/4", at=1).holds is False
    assert check_maximum("sigmoid'(x)", "1/5").holds is False
    # hardswish' approaches 3/2 but never attains it: no maximum
    assert check_maximum(sa.activation("hardswish").derivative(), "3/2").holds is False
    silu = check_maximum("silu'(x)", mpmath.nstr(_silu_max(), 30))
    assert silu.holds is None and silu.method == "certified"


def test_check_depth_against_powers():
    assert check_depth("sigmoid", 10, 1e-6).holds is True
    assert check_depth("sigmoid", 9, 1e-6).holds is False
    assert sympy.Rational(1, 4) ** 10 < sympy.Rational(1, 10**6) < sympy.Rational(1, 4) ** 9
    assert check_depth("relu", 1000, 1e-6).holds is False


# -- four sigmoid --------------------------------------------------------------
def test_four_sigmoid_explained():
    v = explain_four_sigmoid()
    assert v.holds is False
    assert v.details["sup"] == 1 and v.details["at"] == sympy.FiniteSet(0)
    assert v.details["bound"] == 1 and v.details["regime"] == "neutral"
    # independent: (4 sigma)'(1) = 4 s (1 - s) at 1
    s = mpmath.sigmoid(1)
    assert abs(mpmath.mpf(sympy.N(v.details["derivative_at_1"], 30)) - 4 * s * (1 - s)) < 1e-25
    assert 4 * s * (1 - s) < 1
    if "chi1" in v.details:
        assert 0 < float(v.details["chi1"]) < 1  # ordered: saturation wins on average


# -- inputs --------------------------------------------------------------------
def test_inputs_text_latex_sympy_and_errors():
    assert to_expr(r"\frac{1}{1+e^{-x}}") == 1 / (1 + sympy.exp(-x))
    assert to_expr(sympy.Symbol("x") ** 2) == x**2
    with pytest.raises(UnsafeExpression):
        to_expr("__import__('os').system('true')")
    with pytest.raises(ValueError, match="depends on"):
        to_expr(sympy.Symbol("y") + x)
    with pytest.raises(TypeError, match="string"):
        check_claim(3)  # type: ignore[arg-type]


def test_verdict_renders():
    v = check_claim("sigmoid'(x) <= 1/4")
    md = v._repr_markdown_()
    assert md.startswith("**proved") and "sup" in md
    assert r"\sup" in v.derivation.latex()
