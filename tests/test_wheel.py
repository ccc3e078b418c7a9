"""CI's packaging check: build the wheel, install it non-editable in a fresh virtual
environment, and run the ``symact`` command from there (not from the source tree)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env["MPLBACKEND"] = "Agg"
    return env


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    r = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(ROOT)],
                       capture_output=True, text=True, timeout=300, check=False, env=_clean_env())
    if r.returncode != 0 and "No matching distribution" in r.stderr:
        pytest.skip("no package index to fetch the build backend from")
    assert r.returncode == 0, r.stderr[-3000:]
    (whl,) = out.glob("symact-*.whl")
    return whl


def test_wheel_metadata(wheel):
    with zipfile.ZipFile(wheel) as z:
        names = z.namelist()
        meta = z.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    assert "symact/py.typed" in names
    assert any(n.endswith("licenses/LICENSE") for n in names)
    assert "License-Expression: BSD-3-Clause" in meta
    assert "Classifier: Programming Language :: Python :: 3" in meta
    assert "Project-URL" not in meta  # no placeholder addresses until the project has a real home
    requires = [ln for ln in meta.splitlines() if ln.startswith("Requires-Dist:")]
    core = [ln for ln in requires if "extra ==" not in ln]
    assert not [ln for ln in core if "matplotlib" in ln], "matplotlib belongs in the [plot] extra"
    assert any("matplotlib" in ln and 'extra == "plot"' in ln for ln in requires)


def test_installed_wheel_runs_the_cli(wheel, tmp_path):
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    py = env_dir / ("Scripts" if os.name == "nt" else "bin") / "python"
    # the test interpreter's packages provide the dependencies (appended to sys.path, after the
    # new environment's own site-packages); symact itself comes from the wheel
    site = subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    deps = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    Path(site, "_test_dependencies.pth").write_text("\n".join(sorted(deps)) + "\n")
    r = subprocess.run([sys.executable, "-m", "pip", "--python", str(py), "install", "-q", "--no-deps",
                        "--no-index", "--force-reinstall", str(wheel)],
                       capture_output=True, text=True, timeout=300, check=False, env=_clean_env())
    assert r.returncode == 0, r.stderr[-3000:]
    exe = env_dir / ("Scripts" if os.name == "nt" else "bin") / "symact"
    run = subprocess.run([str(py), "-c", "import symact; print(symact.__file__)"], cwd=tmp_path,
                         capture_output=True, text=True, timeout=60, check=True, env=_clean_env())
    assert str(env_dir) in run.stdout and str(ROOT) not in run.stdout  # not the source tree
    r = subprocess.run([str(exe), "bound", "sigmoid", "--layers", "10", "--eps", "1e-6", "--format", "json"],
                       cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False, env=_clean_env())
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["bound"]["text"] == "1/1048576" and data["depth_below"] == 10  # 4^10 > 10^6 > 4^9
    r = subprocess.run([str(exe), "explain", "sigmod"], cwd=tmp_path, capture_output=True, text=True,
                       timeout=120, check=False, env=_clean_env())
    assert r.returncode == 2 and r.stderr.startswith("symact: error:")
