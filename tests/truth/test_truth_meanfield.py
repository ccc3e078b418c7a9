"""mean_field (q*, chi_1, regime), chi1, edge_of_chaos, q_map and correlation_map against findroot."""

from __future__ import annotations

from fractions import Fraction

import mpmath as mp
import pytest
import sympy
from hypothesis import given
from hypothesis import strategies as st

import symact as sa

from .checks import case, contains, few
from .ref import CATALOGUE, DPS, cached, expect, fixed_point, gauss, num
from .ref import start_point as _start

F = Fraction


def _sym(v):
    if isinstance(v, Fraction):
        return sympy.Rational(v.numerator, v.denominator)
    return v  # int, float, str: passed as the user would


def _sw(v):
    return str(v) if isinstance(v, float) else v


# (name, sigma_w^2, sigma_b^2, regime of the reference); the fixed point is found from q0 = 1.
MEAN_FIELD = [
    case("tanh", F(3, 2), F(1, 20), "ordered"),
    case("tanh", 150, 0, "chaotic"),
    case("tanh", 1000, 0, "chaotic"),
    case("tanh", 10**6, F(1, 10**6), "chaotic"),
    case("tanh", 1.5, 0.05, "ordered"),
    case("softsign", 150, 0, "chaotic"),
    case("sigmoid", 100, 0, "ordered"),
    case("sigmoid", 300, 0, "chaotic"),  # chi_1 = 1.678...: chaotic (the label said ordered)
    case("gelu", F(3, 2), F(1, 20), "ordered"),
    case("silu", F(3, 2), F(1, 20), "ordered"),
    case("elu", F(3, 2), F(1, 20), "ordered"),
    case("selu", 1, 0, None),
    case("arctan", 2, F(1, 10**6), "chaotic"),
    case("hard_tanh", 3, F(1, 10), "chaotic"),
]


def _regime(chi):
    return "ordered" if chi < 1 else "chaotic"


@pytest.mark.parametrize("name, sw, sb, regime", MEAN_FIELD)
def test_mean_field_contains_findroot(name, sw, sb, regime):
    mf = sa.mean_field(name, _sym(sw), _sym(sb))
    # V(q) <= sw sup phi^2 + sb for these bounded or sub-linear maps: q* is finite
    assert mf.q_star is not None, f"mean_field({name}, {sw}, {sb}) reports no q* ({mf.status})"
    q, chi, _slope = fixed_point(name, _sw(sw), _sw(sb), _start(name, _sw(sw), _sw(sb)))
    contains(mf.q_star, q, f"q* of {name} at ({sw}, {sb})")
    contains(mf.chi1, chi, f"chi_1 of {name} at ({sw}, {sb})")
    if regime is not None:
        assert regime == _regime(chi)  # the case table itself
        assert mf.regime == regime, f"regime {mf.regime!r}, chi_1 = {mp.nstr(chi, 10)}"


def _erf_q(sw, sb):
    """q* of erf: q = sw 2/pi asin(2q/(1 + 2q)) + sb (closed-form E[erf(u)^2])."""
    def compute():
        with mp.workdps(DPS):
            w, b = num(sw), num(sb)
            return mp.findroot(lambda q: w * 2 / mp.pi * mp.asin(2 * q / (1 + 2 * q)) + b - q, w + b)
    return cached(("erfq", sw, sb), compute)


@pytest.mark.parametrize("sw, sb", [(2, F(1, 10)), (4, F(1, 20)), (F(1, 2), 1), (50, F(1, 1000))])
def test_erf_mean_field_closed_form(sw, sb):
    q = _erf_q(sw, sb)
    with mp.workdps(DPS):
        chi = num(sw) * 4 / mp.pi / mp.sqrt(1 + 4 * q)  # E[erf'(u)^2] = 4/pi (1 + 4q)^(-1/2)
        mf = sa.mean_field("erf(x)", _sym(sw), _sym(sb))
        contains(mf.q_star, q, f"q* of erf at ({sw}, {sb})")
        contains(mf.chi1, chi, f"chi_1 of erf at ({sw}, {sb})")


# -- exact cases ----------------------------------------------------------------------------

@pytest.mark.parametrize("sw, sb", [(1, F(1, 10)), (F(3, 2), F(1, 20)), (F(1, 10**6), F(10**6)), (F(199, 100), 1)])
def test_relu_mean_field_is_exact(sw, sb):
    # V(q) = sw q/2 + sb: q* = sb/(1 - sw/2), chi_1 = sw/2
    mf = sa.mean_field("relu", _sym(sw), _sym(sb))
    with mp.workdps(DPS):
        contains(mf.q_star, num(sb) / (1 - num(sw) / 2), "relu q*")
        contains(mf.chi1, num(sw) / 2, "relu chi_1")
    assert mf.q_star.level == "exact"


@pytest.mark.parametrize("name, sw", [("tanh", F(1, 2)), ("tanh", F(999, 1000)), ("arctan", F(1, 10)), ("sin", F(1, 2))])
def test_ordered_phase_collapses_to_zero(name, sw):
    # phi(0) = 0, phi'(0) = 1, sb = 0, sw < 1: q* = 0 attracts and chi_1 = sw phi'(0)^2 = sw
    mf = sa.mean_field(name, _sym(sw), 0)
    with mp.workdps(DPS):
        contains(mf.q_star, 0, f"q* of {name}")
        contains(mf.chi1, num(sw), f"chi_1 of {name}")


@pytest.mark.parametrize("name", [
    case("relu6"),
    "hard_tanh",
    "selu",
])
def test_at_the_gain_the_variance_stays_one(name):
    # sw = 1/E[phi(z)^2], sb = 0: V(1) = 1, and V(q) < q... for these saturating maps 1 attracts
    g = sa.gain(name)
    assert g.level == "exact"
    g2 = sympy.sympify(g.value) ** 2
    mf = sa.mean_field(name, g2, 0)
    contains(mf.q_star, 1, f"q* of {name} at its gain")


def test_repelling_fixed_point_at_gelus_gain_is_reported_consistently():
    # at sw = 1/E[gelu^2] the fixed point q = 1 repels (V'(1) > 1, reference slope by quadrature):
    # whatever mean_field reports as q*, chi_1 must be sw E[gelu'^2] at that q*
    with mp.workdps(DPS):
        sw = 1 / expect("gelu", 1)
        phi, dphi, _ = CATALOGUE["gelu"]
        assert sw * gauss(lambda t: phi(t) * dphi(t) * t, 1, (), 20) > 1  # V'(1) > 1
    mf = sa.mean_field("gelu", sympy.Float(mp.nstr(sw, DPS), DPS), 0)
    q = mp.mpf(mf.q_star.enclosure[0])
    with mp.workdps(DPS):
        contains(mf.chi1, sw * gauss(lambda t: CATALOGUE["gelu"][1](t) ** 2, mp.nstr(q, DPS)), "chi_1 at the reported q*")


# -- chi1, edge of chaos ---------------------------------------------------------------------

@pytest.mark.parametrize("name, sw, q", [("tanh", 2, 1), ("silu", F(3, 2), F(1, 4)), ("gelu", 1, 3), ("elu", 2, F(1, 2))])
def test_chi1_at_a_given_q(name, sw, q):
    with mp.workdps(DPS):
        contains(sa.chi1(name, _sym(sw), q=_sym(q)), num(sw) * expect(name, q, deriv=True), f"chi1({name})")


@pytest.mark.parametrize("sb", [0, F(1, 20), F(1, 2)])
def test_edge_of_chaos_erf(sb):
    # chi_1 = sw 4/pi (1+4q)^(-1/2) = 1  =>  sw = pi/4 sqrt(1+4q); q solves q = sw 2/pi asin(2q/(1+2q)) + sb
    with mp.workdps(DPS):
        b = num(sb)
        if sb == 0:
            ref = mp.pi / 4
        else:
            q = mp.findroot(lambda q: mp.sqrt(1 + 4 * q) / 2 * mp.asin(2 * q / (1 + 2 * q)) + b - q, mp.mpf(1))
            ref = mp.pi / 4 * mp.sqrt(1 + 4 * q)
        contains(sa.edge_of_chaos("erf(x)", _sym(sb)), ref, f"edge of chaos of erf at sb = {sb}")


def test_edge_of_chaos_relu():
    contains(sa.edge_of_chaos("relu", 0), 2, "edge of chaos of relu")


# -- q_map, correlation_map ---------------------------------------------------------------------

@pytest.mark.parametrize("name, sw, sb", [
    ("tanh", F(3, 2), F(1, 20)), ("silu", 2, F(1, 10)),
    case("tanh", 1.5, 0.05, item="new (item 2 family): q_map reads the float 0.05 as its binary value, "
         "mean_field as the decimal 1/20 (one reading everywhere is still to do)"),
])
def test_q_map_fixed_point_and_slope(name, sw, sb):
    q, _chi, slope = fixed_point(name, _sw(sw), _sw(sb), _start(name, _sw(sw), _sw(sb)))
    qm = sa.q_map(name, _sym(sw), _sym(sb))
    contains(qm.q_star, q, f"q_map({name}).q_star")
    contains(qm.slope, slope, f"q_map({name}).slope")
    assert qm.stable == (slope < 1)


def _erf_rho(sw, sb, c):
    q = _erf_q(sw, sb)
    return (num(sw) * 2 / mp.pi * mp.asin(2 * q * c / (1 + 2 * q)) + num(sb)) / q


@few
@given(sw=st.sampled_from([F(2), F(4), F(1, 2), F(30)]), sb=st.sampled_from([F(1, 20), F(1, 10), F(1)]),
       c=st.fractions(-1, 1, max_denominator=20))
def test_erf_correlation_map_value(sw, sb, c):
    cm = sa.correlation_map("erf(x)", _sym(sw), _sym(sb))
    with mp.workdps(DPS):
        contains(cm(_sym(c)), _erf_rho(sw, sb, num(c)), f"erf C-map at c = {c}")


@pytest.mark.parametrize("sw, sb", [
    case(4, F(1, 20)),
    case(2, F(1, 10)),
])
def test_erf_correlation_fixed_point_is_certified_to_its_dps(sw, sb):
    with mp.workdps(DPS):
        ref = mp.findroot(lambda c: _erf_rho(sw, sb, c) - c, mp.mpf("0.1"))
    cm = sa.correlation_map("erf(x)", _sym(sw), _sym(sb), dps=40)
    contains(cm.fixed_point, ref, "erf C-map fixed point")
    lo, hi = cm.fixed_point.enclosure
    assert hi - lo < 1e-35, f"fixed point only {float(hi - lo):.1e} wide at dps=40"


@pytest.mark.parametrize("c", [F(0), F(1, 2), F(-9, 10), F(99, 100)])
def test_relu_correlation_map_is_the_arccos_kernel(c):
    # sw = 2, sb = 0: rho(c) = (sqrt(1-c^2) + (pi - acos c) c)/pi
    cm = sa.correlation_map("relu", 2)
    with mp.workdps(DPS):
        cc = num(c)
        contains(cm(_sym(c)), (mp.sqrt(1 - cc * cc) + (mp.pi - mp.acos(cc)) * cc) / mp.pi, f"relu C-map at {c}")
    contains(cm.chi1, 1, "relu chi_1")


@pytest.mark.parametrize("sw, sb, c", [
    (4, F(1, 20), F(1, 2)),
    case(4.0, 0.05, 0.5, item="new (item 2 family): correlation_map reads floats as their binary "
         "values, mean_field as decimals (one reading everywhere is still to do)"),
])
def test_erf_correlation_map_reads_floats_as_the_decimals_they_print(sw, sb, c):
    cm = sa.correlation_map("erf(x)", _sym(sw), _sym(sb))
    with mp.workdps(DPS):
        ref = _erf_rho(_sw(sw), _sw(sb), num(_sw(c)) if isinstance(c, float) else num(c))
        contains(cm(_sym(c)), ref, f"erf C-map at c = {c}")


@few
@given(name=st.sampled_from(sorted(CATALOGUE)), sw=st.sampled_from([F(1), F(3, 2), F(4)]),
       q=st.sampled_from([F(1), F(1, 4), F(9)]))
def test_chi1_over_the_catalogue(name, sw, q):
    # chi_1 = sw E[phi'(sqrt(q) z)^2] at a given q, for every catalogue entry
    with mp.workdps(DPS):
        ref = num(sw) * expect(name, q, deriv=True)
    contains(sa.chi1(name, _sym(sw), q=_sym(q)), ref, f"chi1({name}, {sw}, q={q})")


@few
@given(name=st.sampled_from(sorted(CATALOGUE)), sw=st.sampled_from([F(1, 2), F(2), F(100)]),
       sb=st.sampled_from([F(0), F(1, 20), F(3)]), q=st.sampled_from([F(1, 1000), F(1), F(50)]))
def test_variance_map_over_the_catalogue(name, sw, sb, q):
    # V(q) = sw E[phi(sqrt(q) z)^2] + sb
    with mp.workdps(DPS):
        ref = num(sw) * expect(name, q) + num(sb)
    contains(sa.variance_map(name, _sym(sw), _sym(sb))(_sym(q)), ref, f"V({q}) of {name} at ({sw}, {sb})")


@pytest.mark.parametrize("name, sw, sb, q_ref", [
    ("relu", F(3, 2), F(1, 20), F(1, 5)),
    # E[squareplus(sqrt(q) z)^2] = q/2 + 1 (the odd part integrates to 0): V(q) = 3q/4 + 31/20, q* = 31/5
    case("squareplus", F(3, 2), F(1, 20), F(31, 5),
         item="new (item 8 family): squareplus q* = 31/5 shown as certified"),
])
def test_closed_form_fixed_points_are_exact(name, sw, sb, q_ref):
    mf = sa.mean_field(name, _sym(sw), _sym(sb))
    with mp.workdps(DPS):
        contains(mf.q_star, num(q_ref), f"q* of {name}")
    assert mf.q_star.level == "exact", f"q* = {mf.q_star.value} is {mf.q_star.level}; it is {q_ref}"
