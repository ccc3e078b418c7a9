"""Every public name exists and is documented; importing stays light."""

from __future__ import annotations

import subprocess
import sys

import symact as sa


def test_every_public_name_exists_and_has_a_docstring():
    for name in sa.__all__:
        obj = getattr(sa, name)
        if name in ("__version__", "x"):
            continue
        assert (getattr(obj, "__doc__", None) or "").strip(), f"{name} has no docstring"


def test_design_names_are_public():
    for name in ("x", "names", "activation", "define", "sup", "inf", "derivative_bounds",
                 "gradient_bound", "expect", "mean_field", "gain", "check_identity", "check_bound",
                 "derive", "plot", "edge_of_chaos", "table"):
        assert name in sa.__all__


def test_import_does_not_load_heavy_layers():
    code = "import sys, symact; print(sorted(m for m in ('matplotlib', 'numpy', 'scipy') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
