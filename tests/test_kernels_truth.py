"""NNGP/NTK truth suite: every exact or certified entry contains an independent reference.

References written here, not taken from symact: the arc-cosine recursion of Cho & Saul in
its angle form in mpmath at 60 digits; Williams' erf kernel in mpmath; neural-tangents'
``stax.ABRelu`` recursion reimplemented in float64; one- and two-dimensional mpmath
quadrature for tanh.  Invalid inputs each get one clean DomainError.
"""

import math
import time

import mpmath
import numpy as np
import pytest
import sympy

import symact as sa
from symact.core.budget import BudgetExceeded, time_budget
from symact.core.errors import DomainError
from symact.propagation.kernels import KernelValue, nngp, ntk

R = sympy.Rational


def arccos_reference(depth, w, b, q1, q2, c, neg=0, pos=1, dps=60):
    """Sigma, Theta (as dicts) for phi = neg*min(x, 0) + pos*max(x, 0), angle form, in mpmath."""
    with mpmath.workdps(dps):
        mp = lambda v: mpmath.mpf(v.p) / v.q if isinstance(v, sympy.Rational) else mpmath.mpf(v)  # noqa: E731
        w, b, q1, q2, c, neg, pos = (mp(sympy.Rational(v)) if not isinstance(v, float) else mpmath.mpf(v)
                                     for v in (w, b, q1, q2, c, neg, pos))
        m, f = (neg**2 + pos**2) / 2, (neg - pos) ** 2 / (2 * mpmath.pi)
        k = c * mpmath.sqrt(q1 * q2)
        t11, t22, t12 = q1, q2, k
        for _ in range(depth):
            s = mpmath.sqrt(q1 * q2)
            th = mpmath.acos(max(-1, min(1, k / s)))
            kk = s * (f * mpmath.sin(th) + (m - f * th) * mpmath.cos(th))
            kd = m - f * th
            n1, n2, nk = w * m * q1 + b, w * m * q2 + b, w * kk + b
            t11, t22, t12 = n1 + w * m * t11, n2 + w * m * t22, nk + w * kd * t12
            q1, q2, k = n1, n2, nk
        return {"nngp": {(0, 0): q1, (1, 1): q2, (0, 1): k}, "ntk": {(0, 0): t11, (1, 1): t22, (0, 1): t12}}


SLACK = mpmath.mpf(10) ** -50


def contains(q, ref, slack=SLACK):
    """ref in the enclosure, up to the reference's own rounding (``slack``, absolute)."""
    lo, hi = q.enclosure
    with mpmath.workdps(60):
        return lo - slack <= ref <= hi + slack


CASES = [  # (w, b, q1, q2, c)
    (2, 0, 1, 1, R(1, 2)), (2, R(1, 10), 1, 1, R(1, 2)), (R(3, 2), R(1, 20), 1, 1, R(1, 2)),
    (2, 0, 1, 1, 1), (2, 0, 1, 1, -1), (2, R(1, 10), 1, 1, -1), (2, R(1, 10), 1, 1, 1),
    (2, 0, 1, 3, 1), (2, R(1, 10), 1, 3, 1), (1, 0, R(1, 10**6), 10**6, R(-1, 3)),
    (10**6, R(1, 10**6), 2, R(1, 2), R(9, 10)), (R(1, 10**6), 10**6, 1, 1, 0), (2, 0, 1, 1, 0.3),
]


@pytest.mark.parametrize("depth", [1, 2, 5, 10, 50])
@pytest.mark.parametrize("case", CASES)
def test_relu_exact_contains_the_arccos_recursion(case, depth):
    w, b, q1, q2, c = case
    r = ntk("relu", depth, w, b, q1=q1, q2=q2, c=c)
    assert r.level == "exact"
    ref = arccos_reference(depth, w, b, q1, q2, c)
    for which in ("nngp", "ntk"):
        for (i, j), v in ref[which].items():
            q = getattr(r, which)[i][j]
            assert q.level == "exact" and not q.value.has(sympy.Float)
            assert contains(q, v), (which, i, j, q.enclosure, v)
            lo, hi = q.enclosure
            scale = mpmath.sqrt(ref[which][(i, i)] * ref[which][(j, j)])
            assert hi - lo <= scale * mpmath.mpf(10) ** -30


@pytest.mark.parametrize("name,neg,pos", [("leaky_relu", R(1, 100), 1), ("abs", -1, 1),
                                          ("identity", 1, 1)])
@pytest.mark.parametrize("c", [R(-1), R(-1, 2), R(1, 2), R(1)])
def test_piecewise_linear_family(name, neg, pos, c):
    act = sympy.Abs(sa.x) if name == "abs" else sa.activation(name)
    r = ntk(act, 7, R(3, 2), R(1, 20), q1=2, q2=R(1, 2), c=c)
    ref = arccos_reference(7, R(3, 2), R(1, 20), 2, R(1, 2), c, neg, pos)
    for which in ("nngp", "ntk"):
        for (i, j), v in ref[which].items():
            assert contains(getattr(r, which)[i][j], v)


def test_item2_float_inputs_are_their_binary_values():
    # before: 0.34242662818614/pi + 0.5 inside an "exact" value, wrong from the 16th digit
    r = ntk("relu", 3, 2, 0, q1=1, c=0.5)
    v = r.ntk[0][1]
    assert v.level == "exact" and not v.value.has(sympy.Float)
    assert contains(v, arccos_reference(3, 2, 0, 1, 1, R(1, 2))["ntk"][(0, 1)])
    assert str(v.evalf(22)) == "1.737844679215309023674"
    assert str(sympy.N(v, 22)) == "1.737844679215309023674"
    # c = 0.3 is 5404319552844595/18014398509481984, not 3/10: the kernel is the binary one's
    r = nngp("relu", 2, 2, 0, q1=1, c=0.3)
    ref = arccos_reference(2, 2, 0, 1, 1, sympy.Rational(0.3))
    ref10 = arccos_reference(2, 2, 0, 1, 1, R(3, 10))
    assert contains(r.nngp[0][1], ref["nngp"][(0, 1)])
    assert not contains(r.nngp[0][1], ref10["nngp"][(0, 1)])
    # a Gram matrix reads floats the same way
    g = nngp("relu", 2, 2, 0, gram=[[1.0, 0.3], [0.3, 1.0]])
    assert g.nngp[0][1].enclosure == r.nngp[0][1].enclosure


def test_deep_exact_kernel_is_a_recursion_not_an_expansion():
    t = time.perf_counter()
    r = ntk("relu", 200, 2, R(1, 10), q1=1, c=R(1, 2))
    elapsed = time.perf_counter() - t
    v = r.ntk[0][1]
    assert isinstance(v, KernelValue) and v.value == sympy.Symbol("Theta^201_12", real=True)
    assert contains(v, arccos_reference(200, 2, R(1, 10), 1, 1, R(1, 2))["ntk"][(0, 1)])
    assert elapsed < 20  # was > 600 s at depth 5 before the recursion (generous: a busy machine)
    # asking for more digits than held recomputes the recursion
    with mpmath.workdps(80):
        ref = arccos_reference(200, 2, R(1, 10), 1, 1, R(1, 2), dps=90)["ntk"][(0, 1)]
        assert abs(mpmath.mpf(str(v.evalf(60))) - ref) < mpmath.mpf(10) ** -55
    eqs = r.recursion(2)
    assert eqs[0].lhs == sympy.Symbol("Sigma^2_11", real=True) and eqs[0].rhs == R(11, 10)


def nt_abrelu(nngp_, prod, ntk_, a, b):  # neural-tangents stax.ABRelu, float64
    sq = np.sqrt(max(prod - nngp_**2, 0.0))
    ang = np.arctan2(sq, nngp_)
    fac = (a - b) ** 2 / (2 * np.pi)
    dot = (a**2 + b**2) / 2 - fac * ang
    return fac * sq + dot * nngp_, ntk_ * dot


def nt_relu(depth, w, b, q, c):
    s11 = s22 = q
    s12 = c * q
    t11, t22, t12 = s11, s22, s12
    for _ in range(depth):
        n11, d11 = nt_abrelu(s11, s11 * s11, t11, 0.0, 1.0)
        n12, d12 = nt_abrelu(s12, s11 * s22, t12, 0.0, 1.0)
        n22, d22 = nt_abrelu(s22, s22 * s22, t22, 0.0, 1.0)
        s11, s12, s22 = w * n11 + b, w * n12 + b, w * n22 + b
        t11, t12, t22 = s11 + w * d11, s12 + w * d12, s22 + w * d22
    return s12, t12


@pytest.mark.parametrize("depth", [5, 10, 50])
@pytest.mark.parametrize("wb", [(2, 0), (2, 0.1), (1.5, 0.05)])
def test_against_neural_tangents_float64(wb, depth):
    w, b = wb
    r = ntk("relu", depth, w, b, q1=1, c=0.5)
    s12, t12 = nt_relu(depth, w, b, 1.0, 0.5)
    # float64 with the binary inputs: neural-tangents agrees to rounding error
    assert float(r.nngp[0][1]) == pytest.approx(s12, rel=1e-12)
    assert float(r.ntk[0][1]) == pytest.approx(t12, rel=1e-12)


def williams_erf_reference(depth, w, b, q, c, dps=50):
    with mpmath.workdps(dps):
        w, b, q, c = (mpmath.mpf(v.p) / v.q for v in map(sympy.Rational, (w, b, q, c)))
        q1 = q2 = q
        k, t11, t12 = c * q, q, c * q
        for _ in range(depth):
            kk = 2 / mpmath.pi * mpmath.asin(2 * k / mpmath.sqrt((1 + 2 * q1) * (1 + 2 * q2)))
            kd = 4 / mpmath.pi / mpmath.sqrt((1 + 2 * q1) * (1 + 2 * q2) - 4 * k * k)
            kdd = 4 / mpmath.pi / mpmath.sqrt((1 + 2 * q1) ** 2 - 4 * q1 * q1)
            n1 = w * 2 / mpmath.pi * mpmath.asin(2 * q1 / (1 + 2 * q1)) + b
            nk = w * kk + b
            t11, t12 = n1 + w * kdd * t11, nk + w * kd * t12
            q1 = q2 = n1
            k = nk
        return k, t12, q1, t11


@pytest.mark.parametrize("c", [R(-1), R(1, 3), R(1)])
def test_erf_exact_against_williams(c):
    x = sympy.Symbol("x", real=True)
    r = ntk(sympy.erf(x), 6, R(5, 2), R(1, 10), q1=R(1, 2), c=c)
    assert r.level == "exact"
    k, t12, q, t11 = williams_erf_reference(6, R(5, 2), R(1, 10), R(1, 2), c)
    for qq, ref in ((r.nngp[0][1], k), (r.ntk[0][1], t12), (r.nngp[0][0], q), (r.ntk[0][0], t11)):
        assert contains(qq, ref)


def _gauss(f, dps=30):
    with mpmath.workdps(dps):
        return mpmath.quad(lambda z: f(z) * mpmath.exp(-z * z / 2), [-mpmath.inf, 0, mpmath.inf]) / \
            mpmath.sqrt(2 * mpmath.pi)


@pytest.mark.parametrize("c", [-1, 1])
def test_tanh_at_correlation_plus_minus_one(c):
    # before: "the correlation must lie in [-1, 1], got [1.000 +/- 2e-40]"
    r = ntk("tanh", 1, R(3, 2), 0, q1=1, c=c)
    with mpmath.workdps(40):
        e2 = _gauss(lambda z: mpmath.tanh(z) ** 2, 40)
        ed = _gauss(lambda z: mpmath.sech(z) ** 4, 40)
        assert contains(r.nngp[0][1], c * mpmath.mpf(3) / 2 * e2)
        assert contains(r.ntk[0][1], c * mpmath.mpf(3) / 2 * e2 + mpmath.mpf(3) / 2 * ed * c)
        assert contains(r.nngp[0][0], mpmath.mpf(3) / 2 * e2)


def test_tanh_certified_against_two_dimensional_quadrature():
    from scipy import integrate

    r = nngp("tanh", 1, 1, R(1, 10), q1=1, q2=2, c=R(1, 2))
    s = math.sqrt(3) / 2
    dens = lambda z: math.exp(-z * z / 2) / math.sqrt(2 * math.pi)  # noqa: E731
    ref, _err = integrate.dblquad(
        lambda z2, z1: math.tanh(z1) * math.tanh(math.sqrt(2) * (z1 / 2 + s * z2)) * dens(z1) * dens(z2),
        -12, 12, -12, 12, epsabs=1e-13, epsrel=1e-13)
    assert r.level == "certified"
    assert contains(r.nngp[0][1], mpmath.mpf(ref) + mpmath.mpf(1) / 10, slack=mpmath.mpf(10) ** -11)
    assert not contains(r.nngp[0][1], mpmath.mpf(ref) + mpmath.mpf(1) / 10 + mpmath.mpf(10) ** -9,
                        slack=mpmath.mpf(10) ** -11)


def test_deep_relu_with_bias_is_finite():
    # before: nan (CertificationError) at depth 10, bias_var = 1/10
    r = nngp("relu", 10, 2, R(1, 10), q1=1, c=R(1, 2))
    assert contains(r.nngp[0][1], arccos_reference(10, 2, R(1, 10), 1, 1, R(1, 2))["nngp"][(0, 1)])


def test_sign_kernel_is_infinite_where_the_ntk_has_dirac_masses():
    x = sympy.Symbol("x", real=True)
    r = ntk(sympy.sign(x), 2, 1, 0, q1=1, c=R(1, 2))
    assert r.ntk[0][0].value == sympy.oo and r.ntk[0][1].level == "exact"
    with mpmath.workdps(40):
        k1 = 2 / mpmath.pi * mpmath.asin(mpmath.mpf(1) / 2)
        assert contains(r.nngp[0][1], 2 / mpmath.pi * mpmath.asin(k1))


BAD = [
    (dict(q1=-1, c=0.5), "q1 must be a positive number"),
    (dict(q1=0, c=0.5), "q1 must be a positive number"),
    (dict(q1=1, q2=-2, c=0.5), "q2 must be a positive number"),
    (dict(q1=1, c=1.5), "c must lie in [-1, 1]"),
    (dict(q1=1, c=-1.0000001), "c must lie in [-1, 1]"),
    (dict(q1=1, c=float("nan")), "c must be a finite real number"),
    (dict(q1=float("inf"), c=0), "q1 must be a finite real number"),
    (dict(q1=1, c="x + 1"), "c must be a finite real number"),
    (dict(q1=1, c=sympy.I), "c must be a finite real number"),
    (dict(q1=1, c=True), "c must be a finite real number"),
    (dict(q1=1, q2=2), "give the correlation c"),
    (dict(), "give the inputs"),
    (dict(gram=[[1, 2], [2, 1]]), "must lie in [-1, 1]"),
    (dict(gram=[[1, R(1, 2)], [R(1, 3), 1]]), "gram must be symmetric"),
    (dict(gram=[[1, 0]]), "square matrix"),
    (dict(gram=[[-1]]), "gram[0][0] must be a positive number"),
    (dict(gram=[[1]], q1=1), "not both"),
]


@pytest.mark.parametrize("kwargs,message", BAD)
def test_invalid_inputs_one_clean_error(kwargs, message):
    for f in (nngp, ntk):
        with pytest.raises(DomainError) as info:
            f("relu", 3, 2, 0, **kwargs)
        assert message in str(info.value)


@pytest.mark.parametrize("args,message", [
    ((-1, 2, 0), "depth must be an integer >= 1"), ((0, 2, 0), "depth must be an integer >= 1"),
    ((2.5, 2, 0), "depth must be an integer >= 1"), ((True, 2, 0), "depth must be an integer >= 1"),
    ((3, -2, 0), "weight_var must be a positive number"), ((3, 0, 0), "weight_var must be a positive number"),
    ((3, 2, -1), "bias_var must be a non-negative number"), ((3, 2, "1/0"), "bias_var must be"),
])
@pytest.mark.parametrize("act", ["relu", "tanh"])
def test_invalid_depth_and_variances(act, args, message):
    with pytest.raises(DomainError) as info:
        ntk(act, *args, q1=1, c=0.5)
    assert message in str(info.value)


def test_spectrum_and_cmap_refuse_invalid_inputs():
    for call, message in [
        (lambda: sa.jacobian_spectrum("tanh", 2, 0, -1), "depth must be an integer >= 1"),
        (lambda: sa.jacobian_spectrum("relu", -2, 0, 10), "weight_var must be a positive number"),
        (lambda: sa.jacobian_spectrum("tanh", 2, -1, 10), "bias_var must be a non-negative number"),
        (lambda: sa.correlation_map("tanh", -1), "weight_var must be a positive number"),
        (lambda: sa.correlation_map("relu", 2)(1.5), "c must lie in [-1, 1]"),
        (lambda: sa.q_map("tanh", 1, -0.5), "bias_var must be a non-negative number"),
        (lambda: sa.isometry("tanh", -3), "depth must be an integer >= 1"),
    ]:
        with pytest.raises(DomainError) as info:
            call()
        assert message in str(info.value)


def test_cli_spectrum_refuses_negative_depth(capsys):
    from symact.presentation.cli import main

    assert main(["spectrum", "tanh", "--depth", "-1"]) == 2
    assert "depth must be an integer >= 1" in capsys.readouterr().err


def test_expired_budget_inside_an_integrand_is_budget_exceeded():
    # the watchdog's interruption can land inside acb.integral's callback; python-flint then
    # raised SystemError (item 11).  Whatever it interrupts, the caller sees BudgetExceeded.
    for seconds in (0.3, 0.7, 1.1):
        with pytest.raises(BudgetExceeded):
            with time_budget(seconds):
                ntk("tanh", 500, R(3, 2), R(1, 20), q1=1, c=R(1, 2))


def test_sign_ntk_at_anticorrelated_inputs_is_minus_infinity():
    x = sympy.Symbol("x", real=True)
    r = ntk(sympy.sign(x), 3, 2, R(1, 10), q1=1, q2=2, c=-1)
    assert (r.ntk[0][0].value, r.ntk[0][1].value) == (sympy.oo, -sympy.oo)


def nt_gelu_mpmath(depth, w, b, q1, q2, c, dps=50):
    """neural-tangents' stax.Gelu formulas, in mpmath (Tsuchida et al. 2021)."""
    with mpmath.workdps(dps):
        w, b, q1, q2, c = (mpmath.mpf(v.p) / v.q for v in map(sympy.Rational, (w, b, q1, q2, c)))
        k = c * mpmath.sqrt(q1 * q2)
        t = k

        def kern(k, q1, q2):
            prod, pp1 = q1 * q2, (q1 + 1) * (q2 + 1)
            d2 = pp1 - k * k
            d = mpmath.sqrt(d2)
            ang = mpmath.atan2(k, d)
            new = ((k * k + prod * d2) / (pp1 * d) + k * ang) / (2 * mpmath.pi) + k / 4
            dot = (1 / d2 + (1 - prod) / pp1 + 1) * k / d / (2 * mpmath.pi) + mpmath.mpf(1) / 4 + \
                ang / (2 * mpmath.pi)
            return new, dot

        for _ in range(depth):
            kk, kd = kern(k, q1, q2)
            n1, n2 = w * kern(q1, q1, q1)[0] + b, w * kern(q2, q2, q2)[0] + b
            k, t = w * kk + b, w * kk + b + w * kd * t
            q1, q2 = n1, n2
        return k, t


@pytest.mark.parametrize("c", [-1, R(1, 3), 1])
def test_gelu_exact_against_neural_tangents_formula(c):
    r = ntk("gelu", 20, 2, R(1, 10), q1=1, q2=2, c=c)
    assert r.level == "exact"
    k, t = nt_gelu_mpmath(20, 2, R(1, 10), 1, 2, c)
    assert contains(r.nngp[0][1], k) and contains(r.ntk[0][1], t)


def test_expired_budget_inside_the_nested_integral_is_budget_exceeded():
    # elish needs the nested 2-D integral, whose integrand caught every Exception: the budget's
    # interruption arrived wrapped in python-flint's SystemError and came out as a
    # CertificationError ("2-D integral not enclosed"), blaming the mathematics
    with pytest.raises(BudgetExceeded):
        with time_budget(1.5):
            ntk("elish", 1, 2, 0, q1=1, c=R(1, 2))


@pytest.mark.parametrize("c", [1, -1])
def test_kinked_activation_at_correlation_one_with_unequal_variances(c):
    # hard_tanh at c = +-1, q1 != q2: v = c u / sqrt(2), one-dimensional with kinks at +-1 and
    # +-sqrt(2) in z (was: "Cannot hash non-exact arb" from the set of kink positions)
    r = nngp("hard_tanh", 1, R(3, 2), R(1, 20), q1=1, q2=R(1, 2), c=c)
    ht = lambda t: max(-1, min(1, t))  # noqa: E731
    with mpmath.workdps(30):
        e = mpmath.quad(lambda z: ht(z) * ht(c * z / mpmath.sqrt(2)) * mpmath.exp(-z * z / 2),
                        [-mpmath.inf, -mpmath.sqrt(2), -1, 0, 1, mpmath.sqrt(2), mpmath.inf])
        ref = mpmath.mpf(3) / 2 * e / mpmath.sqrt(2 * mpmath.pi) + mpmath.mpf(1) / 20
    assert contains(r.nngp[0][1], ref, slack=mpmath.mpf(10) ** -25)
