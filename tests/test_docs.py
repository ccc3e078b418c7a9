"""The documentation: an API page for every public name, and a -W Sphinx build."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import symact as sa
from symact import plot

ROOT = Path(__file__).resolve().parents[1]


def _apipages():
    spec = importlib.util.spec_from_file_location("apipages", ROOT / "docs" / "_ext" / "apipages.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_every_public_name_has_an_api_page(tmp_path):
    pages = _apipages()
    n = pages.write_pages(tmp_path)
    expected = {f"symact.{name}" for name in sa.__all__} | {f"symact.plot.{name}" for name in plot.__all__}
    written = {p.stem for p in tmp_path.glob("*.rst")} - {"index"}
    assert written == expected, (sorted(expected - written), sorted(written - expected))
    assert n == len(expected)
    index = (tmp_path / "index.rst").read_text()
    for name in expected:  # listed (and linked) from the reference index
        assert f"   {name}\n" in index, name
        text = (tmp_path / f"{name}.rst").read_text()
        assert text.startswith(name + "\n" + "=" * len(name))
        assert ".. auto" in text or ".. data::" in text


def test_data_names_are_described():
    pages = _apipages()
    for name in sa.__all__:
        obj = getattr(sa, name)
        if pages._kind(obj) == "data":
            assert name in pages.DATA_DOCS, f"add a description of {name} to docs/_ext/apipages.py"


def test_guides_exist_and_are_in_the_toctree():
    index = (ROOT / "docs" / "index.md").read_text()
    for page in ("guide/frameworks", "guide/sympy", "guide/gains", "api/reference/index"):
        assert page in index
        if not page.startswith("api"):
            assert (ROOT / "docs" / f"{page}.md").exists()


DOC_PAGES = sorted(p for p in (ROOT / "docs").rglob("*.md")
                   if not {"_build", "auto_examples"} & set(p.relative_to(ROOT / "docs").parts))


@pytest.mark.parametrize("page", DOC_PAGES, ids=[str(p.relative_to(ROOT / "docs")) for p in DOC_PAGES])
def test_docs_examples_run(page):
    import doctest

    import matplotlib

    matplotlib.use("Agg")
    result = doctest.testfile(str(page), module_relative=False, optionflags=doctest.ELLIPSIS
                              | doctest.NORMALIZE_WHITESPACE, verbose=False, report=True)
    assert result.failed == 0, f"{result.failed} failing examples in {page.name}"


@pytest.mark.slow
def test_docs_build(tmp_path):
    pytest.importorskip("sphinx")
    pytest.importorskip("myst_parser")
    pytest.importorskip("numpydoc")
    pytest.importorskip("sphinx_gallery")
    # build from a copy so that generated files (gallery, API pages) stay out of the tree
    src = tmp_path / "docs"
    shutil.copytree(ROOT / "docs", src, ignore=shutil.ignore_patterns(
        "_build", "auto_examples", "generated", "reference", "__pycache__"))
    conf = src / "conf.py"
    conf.write_text(conf.read_text().replace(
        "ROOT = Path(__file__).resolve().parents[1]", f"ROOT = Path({str(ROOT)!r})"))
    env = {**os.environ, "MPLBACKEND": "Agg",
           "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)}
    r = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html", str(src),
         str(tmp_path / "html")],
        env=env, capture_output=True, text=True, timeout=900, check=False,
    )
    assert r.returncode == 0, (r.stdout + r.stderr)[-5000:]
    html = tmp_path / "html"
    assert (html / "index.html").exists()
    assert (html / "getting-started.html").exists()
    for page in ("frameworks", "sympy", "gains"):
        assert (html / "guide" / f"{page}.html").exists()
    gallery = {p.name for p in (html / "auto_examples").glob("plot_*.html")}
    assert len(gallery) >= 7 and "plot_catalogue.html" in gallery
    missing = [n for n in sa.__all__ if not (html / "api" / "reference" / f"symact.{n}.html").exists()]
    missing += [n for n in plot.__all__ if not (html / "api" / "reference" / f"symact.plot.{n}.html").exists()]
    assert not missing, missing
