"""chi_1 of an activation that jumps says it uses the almost-everywhere derivative.

References are closed forms: for hardshrink (lambda = 1/2) the a.e. derivative is the
indicator of |x| > 1/2, so E[phi'(sqrt(q) z)^2] = P(|z| > 1/(2 sqrt(q))) = erfc(1/(2 sqrt(2 q))).
"""

from __future__ import annotations

import mpmath as mp
import pytest
import sympy

import symact as sa
from symact.propagation.meanfield import chi1, mean_field


@pytest.mark.parametrize("q", [1, sympy.Rational(1, 4), 3])
def test_hardshrink_chi1_is_the_almost_everywhere_one(q):
    c = chi1("hardshrink", 2, q=q)
    with mp.workdps(40):
        ref = 2 * mp.erfc(1 / (2 * mp.sqrt(2 * mp.mpf(q))))
        lo, hi = c.enclosure
        assert lo <= ref <= hi
        assert hi - lo < mp.mpf(10) ** -20
    assert c.details["derivative"] == "almost everywhere"
    assert c.details["jumps"] == (-sympy.Rational(1, 2), sympy.Rational(1, 2))


def test_mean_field_records_the_convention_and_says_so():
    mf = mean_field("hardshrink", 2)
    rec = [r for r in mf.steps if r.kind == "convention"]
    assert len(rec) == 1 and rec[0]["distributional"] == sympy.oo
    assert mf.chi1.details["derivative"] == "almost everywhere"
    assert all(p.chi1.details.get("derivative") == "almost everywhere" for p in mf.fixed_points)
    text = mf.describe()
    assert "almost-everywhere derivative" in text and "infinite" in text


def test_user_step_function():
    # sign(x): phi' = 0 almost everywhere, so chi_1 = 0; distributionally 2 delta(x)
    c = chi1(sa.define("sgn", "sign(x)"), 3, q=1)
    assert c.value == 0 and c.details["jumps"] == (0,)


@pytest.mark.parametrize("name", ["relu", "hard_tanh", "tanh"])
def test_continuous_activations_have_no_convention_note(name):
    mf = mean_field(name, 1)
    assert "derivative" not in mf.chi1.details
    assert not [r for r in mf.steps if r.kind == "convention"]
    assert "almost-everywhere" not in mf.describe()


def test_derivation_says_which_chi1():
    text = sa.derive("hardshrink").text()
    assert "almost-everywhere derivative" in text and "distributional" in text
