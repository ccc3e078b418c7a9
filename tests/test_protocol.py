"""The result protocol, checked over the whole catalogue for every result type.

Each result must behave like the number it is (float, sympify, N, latex, pickle,
rigorous comparisons) and show only digits that are right.  "Right" is judged
against independent references: the catalogue's mpmath implementations in
``reference.py`` and closed forms, never symact's own output.
"""

from __future__ import annotations

import decimal
import pickle

import mpmath as mp
import pytest
import sympy
from hypothesis import example, given, settings
from hypothesis import strategies as st
from reference import REFERENCE

import symact as sa
from symact.core.result import certified_digits, honest_float

# -- independent references ------------------------------------------------------------


def _ref_sup_derivative(name: str) -> mp.mpf:
    """sup phi' by a grid plus Newton refinement on mp.diff of the mpmath reference."""
    f = REFERENCE[name]
    act = sa.activation(name)
    with mp.workdps(40):
        bad = [mp.mpf(sympy.N(b.point, 40)) for b in act.breakpoints]
        pts = [mp.mpf(i) / 10 for i in range(-200, 201)]
        pts = [p for p in pts if all(abs(p - b) > mp.mpf("1e-3") for b in bad)]
        vals = [(mp.diff(f, p), p) for p in pts]
        for b in bad:
            for s in (-1, 1):
                vals.append((mp.diff(f, b + s * mp.mpf("1e-25"), direction=s), b))
        for far in (-60, 60, -10**8, 10**8):
            vals.append((mp.diff(f, mp.mpf(far)), mp.mpf(far)))
        v, p = max(vals)
        if all(abs(p - b) > mp.mpf("1e-2") for b in bad) and abs(p) < 19:
            try:
                r = mp.findroot(lambda t: mp.diff(f, t, 2), p)
                v = max(v, mp.diff(f, r))
            except (ValueError, ZeroDivisionError):
                pass
        return v


_REFS: dict[str, mp.mpf] = {}


def ref_sup(name: str) -> mp.mpf:
    if name not in _REFS:
        _REFS[name] = _ref_sup_derivative(name)
    return _REFS[name]


# -- the protocol ------------------------------------------------------------------------


def correctly_rounded(text: str, ref: mp.mpf, slack: mp.mpf) -> bool:
    """Whether the decimal ``text`` is ``ref`` rounded to the digits shown (within ``slack``)."""
    d = decimal.Decimal(text)
    ulp = decimal.Decimal(1).scaleb(d.as_tuple().exponent)
    with mp.workdps(120):  # beyond the 80 digits the enclosures below are built with
        return abs(mp.mpf(text) - ref) <= mp.mpf(str(ulp)) / 2 + slack


def check_protocol(r, ref: mp.mpf | None = None, *, tight: bool = True) -> None:
    """``ref``: an independent value; ``tight=False`` when it is only a lower bound within 1e-12
    (a supremum approached at infinity, probed at a large finite point)."""
    assert isinstance(r, sa.Result)
    assert r.level in sa.LEVELS
    if r.level != "sampled":
        lo, hi = r.enclosure
        assert lo <= hi
        if ref is not None and mp.isfinite(ref):
            with mp.workdps(60):
                slack = mp.mpf(10) ** -22 * max(1, abs(ref))  # the reference probes kinks at 1e-25
                assert ref <= hi + slack, (r, ref)
                assert not tight or lo - slack <= ref, (r, ref)
    # behaves like a number
    s = sympy.sympify(r)
    assert isinstance(s, sympy.Expr) and s.is_number
    assert sympy.N(r, 10).is_Number or s.is_infinite
    tex = sympy.latex(r)
    assert "mathtt" not in tex and "text" not in tex
    assert r._repr_latex_().startswith("$")
    assert pickle.loads(pickle.dumps(r)) == r
    if ref is not None and mp.isfinite(ref):
        assert abs(float(r) - float(ref)) <= 1e-12 * max(1, abs(float(ref)))
    if ref is not None and mp.isfinite(ref) and tight:
        # comparisons decided rigorously, both ways
        assert r < float(ref) + 1e-6 * max(1, abs(float(ref)))
        assert r > float(ref) - 1e-6 * max(1, abs(float(ref)))
        assert not r > float(ref) + 1e-6 * max(1, abs(float(ref)))
        # every digit shown is right
        for digits in (5, 15, 20, 25):
            text = str(r.evalf(digits))
            if "e" in text.lower() or not any(c.isdigit() for c in text):
                continue
            assert correctly_rounded(text, ref, mp.mpf(10) ** -29), (digits, text, ref)


@pytest.mark.parametrize("name", sorted(REFERENCE))
def test_derivative_bounds_follow_the_protocol(name):
    b = sa.derivative_bounds(name)
    check_protocol(b.sup, ref_sup(name), tight=b.sup.attained)
    check_protocol(b.inf)
    assert pickle.loads(pickle.dumps(b)).sup == b.sup


def test_activation_pickles():
    for name in sa.names():
        act = sa.activation(name)
        assert pickle.loads(pickle.dumps(act)) == act


def test_exact_results_compare_exactly():
    s = sa.derivative_bounds("sigmoid").sup
    assert s.level == "exact"
    assert s == sympy.Rational(1, 4) and s == 0.25 and s != 0.2500000001
    assert float(s) == 0.25 and sympy.N(s) == sympy.Float(0.25)
    assert s < 0.3 and s <= sympy.Rational(1, 4) and not s < sympy.Rational(1, 4)
    assert sympy.latex(s) == r"\frac{1}{4}"


def test_certified_results_refuse_undecidable_comparisons():
    s = sa.derivative_bounds("silu").sup
    assert s.level == "certified"
    with mp.workdps(50):
        inside = (s.enclosure[0] + s.enclosure[1]) / 2
    with pytest.raises(sa.Undecided, match="larger dps"):
        _ = s < sympy.Float(inside, 50)
    with pytest.raises(sa.Undecided):
        _ = s == sympy.Float(inside, 50)
    assert s != 1.1


# -- honest digits, as a property ----------------------------------------------------------


@st.composite
def enclosures(draw):
    mant = draw(st.integers(1, 10**30))
    exp = draw(st.integers(-40, 10))
    width_digits = draw(st.integers(1, 35))
    sign = draw(st.sampled_from([1, -1]))
    with mp.workdps(80):
        centre = sign * mp.mpf(mant) * mp.mpf(10) ** (exp - 30)
        half = abs(centre) * mp.mpf(10) ** (-width_digits) * draw(st.floats(0.01, 1))
        return centre - half, centre + half, centre


@settings(max_examples=300, deadline=None)
@given(enclosures(), st.integers(1, 40))
@example((mp.mpf("0.99996"), mp.mpf("1.00004"), mp.mpf(1)), 4)
def test_shown_digits_are_the_correct_rounding_of_every_point_inside(enc, digits):
    lo, hi, centre = enc
    text = certified_digits(lo, hi, digits)
    if text is None:
        return
    with mp.workdps(80):
        for point in (lo, hi, centre):
            assert correctly_rounded(text, point, mp.mpf(0)), (text, point)
    f = honest_float(lo, hi, digits)
    with mp.workdps(80):
        assert correctly_rounded(str(f), centre, mp.mpf(0))
