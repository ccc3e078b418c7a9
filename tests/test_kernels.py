"""NNGP/NTK against neural-tangents' closed forms, reimplemented here in NumPy (float64)."""

import numpy as np
import pytest
import sympy

from symact.propagation.kernels import ntk


def nt_abrelu(nngp, prod, ntk_, a, b):  # neural-tangents stax.ABRelu
    sq = np.sqrt(max(prod - nngp**2, 0.0))
    ang = np.arctan2(sq, nngp)
    fac = (a - b) ** 2 / (2 * np.pi)
    dot = (a**2 + b**2) / 2 - fac * ang
    return fac * sq + dot * nngp, ntk_ * dot


def nt_erf(nngp, q1, q2, ntk_):  # stax.Erf(a=1, b=1, c=0)
    prod = (1 + 2 * q1) * (1 + 2 * q2)
    sr = np.sqrt(prod - 4 * nngp**2)
    return 2 / np.pi * np.arctan2(2 * nngp, sr), ntk_ * 4 / np.pi / sr


def nt_gelu(nngp, q1, q2, ntk_):  # stax.Gelu
    prod, pp1 = q1 * q2, (q1 + 1) * (q2 + 1)
    d2 = pp1 - nngp**2
    d = np.sqrt(d2)
    ang = np.arctan2(nngp, d)
    new = ((nngp**2 + prod * d2) / (pp1 * d) + nngp * ang) / (2 * np.pi) + 0.25 * nngp
    dot = (1 / d2 + (1 - prod) / pp1 + 1) * nngp / d / (2 * np.pi) + 0.25 + ang / (2 * np.pi)
    return new, ntk_ * dot


def reference(kind, depth, w, b, S):
    S = np.array(S, float)
    T = S.copy()
    for _ in range(depth):
        newS, newT = np.empty_like(S), np.empty_like(S)
        for i in range(2):
            for j in range(2):
                if kind == "relu":
                    s, t = nt_abrelu(S[i, j], S[i, i] * S[j, j], T[i, j], 0.0, 1.0)
                elif kind == "erf":
                    s, t = nt_erf(S[i, j], S[i, i], S[j, j], T[i, j])
                else:
                    s, t = nt_gelu(S[i, j], S[i, i], S[j, j], T[i, j])
                newS[i, j] = w * s + b
                newT[i, j] = newS[i, j] + w * t
        S, T = newS, newT
    return S, T


@pytest.mark.parametrize("kind,act", [("relu", "relu"), ("gelu", "gelu"),
                                      ("erf", sympy.erf(sympy.Symbol("x", real=True)))])
def test_against_neural_tangents_formulas(kind, act):
    S0 = [[1.5, 0.6], [0.6, 0.8]]
    w, b = 1.7, 0.1
    r = ntk(act, 3, sympy.Rational(17, 10), sympy.Rational(1, 10),
            gram=[[sympy.Rational(3, 2), sympy.Rational(3, 5)], [sympy.Rational(3, 5), sympy.Rational(4, 5)]])
    S, T = reference(kind, 3, w, b, S0)
    np.testing.assert_allclose(r.floats("nngp"), S, rtol=1e-13)
    np.testing.assert_allclose(r.floats("ntk"), T, rtol=1e-13)


def test_relu_exact_through_depth():
    r = ntk("relu", 2, 2, 0, q1=1, c=0)
    assert r.level == "exact"
    c1 = 1 / sympy.pi
    c2 = (sympy.sqrt(1 - c1**2) + (sympy.pi - sympy.acos(c1)) * c1) / sympy.pi
    assert sympy.simplify(r.nngp[0][1].value - c2) == 0
