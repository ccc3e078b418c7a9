"""C-maps and Q-maps against independent closed forms and mpmath (written here, not symact's)."""

import mpmath
import pytest
import sympy

from symact.propagation.cmap import correlation_map, q_map

CS = ["-0.9", "-0.3", "0", "0.5", "0.9", "0.99", "1"]


def relu_cmap(c):  # Cho & Saul 2009, normalised
    return (mpmath.sqrt(1 - c**2) + (mpmath.pi - mpmath.acos(c)) * c) / mpmath.pi


@pytest.mark.parametrize("c", CS)
def test_relu_cmap_closed_form(c):
    cm = correlation_map("relu", 2)
    assert cm.level == "exact"
    with mpmath.workdps(40):
        ref = relu_cmap(mpmath.mpf(c))
        got = cm(sympy.Rational(c)).evalf(35)
        assert abs(mpmath.mpf(str(got)) - ref) < mpmath.mpf(10) ** -30


def test_erf_cmap_at_certified_fixed_point():
    # q* of erf at (sigma_w^2, sigma_b^2) = (2, 1/10), found independently with mpmath
    with mpmath.workdps(40):
        def V(q):
            return 2 * (2 / mpmath.pi) * mpmath.asin(2 * q / (1 + 2 * q)) + mpmath.mpf(1) / 10
        qs = mpmath.findroot(lambda q: V(q) - q, 1)
        cm = correlation_map(sympy.erf(sympy.Symbol("x", real=True)), 2, sympy.Rational(1, 10))
        lo, hi = cm.q_star.enclosure
        assert lo <= qs <= hi and hi - lo < mpmath.mpf(10) ** -25
        for c in ("0.5", "-0.3", "0.99"):
            cc = mpmath.mpf(c)
            ref = (2 * (2 / mpmath.pi) * mpmath.asin(2 * cc * qs / (1 + 2 * qs)) + mpmath.mpf(1) / 10) / qs
            v = cm(sympy.Rational(c))
            assert v.enclosure[0] - mpmath.mpf(10)**-28 <= ref <= v.enclosure[1] + mpmath.mpf(10)**-28
            assert v.digits >= 25


def test_gelu_closed_form_agrees_with_certified_integral():
    from flint import arb

    import symact as sa
    from symact.core.precision import workdps
    from symact.gaussian.bivariate import gauss2
    cm = correlation_map("gelu", 2, q=1)
    v = cm(sympy.Rational(1, 2))
    assert v.level == "exact"
    with workdps(25):
        g = sa.activation("gelu").expr
        b = gauss2(g, g, sa.x, arb(1), arb(1), arb(0.5), dps=20) / gauss2(
            g, g, sa.x, arb(1), arb(1), arb(1), dps=20)
        assert b.overlaps(arb(str(sympy.N(v.value, 30))))


def test_tanh_qmap_reference():
    m = q_map("tanh", sympy.Rational(25, 9), 0)
    lo, hi = m.q_star.enclosure
    assert lo <= mpmath.mpf("1.17848049038591") + 1e-14 and hi >= mpmath.mpf("1.17848049038591") - 1e-14
    assert m.stable


def test_tanh_chaotic_fixed_point_is_zero_and_chi1():
    cm = correlation_map("tanh", 2, 0)
    assert cm.fixed_point.value == 0
    assert cm.chi1 > 1


def test_certified_2d_integral_against_mpmath_nested_quadrature():
    """tanh and ELU (a kink on a moving line) against nested mpmath quadrature, split by hand."""
    from flint import arb

    import symact as sa
    from symact.core.precision import workdps
    from symact.gaussian.bivariate import gauss2

    with mpmath.workdps(12):
        c = mpmath.mpf("0.6")
        s = mpmath.sqrt(1 - c * c)
        elu = lambda u: u if u > 0 else mpmath.expm1(u)  # noqa: E731

        def inner(z1):
            k = -c * z1 / s  # the kink of elu(c z1 + s z2)
            return mpmath.quad(lambda z2: elu(c * z1 + s * z2) * mpmath.npdf(z2), [-9, min(max(k, -9), 9), 9])

        ref = mpmath.quad(lambda z1: elu(z1) * mpmath.npdf(z1) * inner(z1), [-9, 0, 9])
    with workdps(25):
        e = sa.activation("elu").expr
        b = gauss2(e, e, sa.x, arb(1), arb(1), arb("0.6"), dps=20)
        assert abs(mpmath.mpf(b.mid().str(25, radius=False)) - ref) < 1e-9  # the box [-9, 9]^2 drops ~1e-18
        assert b.rad() < 1e-18
