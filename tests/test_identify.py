"""sa.identify: closed forms from certified numbers, and rigorous exclusions.

References are written here with mpmath at 50 digits from the literature's closed forms
(never symact's output): Gaussian integrals of GELU (Tsuchida et al.), Williams' erf
kernel, the ELU and ReLU moments, SiLU's minimum -W(1/e) and GELU's maximal slope.
"""

from __future__ import annotations

import math

import flint
import mpmath
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

import symact as sa
from symact.core.precision import workprec
from symact.proofs.lattice_certificate import excluded_norm

pi, sqrt, E = sympy.pi, sympy.sqrt, sympy.E
Phi = lambda t: (1 + sympy.erf(t / sqrt(2))) / 2  # noqa: E731


def mp_value(expr: sympy.Expr, dps: int = 50) -> mpmath.mpf:
    """The reference at 50 digits (SymPy's evalf tracks its own error)."""
    return mpmath.mpf(str(sympy.N(expr, dps + 5)))


# (label, how symact computes it, the known closed form)
NINE = [
    ("E[GELU(z)^2]", lambda: sa.expect(sa.activation("gelu").expr ** 2),
     sympy.Rational(1, 3) + 1 / (2 * sqrt(3) * pi)),
    ("E[GELU'(z)^2]", lambda: sa.expect(sa.activation("gelu").derivative() ** 2),
     sympy.Rational(1, 3) + 2 / (3 * sqrt(3) * pi)),
    ("E[erf(z)^2]", lambda: sa.expect("erf(x)**2"), 2 / pi * sympy.asin(sympy.Rational(2, 3))),
    ("E[arctan'(z)^2]", lambda: sa.expect(sa.activation("arctan").derivative() ** 2),
     sympy.Rational(1, 2)),
    ("E[ELU'(z)^2]", lambda: sa.expect(sa.activation("elu").derivative() ** 2),
     sympy.Rational(1, 2) + E**2 * Phi(-2)),
    ("E[relu(z)]", lambda: sa.expect("relu(x)"), 1 / sqrt(2 * pi)),
    ("min SiLU", lambda: sa.inf("silu"), -sympy.LambertW(sympy.exp(-1))),
    ("sup GELU'", lambda: sa.derivative_bounds("gelu").sup, Phi(sqrt(2)) + sympy.exp(-1) / sqrt(pi)),
    ("gain squareplus", lambda: sa.gain("squareplus"), sqrt(sympy.Rational(2, 3))),
    ("gain gaussian", lambda: sa.gain("gaussian"), sympy.root(5, 4)),
]


def same_number(a: sympy.Expr, b: sympy.Expr) -> bool:
    if sympy.simplify(a - b) == 0:
        return True
    with mpmath.workdps(60):
        return abs(mp_value(a, 60) - mp_value(b, 60)) < mpmath.mpf(10) ** -55


@pytest.mark.parametrize("label, compute, form", NINE, ids=[n[0] for n in NINE])
def test_the_nine_from_symacts_results(label, compute, form):
    r = sa.identify(compute())
    assert r.closed_form is not None, label
    assert same_number(r.closed_form, form), (label, r.closed_form)
    assert r.level in ("exact", "identified")
    lo, hi = r.enclosure
    with mpmath.workdps(50):
        assert lo <= mp_value(form) <= hi


@pytest.mark.parametrize("label, compute, form", NINE, ids=[n[0] for n in NINE])
def test_the_nine_from_thirty_digits(label, compute, form):
    """The same constants typed as 30-digit decimals (computed here, not by symact)."""
    with mpmath.workdps(50):
        text = mpmath.nstr(mp_value(form), 30, strip_zeros=False)
    r = sa.identify(text)
    assert r.closed_form is not None and same_number(r.closed_form, form), (label, r.closed_form)
    assert r.level == "identified"  # a decimal is uncertain in its last digit: never proved


DKS = 1.466942206924260361  # google-deepmind/dks activation_transform.py


def test_dks_constant_as_a_float_is_pi_over_pi_minus_one():
    # independent check of the premise: the double is 2 ulp above pi/(pi - 1)
    with mpmath.workdps(40):
        ref = mpmath.pi / (mpmath.pi - 1)
        assert 1.5 < (mpmath.mpf(DKS) - ref) / math.ulp(DKS) < 2.5
    r = sa.identify(DKS)
    assert r.level == "identified" and sympy.simplify(r.closed_form - pi / (pi - 1)) == 0
    r = sa.identify("1.466942206924260361", tol=1e-15)
    assert sympy.simplify(r.closed_form - pi / (pi - 1)) == 0


def test_dks_digits_as_a_string_or_perturbed_are_not_pi_over_pi_minus_one():
    for value in ("1.466942206924260361", "1.466942206924260364", DKS + 3 * math.ulp(DKS)):
        r = sa.identify(value)
        assert r.closed_form is None or sympy.simplify(r.closed_form - pi / (pi - 1)) != 0, value
        lo, hi = r.enclosure
        with mpmath.workdps(40):
            assert not lo <= mpmath.pi / (mpmath.pi - 1) <= hi


def test_tanh_exclusion_reaches_1e12():
    e = sa.expect(sa.activation("tanh").derivative() ** 2)
    with mpmath.workdps(40):  # the number itself, by plain quadrature
        ref = mpmath.quad(lambda t: (1 - mpmath.tanh(t) ** 2) ** 2 * mpmath.npdf(t), [-mpmath.inf, 0, mpmath.inf])
        assert abs(ref - mpmath.mpf("0.46440290244826824197")) < 1e-20
    basis = [1 / pi, 1 / sqrt(2 * pi), sqrt(2), sqrt(3)]
    r = sa.identify(e, basis=basis, max_norm=10**12)
    assert r.closed_form is None and r.excluded is not None
    assert r.excluded.bound >= 10**12
    # consistent with PSLQ on 60 independent digits (a heuristic, but it must not disagree)
    with mpmath.workdps(60):
        ref60 = mpmath.quad(lambda t: (1 - mpmath.tanh(t) ** 2) ** 2 * mpmath.npdf(t), [-mpmath.inf, 0, mpmath.inf])
        lo, hi = r.excluded.enclosure
        assert lo - mpmath.mpf(10) ** -50 <= ref60 <= hi + mpmath.mpf(10) ** -50
        vec = [ref60, 1, 1 / mpmath.pi, 1 / mpmath.sqrt(2 * mpmath.pi), mpmath.sqrt(2), mpmath.sqrt(3)]
        assert mpmath.pslq(vec, maxcoeff=10**6, maxsteps=10**5) is None


@settings(deadline=None, max_examples=40)  # derandomised, no database: tests/conftest.py
@given(
    a0=st.integers(1, 40), b0=st.integers(-40, 40), b1=st.integers(-40, 40).filter(bool),
    c=st.sampled_from([sqrt(2), sqrt(3), pi, 1 / pi, sympy.log(2), sympy.exp(-1), sympy.erf(1)]),
    bits=st.sampled_from([80, 160, 320]),
)
def test_an_exclusion_never_covers_a_true_relation(a0, b0, b1, c, bits):
    """x = (b0 + b1 c)/a0: no certificate may exclude the relation a0 x - b0 - b1 c = 0."""
    from symact.numerics.arb import arb_evaluator

    xs = sympy.Symbol("x", real=True)
    with workprec(bits):
        cb = arb_evaluator(c, xs)(flint.arb(0))
        xb = (b0 + b1 * cb) / a0
        bound = excluded_norm([xb, flint.arb(1), cb])
    assert bound < math.sqrt(a0**2 + b0**2 + b1**2)


def test_exclusion_grows_with_the_digits():
    bounds = []
    for bits in (100, 200, 400):
        with workprec(bits):
            balls = [flint.arb(2).sqrt() + flint.arb(3).sqrt(), flint.arb(1), flint.arb(5).sqrt()]
            bounds.append(excluded_norm(balls))
    assert bounds[0] < bounds[1] < bounds[2] and bounds[2] > 10**30


def test_mpmath_interval_and_fraction_inputs():
    with mpmath.workdps(40):
        v = mpmath.sqrt(2) / mpmath.pi
        iv = mpmath.iv.mpf([v - mpmath.mpf(10) ** -30, v + mpmath.mpf(10) ** -30])
    assert sa.identify(iv).closed_form is None  # iv context works at its own precision (15 digits)
    r = sa.identify(sympy.Rational(3, 7))
    assert r.level == "exact" and r.closed_form == sympy.Rational(3, 7)


@pytest.mark.parametrize("bad", [
    "abc", "1.2.3", "nan", "inf", float("nan"), float("inf"), True, None, [1.0], "E",
])
def test_bad_values_get_one_clean_error(bad):
    with pytest.raises((ValueError, TypeError)) as info:
        sa.identify(bad)
    assert "identify" in str(info.value) or "number" in str(info.value)


@pytest.mark.parametrize("kwargs", [
    {"max_norm": 0}, {"max_norm": 1.5}, {"dps": 3}, {"tol": -1}, {"tol": "x"},
    {"basis": []}, {"basis": [sympy.Float(1.5)]}, {"basis": ["x"]}, {"basis": [sympy.I]},
])
def test_bad_options_get_one_clean_error(kwargs):
    with pytest.raises((ValueError, TypeError)):
        sa.identify("0.4252214825702986749185544", **kwargs)


def test_cli_identify(capsys):
    import json

    import jsonschema

    from symact.presentation.cli import main
    from symact.presentation.schema import schema

    assert main(["identify", "E[erf(z)^2]"]) == 0
    out = capsys.readouterr().out
    assert "2*asin(2/3)/pi" in out and "identified" in out
    assert main(["identify", "1.466942206924260361", "--tol", "1e-15", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    jsonschema.validate(data, schema("identify"))
    assert sympy.simplify(sympy.sympify(data["closed_form"]) - pi / (pi - 1)) == 0
    assert main(["identify", "E[tanh'(z)^2]", "--basis", "1/pi, 1/sqrt(2*pi), sqrt(2), sqrt(3)",
                 "--max-norm", "1e12", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    jsonschema.validate(data, schema("identify"))
    assert data["closed_form"] is None and int(data["excluded"]["bound"]) >= 10**12
    assert main(["identify", "not-a-number"]) == 2
    err = capsys.readouterr().err
    assert "cannot read" in err and "_symact" not in err


def test_public_expect_and_gain_come_back_identified():
    r = sa.expect("erf(x)**2")
    assert r.level == "identified" and r.value == 2 * sympy.asin(sympy.Rational(2, 3)) / pi
    lo, hi = r.enclosure  # the certified enclosure is kept, and holds the closed form
    with mpmath.workdps(50):
        assert lo <= mp_value(r.value) <= hi
    assert "not proved" in r.method
    assert sa.expect("erf(x)**2", closed_form=False).level == "certified"
    assert sa.expect("tanh(x)**2").level == "certified"   # no small closed form: unchanged
    g = sa.gain("gaussian")
    assert g.level in ("exact", "identified") and same_number(g.value, sympy.root(5, 4))


def test_a_whole_user_basis_is_tried_as_one_relation():
    # three constants at once: beyond the one- and two-constant forms
    form = 1 + sqrt(2) / 3 + sqrt(3) - 2 / pi
    with mpmath.workdps(50):
        text = mpmath.nstr(mp_value(form), 40, strip_zeros=False)
    r = sa.identify(text, basis=[sqrt(2), sqrt(3), 1 / pi])
    assert r.closed_form is not None and same_number(r.closed_form, form)
    assert r.terms[0] == sympy.Symbol("x") and len(r.terms) == 5
