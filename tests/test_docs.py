"""Build the Sphinx documentation with warnings as errors."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_docs_build(tmp_path):
    pytest.importorskip("sphinx")
    pytest.importorskip("myst_parser")
    pytest.importorskip("numpydoc")
    pytest.importorskip("sphinx_gallery")
    # build from a copy so that generated files (gallery, autosummary) stay out of the tree
    src = tmp_path / "docs"
    shutil.copytree(ROOT / "docs", src, ignore=shutil.ignore_patterns("_build", "auto_examples", "generated"))
    conf = src / "conf.py"
    conf.write_text(conf.read_text().replace(
        "ROOT = Path(__file__).resolve().parents[1]", f"ROOT = Path({str(ROOT)!r})"))
    env = {**os.environ, "MPLBACKEND": "Agg",
           "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)}
    r = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html", str(src),
         str(tmp_path / "html")],
        env=env, capture_output=True, text=True, timeout=600, check=False,
    )
    assert r.returncode == 0, (r.stdout + r.stderr)[-5000:]
    html = tmp_path / "html"
    assert (html / "index.html").exists()
    assert (html / "getting-started.html").exists()
    gallery = list((html / "auto_examples").glob("plot_*.html"))
    assert len(gallery) >= 6
    assert (html / "api" / "generated" / "symact.plot.html").exists()
