r"""Proved growth bounds :math:`|f(t)| \le M\,t^k e^{ct}` on :math:`[R, \infty)` and Gaussian tails.

A certified Gaussian integral (:mod:`symact.numerics.gaussian`) integrates on a
finite interval and must *prove* that the rest is small.  :func:`growth_bound`
derives, by structural recursion on the SymPy expression, constants with

.. math::

    |f(t)| \le M\, t^{k}\, e^{c t} \qquad (t \ge R),

each node either enclosed whole over :math:`[R, \infty]` by the extended
interval evaluator :func:`symact.numerics.arb.xenclose` (bounded functions such
as :math:`\tanh`, :math:`\mathrm{erf}`, :math:`e^{-t^2}`), or combined from its
children's bounds: sums and products of bounds, powers (a lower bound
:math:`|b(t)| \ge m\,e^{dt}` or :math:`m\,t^j` for negative exponents),
:math:`e^{g}` from a proved :math:`g(t) \le A + ct`, :math:`\log g` from
:math:`m \le g(t) \le M t^k e^{ct}`.  :func:`tail_mass` integrates such a bound
exactly against the Gaussian tail (the incomplete-moment recursion and
:math:`\operatorname{erfc}`).

>>> import sympy
>>> x = sympy.Symbol("x", real=True)
>>> g = growth_bound(sympy.log(1 + sympy.exp(x)) ** 2, x, 1)
>>> g.k, g.c
(2, Fraction(0, 1))
>>> tail_mass(g, 12, 1) < 1e-30
True
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import mpmath
import sympy
from flint import arb

from ..core.cache import cached
from ..core.errors import UnsupportedExpression
from ..core.precision import workprec
from .arb import XInterval, xenclose

__all__ = ["Growth", "growth_bound", "tail_mass"]

_RATES = (0, 1, 2, 4, 8, 16, 32, 64)


@dataclass(frozen=True)
class Growth:
    r"""A proved bound :math:`|f(t)| \le M t^k e^{ct}` for every :math:`t \ge R` (``M`` an upper bound).

    >>> x = sympy.Symbol("x", real=True)
    >>> g = growth_bound(x ** 2 + 1, x, 1)
    >>> g.k, g.c, g.R, float(g.M)
    (2, Fraction(0, 1), 1, 2.0)
    """

    M: arb
    k: int
    c: Fraction
    R: int


class _NoBound(Exception):
    pass


def _interval(R: int) -> XInterval:
    return XInterval(mpmath.mpf(R)._mpf_, mpmath.inf._mpf_)


def _enclose(e: sympy.Expr, x: sympy.Symbol, R: int) -> arb | None:
    """A ball containing e(t) for every t >= R, or None."""
    try:
        iv = xenclose(e, x, _interval(R))
    except UnsupportedExpression:
        return None
    if not iv.finite():
        return None
    with workprec(64):
        return iv.to_ball()


def _upper(b: arb) -> arb:
    return arb(b.upper())


def _lower_abs(e: sympy.Expr, x: sympy.Symbol, R: int) -> tuple[arb, int, Fraction]:
    """(m, j, d) with |e(t)| >= m t^j e^{dt} > 0 for t >= R."""
    for d in (2, 1):
        b = _enclose(sympy.powsimp(sympy.expand(e * sympy.exp(-d * x), deep=False)), x, R)
        if b is not None and (b > 0 or b < 0):
            return arb(abs(b).lower()), 0, Fraction(d)
    for j in (2, 1):
        b = _enclose(sympy.expand(e / x**j, deep=False), x, R)
        if b is not None and (b > 0 or b < 0):
            return arb(abs(b).lower()), j, Fraction(0)
    b = _enclose(e, x, R)
    if b is None:
        try:
            iv = xenclose(e, x, _interval(R))
        except UnsupportedExpression:
            raise _NoBound(e) from None
        with workprec(64):
            lo = arb(mpmath.mpf(iv.lo)) if iv.lo != mpmath.ninf._mpf_ else None
            hi = arb(mpmath.mpf(iv.hi)) if iv.hi != mpmath.inf._mpf_ else None
        if lo is not None and lo > 0:
            return lo, 0, Fraction(0)
        if hi is not None and hi < 0:
            return -hi, 0, Fraction(0)
        raise _NoBound(e)
    if b > 0 or b < 0:
        return arb(abs(b).lower()), 0, Fraction(0)
    raise _NoBound(e)


def _combine_sum(bounds: list[tuple[arb, int, Fraction]], R: int) -> tuple[arb, int, Fraction]:
    k = max(b[1] for b in bounds)
    c = max(b[2] for b in bounds)
    M = arb(0)
    for m, kj, cj in bounds:
        # t^{kj - k} <= R^{kj - k} and e^{(cj - c)t} <= e^{(cj - c)R} for t >= R
        M += m * arb(R) ** (kj - k) * (arb(cj.numerator) / cj.denominator * R - arb(c.numerator) / c.denominator * R).exp()
    return _upper(M), k, c


def _bound(e: sympy.Expr, x: sympy.Symbol, R: int) -> tuple[arb, int, Fraction]:
    if not e.has(x):
        b = _enclose(e, x, R)
        if b is None:
            raise _NoBound(e)
        return _upper(abs(b)), 0, Fraction(0)
    if e == x:
        return arb(1), 1, Fraction(0)
    whole = _enclose(e, x, R)
    if whole is not None:
        return _upper(abs(whole)), 0, Fraction(0)
    if e.is_Add:
        return _combine_sum([_bound(a, x, R) for a in e.args], R)
    if e.is_Mul:
        M, k, c = arb(1), 0, Fraction(0)
        for a in e.args:
            m, ka, ca = _bound(a, x, R)
            M, k, c = M * m, k + ka, c + ca
        return _upper(M), k, c
    if e.is_Pow:
        base, ex = e.args
        if ex.has(x):
            return _bound(sympy.exp(ex * sympy.log(base)), x, R)
        if not ex.is_Rational:
            raise _NoBound(e)
        p = Fraction(int(ex.p), int(ex.q))
        if p > 0:
            if p.denominator != 1:
                b = _enclose(base, x, R)
                lo_ok = b is not None and b >= 0
                if not lo_ok:
                    try:
                        lo_ok = xenclose(base, x, _interval(R)).sign() == 1
                    except UnsupportedExpression:
                        lo_ok = False
                if not lo_ok:
                    raise _NoBound(e)
            m, k, c = _bound(base, x, R)
            mp_ = m ** (arb(p.numerator) / p.denominator) if p.denominator != 1 else m ** p.numerator
            return _upper(mp_), math.ceil(k * p), c * p
        m, j, d = _lower_abs(base, x, R)
        n = -p
        mn = m ** (arb(n.numerator) / n.denominator) if n.denominator != 1 else m ** n.numerator
        return _upper(1 / mn), math.ceil(-j * n), -d * n
    if isinstance(e, sympy.exp):
        g = e.args[0]
        for c in _RATES:
            b = _enclose(sympy.expand(g - c * x, deep=False) if c else g, x, R)
            if b is None:
                try:
                    iv = xenclose(sympy.expand(g - c * x, deep=False), x, _interval(R))
                except UnsupportedExpression:
                    continue
                if iv.hi == mpmath.inf._mpf_:
                    continue
                with workprec(64):
                    top = arb(mpmath.mpf(iv.hi))
            else:
                top = arb(b.upper())
            return _upper(top.exp()), 0, Fraction(c)
        raise _NoBound(e)
    if isinstance(e, sympy.log):
        g = e.args[0]
        m, _, _ = _lower_abs(g, x, R)
        try:
            positive = xenclose(g, x, _interval(R)).sign() == 1
        except UnsupportedExpression:
            positive = False
        if not positive:
            raise _NoBound(e)
        M, k, c = _bound(g, x, R)
        # log g <= log M + k log t + c t <= log M + (k + c) t;  log g >= log m
        lead = arb(max(k, 0)) + arb(max(c, 0).numerator) / max(c, 0).denominator
        A = abs(m.log()) + abs(M.log())
        return _upper(A / R + lead), 1, Fraction(0)
    raise _NoBound(e)


def _in_exp_minus(e: sympy.Expr, x: sympy.Symbol) -> sympy.Expr | None:
    """``e`` rewritten through e^x = 1/u, cancelled as a rational function of u, then u = e^{-x}."""
    u = sympy.Dummy("u", positive=True)
    r = e.subs(sympy.exp(x), 1 / u)
    if r.has(x):
        return None
    return sympy.cancel(sympy.together(r)).xreplace({u: sympy.exp(-x)})


@cached(maxsize=2048)
def growth_bound(expr: sympy.Expr, x: sympy.Symbol, R: int) -> Growth:
    r"""Prove :math:`|f(t)| \le M t^k e^{ct}` for every :math:`t \ge R` (an integer :math:`\ge 1`).

    Raises
    ------
    UnsupportedExpression
        When no such bound is found (for instance for :math:`e^{e^t}`, whose
        Gaussian expectation diverges): symact refuses rather than guess.

    Examples
    --------
    >>> x = sympy.Symbol("x", real=True)
    >>> growth_bound(x / (1 + sympy.exp(-x)), x, 1).k
    1
    >>> growth_bound(sympy.exp(3 * x), x, 1).c  # the first rate tried that works
    Fraction(4, 1)
    >>> growth_bound(sympy.exp(sympy.exp(x)), x, 1)
    Traceback (most recent call last):
    ...
    symact.core.errors.UnsupportedExpression: cannot prove a growth bound ...
    """
    if R < 1:
        raise ValueError("R must be at least 1")
    e = sympy.sympify(expr)
    # Floats as their exact binary values: the recursion expands, and SymPy would round
    e = e.xreplace({f: sympy.Rational(f) for f in e.atoms(sympy.Float)})
    with workprec(64):
        try:
            M, k, c = _bound(e, x, R)
        except _NoBound:
            raise UnsupportedExpression(
                f"cannot prove a growth bound |f(t)| <= M t^k e^(ct) (c <= {_RATES[-1]}) as "
                f"t -> oo for f = {expr}: it may grow too fast for its Gaussian expectation to "
                "exist, so no certified value is given"
            ) from None
        if c > 0 and e.has(sympy.exp(x)):
            # e^t/(e^t + 1) is bounded, but the recursion bounds it by e^t: the same function
            # written in e^{-t} (an identity) often gives the true rate
            alt = _in_exp_minus(e, x)
            if alt is not None:
                try:
                    M2, k2, c2 = _bound(alt, x, R)
                    if (c2, k2) < (c, k):
                        M, k, c = M2, k2, c2
                except _NoBound:
                    pass
        if c < 0:  # e^{ct} <= e^{cR}
            M, c = _upper(M * (arb(c.numerator) / c.denominator * R).exp()), Fraction(0)
        if k < 0:
            M, k = _upper(M * arb(R) ** k), 0
        if not M.is_finite():
            raise UnsupportedExpression(f"the growth bound of {expr} is not finite")
        return Growth(M, k, c, R)


def _moment_tail(k: int, T: arb, q: arb) -> arb:
    r""":math:`\int_T^\infty t^k \varphi_q(t)\,dt` exactly (``T > 0``), by parts recursively."""
    dens = (-(T * T) / (2 * q)).exp() / (2 * arb.pi() * q).sqrt()
    vals = [(T / (2 * q).sqrt()).erfc() / 2, q * dens]
    for j in range(2, k + 1):
        vals.append(q * T ** (j - 1) * dens + (j - 1) * q * vals[j - 2])
    return vals[k]


def _exp_tail(c: arb, T: arb, q: arb) -> arb:
    r""":math:`\int_T^\infty e^{ct}\varphi_q(t)\,dt = e^{c^2 q/2}\,\mathrm{erfc}((T - cq)/\sqrt{2q})/2`."""
    return (c * c * q / 2).exp() * ((T - c * q) / (2 * q).sqrt()).erfc() / 2


def _tail(k: int, c: Fraction, T: arb, q: arb) -> arb:
    r"""An upper bound of :math:`\int_T^\infty t^k e^{ct}\varphi_q(t)\,dt`."""
    if c == 0:
        return _moment_tail(k, T, q)
    cb = arb(c.numerator) / c.denominator
    if k == 0:
        return _exp_tail(cb, T, q)
    # t^k e^{-t} <= (k/e)^k for t > 0
    return (arb(k) / arb(1).exp()) ** k * _exp_tail(cb + 1, T, q)


def tail_mass(growth: Growth, T: Any, q: Any, dq: int = 0) -> arb:
    r"""An upper bound of :math:`\int_T^\infty |f(t)\,w(t)|\,\varphi_q(t)\,dt` from a growth bound.

    ``w = 1`` (``dq=0``) or the score :math:`(t^2 - q)/(2q^2)` (``dq=1``), with
    :math:`\varphi_q` the :math:`\mathcal N(0, q)` density.  For a ball ``q`` the
    bound holds for every ``q`` in it (the tail moments increase with ``q``).
    ``T`` must be at least ``growth.R``.

    >>> x = sympy.Symbol("x", real=True)
    >>> tail_mass(growth_bound(sympy.tanh(x) ** 2, x, 1), 10, 1) < 1e-22
    True
    """
    T = T if isinstance(T, arb) else arb(T)
    if not T >= growth.R:
        raise ValueError(f"T = {T} is below the growth bound's R = {growth.R}")
    q = q if isinstance(q, arb) else arb(q)
    if not q > 0:
        raise ValueError(f"q must be positive, got {q}")
    qhi, qlo = arb(q.upper()), arb(q.lower())
    if dq == 0:
        total = growth.M * _tail(growth.k, growth.c, T, qhi)
    elif dq == 1:
        total = growth.M * (_tail(growth.k + 2, growth.c, T, qhi) + qhi * _tail(growth.k, growth.c, T, qhi)) / (2 * qlo * qlo)
    else:
        raise ValueError("dq must be 0 or 1")
    return _upper(total)
