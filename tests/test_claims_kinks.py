"""Claims about derivatives at kinks, and claims about numbers (no x).

A derivative written at a point where it does not exist (``relu'(0)``) makes the
claim false, with the reason; the one-sided derivatives and subdifferentials
below are written from the definitions (PyTorch's), not taken from symact.
"""

from __future__ import annotations

import mpmath
import pytest
import sympy

from symact.presentation.cli import main
from symact.proofs.claims import check_claim

R = sympy.Rational

# name, point, order, left and right one-sided derivatives of that order (None: a jump),
# what differentiating the branch containing the point (PyTorch's autograd) gives
KINKS = [
    ("relu", 0, 1, 0, 1, 0),
    ("leaky_relu", 0, 1, R(1, 100), 1, R(1, 100)),
    ("relu6", 0, 1, 0, 1, 0),
    ("relu6", 6, 1, 1, 0, 0),
    ("hardtanh", -1, 1, 0, 1, 0),
    ("hardtanh", 1, 1, 1, 0, 0),
    ("hardswish", -3, 1, 0, R(-1, 2), R(-1, 2)),   # x(x+3)/6 has slope (2x+3)/6 = -1/2 at -3
    ("hardswish", 3, 1, R(3, 2), 1, R(3, 2)),      # and 3/2 at 3
    ("softshrink", R(1, 2), 1, 0, 1, 0),
    ("softshrink", R(-1, 2), 1, 1, 0, 0),
    ("hardshrink", R(1, 2), 1, None, None, 0),     # discontinuous: no subdifferential
    ("hard_sigmoid", 3, 1, R(1, 6), 0, 0),
    ("relu", 0, 2, None, None, 0),                 # relu' jumps at 0
    ("elu", 0, 2, 1, 0, 1),                        # elu'' = e^x on the left, 0 on the right
    ("celu", 0, 2, 1, 0, 1),
]


def _claim_text(name, point, order):
    return f"{name}{chr(39) * order}({point}) = 0"


@pytest.mark.parametrize(("name", "point", "order", "left", "right", "autograd"), KINKS,
                         ids=[f"{k[0]}{chr(39) * k[2]}({k[1]})" for k in KINKS])
def test_derivative_at_a_kink_is_refuted_with_the_reason(name, point, order, left, right, autograd):
    # even the value autograd returns is not the derivative: it does not exist
    v = check_claim(f"{name}{chr(39) * order}({point}) = {autograd}")
    assert v.holds is False and v.method == "symbolic"
    assert v.counterexample is None and "at x =" not in v.summary
    written = f"{name}{chr(39) * order}({sympy.sstr(sympy.sympify(point))})"
    assert f"{written} does not exist" in v.summary
    (note,) = v.details["undefined"]
    assert note.order == order and note.point == point
    assert note.autograd == autograd and f"gives {written} = {sympy.sstr(autograd)}" in v.summary
    if left is None:
        assert note.jump and "discontinuous" in v.summary
        return
    assert (note.left, note.right) == (left, right)
    if order == 1:
        lo, hi = min(left, right), max(left, right)
        assert note.subdifferential == sympy.Interval(lo, hi)
        assert f"subdifferential there is [{sympy.sstr(lo)}, {sympy.sstr(hi)}]" in v.summary


def test_one_sided_slopes_agree_with_finite_differences():
    """The one-sided derivatives of the table above, by mpmath one-sided differences (independent)."""
    defs = {
        "relu": lambda t: max(t, 0),
        "leaky_relu": lambda t: t if t > 0 else t / 100,
        "hardswish": lambda t: 0 if t <= -3 else (t if t >= 3 else t * (t + 3) / 6),
        "hardtanh": lambda t: min(max(t, -1), 1),
    }
    for name, point, order, left, right, _ in KINKS:
        if name not in defs or order != 1:
            continue
        f, p, h = defs[name], mpmath.mpf(point), mpmath.mpf(10) ** -20
        with mpmath.workdps(40):
            assert abs((f(p) - f(p - h)) / h - left) < 1e-15
            assert abs((f(p + h) - f(p)) / h - right) < 1e-15


@pytest.mark.parametrize(("claim", "holds"), [
    ("relu'(1) = 1", True),
    ("relu'(-2) = 0", True),
    ("elu'(0) = 1", True),            # ELU (alpha = 1) is C^1 at 0: elu'(0) exists
    ("gelu'(0) = 1/2", True),
    ("leaky_relu'(-1) = 0.01", True),
    ("abs'(0) = 0", False),
    ("relu'(0) <= 1", False),
])
def test_points_where_the_derivative_exists_are_decided_as_numbers(claim, holds):
    v = check_claim(claim)
    assert v.holds is holds, v.summary
    assert "at x =" not in v.summary


def test_bounds_are_read_where_the_derivative_exists():
    for claim in ("d/dx(abs(x)) <= 1", "relu'(x) in [0, 1]", "hardswish'(x) >= -1/2"):
        v = check_claim(claim)
        assert v.holds is True and "does not exist at x =" in v.summary, v.summary
    assert check_claim("hardswish'(x) >= -1/2").details["undefined_at"] == (-3, 3)
    assert "undefined_at" not in check_claim("relu'(x) <= 1 for x > 0").details


def test_second_derivative_identity_fails_only_at_the_kink():
    v = check_claim("relu''(x) = 0")
    assert v.holds is False and v.counterexample["point"] == 0
    assert "not defined there" in v.summary
    assert check_claim("relu''(x) = 0 for x > 0").holds is True
    assert check_claim("relu''(x) = 0 for x < 0").holds is True


def test_abs_based_user_expression():
    # x/(1 + |x|) is C^1 (its derivative is 1/(1 + |x|)^2) but has no second derivative at 0:
    # independently, the one-sided slopes of 1/(1 + |t|)^2 at 0 are +2 (left) and -2 (right)
    with mpmath.workdps(40):
        h = mpmath.mpf(10) ** -20
        f1 = lambda t: 1 / (1 + abs(t)) ** 2  # noqa: E731
        assert abs((f1(0) - f1(-h)) / h - 2) < 1e-15 and abs((f1(h) - f1(0)) / h + 2) < 1e-15
    assert check_claim("d/dx(x/(1 + abs(x))) = 1/(1 + abs(x))^2").holds is True
    v = check_claim("diff(x/(1 + abs(x)), x, 2) = -2*sign(x)/(1 + abs(x))^3")
    assert v.holds is False and v.counterexample["point"] == 0 and "not defined there" in v.summary
    assert check_claim("diff(x/(1 + abs(x)), x, 2) = -2*sign(x)/(1 + abs(x))^3 for x > 0").holds is True


# ---------------------------------------------------------------------------------- numbers
@pytest.mark.parametrize(("claim", "holds", "method"), [
    ("1 = 2", False, "symbolic"),
    ("1/4 = 0.25", True, "symbolic"),
    ("exp(1) > 2.718", True, "certified"),
    ("sqrt(2) = 1.4142", False, "certified"),
    ("pi <= 22/7", True, "certified"),
    ("sigmoid'(0) = 1/4", True, "symbolic"),
])
def test_a_claim_without_x_is_about_numbers(claim, holds, method):
    v = check_claim(claim)
    assert (v.holds, v.method) == (holds, method), v.summary
    assert v.counterexample is None
    assert "x =" not in v.summary and "x =" not in v.text().split("== Verdict ==")[1]


def test_squareplus_at_1e_300_is_decided_not_crashed():
    """A SymPy 1.14 factor-cache bug raised "... is not a prime factor of ..." here."""
    v = check_claim("squareplus'(1e-300) = 1/2")
    assert v.holds is False and v.method == "certified"
    # independent: squareplus(t) = (t + sqrt(t^2 + 4))/2, so squareplus'(t) - 1/2 = t/(2 sqrt(t^2 + 4))
    with mpmath.workdps(50):
        t = mpmath.mpf(10) ** -300
        ref = t / (2 * mpmath.sqrt(t**2 + 4))
        lo, hi = (mpmath.mpf(s) for s in v.derivation.steps[-1].rhs.text.strip("[]").split(","))
        assert lo <= ref * (1 + mpmath.mpf(10) ** -11) and ref * (1 - mpmath.mpf(10) ** -11) <= hi
    assert check_claim("squareplus'(1e-300) > 1/2").holds is True
    r = R(1, 10**300)
    assert sympy.sqrt(r**2 + 4).is_positive  # the bug itself, worked around


# ---------------------------------------------------------------------------------- CLI
@pytest.mark.parametrize(("claim", "code"), [
    ("relu'(0) = 0", 1),
    ("relu'(1) = 1", 0),
    ("1 = 2", 1),
    ("squareplus'(1e-300) = 1/2", 1),
    ("relu'(x) = 1 for x > 0", 0),
    ("relu'(x) in [0,1]", 0),
    ("sigmoid'(x) <= 1/4 for all x", 0),
    ("relu'(x) = 1 for x bigger than 0", 2),
    ("W(x*exp(x)) = x for x > 0", 3),
])
def test_cli_exit_codes(capsys, claim, code):
    assert main(["check", claim]) == code
    out, err = capsys.readouterr()
    assert "_symact_" not in out + err and "Traceback" not in out + err
    if claim == "relu'(0) = 0":
        assert "does not exist" in out and "[0, 1]" in out and "x = -" not in out


def test_every_catalogue_kink_is_a_point_without_derivative():
    """Each kink the catalogue declares: the claim f'(kink) = 0 is refuted because f' does not exist."""
    import symact as sa
    from symact.expressions.catalogue import function_table

    seen = 0
    for name in sorted(function_table()):
        act = sa.activation(name)
        for k in act.kinks:
            v = check_claim(f"{name}'({sympy.sstr(k)}) = 0")
            assert v.holds is False and f"{name}'({sympy.sstr(k)}) does not exist" in v.summary, (name, k)
            seen += 1
    assert seen >= 20


@pytest.mark.parametrize(("claim", "word"), [("1/0 = 1", "division by zero"), ("0/0 = 1", "undefined"),
                                             ("log(-1) = 0", "not real"), ("oo = 1", "infinite")])
def test_a_side_that_is_not_a_real_number(claim, word):
    v = check_claim(claim)
    assert v.holds is False and word in v.summary and "zoo" not in v.summary and "x =" not in v.summary
