"""DKS/TAT shaping: the conditions re-checked with dks's formulas, written here with mpmath."""

import mpmath
import pytest

from symact.propagation.shaping import shape


def gmean(f):
    return mpmath.quad(lambda z: f(z) * mpmath.exp(-z * z / 2), [-mpmath.inf, 0, mpmath.inf]) / mpmath.sqrt(2 * mpmath.pi)


@pytest.mark.parametrize("method", ["dks", "tat"])
def test_tanh_conditions_hold_in_dks_formulas(method):
    s = shape("tanh", method=method, dps=20)
    with mpmath.workdps(25):
        a, b = mpmath.mpf(str(s.input_scale.value)), mpmath.mpf(str(s.input_shift.value))
        d, g = mpmath.mpf(str(s.output_shift.value)), mpmath.mpf(str(s.output_scale.value))
        def phi(z):
            return g * (mpmath.tanh(a * z + b) + d)  # dks _transform_activation
        def dphi(z):
            return g * a / mpmath.cosh(a * z + b) ** 2
        def d2phi(z):
            return -2 * g * a * a * mpmath.tanh(a * z + b) / mpmath.cosh(a * z + b) ** 2
        assert abs(gmean(lambda z: phi(z) ** 2) - 1) < 1e-15  # Q(1) = 1
        assert abs(gmean(phi)) < 1e-15  # C(0) = 0
        assert abs(gmean(lambda z: z * phi(z) * dphi(z)) - 1) < 1e-15  # _calc_q_slope_1
        if method == "dks":
            assert abs(gmean(lambda z: dphi(z) ** 2) - mpmath.mpf("1.5")) < 1e-15  # _calc_c_slope
        else:
            assert abs(gmean(lambda z: d2phi(z) ** 2) - mpmath.mpf("0.3")) < 1e-15  # _calc_c_curv
