"""nngp, ntk and jacobian_spectrum against closed-form kernels and free probability."""

from __future__ import annotations

from fractions import Fraction

import mpmath as mp
import pytest
import sympy
from hypothesis import given
from hypothesis import strategies as st

import symact as sa

from .checks import case, clean_error, contains, few
from .ref import DPS, expect, fixed_point, kernels, num, start_point

F = Fraction


def _sym(v):
    return sympy.Rational(v.numerator, v.denominator) if isinstance(v, Fraction) else v


def _ref_arg(v):
    return str(v) if isinstance(v, float) else v


def _check(name, depth, sw, sb, q1, q2, c, budget=None):
    kw = {"q1": _sym(q1), "c": _sym(c)}
    if q2 is not None:
        kw["q2"] = _sym(q2)
    with sa.time_budget(budget):
        r = sa.ntk(name, depth, _sym(sw), _sym(sb), **kw)
    S, T = kernels(name, depth, _ref_arg(sw), _ref_arg(sb), _ref_arg(q1), _ref_arg(q1 if q2 is None else q2), _ref_arg(c))
    for i in range(2):
        for j in range(2):
            contains(r.nngp[i][j], S[i][j], f"nngp[{i},{j}] of {name} depth {depth}")
            contains(r.ntk[i][j], T[i][j], f"ntk[{i},{j}] of {name} depth {depth}")
    return r


KERNELS = [
    ("relu", 1, 2, 0, 1, None, F(0)),
    ("relu", 3, 2, 0, 1, None, F(1, 2)),
    ("relu", 2, 2, F(1, 10), 1, 2, F(1, 3)),
    ("relu", 2, F(3, 2), F(1, 20), F(1, 10**6), 10**6, F(-9, 10)),
    ("threshold", 2, 2, 0, 3, None, F(-1, 2)),
    ("leaky_relu", 2, 2, F(1, 10), 1, None, F(1, 2)),
    ("prelu", 2, F(3, 2), 0, 2, 1, F(1, 5)),
    ("identity", 4, F(1, 2), F(1, 3), 1, 2, F(1, 4)),
    ("sin", 2, 2, F(1, 10), 1, None, F(1, 2)),
    ("gaussian", 2, 3, F(1, 10), 1, F(1, 2), F(1, 3)),
    ("erf(x)", 3, 2, F(1, 10), 1, 2, F(1, 3)),
    ("erf(x)", 1, 1000, 0, 10**6, F(1, 10**6), F(99, 100)),
    case("relu", 3, 2, 0, 1, None, 0.5),
    case("relu", 2, 2, 0, 1.5, None, F(1, 2)),
    case("relu", 1, 2, 0, 1, None, F(1)),
    case("relu", 1, 2, 0, 1, None, F(-1)),
    ("erf(x)", 2, 2, F(1, 10), 1, None, F(1)),
]


@pytest.mark.parametrize("name, depth, sw, sb, q1, q2, c", KERNELS)
def test_kernel_contains_the_closed_form(name, depth, sw, sb, q1, q2, c):
    _check(name, depth, sw, sb, q1, q2, c)


@pytest.mark.parametrize("depth, sw, sb", [
    case(5, 2, 0),
    case(5, 2, F(1, 10)),
    case(10, 2, F(1, 10)),
    case(50, F(3, 2), F(1, 20)),
])
def test_deep_relu_kernels_are_fast_and_right(depth, sw, sb):
    _check("relu", depth, sw, sb, 1, None, F(1, 2), budget=3)


@pytest.mark.parametrize("name", ["relu", "erf(x)", "sin"])
def test_depth_zero_is_refused(name):
    # a network has at least one layer (issue 24: "depth >= 1" checked before any work)
    exc = clean_error(sa.nngp, name, 0, 2, F(1, 10), q1=2, q2=F(1, 2), c=F(1, 3))
    assert "depth" in str(exc)


def test_gram_matrix_equals_q1_q2_c():
    # gram = [[q1, c sqrt(q1 q2)], [.., q2]]: the same kernel as (q1, q2, c)
    r = sa.ntk("relu", 2, 2, F(1, 10), gram=[[1, sympy.Rational(1, 2)], [sympy.Rational(1, 2), 2]])
    with mp.workdps(DPS + 10):
        c = mp.mpf(1) / 2 / mp.sqrt(2)
    S, T = kernels("relu", 2, 2, F(1, 10), 1, 2, c)
    contains(r.ntk[0][1], T[0][1], "ntk[0,1] from gram")
    contains(r.nngp[1][1], S[1][1], "nngp[1,1] from gram")


_VAR = st.sampled_from([F(1, 10**6), F(1, 100), F(1), F(7, 2), F(10**3)])


@few
@given(name=st.sampled_from(["relu", "leaky_relu", "identity", "erf(x)"]), depth=st.integers(1, 3),
       sw=st.sampled_from([F(1, 2), F(2), F(5, 2)]), sb=st.sampled_from([F(0), F(1, 20), F(1)]),
       q1=_VAR, q2=_VAR, c=st.fractions(F(-99, 100), F(99, 100), max_denominator=100))
def test_kernels_over_the_input_domain(name, depth, sw, sb, q1, q2, c):
    _check(name, depth, sw, sb, q1, q2, c, budget=20)


# -- Jacobian spectrum ------------------------------------------------------------------------

def _spectrum_ref(mu1, mu2, sw, depth, weights):
    with mp.workdps(DPS):
        chi = num(sw) * mu1
        spread = mu2 / mu1**2 - 1 + (1 if weights == "gaussian" else 0)  # v(D^2) + v(W W^T)
        return chi**depth, chi ** (2 * depth) * depth * spread


@pytest.mark.parametrize("depth", [1, 10, 10**9])
@pytest.mark.parametrize("weights", ["gaussian", "orthogonal"])
def test_relu_spectrum_at_criticality(depth, weights):
    # relu at (2, 0): mu1 = mu2 = 1/2 at every q*, chi = 1: mean 1, variance L (1 + [gaussian])
    r = sa.jacobian_spectrum("relu", 2, 0, depth, weights=weights)
    mean, var = _spectrum_ref(mp.mpf(1) / 2, mp.mpf(1) / 2, 2, depth, weights)
    contains(r.mean, mean, "mean")
    contains(r.variance, var, "variance")


@pytest.mark.parametrize("name, sw, sb, depth, weights", [
    ("tanh", F(3, 2), F(1, 20), 3, "gaussian"),
    ("tanh", F(3, 2), F(1, 20), 3, "orthogonal"),
    ("relu", 1, F(1, 10), 5, "gaussian"),
    ("silu", 2, F(1, 10), 100, "orthogonal"),
])
def test_spectrum_moments(name, sw, sb, depth, weights):
    q, _chi, _ = fixed_point(name, sw, sb, start_point(name, sw, sb))
    qs = mp.nstr(q, DPS)
    mu1, mu2 = expect(name, qs, deriv=True), expect(name, qs, power=4, deriv=True)
    r = sa.jacobian_spectrum(name, _sym(sw), _sym(sb), depth, weights=weights)
    contains(r.q_star, q, "q*")
    contains(r.mu1, mu1, "mu1")
    contains(r.mu2, mu2, "mu2")
    mean, var = _spectrum_ref(mu1, mu2, sw, depth, weights)
    contains(r.mean, mean, "mean")
    contains(r.variance, var, "variance")
