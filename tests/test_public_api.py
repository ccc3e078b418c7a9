"""Every public name exists and is documented; importing stays light."""

from __future__ import annotations

import subprocess
import sys

import symact as sa
from symact import plot


def test_every_public_name_exists_and_has_a_docstring():
    for name in sa.__all__:
        obj = getattr(sa, name)
        if name in ("__version__", "x", "DEFAULT_DPS", "LEVELS"):
            continue  # plain data, described in docs/_ext/apipages.py
        assert (getattr(obj, "__doc__", None) or "").strip(), f"{name} has no docstring"
    for name in plot.__all__:
        assert (getattr(plot, name).__doc__ or "").strip(), f"plot.{name} has no docstring"


def test_design_names_are_public():
    for name in ("x", "names", "activation", "define", "sup", "inf", "derivative_bounds",
                 "gradient_bound", "expect", "mean_field", "gain", "check_identity", "check_bound",
                 "derive", "plot", "edge_of_chaos", "table", "clear_cache", "Quantity", "Result",
                 "Undecided", "DEFAULT_DPS", "LEVELS"):
        assert name in sa.__all__


def test_import_does_not_load_heavy_layers():
    code = "import sys, symact; print(sorted(m for m in ('matplotlib', 'numpy', 'scipy') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_cli_without_matplotlib_for_the_demo():
    # `make demo` installs no matplotlib: the demo's commands must not import it
    code = ("import sys; from symact.presentation.cli import main; "
            "main(['bound', 'sigmoid', '--layers', '10', '--eps', '1e-6']); "
            "main(['explain', 'sigmoid', '--format', 'json']); "
            "print('matplotlib' in sys.modules, file=sys.stderr)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         timeout=120)
    assert out.stderr.strip().splitlines()[-1] == "False"


def test_pytorch_and_jax_keywords():
    import sympy

    assert sa.activation("relu", inplace=True) == sa.activation("relu")
    assert sa.activation("elu", alpha=1, inplace=False) == sa.activation("elu")
    assert sa.activation("gelu", approximate="none").name == "gelu"
    assert sa.activation("gelu", approximate="tanh").name == "gelu_tanh"
    assert sa.activation("gelu", approximate=True).name == "gelu_tanh"   # jax.nn.gelu default
    assert sa.activation("gelu", approximate=False).name == "gelu"
    sp = sa.activation("softplus", beta=2, threshold=20)
    x = sa.x
    assert sympy.simplify(sp.expr - sympy.log(1 + sympy.exp(2 * x)) / 2) == 0
    import pytest

    with pytest.raises(ValueError, match="'none' or 'tanh'"):
        sa.activation("gelu", approximate="fast")
    with pytest.raises(TypeError, match="only gelu"):
        sa.activation("relu", approximate="tanh")
    with pytest.raises(ValueError, match="positive"):
        sa.activation("softplus", threshold=-1)
    with pytest.raises(TypeError, match="inplace"):
        sa.activation("relu", inplace="yes")


def test_softplus_threshold_difference_is_as_documented():
    # PyTorch's cut-off: x where beta*x > t.  The documented sizes, checked with mpmath.
    import mpmath

    beta, t = 2, 20
    with mpmath.workdps(40):
        x0 = mpmath.mpf(t) / beta
        value_gap = mpmath.log(1 + mpmath.exp(beta * x0)) / beta - x0
        slope_gap = 1 - 1 / (1 + mpmath.exp(-beta * x0))
        assert abs(value_gap - mpmath.log(1 + mpmath.exp(-t)) / beta) < mpmath.mpf(10) ** -30
        assert float(value_gap) < 2.1e-9 / beta * 1.01
        assert float(slope_gap) < 2.1e-9
