"""Dynamical-isometry search: closed forms, an mpmath reimplementation, and the q -> 0 series."""

import mpmath
import sympy

from symact.propagation.isometry import critical_bias_series, isometry, ratio_series


def gmean(f):
    return mpmath.quad(lambda z: f(z) * mpmath.exp(-z * z / 2), [-mpmath.inf, 0, mpmath.inf]) / mpmath.sqrt(2 * mpmath.pi)


def tanh_moments(q):
    s = mpmath.sqrt(q)
    A = gmean(lambda z: mpmath.tanh(s * z) ** 2)
    B = gmean(lambda z: mpmath.sech(s * z) ** 4)
    M = gmean(lambda z: mpmath.sech(s * z) ** 8)
    return A, B, M


def test_relu_spread_is_exact_and_bias_free():
    # phi' in {0, 1} with probability 1/2: mu_1 = mu_2 = 1/2, mu_2/mu_1^2 = 2
    assert isometry("relu", 100, weights="orthogonal").value == 100
    g = isometry("relu", 100, weights="gaussian")
    assert g.value == 200 and g.level == "exact" and g.weight_var.value == 2
    # leaky ReLU slope a: 2(1 + a^4)/(1 + a^2)^2 - 1
    a = sympy.Rational(1, 5)
    r = isometry(sympy.Piecewise((a * sympy.Symbol("x", real=True), sympy.Symbol("x", real=True) < 0),
                                 (sympy.Symbol("x", real=True), True)), 10)
    assert r.value == 10 * (2 * (1 + a**4) / (1 + a**2) ** 2 - 1)


def test_tanh_certified_point_matches_mpmath():
    r = isometry("tanh", 100, bias_var=sympy.Rational(1, 20), dps=15)
    with mpmath.workdps(20):
        def G(q):
            A, B, _ = tanh_moments(q)
            return q - A / B - mpmath.mpf(1) / 20
        q = mpmath.findroot(G, mpmath.mpf("0.57"))
        _, B, M = tanh_moments(q)
        assert abs(float(r.weight_var) - 1 / B) < 1e-12
        assert abs(float(r.ratio) - M / B**2) < 1e-12
        assert abs(float(r) - 100 * (M / B**2 - 1)) < 1e-10
    g = isometry("tanh", 100, weights="gaussian", bias_var=sympy.Rational(1, 20), dps=15)
    assert abs(float(g) - float(r) - 100) < 1e-9  # Marchenko-Pastur adds exactly L
    assert r.infimum.value == 0 and g.infimum.value == 100 and not r.attained


def test_series_against_mpmath():
    # tanh: mu_2/mu_1^2 - 1 ~ 8 q^2 and sigma_b^2(q) ~ 4 q^3 / 3 on the critical line
    assert ratio_series("tanh") == 8 * sympy.Symbol("q", positive=True) ** 2
    with mpmath.workdps(25):
        q = mpmath.mpf("1e-3")
        A, B, M = tanh_moments(q)
        assert abs((M / B**2 - 1) / q**2 / 8 - 1) < 0.01
        assert abs((q - A / B) / q**3 / (mpmath.mpf(4) / 3) - 1) < 0.01
    assert critical_bias_series("tanh") == sympy.Rational(4, 3) * sympy.Symbol("q", positive=True) ** 3


def test_search_reports_the_limit_for_tanh():
    r = isometry("tanh", 100, dps=15)
    assert r.infimum.value == 0 and r.level == "certified"
    assert 0 < float(r) < 1  # near isometry at the reported point
    assert r.bias_var > 0 and abs(float(r.weight_var) - 1) < 0.1  # sigma_w^2 -> 1/phi'(0)^2 = 1


def test_reported_point_agrees_with_simulation():
    # random orthogonal networks at the certified edge-of-chaos point (sampled, independent)
    from symact.propagation.spectrum import simulate_jacobian

    r = isometry("tanh", 10, weights="orthogonal", bias_var=sympy.Rational(1, 20), dps=15)
    s = simulate_jacobian("tanh", float(r.weight_var), 0.05, 10, width=200, weights="orthogonal",
                          samples=3, seed=7)
    assert abs(s.mean - 1) < 0.1  # on the edge of chaos the mean of the spectrum is 1
    assert abs(s.variance / s.mean**2 - float(r)) < 3 * s.variance_se + 0.15 * float(r)
