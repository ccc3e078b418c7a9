"""Mean field, fixed points and gains against independent references (issue 20, items 1, 4, 5, 8, 12, 15).

Every reference here is computed in the test with plain mpmath (quadrature against the
Gaussian density and findroot, at 40 digits) or is a closed form derived by hand; nothing
is copied from symact's output.
"""

from __future__ import annotations

import itertools

import mpmath
import pytest
import sympy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import symact as sa
from symact.core.errors import DomainError
from symact.propagation.gains import gain, gain_table
from symact.propagation.meanfield import chi1, mean_field, variance_map

DPS = 30


def E(f, q):
    """E[f(sqrt(q) z)], z ~ N(0, 1), by mpmath quadrature (split where the integrand bends)."""
    with mpmath.workdps(DPS):
        s = mpmath.sqrt(mpmath.mpf(q))
        pts = sorted({-mpmath.inf, mpmath.inf, 0, *[c / s for c in (-6, -3, -1, 1, 3, 6)]})
        return mpmath.quad(lambda t: f(s * t) * mpmath.exp(-t * t / 2), pts) / mpmath.sqrt(2 * mpmath.pi)


PHI = {
    "tanh": (mpmath.tanh, lambda x: 1 - mpmath.tanh(x) ** 2),
    "softsign": (lambda x: x / (1 + abs(x)), lambda x: 1 / (1 + abs(x)) ** 2),
    "sigmoid": (lambda x: 1 / (1 + mpmath.exp(-x)), lambda x: mpmath.exp(-x) / (1 + mpmath.exp(-x)) ** 2),
    "gelu": (lambda x: x * (1 + mpmath.erf(x / mpmath.sqrt(2))) / 2,
             lambda x: (1 + mpmath.erf(x / mpmath.sqrt(2))) / 2 + x * mpmath.exp(-x * x / 2) / mpmath.sqrt(2 * mpmath.pi)),
    "relu6": (lambda x: min(max(x, 0), 6), lambda x: 1 if 0 < x < 6 else 0),
}


def check_fixed_point(mf, name, sw, sb, rel=1e-20):
    """The certified q* solves V(q) = q by quadrature, and chi_1 there matches sw E[phi'^2](q*)."""
    phi, dphi = PHI[name]
    with mpmath.workdps(DPS):
        sw, sb = mpmath.mpf(sympy.Rational(sw).p) / sympy.Rational(sw).q, mpmath.mpf(sympy.Rational(sb).p) / sympy.Rational(sb).q
        lo, hi = mf.q_star.enclosure
        q = (lo + hi) / 2
        residual = sw * E(lambda x: phi(x) ** 2, q) + sb - q
        assert abs(residual) <= rel * q + (hi - lo) * (1 + abs(sw) * 10), (name, residual)
        chi_ref = sw * E(lambda x: dphi(x) ** 2, q)
        assert contains(mf.chi1, chi_ref, rel * chi_ref + (hi - lo) * sw)


def contains(r, ref, tol):
    """Whether the enclosure of ``r``, widened by ``tol``, holds ``ref`` (compared at 40 digits)."""
    with mpmath.workdps(DPS):
        lo, hi = r.enclosure
        tol = mpmath.mpf(tol)
        return lo - tol <= ref <= hi + tol


# -- item 1: bounded activations never diverge; large and tiny variances -------------------------


@pytest.mark.parametrize(("name", "sw"), [("softsign", 150), ("sigmoid", 300)])
def test_bounded_activation_has_a_fixed_point_at_large_weight_variance(name, sw):
    mf = mean_field(name, sw, 0)
    assert mf.status == "fixed point" and mf.level == "certified" and mf.complete
    check_fixed_point(mf, name, sw, 0)


def test_tanh_at_1000_issue_digits():
    mf = mean_field("tanh", 1000)
    assert "V(q) <=" in mf.range_proof  # the search range came from sup tanh^2 = 1
    check_fixed_point(mf, "tanh", 1000, 0)
    assert contains(mf.q_star, mpmath.mpf("974.450821354711"), 1e-12)
    assert contains(mf.chi1, mpmath.mpf("17.0371519225365"), 1e-12) and mf.regime == "chaotic"


@pytest.mark.parametrize(("name", "sw", "sb"), [
    ("tanh", 10**6, sympy.Rational(1, 10**6)), ("sigmoid", sympy.Rational(1, 10**6), 0),
])
def test_extreme_variances_against_quadrature(name, sw, sb):
    mf = mean_field(name, sw, sb)
    assert mf.status == "fixed point" and mf.level in ("exact", "certified")
    check_fixed_point(mf, name, sw, sb, rel=1e-15)


@pytest.mark.parametrize("name", ["tanh", "softsign", "gelu"])
def test_tiny_weight_variance_collapses_to_zero(name):
    mf = mean_field(name, sympy.Rational(1, 10**6), 0)
    assert mf.status == "q -> 0" and mf.reached_level == "certified"
    phi = PHI[name][0]
    for q in (mpmath.mpf("1e-4"), mpmath.mpf(1), mpmath.mpf(100)):  # V(q) < q on the way down
        assert mpmath.mpf("1e-6") * E(lambda x: phi(x) ** 2, q) < q


def test_gelu_diverges_only_when_proved():
    mf = mean_field("gelu", 1000, 0)
    assert mf.status == "diverges" and mf.reached_level == "certified" and mf.chi1.value == 500
    phi = PHI["gelu"][0]
    for q in (1, 10, 1000):  # V(q) > q above q0 = 1
        assert 1000 * E(lambda x: phi(x) ** 2, q) > q


@settings(max_examples=4, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(st.sampled_from([-6, -3, -1, 1, 3, 6]), st.sampled_from(["tanh", "softsign"]))
def test_bounded_activations_over_twelve_decades(k, name):
    """sigma_w^2 = 10^k: a certified answer; a fixed point satisfies V(q*) = q* by quadrature."""
    sw = sympy.Integer(10) ** k
    mf = mean_field(name, sw, 0)
    assert mf.status in ("fixed point", "q -> 0") and mf.level in ("exact", "certified")
    if mf.status == "fixed point":
        check_fixed_point(mf, name, sw, 0, rel=1e-15)
    else:  # no positive fixed point: sigma_w^2 < 1 and tanh^2, softsign^2 <= x^2
        assert k < 0


# -- item 4: bad variances get one clean error ------------------------------------------------


@pytest.mark.parametrize(("call", "word"), [
    (lambda: mean_field("tanh", 1, -0.5), "bias_var"),
    (lambda: sa.mean_field("tanh", -1, 0), "weight_var"),
    (lambda: mean_field("tanh", 0, 0), "weight_var"),
    (lambda: mean_field("tanh", 1, float("nan")), "bias_var"),
    (lambda: variance_map("tanh", 1, -1), "bias_var"),
    (lambda: chi1("tanh", 1, q=-2), "q"),
    (lambda: mean_field("tanh", 1, 0, q0=-1), "q0"),
    (lambda: mean_field("tanh", sympy.I, 0), "weight_var"),
])
def test_negative_variances_are_refused_cleanly(call, word):
    with pytest.raises(DomainError, match=word) as info:
        call()
    assert isinstance(info.value, ValueError) and (">= 0" in str(info.value) or "> 0" in str(info.value))


# -- item 5: the gain's fixed point repels, and where the variance goes -------------------------


def test_gain_table_says_q1_repels_and_where_it_goes():
    phi = PHI["gelu"][0]
    with mpmath.workdps(DPS):
        g2 = 1 / E(lambda x: phi(x) ** 2, 1)  # the gain squared
        slope_ref = g2 * E(lambda x: phi(x) ** 2 * (x * x - 1), 1) / 2  # d/dq E[f(sqrt q z)] at q = 1
    row = gain_table(["gelu"]).rows[0]
    assert row.repelling and contains(row.slope_ours, slope_ref, 1e-12)
    up = next(e for e in row.escapes if e.direction == "up")
    down = next(e for e in row.escapes if e.direction == "down")
    with mpmath.workdps(DPS):
        assert up.q is None and contains(up.chi1, g2 / 2, 1e-15)  # phi'(oo)^2 = 1, phi'(-oo)^2 = 0
        assert down.q.value == 0 and contains(down.chi1, g2 / 4, 1e-15)  # phi'(0) = 1/2
    assert "repels" in row.fate() and "grows without bound" in row.fate()
    assert up.level == down.level == "certified"


def test_derivation_of_gelu_says_the_gain_fixed_point_repels():
    text = sa.derive("gelu", budget=120).text()
    assert "repels" in text and "grows without bound" in text and "settles at" not in text


# -- items 12/15: ReLU6 at its gain ----------------------------------------------------------


def test_relu6_at_its_gain():
    g = gain("relu6")
    assert g.level == "exact"
    mf = mean_field("relu6", g**2)
    relu6 = lambda x: min(max(x, 0), 6)  # noqa: E731
    with mpmath.workdps(DPS):
        g2 = 1 / E(lambda x: relu6(x) ** 2, 1)
        chi_ref = g2 * (mpmath.ncdf(6) - mpmath.mpf(1) / 2)  # g^2 P(0 < z < 6)
        slope_ref = g2 * E(lambda x: relu6(x) ** 2 * (x * x - 1), 1) / 2  # d/dq E[f(sqrt q z)] = E[f (z^2 - 1)]/(2q)
        xi_ref = 1 / abs(mpmath.log(chi_ref))
    assert mf.q_star.value == 1 and mf.q_star.level == "exact" and mf.status == "fixed point"
    assert contains(mf.chi1, chi_ref, 1e-25) and mf.regime == "chaotic"
    assert mf.complete and mf.reached_level == "exact"
    zero, one = sorted(mf.fixed_points, key=lambda p: float(p.q))
    assert zero.q.value == 0 and one.q.value == 1 and len(mf.fixed_points) == 2
    assert zero.stable is False and one.stable is True  # V'(0) = g^2/2 > 1 > V'(1)
    assert contains(one.slope, slope_ref, 1e-15) and float(one.slope) < 1
    assert mf.depth_scale_c is not None and contains(mf.depth_scale_c, xi_ref, 1e-12 * xi_ref)


# -- item 8: closed-form gains ---------------------------------------------------------------


def test_squareplus_gain_is_sqrt_two_thirds():
    g = gain("squareplus")
    assert g.level == "exact" and sympy.simplify(g.value - sympy.sqrt(sympy.Rational(2, 3))) == 0
    sq = lambda x: (x + mpmath.sqrt(x * x + 4)) / 2  # noqa: E731
    assert abs(E(lambda x: sq(x) ** 2, 1) - mpmath.mpf(3) / 2) < mpmath.mpf(10) ** -30


def test_gaussian_gain_and_chi1():
    g = gain("gaussian")
    assert g.level == "exact" and sympy.simplify(g.value - sympy.Integer(5) ** sympy.Rational(1, 4)) == 0
    row = gain_table(["gaussian"]).rows[0]
    assert row.chi1_ours.level == "exact" and row.chi1_ours.value == sympy.Rational(4, 5)
    # by quadrature: sqrt(5) E[(2 z e^{-z^2})^2] = 4/5
    assert abs(mpmath.sqrt(5) * E(lambda x: 4 * x * x * mpmath.exp(-2 * x * x), 1) - mpmath.mpf(4) / 5) < 1e-30
    mf = mean_field("gaussian", g**2)
    assert mf.q_star.value == 1 and mf.level == "exact" and mf.chi1.value == sympy.Rational(4, 5)


# -- the shape lemmas behind the proved search (searchrange.structure) ----------------------


@pytest.mark.parametrize(("name", "increasing", "unique"), [
    ("relu6", True, True), ("hard_tanh", True, True), ("gaussian", False, True), ("tanh", True, False),
])
def test_shape_lemmas_hold_on_a_grid(name, increasing, unique):
    """Where structure() claims phi^2 non-decreasing / phi^2/x^2 non-increasing in |x|, a grid agrees."""
    from symact.propagation.searchrange import structure

    assert structure(sa.activation(name).expr) == (increasing, unique)
    f = sa.activation(name).numeric(backend="mpmath")
    xs = [mpmath.mpf(k) / 8 for k in range(1, 81)]
    for side in (1, -1):
        sq = [f(side * t) ** 2 for t in xs]
        if increasing:
            assert all(a <= b + 1e-30 for a, b in itertools.pairwise(sq))
        if unique:
            ratio = [v / t**2 for v, t in zip(sq, xs, strict=True)]
            assert all(a >= b - 1e-30 for a, b in itertools.pairwise(ratio))


def test_edge_of_chaos_refuses_a_negative_bias_variance():
    with pytest.raises(DomainError, match="bias_var"):
        sa.edge_of_chaos("tanh", -0.1)
