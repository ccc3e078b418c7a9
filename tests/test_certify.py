"""Tests for symact.analysis.certify: certified extrema checked against independent mpmath references.

References are computed here from hand-written mpmath versions of each activation
(``mpmath.diff`` + ``mpmath.findroot`` at 60 digits), never from symact's own output.
"""

from __future__ import annotations

import flint
import mpmath
import pytest
import sympy
from hypothesis import example, given, settings
from hypothesis import strategies as st

from symact.analysis.certify import (
    CertifiedExtremum,
    arb_evaluator,
    certified_extremum,
    enclose_range,
    isolate_roots,
)
from symact.core.errors import CertificationError, UnsupportedExpression

x = sympy.Symbol("x", real=True)
oo = sympy.oo
mp = mpmath.mp

# --- SymPy activations and independent mpmath twins --------------------------------------
_sig = 1 / (1 + sympy.exp(-x))
_C = sympy.Rational(44715, 1000000)
ACTS = {
    "sigmoid": (_sig, lambda t: 1 / (1 + mp.exp(-t))),
    "tanh": (sympy.tanh(x), mp.tanh),
    "softplus": (sympy.log(1 + sympy.exp(x)), lambda t: mp.log1p(mp.exp(t))),
    "silu": (x * _sig, lambda t: t / (1 + mp.exp(-t))),
    "mish": (
        x * sympy.tanh(sympy.log(1 + sympy.exp(x))),
        lambda t: t * mp.tanh(mp.log1p(mp.exp(t))),
    ),
    "gelu": (
        x / 2 * (1 + sympy.erf(x / sympy.sqrt(2))),
        lambda t: t / 2 * (1 + mp.erf(t / mp.sqrt(2))),
    ),
    "gelu_tanh": (
        x / 2 * (1 + sympy.tanh(sympy.sqrt(2 / sympy.pi) * (x + _C * x**3))),
        lambda t: t / 2 * (1 + mp.tanh(mp.sqrt(2 / mp.pi) * (t + mp.mpf(44715) / 10**6 * t**3))),
    ),
    "arctan": (sympy.atan(x), mp.atan),
    "gaussian": (sympy.exp(-(x**2)), lambda t: mp.exp(-(t**2))),
    "log_sigmoid": (-sympy.log(1 + sympy.exp(-x)), lambda t: -mp.log1p(mp.exp(-t))),
}

SLACK = mpmath.mpf(10) ** -45  # reference error of mpmath.diff/findroot at 60 digits


def _ref_critical(act_mp, guess):
    """Argmax/argmin of act' and the value act'(c), from mpmath alone."""
    with mpmath.workdps(60):
        c = mpmath.findroot(lambda t: mpmath.diff(act_mp, t, 2), mpmath.mpf(guess))
        return c, mpmath.diff(act_mp, c, 1)


def _within(lo, v, hi) -> bool:
    with mpmath.workdps(120):  # exact enough: no rounding in the slack arithmetic
        return lo - SLACK <= v <= hi + SLACK


def _contains(r: CertifiedExtremum, ref) -> bool:
    return _within(r.lower, ref, r.upper)


# (activation, kind, guess for the critical point) -> attained at a critical point of act'
ATTAINED = [
    ("sigmoid", "sup", 0.1),
    ("tanh", "sup", 0.1),
    ("silu", "sup", 2.4),
    ("silu", "inf", -2.4),
    ("mish", "sup", 1.5),
    ("mish", "inf", -2.3),
    ("gelu", "sup", 1.4),
    ("gelu", "inf", -1.4),
    ("gelu_tanh", "sup", 1.4),
    ("gelu_tanh", "inf", -1.4),
    ("arctan", "sup", 0.1),
    ("gaussian", "sup", -0.7),
    ("gaussian", "inf", 0.7),
]


@pytest.mark.parametrize(("name", "kind", "guess"), ATTAINED)
def test_attained_extrema_of_first_derivative(name, kind, guess):
    expr, act_mp = ACTS[name]
    c, ref = _ref_critical(act_mp, guess)
    r = certified_extremum(sympy.diff(expr, x), x, kind)
    assert r.kind == kind and r.attained
    assert _contains(r, ref)
    assert r.width() < mpmath.mpf(10) ** -30
    assert len(r.points) == 1
    a, b = r.points[0]
    assert _within(a, c, b)
    assert b - a < 1e-15
    assert r.approached_at == ()
    assert r.notes and any(n.kind == "certified" and n.get("method") == "interval newton" and n.get("newton", 0) >= 1 for n in r.notes)


# (activation, kind, expected value, ends where approached)
APPROACHED = [
    ("sigmoid", "inf", 0, {oo, -oo}),
    ("tanh", "inf", 0, {oo, -oo}),
    ("softplus", "sup", 1, {oo}),
    ("softplus", "inf", 0, {-oo}),
    ("arctan", "inf", 0, {oo, -oo}),
    ("log_sigmoid", "sup", 1, {-oo}),
    ("log_sigmoid", "inf", 0, {oo}),
]


@pytest.mark.parametrize(("name", "kind", "value", "ends"), APPROACHED)
def test_approached_extrema_of_first_derivative(name, kind, value, ends):
    expr, _ = ACTS[name]
    r = certified_extremum(sympy.diff(expr, x), x, kind)
    assert not r.attained and r.points == ()
    assert set(r.approached_at) == ends
    assert r.lower <= value <= r.upper
    assert r.width() < 1e-30


def test_known_closed_forms():
    # sigmoid' <= 1/4 at 0; gelu' max Phi(sqrt 2) + e^-1/sqrt(pi) at sqrt 2
    r = certified_extremum(sympy.diff(ACTS["sigmoid"][0], x), x, "sup")
    assert r.lower <= mpmath.mpf(1) / 4 <= r.upper
    with mpmath.workdps(50):
        ref = mpmath.ncdf(mpmath.sqrt(2)) + mpmath.exp(-1) / mpmath.sqrt(mpmath.pi)
    r = certified_extremum(sympy.diff(ACTS["gelu"][0], x), x, "sup")
    assert _contains(r, ref)
    with mpmath.workdps(120):
        assert _within(r.points[0][0], mpmath.sqrt(2), r.points[0][1])
    # the task statement's 17-digit values
    assert (
        abs(
            certified_extremum(sympy.diff(ACTS["silu"][0], x), x, "sup").mid()
            - mpmath.mpf("1.0998393201288669")
        )
        < 1e-15
    )
    assert (
        abs(
            certified_extremum(sympy.diff(ACTS["mish"][0], x), x, "sup").mid()
            - mpmath.mpf("1.0884981612517279")
        )
        < 1e-15
    )
    assert (
        abs(
            certified_extremum(sympy.diff(ACTS["gelu_tanh"][0], x), x, "sup").mid()
            - mpmath.mpf("1.1289930686587718")
        )
        < 1e-15
    )


def test_softsign_positive_piece():
    d = sympy.diff(x / (1 + x), x)  # 1/(1+x)^2 on x >= 0
    r = certified_extremum(d, x, "sup", lo=0, hi=oo)
    assert r.attained and r.lower <= 1 <= r.upper and r.points[0][0] <= 0 <= r.points[0][1]
    r = certified_extremum(d, x, "inf", lo=0, hi=oo, lo_closed=False)
    assert not r.attained and r.approached_at == (oo,) and r.lower <= 0 <= r.upper


def test_silu_itself():
    silu, silu_mp = ACTS["silu"]
    with mpmath.workdps(60):
        w = mpmath.lambertw(mpmath.exp(-1)).real
        ref_x, ref_v = -1 - w, -w
        assert abs(silu_mp(ref_x) - ref_v) < 1e-50
    r = certified_extremum(silu, x, "inf")
    assert r.attained and _contains(r, ref_v) and r.width() < 1e-30
    assert _within(*r.points[0][:1], ref_x, r.points[0][1])
    r = certified_extremum(silu, x, "sup")
    assert r.upper == mpmath.inf and not r.attained and r.approached_at == (oo,)


def test_bounded_interval_with_open_end():
    d = sympy.diff(ACTS["silu"][0], x)
    with mpmath.workdps(60):
        ref = mpmath.diff(ACTS["silu"][1], mpmath.mpf(1))
    r = certified_extremum(d, x, "sup", lo=-1, hi=1, hi_closed=False)
    assert not r.attained and r.approached_at == (1,) and _contains(r, ref)
    r = certified_extremum(d, x, "sup", lo=-1, hi=1)
    assert r.attained and _contains(r, ref) and r.points[0][0] <= 1 <= r.points[0][1]
    # an interior maximum inside a bounded window
    c, ref = _ref_critical(ACTS["silu"][1], 2.4)
    r = certified_extremum(d, x, "sup", lo=sympy.Rational(1, 2), hi=5)
    assert _contains(r, ref) and _within(r.points[0][0], c, r.points[0][1])


def test_tie_between_attained_and_approached():
    r = certified_extremum(x**2 * sympy.exp(-(x**2)), x, "inf")
    assert r.lower <= 0 <= r.upper and r.points and set(r.approached_at) == {oo, -oo}


def test_more_digits_on_request():
    d = sympy.diff(ACTS["silu"][0], x)
    c, _ = _ref_critical(ACTS["silu"][1], 2.4)
    with mpmath.workdps(110):
        c = mpmath.findroot(lambda t: mpmath.diff(ACTS["silu"][1], t, 2), c)
        ref = mpmath.diff(ACTS["silu"][1], c, 1)
    r = certified_extremum(d, x, "sup", dps=100)
    assert r.width() < mpmath.mpf(10) ** -90
    with mpmath.workdps(110):
        assert r.lower - mpmath.mpf(10) ** -95 <= ref <= r.upper + mpmath.mpf(10) ** -95


def test_precision_is_never_changed():
    before = (mpmath.mp.dps, mpmath.mp.prec, flint.ctx.prec, flint.ctx.dps)
    certified_extremum(sympy.diff(ACTS["mish"][0], x), x, "sup", dps=60)
    with pytest.raises(CertificationError):
        certified_extremum(sympy.sin(x), x, "sup")
    assert (mpmath.mp.dps, mpmath.mp.prec, flint.ctx.prec, flint.ctx.dps) == before


@settings(max_examples=15, deadline=None)
@given(st.floats(min_value=0.1, max_value=5))
@example(0.1)
@example(5.0)
def test_scaled_gaussian_derivative(a):
    q = sympy.Rational(a).limit_denominator(10**6)
    r = certified_extremum(q * x * sympy.exp(-(x**2)), x, "sup", dps=30)
    with mpmath.workdps(50):
        qm = mpmath.mpf(q.p) / q.q
        exact = qm / mpmath.sqrt(2 * mpmath.e)
        assert r.lower - mpmath.mpf(10) ** -40 <= exact <= r.upper + mpmath.mpf(10) ** -40
        assert r.points[0][0] <= 1 / mpmath.sqrt(2) <= r.points[0][1]


def test_unprovable_tail_raises():
    with pytest.raises(CertificationError, match="tail"):
        certified_extremum(sympy.sin(x), x, "sup")
    with pytest.raises(CertificationError):
        certified_extremum(x * sympy.sin(x), x, "inf", lo=0)


def test_unsupported_and_bad_input():
    with pytest.raises(UnsupportedExpression, match="gamma"):
        certified_extremum(sympy.gamma(x), x, "sup", lo=1, hi=2)
    with pytest.raises(UnsupportedExpression, match="a"):
        certified_extremum(sympy.Symbol("a") * x, x, "sup", lo=0, hi=1)
    with pytest.raises(ValueError):
        certified_extremum(x, x, "max", lo=0, hi=1)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        certified_extremum(x, x, "sup", lo=1, hi=0)


def test_isolate_roots_matches_mpmath():
    roots = isolate_roots(x * sympy.tanh(x / 2) - 2, x, -10, 10)
    with mpmath.workdps(60):
        ref = mpmath.findroot(lambda t: t * mpmath.tanh(t / 2) - 2, 2.4)
        nref = -ref
    assert len(roots) == 2
    assert _within(*roots[1][:1], ref, roots[1][1]) and _within(roots[0][0], nref, roots[0][1])
    assert roots[1][1] - roots[1][0] < 1e-35
    cos_roots = isolate_roots(sympy.cos(x), x, -10, 10, dps=20)
    assert len(cos_roots) == 6
    with mpmath.workdps(60):
        assert all(
            _within(a, (k + mpmath.mpf(1) / 2) * mpmath.pi, b)
            for (a, b), k in zip(cos_roots, range(-3, 3), strict=True)
        )
    # a root exactly on an end of the interval
    ((a, b),) = isolate_roots(x**2 - 1, x, 1, 3)
    assert a <= 1 <= b and b - a < 1e-35
    with pytest.raises(CertificationError):
        isolate_roots(x**2, x, -1, 1)  # double root


def test_enclose_range_and_evaluator():
    lo, hi = enclose_range(x * sympy.exp(-(x**2)), x, -1, 2)
    with mpmath.workdps(50):
        top = 1 / mpmath.sqrt(2 * mpmath.e)
    assert lo <= -top <= lo + 1e-30 and hi - 1e-30 <= top <= hi
    f = arb_evaluator(sympy.erf(x) + sympy.LambertW(x) + sympy.sqrt(2) * sympy.pi, x)
    with mpmath.workdps(30):
        ref = mpmath.erf(1) + mpmath.lambertw(1).real + mpmath.sqrt(2) * mpmath.pi
    v = f(flint.arb(1))
    assert v.lower() <= flint.arb(str(ref)) <= v.upper() or v.overlaps(flint.arb(str(ref)))
