r"""Certified isolation of the real zeros of a smooth function on a finite interval.

Branch and bound with Arb balls and the interval Newton operator; every zero returned
is proved simple and unique in its enclosure.

References
----------
.. [1] R. E. Moore, R. B. Kearfott, M. J. Cloud, *Introduction to Interval Analysis*,
   SIAM, 2009, section 8.1.
.. [2] R. Krawczyk, "Newton-Algorithmen zur Bestimmung von Nullstellen mit
   Fehlerschranken", Computing 4, 1969.
"""

from __future__ import annotations

import itertools

import flint
import mpmath
import sympy
from flint import arb

from ..core.budget import BudgetExceeded, time_budget
from ..core.errors import CertificationError, UnsupportedExpression
from ..core.precision import workprec
from ..numerics.arb import (
    arb_evaluator,
    ball,
    ball_width,
    finite_ball,
    may_vanish,
    split_point,
    to_mpf,
)

__all__ = ["isolate_roots"]

_MAX_BOXES = 20000


def _prec(dps: int) -> int:
    return int(dps * 3.33) + 30






def _exactly_zero(c: sympy.Expr) -> bool:
    try:
        with time_budget(5.0, clock="cpu"):
            return bool(sympy.simplify(c) == 0)
    except BudgetExceeded:
        return False


def _const_ball(c: sympy.Expr, x: sympy.Symbol) -> arb:
    b = arb_evaluator(c, x)(arb(0))
    if not finite_ball(b):
        raise UnsupportedExpression(f"interval end {c} is not a finite real number")
    return b


def isolate_roots(
    expr: sympy.Expr, x: sympy.Symbol, lo: object, hi: object, *, dps: int = 40
) -> list[tuple[mpmath.mpf, mpmath.mpf]]:
    r"""Enclose every zero of ``expr`` on the finite interval ``[lo, hi]``.

    Branch and bound: a subinterval :math:`I` is discarded when :math:`0 \notin f(I)`
    (plain or mean-value Arb enclosure); a zero is certified unique in :math:`I` when
    :math:`0 \notin f'(I)` and the interval Newton image :math:`N(I) = m - f(m)/f'(I)`
    lies in :math:`I`; it is then contracted to about ``dps`` digits.

    Parameters
    ----------
    expr : sympy.Expr
    x : sympy.Symbol
    lo, hi : SymPy numbers
        Finite ends, ``lo < hi``.
    dps : int
        Digits of the returned enclosures (relative to ``max(1, |root|)``).

    Returns
    -------
    list of (mpf, mpf)
        Sorted, disjoint enclosures, each containing exactly one zero.

    Raises
    ------
    CertificationError
        If some zero cannot be certified simple (a multiple zero, or one on an end that
        SymPy cannot prove exactly zero).

    References
    ----------
    .. [1] R. E. Moore, R. B. Kearfott, M. J. Cloud, *Introduction to Interval Analysis*,
       SIAM, 2009, section 8.1.
    .. [2] R. Krawczyk, "Newton-Algorithmen zur Bestimmung von Nullstellen mit
       Fehlerschranken", Computing 4, 1969.

    Examples
    --------
    >>> x = sympy.Symbol("x", real=True)
    >>> [mpmath.nstr(a, 15) for a, b in isolate_roots(x * sympy.tanh(x / 2) - 2, x, -5, 5)]
    ['-2.39935728051547', '2.39935728051547']
    """
    g = sympy.sympify(expr)
    lo, hi = sympy.sympify(lo), sympy.sympify(hi)
    if not (lo.is_finite and hi.is_finite) or bool(lo >= hi):
        raise ValueError(f"isolate_roots needs finite lo < hi, got [{lo}, {hi}]")
    out_prec = int(dps * 3.33) + 4
    with workprec(_prec(dps), mpmath=False):
        G, dG = arb_evaluator(g, x), arb_evaluator(sympy.diff(g, x), x)
        A, B = _const_ball(lo, x).lower(), _const_ball(hi, x).upper()
        tol = arb(10) ** (-dps)
        tiny_rel = arb(2) ** (-flint.ctx.prec + 12)
        found: list[arb] = []
        stack, boxes = [(A, B)], 0
        while stack:
            p, q = stack.pop()
            boxes += 1
            if boxes > _MAX_BOXES:
                raise CertificationError(f"more than {_MAX_BOXES} subintervals; too many zeros?")
            X = ball(p, q)
            m = X.mid()
            if not may_vanish(G(X)):
                continue
            dgX, gm = dG(X), G(m)
            if finite_ball(dgX) and not may_vanish(gm + dgX * (X - m)):
                continue
            if finite_ball(dgX) and not dgX.contains(0):
                N = m - gm / dgX
                if N.lower() >= p and N.upper() <= q:
                    while True:  # unique zero: contract
                        X = ball(p, q)
                        m = X.mid()
                        if ball_width(X) < tol * (1 + abs(m)):
                            break
                        N = m - G(m) / dG(X)
                        lo2, hi2 = max(p, N.lower()), min(q, N.upper())
                        if not (hi2 - lo2) < (q - p) * arb("0.75"):
                            break
                        p, q = lo2, hi2
                    found.append(ball(p, q))
                    continue
                if not N.overlaps(X):
                    continue
                lo2, hi2 = max(p, N.lower()), min(q, N.upper())
                if hi2 - lo2 < (q - p) * arb("0.9"):
                    stack.append((lo2, hi2))
                    continue
                for end, sym in (
                    (A, lo),
                    (B, hi),
                ):  # monotone box touching an exact zero at an end
                    if (p == end or q == end) and _exactly_zero(g.subs(x, sym)):
                        found.append(_const_ball(sym, x))
                        break
                else:
                    if (q - p) < tiny_rel * (1 + abs(m)):
                        raise CertificationError(
                            f"cannot certify a zero near {m} (on an end of the interval?)"
                        )
                    s = split_point(p, q)
                    stack += [(s, q), (p, s)]
                continue
            if (q - p) < tiny_rel * (1 + abs(m)):
                raise CertificationError(
                    f"cannot certify a simple zero near {m}: multiple zero or cluster"
                )
            s = split_point(p, q)
            stack += [(s, q), (p, s)]
        found.sort(key=lambda b: b.mid())
        for a, b in itertools.pairwise(found):
            if a.overlaps(b):
                raise CertificationError(f"two zero enclosures overlap near {a.mid()}")
        return [(to_mpf(b, "lower", out_prec), to_mpf(b, "upper", out_prec)) for b in found]
