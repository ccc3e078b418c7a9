"""Shaping: Krawczyk's existence/uniqueness proof, and agreement with dks's own tested parameters.

The reference values are dks's (google-deepmind/dks, tests/test_activation_transform.py,
``check(("tanh", "softplus"), "DKS", ...)``); their local C'(1) target (dks derives it from a
ResNet's maximal slope function) is recovered here with dks's formulas
(``_calc_c_slope`` with ``q_output = 1``) evaluated by mpmath, then symact solves for it.
"""

import mpmath
import pytest
import sympy
from flint import arb

from symact.propagation.shape_proof import krawczyk_shape
from symact.propagation.shaping import shape

DKS_TESTED = {  # dks's expected DKS parameters (c_slope_1_target = 1.2 through its ResNet)
    "tanh": ("0.07461073057540868", "0.5566915199964182", "-0.5034378768692127", "18.002635964442558"),
    "softplus": ("0.18761008168267976", "0.40688063442262007", "-0.9213466151411376", "8.878672543665223"),
    "gelu": ("0.07043253126531114", "0.259489297927707", "-0.15815378961903598", "20.21158902315857"),
}  # dks's "gelu_exact" is the erf form, symact's "gelu"
PHI = {"tanh": (mpmath.tanh, lambda y: mpmath.sech(y) ** 2),
       "softplus": (lambda y: mpmath.log1p(mpmath.exp(y)), lambda y: 1 / (1 + mpmath.exp(-y))),
       "gelu": (lambda y: y / 2 * (1 + mpmath.erf(y / mpmath.sqrt(2))),
                lambda y: (1 + mpmath.erf(y / mpmath.sqrt(2))) / 2 + y * mpmath.npdf(y))}


def gmean(f):  # the mass beyond |z| = 13 is below 1e-37
    return mpmath.quad(lambda z: f(z) * mpmath.exp(-z * z / 2), [-13, -3, 0, 3, 13]) / mpmath.sqrt(2 * mpmath.pi)


@pytest.mark.parametrize("name", ["tanh", "softplus", "gelu"])
def test_matches_dks_tested_parameters(name):
    f, df = PHI[name]
    with mpmath.workdps(20):
        a, b, d, g = (mpmath.mpf(v) for v in DKS_TESTED[name])
        phi = lambda z: g * (f(a * z + b) + d)  # noqa: E731  dks _transform_activation
        dphi = lambda z: g * a * df(a * z + b)  # noqa: E731
        assert abs(gmean(lambda z: z * phi(z) * dphi(z)) - 1) < 1e-8  # dks _calc_q_slope_1 = 1
        assert abs(gmean(phi)) < 1e-8  # C(0) = 0 (local_c_val_0_target = 0)
        zeta = gmean(lambda z: dphi(z) ** 2)  # dks _calc_c_slope(q_output=1): the local target
        s = shape(name, zeta=sympy.Rational(mpmath.nstr(zeta, 17)), start=(0.1, 0.5), dps=20)
        got = (s.input_scale.value, s.input_shift.value, s.output_shift.value, s.output_scale.value)
        for v, ref in zip(got, (a, b, d, g), strict=True):
            assert abs(mpmath.mpf(str(v)) - ref) < 1e-7 * max(1, abs(ref))  # dks tests 7 decimals
    assert s.unique


def test_krawczyk_encloses_an_independent_root():
    s = shape("tanh", zeta=sympy.Rational(3, 2), dps=20)
    assert s.unique
    with mpmath.workdps(25):
        def F(a, b):
            m0 = gmean(lambda z: mpmath.tanh(a * z + b))
            v = gmean(lambda z: mpmath.tanh(a * z + b) ** 2) - m0**2
            n = gmean(lambda z: z * mpmath.tanh(a * z + b) * mpmath.sech(a * z + b) ** 2) \
                - m0 * gmean(lambda z: z * mpmath.sech(a * z + b) ** 2)
            return [a * n / v - 1, a * a * gmean(lambda z: mpmath.sech(a * z + b) ** 4) / v - mpmath.mpf(3) / 2]
        a, b = mpmath.findroot(F, (mpmath.mpf("1.2832"), mpmath.mpf("1.5784")))
        lo, hi = s.proof.input_scale.enclosure
        assert lo - mpmath.mpf("1e-18") <= a <= hi + mpmath.mpf("1e-18")
        lo, hi = s.proof.input_shift.enclosure
        assert lo - mpmath.mpf("1e-18") <= b <= hi + mpmath.mpf("1e-18")


def test_krawczyk_refuses_a_box_without_the_root():
    s = shape("tanh", zeta=sympy.Rational(3, 2), dps=15)
    p = krawczyk_shape(s.act, sympy.Rational(str(s.input_scale.value)) + sympy.Rational(1, 10**4),
                       sympy.Rational(str(s.input_shift.value)), 1, arb(3) / 2, dps=15)
    assert not p.proved and p.record.level == "sampled"
