"""Mean-field layer: figures from Poole 2016 / Schoenholz 2017 / Klambauer 2017, references computed independently."""

from __future__ import annotations

import concurrent.futures

import mpmath
import numpy as np
import pytest
import sympy

from symact.expressions.catalogue import activation
from symact.propagation.gains import gain, gain_table, selu_constants
from symact.propagation.meanfield import (
    MeanField,
    chi1,
    edge_of_chaos,
    mean_field,
    phase_diagram,
    variance_map,
)


@pytest.fixture(autouse=True)
def _dps_untouched():
    before = mpmath.mp.dps
    yield
    assert mpmath.mp.dps == before


def E(f, q, dps=30):
    """Independent reference: E[f(√q z)] by mpmath quadrature split at 0."""
    with mpmath.workdps(dps):
        s = mpmath.sqrt(q)
        return mpmath.quad(lambda z: f(s * z) * mpmath.npdf(z), [mpmath.ninf, 0, mpmath.inf])


def tanh_fixed_point(sw2, sb2, dps=30):
    """sw2, sb2: mpf, or (numerator, denominator) pairs evaluated at the working precision."""
    with mpmath.workdps(dps):
        sw2, sb2 = (mpmath.mpf(v[0]) / v[1] if isinstance(v, tuple) else mpmath.mpf(v) for v in (sw2, sb2))
        q = mpmath.findroot(lambda q: sw2 * E(lambda t: mpmath.tanh(t) ** 2, q, dps) + sb2 - q, 1)
        chi = sw2 * E(lambda t: mpmath.sech(t) ** 4, q, dps)
        return q, chi


def test_relu_critical_exactly():
    mf = mean_field(activation("relu"), 2, 0)
    assert mf.chi1 == 1 and mf.chi1.is_Integer
    assert mf.regime == "critical" and mf.exact and mf.degenerate
    assert mf.depth_scale_c == mpmath.inf
    assert mf.expected_gradient(sympy.Symbol("n")) == 1


def test_relu_diverges_and_collapses():
    mf = mean_field(activation("relu"), 3, 0)
    assert mf.status == "diverges" and mf.q_star is None and mf.chi1 == sympy.Rational(3, 2)
    mf = mean_field(activation("relu"), 1, sympy.Rational(1, 10))
    assert mf.status == "fixed point" and mf.q_star == sympy.Rational(1, 5)
    assert mf.regime == "ordered"


def test_tanh_poole_figure():
    mf = mean_field(activation("tanh"), sympy.Rational(25, 9), 0, dps=25)
    q_ref, chi_ref = tanh_fixed_point((25, 9), 0)
    assert abs(mf.q_star - q_ref) < mpmath.mpf(10) ** -20
    assert abs(mf.chi1 - chi_ref) < mpmath.mpf(10) ** -20
    assert mpmath.nstr(mf.q_star, 8) == "1.1784805" and mpmath.nstr(mf.chi1, 8) == "1.2098313"
    assert mf.regime == "chaotic" and mf.status == "fixed point" and not mf.exact
    assert isinstance(mf, MeanField) and "MeanField(" in repr(mf) and "chi_1" in mf.latex()


def test_tanh_ordered_collapse():
    mf = mean_field(activation("tanh"), sympy.Rational(1, 2), 0)
    assert mf.status == "q -> 0" and mf.q_star == 0
    assert mf.chi1 == sympy.Rational(1, 2) and mf.regime == "ordered"


def test_selu_self_normalising_fixed_point():
    mf = mean_field(activation("selu"), 1, 0)
    assert mf.q_star == 1 and mf.exact
    with mpmath.workdps(40):
        lam, alpha = mpmath.mpf("1.0507009873554804934193349852946"), mpmath.mpf("1.6732632423543772848170429916717")
        d = lambda t: lam if t > 0 else lam * alpha * mpmath.exp(t)  # noqa: E731
        ref = E(lambda t: d(t) ** 2, 1, 40)
    with mpmath.workdps(40):
        assert abs(mpmath.mpf(sympy.N(mf.chi1, 35)) - ref) < mpmath.mpf(10) ** -25
    assert mpmath.nstr(ref, 8) == "1.071575"  # 1.0715750 (trailing zero dropped)
    assert mf.regime == "chaotic"


def test_tanh_edge_of_chaos():
    assert edge_of_chaos(activation("tanh")) == 1
    sw2 = edge_of_chaos(activation("tanh"), sympy.Rational(1, 20), dps=20)
    # independent: σ_w² solving χ₁(q*(σ_w²)) = 1 by nested root finding
    with mpmath.workdps(20):
        ref = mpmath.findroot(lambda s: tanh_fixed_point(s, (1, 20), 20)[1] - 1, 1.7)
    assert abs(mpmath.mpf(sympy.N(sw2, 20)) - ref) < mpmath.mpf(10) ** -12
    assert edge_of_chaos(activation("relu")) == 2


def test_chi1_and_variance_map():
    assert chi1(activation("relu"), 2, 1) == 1
    V = variance_map(activation("tanh"), 2, sympy.Rational(1, 10))
    with mpmath.workdps(30):
        ref = 2 * E(lambda t: mpmath.tanh(t) ** 2, 1) + mpmath.mpf(1) / 10
    assert abs(V(1) - ref) < mpmath.mpf(10) ** -25


def test_gains():
    assert gain(activation("relu")) == sympy.sqrt(2)
    a = sympy.Rational(1, 10)
    g = gain(activation("leaky_relu", negative_slope=a))
    assert sympy.simplify(g - sympy.sqrt(2 / (1 + a**2))) == 0
    assert gain(activation("selu")) == 1
    gt = gain(activation("tanh"), dps=20)
    ref = 1 / mpmath.sqrt(E(lambda t: mpmath.tanh(t) ** 2, 1))
    assert abs(mpmath.mpf(sympy.N(gt, 20)) - ref) < mpmath.mpf(10) ** -15
    assert str(sympy.N(gt, 11)) == "1.5925374197"


def test_gain_table_against_pytorch():
    t = gain_table(["identity", "relu", "leaky_relu", "selu", "tanh"], dps=15)
    rows = {r.name: r for r in t.rows}
    assert rows["identity"].pytorch == 1 and rows["relu"].pytorch == sympy.sqrt(2)
    assert rows["tanh"].pytorch == sympy.Rational(5, 3) and rows["selu"].pytorch == sympy.Rational(3, 4)
    assert rows["relu"].chi1_ours == 1 and rows["relu"].chi1_pytorch == 1
    assert abs(rows["tanh"].chi1_pytorch - mpmath.mpf("1.2098313")) < 1e-7
    assert "activation" in repr(t) and "array" in t.latex()


def test_selu_constants_match_published_decimals():
    lam, alpha = selu_constants(dps=35)
    assert str(sympy.N(lam, 32)) == "1.0507009873554804934193349852946"
    assert str(sympy.N(alpha, 32)) == "1.6732632423543772848170429916717"
    assert not lam.is_Float and not alpha.is_Float


def test_phase_diagram_serial_and_parallel():
    tanh = activation("tanh")
    ws, bs = [0.5, 25 / 9, 4.0], [0.0, 0.05]
    chi, q = phase_diagram(tanh, ws, bs, return_q=True)
    assert chi.shape == (3, 2)
    assert abs(chi[1, 0] - 1.2098313) < 1e-7 and abs(q[1, 0] - 1.1784805) < 1e-7
    with concurrent.futures.ProcessPoolExecutor(2) as ex:
        chi_p = phase_diagram(tanh, ws, bs, executor=ex)
    np.testing.assert_allclose(chi, chi_p, rtol=1e-9, atol=1e-12)
