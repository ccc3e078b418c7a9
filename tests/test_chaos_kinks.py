"""edge_of_chaos for activations with kinks, where the float64 pre-scan misplaces the sign change."""

import mpmath
import pytest

import symact as sa


def _elu_edge(num, den):
    """Independent mpmath solution of q = E[phi^2]/E[phi'^2] + sigma_b^2 for ELU (alpha = 1)."""
    with mpmath.workdps(45):
        bias_var = mpmath.mpf(num) / den
        phi = lambda u: u if u > 0 else mpmath.expm1(u)  # noqa: E731
        dphi = lambda u: 1 if u > 0 else mpmath.exp(u)  # noqa: E731

        def E(f, q):
            return mpmath.quad(lambda z: f(mpmath.sqrt(q) * z) * mpmath.npdf(z), [-mpmath.inf, 0, mpmath.inf])

        q = mpmath.findroot(lambda q: q - E(lambda u: phi(u) ** 2, q) / E(lambda u: dphi(u) ** 2, q) - bias_var, 1.3)
        return q, 1 / E(lambda u: dphi(u) ** 2, q)


@pytest.mark.parametrize("bias_var", ["1/20", "1/5"])
def test_elu_edge_of_chaos_against_mpmath(bias_var):
    num, den = bias_var.split("/")
    q_ref, sw_ref = _elu_edge(int(num), int(den))
    r = sa.edge_of_chaos("elu", bias_var)
    lo, hi = r.enclosure
    assert hi - lo < 1e-20
    with mpmath.workdps(50):
        assert lo - mpmath.mpf(10) ** -40 <= sw_ref <= hi + mpmath.mpf(10) ** -40, (lo, sw_ref, hi)
    qlo, qhi = r.details["q_star"].enclosure
    assert qlo <= q_ref <= qhi


@pytest.mark.parametrize("name", ["selu", "hardtanh", "relu6", "softsign", "hardswish"])
def test_kinked_edge_of_chaos_is_certified(name):
    r = sa.edge_of_chaos(name, "1/20")
    assert r.level == "certified"
    # chi_1 = 1 at the reported point, checked through the public chi1 at the certified q*
    # (the critical fixed point need not be the one a network started at q = 1 reaches)
    chi = sa.chi1(name, r, "1/20", q=r.details["q_star"])
    assert abs(float(chi) - 1) < 1e-12


def test_correlation_map_of_a_diverging_length_map_says_so():
    """ELU at sigma_w^2 = 2: V(q) - q = E[phi^2 - ...] > 0 grows, q -> oo (not a collapse to 0).

    Independent check: V(q) > q at q = 1, 10, 100 by mpmath quadrature.
    """
    with mpmath.workdps(20):
        phi = lambda u: u if u > 0 else mpmath.expm1(u)  # noqa: E731
        for q in (1, 10, 100):
            V = 2 * mpmath.quad(lambda z, q=q: phi(mpmath.sqrt(q) * z) ** 2 * mpmath.npdf(z), [-mpmath.inf, 0, mpmath.inf]) + mpmath.mpf(1) / 10
            assert V > q
    with pytest.raises(ValueError, match="grows without bound"):
        sa.correlation_map("elu", 2, "1/10")
