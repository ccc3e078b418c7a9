"""Run the gallery scripts and the tour notebook."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
SCRIPTS = sorted(EXAMPLES.glob("*.py"))


def _env() -> dict[str, str]:
    # the source tree first, so a stale editable install cannot shadow it
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
    return {**os.environ, "MPLBACKEND": "Agg", "PYTHONPATH": path}


def test_there_are_examples():
    names = {p.name for p in SCRIPTS}
    assert {"plot_depth_comparison.py", "plot_four_sigmoid.py", "plot_dead_relu_he_init.py",
            "plot_edge_of_chaos_tanh.py", "plot_check_derivation.py",
            "plot_define_activation.py", "plot_catalogue.py"} <= names


@pytest.mark.parametrize("script", SCRIPTS, ids=[p.name for p in SCRIPTS])
def test_example_starts_with_docstring(script):
    doc = ast.get_docstring(ast.parse(script.read_text(encoding="utf-8")))
    assert doc, f"{script.name} must start with a docstring"
    lines = doc.strip().splitlines()
    assert len(lines) >= 3 and set(lines[1]) == {"="}, "title then === underline"


@pytest.mark.parametrize("script", SCRIPTS, ids=[p.name for p in SCRIPTS])
def test_example_runs(script, tmp_path):
    r = subprocess.run([sys.executable, str(script)], cwd=tmp_path, env=_env(),
                       capture_output=True, text=True, timeout=120, check=False)
    assert r.returncode == 0, r.stderr[-3000:]


@pytest.mark.slow
def test_tour_notebook():
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    nb = nbformat.read(EXAMPLES / "tour.ipynb", as_version=4)
    env_path = str(ROOT)
    old = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (env_path, old) if p)
    try:
        client = nbclient.NotebookClient(nb, timeout=300, kernel_name="python3",
                                         resources={"metadata": {"path": str(ROOT)}})
        client.execute()
    finally:
        if old is None:
            os.environ.pop("PYTHONPATH", None)
        else:
            os.environ["PYTHONPATH"] = old
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    text = "".join(o.get("text", "") + str(o.get("data", {}).get("text/plain", "")) for o in outputs)
    assert "1/4" in text and "w/4" in text
    picture = next(i for i, c in enumerate(nb.cells) if c.cell_type == "markdown" and "The picture" in c.source)
    shown = [o for c in nb.cells[picture:] if c.cell_type == "code" for o in c.outputs]
    figures = [o for o in shown if "image/png" in o.get("data", {})]
    assert len(figures) == 1, f"'The picture' shows {len(figures)} figures (expected exactly one)"
