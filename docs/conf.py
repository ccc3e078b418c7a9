"""Sphinx configuration for symact (MyST Markdown, numpydoc, MathJax, sphinx-gallery)."""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent / "_ext"))
os.environ.setdefault("MPLBACKEND", "Agg")

import symact  # noqa: E402

project = "symact"
author = "the symact developers"
copyright = "2025, the symact developers"
release = symact.__version__
version = release

extensions = [
    "myst_parser",
    "numpydoc",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.intersphinx",
    "sphinx_gallery.gen_gallery",
    "apipages",  # docs/_ext/apipages.py: one page per name in symact.__all__ and symact.plot
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence"]
myst_heading_anchors = 3
exclude_patterns = ["_ext", "_build", "auto_examples/*.ipynb", "auto_examples/*.py", "**.codeobj.json"]

autosummary_generate = True
autodoc_typehints = "none"
numpydoc_show_class_members = False
numpydoc_validation_checks = set()
numpydoc_xref_param_type = False

intersphinx_mapping = {}

sphinx_gallery_conf = {
    "examples_dirs": str(ROOT / "examples"),
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "plot_gallery": True,
    "abort_on_example_error": True,
    "download_all_examples": False,
    "remove_config_comments": True,
    "matplotlib_animations": False,
    "within_subsection_order": "FileNameSortKey",
}

html_theme = "alabaster"
html_title = f"symact {release}"
html_static_path = []

# Only well-understood, specific categories:
#  - myst.header: examples' own docstrings start at level 1 inside the gallery pages
#  - ref.citation: numpydoc "References" sections in module docstrings list papers
#    that the text does not cite with [1]_ markers
suppress_warnings = ["myst.header", "ref.citation"]
