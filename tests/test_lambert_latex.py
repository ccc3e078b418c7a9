"""The LaTeX reader reads Lambert W: W(e^{-1}), W_0(...), W_{-1}(...), \\operatorname{W}(...).

Claims are checked against mpmath: SiLU's minimum is -W(1/e) (x sigma(x) is least where
x = -1 - W(1/e)), checked here by minimising the reference SiLU with mpmath.findroot.
"""

from __future__ import annotations

import mpmath as mp
import pytest
import sympy

import symact as sa
from symact.core.errors import UnsafeExpression
from symact.expressions.latex import parse_latex
from tests.reference import REFERENCE

V = {"x": sa.x}
W1E = sympy.LambertW(sympy.exp(-1))


@pytest.mark.parametrize("text, expected", [
    (r"W(e^{-1})", W1E),
    (r"W\left(e^{-1}\right)", W1E),
    (r"W(\frac{1}{e})", W1E),
    (r"\operatorname{W}(e^{-1})", W1E),
    (r"\mathrm{W}(e^{-1})", W1E),
    (r"W_0(e^{-1})", W1E),
    (r"-1 - W(e^{-1})", -1 - W1E),
    (r"W_{-1}(-\frac{1}{2e})", sympy.LambertW(-sympy.exp(-1) / 2, -1)),
    (r"x W(x)", sa.x * sympy.LambertW(sa.x)),
])
def test_reads_lambert_w(text, expected):
    assert parse_latex(text, variables=V) == expected


def test_values_agree_with_mpmath():
    with mp.workdps(30):
        v = parse_latex(r"W_{-1}(-\frac{1}{2e})", variables=V)
        assert abs(mp.mpf(sympy.N(v, 30)) - mp.lambertw(-1 / (2 * mp.e), -1).real) < mp.mpf(10) ** -25


def test_a_variable_named_w_stays_a_variable():
    w = sympy.Symbol("W")
    assert parse_latex(r"W(x)", variables={"x": sa.x, "W": w}) == w * sa.x


def test_complex_branches_are_refused():
    with pytest.raises(UnsafeExpression, match="real branches"):
        parse_latex(r"W_{1}(x)", variables=V)


def _silu_min():
    with mp.workdps(40):
        f = REFERENCE["silu"]
        t = mp.findroot(lambda s: mp.diff(f, s), mp.mpf("-1.3"))
        return f(t)


def test_claim_with_w_of_inverse_e():
    with mp.workdps(40):
        assert abs(_silu_min() + mp.lambertw(1 / mp.e).real) < mp.mpf(10) ** -30  # the reference itself
    assert sa.check_claim(r"\inf_x x\sigma(x) = -W(e^{-1})").holds is True
    assert sa.check_claim(r"\inf_x x\sigma(x) = -W(e^{-1}) + 10^{-6}").holds is False
    assert sa.check_claim(r"\forall x\in\mathbb{R}:\ x\sigma(x) \ge -W(e^{-1})").holds is True


def test_bound_with_w_in_latex():
    assert sa.check_bound(r"x\sigma(x)", lower=r"-W(e^{-1})").holds is True
    assert sa.check_bound(r"x\sigma(x)", lower=r"-W(e^{-1}) + 10^{-3}").holds is False


def test_identity_with_w_is_proved():
    v = sa.check_identity(r"W(e^{-1})\,e^{W(e^{-1})}", r"e^{-1}")
    assert v.holds is True and v.method == "symbolic"
    assert sa.check_identity(r"W(x)e^{W(x)}", "x").holds is True
    assert sa.check_identity(r"W(x)e^{W(x)}", "x + 1").holds is False
