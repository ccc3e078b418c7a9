"""The fast certified 2-D Gaussian integrals (lattice trapezoid, conditioned closed form) against
independent references written here: closed forms (arc-cosine, Williams' erf kernel, GELU),
nested mpmath quadrature, and SELU's constants."""

import mpmath
import pytest
import sympy
from flint import arb
from hypothesis import given, settings
from hypothesis import strategies as st

import symact as sa
from symact.core.precision import workdps
from symact.gaussian.bivariate import gauss2
from symact.gaussian.conditioned import conditioned_expectation
from symact.gaussian.lattice import lattice_expectation

x = sa.x
ERF = sympy.erf(x)
RELU = sympy.Piecewise((x, x > 0), (0, True))
LEAKY = sympy.Piecewise((x, x > 0), (x / 10, True))


def williams(q1, q2, c):  # E[erf(u) erf(v)], Williams 1997
    k = c * mpmath.sqrt(q1 * q2)
    return 2 / mpmath.pi * mpmath.asin(2 * k / mpmath.sqrt((1 + 2 * q1) * (1 + 2 * q2)))


def arccos1(q1, q2, c, a=0, b=1):  # E[phi(u) phi(v)] for phi = a min(x,0) + b max(x,0), Cho & Saul
    s = mpmath.sqrt(q1 * q2)
    return s * ((a - b) ** 2 / (2 * mpmath.pi) * (mpmath.sqrt(1 - c * c) - c * mpmath.acos(c))
                + (a * a + b * b) / 2 * c)


def contains(ball, ref, dps=40):
    with mpmath.workdps(dps):
        lo = mpmath.mpf(ball.lower().str(dps + 5, radius=False))
        hi = mpmath.mpf(ball.upper().str(dps + 5, radius=False))
        slack = mpmath.mpf(10) ** -(dps)
        return lo - slack <= ref <= hi + slack


@settings(max_examples=12, deadline=None)
@given(st.integers(-990, 990))
def test_lattice_erf_contains_williams(k):
    c = mpmath.mpf(k) / 1000
    with workdps(30):
        b = lattice_expectation(ERF, ERF, x, arb(1), arb(1), arb(k) / 1000, dps=25)
    assert b is not None and b.rad() < 1e-24
    with mpmath.workdps(40):
        assert contains(b, williams(1, 1, mpmath.mpf(k) / 1000))
    del c


def test_lattice_erf_unequal_variances():
    with workdps(35):
        b = lattice_expectation(ERF, ERF, x, arb(3), arb("0.5"), arb(-7) / 10, dps=30)
    assert b is not None and b.rad() < 1e-29
    with mpmath.workdps(45):
        assert contains(b, williams(mpmath.mpf(3), mpmath.mpf("0.5"), mpmath.mpf(-7) / 10))


@settings(max_examples=12, deadline=None)
@given(st.integers(-999, 999), st.sampled_from([RELU, LEAKY]))
def test_conditioned_contains_arc_cosine(k, phi):
    with workdps(30):
        b = conditioned_expectation(phi, phi, x, arb(2), arb(2), arb(k) / 1000, dps=25)
    assert b is not None and b.rad() < 1e-24
    with mpmath.workdps(40):
        a = mpmath.mpf(0) if phi is RELU else mpmath.mpf(1) / 10
        assert contains(b, arccos1(2, 2, mpmath.mpf(k) / 1000, a, 1))


def test_gelu_lattice_against_closed_form():
    # Tsuchida et al. 2021 GELU kernel, written out here
    def gelu_k(q1, q2, k):
        d2 = (1 + q1) * (1 + q2) - k * k
        d = mpmath.sqrt(d2)
        return k / 4 + ((k * k + q1 * q2 * d2) / ((1 + q1) * (1 + q2) * d) + k * mpmath.atan(k / d)) / (2 * mpmath.pi)

    g = sa.activation("gelu").expr
    for c in ("-0.9", "0.3", "0.99"):
        with workdps(35):
            b = gauss2(g, g, x, arb(1), arb(1), arb(c), dps=30)
        assert b.rad() < 1e-29
        with mpmath.workdps(45):
            assert contains(b, gelu_k(1, 1, mpmath.mpf(c)))


@pytest.fixture(scope="module")
def mish_reference():
    """E[mish(u) mish(v)], q = 1, c = 1/2, by SciPy's adaptive 2-D quadrature (float64, independent)."""
    np = pytest.importorskip("numpy")
    integrate = pytest.importorskip("scipy.integrate")
    c, s = 0.5, np.sqrt(0.75)

    def mish(t):
        return t * np.tanh(np.logaddexp(0.0, t))

    def f(z2, z1):
        return mish(z1) * mish(c * z1 + s * z2) * np.exp(-(z1 * z1 + z2 * z2) / 2) / (2 * np.pi)

    val, err = integrate.dblquad(f, -12, 12, -12, 12, epsabs=1e-14, epsrel=1e-13)
    return val, err


def test_mish_two_point_integral(mish_reference):
    ref, err = mish_reference
    m = sa.activation("mish").expr
    with workdps(35):
        b = gauss2(m, m, x, arb(1), arb(1), arb(1) / 2, dps=30)
    assert b.rad() < 1e-29
    assert abs(float(b.mid()) - ref) < 1e-11 + 10 * err


def test_mish_and_silu_cmaps_and_derivatives_certify():
    for name in ("mish", "silu"):
        cm = sa.correlation_map(name, 2, sympy.Rational(1, 10))
        for order in (0, 1, 2):
            v = cm.derivative(sympy.Rational(1, 2), order)
            assert v.level == "certified" and v.digits >= 25


def test_selu_depth_scale_is_decided():
    # SELU at its own gain: q* = 1, E[selu] = 0 so c* = 0, and C'(0) = E[selu'(z)]^2
    cm = sa.correlation_map("selu", 1, 0, q=1)
    lo, hi = cm.fixed_point.enclosure
    assert lo <= 0 <= hi
    with mpmath.workdps(30):
        lam = mpmath.mpf("1.0507009873554804934193349852946")
        alpha = mpmath.mpf("1.6732632423543772848170429916717")
        d1 = lam * (mpmath.mpf(1) / 2 + alpha * mpmath.exp(mpmath.mpf(1) / 2) * mpmath.ncdf(-1))
        xi = -1 / mpmath.log(d1**2)
        xlo, xhi = cm.depth_scale.enclosure
        assert xlo - 1e-20 <= xi <= xhi + 1e-20
        assert xhi - xlo < 1e-6


def test_silu_fixed_point_is_a_root():
    cm = sa.correlation_map("silu", 2, 0, q=1)
    lo, hi = cm.fixed_point.enclosure
    assert 0 < lo < hi < 1
    assert cm(sympy.Rational(str(mpmath.nstr(lo, 15)))) > 0


def test_as_ball_keeps_sign_of_negative_mpf():
    from symact.numerics.gaussian import as_ball
    assert as_ball(mpmath.mpf(-3)) == -3
    assert as_ball(-sympy.sqrt(2)) < 0


def test_nested_fallback_for_softsign():
    """softsign is neither holomorphic in a strip (|x|) nor piecewise x^n e^(ax): the nested
    integral answers; checked against SciPy's 2-D quadrature split at the kinks."""
    np = pytest.importorskip("numpy")
    integrate = pytest.importorskip("scipy.integrate")
    c, s = 0.6, 0.8

    def f(z2, z1):
        u, v = z1, c * z1 + s * z2
        return (u / (1 + abs(u))) * (v / (1 + abs(v))) * np.exp(-(z1 * z1 + z2 * z2) / 2) / (2 * np.pi)

    ref = 0.0
    for a, b in ((-12, 0), (0, 12)):  # kink of u at z1 = 0; the kink of v (z2 = -c z1 / s) split inside
        ref += integrate.dblquad(f, a, b, -12, lambda z1: -c * z1 / s, epsabs=1e-13)[0]
        ref += integrate.dblquad(f, a, b, lambda z1: -c * z1 / s, 12, epsabs=1e-13)[0]
    e = sa.activation("softsign").expr
    with workdps(20):
        b = gauss2(e, e, x, arb(1), arb(1), arb(3) / 5, dps=15)
    assert b.rad() < 1e-14
    assert abs(float(b.mid()) - ref) < 1e-10


def test_each_value_names_the_method_that_enclosed_it():
    """The C-map's values say which rigorous method gave them, and the derivation repeats it."""
    import symact as sa

    tanh, elu = sa.correlation_map("tanh", 1, "1/10"), sa.correlation_map("elu", 1, "1/10")
    assert tanh("1/2").method.endswith(": lattice")
    assert elu("1/2").method.endswith(": conditioned")
    assert tanh.chi1.method.endswith(": one-dimensional")
    text = sa.derive(elu, at=["1/2"]).text()
    assert "C(1/2) by conditioning on u" in text


def test_closed_form_at_a_long_decimal_is_evaluated_in_arb():
    """At a long decimal c (an end of c*'s enclosure) the closed form is enclosed, not simplified.

    ReLU at sigma_w^2 = 2: C'(c) = (pi - arccos c)/pi (arc-cosine kernel), written here with mpmath.
    """
    import mpmath
    import sympy

    import symact as sa

    c = sympy.Float("0.7318192837465564738291827364655", 40)
    d = sa.correlation_map("relu", 2).derivative(c, 1)
    assert d.level == "certified"
    with mpmath.workdps(50):
        ref = (mpmath.pi - mpmath.acos(mpmath.mpf(str(c)))) / mpmath.pi
        lo, hi = d.enclosure
        assert lo <= ref <= hi and hi - lo < mpmath.mpf(10) ** -25
