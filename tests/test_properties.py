"""analyze() over the whole catalogue against independent mpmath references.

Every quantity -- range ends, Lipschitz constant, sup/inf of phi', monotonicity of phi
and phi' -- must be exact or certified, and each is compared with a value computed here
from tests/reference.py (hand-written mpmath formulas, grids plus findroot at 40 digits).
"""

from __future__ import annotations

import mpmath as mp
import pytest
import sympy

import symact as sa
from tests.reference import REFERENCE, grid_extrema

NAMES = sorted(sa.names())
LEVELS = ("exact", "certified")


def _num(e):
    v = e.value
    if v == sympy.oo:
        return mp.inf
    if v == -sympy.oo:
        return -mp.inf
    lo, hi = e.enclosure
    return (lo + hi) / 2


def _smooth_ref(name):
    return REFERENCE[name]


@pytest.fixture(scope="module")
def profiles():
    return {n: sa.analyze(n) for n in NAMES}


@pytest.mark.parametrize("name", NAMES)
def test_every_quantity_is_exact_or_certified(profiles, name):
    p = profiles[name]
    for q in (p.value_bounds.inf, p.value_bounds.sup, p.lipschitz, p.derivative.sup, p.derivative.inf):
        assert q is not None and q.level in LEVELS, (name, q)
    assert p.range is not None
    assert p.monotone in ("increasing", "nondecreasing", "decreasing", "nonincreasing", "no")
    assert p.derivative_monotone in ("increasing", "nondecreasing", "decreasing", "nonincreasing", "no")


@pytest.mark.parametrize("name", NAMES)
def test_range_matches_reference(profiles, name):
    p = profiles[name]
    f = _smooth_ref(name)
    with mp.workdps(40):
        ref_sup, ref_inf = grid_extrema(f, 0, extra=(-1e6, 1e6))
        lo, hi = p.value_bounds.inf, p.value_bounds.sup
        # nothing sampled lies outside the range ...
        assert _num(lo) <= ref_inf + mp.mpf("1e-20"), (name, lo, ref_inf)
        assert _num(hi) >= ref_sup - mp.mpf("1e-20"), (name, hi, ref_sup)
        # ... and finite attained ends agree with the reference to 1e-15
        if lo.attained and mp.isfinite(_num(lo)):
            assert abs(_num(lo) - ref_inf) < mp.mpf("1e-15"), (name, lo, ref_inf)
        if hi.attained and mp.isfinite(_num(hi)):
            assert abs(_num(hi) - ref_sup) < mp.mpf("1e-15"), (name, hi, ref_sup)
        # a closed end of the displayed interval is never beyond the true extremum
        r = p.range
        if isinstance(r, sympy.Interval) and not r.left_open and r.start.is_finite:
            assert mp.mpf(sympy.N(r.start, 40)) >= lo.enclosure[0] - mp.mpf("1e-30")


# smooth activations: the Lipschitz constant is the largest |phi'| found by a grid + findroot
SMOOTH = [n for n in NAMES if sa.activation(n).smoothness == float("inf") or sa.activation(n).smoothness >= 1]


@pytest.mark.parametrize("name", SMOOTH)
def test_lipschitz_matches_reference(profiles, name):
    p = profiles[name]
    f = _smooth_ref(name)
    with mp.workdps(40):
        s, i = grid_extrema(f, 1, lo=-30, hi=30, n=1201, extra=(-1e4, 1e4))
        ref = max(abs(s), abs(i))
        L = p.lipschitz
        lo, hi = L.enclosure
        assert ref <= hi + mp.mpf("1e-20"), (name, L, ref)  # nothing sampled beats it
        assert lo - ref < mp.mpf("1e-6"), (name, L, ref)  # reached or approached (probes to 1e4)


def test_certified_lipschitz_constants_show_only_true_digits(profiles):
    # 45-digit truths (independent: findroot of phi'' at 45 digits on the reference formulas)
    with mp.workdps(45):
        for name, guess in (("silu", 2.4), ("mish", 1.2), ("gelu_tanh", 1.5)):
            f = REFERENCE[name]
            r = mp.findroot(lambda t, f=f: mp.diff(f, t, 2), mp.mpf(guess))
            truth = mp.diff(f, r, 1)
            assert truth > mp.mpf("1.05"), (name, r)
            L = profiles[name].lipschitz
            assert L.level == "certified"
            text = str(L)
            digits = len(text.replace("-", "").replace(".", "").lstrip("0"))
            assert digits >= 15, text
            assert mp.nstr(truth, digits, strip_zeros=False) == mp.nstr(mp.mpf(text), digits, strip_zeros=False), (name, text, truth)


def test_issue_examples_are_exact():
    e = sa.inf("elish")
    assert e.level == "exact" and sympy.simplify(e.value - (-3 + 2 * sympy.sqrt(2))) == 0
    s = sa.sup(sa.activation("silu").derivative(), sympy.Interval(0, 1))
    E = sympy.E
    assert s.level == "exact" and sympy.simplify(s.value - E * (2 + E) / (1 + E) ** 2) == 0
    assert sa.analyze("elish").range.start == -3 + 2 * sympy.sqrt(2)


@pytest.mark.parametrize("expr", ["gelu", "gelu_tanh", "mish", "x*tanh(log(1+exp(x)))"])
def test_issue_tails_certified(expr):
    f = {"gelu": REFERENCE["gelu"], "gelu_tanh": REFERENCE["gelu_tanh"], "mish": REFERENCE["mish"],
         "x*tanh(log(1+exp(x)))": REFERENCE["mish"]}[expr]
    m = sa.inf(expr)
    with mp.workdps(40):
        _, ref = grid_extrema(f, 0, lo=-5, hi=5, n=201)
        lo, hi = m.enclosure
        assert lo <= ref + mp.mpf("1e-25") and ref - mp.mpf("1e-25") <= hi
    assert sa.sup(expr).value == sympy.oo


def test_unbounded_derivative_is_infinite():
    x = sa.x
    e = sa.sup(sympy.diff(x**2 / (1 + sympy.exp(-x)), x))
    assert e.value == sympy.oo and e.level == "exact"


@pytest.mark.parametrize("name", NAMES)
def test_monotonicity_matches_sampled_signs(profiles, name):
    p = profiles[name]
    f = REFERENCE[name]
    with mp.workdps(30):
        pts = [mp.mpf(k) / 7 + mp.mpf(1) / 1000 for k in range(-70, 71)]
        d1 = [(f(t + mp.mpf("1e-6")) - f(t - mp.mpf("1e-6"))) for t in pts]
    pos = any(v > 1e-12 for v in d1)
    neg = any(v < -1e-12 for v in d1)
    if pos and neg:
        assert p.monotone == "no", name
    elif pos:
        assert p.monotone in ("increasing", "nondecreasing"), name
    elif neg:
        assert p.monotone in ("decreasing", "nonincreasing"), name


@pytest.mark.parametrize("name", ["silu", "sigmoid", "gelu", "relu", "mish"])
def test_results_follow_the_protocol_and_pickle(profiles, name):
    import pickle

    p = profiles[name]
    for q in (p.lipschitz, p.derivative.sup, p.derivative.inf, p.value_bounds.inf):
        if q.value in (sympy.oo, -sympy.oo):
            continue
        f = float(q)
        lo, hi = q.enclosure
        assert float(lo) - 1e-12 <= f <= float(hi) + 1e-12
        assert abs(float(sympy.N(q)) - f) < 1e-12 and sympy.latex(q)
        assert sympy.sympify(q).is_number
    b2 = pickle.loads(pickle.dumps(p.derivative))
    assert b2.sup.value == p.derivative.sup.value and b2.lipschitz.level == p.lipschitz.level
    pickle.loads(pickle.dumps(p))


def test_certified_extremum_is_a_result():
    from symact.analysis.certify import certified_extremum

    x = sa.x
    r = certified_extremum(sympy.diff(x / (1 + sympy.exp(-x)), x), x, "sup", dps=30)
    assert r.level == "certified" and r > 1.0998 and r < 1.0999
    with mp.workdps(40):
        truth = mp.mpf("1.09983932012886691695818492432")
        assert r.enclosure[0] <= truth <= r.enclosure[1]
    assert str(r.value).startswith("1.09983932012886691695818")


def test_second_derivative_not_attained_at_kinks():
    # relu'' = 0 wherever it exists; at the kink 0 it does not exist (one-sided slopes 0 and 1)
    import sympy

    import symact as sa

    for name, kinks in (("relu", [0]), ("hardtanh", [-1, 1])):
        sec = sa.derivative_bounds(name, 2)
        for e in (sec.sup, sec.inf):
            assert e.value == 0
            for k in kinks:
                assert sympy.Integer(k) not in e.at, (name, e.at)
            assert sympy.Rational(1, 2) + kinks[-1] in e.at and sympy.Integer(kinks[0]) - 3 in e.at
    assert sympy.Integer(0) not in sa.analyze("relu").second.sup.at
    # smooth activations are unchanged: sigmoid'' attains its sup at log(2 - sqrt(3))
    assert sa.derivative_bounds("sigmoid", 2).sup.at == sympy.FiniteSet(sympy.log(2 - sympy.sqrt(3)))
