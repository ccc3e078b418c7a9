"""Derivations: typed steps, honest numbers, renderings, and LaTeX that typesets cleanly.

Independent references: mpmath at high precision on the formulas in ``reference.py``
(grid search and root refinement for extrema, quadrature for the Gaussian means).
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import os
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import mpmath
import pytest
import sympy
from reference import REFERENCE

import symact as sa
from symact.core.result import Result
from symact.core.steps import Record
from symact.expressions.activation import x
from symact.proofs.analysis_steps import build_derivation, derive, derive_many
from symact.proofs.claims import check_claim
from symact.proofs.derivation import (
    Derivation,
    Notation,
    Row,
    Step,
    escape_text,
    phi,
    unicode_math,
)
from symact.proofs.documents import COMPARED, combined_document, comparison_from

ROOT = Path(__file__).resolve().parents[1]
# The catalogue derivations are dominated by the mean field; give it a short budget here,
# and the four compared activations a longer one so that their chi_1 appears.
MF_BUDGET = 1.5
CMP_BUDGET = 8.0
PHI = phi(x)


def _pdflatex() -> str:
    exe = shutil.which("pdflatex")
    if exe is None:
        pytest.fail("pdflatex not found: install TeX Live (apt-get install texlive-latex-base "
                    "texlive-latex-recommended) -- the LaTeX tests must not be skipped")
    return exe


def compile_all(docs: dict[str, str]) -> dict[str, str]:
    """Compile the documents in parallel (one pdflatex run each); return {name: log}."""
    exe = _pdflatex()
    tmp = Path(tempfile.mkdtemp(prefix="symact-tex-"))
    env = dict(os.environ, openin_any="p", openout_any="p")
    procs = {}
    for name, text in docs.items():
        (tmp / f"{name}.tex").write_text(text, encoding="utf-8")
        procs[name] = subprocess.Popen(
            [exe, "-no-shell-escape", "-interaction=nonstopmode", "-halt-on-error", f"{name}.tex"],
            cwd=tmp, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    logs = {}
    for name, proc in procs.items():
        rc = proc.wait(timeout=180)
        log = (tmp / f"{name}.log").read_text(encoding="latin-1")
        if rc != 0 or not (tmp / f"{name}.pdf").exists():
            start = log.find("\n! ")
            pytest.fail(f"pdflatex failed on {name}: {log[start:start + 600] if start >= 0 else log[-600:]}")
        logs[name] = log
    shutil.rmtree(tmp, ignore_errors=True)
    return logs


def _derive(name: str) -> Derivation:
    """derive() with the budgets the catalogue fixture uses, so that its cache is shared."""
    return derive(name, budget=CMP_BUDGET if name in COMPARED else MF_BUDGET)


@pytest.fixture(scope="module")
def catalogue() -> dict[str, Derivation]:
    """Every catalogue derivation, computed in a few processes (the mean field mostly waits)."""
    names = sa.names()
    # worker processes that may fork (the mean field runs isolated in a child of its own)
    with ProcessPoolExecutor(min(4, max(2, os.cpu_count() or 2)),
                             mp_context=multiprocessing.get_context("fork")) as pool:
        return dict(zip(names, pool.map(_derive, names), strict=True))


@pytest.fixture(scope="module")
def compared(catalogue) -> list[Derivation]:
    return [catalogue[name] for name in COMPARED]


# -- the argument --------------------------------------------------------------
def test_sigmoid_steps_are_the_computation(catalogue):
    d = catalogue["sigmoid"]
    assert d.title == "Logistic sigmoid" and d.subject == "sigmoid"
    ident = next(s for s in d.steps if s.kind == "identity")
    assert sympy.expand(ident.rhs - PHI * (1 - PHI)) == 0
    s = sa.activation("sigmoid").expr
    assert sympy.simplify(ident.rhs.subs(PHI, s) - sympy.diff(s, x)) == 0
    crit = next(s for s in d.steps if s.kind == "critical_points")
    assert crit.rhs == sympy.FiniteSet(0)
    sup_step = next(s for s in d.steps if s.kind == "conclusion" and "sup" in s.lhs.text)
    assert sup_step.rhs == sympy.Rational(1, 4)
    assert dict(d.numbers)["depth to 1e-06"] == "10"
    # independent: (1/4)^10 < 1e-6 <= (1/4)^9
    assert mpmath.mpf(1) / 4**10 < 1e-6 <= mpmath.mpf(1) / 4**9
    # an argument: the claim is stated, the tails are named, a conclusion is drawn
    text = d.text()
    assert "We determine the supremum and infimum" in text and "x → ±∞" in text
    assert "Conclusion" in text and "Comparing the 3 candidates exactly" in text


def test_identities_only_when_verified(catalogue):
    ident = [s for s in catalogue["tanh"].steps if s.kind == "identity"]
    assert ident and sympy.expand(ident[0].rhs - (1 - PHI**2)) == 0
    assert not [s for s in catalogue["sin"].steps if s.kind == "identity"]


def test_relu_kink_and_subdifferential(catalogue):
    d = catalogue["relu"]
    sub = next(s for s in d.steps if s.kind == "subdifferential")
    assert sub.rhs == sympy.Interval(0, 1)
    assert [s.rhs for s in d.steps if s.kind == "one_sided"] == [0, 1]
    assert dict(d.numbers)["regime"] == "neutral"
    assert "dead unit" in d.text()
    assert d.row("depth to 1e-06").value == sympy.oo  # a bound of 1 never drops


def test_limits_at_kinks_are_shown(catalogue):
    d = catalogue["hardswish"]
    lims = [s for s in d.steps if s.kind == "limit"]
    assert {s.lhs.latex for s in lims} >= {r"\lim_{x \to 3^{-}} \varphi'(x)", r"\lim_{x \to -3^{+}} \varphi'(x)"}
    assert "approached but not attained" in d.text()


def _silu_sup() -> mpmath.mpf:
    f1 = lambda t: mpmath.sigmoid(t) * (1 + t * (1 - mpmath.sigmoid(t)))  # noqa: E731
    with mpmath.workdps(40):
        root = mpmath.findroot(lambda t: mpmath.diff(f1, t), 2.4)
        return f1(root)


def test_certified_values_show_only_certified_digits(catalogue):
    d = catalogue["silu"]
    row = d.row("sup phi'")
    assert row.level == "certified" and isinstance(row.value, Result)
    lo, hi = row.value.enclosure
    ref = _silu_sup()
    assert lo <= ref <= hi
    _assert_correctly_rounded(row.value_text(), ref)
    # the document says how it was certified: method, enclosure, precision
    cert = next(s for s in d.steps if s.kind == "certified")
    words = "".join(str(p) for p in cert.prose)
    assert "Arb ball arithmetic" in words and "digits" in words and "interval Newton" in words
    assert cert.relation == "in"


def test_meanfield_step_and_references(catalogue):
    d = catalogue["relu"]
    mf = next(s for s in d.steps if s.kind == "meanfield")
    assert mf.rhs == 1  # He initialisation: chi_1 = 1 exactly
    assert d.references[:3] == ("poole2016", "schoenholz2017", "he2015")
    assert "Poole" in d.document() and r"\section*{References}" in d.document()
    assert "klambauer2017" in catalogue["selu"].references


def test_renderings(catalogue):
    d = catalogue["leaky_relu"]
    md, text, doc = d.markdown(), d.text(), d.document()
    assert md.startswith("## Leaky rectified linear unit") and "$$" in md and "| quantity |" in md
    assert text.startswith("Leaky rectified linear unit (leaky ReLU)")
    assert doc.startswith(r"\documentclass") and r"\begin{tabularx}" in doc
    for t in (text,):
        assert "**" not in t and "sqrt(" not in t and not re.search(r"\boo\b", t)
    assert "negative_slope = 1/100" in text or "negative_slope" in text


def test_escape_and_step_validation():
    assert escape_text("a_b & 50%") == r"a\_b \& 50\%"
    assert escape_text("φ'") == r"$\varphi'$"
    with pytest.raises(ValueError, match="relation"):
        Step("x", Notation("a", "a"), 1, "==", "")
    with pytest.raises(TypeError):
        Derivation("t", ("not a step",))
    with pytest.raises(ValueError, match="reference"):
        Derivation("t", (), (), ("nobody2020",))
    assert unicode_math(sympy.sqrt(2) * x**2) == "√(2)·x²"


def test_derive_many():
    d = derive_many(["sigmoid", "relu"])
    assert [s.lhs for s in d.steps if s.kind == "section"] == ["Logistic sigmoid", "Rectified linear unit (ReLU)"]
    assert ("sigmoid: depth to 1e-06", "10") in d.numbers


def test_bad_input():
    with pytest.raises(TypeError, match="expected an activation"):
        derive(3.5)  # type: ignore[arg-type]


# -- typed steps: rewording every message changes no number ------------------------
def _garble_ext(ext):
    steps = tuple(dataclasses.replace(r, note="#garbage# sqrt(oo)**2") for r in ext.steps)
    cands = tuple(dataclasses.replace(c, how="x -> 42+ garbage") for c in ext.candidates)
    return dataclasses.replace(ext, steps=steps, candidates=cands,
                               approached=tuple("x -> 17-" for _ in ext.approached))


@pytest.mark.parametrize("name", ["sigmoid", "silu", "relu", "hardswish", "gelu", "elu", "mish", "softshrink", "sin"])
def test_messages_do_not_change_numbers(name, monkeypatch):
    act = sa.activation(name)
    b = sa.derivative_bounds(act)
    exts = {"sup": b.sup, "inf": b.inf}
    assert all(isinstance(r, Record) for e in exts.values() for r in e.steps)
    n = sympy.Symbol("n", positive=True, integer=True)
    gb = sa.gradient_bound(act, n)
    depth = sa.gradient_bound(act, 1).depth_below(1e-6) if gb.regime == "vanishing" else None
    before = build_derivation(act, exts, gb, depth)
    from symact.analysis import extrema

    monkeypatch.setattr(extrema.Extremum, "describe", lambda self: "#garbage#")
    monkeypatch.setattr(extrema.Extremum, "__str__", lambda self: "#garbage#")
    after = build_derivation(act, {k: _garble_ext(e) for k, e in exts.items()}, gb, depth)
    assert [(r.key, r.value_text(), r.level) for r in before.rows] == \
           [(r.key, r.value_text(), r.level) for r in after.rows]
    assert [s.formula_latex() for s in before.steps] == [s.formula_latex() for s in after.steps]
    assert "garbage" not in after.document()


# -- claims as documents -------------------------------------------------------------
def test_verdict_documents():
    v = check_claim(r"\max_x \sigma'(x) = \frac14")
    assert v.holds is True and v.level == "exact" and v.value == sympy.true
    doc = v.document()
    assert "Claim" in doc and "Verdict" in doc and "Proof" in doc
    # the claim as written (issue 24), not the checked function's name f
    assert r"\max_{x \in \mathbb{R}} {\sigma'}\left(x \right) = \frac{1}{4}" in v.latex()
    assert v._repr_latex_().startswith("$")
    w = check_claim("sigmoid'(x) <= 1/5")
    assert w.holds is False and "Refutation" in w.text() and "x = 0" in w.text()
    m = check_claim("max_x silu'(x) = 1.0998393")
    assert m.holds is False and m.details["readings"] == {"exact": False, "rounded": True}
    assert "exact decimal" in m.summary and "correctly rounded" in m.summary
    # independent: the true maximum exceeds 1.0998393 by about 2e-8
    assert 1.9e-8 < _silu_sup() - mpmath.mpf("1.0998393") < 2.1e-8


# -- the whole catalogue, compiled -----------------------------------------------------
_ASCII_MATH = re.compile(r"sqrt\(|\*\*|\boo\b|\\_|\^|\\textasciicircum")


def _text_groups(tex: str) -> list[str]:
    out, i = [], 0
    while (i := tex.find(r"\text{", i)) >= 0:
        depth, j = 1, i + 6
        while depth and j < len(tex):
            depth += {"{": 1, "}": -1}.get(tex[j], 0) if tex[j - 1] != "\\" else 0
            j += 1
        out.append(tex[i + 6 : j - 1])
        i = j
    return out


def _assert_correctly_rounded(shown: str, ref: mpmath.mpf) -> None:
    """The decimal shown is ``ref`` rounded to the digits shown (within half a unit in the last place)."""
    m = re.fullmatch(r"(-?)(\d+)\.(\d+)(?:e([+-]?\d+))?", shown.strip())
    assert m, f"not a decimal: {shown!r}"
    digits = (m.group(2) + m.group(3)).lstrip("0")
    exp = int(m.group(4) or 0) - len(m.group(3))
    with mpmath.workdps(60):
        value = mpmath.mpf(shown.strip())
        half = mpmath.mpf(10) ** exp / 2
        assert abs(value - ref) <= half * (1 + mpmath.mpf(10) ** -20), \
            f"shown {shown} ({len(digits)} digits) disagrees with the reference {mpmath.nstr(ref, 30)}"


def _deriv(f, t):
    """f'(t) by a central difference at twice the working precision (error ~ 10^-dps).

    Within a step of a split point (where the catalogue's kinks and jumps are) the
    difference is one-sided, taken away from it: a central difference across a jump
    (hardshrink at 1/2, threshold at 0) would see the jump, not the derivative beside it.
    """
    dps = mpmath.mp.dps
    with mpmath.workdps(2 * dps):
        h = mpmath.mpf(10) ** (-(dps // 2) - 2)
        near = [p for p in _SPLITS if mpmath.isfinite(p) and abs(t - p) < 2 * h]
        if near:
            s = 1 if t >= near[0] else -1
            out = s * (-3 * f(t) + 4 * f(t + s * h) - f(t + 2 * s * h)) / (2 * h)
        else:
            out = (f(t + h) - f(t - h)) / (2 * h)
    return +out


_SPLITS = [-mpmath.inf, -6, -3, -1, mpmath.mpf(-1) / 2, 0, mpmath.mpf(1) / 2, 1, 3, 6, mpmath.inf]


def _gauss_mean(g):
    return mpmath.quad(lambda t: g(t) * mpmath.npdf(t), _SPLITS)


def _reference_extremum(f, kind: str) -> mpmath.mpf:
    """sup/inf of f' by a grid on [-20, 20] and Newton on f'' from the best grid point."""
    sign = 1 if kind == "sup" else -1
    with mpmath.workdps(15):
        grid = [mpmath.mpf(k) / 20 for k in range(-400, 401)]
        best = max(grid, key=lambda t: sign * _deriv(f, t))
    root = mpmath.findroot(lambda t: mpmath.diff(f, t, 2), best)
    return mpmath.diff(f, root)


def _reference(name: str, key: str, digits: int) -> mpmath.mpf | None:
    f = REFERENCE.get(name)
    if f is None:
        return None
    with mpmath.workdps(digits + 12):
        if key in ("sup phi'", "inf phi'"):
            return _reference_extremum(f, key[:3])
        g2 = 1 / _gauss_mean(lambda t: f(t) ** 2)
        if key == "gain":
            return mpmath.sqrt(g2)
        if key == "chi_1 at the gain":  # q* = 1 is a fixed point at sigma_w^2 = g^2, sigma_b^2 = 0
            return g2 * _gauss_mean(lambda t: _deriv(f, t) ** 2)
        if key == "chi_1 if the variance collapses":  # q* = 0: chi_1 = sigma_w^2 phi'(0)^2
            return g2 * _deriv(f, mpmath.mpf(0)) ** 2
    return None


def test_every_document_typesets_cleanly(catalogue, compared):
    verdicts = [check_claim(c) for c in (r"\max_x \sigma'(x) = \frac14", "sigmoid'(x) <= 1/5",
                                         "max_x silu'(x) = 1.0998393", "tanh(x) = 2*sigmoid(x) - 1")]
    docs = {
        "catalogue": combined_document(list(catalogue.values()), title="Every catalogue activation"),
        "comparison": comparison_from(compared),
        "verdicts": combined_document([Derivation(v.derivation.title, tuple(v.steps()), v.derivation.rows)
                                       for v in verdicts], title="Claims"),
    }
    # every formula in math mode: no ASCII maths left inside \text{}
    for name, tex in docs.items():
        bad = [t for t in _text_groups(tex) if _ASCII_MATH.search(t)]
        assert not bad, f"{name}: ASCII maths in \\text{{}}: {bad[:5]}"
        assert "sqrt(" not in tex and "**" not in tex, name
    logs = compile_all(docs)
    for name, log in logs.items():
        over = [ln for ln in log.splitlines() if ln.startswith("Overfull \\hbox")]
        assert not over, f"{name}: {over}"
    # every decimal in a summary row agrees with an independent reference
    checked = 0
    for name, d in catalogue.items():
        for row in d.rows:
            shown = row.value_text()
            if not re.fullmatch(r"-?\d+\.\d+(e[+-]?\d+)?", shown):
                continue
            ndig = len(re.sub(r"\D", "", shown.split("e")[0]).lstrip("0"))
            ref = _reference(name, row.key, ndig)
            assert ref is not None, f"no reference for {name}: {row.key} = {shown}"
            if row.key == "chi_1 at the gain" and "q* = 0" in d.text():  # the variance map collapsed
                ref = _reference(name, "chi_1 if the variance collapses", ndig)
            try:
                _assert_correctly_rounded(shown, ref)
            except AssertionError as exc:
                raise AssertionError(f"{name}, {row.key} ({row.level}): {exc}") from None
            checked += 1
    assert checked >= 8  # the certified extrema alone give 8; mean-field rows add more
    assert len(catalogue) == len(sa.names())


def test_comparison_answers_the_question(compared):
    doc = comparison_from(compared)
    table = doc[doc.index(r"\begin{tabularx}") : doc.index(r"\end{tabularx}")]
    for title in ("Logistic sigmoid", "Hyperbolic tangent", "Rectified linear unit (ReLU)",
                  "Gaussian error linear unit (GELU)"):
        assert title in table
    assert (r"\left(\frac{1}{4}\right)^{n}" in table and "& $10$" in table) or "10" in table
    assert r"\chi_1" in table


def test_example_script_runs_and_compiles(tmp_path):
    out = tmp_path / "qa.tex"
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    res = subprocess.run([sys.executable, str(ROOT / "examples" / "plot_qa_answer.py"), str(out)],
                         capture_output=True, text=True, timeout=120, env=env, cwd=ROOT)
    assert res.returncode == 0, res.stderr
    assert "1/4" in res.stdout and "n_min = 10" in res.stdout and "[0, 1]" in res.stdout
    compile_all({"qa": out.read_text(encoding="utf-8")})


def test_rows_accept_pairs():
    d = Derivation("t", (), (("a", "1"),))
    assert d.numbers == (("a", "1"),) and isinstance(d.rows[0], Row)
