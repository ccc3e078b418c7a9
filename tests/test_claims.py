"""Claims written by hand (LaTeX and text): extreme values, limits, for-all, Lambert W, decimals.

Independent references: mpmath root finding and limits at high precision, closed forms.
"""

from __future__ import annotations

import flint
import mpmath
import pytest
import sympy

from symact.core.errors import UnsupportedExpression
from symact.expressions.activation import x
from symact.numerics.arb import to_mpf
from symact.proofs.claims import check_claim, check_limit, check_maximum, decimal_reading
from symact.proofs.verify import rigorous_value


def _silu_max() -> mpmath.mpf:
    f1 = lambda t: mpmath.sigmoid(t) * (1 + t * (1 - mpmath.sigmoid(t)))  # noqa: E731
    with mpmath.workdps(40):
        return f1(mpmath.findroot(lambda t: mpmath.diff(f1, t), 2.4))


def _silu_min() -> mpmath.mpf:
    with mpmath.workdps(40):
        t = mpmath.findroot(lambda t: mpmath.diff(lambda u: u * mpmath.sigmoid(u), t), -1.3)
        return t * mpmath.sigmoid(t)


@pytest.mark.parametrize(("claim", "holds"), [
    (r"\max_x \sigma'(x) = \frac14", True),
    (r"\max_x \sigma'(x) = \frac15", False),
    (r"\sup_{x\in\mathbb{R}} \tanh'(x) = 1", True),
    (r"\sup_{x \in \mathbb R} \tanh'(x) \le 1", True),
    (r"\inf_x \tanh'(x) = 0", True),
    (r"\min_x \tanh'(x) = 0", False),  # approached, never attained: no minimum
    ("max_x sigmoid'(x) = 1/4", True),
    ("sup_x sigmoid'(x) < 1/4", False),
    (r"\lim_{x\to\infty} \sigma(x) = 1", True),
    (r"\lim_{x \to -\infty} x\sigma(x) = 0", True),
    (r"\lim_{x\to 0^+} \operatorname{relu}'(x) = 1", True),
    (r"\lim_{x\to 0^-} \operatorname{relu}'(x) = 1", False),
    ("lim_{x->oo} tanh(x) = 1", True),
    (r"\forall x \in \mathbb{R},\ \sigma'(x) \le \frac14", True),
    (r"\forall x\colon x\sigma(x) \ge -W(1/e)", True),
    ("forall x: tanh(x) <= 1", True),
    ("x*sigmoid(x) >= -W(1/e)", True),
    (r"\min_x x\sigma(x) = -\operatorname{W}(1/e)", True),
    (r"\min_x x\sigma(x) = -\operatorname{W}\left(\frac{1}{e}\right)", True),
])
def test_claim_grammar_reaches_a_verdict(claim, holds):
    v = check_claim(claim)
    assert v.holds is holds, v.summary


def test_lambert_w_value_is_independent():
    # -W(1/e) is the minimum of x sigma(x): compare with mpmath root finding
    with mpmath.workdps(40):
        assert abs(-mpmath.lambertw(1 / mpmath.e) - _silu_min()) < mpmath.mpf(10) ** -30


def test_decimal_read_exactly_and_rounded():
    v = check_maximum("silu'(x)", "1.0998393")
    assert v.holds is False and v.method == "certified"
    assert v.details["readings"] == {"exact": False, "rounded": True}
    assert "exact decimal" in v.summary and "correctly rounded" in v.summary
    # independent: the claim is 2e-8 below the true maximum, within the rounding of 7 decimals
    gap = _silu_max() - mpmath.mpf("1.0998393")
    assert 0 < gap < 5e-8
    w = check_maximum("silu'(x)", "1.0998394")  # rounds wrong: false both ways
    assert w.details["readings"] == {"exact": False, "rounded": False}
    assert decimal_reading("2.50") == (sympy.Rational(5, 2), sympy.Rational(1, 200))


def test_limit_without_side_needs_both_sides():
    assert check_limit("relu(x)", 0, 0).holds is True
    v = check_limit(sympy.Piecewise((1, x > 0), (0, True)), 0, 1)
    assert v.holds is False


def test_unsupported_subscripts_are_explained():
    with pytest.raises(UnsupportedExpression, match="reals"):
        check_claim(r"\max_{x \in [0, 1]} \sigma(x) = 1")
    with pytest.raises(UnsupportedExpression, match="subscript"):
        check_claim(r"\lim \sigma(x) = 1")


def test_verdict_protocol():
    v = check_claim(r"\max_x \sigma'(x) = \frac14")
    assert (v.value, v.level, v.enclosure) == (sympy.true, "exact", None)
    assert v._repr_latex_().startswith("$\\displaystyle") and r"\frac{1}{4}" in v.latex()
    c = check_claim("silu'(x) <= 1.1")
    assert (c.holds, c.level) == (True, "certified")


def test_to_mpf_end_is_validated():
    b = flint.arb(1) / 3
    with pytest.raises(ValueError, match="'lower' or 'upper'"):
        to_mpf(b, "lo", 60)  # type: ignore[arg-type]
    lo, hi = to_mpf(b, "lower", 60), to_mpf(b, "upper", 60)
    with mpmath.workdps(40):
        assert lo < mpmath.mpf(1) / 3 < hi


def test_rigorous_value_is_an_enclosure():
    lo, hi, level = rigorous_value(sympy.tanh(x) - (2 / (1 + sympy.exp(-x)) - 1), sympy.Integer(1))
    with mpmath.workdps(50):
        truth = mpmath.tanh(1) - (2 * mpmath.sigmoid(1) - 1)
        assert level == "certified" and lo <= truth <= hi and lo < hi


@pytest.mark.parametrize(("claim", "readings"), [
    ("silu'(x) <= 1.0998393", {"exact": False, "rounded": True}),
    ("silu'(x) <= 1.0998394", {"exact": True, "rounded": True}),
    ("1.0998393 >= silu'(x)", {"exact": False, "rounded": True}),
    ("silu(x) >= -0.2784645", {"exact": False, "rounded": True}),
    ("silu(x) >= -0.2784646", {"exact": True, "rounded": True}),
])
def test_decimal_bounds_read_both_ways(claim, readings):
    v = check_claim(claim)
    assert v.details["readings"] == readings and v.holds is readings["exact"]
    # independent: min x sigma(x) = -0.27846454276..., max silu' = 1.09983932012...
    assert mpmath.mpf("-0.2784646") < _silu_min() < mpmath.mpf("-0.2784645")
    assert mpmath.mpf("1.0998393") < _silu_max() < mpmath.mpf("1.0998394")
