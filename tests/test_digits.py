"""Every digit through every door: sympy.N, evalf, float, latex, str of certified results.

The references are independent mpmath computations at 60+ digits written here
(quadrature, findroot, closed forms), never symact's own output.  A digit shown
must be right: ``evalf``, ``latex`` and ``str`` give the correct rounding of a
point of the enclosure (so within half a unit of the last digit of the truth);
``sympy.N`` rounds the way SymPy rounds its own constants (within one unit);
asking for more digits than are held recomputes instead of padding.
"""

from __future__ import annotations

import re

import mpmath as mp
import pytest
import sympy

import symact as sa
from symact.core.result import Quantity, certified_digits, honest_float, outward_float

# -- independent references at 60 digits ----------------------------------------------------

_SPLIT = [-mp.inf, -8, -4, -2, 0, 2, 4, 8, mp.inf]


def _gauss(f, q=1):
    """E[f(sqrt(q) z)], z ~ N(0, 1), by plain mpmath quadrature."""
    s = mp.sqrt(q)
    return mp.quad(lambda z: f(s * z) * mp.npdf(z), _SPLIT)


def _gelu(x):
    return x * mp.ncdf(x)


def _silu_slope_sup():
    sig = lambda x: 1 / (1 + mp.exp(-x))  # noqa: E731
    x0 = mp.findroot(lambda x: 2 + x * (1 - 2 * sig(x)), 2.4)  # silu'' = s(1-s)(2 + x(1-2s))
    return sig(x0) * (1 + x0 * (1 - sig(x0)))


def _mish_slope(x):
    t = mp.tanh(mp.log1p(mp.exp(x)))
    return t + x * (1 - t * t) / (1 + mp.exp(-x))


def _mish_slope_sup():
    x0 = mp.findroot(lambda x: mp.diff(_mish_slope, x), 1.2)
    return _mish_slope(x0)


def _tanh_chi1():
    sw, sb = mp.mpf(3) / 2, mp.mpf(1) / 20

    def even(f, q):  # E[f(sqrt(q) z)] for an even f
        s = mp.sqrt(q)
        return 2 * mp.quad(lambda z: f(s * z) * mp.npdf(z), [0, 2, 4, 8, 19])  # tail < 1e-80

    def gap(q):
        return sw * even(lambda x: mp.tanh(x) ** 2, q) + sb - q

    with mp.workdps(20):
        q0 = mp.findroot(gap, mp.mpf("0.5"))
    q = mp.findroot(gap, (q0, q0 * (1 + mp.mpf(10) ** -15)))  # secant from 18 digits: a few steps
    return sw * even(lambda x: mp.sech(x) ** 4, q)


def _references():
    with mp.workdps(60):
        return {
            "gain tanh": 1 / mp.sqrt(_gauss(lambda x: mp.tanh(x) ** 2)),
            "gain gelu": 1 / mp.sqrt(_gauss(lambda x: _gelu(x) ** 2)),
            "silu sup": _silu_slope_sup(),
            "expect tanh^2": _gauss(lambda x: mp.tanh(x) ** 2),
            "chi1 tanh": _tanh_chi1(),
            "rate silu w=2": 2 * _silu_slope_sup(),
        }


def _results():
    return {
        "gain tanh": lambda: sa.gain("tanh"),
        "gain gelu": lambda: sa.gain("gelu"),
        "silu sup": lambda: sa.derivative_bounds("silu").sup,
        "expect tanh^2": lambda: sa.expect("tanh(x)**2"),
        "chi1 tanh": lambda: sa.mean_field("tanh", sympy.Rational(3, 2), sympy.Rational(1, 20)).chi1,
        "rate silu w=2": lambda: sa.gradient_bound("silu", 1, weight=2).rate,
    }


_REFS: dict = {}


def ref(name):
    if not _REFS:
        _REFS.update(_references())
    return _REFS[name]


# -- what a shown decimal must satisfy -------------------------------------------------------

_NUMBER = re.compile(r"-?\d+(\.\d*)?(e[-+]?\d+)?")


def _parse(text: str) -> tuple[str, str, int]:
    """(the number as text, its significant digits, the exponent of its last digit)."""
    text = text.replace("\\cdot 10^{", "e").replace("}", "").replace(" ", "")
    m = _NUMBER.search(text)
    assert m, text
    number = m.group(0)
    mant, _, exp = number.lstrip("-").partition("e")
    whole, _, frac = mant.partition(".")
    digits = (whole + frac).lstrip("0") or "0"
    return number.rstrip("."), digits, int(exp or 0) - len(frac)


def _units_off(text: str, truth: mp.mpf) -> mp.mpf:
    """|shown - truth| in units of the last digit shown."""
    number, _digits, last = _parse(text)
    with mp.workdps(80):
        return abs(mp.mpf(number) - truth) / mp.mpf(10) ** last


def _shown(text: str) -> int:
    return len(_parse(text)[1])


@pytest.mark.parametrize("name", sorted(_results()))
def test_every_door_shows_right_digits(name):
    r = _results()[name]()
    truth = ref(name)
    assert r.level == "certified"
    lo, hi = r.enclosure
    assert lo <= truth <= hi
    for n in (15, 30, 33, 50):
        e = r.evalf(n)
        assert _shown(str(e)) == n, (n, e)  # recomputed when more are asked for than held
        assert _units_off(str(e), truth) <= mp.mpf("0.5") + mp.mpf(10) ** -20, (n, e, truth)
        s = sympy.N(r, n)
        assert _shown(str(s)) == n, (n, s)
        assert _units_off(str(s), truth) < 1, (n, s, truth)  # SymPy's own rounding: faithful
    held = sympy.sympify(r)
    assert _units_off(str(held), truth) <= mp.mpf("0.5") + mp.mpf(10) ** -20
    assert _shown(str(held)) >= 25  # every certified digit, not 20 padded by SymPy
    for text in (sympy.latex(r), str(r), repr(r), r.latex()):
        assert _units_off(text, truth) <= mp.mpf("0.5") + mp.mpf(10) ** -20, text
    assert abs(float(r) - float(truth)) <= 2**-52 * abs(float(truth))
    assert r < float(truth) * (1 + 1e-12) and r > float(truth) * (1 - 1e-12)


def test_issue_item_6_tanh_gain_to_30_digits():
    g = sa.gain("tanh")
    with mp.workdps(60):
        truth = mp.nstr(ref("gain tanh"), 30)
    assert str(sympy.N(g, 30)) == truth == "1.59253741972283142777043884602"


def test_without_a_recipe_only_certified_digits_are_shown():
    with mp.workdps(60):
        pi = +mp.pi
        lo, hi = pi - mp.mpf(10) ** -25, pi + mp.mpf(10) ** -25
    q = Quantity.certified(lo, hi, method="by hand")
    held = q.digits
    assert 24 <= held <= 26
    for n in (30, 50):
        twice = sympy.Mul(2, sympy.sympify(q), evaluate=False)  # (2 * Float evaluates to a plain Float)
        for text in (str(sympy.N(q, n)), str(q.evalf(n)), str(sympy.N(twice, n))):
            assert _shown(text) <= held + 1, text
    assert _units_off(str(sympy.N(q, 50)), pi) <= mp.mpf("0.5") + mp.mpf(10) ** -20


def test_outward_float_and_honest_float_take_infinite_ends():
    assert outward_float(mp.inf, 5, up=True) == sympy.oo
    assert outward_float(mp.ninf, 5, up=False) == -sympy.oo
    assert outward_float(sympy.oo, 5, up=False) == sympy.oo
    assert outward_float(-sympy.oo, 3, up=True) == -sympy.oo
    with pytest.raises(ValueError, match="NaN"):
        outward_float(mp.nan, 3, up=True)
    assert certified_digits(mp.mpf(1), mp.inf, 10) is None
    assert honest_float(mp.inf, mp.inf) == sympy.oo
    q = Quantity.certified(mp.mpf(2), mp.inf, method="a tail")
    assert str(q) and q > 1 and float(q) == float("inf")


def test_digits_of_enormous_numbers_are_exact():
    # (1 + 2**-60)**(10**9 + 7): its decimal digits from an mpmath reference at 120 digits
    with mp.workdps(120):
        x = 1 + mp.mpf(2) ** -60
        n = 10**30 + 7
        truth = mp.exp(n * mp.log(x))
    with mp.workdps(40):
        lo, hi = truth * (1 - mp.mpf(10) ** -35), truth * (1 + mp.mpf(10) ** -35)
    text = certified_digits(lo, hi, 60)
    assert text is not None and 33 <= _shown(text) <= 36
    assert _units_off(text, truth) <= mp.mpf("0.5")
    up, down = outward_float(truth, 12, up=True), outward_float(truth, 12, up=False)
    with mp.workdps(120):
        assert mp.mpf(down._mpf_) <= truth <= mp.mpf(up._mpf_)


_DEPTHS = [1, 2, 10, 1000, 10**5, 10**9, 10**30]


@pytest.mark.parametrize("layers", _DEPTHS)
def test_gradient_bound_mish_at_any_depth(layers):
    g = sa.gradient_bound("mish", layers)
    with mp.workdps(120):
        s = _mish_slope_sup()
        truth = mp.exp(layers * mp.log(s))
        lo, hi = g.enclosure
        assert lo <= truth <= hi
        bound = mp.mpf(sympy.N(g.expr, 60)) if g.expr.is_Float else mp.exp(
            g.expr.exp * mp.log(mp.mpf(g.expr.base._mpf_)))
        assert bound >= truth
    assert isinstance(g.digits, int) and g.digits >= 0  # issue 20 item 12: OverflowError before
    e = g.evalf(15)
    assert _shown(str(e)) == 15
    assert _units_off(str(e), truth) <= mp.mpf("0.5") + mp.mpf(10) ** -20


@pytest.mark.parametrize("weight", [sympy.Rational(1, 10**300), sympy.Integer(10) ** 300, 1e-300, 1e300])
def test_gradient_bound_with_tiny_and_huge_weights(weight):
    layers = 10**9
    g = sa.gradient_bound("mish", layers, weight=weight)
    with mp.workdps(120):
        # a float weight is read as the decimal it prints as (symact converts it to a rational)
        w = mp.mpf(repr(weight)) if isinstance(weight, float) else mp.mpf(sympy.Float(weight, 120)._mpf_)
        truth = mp.exp(layers * mp.log(w * _mish_slope_sup()))
        lo, hi = g.enclosure
        assert lo <= truth <= hi
    assert g.regime == ("vanishing" if w < 1 else "exploding")
    assert _units_off(str(g.evalf(12)), truth) <= mp.mpf("0.5") + mp.mpf(10) ** -20
    # a closed-form slope: exact at any depth and weight
    t = sa.gradient_bound("tanh", layers, weight=weight)
    assert t.level == "exact" and t.regime == g.regime


@pytest.mark.parametrize("mode", ["nearest", "up", "down"])
def test_rounding_of_enormous_exponents_agrees_with_exact_integers(mode):
    """The Arb route (used beyond 30000 bits) against exact integer arithmetic."""
    from symact.core.digits import _round_arb, _round_exact

    cases = [(3**200 + 2, 40000), (7**90, -41234), (2**64 - 1, 35000), (12345678901234567, -30001)]
    for man, exp in cases:
        for n in (1, 7, 30, 45):
            for negative in (False, True):
                assert _round_arb(man, exp, n, mode, negative)[:2] == _round_exact(man, exp, n, mode, negative)[:2]


def test_an_enclosure_certifying_no_digit_is_shown_as_an_interval():
    q = Quantity.certified(mp.mpf(2), mp.mpf(900), method="by hand")
    assert str(q) == "[2.0, 9.0e+2]" and "0.0" not in repr(q)
    assert sympy.latex(q) == r"\left[2.0, 9.0 \cdot 10^{2}\right]"
    assert str(Quantity.certified(mp.mpf(2), mp.inf, method="a tail")) == "[2.0, oo)"
    assert str(Quantity.certified(mp.mpf("-1.05e-31"), mp.mpf("3e-32"), method="m")) == "0 ± 1.1e-31"
