r"""Certified Gaussian integrals :math:`\int f(t)\,\varphi_q(t)\,dt` in Arb ball arithmetic.

Here :math:`\varphi_q(t) = e^{-t^2/(2q)}/\sqrt{2\pi q}` is the density of
:math:`\sqrt{q}\,z` with :math:`z \sim \mathcal N(0, 1)`, so the integral is the
expectation :math:`\mathbb E[f(\sqrt q\,z)]`.  Every answer is a ball
(:class:`flint.arb`) that provably contains the integral:

* on :math:`[-T, T]`, each analytic piece of :math:`f` is integrated with
  python-flint's :meth:`flint.acb.integral` (Gauss--Legendre with rigorous error
  bounds from complex-ball evaluation, Johansson 2018); the integrand is
  compiled by :func:`symact.numerics.acb.acb_evaluator`, which checks branch
  cuts through the ``analytic`` flag;
* beyond :math:`\pm T` a **proved growth bound** :math:`|f(t)| \le M t^k e^{ct}`
  for :math:`t \ge R` (:func:`symact.numerics.growth.growth_bound`, by
  structural recursion with the extended-interval evaluator
  :func:`symact.numerics.arb.xenclose`) is integrated exactly against the
  Gaussian tail (:func:`symact.numerics.growth.tail_mass`: incomplete-moment
  recursion and ``erfc``), and that bound is added as the ball's radius.

The variance ``q`` may itself be a ball: the result then contains the integral
for *every* :math:`q` in it (used for interval Newton on the variance map).
``dq=1`` integrates the :math:`q`-derivative
:math:`\frac{d}{dq}\mathbb E[f(\sqrt q z)] = \int f(t)\,\varphi_q(t)\,\frac{t^2-q}{2q^2}\,dt`,
valid for piecewise :math:`f` without differentiating :math:`f`.

Stable API
----------
``gaussian_expectation(f, q=1, *, x=None, dps=DEFAULT_DPS, dq=0) -> flint.arb``
    ``f`` is a SymPy expression analytic on the real line, or a sequence of
    pieces -- ``(expr, lo, hi)`` tuples or objects with ``.expr``, ``.lo``,
    ``.hi`` such as the output of :func:`symact.expressions.pieces.split`
    (which turns ``Piecewise``, ``Max``, ``Min``, ``Abs``, ... into analytic
    pieces; the caller splits, since this layer sits below the expressions).
``gaussian_enclosure(...) -> (mpmath.mpf, mpmath.mpf)``
    The same ball as rigorous mpmath bounds (made at ``dps + 10`` digits).
``integrate_gaussian(pieces, q, *, tail, dps, dq=0) -> flint.arb``
    The lower level: ``pieces`` are ``(F, a, b)`` with ``F(z, analytic) -> acb``
    any Python callable on complex balls and finite ends ``a < b``; returns
    :math:`\sum_i \int_a^b F(t)\varphi_q(t)\,dt \pm \text{tail}` where the caller
    proves ``tail`` (an upper bound for everything outside the pieces).
``growth_bound(expr, x, R) -> Growth`` and ``tail_mass(growth, T, q, dq=0) -> arb``
    The proved tail bound's two halves (from :mod:`symact.numerics.growth`,
    re-exported), for callers that build their own pieces.
``scaled_expectation(f, q, *, x, dps, moment=0, goal=None) -> flint.arb``
    :math:`\mathbb E[f(\sqrt q s) s^j]` in the standard-normal variable: tighter
    for a wide ball of ``q`` (interval Newton on the variance map).
``as_ball(q, dps) -> flint.arb``
    A rigorous ball for a number (int, Fraction, SymPy number, mpf, arb, or a
    ``(lo, hi)`` pair).

Errors: :class:`~symact.core.errors.UnsupportedExpression` when no growth bound
exists (e.g. :math:`e^{e^x}`: the expectation may diverge) or a function has no
ball form; :class:`~symact.core.errors.CertificationError` when Arb cannot
reach a finite enclosure.

References
----------
.. [1] F. Johansson, "Numerical integration in arbitrary-precision ball
   arithmetic", ICMS 2018, LNCS 10931, 255-263.

>>> import sympy, flint
>>> x = sympy.Symbol("x", real=True)
>>> b = gaussian_expectation(sympy.sech(x) ** 4, 1, x=x)
>>> b.mid().str(20, radius=False), b.rad() < 1e-30
('0.46440290244826824197', True)
>>> b = gaussian_expectation([(sympy.Integer(0), -sympy.oo, 0), (x ** 2, 0, sympy.oo)], 3, x=x)
>>> b.contains(flint.arb(3) / 2), b.rad() < 1e-30
(True, True)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from fractions import Fraction
from typing import Any

import mpmath
import sympy
from flint import acb, arb

from ..core.errors import CertificationError, UnsupportedExpression
from ..core.precision import DEFAULT_DPS, check_dps, workdps
from ..core.result import enclose
from .acb import acb_evaluator, integral
from .arb import to_mpf
from .growth import Growth, growth_bound, tail_mass

__all__ = [
    "Growth",
    "as_ball",
    "gaussian_enclosure",
    "gaussian_expectation",
    "growth_bound",
    "integrate_gaussian",
    "scaled_expectation",
    "tail_mass",
]


def _cut(T: float, aim: int, mass: Callable[[arb], arb], what: Any) -> tuple[int, arb]:
    """The smallest tried cut-off ``T`` (growing by 1.25) whose tail mass is below ``10**-(aim+1)``."""
    tol = arb(10) ** (-(aim + 1))
    for _ in range(8):
        tail = mass(arb(math.ceil(T)))
        if tail < tol:
            return math.ceil(T), tail
        T *= 1.25
    raise CertificationError(f"could not make the Gaussian tail of {what} small enough")


def _bits(dps: int) -> int:
    return int(dps * 3.3219280948873626) + 1


def as_ball(q: Any, dps: int = DEFAULT_DPS) -> arb:
    """A rigorous Arb ball for ``q`` at the current flint precision.

    Accepts ints, ``Fraction``, floats (their exact binary value), mpmath
    numbers (exact), SymPy numbers (enclosed with :func:`symact.core.result.enclose`),
    :class:`flint.arb` balls and ``(lo, hi)`` pairs of any of these.

    >>> import flint
    >>> as_ball(sympy.Rational(1, 3)).contains(flint.arb(1) / 3)
    True
    >>> as_ball(-sympy.sqrt(2)) < 0, as_ball(mpmath.mpf(-3)) == -3
    (True, True)
    """
    if isinstance(q, arb):
        return q
    if isinstance(q, tuple) and len(q) == 2:
        return as_ball(q[0], dps).union(as_ball(q[1], dps))
    if isinstance(q, bool):
        raise TypeError("expected a number, not a bool")
    if isinstance(q, int):
        return arb(q)
    if isinstance(q, Fraction):
        return arb(q.numerator) / q.denominator
    if isinstance(q, float):
        return arb(q)
    if isinstance(q, mpmath.mpf):
        sign, man, exp, _ = q._mpf_  # mpf.man_exp drops the sign
        return arb(((-1) ** sign * int(man), int(exp))) if man else arb(0)
    s = sympy.sympify(q)
    if s.is_Integer:
        return arb(int(s))
    if s.is_Rational:
        return arb(int(s.p)) / int(s.q)
    if s.is_Float:
        return as_ball(mpmath.mpf(s._mpf_) if s._mpf_[1] else mpmath.mpf(0), dps)
    if s.is_number:
        lo, hi = enclose(s, dps + 10)
        return as_ball(lo, dps).union(as_ball(hi, dps))
    raise TypeError(f"expected a real number or a ball, got {q!r}")


# ---------------------------------------------------------------------------------------
# Integration.

Integrand = Callable[[acb, bool], acb]


def integrate_gaussian(
    pieces: Sequence[tuple[Integrand, Any, Any]], q: Any, *, tail: Any = 0, dps: int = DEFAULT_DPS,
    dq: int = 0, eval_limit: int | None = None, goal: int | None = None,
) -> arb:
    r"""Rigorously integrate callables on complex balls against the Gaussian density.

    Returns a ball containing :math:`\sum_i \int_{a_i}^{b_i} F_i(t)\, w(t)\,\varphi_q(t)\,dt`
    widened by ``tail`` (the caller's proved bound on the rest of the line),
    with :math:`w = 1` or, for ``dq=1``, :math:`(t^2 - q)/(2q^2)`.

    Parameters
    ----------
    pieces : sequence of (F, a, b)
        ``F(z, analytic) -> acb`` obeying :meth:`flint.acb.integral`'s contract
        (non-finite where not holomorphic when ``analytic``); finite ends.
    q : number or flint.arb
        The variance (a ball: the result holds for every ``q`` in it).
    tail : number or flint.arb, keyword-only
        Upper bound of the omitted part, added as a radius.
    dps : int, keyword-only
        Target digits; the integration runs at about ``dps + 6`` digits.
    eval_limit : int, keyword-only
        Cap on integrand evaluations per piece (Arb's ``eval_limit``).
    goal : int, keyword-only
        Digits of accuracy aimed at (default ``dps + 4``); a smaller goal is
        faster and the ball is still rigorous, only wider.

    Examples
    --------
    >>> import flint
    >>> F = lambda z, a: z * z
    >>> b = integrate_gaussian([(F, -40, 40)], 2, tail=flint.arb("1e-300"))
    >>> b.contains(2)
    True
    """
    dps = check_dps(dps)
    with workdps(dps + 8):
        qb = as_ball(q, dps)
        if not qb > 0:
            raise ValueError(f"q must be positive, got {qb}")
        inv2q = 1 / (2 * qb)
        norm = 1 / (2 * arb.pi() * qb).sqrt()
        goal_b = arb(2) ** (-_bits(dps + 4 if goal is None else goal))
        total = acb(0)
        for F, a, b in pieces:
            if dq == 0:
                def G(z: acb, an: bool, F: Integrand = F) -> acb:
                    return F(z, an) * (-(z * z) * inv2q).exp()
            else:
                def G(z: acb, an: bool, F: Integrand = F) -> acb:
                    return F(z, an) * (-(z * z) * inv2q).exp() * (z * z - qb) * inv2q / qb
            opts: dict[str, Any] = {"rel_tol": goal_b, "abs_tol": goal_b}
            if eval_limit is not None:
                opts["eval_limit"] = eval_limit
            total += integral(G, as_ball(a, dps), as_ball(b, dps), **opts)
        out = total.real * norm
        tb = as_ball(tail, dps)
        if not tb.is_finite():
            raise CertificationError("the tail bound is not finite")
        out += arb(0, tb.upper()) if tb != 0 else 0
        if not out.is_finite():
            raise CertificationError("Arb could not enclose the Gaussian integral (non-finite ball)")
        return out


def _as_pieces(f: Any) -> list[tuple[sympy.Expr, sympy.Expr, sympy.Expr]]:
    if isinstance(f, sympy.Basic):
        return [(sympy.sympify(f), sympy.S.NegativeInfinity, sympy.S.Infinity)]
    out = []
    for p in f:
        if isinstance(p, tuple):
            e, lo, hi = p
        else:
            e, lo, hi = p.expr, p.lo, p.hi
        out.append((sympy.sympify(e), sympy.sympify(lo), sympy.sympify(hi)))
    if not out or out[0][1] != -sympy.oo or out[-1][2] != sympy.oo:
        raise ValueError("the pieces must cover the real line, from -oo to oo")
    return out


def _variable(pieces: list, x: sympy.Symbol | None) -> sympy.Symbol:
    if x is not None:
        return x
    syms = set().union(*(e.free_symbols for e, _, _ in pieces))
    if len(syms) > 1:
        raise UnsupportedExpression(
            f"several free symbols {sorted(map(str, syms))}: pass x= and substitute the others"
        )
    return next(iter(syms)) if syms else sympy.Symbol("x", real=True)


def _tail_length(growth: Growth, q: arb, dps: int) -> float:
    """A float estimate of T making the tail below 10^-(dps + 6) (only a starting point)."""
    qh = float(q.upper())
    logM = math.log(max(float(growth.M.upper()), 1e-300))
    need = (dps + 6) * math.log(10) + logM
    T = max(float(growth.R), math.sqrt(2 * qh * max(need, 1.0)))
    c = float(growth.c)
    for _ in range(4):
        extra = growth.k * math.log(max(T, 1.0)) + c * T
        T = max(float(growth.R), c * qh + math.sqrt(2 * qh * max(need + extra, 1.0)))
    return T


def gaussian_expectation(
    f: Any, q: Any = 1, *, x: sympy.Symbol | None = None, dps: int = DEFAULT_DPS, dq: int = 0,
    eval_limit: int | None = None, goal: int | None = None,
) -> arb:
    r"""A certified ball containing :math:`\mathbb E[f(\sqrt q\,z)]` (or its ``q``-derivative).

    Parameters
    ----------
    f : sympy.Expr or sequence of pieces
        An expression analytic on the real line, or pieces ``(expr, lo, hi)``
        (or objects with ``.expr``, ``.lo``, ``.hi``) covering the line in order,
        each ``expr`` analytic on its closed piece (``lo``, ``hi`` exact numbers,
        :math:`\mp\infty` at the ends).
    q : positive number or flint.arb
        The variance; a ball gives an enclosure valid for every ``q`` in it.
    x : sympy.Symbol, keyword-only
        The variable (default: the only free symbol).
    dps : int, keyword-only
        Digits wanted: the ball's radius is about :math:`10^{-\mathrm{dps}}` or less.
    dq : {0, 1}, keyword-only
        1 for :math:`\frac{d}{dq}\mathbb E[f(\sqrt q z)]`.
    goal : int, keyword-only
        Digits of accuracy aimed at (default ``dps + 4``): lower is faster.

    Returns
    -------
    flint.arb

    Raises
    ------
    UnsupportedExpression
        No growth bound (the expectation may not exist) or no ball evaluation.
    CertificationError
        Arb could not produce a finite enclosure.

    Examples
    --------
    >>> import flint
    >>> x = sympy.Symbol("x", real=True)
    >>> b = gaussian_expectation(1 / (1 + sympy.exp(-x)) ** 2, x=x)
    >>> with flint.ctx.workdps(40):
    ...     b.overlaps(flint.arb("0.2933790358580929627376491712819011594237")), b.rad() < 1e-29
    (True, True)
    >>> gaussian_expectation(sympy.exp(sympy.exp(x)), x=x)
    Traceback (most recent call last):
    ...
    symact.core.errors.UnsupportedExpression: cannot prove a growth bound ...
    """
    dps = check_dps(dps)
    pcs = _as_pieces(f)
    var = _variable(pcs, x)
    with workdps(dps + 8):
        qb = as_ball(q, dps)
        inner = [b for _, lo, hi in pcs for b in (lo, hi) if b.is_finite]
        R = max([1, *(math.ceil(abs(float(b))) + 1 for b in inner)])
        right = growth_bound(pcs[-1][0], var, R)
        left = growth_bound(pcs[0][0].subs(var, -var), var, R)
        aim = dps + 4 if goal is None else goal
        T = max(_tail_length(right, qb, aim - 2), _tail_length(left, qb, aim - 2))
        Tn, tail = _cut(T, aim, lambda Tb: tail_mass(right, Tb, qb, dq) + tail_mass(left, Tb, qb, dq),
                        pcs[-1][0])
        parts = []
        for e, lo, hi in pcs:
            a = -Tn if lo == -sympy.oo else lo
            b = Tn if hi == sympy.oo else hi
            if (sympy.sympify(b) - sympy.sympify(a)).is_positive:
                parts.append((acb_evaluator(e, var), a, b))
        return integrate_gaussian(parts, qb, tail=tail, dps=dps, dq=dq, eval_limit=eval_limit, goal=goal)


def scaled_expectation(
    f: Any, q: Any = 1, *, x: sympy.Symbol | None = None, dps: int = DEFAULT_DPS, moment: int = 0,
    goal: int | None = None, eval_limit: int | None = None,
) -> arb:
    r"""A ball containing :math:`\mathbb E[f(\sqrt q\,s)\,s^{j}]`, :math:`s \sim \mathcal N(0, 1)`, for every ``q`` in a ball.

    The same integral as :func:`gaussian_expectation` (for ``moment=0``) in the
    standard-normal variable: the variance enters through the argument of
    :math:`f` instead of the density, which keeps the enclosure for a *wide* ball
    of ``q`` close to the true range of values (the density formulation widens
    every Gaussian factor).  Breakpoints become balls :math:`b/\sqrt q`.
    With ``moment=1`` and :math:`f = g'` it gives
    :math:`\frac{d}{dq}\mathbb E[g(\sqrt q s)] = \mathbb E[g'(\sqrt q s)\,s]/(2\sqrt q)`
    (for continuous, piecewise smooth :math:`g`).

    >>> import sympy, flint
    >>> x = sympy.Symbol("x", real=True)
    >>> b = scaled_expectation(sympy.tanh(x) ** 2, flint.arb(1, 0.01), x=x, goal=8)
    >>> b.contains(flint.arb("0.39429449")), b.rad() < 0.01
    (True, True)
    """
    dps = check_dps(dps)
    pcs = _as_pieces(f)
    var = _variable(pcs, x)
    with workdps(dps + 8):
        qb = as_ball(q, dps)
        if not qb > 0:
            raise ValueError(f"q must be positive, got {qb}")
        rq = qb.sqrt()
        qlo, qhi = arb(qb.lower()), arb(qb.upper())
        inner = [b for _, lo, hi in pcs for b in (lo, hi) if b.is_finite]
        R = max([1, *(math.ceil(abs(float(b))) + 1 for b in inner)])
        aim = dps + 4 if goal is None else goal
        tails = []
        for expr in (pcs[-1][0], pcs[0][0].subs(var, -var)):
            g = growth_bound(expr, var, R)
            c = g.c * Fraction(math.ceil(float(qhi.sqrt().upper()) * 1024), 1024) if g.c else Fraction(0)
            Rs = max(1, math.ceil(R / float(qlo.sqrt().lower())))
            gs = Growth(arb((g.M * qhi ** (arb(g.k) / 2)).upper()), g.k + moment, c, Rs)
            tails.append(gs)
        T = max(_tail_length(t, arb(1), aim - 2) for t in tails)
        Tn, tail = _cut(T, aim, lambda Tb: sum((tail_mass(t, Tb, 1) for t in tails), arb(0)), pcs[-1][0])
        parts = []
        for e, lo, hi in pcs:
            a = arb(-Tn) if lo == -sympy.oo else as_ball(lo, dps) / rq
            b = arb(Tn) if hi == sympy.oo else as_ball(hi, dps) / rq
            F = acb_evaluator(e, var)

            def G(z: acb, an: bool, F: Integrand = F) -> acb:
                v = F(z * rq, an)
                return v * z**moment if moment else v

            parts.append((G, a, b))
        return integrate_gaussian(parts, 1, tail=tail, dps=dps, goal=goal, eval_limit=eval_limit)


def gaussian_enclosure(f: Any, q: Any = 1, **options: Any) -> tuple[mpmath.mpf, mpmath.mpf]:
    r""":func:`gaussian_expectation` as rigorous mpmath bounds ``(lo, hi)``.

    The ends are rounded outward at ``dps + 10`` digits.

    >>> x = sympy.Symbol("x", real=True)
    >>> lo, hi = gaussian_enclosure(x ** 4, x=x)
    >>> lo <= 3 <= hi
    True
    """
    dps = options.get("dps", DEFAULT_DPS)
    b = gaussian_expectation(f, q, **options)
    with workdps(dps + 10):
        bits = _bits(dps + 10)
        return to_mpf(b, "lower", bits), to_mpf(b, "upper", bits)
