r"""NNGP and NTK kernels of deep fully connected networks, exact or certified.

Convention (neural-tangents' ``stax.Dense`` in the NTK parameterisation, ``stax.serial``
of ``depth`` blocks ``Dense -> activation`` followed by a readout ``Dense``): the inputs
enter as the covariance of the first pre-activations,
:math:`\Sigma^1 = \sigma_w^2\, x^\top x'/d + \sigma_b^2` (given here as
:math:`(q_1, q_2, c)` or a Gram matrix of them), :math:`\Theta^1 = \Sigma^1`, and for each
of the ``depth`` nonlinear layers

.. math:: \Sigma^{l+1} = \sigma_w^2 E[\varphi(u)\varphi(v)] + \sigma_b^2, \qquad
          \Theta^{l+1} = \Sigma^{l+1} + \sigma_w^2 E[\varphi'(u)\varphi'(v)]\,\Theta^l,

with :math:`(u, v) \sim N(0, \Sigma^l)` (Lee et al. 2018; Jacot et al. 2018).

References
----------
.. [1] J. Lee, Y. Bahri, R. Novak, S. S. Schoenholz, J. Pennington, J. Sohl-Dickstein,
   "Deep neural networks as Gaussian processes", ICLR 2018.
.. [2] A. Jacot, F. Gabriel, C. Hongler, "Neural tangent kernel", NeurIPS 2018.
.. [3] R. Novak et al., "Neural Tangents: fast and easy infinite neural networks in
   Python", ICLR 2020.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import flint
import sympy
from flint import arb

from ..core.cache import cached
from ..core.precision import DEFAULT_DPS, check_dps, workdps
from ..core.result import Level, Quantity
from ..core.steps import Record
from ..expressions.activation import Activation
from ..expressions.coerce import as_activation
from .bivariate import METHOD as GAUSS2_METHOD
from .cmap import to_quantity
from .dual import Q1, Q2, DualKernel, K, dual_kernel, sym_ball

__all__ = ["KernelResult", "nngp", "ntk"]


@dataclass(frozen=True)
class KernelResult:
    """Kernel matrices after ``depth`` layers: ``nngp[i][j]``, ``ntk[i][j]`` as Quantities."""

    nngp: tuple[tuple[Quantity, ...], ...]
    ntk: tuple[tuple[Quantity, ...], ...]
    level: Level
    method: str
    steps: tuple[Record, ...] = field(default=(), compare=False)
    # the problem solved, for derivations (symact.proofs.kernel_steps)
    act: Activation | None = field(default=None, compare=False)
    depth: int = 0
    weight_var: sympy.Expr | None = None
    bias_var: sympy.Expr | None = None
    inputs: tuple[tuple[sympy.Expr, ...], ...] = ()
    kernel: DualKernel | None = field(default=None, compare=False, repr=False)

    def floats(self, which: str = "nngp") -> list[list[float]]:
        """The matrix as floats."""
        return [[float(v) for v in row] for row in getattr(self, which)]


def _inputs(q1: Any, q2: Any, c: Any, gram: Any) -> list[list[sympy.Expr]]:
    if gram is not None:
        g = [[sympy.nsimplify(v) if isinstance(v, float) else sympy.sympify(v) for v in row]
             for row in gram]
        if any(len(r) != len(g) for r in g):
            raise ValueError("gram must be a square matrix (list of rows)")
        return g
    if q1 is None:
        raise ValueError("give the inputs as q1, q2, c or as gram=[[...], ...]")
    q1 = sympy.sympify(q1)
    q2 = q1 if q2 is None else sympy.sympify(q2)
    k = sympy.sympify(c) * sympy.sqrt(q1 * q2)
    return [[q1, k], [k, q2]]


def _run(act: Any, depth: int, weight_var: Any, bias_var: Any, q1: Any, q2: Any, c: Any,
         gram: Any, dps: int) -> KernelResult:
    dps = check_dps(dps)
    if not isinstance(depth, int) or depth < 0:
        raise ValueError(f"depth must be a non-negative integer, got {depth!r}")
    act = as_activation(act)
    w, b = sympy.sympify(weight_var), sympy.sympify(bias_var)
    S = _inputs(q1, q2, c, gram)
    n = len(S)
    dk = dual_kernel(act)
    steps = [Record("fact", {"statement": sympy.Symbol("Theta^{l+1} = Sigma^{l+1} + w Kdot Theta^l"),
                             "reference": "Jacot et al. 2018; Lee et al. 2018"})]
    f, fd = dk.closed(0), dk.closed(1)
    problem = {"act": act, "depth": depth, "weight_var": w, "bias_var": b,
               "inputs": tuple(tuple(row) for row in S), "kernel": dk}
    exact_ok = dk.family == "arc-cosine" and depth <= 6
    if f is not None and exact_ok and all(v.is_number for row in S for v in row):
        T = [row[:] for row in S]
        for _ in range(depth):
            newS = [[w * _at(f, S, i, j) + b for j in range(n)] for i in range(n)]
            T = [[newS[i][j] + w * _at(fd, S, i, j) * T[i][j] for j in range(n)]
                 for i in range(n)]
            S = newS
        mk = lambda M, nm: tuple(tuple(Quantity(M[i][j], "exact", method="closed form",  # noqa: E731
                                                name=f"{nm}[{i},{j}]") for j in range(n)) for i in range(n))
        return KernelResult(mk(S, "nngp"), mk(T, "ntk"), "exact",
                            f"closed form ({dk.reference})", tuple(steps), **problem)
    with workdps(dps + 10):
        if f is None:  # how the certified values are enclosed, for derivations
            steps.append(Record("integral", {"method": GAUSS2_METHOD, "dps": dps + 10,
                                             "bits": int(flint.ctx.prec), "tail": "growth bound",
                                             "reference": "Johansson 2018"}, level="certified"))
        Sb = [[sym_ball(v, dps + 5) for v in row] for row in S]
        Tb = [row[:] for row in Sb]
        wb, bb = sym_ball(w, dps + 5), sym_ball(b, dps + 5)
        for _ in range(depth):
            newS = [[arb(0)] * n for _ in range(n)]
            newT = [[arb(0)] * n for _ in range(n)]
            for i in range(n):
                for j in range(i, n):
                    qi, qj = Sb[i][i], Sb[j][j]
                    cij = arb(1) if i == j else Sb[i][j] / (qi * qj).sqrt()
                    kv = dk.value(qi, qj, cij, order=0, dps=dps + 3)
                    kd = dk.value(qi, qj, cij, order=1, dps=dps + 3)
                    newS[i][j] = newS[j][i] = wb * kv + bb
                    newT[i][j] = newT[j][i] = newS[i][j] + wb * kd * Tb[i][j]
            Sb, Tb = newS, newT
        mk = lambda M, nm: tuple(tuple(to_quantity(M[i][j], name=f"{nm}[{i},{j}]",  # noqa: E731
                                                   method=dk.reference or GAUSS2_METHOD, dps=dps)
                                       for j in range(n)) for i in range(n))
        return KernelResult(mk(Sb, "nngp"), mk(Tb, "ntk"), "certified",
                            "closed form at ball inputs" if f is not None else GAUSS2_METHOD,
                            tuple(steps), **problem)


@cached(maxsize=64)
def _diagonal(f: sympy.Expr) -> sympy.Expr:
    """f at k = q1 = q2 as an expression in q1 (a limit when the formula is 0/0 there)."""
    v = f.subs({Q2: Q1}).subs(K, Q1)
    if v.has(sympy.nan, sympy.zoo, sympy.oo):
        v = sympy.limit(f.subs({Q2: Q1}), K, Q1, "-")
    return v


def _at(f: sympy.Expr, S: list[list[sympy.Expr]], i: int, j: int) -> sympy.Expr:
    if i != j:
        return f.subs({Q1: S[i][i], Q2: S[j][j], K: S[i][j]})
    return _diagonal(f).subs(Q1, S[i][i])


def nngp(act: Any, depth: int, weight_var: Any, bias_var: Any = 0, *, q1: Any = None,
         q2: Any = None, c: Any = None, gram: Any = None, dps: int = DEFAULT_DPS) -> KernelResult:
    r"""NNGP kernel after ``depth`` nonlinear layers (see the module notes for the convention).

    Examples
    --------
    >>> r = nngp("relu", 1, 2, 0, q1=1, c=0)
    >>> r.nngp[0][1].value, r.nngp[0][0].value
    (1/pi, 1)
    """
    return _run(act, depth, weight_var, bias_var, q1, q2, c, gram, dps)


def ntk(act: Any, depth: int, weight_var: Any, bias_var: Any = 0, *, q1: Any = None,
        q2: Any = None, c: Any = None, gram: Any = None, dps: int = DEFAULT_DPS) -> KernelResult:
    r"""NTK (and NNGP) after ``depth`` nonlinear layers, NTK parameterisation.

    Examples
    --------
    >>> r = ntk("relu", 1, 2, 0, q1=1, c=0)
    >>> r.ntk[0][0].value, r.ntk[0][1].value
    (2, 1/pi)
    """
    return _run(act, depth, weight_var, bias_var, q1, q2, c, gram, dps)
