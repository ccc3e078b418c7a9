r"""The float64 search for DKS/TAT shaping parameters (sampled; the proof is in :mod:`.shape_proof`).

:class:`FloatMoments` evaluates the same moments as
:class:`~symact.propagation.shape_proof.ShapeMoments` -- :math:`E[z^p \prod_k
\varphi^{(k)}(\alpha z + \beta)]` and their derivatives in :math:`\alpha`, :math:`\beta` with the
moving-breakpoint terms of a piecewise activation -- in float64, with Gauss--Legendre
quadrature on :math:`[-8, 8]` split at the breakpoints (as dks estimates its Gaussian means
with ``fixed_quad`` on :math:`[-10, 10]`), vectorised over many :math:`(\alpha, \beta)` at
once.  :func:`search` runs from dks's starting points (google-deepmind/dks
``_ALWAYS_TRY_VALUES``: input scale 1 or 0.1, input shift 0, 1 or -1, in dks's order) and
with dks's solver (MINPACK's hybrid method, ``scipy.optimize.root(method="hybr")``) and
returns every distinct root it reaches, in the order of the starts (so the first is the one
dks would pick); :func:`scan` samples the
target quantity along :math:`Q'(1) = 1` on a grid, to say why no root exists.  Nothing here
is certified: its roots only seed the Arb refinement and Krawczyk's test.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy
from scipy import optimize

from ..expressions.activation import Activation, x
from ..numerics.numpy_backend import numpy_function
from .shape_proof import residual_and_jacobian, split_pieces

__all__ = ["DKS_STARTS", "FloatMoments", "Scan", "scan", "search"]

#: dks's deterministic starting points (input_scale, input_shift), in dks's order.
DKS_STARTS = ((1.0, 0.0), (1.0, 1.0), (1.0, -1.0), (0.1, 0.0), (0.1, 1.0), (0.1, -1.0))
#: Further deterministic starts (dks continues with random ones from [0, 2] x [-3, 3]).
EXTRA_STARTS = ((0.5, 0.0), (2.0, 0.0), (0.5, 1.0), (0.5, -1.0), (2.0, 1.0), (2.0, -1.0),
                (0.25, 0.5), (0.25, -0.5), (1.5, 2.0), (1.5, -2.0), (0.2, -0.25), (4.0, 0.0))
_L, _N, _Y = 8.0, 96, 8.0
#: The search and the scan stay below |alpha|, |beta| = 60 (beyond, float64 overflows in
#: e^y and the evaluation falls back to mpmath point by point)
_AMAX = 60.0
_U, _W = np.polynomial.legendre.leggauss(_N)
_SQ2PI = math.sqrt(2 * math.pi)


class FloatMoments:
    """Float64 moments with the interface of :class:`~symact.propagation.shape_proof.ShapeMoments`.

    ``M(p, ks, a, b)`` takes arrays ``a``, ``b`` of one shape and returns an array of it.

    >>> import symact as sa
    >>> M = FloatMoments(sa.activation("tanh"), 2)
    >>> round(float(M(0, (1, 1), 1.0, 0.0)), 10)  # E[tanh'(z)^2] = 0.46440290244826...: float64 accuracy
    0.4644029024
    """

    def __init__(self, act: Activation, kmax: int, order: int = 1) -> None:
        cuts, rows = split_pieces(act, kmax, order)
        self.cuts = [float(c) for c in cuts]
        self.fns = [[numpy_function(e, x) for e in row] for row in rows]
        self.jumps: dict[tuple[int, tuple[int, ...]], float] = {}
        self.rows, self.exact_cuts = rows, cuts
        # segments in y = alpha z + beta (alpha > 0 keeps their order): the breakpoints, and
        # y = -8, 8 around the activation's bend, so that a large alpha cannot hide it between nodes
        ys = sorted({*self.cuts, -_Y, _Y})
        self.segments = []  # (y_lo, y_hi, piece)
        for lo, hi in zip([-math.inf, *ys], [*ys, math.inf], strict=True):
            mid = (lo + hi) / 2 if math.isfinite(lo) and math.isfinite(hi) else (hi - 1 if math.isfinite(hi) else lo + 1)
            piece = sum(1 for c in self.cuts if c < mid)
            self.segments.append((lo, hi, piece))

    def _eval(self, i: int, k: int, y: np.ndarray) -> np.ndarray:
        return np.broadcast_to(np.asarray(self.fns[i][k](y), dtype=float), y.shape)

    def __call__(self, p: int, ks: tuple[int, ...], a: Any, b: Any) -> np.ndarray:
        a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
        total = np.zeros(a.shape)

        def z_of(y: float) -> np.ndarray:
            if not math.isfinite(y):
                return np.full(a.shape, math.copysign(_L, y))
            with np.errstate(all="ignore"):
                return np.clip((y - b) / a, -_L, _L)

        for ylo, yhi, i in self.segments:
            lo, hi = z_of(ylo)[..., None], z_of(yhi)[..., None]
            half = (hi - lo) / 2
            t = (hi + lo) / 2 + half * _U
            y = a[..., None] * t + b[..., None]
            with np.errstate(all="ignore"):
                g = np.exp(-t * t / 2) * t**p
                for k in ks:
                    g = g * self._eval(i, k, y)
                total = total + (half * g) @ _W
        return total / _SQ2PI

    def _jump(self, j: int, ks: tuple[int, ...]) -> float:
        key = (j, ks)
        if key not in self.jumps:
            c = self.exact_cuts[j]
            left = sympy.Mul(*[self.rows[j][k] for k in ks]).subs(x, c)
            right = sympy.Mul(*[self.rows[j + 1][k] for k in ks]).subs(x, c)
            self.jumps[key] = float(sympy.N(left - right, 20))
        return self.jumps[key]

    def d(self, p: int, ks: tuple[int, ...], a: Any, b: Any, wrt: int, memo: Any = None) -> np.ndarray:
        """Derivative in alpha (``wrt=0``) or beta (``wrt=1``), moving breakpoints included."""
        q = p + (1 if wrt == 0 else 0)
        call = memo if memo is not None else (lambda pp, kk: self(pp, kk, a, b))
        s = 0
        for i in range(len(ks)):
            s = s + call(q, tuple(sorted((*ks[:i], ks[i] + 1, *ks[i + 1:]))))
        for j, c in enumerate(self.cuts):
            D = self._jump(j, ks)
            if D:
                zj = (c - np.asarray(b, dtype=float)) / np.asarray(a, dtype=float)
                s = s - zj**q * np.exp(-zj * zj / 2) / _SQ2PI * D / a
        return s


def _residual(M: FloatMoments, n: int, target: float) -> Any:
    def F(p: np.ndarray) -> np.ndarray:
        a, b = abs(float(p[0])), float(p[1])  # F is even in alpha (z -> -z)
        if a == 0 or not (a < _AMAX and abs(b) < _AMAX):  # outside the searched range
            return np.array([1e3, 1e3])
        with np.errstate(all="ignore"):
            r, _ = residual_and_jacobian(M, np.array(a), np.array(b), n, target, jac=False)
            v = np.array([float(r[0]), float(r[1])])
        return v if np.all(np.isfinite(v)) else np.array([1e3, 1e3])

    return F


def solve_from(M: FloatMoments, n: int, target: float, start: tuple[float, float]) -> tuple[float, float] | None:
    """dks's solver step: MINPACK's hybrid method (``scipy.optimize.root(method="hybr")``) from ``start``."""
    F = _residual(M, n, target)
    sol = optimize.root(F, np.array(start, dtype=float), method="hybr", options={"maxfev": 150})
    if not sol.success:
        return None
    a, b = abs(float(sol.x[0])), float(sol.x[1])
    r = F(np.array([a, b]))
    return (a, b) if max(abs(r)) < 1e-9 and a > 1e-8 else None


def search(M: FloatMoments, n: int, target: float, starts: tuple[tuple[float, float], ...]
           ) -> list[tuple[tuple[float, float], tuple[float, float]]]:
    """Distinct roots reached from ``starts``, in their order, each with the start that found it.

    >>> import symact as sa
    >>> [(round(a, 6), round(b, 6)) for (a, b), _ in search(FloatMoments(sa.activation("tanh"), 2), 1, 1.5,
    ...                                                    DKS_STARTS)]
    [(1.283239, -1.578358), (1.283239, 1.578358)]
    """
    roots: list[tuple[tuple[float, float], tuple[float, float]]] = []
    for s in starts:
        r = solve_from(M, n, target, s)
        if r is None:
            continue
        if all(abs(r[0] - q[0]) > 1e-6 * max(1, abs(q[0])) or abs(r[1] - q[1]) > 1e-6 * max(1, abs(q[1]))
               for q, _ in roots):
            roots.append((r, s))
    return roots


@dataclass(frozen=True)
class Scan:
    """Samples of the target quantity where Q'(1) = 1 on the searched grid (float64, sampled)."""

    alpha: tuple[float, float]
    beta: tuple[float, float]
    low: float
    high: float
    points: int


def scan(M: FloatMoments, n: int, *, alpha: tuple[float, float] = (0.01, 60.0),
         beta: tuple[float, float] = (-6.0, 6.0), na: int = 60, nb: int = 121) -> Scan:
    """Range of C^(n)(1) along Q'(1) = 1 (linear interpolation between grid samples).

    Two grids: alpha (geometric) times beta, and alpha times beta/alpha over the same range
    (for large alpha, where the activation acts like its asymptotes and beta/alpha matters).
    """
    a = np.geomspace(alpha[0], alpha[1], na)[:, None] * np.ones(nb)
    t = np.ones(na)[:, None] * np.linspace(beta[0], beta[1], nb)
    vals: list[float] = []
    for A, B in ((a, t), (a, a * t)):
        with np.errstate(all="ignore"):
            F, _ = residual_and_jacobian(M, A, B, n, 0.0, jac=False)
        q, c = F[0], F[1]
        with np.errstate(all="ignore"):
            for i in range(na):
                for k in range(nb - 1):
                    q0, q1 = q[i, k], q[i, k + 1]
                    if np.isfinite(q0) and np.isfinite(q1) and q0 * q1 <= 0 and q0 != q1:
                        w = q0 / (q0 - q1)
                        v = c[i, k] + w * (c[i, k + 1] - c[i, k])
                        if np.isfinite(v):
                            vals.append(float(v))
    if not vals:
        return Scan(alpha, beta, math.nan, math.nan, 0)
    return Scan(alpha, beta, min(vals), max(vals), len(vals))
