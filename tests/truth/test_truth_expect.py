"""expect and gain against mpmath quadrature (45 digits) and closed-form Gaussian moments."""

from __future__ import annotations

from fractions import Fraction

import mpmath as mp
import pytest
import sympy
from hypothesis import given
from hypothesis import strategies as st

import symact as sa

from .checks import case, contains, few, real
from .ref import CATALOGUE, DPS, expect, gain, gauss, num

NAMES = sorted(CATALOGUE)


def _sym(v):
    return sympy.Rational(v.numerator, v.denominator) if isinstance(v, Fraction) else sympy.sympify(v)


def test_quadrature_reference_converges_at_two_precisions():
    # the reference's own error: 45 and 60 digits agree to 40 for smooth, kinked and sharp integrands
    for name, q in (("tanh", "1e6"), ("hard_elish", 1), ("gelu", "1e-6"), ("relu6", 30), ("elish", 2)):
        a = gauss(lambda t, f=CATALOGUE[name][0]: f(t) ** 2, q, CATALOGUE[name][2], DPS)
        b = gauss(lambda t, f=CATALOGUE[name][0]: f(t) ** 2, q, CATALOGUE[name][2], DPS + 15)
        with mp.workdps(DPS):
            assert abs(a - b) <= mp.mpf(10) ** (-(DPS - 5)) * abs(b), (name, q)


@pytest.mark.parametrize("name", NAMES)
def test_second_moment_of_every_catalogue_entry(name):
    e = sa.expect(sa.activation(name).expr ** 2)
    contains(e, expect(name, 1), f"E[{name}(z)^2]")


@pytest.mark.parametrize("name", ["tanh", "sigmoid", "relu", "gelu", "silu", "elu", "hardswish", "mish", "selu"])
def test_squared_derivative_moment(name):
    e = sa.expect(sa.activation(name).derivative() ** 2)
    contains(e, expect(name, 1, deriv=True), f"E[{name}'(z)^2]")


VARIANCES = [Fraction(1, 10**6), "1e-6", Fraction(1, 1000), Fraction(3, 2), 7, 1000, 10**6, "1e6", 2.5]


@few
@given(name=st.sampled_from(NAMES), q=st.sampled_from(VARIANCES))
def test_second_moment_over_the_variance_range(name, q):
    # q as a Rational, a Python float or an int; the reference reads floats as the decimal they print
    arg = _sym(q) if isinstance(q, (Fraction, str)) else q
    e = sa.expect(sa.activation(name).expr ** 2, arg)
    contains(e, expect(name, str(q) if isinstance(q, float) else q), f"E[{name}(sqrt({q}) z)^2]")


@pytest.mark.parametrize("name, q", [
    ("tanh", 10**6), ("sin", 10**6), ("tanhshrink", Fraction(1, 10**6)), ("hardshrink", Fraction(1, 1000)),
    ("softshrink", Fraction(1, 1000)), ("softplus", 10**4),
    ("softplus", 10**5), ("mish", 10**5), ("log_sigmoid", 10**5), ("softplus", 10**6),
])
def test_second_moment_at_the_ends_of_the_variance_range(name, q):
    e = sa.expect(sa.activation(name).expr ** 2, _sym(q))
    contains(e, expect(name, q), f"E[{name}(sqrt({q}) z)^2]")


@pytest.mark.parametrize("name, q", [("sigmoid", 1), ("gelu", 2), ("sigmoid", Fraction(1, 4)), ("softplus", 3)])
def test_first_moment(name, q):
    # E[phi] has no symmetry for these: a genuine one-dimensional integral
    e = sa.expect(sa.activation(name).expr, _sym(q))
    contains(e, expect(name, q, power=1), f"E[{name}(sqrt({q}) z)]")


# -- gains ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", NAMES)
def test_gain_of_every_catalogue_entry(name):
    # the variance-preserving gain 1/sqrt(E[phi(z)^2])
    contains(sa.gain(name), gain(name), f"gain({name})")


@pytest.mark.parametrize("name, closed_form", [
    ("relu", lambda: mp.sqrt(2)),
    ("identity", lambda: mp.mpf(1)),
    ("selu", lambda: mp.mpf(1)),  # E[selu(z)^2] = 1 defines SELU's constants
    ("hard_tanh", lambda: 1 / mp.sqrt(1 - mp.sqrt(2 / mp.pi) * mp.exp(-mp.mpf(1) / 2))),
    # E[sin^2 z] = (1 - e^{-2})/2
    case("sin", lambda: 1 / mp.sqrt((1 - mp.exp(-2)) / 2),
         item="new (item 8 family): sin gain sqrt(2/(1-e^-2)) not found by the gain's symbolic route"),
    # E[z^2 Phi(z)^2] = 1/3 + sqrt(3)/(6 pi)
    case("gelu", lambda: 1 / mp.sqrt(mp.mpf(1) / 3 + mp.sqrt(3) / (6 * mp.pi)),
         item="new (item 8 family): gelu gain 1/sqrt(1/3 + sqrt(3)/(6 pi)) not found by the gain's symbolic route"),
    case("squareplus", lambda: mp.sqrt(mp.mpf(2) / 3)),
    case("gaussian", lambda: mp.mpf(5) ** (mp.mpf(1) / 4)),
])
def test_closed_form_gains_are_exact(name, closed_form):
    g = sa.gain(name)
    with mp.workdps(DPS):
        contains(g, closed_form(), f"gain({name})")
    assert g.level == "exact", f"gain({name}) = {g.value} is {g.level}, a closed form exists"


@pytest.mark.parametrize("slope", [Fraction(1, 5), Fraction(1, 100), Fraction(-1, 2), 0.2, 3])
def test_leaky_relu_gain(slope):
    # E[phi^2] = (1 + a^2)/2 for phi = relu(x) - a relu(-x)
    g = sa.gain("leaky_relu", _sym(slope) if isinstance(slope, Fraction) else slope)
    a = Fraction(str(slope)) if isinstance(slope, float) else Fraction(slope)
    with mp.workdps(DPS):
        contains(g, mp.sqrt(2 / (1 + num(a) ** 2)), f"gain(leaky_relu, {slope})")


# -- every door: float, sympy.N, latex, at every certified digit -------------------------------

@pytest.mark.parametrize("name", [
    "tanh", "gelu", "relu",
])
def test_sympy_n_is_right_at_every_certified_digit(name):
    g = sa.gain(name)
    ref = gain(name)
    assert real(g) == float(mp.nstr(ref, 20)), "float() is not the nearest double"
    for n in (5, 15, 20, 25, 30):
        shown = sympy.N(g, n)
        with mp.workdps(DPS):
            assert abs(mp.mpf(str(shown)) - ref) <= mp.mpf(10) ** (1 - n) * abs(ref), (
                f"sympy.N(gain({name}), {n}) = {shown}, reference {mp.nstr(ref, n + 3)}")
