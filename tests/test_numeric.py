"""Tests for symact.numerics.numeric against independently written mpmath references."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import mpmath
import numpy as np
import pytest
import sympy
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from symact.core.errors import UnsupportedExpression
from symact.numerics.numeric import mpmath_function, numpy_function

x = sympy.Symbol("x", real=True)
half = sympy.Rational(1, 2)

# SELU constants: exact closed forms from the fixed-point conditions (Klambauer et al. 2017).
_E = sympy.erfc(1 / sympy.sqrt(2))
SELU_ALPHA = -sympy.sqrt(2 / sympy.pi) / (_E * sympy.exp(half) - 1)
SELU_LAMBDA = (
    (1 - _E * sympy.sqrt(sympy.E))
    * sympy.sqrt(2 * sympy.pi)
    / sympy.sqrt(
        2 * sympy.erfc(sympy.sqrt(2)) * sympy.E**2
        + sympy.pi * _E**2 * sympy.E
        - 2 * (2 + sympy.pi) * _E * sympy.sqrt(sympy.E)
        + sympy.pi
        + 2
    )
)


def _mp_selu_consts() -> tuple[mpmath.mpf, mpmath.mpf]:
    e = mpmath.erfc(1 / mpmath.sqrt(2))
    alpha = -mpmath.sqrt(2 / mpmath.pi) / (e * mpmath.exp(mpmath.mpf(1) / 2) - 1)
    lam = (
        (1 - e * mpmath.sqrt(mpmath.e))
        * mpmath.sqrt(2 * mpmath.pi)
        / mpmath.sqrt(
            2 * mpmath.erfc(mpmath.sqrt(2)) * mpmath.e**2
            + mpmath.pi * e**2 * mpmath.e
            - 2 * (2 + mpmath.pi) * e * mpmath.sqrt(mpmath.e)
            + mpmath.pi
            + 2
        )
    )
    return lam, alpha


def _selu_ref(t: mpmath.mpf) -> mpmath.mpf:
    lam, alpha = _mp_selu_consts()
    return lam * t if t > 0 else lam * alpha * (mpmath.exp(t) - 1)


@dataclass(frozen=True)
class Case:
    name: str
    expr: sympy.Expr
    ref: Callable[[mpmath.mpf], mpmath.mpf]
    kinks: tuple[float, ...] = field(default=())


CASES = [
    Case("relu", sympy.Piecewise((x, x > 0), (0, True)), lambda t: t if t > 0 else 0 * t, (0,)),
    Case(
        "leaky_relu",
        sympy.Piecewise((x, x > 0), (x / 100, True)),
        lambda t: t if t > 0 else t / 100,
        (0,),
    ),
    Case(
        "hardswish",
        sympy.Piecewise((0, x < -3), (x, x > 3), (x * (x + 3) / 6, True)),
        lambda t: 0 * t if t < -3 else (t if t > 3 else t * (t + 3) / 6),
        (-3, 3),
    ),
    Case(
        "gelu",
        x / 2 * (1 + sympy.erf(x / sympy.sqrt(2))),
        lambda t: t / 2 * (1 + mpmath.erf(t / mpmath.sqrt(2))),
    ),
    Case("silu", x / (1 + sympy.exp(-x)), lambda t: t / (1 + mpmath.exp(-t))),
    Case("sigmoid", 1 / (1 + sympy.exp(-x)), lambda t: 1 / (1 + mpmath.exp(-t))),
    Case(
        "mish",
        x * sympy.tanh(sympy.log(1 + sympy.exp(x))),
        lambda t: t * mpmath.tanh(mpmath.log(1 + mpmath.exp(t))),
    ),
    Case("softplus", sympy.log(1 + sympy.exp(x)), lambda t: mpmath.log(1 + mpmath.exp(t))),
    Case(
        "selu",
        SELU_LAMBDA * sympy.Piecewise((x, x > 0), (SELU_ALPHA * (sympy.exp(x) - 1), True)),
        _selu_ref,
        (0,),
    ),
    Case(
        "elu",
        sympy.Piecewise((x, x > 0), (sympy.exp(x) - 1, True)),
        lambda t: t if t > 0 else mpmath.exp(t) - 1,
        (0,),
    ),
    Case("max_relu", sympy.Max(x, 0), lambda t: max(t, 0 * t), (0,)),
    Case("softsign", x / (1 + sympy.Abs(x)), lambda t: t / (1 + abs(t)), (0,)),
    Case("heaviside", x * sympy.Heaviside(x), lambda t: t if t > 0 else 0 * t, (0,)),
    Case("sign", x**2 * sympy.sign(x), lambda t: t * abs(t), (0,)),
    Case("atan", sympy.atan(x), mpmath.atan),
    Case(
        "wright_omega",
        sympy.LambertW(sympy.exp(x)),
        lambda t: mpmath.lambertw(mpmath.exp(t)).real,
    ),
    Case(
        "user",
        sympy.exp(-(x**2)) * sympy.cos(3 * x) + sympy.sqrt(1 + x**2) / 7,
        lambda t: mpmath.exp(-(t**2)) * mpmath.cos(3 * t) + mpmath.sqrt(1 + t**2) / 7,
    ),
]


@pytest.fixture(autouse=True)
def _precision_untouched() -> Iterator[None]:
    before = mpmath.mp.dps, mpmath.mp.prec
    yield
    assert (mpmath.mp.dps, mpmath.mp.prec) == before, "mpmath precision changed globally"


def _reference(case: Case, order: int, t: float, dps: int) -> mpmath.mpf:
    with mpmath.workdps(dps):
        if order == 0:
            return +case.ref(mpmath.mpf(t))
        return mpmath.diff(case.ref, mpmath.mpf(t), order)


def _close(got: float, ref: mpmath.mpf, rel: float) -> bool:
    return abs(mpmath.mpf(got) - ref) <= rel * max(1, abs(ref))


points = st.floats(min_value=-30, max_value=30, allow_nan=False, allow_infinity=False)


@pytest.mark.parametrize("order", [0, 1, 2])
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
@settings(max_examples=15, deadline=None)
@given(t=points)
@example(t=0.0)
@example(t=30.0)
@example(t=-30.0)
@example(t=2.5)
def test_numpy_and_mpmath_match_independent_reference(case: Case, order: int, t: float) -> None:
    assume(all(abs(t - k) > 1e-3 for k in case.kinks))
    d = sympy.diff(case.expr, x, order)
    ref15 = _reference(case, order, t, 30)
    got = numpy_function(d, x)(t)
    assert isinstance(got, float)
    assert _close(got, ref15, 1e-12), (case.name, order, t, got, ref15)
    ref40 = _reference(case, order, t, 45)
    with mpmath.workdps(45):
        assert _close(mpmath_function(d, x)(t, dps=40), ref40, 1e-35)


def _rel_err(got: float, ref: mpmath.mpf) -> float:
    return float(abs(mpmath.mpf(got) - ref) / max(abs(ref), mpmath.mpf(10) ** -300))


@pytest.mark.parametrize("case", [c for c in CASES if c.name in {"silu", "sigmoid", "softplus"}])
@pytest.mark.parametrize("t", [-30.0, -12.5, 7.0, 30.0])
def test_relative_accuracy_of_smooth_activations_in_their_tails(case: Case, t: float) -> None:
    # Stronger than the mixed absolute/relative check above: tiny values must be right too.
    ref = _reference(case, 0, t, 30)
    assert _rel_err(numpy_function(case.expr, x)(t), ref) < 1e-12


# --- kinks: the branch whose condition contains the point wins ------------------------------


def _d(case_name: str, order: int = 1) -> Callable[..., object]:
    case = next(c for c in CASES if c.name == case_name)
    return numpy_function(sympy.diff(case.expr, x, order), x)


def test_relu_derivative_at_zero_is_zero() -> None:
    assert _d("relu")(0.0) == 0.0
    assert _d("relu")(0) == 0.0
    relu_d = sympy.diff(CASES[0].expr, x)
    assert mpmath_function(relu_d, x)(0) == 0


def test_relu_written_with_nonstrict_condition_gives_one_at_zero() -> None:
    # The rule follows the written conditions, not a fixed choice.
    relu_ge = sympy.Piecewise((x, x >= 0), (0, True))
    assert numpy_function(sympy.diff(relu_ge, x), x)(0.0) == 1.0
    assert mpmath_function(sympy.diff(relu_ge, x), x)(0) == 1


def test_leaky_relu_derivative_at_zero_is_slope() -> None:
    assert _d("leaky_relu")(0.0) == pytest.approx(0.01, rel=1e-15)
    with mpmath.workdps(30):
        slope = mpmath_function(sympy.diff(CASES[1].expr, x), x)(0)
        assert abs(slope - mpmath.mpf(1) / 100) < mpmath.mpf(10) ** -29


def test_hardswish_derivative_at_kinks() -> None:
    f = _d("hardswish")
    assert f(-3.0) == -0.5
    assert f(3.0) == 1.5
    np.testing.assert_array_equal(f(np.array([-3.0, 3.0])), [-0.5, 1.5])
    g = mpmath_function(sympy.diff(CASES[2].expr, x), x)
    assert g(-3) == mpmath.mpf(-1) / 2
    assert g(3) == mpmath.mpf(3) / 2


def test_heaviside_value_at_zero_and_dirac_delta() -> None:
    assert numpy_function(sympy.Heaviside(x), x)(0.0) == 0.5
    assert numpy_function(sympy.Heaviside(x, 0), x)(0.0) == 0.0
    assert mpmath_function(sympy.Heaviside(x, 1), x)(0) == 1
    # Max(x, 0)'' = DiracDelta(x): autograd gives 0, also at the kink.
    dd = sympy.diff(sympy.Max(x, 0), x, 2)
    assert dd.has(sympy.DiracDelta)
    np.testing.assert_array_equal(numpy_function(dd, x)(np.array([-1.0, 0.0, 1.0])), 0.0)
    assert mpmath_function(dd, x)(0) == 0


# --- large arguments, no warnings ---------------------------------------------------------


@pytest.fixture
def _warnings_are_errors() -> Iterator[None]:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


@pytest.mark.usefixtures("_warnings_are_errors")
def test_softplus_at_large_arguments() -> None:
    f = numpy_function(CASES[7].expr, x)
    assert f(1000.0) == 1000.0
    assert f(-1000.0) == 0.0
    np.testing.assert_array_equal(f(np.array([1e300, -1e300])), [1e300, 0.0])


@pytest.mark.usefixtures("_warnings_are_errors")
@pytest.mark.parametrize("t", [-1000.0, 1000.0, -800.0, 800.0, -745.0, 710.0])
@pytest.mark.parametrize("name", ["sigmoid", "silu", "mish", "softplus", "gelu", "selu", "elu"])
@pytest.mark.parametrize("order", [1, 2])
def test_derivatives_finite_and_correct_at_large_arguments(
    name: str, order: int, t: float
) -> None:
    case = next(c for c in CASES if c.name == name)
    d = sympy.diff(case.expr, x, order)
    got = numpy_function(d, x)(t)
    assert np.isfinite(got)
    # Independent reference at 700 digits: enough to resolve the e**-1000 cancellations.
    ref = float(_reference(case, order, t, 700))
    assert got == pytest.approx(ref, rel=1e-12, abs=1e-300)


@pytest.mark.usefixtures("_warnings_are_errors")
def test_sigmoid_derivative_at_plus_minus_1000_is_zero() -> None:
    got = _d("sigmoid")(np.array([-1000.0, 0.0, 1000.0]))
    np.testing.assert_array_equal(got, [0.0, 0.25, 0.0])
    assert np.isfinite(_d("silu")(-800.0))


@pytest.mark.usefixtures("_warnings_are_errors")
def test_genuine_non_finite_values_are_kept() -> None:
    assert numpy_function(sympy.log(x), x)(0.0) == -np.inf
    assert np.isnan(numpy_function(sympy.log(x), x)(-1.0))
    assert np.isnan(numpy_function(sympy.LambertW(x), x)(-1.0))  # no real value below -1/e
    assert numpy_function(sympy.exp(x), x)(1000.0) == np.inf
    np.testing.assert_array_equal(
        numpy_function(x, x)(np.array([np.inf, -np.inf])), [np.inf, -np.inf]
    )


# --- shapes, dtypes, scalars, constants, caching -----------------------------------------


def test_shapes_and_dtypes() -> None:
    f = numpy_function(CASES[3].expr, x)  # gelu
    for shape in [(0,), (5,), (2, 3), (2, 1, 4)]:
        v = np.linspace(-3, 3, int(np.prod(shape))).reshape(shape)
        out = f(v)
        assert out.shape == shape and out.dtype == np.float64
    ints = np.arange(-3, 4, dtype=np.int32)
    np.testing.assert_allclose(f(ints), f(ints.astype(float)))
    assert f([1, 2]).shape == (2,)
    for scalar in [1, 1.0, np.float32(1.0), np.int64(1)]:
        r = f(scalar)
        assert isinstance(r, float) and np.ndim(r) == 0


def test_identity_does_not_alias_input() -> None:
    v = np.array([1.0, 2.0])
    out = numpy_function(x, x)(v)
    out[0] = 99
    assert v[0] == 1.0


@pytest.mark.parametrize("const", [sympy.S.Zero, sympy.Integer(3), sympy.pi, 0, 2.5])
def test_constant_expressions_broadcast(const: object) -> None:
    f = numpy_function(const, x)  # type: ignore[arg-type]
    out = f(np.zeros((3, 2)))
    assert out.shape == (3, 2)
    np.testing.assert_allclose(out, float(sympy.sympify(const)))
    out[0, 0] = 42.0  # writeable, not a broadcast view
    assert isinstance(f(1.0), float)
    assert sympy.diff(CASES[0].expr, x, 3) == 0


def test_compiled_functions_are_cached() -> None:
    d = sympy.diff(CASES[4].expr, x)
    assert numpy_function(d, x) is numpy_function(sympy.diff(CASES[4].expr, x), x)
    assert mpmath_function(d, x) is mpmath_function(d, x)


def test_other_free_symbols_are_rejected() -> None:
    a = sympy.Symbol("a")
    with pytest.raises(UnsupportedExpression, match="a"):
        numpy_function(a * x, x)
    with pytest.raises(UnsupportedExpression, match="a"):
        mpmath_function(a * x, x)
    with pytest.raises(TypeError):
        numpy_function("x**2", x)  # type: ignore[arg-type]


# --- mpmath precision ------------------------------------------------------------------------


def test_selu_constants_at_50_digits() -> None:
    # Known 16-digit values from the paper, and full agreement with SymPy's own evaluation.
    assert abs(float(mpmath_function(SELU_LAMBDA, x)(0)) - 1.0507009873554805) < 1e-15
    assert abs(float(mpmath_function(SELU_ALPHA, x)(0)) - 1.6732632423543772) < 1e-15
    for const in (SELU_LAMBDA, SELU_ALPHA, SELU_LAMBDA * SELU_ALPHA):
        exact = sympy.N(const, 70)
        f = mpmath_function(const * x, x)
        with mpmath.workdps(50):
            got = f(1)
            assert abs(got - mpmath.mpf(exact._mpf_)) < mpmath.mpf(10) ** -49
            # ... and not merely a float64 constant
            assert abs(got - mpmath.mpf(float(exact))) > mpmath.mpf(10) ** -25


def test_precision_follows_workdps_and_keyword() -> None:
    f = mpmath_function(sympy.sqrt(2) * sympy.exp(x), x)
    exact = sympy.N(sympy.sqrt(2) * sympy.E, 120)
    for dps in (15, 50, 100):
        with mpmath.workdps(dps):
            a = f(1)
            assert a.context.prec == mpmath.mp.prec
            assert abs(a - mpmath.mpf(exact._mpf_)) < mpmath.mpf(10) ** (1 - dps)
        b = f(1, dps=dps)
        with mpmath.workdps(dps):
            assert abs(b - mpmath.mpf(exact._mpf_)) < mpmath.mpf(10) ** (1 - dps)
    assert mpmath.mp.dps == 15


def test_mpmath_accepts_exact_and_string_inputs() -> None:
    f = mpmath_function(x**2, x)
    with mpmath.workdps(40):
        third = f(sympy.Rational(1, 3))
        assert abs(third - mpmath.mpf(1) / 9) < mpmath.mpf(10) ** -39
        assert abs(f("0.1") - mpmath.mpf("0.01")) < mpmath.mpf(10) ** -39


def test_mpmath_real_branch_of_lambertw() -> None:
    f = mpmath_function(sympy.LambertW(x), x)
    with mpmath.workdps(30):
        assert abs(f(1) - mpmath.mpf("0.567143290409783872999968662210")) < 1e-29
    assert mpmath.isnan(f(-1))
    assert isinstance(f(1), mpmath.mpf)


def test_square_root_forms_are_cancellation_and_overflow_free():
    # references by hand: (x + sqrt(x^2 + 4))/2 = 2/(sqrt(x^2 + 4) - x) for x < 0; x/sqrt(x^2 + b) -> sign(x)
    import symact as sa

    sp0 = sa.activation("squareplus").numeric(0)(np.array([-1e10, -1e300, 1e300]))
    assert abs(sp0[0] - 1e-10) <= 1e-24 and abs(sp0[1] - 1e-300) <= 1e-314 and sp0[2] == 1e300
    assert list(sa.activation("squareplus").numeric(1)(np.array([-1e300, 1e300]))) == [0.0, 1.0]
    assert list(sa.activation("bent_identity").numeric(1)(np.array([-1e300, 1e300]))) == [0.5, 1.5]
