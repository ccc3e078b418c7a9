"""Constants enter Arb as balls of the numbers they stand for (issue 20, item 13).

SymPy folds a Float into its neighbours with rounding: ``exp(a*x + b).subs`` with Float a, b
gives a 30-digit Float coefficient for exp(b), and ``expand(exp(x + Float))`` does the same.
Each test feeds such constants and compares the enclosure with an independent 60-digit
mpmath computation of a closed form; every one fails when a rounded Float is taken as exact.
"""

import flint
import mpmath
import pytest
import sympy

from symact.core.precision import workdps
from symact.expressions.activation import x
from symact.gaussian.conditioned import poly_exp_pieces
from symact.propagation.shape_proof import ShapeMoments, point_ball
from symact.propagation.shaping import shape


def _ncdf(t):
    return mpmath.ncdf(t)


def elu_moments(a, b):
    """Closed forms for ELU (alpha = 1) at y = a z + b, z ~ N(0, 1), a > 0 (mpmath, current dps)."""
    u = b / a
    def ex(t):  # E[e^{t y}; y < 0]
        return mpmath.exp(t * b + t * t * a * a / 2) * _ncdf(-u - t * a)
    m0 = b * _ncdf(u) + a * mpmath.npdf(u) + ex(1) - _ncdf(-u)
    m2 = (b * b + a * a) * _ncdf(u) + a * b * mpmath.npdf(u) + ex(2) - 2 * ex(1) + _ncdf(-u)
    d1sq = _ncdf(u) + ex(2)  # E[phi'^2]
    phi_phi2 = ex(2) - ex(1)  # E[phi phi'']
    d2 = ex(1)  # E[phi'']
    v = m2 - m0 * m0
    qslope = a * a * (d1sq + phi_phi2 - m0 * d2) / v  # Stein: E[z g(y)] = a E[g'(y)]
    return m0, v, qslope, a * a * d1sq / v, a**4 * ex(2) / v


def test_elu_box_moments_at_a_float_point_contain_the_closed_form():
    a, b = sympy.Float("0.75039215750922209887", 30), sympy.Float("-0.51292789985374137200", 30)
    M = ShapeMoments(_elu(), 2, dps=40)
    with workdps(40):
        A, B = point_ball(a, 40), point_ball(b, 40)
        got = M(0, (0,), A, B)
    with mpmath.workdps(60):
        am = mpmath.mpf(A.mid().str(80, radius=False))  # the exact binary point the ball holds
        bm = mpmath.mpf(B.mid().str(80, radius=False))
        ref = elu_moments(am, bm)[0]
        assert got.contains(flint.arb(mpmath.nstr(ref, 55))) or abs(ref - mpmath.mpf(got.mid().str(60, radius=False))) <= mpmath.mpf(got.rad().str(5, radius=False))


def _elu():
    import symact as sa
    return sa.activation("elu")


def _inside(q, v):
    lo, hi = q.enclosure
    return lo <= v <= hi


@pytest.mark.parametrize("method, target, start", [("tat", "0.3", None), ("dks", "1.3", None),
                                                   ("tat", "0.3", (0.19, -0.24))])
def test_elu_shaping_encloses_the_closed_form_root(method, target, start):
    s = shape("elu", method=method, **({"tau": float(target)} if method == "tat" else {"zeta": float(target)}),
              dps=30, start=start)
    assert s.unique and s.input_scale.level == "certified" and s.output_shift.level == "certified"
    with mpmath.workdps(60):
        t = mpmath.mpf(target)
        def F(a, b):
            _, _, q, c1, c2 = elu_moments(a, b)
            return [q - 1, (c1 if method == "dks" else c2) - t]
        a, b = mpmath.findroot(F, (mpmath.mpf(str(s.input_scale.value)), mpmath.mpf(str(s.input_shift.value))))
        assert _inside(s.input_scale, a) and _inside(s.input_shift, b)
        m0, v, *_ = elu_moments(a, b)
        # the output shift and scale hold for the exact root, to about 30 digits
        assert _inside(s.output_shift, -m0) and _inside(s.output_scale, 1 / mpmath.sqrt(v))
        assert s.output_shift.enclosure[1] - s.output_shift.enclosure[0] < mpmath.mpf("1e-29")
        assert s.input_scale.enclosure[1] - s.input_scale.enclosure[0] < mpmath.mpf("1e-29")


def test_conditioned_pieces_keep_exp_of_a_float_exact():
    c = sympy.Float("0.1", 30)
    e = sympy.exp(sympy.Add(x, c, evaluate=False), evaluate=False)  # unfolded, as a Float subs can leave it
    with workdps(50):
        (_lo, _hi, terms), = poly_exp_pieces(e, x, 50)
        coef = terms[0][0]
    with mpmath.workdps(70):
        ref = mpmath.exp(mpmath.mpf(c._mpf_))  # exp of the Float's exact binary value
        assert abs(mpmath.mpf(coef.mid().str(70, radius=False)) - ref) <= mpmath.mpf(coef.rad().str(5, radius=False)) * 2 + mpmath.mpf("1e-60")


def test_negative_certified_values_keep_all_their_digits():
    """A negative enclosure certified to 40 digits prints 40 (Decimal negation outside its context rounded to 28)."""
    from symact.core.result import honest_float

    with mpmath.workdps(60):
        v = -mpmath.pi / 6
        lo, hi = v - mpmath.mpf(10) ** -50, v + mpmath.mpf(10) ** -50
        f = honest_float(lo, hi, 40)
        assert abs(mpmath.mpf(str(f)) - v) < mpmath.mpf(10) ** -39


@pytest.mark.parametrize("k", [1, 2, 3])
def test_sigmoid_type_growth_bounds_hold_with_rate_zero(k):
    """softplus^(k) is bounded: the bound written in e^{-t} has rate 0 and holds (checked at 60 digits)."""
    from symact.numerics.growth import growth_bound

    d = sympy.diff(sympy.log(1 + sympy.exp(x)), x, k)
    g = growth_bound(d, x, 3)
    assert g.c == 0 and g.k == 0
    f = sympy.lambdify(x, d, "mpmath")
    with mpmath.workdps(60):
        bound = mpmath.mpf(g.M.upper().str(30, radius=False))
        for t in (3, 3.5, 5, 10, 40, 200):
            assert abs(f(mpmath.mpf(t))) <= bound


def test_shaped_expression_uses_exact_decimals():
    s = shape("tanh", dps=15)
    e = s.expr
    assert not e.atoms(sympy.Float)
    with mpmath.workdps(30):
        # phi_hat has mean ~0 and second moment ~1 (Q(1) = 1, C(0) = 0) at the printed digits
        f = sympy.lambdify(x, e, "mpmath")
        m0 = mpmath.quad(lambda z: f(z) * mpmath.npdf(z), [-12, 0, 12])
        m2 = mpmath.quad(lambda z: f(z) ** 2 * mpmath.npdf(z), [-12, 0, 12])
        assert abs(m0) < 1e-13 and abs(m2 - 1) < 1e-13
