"""The derivation shows GELU' with Phi and the normal density, gelu_tanh' with T = tanh(...).

The displayed formula is evaluated with mpmath's own ncdf / npdf / tanh and compared with a
numerical derivative of the hand-written reference activation (tests/reference.py).
"""

from __future__ import annotations

import mpmath as mp
import pytest
import sympy

import symact as sa
from tests.reference import REFERENCE

POINTS = ["-3.5", "-1", "-0.25", "0", "0.7", "2", "4.5"]


def _shown(name, fn):
    steps = [s for s in sa.derive(name).steps if s.kind == "derivative" and isinstance(s.rhs, sympy.Basic)
             and s.rhs.has(sympy.Function(fn))]
    assert len(steps) == 1, [s.rhs for s in sa.derive(name).steps if s.kind == "derivative"]
    return steps[0]


def _check(expr, name, functions):
    f = sympy.lambdify(sa.x, expr, modules=[functions, "mpmath"])
    with mp.workdps(40):
        for p in POINTS:
            t = mp.mpf(p)
            ref = mp.diff(REFERENCE[name], t)
            assert abs(f(t) - ref) < mp.mpf(10) ** -30, (p, f(t), ref)


def test_gelu_derivative_in_phi_and_its_density():
    step = _shown("gelu", "phi_N")
    assert step.rhs.has(sympy.Function("Phi"))
    assert not step.rhs.has(sympy.erf) and not step.rhs.has(sympy.exp)
    assert "standard normal density" in step.text()
    _check(step.rhs, "gelu", {"Phi": mp.ncdf, "phi_N": mp.npdf})


def test_gelu_tanh_derivative_with_T():
    step = _shown("gelu_tanh", "T")
    assert len(step.rhs.atoms(sympy.tanh)) == 0
    with mp.workdps(40):
        def T(t):
            return mp.tanh(mp.sqrt(2 / mp.pi) * (t + mp.mpf("0.044715") * t**3))
        _check(step.rhs, "gelu_tanh", {"T": T})


@pytest.mark.parametrize("name", ["tanh", "silu"])
def test_no_rewrite_where_nothing_is_gained(name):
    kinds = [s.rhs for s in sa.derive(name).steps if s.kind == "derivative"]
    assert not any(isinstance(r, sympy.Basic) and r.has(sympy.Function("phi_N"), sympy.Function("T")) for r in kinds)
