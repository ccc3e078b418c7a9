"""Mean-field layer: figures from Poole 2016 / Schoenholz 2017 / Klambauer 2017 and the issue,
references computed independently with mpmath (tests/reference.py)."""

from __future__ import annotations

import concurrent.futures
import pickle

import mpmath
import numpy as np
import pytest
import sympy

from symact.expressions.catalogue import activation
from symact.propagation.gains import gain, gain_table, selu_constants, torch_gain, torch_gains
from symact.propagation.meanfield import (
    MeanField,
    chi1,
    edge_of_chaos,
    mean_field,
    phase_diagram,
    variance_map,
)
from tests.reference import (
    EDGE_REFERENCE,
    MF_REFERENCE,
    REFERENCE_DERIVATIVE,
    SLOPE_AT_GAIN,
    gauss_expect,
    mf_reference,
)


@pytest.fixture(autouse=True)
def _dps_untouched():
    before = mpmath.mp.dps
    yield
    assert mpmath.mp.dps == before


def inside(q, ref, slack="1e-24"):
    lo, hi = q.enclosure
    with mpmath.workdps(40):
        s = mpmath.mpf(slack)
        return lo - s <= mpmath.mpf(ref) <= hi + s


def narrow(q, width="1e-25"):
    lo, hi = q.enclosure
    with mpmath.workdps(40):
        return hi - lo < mpmath.mpf(width)


def test_relu_critical_exactly():
    mf = mean_field(activation("relu"), 2, 0)
    assert mf.chi1.value == 1 and mf.chi1.level == "exact"
    assert mf.regime == "critical" and mf.exact and mf.degenerate
    assert mf.depth_scale_c.value == sympy.oo
    assert mf.expected_gradient(sympy.Symbol("n")) == 1


def test_relu_diverges_and_collapses():
    mf = mean_field(activation("relu"), 3, 0)
    assert mf.status == "diverges" and mf.q_star is None and mf.chi1.value == sympy.Rational(3, 2)
    mf = mean_field(activation("relu"), 1, sympy.Rational(1, 10))
    assert mf.status == "fixed point" and mf.q_star.value == sympy.Rational(1, 5)
    assert mf.regime == "ordered"


def test_tanh_poole_figure():
    mf = mean_field(activation("tanh"), sympy.Rational(25, 9), 0)
    assert inside(mf.q_star, "1.17848049038591", "1e-14") and inside(mf.chi1, "1.20983132038283", "1e-14")
    q_ref, chi_ref, _ = mf_reference("tanh", (25, 9), 0, 1.2, dps=30)
    assert inside(mf.q_star, q_ref) and inside(mf.chi1, chi_ref)
    assert narrow(mf.q_star) and narrow(mf.chi1)
    assert mf.regime == "chaotic" and mf.status == "fixed point" and mf.level == "certified"
    # q = 0 is also a fixed point (repelling): every fixed point is reported with its stability
    assert [p.stable for p in mf.fixed_points] == [False, True]
    assert mf.reached_level == "certified" and mf.complete
    assert isinstance(mf, MeanField) and "MeanField(" in repr(mf) and "chi_1" in mf.latex()
    assert str(mf.q_star.evalf(8)) == "1.1784805" and mf.chi1 > 1.2098313 and float(mf) == pytest.approx(1.2098313203828)


def test_tanh_ordered_collapse():
    mf = mean_field(activation("tanh"), sympy.Rational(1, 2), 0)
    assert mf.status == "q -> 0" and mf.q_star.value == 0
    assert mf.chi1.value == sympy.Rational(1, 2) and mf.regime == "ordered"


def test_sigmoid_issue_reference():
    mf = mean_field("sigmoid", 1, 0)
    assert inside(mf.q_star, "0.264686875181892", "1e-15") and inside(mf.chi1, "0.0557207067697018", "1e-16")
    assert narrow(mf.q_star) and mf.regime == "ordered"


def test_selu_self_normalising_fixed_point_is_exact():
    mf = mean_field(activation("selu"), 1, 0)
    assert mf.q_star.value == 1 and mf.q_star.level == "exact"
    with mpmath.workdps(40):
        ref = gauss_expect(lambda t: REFERENCE_DERIVATIVE["selu"](t) ** 2, 1, "selu", 35)
    assert inside(mf.chi1, ref, "1e-25")
    assert mpmath.nstr(ref, 8) == "1.071575"
    assert mf.regime == "chaotic"


def test_softplus_grows_without_bound():
    mf = mean_field("softplus", 2, 0)
    assert mf.status == "diverges" and mf.q_star is None
    assert "no fixed point: q grows without bound" in mf.note
    assert mf.chi1.value == 1  # 2 * (1^2 + 0^2) / 2: chi_1 as q -> oo


@pytest.mark.parametrize(("name", "slope"), [("gelu", 1.14), ("silu", 1.17)])
def test_variance_preserving_gain_is_repelling(name, slope):
    g = gain(name)
    mf = mean_field(name, g**2, 0)
    one = next(p for p in mf.fixed_points if p.q.value != 0)
    zero = next(p for p in mf.fixed_points if p.q.value == 0)
    assert inside(one.q, 1, "1e-25") and one.stable is False and zero.stable is True
    ref = SLOPE_AT_GAIN[name]
    assert inside(one.slope, ref, "1e-12") and round(float(one.slope), 2) == slope
    assert "repelling" in mf.note and "attracting: q = 0" in mf.note


@pytest.mark.parametrize("name", ["gelu", "silu", "elu"])
def test_fixed_points_against_mpmath(name):
    mf = mean_field(name, sympy.Rational(3, 2), sympy.Rational(1, 20))
    q_ref, chi_ref, slope_ref = MF_REFERENCE[(name, "3/2", "1/20")]
    assert inside(mf.q_star, q_ref) and inside(mf.chi1, chi_ref)
    assert narrow(mf.q_star) and narrow(mf.chi1)
    p = next(p for p in mf.fixed_points if p.q == mf.q_star)
    assert inside(p.slope, slope_ref, "1e-12")
    assert mf.depth_scale_q is not None and mf.depth_scale_q.level == "certified"


def test_tanh_edge_of_chaos():
    assert edge_of_chaos(activation("tanh")).value == 1
    e = edge_of_chaos(activation("tanh"), sympy.Rational(1, 20))
    assert inside(e, "1.76095463960673913", "1e-17") and narrow(e)
    assert edge_of_chaos(activation("relu")).value == 2


def test_gelu_edge_of_chaos_against_mpmath():
    e = edge_of_chaos("gelu", sympy.Rational(1, 20))
    assert inside(e, EDGE_REFERENCE[("gelu", "0.05")], "1e-26") and narrow(e)


def test_pasted_references_match_the_script():
    q, chi, _ = mf_reference("elu", (3, 2), (1, 20), 1.1, dps=12)
    ref = MF_REFERENCE[("elu", "3/2", "1/20")]
    assert abs(q - mpmath.mpf(ref[0])) < 1e-9 and abs(chi - mpmath.mpf(ref[1])) < 1e-9


def test_chi1_and_variance_map():
    assert chi1(activation("relu"), 2).value == 1
    assert chi1("relu", 2, q=1).value == 1
    V = variance_map(activation("tanh"), 2, sympy.Rational(1, 10))
    with mpmath.workdps(35):
        ref = 2 * gauss_expect(lambda t: mpmath.tanh(t) ** 2, 1, "tanh", 35) + mpmath.mpf(1) / 10
    assert inside(V(1), ref, "1e-28") and narrow(V(1))
    c = chi1("tanh", 1, q=1)
    assert inside(c, "0.46440290244826824197202146111565", "1e-28")


def test_gains():
    assert gain(activation("relu")).value == sympy.sqrt(2)
    a = sympy.Rational(1, 10)
    g = gain(activation("leaky_relu", negative_slope=a))
    assert sympy.simplify(g.value - sympy.sqrt(2 / (1 + a**2))) == 0 and g.level == "exact"
    assert sympy.simplify(gain("leaky_relu", 0.1).value - g.value) == 0
    assert gain(activation("selu")).value == 1
    assert gain("conv2d").value == 1
    for name, ref in [("tanh", "1.5925374197228314"), ("gelu", "1.5335304411955352"),
                      ("silu", "1.6765324703310912"), ("sigmoid", "1.8462285453386054")]:
        gv = gain(name)
        assert gv.level == "certified" and inside(gv, ref, "2e-16") and narrow(gv), name
    assert str(gain("sigmoid").evalf(19)) == "1.846228545338605413"
    with mpmath.workdps(30):
        ref = 1 / mpmath.sqrt(gauss_expect(lambda t: mpmath.tanh(t) ** 2, 1, "tanh", 30))
    assert inside(gain("tanh"), ref, "1e-26")


def test_torch_gains():
    t = torch_gains()
    assert t["sigmoid"].value == 1 and t["tanh"].value == sympy.Rational(5, 3) and t["relu"].value == sympy.sqrt(2)
    assert t["selu"].value == sympy.Rational(3, 4) and t["linear"].value == 1 and t["conv3d"].value == 1
    assert sympy.simplify(torch_gain("leaky_relu", 0.2).value - sympy.sqrt(2 / (1 + sympy.Rational(1, 25)))) == 0
    with pytest.raises(ValueError, match="Unsupported nonlinearity"):
        torch_gain("gelu")


def test_gain_table_against_pytorch():
    t = gain_table(["identity", "relu", "leaky_relu", "selu", "tanh", "gelu"])
    rows = {r.name: r for r in t.rows}
    assert rows["identity"].pytorch.value == 1 and rows["relu"].pytorch.value == sympy.sqrt(2)
    assert rows["tanh"].pytorch.value == sympy.Rational(5, 3) and rows["selu"].pytorch.value == sympy.Rational(3, 4)
    assert rows["relu"].chi1_ours.value == 1 and rows["relu"].chi1_pytorch.value == 1
    assert inside(rows["tanh"].chi1_pytorch, "1.20983132038283", "1e-14")
    assert rows["gelu"].pytorch is None and rows["gelu"].slope_ours > 1
    assert "activation" in repr(t) and "array" in t.latex()


def test_selu_constants_match_published_decimals():
    lam, alpha = selu_constants(dps=35)
    assert str(sympy.N(lam, 32)) == "1.0507009873554804934193349852946"
    assert str(sympy.N(alpha, 32)) == "1.6732632423543772848170429916717"
    assert not lam.is_Float and not alpha.is_Float


def test_protocol_and_pickle():
    mf = mean_field("tanh", sympy.Rational(3, 2), sympy.Rational(1, 20))
    back = pickle.loads(pickle.dumps(mf))
    assert back.chi1.enclosure == mf.chi1.enclosure and back.regime == mf.regime
    assert sympy.N(mf, 5) == sympy.N(mf.chi1, 5)
    g = pickle.loads(pickle.dumps(gain("tanh")))
    assert g.enclosure == gain("tanh").enclosure and type(g).__name__ == "Gain"
    assert len(str(mf.chi1).replace("0.", "")) <= 20  # honest digits only


def test_phase_diagram_serial_and_parallel():
    tanh = activation("tanh")
    ws, bs = [0.5, 25 / 9, 4.0], [0.0, 0.05]
    chi, q = phase_diagram(tanh, ws, bs, return_q=True)
    assert chi.shape == (3, 2)
    assert abs(chi[1, 0] - 1.2098313) < 1e-7 and abs(q[1, 0] - 1.1784805) < 1e-7
    with concurrent.futures.ProcessPoolExecutor(2) as ex:
        chi_p = phase_diagram(tanh, ws, bs, executor=ex)
    np.testing.assert_allclose(chi, chi_p, rtol=1e-9, atol=1e-12)
