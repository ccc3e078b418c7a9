"""Render one page of each kind of symact document to PNG for the docs.

Writes docs/_static/derivations/{derivation,certified,comparison,verdict,cmap}.png:
the GELU derivation (exact extrema), the SiLU derivation (certified extrema), the
sigmoid/tanh/ReLU/GELU comparison, a claim checked with check_claim, and the
certified correlation map of tanh.
Needs pdflatex and pdftoppm (poppler-utils).  Run: python docs/render_derivations.py
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from sympy import Rational

from symact.proofs.analysis_steps import derive
from symact.propagation.cmap import correlation_map
from symact.proofs.claims import check_claim
from symact.proofs.documents import comparison_document

OUT = Path(__file__).resolve().parent / "_static" / "derivations"


def render(name: str, tex: str, page: int = 1) -> Path:
    """Compile ``tex`` safely in a temporary folder and write page ``page`` as ``OUT/name.png``."""
    tmp = Path(tempfile.mkdtemp(prefix="symact-doc-"))
    env = dict(os.environ, openin_any="p", openout_any="p")
    try:
        (tmp / "doc.tex").write_text(tex, encoding="utf-8")
        subprocess.run(["pdflatex", "-no-shell-escape", "-interaction=nonstopmode", "-halt-on-error",
                        "doc.tex"], cwd=tmp, env=env, check=True, timeout=120, capture_output=True)
        subprocess.run(["pdftoppm", "-png", "-r", "70", "-f", str(page), "-l", str(page), "-singlefile",
                        "doc.pdf", "page"], cwd=tmp, check=True, timeout=60)
        OUT.mkdir(parents=True, exist_ok=True)
        target = OUT / f"{name}.png"
        shutil.copy(tmp / "page.png", target)
        return target
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> int:
    print(render("derivation", derive("gelu").document()))
    print(render("certified", derive("silu").document(), page=2))
    print(render("comparison", comparison_document()))
    print(render("verdict", check_claim("max_x silu'(x) = 1.0998393").document()))
    print(render("cmap", derive(correlation_map("tanh", 1, Rational(1, 10)), at=[Rational(1, 2)]).document()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
