"""Activation objects, the catalogue, kinks and exact derivatives."""

from __future__ import annotations

import mpmath as mp
import pytest
import sympy
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st
from reference import REFERENCE, SELU_ALPHA, SELU_SCALE

import symact as sa
from symact.core.errors import UnknownActivation, UnsafeExpression, UnsupportedExpression

x = sa.x

REQUIRED = (
    "sigmoid tanh relu leaky_relu elu selu celu gelu gelu_tanh silu mish softplus softsign "
    "hard_sigmoid hard_tanh relu6 hardswish log_sigmoid tanhshrink softshrink hardshrink "
    "threshold squareplus sparse_plus arctan identity gaussian sin bent_identity elish hard_elish"
).split()


def test_catalogue_has_every_required_name():
    assert set(REQUIRED) <= set(sa.names())
    assert set(REFERENCE) == set(sa.names()), "every catalogue entry needs an independent reference"


@pytest.mark.parametrize(
    "alias, canonical",
    [("swish", "silu"), ("logistic", "sigmoid"), ("hard_silu", "hardswish"), ("hardsigmoid", "hard_sigmoid"),
     ("Leaky-ReLU", "leaky_relu"), ("hardtanh", "hard_tanh"), ("logsigmoid", "log_sigmoid")],
)
def test_aliases_resolve_to_the_same_object(alias, canonical):
    assert sa.activation(alias) is sa.activation(canonical)


def test_unknown_name_suggests_close_matches():
    with pytest.raises(UnknownActivation) as err:
        sa.activation("sigmod")
    assert "sigmoid" in str(err.value)
    with pytest.raises(UnknownActivation, match=r"symact\.names"):
        sa.activation("zzzz")


def test_unknown_parameter_is_named():
    with pytest.raises(TypeError, match="negative_slope"):
        sa.activation("leaky_relu", slope=0.1)


def test_pytorch_defaults():
    assert sa.activation("leaky_relu").params[sympy.Symbol("negative_slope", real=True)] == sympy.Rational(1, 100)
    hs = sa.activation("hard_sigmoid")
    assert [hs.expr.subs(x, v) for v in (-4, 0, 3, 1)] == [0, sympy.Rational(1, 2), 1, sympy.Rational(2, 3)]
    assert sa.activation("softshrink").expr.subs(x, 1) == sympy.Rational(1, 2)
    assert sa.activation("hardshrink").expr.subs(x, sympy.Rational(1, 2)) == 0


def test_selu_constants_are_exact_closed_forms():
    selu = sa.activation("selu")
    assert not selu.expr.atoms(sympy.Float), "SELU constants must not be floats"
    scale = selu.expr.subs(x, 1)
    alpha = -sympy.limit(selu.pieces[0].expr, x, -sympy.oo) / scale
    with mp.workdps(40):
        assert abs(mp.mpf(sympy.N(scale, 40)) - SELU_SCALE()) < mp.mpf(10) ** -30
        assert abs(mp.mpf(sympy.N(alpha, 40)) - SELU_ALPHA()) < mp.mpf(10) ** -30


@pytest.mark.parametrize("name", sorted(REFERENCE))
def test_expression_matches_independent_reference(name):
    act = sa.activation(name)
    f = REFERENCE[name]
    with mp.workdps(40):
        for v in ("-3.7", "-1.3", "-0.2", "0.4", "1.1", "2.9", "7.5"):
            got = mp.mpf(sympy.N(act.expr.subs(x, sympy.Rational(v)), 40))
            assert abs(got - f(mp.mpf(v))) < mp.mpf(10) ** -30, (name, v)


@settings(max_examples=120, deadline=None)
@given(name=st.sampled_from(sorted(REFERENCE)), t=st.floats(-12, 12, allow_nan=False))
@example(name="selu", t=-0.5)
@example(name="gelu", t=1.4142)
def test_first_derivative_matches_mpmath_diff(name, t):
    act = sa.activation(name)
    assume(all(abs(t - float(k)) > 1e-3 for k in act.kinks))
    assume(all(abs(t - float(b.point)) > 1e-3 for b in act.breakpoints))
    point = sympy.Rational(repr(t))
    with mp.workdps(40):
        ref = mp.diff(REFERENCE[name], mp.mpf(repr(t)))
        got = mp.mpf(sympy.N(act.derivative().subs(x, point), 40))
        assert abs(got - ref) < mp.mpf(10) ** -25 * max(1, abs(ref))


@pytest.mark.parametrize(
    "name, kinks",
    [("relu", (0,)), ("leaky_relu", (0,)), ("hardswish", (-3, 3)), ("elu", ()), ("selu", (0,)),
     ("softshrink", (-sympy.Rational(1, 2), sympy.Rational(1, 2))), ("relu6", (0, 6)), ("sigmoid", ()),
     ("softsign", ()), ("sparse_plus", ()), ("hard_tanh", (-1, 1)), ("hardshrink", (-sympy.Rational(1, 2), sympy.Rational(1, 2)))],
)
def test_kinks(name, kinks):
    assert sa.activation(name).kinks == tuple(sympy.sympify(k) for k in kinks)


def test_kink_appears_when_parameter_breaks_smoothness():
    assert sa.activation("elu", alpha=2).kinks == (0,)
    assert sa.activation("elu").smoothness == 1
    assert sa.activation("hardshrink").jumps == (-sympy.Rational(1, 2), sympy.Rational(1, 2))
    assert sa.activation("hardshrink").smoothness == -1
    assert sa.activation("gelu").smoothness == float("inf")


def test_one_sided_derivatives_where_plain_sympy_is_wrong():
    relu, leaky, selu = sa.activation("relu"), sa.activation("leaky_relu"), sa.activation("selu")
    # plain SymPy picks the branch containing the point: these are the values it gets wrong
    assert relu.one_sided_derivative(0, "-") == 0
    assert relu.one_sided_derivative(0, "+") == 1
    assert leaky.one_sided_derivative(0, "-") == sympy.Rational(1, 100)
    lam_alpha = selu.one_sided_derivative(0, "-")
    with mp.workdps(40):
        assert abs(mp.mpf(sympy.N(lam_alpha, 40)) - SELU_SCALE() * SELU_ALPHA()) < mp.mpf(10) ** -29
        assert abs(mp.mpf(sympy.N(selu.one_sided_derivative(0, "+"), 40)) - SELU_SCALE()) < mp.mpf(10) ** -29


def test_subdifferential():
    assert sa.activation("relu").subdifferential(0) == sympy.Interval(0, 1)
    assert sa.activation("leaky_relu").subdifferential(0) == sympy.Interval(sympy.Rational(1, 100), 1)
    assert sa.activation("relu").subdifferential(3) == sympy.FiniteSet(1)
    assert sa.activation("sigmoid").subdifferential(0) == sympy.FiniteSet(sympy.Rational(1, 4))
    assert sa.activation("hardshrink").subdifferential(sympy.Rational(1, 2)) is sympy.EmptySet
    assert sa.activation("hardswish").subdifferential(3) == sympy.Interval(1, sympy.Rational(3, 2))


def test_symbolic_derivative_is_undefined_at_a_kink():
    d = sa.activation("relu").derivative()
    assert d.subs(x, 0) is sympy.nan
    assert d.subs(x, -1) == 0 and d.subs(x, 1) == 1
    # ELU (alpha = 1) is C^1: its first derivative exists at 0, its second does not
    elu = sa.activation("elu")
    assert elu.derivative().subs(x, 0) == 1
    assert elu.derivative(2).subs(x, 0) is sympy.nan


def test_numeric_derivative_follows_pytorch_at_kinks():
    import numpy as np

    pts = np.array([-3.0, 0.0, 3.0])
    assert sa.activation("relu").numeric(1)(pts).tolist() == [0.0, 0.0, 1.0]
    assert sa.activation("hardswish").numeric(1)(pts).tolist() == [-0.5, 0.5, 1.5]
    assert sa.activation("leaky_relu").numeric(1)(0.0) == 0.01
    assert sa.activation("hard_tanh").numeric(1)(np.array([-1.0, 1.0])).tolist() == [0.0, 0.0]
    with mp.workdps(50):
        v = sa.activation("selu").numeric(0, backend="mpmath")(1)
        assert abs(v - SELU_SCALE()) < mp.mpf(10) ** -30


def test_composition_answers_the_follow_up_questions():
    sig = sa.activation("sigmoid")
    four = 4 * sig
    assert four.expr == 4 / (1 + sympy.exp(-x))
    tanh_like = 2 * sig(2 * x) - 1
    assert sympy.simplify((tanh_like.expr - sympy.tanh(x)).rewrite(sympy.exp)) == 0
    assert sig(0) == sympy.Rational(1, 2)
    assert (sig + sa.activation("relu")).name == "sigmoid + relu"


def test_parameters_can_be_symbolic():
    a = sympy.Symbol("a", positive=True)
    leaky = sa.activation("leaky_relu", negative_slope=a)
    assert leaky.one_sided_derivative(0, "-") == a
    assert leaky.with_params(negative_slope=0.2).one_sided_derivative(0, "-") == sympy.Rational(1, 5)


def test_value_semantics_and_rendering():
    a, b = sa.activation("gelu"), sa.activation("gelu")
    assert a == b and hash(a) == hash(b)
    with pytest.raises(AttributeError):
        a.name = "other"  # type: ignore[misc]
    assert "gelu" in repr(a)
    assert a._repr_latex_().startswith("$\\displaystyle")
    assert "erf" in a.latex()


def test_define_from_text_and_sympy():
    act = sa.define("mine", "x/(1 + abs(x))")
    assert act.expr == x / (1 + sympy.Abs(x))
    assert sa.define("scaled", "a*sigmoid(x)", a=4).expr == 4 / (1 + sympy.exp(-x))
    plain_x = sympy.Symbol("x")
    assert sa.define("sq", plain_x**2).expr == x**2
    with pytest.raises(UnsafeExpression, match="y"):
        sa.define("bad", sympy.Symbol("y") * plain_x)


@pytest.mark.parametrize(
    "text",
    ["__import__('os').system('touch /tmp/symact_pwned')", "().__class__.__bases__[0]", "lambda: 1",
     "open('/etc/passwd')", "exec('1')", "x.real", "[x for x in ()]", "9**9**9**9"],
)
def test_define_never_runs_user_text(text, tmp_path):
    with pytest.raises(UnsafeExpression):
        sa.define("bad", text)


def test_unsupported_structure_is_reported():
    with pytest.raises(UnsupportedExpression, match="jumps"):
        sa.define("stairs", sympy.floor(x)).kinks  # noqa: B018
