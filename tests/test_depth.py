"""gradient_bound follows the result protocol and shows only certified digits.

The truths are computed here with mpmath (findroot of phi'' on the hand-written reference
formulas at 45 digits), never taken from symact.
"""

from __future__ import annotations

import pickle

import mpmath as mp
import pytest
import sympy

import symact as sa
from tests.reference import REFERENCE


def _silu_lipschitz():
    with mp.workdps(45):
        f = REFERENCE["silu"]
        r = mp.findroot(lambda t: mp.diff(f, t, 2), mp.mpf("2.4"))
        return mp.diff(f, r, 1)


def test_rate_shows_only_true_digits():
    gb = sa.gradient_bound("silu", 1, weight=sympy.Rational(1, 2))
    with mp.workdps(45):
        truth = _silu_lipschitz() / 2
        text = str(gb.rate)
        n = len(text.replace(".", "").lstrip("0"))
        assert n >= 15
        assert mp.nstr(truth, n, strip_zeros=False) == mp.nstr(mp.mpf(text), n, strip_zeros=False), (text, truth)
        lo, hi = gb.rate.enclosure
        assert lo <= truth <= hi
        # the bound itself is a rigorous upper bound
        assert mp.mpf(sympy.N(gb.expr, 45)) >= truth


def test_protocol_and_pickle():
    for act, w in (("silu", 1), ("sigmoid", 2), ("mish", sympy.Rational(1, 3))):
        gb = sa.gradient_bound(act, 3, weight=w)
        assert pickle.loads(pickle.dumps(gb)) == gb
        assert gb.level in ("exact", "certified")
        assert float(gb) == pytest.approx(float(sympy.N(gb.expr)))
        assert sympy.sympify(gb) == gb.expr
        assert sympy.latex(gb)
        lo, hi = gb.enclosure
        with mp.workdps(40):
            assert lo <= mp.mpf(sympy.N(gb.expr, 40)) <= hi
    assert sa.gradient_bound("sigmoid", 10).level == "exact"
    assert sa.gradient_bound("sigmoid", 10) < 1e-6


def test_depth_from_certified_rate_is_guaranteed():
    gb = sa.gradient_bound("silu", 1, weight=sympy.Rational(1, 2))
    k = gb.depth_below(sympy.Rational(1, 10**6))
    with mp.workdps(45):
        r = _silu_lipschitz() / 2
        assert r**k < mp.mpf(10) ** -6 <= r ** (k - 1)


def test_certified_describe_has_no_false_digits():
    text = sa.gradient_bound("silu", 2).describe()
    assert "1.0998393201288669170" in text or "1.099839320128866917" in text


def _mish_lipschitz():
    with mp.workdps(60):
        f = REFERENCE["mish"]
        r = mp.findroot(lambda t: mp.diff(f, t, 2), mp.mpf("1.2"))
        return mp.diff(f, r, 1)


def _shown(text):
    """(value, number of significant digits) of a printed decimal."""
    import decimal

    d = decimal.Decimal(text)
    return mp.mpf(text), len(d.as_tuple().digits), d.adjusted()


@pytest.mark.parametrize("layers", [1, 10, 1000])
def test_printed_bound_shows_only_certified_digits(layers):
    gb = sa.gradient_bound("mish", layers)
    line = gb.describe().splitlines()[0]
    text = line.split("<=")[1].split()[0]
    assert text in repr(gb)
    with mp.workdps(60):
        truth = _mish_lipschitz() ** layers
        v, digits, e = _shown(text)
        assert v >= truth  # still a bound
        # every digit but the last is a true digit: the bound exceeds the truth by < 2 units
        # of its last place (before the fix, 32 digits were shown of a 28-digit enclosure)
        assert v - truth < 2 * mp.mpf(10) ** (e - digits + 1), (text, truth)
        assert digits >= 15
        rate, rd, re_ = _shown(str(gb.rate.bound))
        assert rate >= truth ** (mp.mpf(1) / layers)
        assert rate - _mish_lipschitz() < 2 * mp.mpf(10) ** (re_ - rd + 1)


def test_mixed_chain_of_certified_slopes_is_rounded_outward():
    gb = sa.gradient_bound([("mish", 1), ("mish", sympy.Rational(1, 2))])
    text = str(gb.expr)
    with mp.workdps(60):
        truth = _mish_lipschitz() ** 2 / 2
        v, digits, e = _shown(text)
        assert v >= truth and v - truth < 2 * mp.mpf(10) ** (e - digits + 1), (text, truth)


def test_certified_extremum_prints_an_enclosing_interval():
    from symact.analysis.certify import certified_extremum

    with mp.workdps(60):
        truth = _mish_lipschitz()
    f = sympy.diff(sa.activation("mish").expr, sa.x)
    r = certified_extremum(f, sa.x, "sup", lo=-10, hi=10, dps=30)
    lo_text, hi_text = repr(r).split("[", 1)[1].split("]")[0].split(", ")
    with mp.workdps(60):
        assert mp.mpf(lo_text) <= truth <= mp.mpf(hi_text)


def test_derivation_bound_is_rounded_up():
    import re

    text = sa.derive("mish").text()
    m = re.search(r"≤ \(([0-9.]+)\)ⁿ", text)
    assert m, text[:500]
    with mp.workdps(60):
        truth = _mish_lipschitz()
        v, digits, e = _shown(m.group(1))
        assert v >= truth and v - truth < 2 * mp.mpf(10) ** (e - digits + 1), (m.group(1), truth)


def test_plot_label_bound_is_rounded_up():
    import re

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ax = sa.plot.gradient_product(["mish"], 10)
    try:
        labels = [ln.get_label() for ln in ax.get_lines()]
        m = [re.search(r"\\left\(([0-9.]+)\\right\)\^n", t) for t in labels]
        (shown,) = [x.group(1) for x in m if x]
        with mp.workdps(60):
            assert mp.mpf(shown) >= _mish_lipschitz()
            assert len(shown.replace(".", "").lstrip("0")) <= 4
    finally:
        plt.close(ax.figure)
