"""Shaping from its defaults over the catalogue entries of issue 20 (item 11), against dks's method.

The reference is google-deepmind/dks's own procedure, re-implemented here in float64 and
independent of symact: Gaussian means by Gauss-Legendre quadrature on [-10, 10] (dks
``_estimate_gaussian_mean``), output shift and scale from C(0) = 0 and Q(1) = 1
(``_compute_output_params``), residuals Q'(1) - 1 and C'(1) - zeta or C''(1) - tau
(``_calc_q_slope_1``, ``_calc_c_slope``/``_calc_c_curv`` with ``q_output = 1``), solved with
``scipy.optimize.root(method="hybr")`` from dks's starting points in dks's order.
"""

import numpy as np
import pytest
import scipy.optimize as so
from numpy.polynomial.legendre import leggauss
from scipy.special import erf, expit

from symact.propagation.shaping import NoSolution, shape

_U, _W = leggauss(4000)
_Z = 10 * _U
_WZ = 10 * _W * np.exp(-_Z**2 / 2) / np.sqrt(2 * np.pi)
_SQ = np.sqrt(2 * np.pi)
PHI = {
    "tanh": (np.tanh, lambda y: 1 / np.cosh(y) ** 2, lambda y: -2 * np.tanh(y) / np.cosh(y) ** 2),
    "softplus": (lambda y: np.logaddexp(0, y), expit, lambda y: expit(y) * (1 - expit(y))),
    "silu": (lambda y: y * expit(y), lambda y: expit(y) * (1 + y * (1 - expit(y))),
             lambda y: expit(y) * (1 - expit(y)) * (2 + y * (1 - 2 * expit(y)))),
    "gelu": (lambda y: y / 2 * (1 + erf(y / np.sqrt(2))),
             lambda y: (1 + erf(y / np.sqrt(2))) / 2 + y * np.exp(-y * y / 2) / _SQ,
             lambda y: (2 - y * y) * np.exp(-y * y / 2) / _SQ),
}
DKS_STARTS = [(1.0, 0.0), (1.0, 1.0), (1.0, -1.0), (0.1, 0.0), (0.1, 1.0), (0.1, -1.0)]


def dks_solve(name, method, target):
    f, d1, d2 = PHI[name]

    def gm(v):
        return np.dot(_WZ, v)

    def out(p):
        y = p[0] * _Z + p[1]
        shift = -gm(f(y))
        return shift, 1 / np.sqrt(gm((f(y) + shift) ** 2))

    def err(p):
        a, b = p
        y = a * _Z + b
        shift, scale = out(p)
        dph = scale * a * d1(y)
        r2 = gm(dph**2) if method == "dks" else gm((scale * a * a * d2(y)) ** 2)
        return np.array([gm(scale * (f(y) + shift) * dph * _Z) - 1, r2 - target])

    with np.errstate(all="ignore"):
        for s in DKS_STARTS:
            sol = so.root(err, np.array(s), method="hybr")
            if sol.success:
                return (abs(sol.x[0]), sol.x[1], *out(sol.x))
    return None


@pytest.mark.parametrize("name, method, target", [
    ("silu", "dks", 1.5), ("gelu", "dks", 1.5), ("softplus", "tat", 0.3), ("gelu", "tat", 0.3),
    ("silu", "tat", 0.3), ("tanh", "tat", 0.3)])
def test_default_shaping_is_dks_solution(name, method, target):
    s = shape(name, method=method, dps=20, **({"zeta": target} if method == "dks" else {"tau": target}))
    ref = dks_solve(name, method, target)
    assert ref is not None and s.unique and s.level == "certified"
    got = [float(q) for q in (s.input_scale, s.input_shift, s.output_shift, s.output_scale)]
    for g, r in zip(got, ref, strict=True):
        assert abs(g - r) < 1e-6 * max(1, abs(r))
    for q in (s.input_scale, s.input_shift, s.output_shift):  # certified to about dps digits
        assert q.enclosure[1] - q.enclosure[0] < 1e-19 * max(1, abs(float(q)))


@pytest.mark.parametrize("name", ["softplus", "elu"])
def test_no_dks_solution_at_zeta_three_halves(name):
    with pytest.raises(NoSolution, match=r"C'\(1\) ranges over \[1(\.0\d*)?, 1\.4[0-6]\d*\]"):
        shape(name, zeta=1.5)
    if name == "softplus":
        assert dks_solve(name, "dks", 1.5) is None  # dks's own search finds none either


def test_bad_targets_are_refused():
    with pytest.raises(ValueError, match="zeta must be a positive real number"):
        shape("tanh", zeta=-1)
    with pytest.raises(ValueError, match="method must be"):
        shape("tanh", method="nope")


def test_several_roots_are_reported():
    s = shape("gelu", method="tat", dps=15)
    assert s.start == (1.0, 0.0) and len(s.alternatives) >= 1
    a, _ = s.alternatives[0]
    assert abs(a - float(s.input_scale)) > 0.1
    assert "other root" in s.steps[1]["reference"]


def test_without_a_proof_the_parameters_are_sampled(monkeypatch):
    import symact.propagation.shaping as shaping
    from symact.core.errors import CertificationError
    from symact.proofs.shape_steps import shape_derivation

    def refuse(*args, **kwargs):
        raise CertificationError("refused for the test")

    monkeypatch.setattr(shaping, "krawczyk_shape", refuse)
    s = shaping.shape("tanh", dps=15)
    assert not s.unique and s.level == "sampled" and s.input_scale.level == "sampled"
    assert s.output_shift.level == "certified" and abs(float(s.residuals["Q'(1)"])) < 1e-12
    d = shape_derivation(s)
    assert d.row("unique").value == "not proved" and d.row("input_scale").level == "sampled"
