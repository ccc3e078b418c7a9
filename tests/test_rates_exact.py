"""regime_of / depth_scale of exact rates decide from the rigorous enclosure; values vs mpmath."""

from __future__ import annotations

import mpmath as mp
import pytest
import sympy

from symact.core.result import Quantity
from symact.propagation.rates import depth_scale, regime_of


@pytest.mark.parametrize("value, regime", [
    (sympy.Rational(1, 2) + sympy.sqrt(2) / 10, "ordered"),
    (sympy.exp(sympy.Rational(1, 10)), "chaotic"),
    (sympy.Integer(1), "critical"),
    (sympy.sqrt(2) * sympy.sqrt(2) / 2, "critical"),
])
def test_regime_and_depth_scale(value, regime):
    q = Quantity(value, "exact", method="test")
    assert regime_of(q) == regime
    xi = depth_scale(q)
    assert xi.level == "exact"
    if regime == "critical":
        assert xi.value == sympy.oo
        return
    with mp.workdps(50):
        r = mp.mpf(sympy.N(value, 50))
        ref = 1 / abs(mp.log(r))
        lo, hi = xi.enclosure
        assert lo <= ref <= hi and hi - lo < mp.mpf(10) ** -25
        assert abs(mp.mpf(sympy.N(xi.value, 50)) - ref) < mp.mpf(10) ** -40  # the closed form too
