"""Derivations: recorded steps, renderings, and LaTeX that really compiles."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import mpmath
import pytest
import sympy

import symact as sa
from symact.expressions.activation import x
from symact.proofs.derivation import (
    Derivation,
    Notation,
    Step,
    comparison_document,
    derive,
    derive_many,
    escape_text,
)

ROOT = Path(__file__).resolve().parents[1]
# The catalogue derivations are slow (certified extrema); give the mean field a short budget here.
MF_BUDGET = 1.5


def _pdflatex() -> str:
    exe = shutil.which("pdflatex")
    if exe is None:
        pytest.fail(
            "pdflatex not found: install TeX Live (apt-get install texlive-latex-base "
            "texlive-latex-recommended) -- the LaTeX tests must not be skipped"
        )
    return exe


def _compile_many(docs: dict[str, str]) -> dict[str, str]:
    """Compile each document (a few in parallel); return {name: error text} for failures."""
    exe = _pdflatex()
    tmp = Path(tempfile.mkdtemp(prefix="symact-tex-"))
    errors: dict[str, str] = {}
    names = list(docs)
    for i in range(0, len(names), 4):
        procs = []
        for name in names[i : i + 4]:
            (tmp / f"{name}.tex").write_text(docs[name], encoding="utf-8")
            procs.append((name, subprocess.Popen(
                [exe, "-interaction=nonstopmode", "-halt-on-error", f"{name}.tex"],
                cwd=tmp, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)))
        for name, proc in procs:
            rc = proc.wait(timeout=120)
            log = (tmp / f"{name}.log").read_text(encoding="latin-1")
            if rc != 0 or "Undefined control sequence" in log or "\n! " in log or not (tmp / f"{name}.pdf").exists():
                start = log.find("\n! ")
                errors[name] = log[start : start + 600] if start >= 0 else log[-600:]
    shutil.rmtree(tmp, ignore_errors=True)
    return errors


@pytest.fixture(scope="module")
def catalogue() -> dict[str, Derivation]:
    return {name: derive(name, meanfield_budget=MF_BUDGET) for name in sa.names()}


# ---------------------------------------------------------------------------
def test_sigmoid_steps_are_the_computation():
    d = derive("sigmoid")
    kinds = [s.kind for s in d.steps]
    assert kinds[:3] == ["definition", "derivative", "derivative"] or kinds[:3] == ["definition", "derivative", "identity"]
    ident = next(s for s in d.steps if s.kind == "identity")
    phi = sympy.Function("varphi")(x)
    # the recorded identity is phi(1 - phi), and it really holds for the sigmoid
    assert sympy.expand(ident.rhs - phi * (1 - phi)) == 0
    s = sa.activation("sigmoid").expr
    assert sympy.simplify(ident.rhs.subs(phi, s) - sympy.diff(s, x)) == 0
    crit = next(s for s in d.steps if s.kind == "critical_points")
    assert crit.rhs == sympy.FiniteSet(0)
    sup_step = next(s for s in d.steps if s.kind == "conclusion" and "sup" in s.lhs.text)
    assert sup_step.rhs == sympy.Rational(1, 4)
    nums = dict(d.numbers)
    assert nums["depth to 1e-06"] == "10"
    # independent check: (1/4)^10 < 1e-6 <= (1/4)^9
    assert mpmath.mpf(1) / 4**10 < 1e-6 <= mpmath.mpf(1) / 4**9


def test_identities_only_when_verified():
    tanh = derive("tanh")
    ident = [s for s in tanh.steps if s.kind == "identity"]
    phi = sympy.Function("varphi")(x)
    assert ident and sympy.expand(ident[0].rhs - (1 - phi**2)) == 0
    # sin' = cos is not a polynomial in sin: no identity may be claimed
    assert not [s for s in derive("sin").steps if s.kind == "identity"]


def test_relu_kink_and_subdifferential():
    d = derive("relu")
    sub = next(s for s in d.steps if s.kind == "subdifferential")
    assert sub.rhs == sympy.Interval(0, 1)
    sides = [s.rhs for s in d.steps if s.kind == "one_sided"]
    assert sides == [0, 1]
    assert dict(d.numbers)["regime"] == "neutral"
    assert any("dead units" in str(s.lhs) for s in d.steps if s.kind == "note")


def test_certified_steps_show_enclosures():
    d = derive("silu")
    cert = [s for s in d.steps if s.kind == "conclusion" and s.relation == "approx"]
    assert cert and all("certified" in s.justification and "[" in s.justification for s in cert)
    top = next(s for s in cert if "sup" in s.lhs.text)
    # independent: max of SiLU' by mpmath root finding of SiLU''
    f1 = lambda t: mpmath.sigmoid(t) * (1 + t * (1 - mpmath.sigmoid(t)))  # noqa: E731
    with mpmath.workdps(30):
        root = mpmath.findroot(lambda t: mpmath.diff(f1, t), 2.4)
        assert abs(mpmath.mpf(top.rhs) - f1(root)) < mpmath.mpf(10) ** -18


def test_meanfield_step_or_note():
    d = derive("relu")
    mf = [s for s in d.steps if s.kind == "meanfield"]
    assert mf and mf[0].rhs == 1  # He initialisation: chi_1 = 1 exactly


def test_renderings():
    d = derive("leaky_relu")
    tex = d.latex()
    assert "&=" in tex and r"\text{" in tex
    assert d._repr_latex_().startswith(r"\begin{align*}")
    md = d.markdown()
    assert md.startswith("**Derivation for leaky_relu**") and "$" in md
    assert "Derivation for leaky_relu" in d.text()
    doc = d.document()
    assert doc.startswith(r"\documentclass{article}") and r"\usepackage{amsmath}" in doc
    assert r"leaky\_relu" in doc and r"\begin{tabular}" in doc


def test_escape_and_step_validation():
    assert escape_text("a_b & 50%") == r"a\_b \& 50\%"
    with pytest.raises(ValueError, match="relation"):
        Step("x", Notation("a", "a"), 1, "==", "")
    with pytest.raises(TypeError):
        Derivation("t", ("not a step",))


def test_derive_many_and_comparison():
    d = derive_many(["sigmoid", "relu"])
    assert [s.lhs for s in d.steps if s.kind == "section"] == ["sigmoid", "relu"]
    assert ("sigmoid: depth to 1e-06", "10") in d.numbers
    doc = comparison_document(["sigmoid", "relu", "tanh"])
    assert doc.count(r"\section*") == 3


def test_bad_input():
    with pytest.raises(TypeError, match="expected an activation"):
        derive(3.5)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------
def test_every_catalogue_document_compiles(catalogue):
    docs = {name: d.document() for name, d in catalogue.items()}
    docs["comparison"] = comparison_document(sa.names(), layers_eps=1e-6) if False else _comparison(catalogue)
    errors = _compile_many(docs)
    assert not errors, f"LaTeX errors: {errors}"
    print(f"{len(docs) - 1} catalogue documents and 1 comparison document compiled")
    assert len(docs) - 1 == len(sa.names())


def _comparison(catalogue: dict[str, Derivation]) -> str:
    # derive() is cached per (activation, eps, budget): reuse the fixture's derivations
    from symact.proofs.derivation import combined_document

    return combined_document(list(catalogue.values()), title="All catalogue activations")


def test_example_script_runs_and_compiles(tmp_path):
    out = tmp_path / "qa.tex"
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    res = subprocess.run([sys.executable, str(ROOT / "examples" / "plot_qa_answer.py"), str(out)],
                         capture_output=True, text=True, timeout=120, env=env, cwd=ROOT)
    assert res.returncode == 0, res.stderr
    assert "1/4" in res.stdout and "n_min = 10" in res.stdout and "Interval(0, 1)" in res.stdout
    errors = _compile_many({"qa": out.read_text(encoding="utf-8")})
    assert not errors, errors
