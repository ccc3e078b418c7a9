"""sup/inf, derivative_bounds, gradient_bound and depth_below against closed forms and mpmath."""

from __future__ import annotations

from fractions import Fraction

import mpmath as mp
import pytest
import sympy
from hypothesis import given
from hypothesis import strategies as st

import symact as sa

from .checks import contains, few
from .ref import CATALOGUE, DPS, critical_value, selu_constants

E = mp.e


def _c(f):
    """A closed-form reference, evaluated at DPS digits."""
    def at():
        with mp.workdps(DPS):
            return +f()
    return at


def _crit(name, guess):
    return lambda: critical_value(CATALOGUE[name][1], guess)


# sup and inf of phi' over the real line (where phi' exists; a one-sided value at a kink counts).
DERIVATIVE_EXTREMA = {
    "identity": (_c(lambda: 1), _c(lambda: 1)),
    "sigmoid": (_c(lambda: mp.mpf(1) / 4), _c(lambda: 0)),
    "tanh": (_c(lambda: 1), _c(lambda: 0)),
    "relu": (_c(lambda: 1), _c(lambda: 0)),
    "threshold": (_c(lambda: 1), _c(lambda: 0)),
    "leaky_relu": (_c(lambda: 1), _c(lambda: mp.mpf(1) / 100)),
    "prelu": (_c(lambda: 1), _c(lambda: mp.mpf(1) / 4)),
    "elu": (_c(lambda: 1), _c(lambda: 0)),
    "celu": (_c(lambda: 1), _c(lambda: 0)),
    "selu": (_c(lambda: selu_constants()[0] * selu_constants()[1]), _c(lambda: 0)),
    # GELU'' = phi(x)(2 - x^2): extrema at +-sqrt(2)
    "gelu": (_c(lambda: mp.ncdf(mp.sqrt(2)) + mp.exp(-1) / mp.sqrt(mp.pi)),
             _c(lambda: mp.ncdf(-mp.sqrt(2)) - mp.exp(-1) / mp.sqrt(mp.pi))),
    "gelu_tanh": (_crit("gelu_tanh", 1.42), _crit("gelu_tanh", -1.42)),
    "silu": (_crit("silu", 2.4), _crit("silu", -2.4)),
    "mish": (_crit("mish", 1.49), _crit("mish", -2.26)),
    "softplus": (_c(lambda: 1), _c(lambda: 0)),
    "softsign": (_c(lambda: 1), _c(lambda: 0)),
    "hard_sigmoid": (_c(lambda: mp.mpf(1) / 6), _c(lambda: 0)),
    "hard_tanh": (_c(lambda: 1), _c(lambda: 0)),
    "relu6": (_c(lambda: 1), _c(lambda: 0)),
    "hardswish": (_c(lambda: mp.mpf(3) / 2), _c(lambda: -mp.mpf(1) / 2)),
    "log_sigmoid": (_c(lambda: 1), _c(lambda: 0)),
    "tanhshrink": (_c(lambda: 1), _c(lambda: 0)),
    "softshrink": (_c(lambda: 1), _c(lambda: 0)),
    "hardshrink": (_c(lambda: 1), _c(lambda: 0)),
    "squareplus": (_c(lambda: 1), _c(lambda: 0)),
    "sparse_plus": (_c(lambda: 1), _c(lambda: 0)),
    "sparse_sigmoid": (_c(lambda: mp.mpf(1) / 2), _c(lambda: 0)),
    "arctan": (_c(lambda: 1), _c(lambda: 0)),
    # (-2x e^{-x^2})' = 0 at x = -+1/sqrt(2)
    "gaussian": (_c(lambda: mp.sqrt(2) * mp.exp(-mp.mpf(1) / 2)), _c(lambda: -mp.sqrt(2) * mp.exp(-mp.mpf(1) / 2))),
    "sin": (_c(lambda: 1), _c(lambda: -1)),
    "bent_identity": (_c(lambda: mp.mpf(3) / 2), _c(lambda: mp.mpf(1) / 2)),
    "elish": (_crit("silu", 2.4), _crit("elish", -1.72)),
    # on [-1, 0): e^x (x+1)/2 + (e^x - 1)/2 increases (derivative e^x (x+3)/2 > 0), so the inf is at -1+
    "hard_elish": (_c(lambda: mp.mpf(3) / 2), _c(lambda: (mp.exp(-1) - 1) / 2)),
}


def test_reference_covers_the_catalogue():
    assert set(DERIVATIVE_EXTREMA) == set(sa.names()) == set(CATALOGUE)


def test_selu_reference_constants_match_the_paper():
    # Klambauer et al. (2017) print 1.0507009873554804934193349852946 and 1.6732632423543772848170429916717.
    with mp.workdps(DPS):
        lam, alpha = selu_constants()
        assert abs(lam - mp.mpf("1.0507009873554804934193349852946")) < 1e-30
        assert abs(alpha - mp.mpf("1.6732632423543772848170429916717")) < 1e-30


@pytest.mark.parametrize("name", sorted(DERIVATIVE_EXTREMA))
def test_derivative_bounds_contain_the_reference(name):
    b = sa.derivative_bounds(name)
    sup_ref, inf_ref = DERIVATIVE_EXTREMA[name]
    contains(b.sup, sup_ref(), f"sup {name}'")
    contains(b.inf, inf_ref(), f"inf {name}'")


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "silu", "gelu", "mish", "selu", "hardswish", "relu"])
def test_lipschitz_constant_is_sup_of_abs_derivative(name):
    sup_ref, inf_ref = DERIVATIVE_EXTREMA[name]
    with mp.workdps(DPS):
        ref = max(abs(sup_ref()), abs(inf_ref()))
    contains(sa.derivative_bounds(name).lipschitz, ref, f"Lipschitz constant of {name}")


# -- sup/inf of expressions with closed-form extrema ---------------------------------------

def _frac(lo, hi):
    return st.fractions(min_value=lo, max_value=hi, max_denominator=100).filter(lambda f: f != 0)


@few
@given(k=_frac(Fraction(1, 100), 100))
def test_sup_of_x_exp_minus_k_x_squared(k):
    # max of x e^{-k x^2} is at 1/sqrt(2k): value 1/sqrt(2 e k); the inf is its negative
    x = sa.x
    f = x * sympy.exp(-sympy.Rational(k.numerator, k.denominator) * x**2)
    with mp.workdps(DPS):
        ref = 1 / mp.sqrt(2 * mp.e * mp.mpf(k.numerator) / k.denominator)
        contains(sa.sup(f), ref, f"sup x exp(-{k} x^2)")
        contains(sa.inf(f), -ref, f"inf x exp(-{k} x^2)")


@few
@given(a=_frac(-20, 20), b=_frac(-20, 20), lo=_frac(-5, 0), width=_frac(Fraction(1, 10), 10))
def test_sup_of_a_quadratic_on_an_interval(a, b, lo, width):
    # a x^2 + b x on [lo, lo + width]: the extrema are among the ends and the vertex -b/(2a)
    x = sa.x
    A, B = sympy.Rational(a.numerator, a.denominator), sympy.Rational(b.numerator, b.denominator)
    L = sympy.Rational(lo.numerator, lo.denominator)
    H = L + sympy.Rational(width.numerator, width.denominator)
    f = A * x**2 + B * x
    pts = [L, H] + ([-B / (2 * A)] if L <= -B / (2 * A) <= H else [])
    vals = [f.subs(x, p) for p in pts]
    with mp.workdps(DPS):
        contains(sa.sup(f, sympy.Interval(L, H)), mp.mpf(sympy.N(max(vals), DPS)), f"sup {f} on [{L}, {H}]")
        contains(sa.inf(f, sympy.Interval(L, H)), mp.mpf(sympy.N(min(vals), DPS)), f"inf {f} on [{L}, {H}]")


# -- worst-case gradient bounds across depth -----------------------------------------------

def _lip(name):
    sup_ref, inf_ref = DERIVATIVE_EXTREMA[name]
    with mp.workdps(DPS):
        return max(abs(sup_ref()), abs(inf_ref()))


@pytest.mark.parametrize("name, layers, weight", [
    ("sigmoid", 1, 1), ("sigmoid", 10, 2), ("sigmoid", 10**9, 4), ("tanh", 7, Fraction(1, 2)),
    ("relu", 10**6, 1), ("silu", 3, 1), ("selu", 5, 1), ("gelu", 10**9, Fraction(9, 10)),
    ("mish", 10**30, 1),
])
def test_gradient_bound_is_lipschitz_power(name, layers, weight):
    g = sa.gradient_bound(name, layers, weight=sympy.Rational(weight.numerator, weight.denominator)
                          if isinstance(weight, Fraction) else weight)
    with mp.workdps(DPS):
        w = mp.mpf(weight.numerator) / weight.denominator if isinstance(weight, Fraction) else mp.mpf(weight)
        log_ref = layers * mp.log(w * _lip(name))
        lo, hi = (mp.mpf(e) for e in g.enclosure)
        if abs(log_ref) < 1000:
            contains(g, mp.exp(log_ref), f"gradient bound {name} x{layers}")
        else:  # compare logarithms: the bound under- or overflows any float
            assert lo > 0 and mp.log(lo) - 1e-20 * abs(log_ref) <= log_ref <= mp.log(hi) + 1e-20 * abs(log_ref)
    str(g.digits)  # every result states its digits without overflowing


@pytest.mark.parametrize("name, weight, eps", [
    ("sigmoid", 1, "1e-6"), ("sigmoid", 2, "1e-300"), ("tanh", Fraction(1, 2), "1e-6"),
    ("silu", Fraction(1, 2), "1e-12"), ("gelu", Fraction(1, 2), Fraction(1, 3)), ("sigmoid", 3, "1e-9"),
])
def test_depth_below_is_the_smallest_depth(name, weight, eps):
    w = sympy.Rational(weight.numerator, weight.denominator) if isinstance(weight, Fraction) else sympy.Integer(weight)
    e = sympy.Rational(eps.numerator, eps.denominator) if isinstance(eps, Fraction) else sympy.Float(eps, 30)
    n = sa.gradient_bound(name, 1, weight=w).depth_below(e)
    with mp.workdps(DPS):
        rate = mp.mpf(sympy.N(w, DPS)) * _lip(name)
        epsv = mp.mpf(eps.numerator) / eps.denominator if isinstance(eps, Fraction) else mp.mpf(eps)
        ref = int(mp.floor(mp.log(epsv) / mp.log(rate))) + 1  # smallest n with rate^n < eps
        assert rate ** ref < epsv <= rate ** (ref - 1)
    assert int(n) == ref, f"depth_below({eps}) = {n}, reference {ref}"


@pytest.mark.parametrize("name", ["relu", "tanh", "identity"])
def test_depth_below_when_the_bound_never_falls(name):
    # rate 1: the bound stays 1 at every depth, never below 1e-6: oo or a clean refusal
    try:
        out = sa.gradient_bound(name, 1).depth_below(sympy.Rational(1, 10**6))
    except (ValueError, TypeError) as exc:
        assert str(exc)
        return
    assert out == sympy.oo, f"depth_below = {out!r} for a bound that never falls"


# -- second derivatives ------------------------------------------------------------------------

def _silu2(t):
    """silu'' = 2 s' + x s'' with s' = s(1-s), s'' = s'(1-2s) (by hand)."""
    s = 1 / (1 + mp.exp(-t))
    d = s * (1 - s)
    return 2 * d + t * d * (1 - 2 * s)


def _silu3(t):
    """The third derivative s''(2 + x(1-2s)) + s'((1-2s) - 2x s') of silu (by hand)."""
    s = 1 / (1 + mp.exp(-t))
    d = s * (1 - s)
    return d * (1 - 2 * s) * (2 + t * (1 - 2 * s)) + d * ((1 - 2 * s) - 2 * t * d)


SECOND = {
    # sigma'' = s(1-s)(1-2s): extrema +-sqrt(3)/18 at ln(2 -+ sqrt(3))
    "sigmoid": (_c(lambda: mp.sqrt(3) / 18), _c(lambda: -mp.sqrt(3) / 18)),
    # tanh'' = -2 tanh sech^2: extrema +-4/(3 sqrt 3) at atanh(-+1/sqrt 3)
    "tanh": (_c(lambda: 4 / (3 * mp.sqrt(3))), _c(lambda: -4 / (3 * mp.sqrt(3)))),
    "softplus": (_c(lambda: mp.mpf(1) / 4), _c(lambda: 0)),
    # arctan'' = -2x/(1+x^2)^2: extrema +-3 sqrt(3)/8 at -+1/sqrt 3
    "arctan": (_c(lambda: 3 * mp.sqrt(3) / 8), _c(lambda: -3 * mp.sqrt(3) / 8)),
    # GELU'' = phi(x)(2 - x^2): max 2 phi(0) at 0, min -2 phi(2) at +-2
    "gelu": (_c(lambda: mp.sqrt(2 / mp.pi)), _c(lambda: -2 * mp.npdf(2))),
    # (e^{-x^2})'' = (4x^2 - 2) e^{-x^2}: min -2 at 0, max 4 e^{-3/2} at x^2 = 3/2
    "gaussian": (_c(lambda: 4 * mp.exp(-mp.mpf(3) / 2)), _c(lambda: -2)),
    "sin": (_c(lambda: 1), _c(lambda: -1)),
    # silu'' = (x tanh(x/2)/2)'' is even with its max 1/2 at 0; its min where the third derivative vanishes
    "silu": (_c(lambda: mp.mpf(1) / 2), _c(lambda: _silu2(mp.findroot(_silu3, mp.mpf("2.4"))))),
}


@pytest.mark.parametrize("name", sorted(SECOND))
def test_second_derivative_bounds(name):
    b = sa.derivative_bounds(name, 2)
    sup_ref, inf_ref = SECOND[name]
    contains(b.sup, sup_ref(), f"sup {name}''")
    contains(b.inf, inf_ref(), f"inf {name}''")


# -- PyTorch/JAX parameters ---------------------------------------------------------------------

@pytest.mark.parametrize("name, kw, sup_ref, inf_ref", [
    ("leaky_relu", {"negative_slope": 0.2}, 1, Fraction(1, 5)),
    ("leaky_relu", {"negative_slope": -0.5}, 1, Fraction(-1, 2)),
    ("leaky_relu", {"negative_slope": 3}, 3, 1),
    ("softplus", {"beta": 2}, 1, 0),
    ("elu", {"alpha": 2}, 2, 0),
    ("elu", {"alpha": Fraction(1, 2)}, 1, 0),
    ("celu", {"alpha": 2}, 1, 0),
    ("hard_tanh", {"min_val": -2, "max_val": 3}, 1, 0),
])
def test_parametrised_derivative_bounds(name, kw, sup_ref, inf_ref):
    kw = {k: sympy.Rational(v.numerator, v.denominator) if isinstance(v, Fraction) else v for k, v in kw.items()}
    b = sa.derivative_bounds(sa.activation(name, **kw))
    with mp.workdps(DPS):
        contains(b.sup, mp.mpf(sup_ref.numerator) / sup_ref.denominator if isinstance(sup_ref, Fraction) else sup_ref)
        contains(b.inf, mp.mpf(inf_ref.numerator) / inf_ref.denominator if isinstance(inf_ref, Fraction) else inf_ref)


# -- sup/inf of monotone catalogue entries on intervals (kinks inside or at the ends) ------------

MONOTONE = ["sigmoid", "tanh", "relu", "leaky_relu", "elu", "selu", "softplus", "softsign", "hard_sigmoid",
            "hard_tanh", "relu6", "log_sigmoid", "tanhshrink", "softshrink", "squareplus", "sparse_plus",
            "sparse_sigmoid", "arctan", "bent_identity", "celu", "threshold"]


@few
@given(name=st.sampled_from(MONOTONE), a=st.fractions(-8, 8, max_denominator=4), w=st.fractions(Fraction(1, 4), 10, max_denominator=4))
def test_sup_inf_of_monotone_entries_on_intervals(name, a, w):
    lo, hi = a, a + w
    phi = CATALOGUE[name][0]
    iv = sympy.Interval(sympy.Rational(lo.numerator, lo.denominator), sympy.Rational(hi.numerator, hi.denominator))
    with mp.workdps(DPS):
        contains(sa.sup(sa.activation(name), iv), phi(mp.mpf(hi.numerator) / hi.denominator), f"sup {name} on {iv}")
        contains(sa.inf(sa.activation(name), iv), phi(mp.mpf(lo.numerator) / lo.denominator), f"inf {name} on {iv}")


# -- stacks, spectral norms, check_depth ---------------------------------------------------------

def test_gradient_bound_of_a_stack_is_the_product():
    # sigmoid with weight 2 (Lipschitz 1/4), tanh with weight 3/2 (1), silu with weight 1 (sup |silu'|)
    g = sa.gradient_bound([("sigmoid", 2), ("tanh", sympy.Rational(3, 2)), ("silu", 1)])
    with mp.workdps(DPS):
        contains(g, mp.mpf(2) / 4 * mp.mpf(3) / 2 * _lip("silu"), "stack bound")


W3 = [[1, 2, 0], [3, 4, -1], [0, sympy.Rational(1, 2), 5]]


def _svd_max(W):
    with mp.workdps(DPS):
        return max(mp.svd_r(mp.matrix([[mp.mpf(sympy.N(v, DPS)) for v in row] for row in W]), compute_uv=False))


def test_spectral_norm_is_the_largest_singular_value():
    value, exact = sa.spectral_norm(sympy.Matrix(W3))
    with mp.workdps(DPS):
        assert exact and abs(mp.mpf(sympy.re(sympy.N(value, DPS))) - _svd_max(W3)) < mp.mpf(10) ** -35


@pytest.mark.parametrize("W", [
    [[3, 0], [0, -4]], [[1, 2], [3, 4]],
    W3,  # a cubic eigenvalue in casus irreducibilis
])
def test_gradient_bound_with_a_matrix_weight(W):
    g = sa.gradient_bound("tanh", 3, weight=sympy.Matrix(W))
    with mp.workdps(DPS):
        contains(g, _svd_max(W) ** 3, "tanh bound with a matrix weight")


@pytest.mark.parametrize("name, layers, eps", [("sigmoid", 10, "1e-6"), ("sigmoid", 9, "1e-6"), ("tanh", 5, "1e-6"),
                                              ("silu", 10**6, "1e-3"), ("silu", 3, "1e-3")])
def test_check_depth_agrees_with_the_bound(name, layers, eps):
    # the bound is attained by a worst-case chain: "below eps" holds exactly when L^n < eps;
    # with a certified (not exact) L symact may also say undecided when it does not hold
    with mp.workdps(DPS):
        truth = bool(_lip(name) ** layers < mp.mpf(eps))
    holds = sa.check_depth(name, layers, sympy.Float(eps, 30)).holds
    allowed = (truth,) if truth or sa.derivative_bounds(name).sup.level == "exact" else (False, None)
    assert holds in allowed, f"check_depth({name}, {layers}, {eps}) = {holds}, the bound is {'<' if truth else '>='} eps"
