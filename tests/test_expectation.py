"""Gaussian expectations: closed forms from the literature, references by independent mpmath quadrature."""

from __future__ import annotations

import mpmath
import pytest
import sympy

from symact.expressions.catalogue import activation
from symact.core.errors import UnsupportedExpression
from symact.propagation.expectation import Expectation, X, expect, gaussian_pieces

SELU_LAMBDA = "1.0507009873554804934193349852946"
SELU_ALPHA = "1.6732632423543772848170429916717"


@pytest.fixture(autouse=True)
def _dps_untouched():
    before = mpmath.mp.dps
    yield
    assert mpmath.mp.dps == before, "mp.dps was changed globally"


def gauss_quad(f, q=1, points=(0,), dps=40):
    """Independent reference: ∫ f(t) N(t; 0, q) dt with mpmath."""
    with mpmath.workdps(dps):
        q = mpmath.mpf(q)
        pts = [mpmath.ninf, *map(mpmath.mpf, points), mpmath.inf]
        return mpmath.quad(lambda t: f(t) * mpmath.npdf(t, 0, mpmath.sqrt(q)), pts)


def close(a, b, digits):
    return abs(mpmath.mpf(sympy.N(a, digits + 10)) - mpmath.mpf(b)) < mpmath.mpf(10) ** (-digits)


def relu_expr():
    return activation("relu").expr


def test_relu_mean_exact():
    e = expect(relu_expr())
    assert e.exact
    assert sympy.simplify(e.value - 1 / sympy.sqrt(2 * sympy.pi)) == 0
    assert "exact" in e.method
    assert e.error < mpmath.mpf(10) ** -25


def test_relu_second_moments():
    assert expect(relu_expr() ** 2).value == sympy.Rational(1, 2)
    d = sympy.diff(relu_expr(), X)
    assert expect(d**2).value == sympy.Rational(1, 2)


def test_leaky_numeric_and_symbolic_slope():
    act = activation("leaky_relu", negative_slope=sympy.Rational(1, 10))
    e = expect(act.expr**2)
    assert e.exact and e.value == sympy.Rational(101, 200)
    a = sympy.Symbol("a", real=True)
    leaky = sympy.Piecewise((X, X > 0), (a * X, True))
    es = expect(leaky**2)
    assert es.exact
    assert sympy.simplify(es.value - (1 + a**2) / 2) == 0
    assert "sample parameter values" in es.method


def test_tanh_square_numeric():
    e = expect(sympy.tanh(X) ** 2, dps=30, budget=2)
    ref = gauss_quad(lambda t: mpmath.tanh(t) ** 2)
    assert not e.exact
    assert e.method.startswith("numeric")
    assert close(e.value, ref, 28)
    assert isinstance(e.value, sympy.Float)


def test_gelu_derivative_square_not_sympys_wrong_closed_form():
    gelu = activation("gelu").expr
    e = expect(sympy.diff(gelu, X) ** 2, dps=30)
    with mpmath.workdps(40):
        truth = mpmath.mpf(1) / 3 + 2 / (3 * mpmath.sqrt(3) * mpmath.pi)
    assert close(e.value, truth, 25)
    wrong = (sympy.sqrt(3) + 6 * sympy.pi) / (18 * sympy.pi)  # SymPy 1.14's answer
    assert not close(e.value, sympy.N(wrong, 40), 5)


def test_sigmoid_mean_is_half():
    e = expect(activation("sigmoid").expr)
    assert e.exact and e.value == sympy.Rational(1, 2)


@pytest.mark.parametrize("q", [sympy.Rational(7, 3), 2, 0.25, sympy.sqrt(2)])
def test_second_moment_scales_with_q(q):
    e = expect(X**2, q)
    assert e.exact
    assert sympy.simplify(e.value - sympy.nsimplify(q)) == 0


def test_mpf_q_goes_numeric():
    e = expect(X**2, mpmath.mpf("1.5"))
    assert not e.exact and close(e.value, "1.5", 25)


def test_selu_self_normalising_to_30_digits():
    selu = activation("selu").expr
    e1, e2 = expect(selu, dps=35), expect(selu**2, dps=35)
    assert abs(e1.numeric) < mpmath.mpf(10) ** -30
    assert abs(e2.numeric - 1) < mpmath.mpf(10) ** -30
    # independent reference with the published 31-digit constants
    with mpmath.workdps(45):
        lam, alpha = mpmath.mpf(SELU_LAMBDA), mpmath.mpf(SELU_ALPHA)
        f = lambda t: lam * (t if t > 0 else alpha * (mpmath.exp(t) - 1))  # noqa: E731
        assert abs(gauss_quad(lambda t: f(t) ** 2, dps=45) - 1) < mpmath.mpf(10) ** -28


def test_piecewise_with_interior_breakpoints():
    ht = activation("hard_tanh").expr
    e = expect(ht**2)
    ref = gauss_quad(lambda t: min(1, max(-1, t)) ** 2, points=(-1, 1))
    assert close(e.value, ref, 28)
    assert [(lo, hi) for _, lo, hi in gaussian_pieces(ht)] == [(-sympy.oo, -1), (-1, 1), (1, sympy.oo)]


def test_max_abs_are_rewritten():
    assert expect(sympy.Max(0, X) ** 2).value == sympy.Rational(1, 2)
    assert sympy.simplify(expect(sympy.Abs(X)).value - sympy.sqrt(2 / sympy.pi)) == 0


def test_exact_false_gives_numeric():
    e = expect(relu_expr() ** 2, exact=False)
    assert not e.exact and close(e.value, "0.5", 28)


def test_rendering():
    e = expect(X**2, 2)
    assert isinstance(e, Expectation)
    assert "Expectation(" in repr(e)
    assert e._repr_latex_().startswith("$\\displaystyle")
    assert e.evalf(5) == sympy.Float(2, 5)


def test_bad_input():
    with pytest.raises(UnsupportedExpression):
        expect("x**2")
    with pytest.raises(UnsupportedExpression):
        expect(X**2, -1)
    t = sympy.Symbol("t", real=True)
    with pytest.raises(UnsupportedExpression):
        expect(sympy.Piecewise((X, X > t), (0, True)))
