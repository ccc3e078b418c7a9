"""The catalogue table against mpmath quadrature written here and closed forms."""

import mpmath
import sympy

from symact.propagation.kernel_table import kernel_table


def gmean(f):
    return mpmath.quad(lambda z: f(z) * mpmath.exp(-z * z / 2), [-mpmath.inf, 0, mpmath.inf]) / mpmath.sqrt(2 * mpmath.pi)


def test_relu_and_leaky_relu_closed_forms():
    t = kernel_table(["relu", "leaky_relu"], dps=15)
    relu, leaky = t.rows
    assert relu.gain_weight_var.value == 2 and relu.gain_slope.value == 1
    assert relu.gain_curvature.value == sympy.oo and relu.edge_curvature.value == sympy.oo
    assert (relu.spread_gaussian.value, relu.spread_orthogonal.value) == (200, 100)
    a = sympy.Rational(1, 100)
    assert sympy.simplify(leaky.gain_weight_var.value - 2 / (1 + a**2)) == 0
    assert sympy.simplify(leaky.spread_orthogonal.value - 100 * (2 * (1 + a**4) / (1 + a**2) ** 2 - 1)) == 0


def test_tanh_row_matches_mpmath():
    r = kernel_table(["tanh"], dps=15).rows[0]
    with mpmath.workdps(20):
        th, se = mpmath.tanh, mpmath.sech
        e0 = gmean(lambda z: th(z) ** 2)
        e1 = gmean(lambda z: se(z) ** 4)
        e2 = gmean(lambda z: (2 * th(z) * se(z) ** 2) ** 2)
        m = gmean(lambda z: se(z) ** 2)
        assert abs(float(r.gain_weight_var) - 1 / e0) < 1e-12
        assert abs(float(r.gain_slope) - e1 / e0) < 1e-12
        assert abs(float(r.gain_curvature) - e2 / e0) < 1e-12
        assert abs(float(r.gain_xi) + 1 / mpmath.log(m**2 / e0)) < 1e-10  # chaotic, c* = 0
        sb = mpmath.mpf(1) / 20

        def mom(q, f):
            s = mpmath.sqrt(q)
            return gmean(lambda z: f(s * z))

        q = mpmath.findroot(lambda q: q - mom(q, lambda y: th(y) ** 2) / mom(q, lambda y: se(y) ** 4) - sb, 0.57)
        B = mom(q, lambda y: se(y) ** 4)
        curv = q * mom(q, lambda y: (2 * th(y) * se(y) ** 2) ** 2) / B
        ratio = mom(q, lambda y: se(y) ** 8) / B**2
        assert abs(float(r.edge_q_star) - q) < 1e-12 and abs(float(r.edge_curvature) - curv) < 1e-12
        assert abs(float(r.spread_orthogonal) - 100 * (ratio - 1)) < 1e-9
        assert abs(float(r.spread_gaussian) - 100 * ratio) < 1e-9


def test_markdown_shows_only_certified_digits():
    t = kernel_table(["tanh"], dps=15)
    row = t.markdown(digits=8).splitlines()[2].split("|")
    with mpmath.workdps(20):
        e0 = gmean(lambda z: mpmath.tanh(z) ** 2)
    assert row[2].strip() == mpmath.nstr(1 / e0, 8)


def test_hard_tanh_edge_bracketed_against_mpmath():
    # phi' in {0, 1}: mu_1 = mu_2 = P(|h| < 1) = erf(1/sqrt(2 q)), so the ratio is 1/mu_1 = sigma_w^2
    r = kernel_table(["hard_tanh"], dps=15).rows[0]
    with mpmath.workdps(20):
        def A(q):
            s = mpmath.sqrt(q)
            return mpmath.quad(lambda z: (min(1, max(-1, s * z))) ** 2 * mpmath.npdf(z),
                               [-mpmath.inf, -1 / s, 0, 1 / s, mpmath.inf])

        def P(q):
            return mpmath.erf(1 / mpmath.sqrt(2 * q))

        q = mpmath.findroot(lambda q: q - A(q) / P(q) - mpmath.mpf(1) / 20, 0.46)
        assert abs(float(r.edge_q_star) - q) < 1e-10
        assert abs(float(r.edge_weight_var) - 1 / P(q)) < 1e-10
        assert abs(float(r.spread_gaussian) - 100 / P(q)) < 1e-8
        assert abs(float(r.spread_orthogonal) - 100 * (1 / P(q) - 1)) < 1e-8
    assert r.edge_curvature.value == sympy.oo  # phi' jumps at +-1
