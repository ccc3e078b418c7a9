r"""Branch and bound with interval Newton for the supremum of f on a finite window.

On :math:`[A, B]` the supremum of a :math:`C^1` function is the largest of its values at
the ends and at the zeros of :math:`f'`.  Subintervals :math:`I` are discarded when
:math:`0 \notin f'(I)` (plain and mean-value Arb enclosures) or when an upper bound of
:math:`f(I)` lies below a value already computed.  On the others the interval Newton
operator :math:`N(I) = m - f'(m)/f''(I)` either proves :math:`I` holds exactly one
critical point (then contracts it), or shrinks :math:`I`, or :math:`I` is bisected at a
non-dyadic ratio.  Boxes that never become Newton-certified are shrunk until the
mean-value enclosure is narrower than the target.

References
----------
.. [1] R. E. Moore, R. B. Kearfott, M. J. Cloud, *Introduction to Interval Analysis*,
   SIAM, 2009 (interval Newton method, ch. 8).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import flint
import sympy
from flint import arb

from ..core.errors import CertificationError
from ..numerics.arb import arb_evaluator, ball, ball_width, finite_ball, may_vanish, split_point

__all__ = ["Bundle", "WindowCandidate", "bundle", "window_sup"]

_MAX_BOXES = 20000


# ---------------------------------------------------------------------------------------
# Compiled function bundle.


@dataclass(frozen=True)
class Bundle:
    """Arb evaluators of f, g = f' and g' (compiled once per piece)."""

    f: Callable[[arb], arb]
    g: Callable[[arb], arb]
    dg: Callable[[arb], arb]


def bundle(f: sympy.Expr, x: sympy.Symbol) -> tuple[Bundle, sympy.Expr]:
    """Compile f, f' and f'' into Arb evaluators; also return f'."""
    g = sympy.diff(f, x)
    return Bundle(arb_evaluator(f, x), arb_evaluator(g, x), arb_evaluator(sympy.diff(g, x), x)), g






def _mv(fn: Bundle, X: arb, m: arb) -> arb:
    """Mean-value enclosure of f(X), intersected with the natural one when possible."""
    a = fn.f(m) + fn.g(X) * (X - m)
    b = fn.f(X)
    if finite_ball(a) and finite_ball(b) and a.overlaps(b):
        return a.intersection(b)
    return a if finite_ball(a) else b


# ---------------------------------------------------------------------------------------
# Window: branch and bound with interval Newton.


@dataclass
class WindowCandidate:
    """A candidate value of the supremum: a ball, where it is attained or approached."""

    value: arb | None  # None when infinite (sign in `infinite`)
    point: arb | None  # enclosure of the argument, None if approached
    where: object = None  # approached end
    infinite: int = 0


def _refine(fn: Bundle, p: arb, q: arb, target: arb) -> tuple[arb, arb]:
    """Contract a Newton-certified box [p, q] until f's enclosure on it is below target."""
    for _ in range(400):
        X = ball(p, q)
        m = X.mid()
        fX = _mv(fn, X, m)
        if finite_ball(fX) and ball_width(fX) < target:
            return fX, X
        N = m - fn.g(m) / fn.dg(X)
        lo, hi = max(p, N.lower()), min(q, N.upper())
        if not (hi - lo) < (q - p) * arb("0.75"):
            return fX, X
        p, q = lo, hi
    return fX, X


def window_sup(
    fn: Bundle, A: arb, B: arb, target: arb, best: arb | None
) -> tuple[list[WindowCandidate], dict]:
    """Candidates for sup f on [A, B] (interior critical points) and the search statistics.

    ``best`` is a value of f already attained (boxes whose upper bound is below it are
    discarded); ``target`` is the width below which a candidate's value is accepted.
    """
    cands: list[WindowCandidate] = []
    stats = {"boxes": 0, "newton": 0, "cluster": 0}
    stack = [(A, B)]
    tiny_rel = arb(2) ** (-flint.ctx.prec + 12)
    while stack:
        p, q = stack.pop()
        stats["boxes"] += 1
        if stats["boxes"] > _MAX_BOXES:
            raise CertificationError(
                f"more than {_MAX_BOXES} subintervals needed on [{A}, {B}]; "
                "f' may have too many zeros or be too ill-conditioned here"
            )
        X = ball(p, q)
        m = X.mid()
        if not may_vanish(fn.g(X)):
            continue  # monotone: its sup is at an end, covered by a neighbour or the window end
        dgX = fn.dg(X)
        gm = fn.g(m)
        if finite_ball(dgX) and not may_vanish(gm + dgX * (X - m)):
            continue
        fX = _mv(fn, X, m)
        if best is not None and finite_ball(fX) and fX.upper() < best:
            continue  # cannot contain the supremum
        fm = fn.f(m)
        if finite_ball(fm) and (best is None or fm.lower() > best):
            best = fm.lower()
        if finite_ball(dgX) and not dgX.contains(0):
            N = m - gm / dgX
            if N.lower() >= p and N.upper() <= q:
                stats["newton"] += 1
                v, P = _refine(fn, p, q, target)
                cands.append(WindowCandidate(v, P))
                if finite_ball(v) and (best is None or v.lower() > best):
                    best = v.lower()
                continue
            if not N.overlaps(X):
                continue
            lo, hi = max(p, N.lower()), min(q, N.upper())
            tiny = (q - p) < tiny_rel * (1 + abs(m))
            done = finite_ball(fX) and ball_width(fX) < target
            # a root on the box's end (e.g. a critical point at an open end) makes Newton
            # shrink the box forever without ever containing its image: stop when done
            if hi - lo < (q - p) * arb("0.9") and not (tiny or done):
                if hi >= lo:
                    stack.append((lo, hi))
                continue
        if (finite_ball(fX) and ball_width(fX) < target) or (q - p) < tiny_rel * (1 + abs(m)):
            stats["cluster"] += 1
            cands.append(WindowCandidate(fX, X))
            continue
        s = split_point(p, q)
        stack.append((s, q))
        stack.append((p, s))
    return cands, stats
