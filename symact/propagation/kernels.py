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

How the entries are obtained.  When the dual kernel has a proved closed form
(:func:`symact.propagation.dual.dual_kernel`: ReLU and its piecewise-linear family, erf,
sign, GELU) and the inputs are exact, every entry is **exact**: its closed form is the
recursion above with the closed form substituted, kept as a recursion of named
sub-expressions :math:`\Sigma^{l}_{ij}, \Theta^{l}_{ij}` (:meth:`KernelResult.recursion`)
rather than expanded, whose tree grows like :math:`3^{\text{depth}}`.  Short entries are
also given expanded (``value``); a long one is the symbol :math:`\Sigma^{L+1}_{ij}` of
the recursion.  Its enclosure is computed from the same recursion in Arb ball
arithmetic, layer by layer (the correlation :math:`\rho = k/\sqrt{q_1q_2}` is clamped to
[-1, 1], where it provably lies; the ends :math:`\rho = \pm 1` are tracked exactly),
with the working precision doubled until every entry has ``dps`` digits: a depth-50
kernel costs milliseconds.  Otherwise each layer's expectations are **certified** 2-D
Gaussian integrals (:mod:`symact.gaussian.bivariate`).

Inputs are checked before any work (:mod:`symact.propagation.kernel_inputs`): depth an
integer :math:`\ge 1`, :math:`\sigma_w^2 > 0`, :math:`\sigma_b^2 \ge 0`, :math:`q_i > 0`,
:math:`c \in [-1, 1]` (a Gram matrix symmetric with correlations in [-1, 1]).  A float is
the exact binary number it stands for.

References
----------
.. [1] J. Lee, Y. Bahri, R. Novak, S. S. Schoenholz, J. Pennington, J. Sohl-Dickstein,
   "Deep neural networks as Gaussian processes", ICLR 2018.
.. [2] A. Jacot, F. Gabriel, C. Hongler, "Neural tangent kernel", NeurIPS 2018.
.. [3] R. Novak et al., "Neural Tangents: fast and easy infinite neural networks in
   Python", ICLR 2020.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import mpmath
import sympy
from flint import arb

from ..core.budget import check_deadline
from ..core.cache import cached
from ..core.errors import CertificationError
from ..core.precision import DEFAULT_DPS, check_dps, workdps, workprec
from ..core.result import Level, Quantity, certified_digits, honest_float
from ..core.steps import Record
from ..expressions.activation import Activation
from ..gaussian.bivariate import METHOD as GAUSS2_METHOD
from ..numerics.acb import unwrapped
from ..numerics.arb import to_mpf
from ..numerics.gaussian import as_ball
from .cmap import to_quantity
from .dual import Q1, Q2, DualKernel, K
from .kernel_inputs import KernelProblem, is_exact, kernel_problem

__all__ = ["KernelResult", "KernelValue", "nngp", "ntk"]

_MAX_NODES = 60  # an exact entry is also given expanded while its tree is at most this large
_DOUBLINGS = 8  # the closed-form recursion doubles its working precision at most this often


@dataclass(frozen=True, eq=False, repr=False)
class KernelValue(Quantity):
    """An exact kernel entry whose closed form is a recursion: ``value`` is then its symbol.

    Behaves like any :class:`~symact.core.result.Quantity`; ``evalf(n)`` beyond the
    digits held recomputes the recursion at higher precision.
    """

    refine: Callable[[int], tuple[Any, Any]] | None = field(default=None, compare=False, repr=False)

    def evalf(self, digits: int = 15) -> sympy.Float:
        """The value to ``digits`` significant digits (recomputed when more are asked than held)."""
        if self.value.is_number:
            return super().evalf(digits)
        Quantity.evalf(self, 1)  # validates digits
        lo, hi = self.enclosure
        held = certified_digits(lo, hi, int(digits))
        if self.refine is not None and (held is None or len(held.strip("-0.")) < digits):
            lo, hi = self.refine(int(digits))
        return honest_float(lo, hi, int(digits))

    def _sympy_(self) -> sympy.Expr:
        if self.value.is_number:
            return super()._sympy_()
        return honest_float(*self.enclosure, 60)

    def __float__(self) -> float:
        return float(self.evalf(17))

    def __reduce__(self) -> Any:
        return (KernelValue, (self.value, self.level, self.enclosure, self.method, self.name,
                              dict(self.details)))


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

    def recursion(self, levels: int | None = None) -> tuple[sympy.Eq, ...]:
        r"""The exact closed form as named sub-expressions: ``Eq(Sigma^{l+1}_ij, ...)``, level by level.

        Each right-hand side refers only to the previous level (its short entries written
        out).  ``levels`` limits the output to the first ones.  Empty when the kernel has
        no closed form or the inputs are not exact.

        >>> r = ntk("relu", 2, 2, 0, q1=1, c=0)
        >>> r.recursion()[2]
        Eq(Sigma^2_12, 1/pi)
        """
        if self.level != "exact" or self.kernel is None or self.kernel.formula is None:
            return ()
        n, out = len(self.inputs), []
        S = [list(r) for r in self.inputs]
        T = [list(r) for r in self.inputs]
        w, b = self.weight_var, self.bias_var
        f, fd = self.kernel.closed(0), self.kernel.closed(1)
        for lv in range(min(self.depth, levels or self.depth)):
            check_deadline()
            nS: list[list[Any]] = [[None] * n for _ in range(n)]
            nT: list[list[Any]] = [[None] * n for _ in range(n)]
            for i in range(n):
                for j in range(i, n):
                    s_sym, t_sym = _symbol("Sigma", lv + 2, i, j, n), _symbol("Theta", lv + 2, i, j, n)
                    rhs_s = w * _at(f, S, i, j) + b
                    rhs_t = s_sym + w * _at(fd, S, i, j) * T[i][j]
                    out += [sympy.Eq(s_sym, rhs_s, evaluate=False), sympy.Eq(t_sym, rhs_t, evaluate=False)]
                    sv = _short(rhs_s)
                    nS[i][j] = nS[j][i] = sv if sv is not None and sv.is_number else s_sym
                    tv = _short(rhs_t.subs(s_sym, nS[i][j]))
                    nT[i][j] = nT[j][i] = tv if tv is not None and tv.is_number else t_sym
            S, T = nS, nT
        return tuple(out)


def _symbol(name: str, level: int, i: int, j: int, n: int) -> sympy.Symbol:
    sep = "" if n <= 9 else ","
    return sympy.Symbol(f"{name}^{level}_{i + 1}{sep}{j + 1}", real=True)


def _size(e: sympy.Expr) -> int:
    n = 0
    for node in sympy.preorder_traversal(e):
        n += 1 + (len(str(node)) // 30 if node.is_Rational else 0)
        if n > _MAX_NODES:
            break
    return n


def _short(e: sympy.Expr | None) -> sympy.Expr | None:
    """``e`` if it is a short finite number, else None (it is then named in the recursion)."""
    if e is None or _size(e) > _MAX_NODES or e.has(sympy.zoo, sympy.nan, sympy.oo):
        return None
    return e


@cached(maxsize=64)
def _diagonal(f: sympy.Expr) -> sympy.Expr:
    """f at k = q1 = q2 as an expression in q1 (a limit when the formula is 0/0 there)."""
    v = f.subs({Q2: Q1}).subs(K, Q1)
    if v.has(sympy.nan, sympy.zoo, sympy.oo):
        v = sympy.limit(f.subs({Q2: Q1}), K, Q1, "-")
    return v


@cached(maxsize=64)
def _edge(f: sympy.Expr, sign: int) -> sympy.Expr:
    """f at k = sign*sqrt(q1 q2) (correlation +-1) as an expression in q1, q2 (a one-sided limit)."""
    t = sympy.Symbol("_t", real=True)
    return sympy.limit(f.subs(K, t * sympy.sqrt(Q1 * Q2)), t, sign, "-" if sign == 1 else "+")


def _at(f: sympy.Expr, S: list[list[Any]], i: int, j: int) -> sympy.Expr | None:
    if S[i][i] is None or S[j][j] is None or S[i][j] is None:
        return None
    if i == j:
        return _diagonal(f).subs(Q1, S[i][i])
    v = f.subs({Q1: S[i][i], Q2: S[j][j], K: S[i][j]})
    if v.has(sympy.zoo, sympy.nan) and v.is_number:  # at a correlation of exactly +-1: the limit
        rho = sympy.simplify(S[i][j] / sympy.sqrt(S[i][i] * S[j][j]))
        if rho in (1, -1):
            v = _edge(f, int(rho)).subs({Q1: S[i][i], Q2: S[j][j]})
    return v


# -- the recursion in ball arithmetic --------------------------------------------------------


def _clamp(r: arb) -> arb:
    """rho clamped to [-1, 1], where it provably lies (Cauchy-Schwarz)."""
    if r.lower() >= -1 and r.upper() <= 1:
        return r
    out = r.intersection(arb(0, 1))
    if not out.is_finite():
        raise CertificationError(f"a correlation of the kernel recursion is not enclosed ({r})")
    return out


def _balls(pb: KernelProblem, dps: int) -> tuple[list[list[arb]], list[list[arb]]]:
    """(Sigma, Theta) after ``depth`` layers as balls, at the current flint precision."""
    closed = pb.dk.formula is not None
    n = pb.n

    def kern(qi: arb, qj: arb, r: arb, order: int) -> arb:
        if closed:
            return pb.dk.ball(qi, qj, r, order)
        if not (r == 1 or r == -1 or (r < 1 and r > -1)):
            raise CertificationError(f"a correlation of the kernel recursion ({r}) is too close to "
                                     "+-1 to integrate at this precision")
        return pb.dk.value(qi, qj, r, order=order, dps=dps + 3)

    w, b = as_ball(pb.w, dps), as_ball(pb.b, dps)
    q = [as_ball(v, dps) for v in pb.var]
    Td = list(q)
    k, rho, T, rel = {}, {}, {}, dict(pb.rel)
    for p in pb.pairs():
        i, j = p
        s = (q[i] * q[j]).sqrt()
        k[p] = as_ball(pb.cov[p], dps) if pb.cov[p] is not None else as_ball(pb.corr[p], dps) * s
        if rel[p] in ("same", "+1", "-1"):
            rho[p] = arb(-1) if rel[p] == "-1" else arb(1)
        else:
            rho[p] = _clamp(as_ball(pb.corr[p], dps) if pb.corr[p] is not None else k[p] / s)
        T[p] = k[p]
    one = arb(1)
    rep = [next(j for j in range(i + 1) if j == i or pb.equal_q.get((j, i), False)) for i in range(n)]
    for _ in range(pb.depth):
        check_deadline()
        nq, nTd = list(q), list(Td)
        for i in range(n):  # inputs of exactly equal variance share their diagonal
            if rep[i] == i:
                nq[i] = w * kern(q[i], q[i], one, 0) + b
                nTd[i] = _ntk_step(nq[i], w, kern(q[i], q[i], one, 1), Td[i])
            else:
                nq[i], nTd[i] = nq[rep[i]], nTd[rep[i]]
        nk, nT = {}, {}
        for p in pb.pairs():
            i, j = p
            if rel[p] == "same":
                nk[p], nT[p] = nq[i], nTd[i]
                continue
            nk[p] = w * kern(q[i], q[j], rho[p], 0) + b
            nT[p] = _ntk_step(nk[p], w, kern(q[i], q[j], rho[p], 1), T[p])
            rel[p] = _with_rel(pb, rel).next_rel(p)
            if rel[p] in ("+1", "-1"):
                rho[p] = arb(1) if rel[p] == "+1" else arb(-1)
            else:
                rho[p] = _clamp(nk[p] / (nq[i] * nq[j]).sqrt())
        q, Td, k, T = nq, nTd, nk, nT
    S = [[q[i] if i == j else k[(min(i, j), max(i, j))] for j in range(n)] for i in range(n)]
    Th = [[Td[i] if i == j else T[(min(i, j), max(i, j))] for j in range(n)] for i in range(n)]
    return S, Th


_INF, _NINF = arb("inf"), arb("-inf")


def _ntk_step(s: arb, w: arb, kd: arb, t: arb) -> arb:
    """Sigma + w Kdot Theta, where Kdot or Theta may be +-infinite (Dirac masses in phi')."""
    if kd == _INF or t == _INF or t == _NINF:  # w > 0 and Sigma finite: the sign of Kdot * Theta

        def sgn(v: arb) -> int:
            return 1 if v > 0 else -1 if v < 0 else 0

        sign = sgn(kd) * sgn(t)
        if sign == 0:
            raise CertificationError("the NTK recursion meets 0 times an infinite kernel")
        return _INF if sign > 0 else _NINF
    return s + w * kd * t


def _with_rel(pb: KernelProblem, rel: dict) -> KernelProblem:
    return KernelProblem(pb.act, pb.dk, pb.depth, pb.w, pb.b, pb.var, pb.cov, pb.corr, rel, pb.equal_q, pb.odd)


def _accurate(M: list[list[arb]], dps: int) -> bool:
    """Every entry to ``dps`` digits relative to its scale sqrt(M_ii M_jj) (|M_ij| is at most that)."""
    tol = arb(10) ** (-(dps + 3))
    for i, row in enumerate(M):
        for j, v in enumerate(row):
            if v == _INF or v == _NINF:
                continue
            scale = (abs(M[i][i]) * abs(M[j][j])).sqrt() if i != j else abs(v)
            if not v.is_finite() or not (v.rad() == 0 or v.rad() <= scale.lower() * tol):
                return False
    return True


def _closed_balls(pb: KernelProblem, dps: int) -> tuple[list[list[arb]], list[list[arb]]]:
    """The closed-form recursion in balls, doubling the precision until ``dps`` digits hold."""
    bits = int(dps * 3.33) + 40
    for attempt in range(_DOUBLINGS + 1):
        try:
            with workprec(bits):
                S, T = _balls(pb, dps)
        except CertificationError:  # a correlation's ball grew past [-1, 1]: more bits
            if attempt == _DOUBLINGS:
                raise
            bits *= 2
            continue
        if (_accurate(S, dps) and _accurate(T, dps)) or attempt == _DOUBLINGS:
            return S, T
        bits *= 2
    raise AssertionError("unreachable")


def _enclosure(v: arb, dps: int) -> tuple[mpmath.mpf, mpmath.mpf]:
    prec = int(dps * 3.33) + 20
    with workprec(prec + 20):  # the ends of the ball are read at the working precision
        return to_mpf(v, "lower", prec), to_mpf(v, "upper", prec)


def _run(act: Any, depth: Any, weight_var: Any, bias_var: Any, q1: Any, q2: Any, c: Any,
         gram: Any, dps: int) -> KernelResult:
    dps = check_dps(dps)
    pb = kernel_problem(act, depth, weight_var, bias_var, q1, q2, c, gram)  # every check before any work
    try:
        return _solve(pb, dps)
    except SystemError as exc:  # python-flint wraps what Python code it called back raised
        inner = unwrapped(exc)
        if inner is exc:
            raise CertificationError(f"python-flint failed: {exc}") from exc
        raise inner from None  # the budget's interruption becomes BudgetExceeded at its budget


def _solve(pb: KernelProblem, dps: int) -> KernelResult:
    dk, n = pb.dk, pb.n
    steps = [Record("fact", {"statement": sympy.Symbol("Theta^{l+1} = Sigma^{l+1} + w Kdot Theta^l"),
                             "reference": "Jacot et al. 2018; Lee et al. 2018"})]
    exact = dk.formula is not None and pb.exact_inputs
    shown = lambda v: v if is_exact(v) else honest_float(v[0], v[1], dps)  # noqa: E731
    S0 = [[shown(pb.var[i]) if i == j else _input_entry(pb, min(i, j), max(i, j), dps) for j in range(n)]
          for i in range(n)]
    problem = {"act": pb.act, "depth": pb.depth, "weight_var": shown(pb.w), "bias_var": shown(pb.b),
               "inputs": tuple(tuple(r) for r in S0), "kernel": dk}
    if dk.formula is not None:
        S, T = _closed_balls(pb, dps)
    else:
        steps.append(Record("integral", {"method": GAUSS2_METHOD, "dps": dps + 10, "bits": int((dps + 11) * 3.32),
                                         "tail": "growth bound", "reference": "Johansson 2018"},
                            level="certified"))
        with workdps(dps + 10):
            S, T = _balls(pb, dps)
    explicit = _explicit(pb, S0) if exact else None
    refine = functools.partial(_refined, pb) if exact else None
    method = f"closed form ({dk.reference})" if dk.formula is not None else GAUSS2_METHOD

    def entry(M: list[list[arb]], nm: str, i: int, j: int, ex: Any) -> Quantity:
        v = M[i][j]
        name = f"{nm}[{i},{j}]"
        if v == _INF or v == _NINF:
            return Quantity(sympy.oo if v == _INF else -sympy.oo, "exact",
                            method="Dirac masses in phi' (a jump of phi)", name=name)
        if not v.is_finite():
            raise CertificationError(f"{name}: no finite enclosure ({v})")
        if not exact:
            return to_quantity(v, name=name, method=method if dk.formula is None else
                               f"{method} at certified inputs", dps=dps)
        value = ex if ex is not None else _symbol("Sigma" if nm == "nngp" else "Theta", pb.depth + 1,
                                                  i, j, n)
        key = (nm, min(i, j), max(i, j))
        return KernelValue(value, "exact", _enclosure(v, dps), method, name,
                           {"recursion": "KernelResult.recursion()"},
                           functools.partial(refine, key) if refine else None)

    ex_S, ex_T = explicit if explicit is not None else ([[None] * n] * n, [[None] * n] * n)
    with workdps(dps + 10):  # the ends of the balls are read at the working precision
        nn = tuple(tuple(entry(S, "nngp", i, j, ex_S[i][j]) for j in range(n)) for i in range(n))
        nt = tuple(tuple(entry(T, "ntk", i, j, ex_T[i][j]) for j in range(n)) for i in range(n))
    level = "exact" if exact else "certified"
    how = (f"{method}, composed layer by layer" if exact else
           "closed form at certified inputs" if dk.formula is not None else GAUSS2_METHOD)
    return KernelResult(nn, nt, level, how, tuple(steps), **problem)


def _input_entry(pb: KernelProblem, i: int, j: int, dps: int) -> sympy.Expr:
    k = pb.cov[(i, j)]
    if k is not None and is_exact(k):
        return k
    with workdps(dps + 10):
        kb = as_ball(k, dps) if k is not None else as_ball(pb.corr[(i, j)], dps) * (
            as_ball(pb.var[i], dps) * as_ball(pb.var[j], dps)).sqrt()
        lo, hi = _enclosure(kb, dps)
    return honest_float(lo, hi, dps)


def _refined(pb: KernelProblem, key: tuple[str, int, int], digits: int) -> tuple[mpmath.mpf, mpmath.mpf]:
    S, T = _closed_balls(pb, digits + 5)
    M = S if key[0] == "nngp" else T
    return _enclosure(M[key[1]][key[2]], digits + 5)


def _explicit(pb: KernelProblem, S0: list[list[sympy.Expr]]) -> tuple[list[list[Any]], list[list[Any]]]:
    """The entries as expanded closed forms while they stay short (None once they do not)."""
    f, fd = pb.dk.closed(0), pb.dk.closed(1)
    n, w, b = pb.n, pb.w, pb.b
    homogeneous = pb.dk.family == "arc-cosine"
    m = (pb.dk.params[0] ** 2 + pb.dk.params[1] ** 2) / 2 if homogeneous else None
    S = [list(r) for r in S0]
    T = [list(r) for r in S0]
    for _ in range(pb.depth):
        check_deadline()
        if all(v is None for r in S for v in r) and all(v is None for r in T for v in r):
            break
        nS = [[None] * n for _ in range(n)]
        nT = [[None] * n for _ in range(n)]
        for i in range(n):
            for j in range(i, n):
                if i == j and homogeneous and S[i][i] is not None:  # K(q, q, q) = m q, Kdot = m
                    s = _short(sympy.expand(w * m * S[i][i] + b))
                    t = _short(sympy.expand(s + w * m * T[i][i])) if s is not None and T[i][i] is not None else None
                    nS[i][i], nT[i][i] = s, t
                    continue
                # k enters the closed form three times: skip what cannot stay short
                big = any(v is None for v in (S[i][i], S[j][j], S[i][j])) or \
                    3 * _size(S[i][j]) + _size(S[i][i]) + _size(S[j][j]) > _MAX_NODES
                kv = None if big else _at(f, S, i, j)
                s = _short(w * kv + b) if kv is not None else None
                kd = _at(fd, S, i, j) if s is not None and T[i][j] is not None else None
                t = _short(s + w * kd * T[i][j]) if kd is not None else None
                nS[i][j] = nS[j][i] = s
                nT[i][j] = nT[j][i] = t
        S, T = nS, nT
    return S, T


def nngp(act: Any, depth: int, weight_var: Any, bias_var: Any = 0, *, q1: Any = None,
         q2: Any = None, c: Any = None, gram: Any = None, dps: int = DEFAULT_DPS) -> KernelResult:
    r"""NNGP kernel after ``depth`` nonlinear layers (see the module notes for the convention).

    Parameters
    ----------
    act : activation-like
    depth : int
        The number of nonlinear layers, an integer :math:`\ge 1`.
    weight_var, bias_var : number
        :math:`\sigma_w^2 > 0` and :math:`\sigma_b^2 \ge 0` (floats are their exact binary values).
    q1, q2, c : number, keyword-only
        Two inputs' variances (:math:`q > 0`; ``q2`` defaults to ``q1``) and correlation
        :math:`c \in [-1, 1]`; or
    gram : square matrix, keyword-only
        the covariances of several inputs.
    dps : int, keyword-only

    Returns
    -------
    KernelResult
        Exact entries for closed-form dual kernels and exact inputs, else certified.

    Raises
    ------
    DomainError
        An input outside the accepted range (the message names it).

    Examples
    --------
    >>> r = nngp("relu", 1, 2, 0, q1=1, c=0)
    >>> r.nngp[0][1].value, r.nngp[0][0].value
    (1/pi, 1)
    >>> r = nngp("relu", 50, 2, 0, q1=1, c=0.5)
    >>> r.level, r.nngp[0][1].value, r.nngp[0][1].evalf(20)
    ('exact', Sigma^51_12, 0.98866261322574698832)
    """
    return _run(act, depth, weight_var, bias_var, q1, q2, c, gram, dps)


def ntk(act: Any, depth: int, weight_var: Any, bias_var: Any = 0, *, q1: Any = None,
        q2: Any = None, c: Any = None, gram: Any = None, dps: int = DEFAULT_DPS) -> KernelResult:
    r"""NTK (and NNGP) after ``depth`` nonlinear layers, NTK parameterisation.

    The parameters are those of :func:`nngp`.

    Examples
    --------
    >>> r = ntk("relu", 1, 2, 0, q1=1, c=0)
    >>> r.ntk[0][0].value, r.ntk[0][1].value
    (2, 1/pi)
    >>> ntk("relu", 3, 2, q1=1, c=1.5)
    Traceback (most recent call last):
    ...
    symact.core.errors.DomainError: c must lie in [-1, 1], got 3/2
    """
    return _run(act, depth, weight_var, bias_var, q1, q2, c, gram, dps)
