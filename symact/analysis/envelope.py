r"""Convex envelopes of an activation on an interval, and proofs that a line lies below it.

The machinery behind :func:`symact.relax`:

* :class:`Segments` cuts :math:`\sigma\varphi` (:math:`\sigma = \pm 1`) on :math:`[l, u]`
  into analytic pieces (at the activation's kinks) and compiles each piece and its first
  two derivatives into Arb evaluators.
* :func:`envelope_tangent` finds, numerically at high precision, the tangent line of the
  convex envelope of :math:`\sigma\varphi` at a point :math:`t`: the lower convex hull of
  a grid gives the structure (which points the line touches: interval ends, kinks or
  tangency points), Newton's method at working precision polishes the touching points,
  and a last check against the grid and the local minima of :math:`\sigma\varphi - L`
  lowers the line by any violation.  Nothing here is a proof.
* :func:`prove_above` proves :math:`\sigma\varphi(x) - (s x + b) \ge 0` on every piece by
  branch and bound in Arb ball arithmetic: a box is accepted when the natural or
  mean-value enclosure is non-negative, when the function is monotone on it and
  non-negative at the lower end, or when it is convex on it and its tangent at a
  Newton-approximated minimiser stays non-negative over the box.  The certified lower
  bound of each piece is returned as the certificate.

References
----------
.. [1] R. E. Moore, R. B. Kearfott, M. J. Cloud, *Introduction to Interval Analysis*,
   SIAM, 2009.
.. [2] H. Zhang, T.-W. Weng, P.-Y. Chen, C.-J. Hsieh, L. Daniel, "Efficient neural
   network robustness certification with general activation functions" (CROWN),
   NeurIPS 2018.

>>> import sympy, symact as sa
>>> seg = Segments(sa.activation("relu"), sympy.Integer(-1), sympy.Integer(1), 1)
>>> [(str(s.p), str(s.q)) for s in seg.parts]
[('-1', '0'), ('0', '1')]
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import flint
import mpmath
import sympy
from flint import arb

from ..core.errors import CertificationError, UnsupportedExpression
from ..core.precision import workprec
from ..expressions.activation import Activation
from ..expressions.pieces import split
from ..numerics.arb import arb_evaluator, arb_from_raw, finite_ball, split_point, to_mpf

__all__ = ["Segment", "Segments", "envelope_tangent", "prove_above"]

_GRID = 240
_MAX_BOXES = 6000


def _exact_ball(v: sympy.Expr) -> arb:
    return arb_evaluator(v, sympy.Symbol("_unused"))(arb(0))


@dataclass
class Segment:
    """One analytic piece of :math:`\\sigma\\varphi` on ``[p, q]`` with Arb evaluators of f, f', f''."""

    p: sympy.Expr
    q: sympy.Expr
    expr: sympy.Expr
    f: Callable[[arb], arb]
    f1: Callable[[arb], arb]
    f2: Callable[[arb], arb]
    linear: tuple[sympy.Expr, sympy.Expr] | None  # (slope, intercept) when the piece is a line


class Segments:
    """:math:`\\sigma\\varphi` on ``[l, u]`` cut at the kinks; see the module docstring."""

    def __init__(self, act: Activation, lo_: sympy.Expr, u: sympy.Expr, sign: int) -> None:
        if act.jumps:
            raise UnsupportedExpression(
                f"{act.name} jumps at {', '.join(map(str, act.jumps))}: linear relaxations here need a "
                "continuous activation")
        x = act.x
        self.x = x
        self.l, self.u, self.sign = lo_, u, sign
        self.parts: list[Segment] = []
        for pc in split(act.expr, x):
            p, q = sympy.Max(pc.lo, lo_), sympy.Min(pc.hi, u)
            if not bool(p < q):
                continue
            e = sign * pc.expr
            d1 = sympy.diff(e, x)
            lin = None
            if not e.has(sympy.Function) and e.is_polynomial(x) and sympy.degree(e, x) <= 1:
                lin = (sympy.diff(e, x), e.subs(x, 0))
            self.parts.append(Segment(p, q, e, arb_evaluator(e, x), arb_evaluator(d1, x),
                                      arb_evaluator(sympy.diff(d1, x), x), lin))
        if not self.parts:
            raise UnsupportedExpression(f"{act.name} has no piece on [{lo_}, {u}]")
        self.kinks = [s.p for s in self.parts[1:]]

    def part(self, xv: mpmath.mpf) -> Segment:
        """The piece holding the number ``xv`` (the last one at a shared end)."""
        for s in self.parts:
            if xv <= mpmath.mpf(sympy.N(s.q, 40)):
                return s
        return self.parts[-1]

    def val(self, xv: mpmath.mpf, k: int = 0) -> mpmath.mpf:
        """:math:`(\\sigma\\varphi)^{(k)}(x)` at the number ``xv`` (midpoint of an Arb ball)."""
        s = self.part(xv)
        g = (s.f, s.f1, s.f2)[k]
        b = g(arb_from_raw(xv._mpf_))
        return to_mpf(b.mid(), "lower", mpmath.mp.prec) if finite_ball(b) else mpmath.nan


def _lower_hull(pts: list[tuple[mpmath.mpf, mpmath.mpf, object]]) -> list[tuple[mpmath.mpf, mpmath.mpf, object]]:
    hull: list[tuple[mpmath.mpf, mpmath.mpf, object]] = []
    for pnt in pts:
        while len(hull) >= 2:
            (x1, y1, _), (x2, y2, _) = hull[-2], hull[-1]
            if (x2 - x1) * (pnt[1] - y1) - (y2 - y1) * (pnt[0] - x1) <= 0:
                hull.pop()
            else:
                break
        hull.append(pnt)
    return hull


def _newton_tangent(seg: Segments, xf: mpmath.mpf, yf: mpmath.mpf, x0: mpmath.mpf,
                    lo: mpmath.mpf, hi: mpmath.mpf) -> mpmath.mpf:
    """A tangency point x of the line through the fixed point (xf, yf): f(x) + f'(x)(xf - x) = yf."""
    xv = x0
    for _ in range(80):
        F = seg.val(xv) + seg.val(xv, 1) * (xf - xv) - yf
        dF = seg.val(xv, 2) * (xf - xv)
        if not dF or mpmath.isnan(F):
            break
        nx = min(max(xv - F / dF, lo), hi)
        if abs(nx - xv) < mpmath.mpf(2) ** (-mpmath.mp.prec + 8) * (1 + abs(xv)):
            return nx
        xv = nx
    return xv


def _newton_bitangent(seg: Segments, a0: mpmath.mpf, b0: mpmath.mpf, t: mpmath.mpf
                      ) -> tuple[mpmath.mpf, mpmath.mpf]:
    a, b = a0, b0
    for _ in range(80):
        fa, fb = seg.val(a), seg.val(b)
        pa, pb = seg.val(a, 1), seg.val(b, 1)
        qa, qb = seg.val(a, 2), seg.val(b, 2)
        F1, F2 = pa - pb, fb - fa - pa * (b - a)
        J = mpmath.matrix([[qa, -qb], [-qa * (b - a), pb - pa]])
        try:
            da, db = mpmath.lu_solve(J, mpmath.matrix([-F1, -F2]))
        except ZeroDivisionError:
            break
        na = min(max(a + da, seg_l(seg)), t)
        nb = max(min(b + db, seg_u(seg)), t)
        if abs(na - a) + abs(nb - b) < mpmath.mpf(2) ** (-mpmath.mp.prec + 8) * (1 + abs(a) + abs(b)):
            return na, nb
        a, b = na, nb
    return a, b


def seg_l(seg: Segments) -> mpmath.mpf:
    return mpmath.mpf(sympy.N(seg.l, mpmath.mp.dps + 5))


def seg_u(seg: Segments) -> mpmath.mpf:
    return mpmath.mpf(sympy.N(seg.u, mpmath.mp.dps + 5))


@dataclass(frozen=True)
class Tangent:
    """A numerical envelope tangent: slope, intercept, touching points ``xa <= t <= xb``."""

    slope: mpmath.mpf
    intercept: mpmath.mpf
    xa: mpmath.mpf
    xb: mpmath.mpf
    lowered: mpmath.mpf  # how far the check had to lower the polished line (0 normally)
    exact: tuple[sympy.Expr, sympy.Expr] | None  # exact (slope, intercept) when known


def _fixed_points(seg: Segments) -> list[sympy.Expr]:
    return [seg.l, *seg.kinks, seg.u]


def envelope_tangent(seg: Segments, t: sympy.Expr) -> Tangent:
    r"""The tangent at ``t`` of the convex envelope of :math:`\sigma\varphi` on ``[l, u]`` (numerical).

    Computed at the current mpmath precision; see the module docstring.
    """
    tv = mpmath.mpf(sympy.N(t, mpmath.mp.dps + 5))
    L, U = seg_l(seg), seg_u(seg)
    fixed = {mpmath.mpf(sympy.N(c, mpmath.mp.dps + 5)): c for c in _fixed_points(seg)}
    xs = sorted(set(mpmath.linspace(L, U, _GRID)) | set(fixed) | {tv})
    pts = [(xv, seg.val(xv), fixed.get(xv)) for xv in xs]
    hull = _lower_hull(pts)
    # the hull vertices around t
    ia = max(i for i, h in enumerate(hull) if h[0] <= tv)
    ib = min(i for i, h in enumerate(hull) if h[0] >= tv)
    va, vb = hull[ia], hull[ib]
    step = (U - L) / (_GRID - 1)
    exact: tuple[sympy.Expr, sympy.Expr] | None = None
    if ia == ib and va[2] is not None and len(hull) > 1 and (ia == 0 or ia == len(hull) - 1):
        # t is an end of the interval: the envelope's one-sided tangent there, along the edge
        ia, ib = (0, 1) if ia == 0 else (ia - 1, ia)
        va, vb = hull[ia], hull[ib]
    if ia == ib:  # t itself is a vertex
        xa = xb = tv
        if va[2] is not None:  # a kink: any slope between the envelope's one-sided slopes
            c = va[2]
            left_piece = next(p for p in seg.parts if p.q == c)
            right_piece = next(p for p in seg.parts if p.p == c)
            tb = arb_from_raw(tv._mpf_)
            dl = to_mpf(left_piece.f1(tb).mid(), "lower", mpmath.mp.prec)
            dr = to_mpf(right_piece.f1(tb).mid(), "lower", mpmath.mp.prec)
            lo_s = max(_slope(hull[ia - 1], va), dl)
            hi_s = min(_slope(va, hull[ia + 1]), dr)
            s_q = _short_between(lo_s, hi_s)
            y = _exact_value(seg, c)
            s = mpmath.mpf(sympy.N(s_q, mpmath.mp.dps + 5))
            b = seg.val(tv) - s * tv
            if y is not None:
                exact = (s_q, y - s_q * c)
        else:
            s = seg.val(tv, 1)
            b = seg.val(tv) - s * tv
    else:
        xa, xb = va[0], vb[0]
        s, b, xa, xb, exact = _polish(seg, (xa, va[2]), (xb, vb[2]), tv, step)
    ca, cb = (va[2], vb[2]) if ia != ib else (None, None)
    tol = mpmath.mpf(2) ** (-mpmath.mp.prec + 20) * (1 + abs(b) + abs(s) * max(abs(L), abs(U)))
    for _ in range(4):  # re-polish where the grid missed a touching point
        worst, xw = _check(seg, pts, s, b, step)
        if worst >= -tol:
            break
        exact = None
        cw = next((c for xv, c in fixed.items() if abs(xv - xw) <= tol), None)
        if xw > tv:
            xb, cb = xw, cw
            if xa == tv and ia == ib:
                ca = va[2]
        else:
            xa, ca = xw, cw
            if xb == tv and ia == ib:
                cb = vb[2]
        s, b, xa, xb, exact = _polish(seg, (xa, ca), (xb, cb), tv, step)
    worst, _ = _check(seg, pts, s, b, step)
    lowered = mpmath.mpf(0)
    if worst < -tol:
        lowered = -worst
        b += worst
        exact = None
    return Tangent(s, b, xa, xb, lowered, exact)


def _short_between(lo: mpmath.mpf, hi: mpmath.mpf) -> sympy.Rational:
    """The shortest decimal rational in [lo, hi] (the midpoint at full precision if none is short)."""
    lo, hi = min(lo, hi), max(lo, hi)
    mid = (lo + hi) / 2
    for d in range(0, mpmath.mp.dps):
        n = int(mpmath.nint(mid * 10 ** d))
        if lo <= mpmath.mpf(n) / 10 ** d <= hi and abs(mpmath.mpf(n) / 10 ** d - mid) <= (hi - lo) / 4:
            return sympy.Rational(n, 10 ** d)
    return sympy.Rational(int(mpmath.nint(mid * 10 ** mpmath.mp.dps)), 10 ** mpmath.mp.dps)


def _polish(seg: Segments, a: tuple, bq: tuple, tv: mpmath.mpf, step: mpmath.mpf) -> tuple:
    """Slope, intercept and touching points from the structure (point, exact-or-None) on each side."""
    (xa, ca), (xb, cb) = a, bq
    L, U = seg_l(seg), seg_u(seg)
    exact = None
    if xa == xb:
        s = seg.val(xa, 1)
        return s, seg.val(xa) - s * xa, xa, xb, None
    if ca is None and cb is None:
        xa, xb = _newton_bitangent(seg, xa, xb, tv)
    elif ca is None:
        xa = _newton_tangent(seg, xb, seg.val(xb), xa, max(L, xa - step), tv)
    elif cb is None:
        xb = _newton_tangent(seg, xa, seg.val(xa), xb, tv, min(U, xb + step))
    else:
        ya, yb = _exact_value(seg, ca), _exact_value(seg, cb)
        if ya is not None and yb is not None:
            s_e = (yb - ya) / (cb - ca)
            exact = (sympy.nsimplify(s_e), sympy.nsimplify(ya - s_e * ca))
    s = (seg.val(xb) - seg.val(xa)) / (xb - xa) if xb - xa > 0 else seg.val(xa, 1)
    return s, seg.val(xa) - s * xa, xa, xb, exact


def _check(seg: Segments, pts: list, s: mpmath.mpf, b: mpmath.mpf, step: mpmath.mpf) -> tuple:
    """The smallest value of f - line on the grid and at the local minima near it (Newton)."""
    h = [(p[0], p[1] - s * p[0] - b) for p in pts]
    i0 = min(range(len(h)), key=lambda i: h[i][1])
    worst, xw = h[i0][1], h[i0][0]
    n = len(h)
    for i in range(n):
        left, right = h[max(i - 1, 0)], h[min(i + 1, n - 1)]
        if not (h[i][1] <= left[1] and h[i][1] <= right[1] and h[i][1] < step ** 2):
            continue
        xv = h[i][0]
        for _ in range(30):  # Newton on f' = s
            d2 = seg.val(xv, 2)
            if not d2 or mpmath.isnan(d2):
                break
            nx = min(max(xv - (seg.val(xv, 1) - s) / d2, left[0]), right[0])
            if nx == xv:
                break
            xv = nx
        v = seg.val(xv) - s * xv - b
        if v < worst:
            worst, xw = v, xv
    return worst, xw


def _slope(p1: tuple, p2: tuple) -> mpmath.mpf:
    return (p2[1] - p1[1]) / (p2[0] - p1[0])


def _exact_value(seg: Segments, c: sympy.Expr) -> sympy.Expr | None:
    """:math:`\\sigma\\varphi(c)` when it is a rational number (kinks of relu-like activations)."""
    for s in seg.parts:
        if bool(s.p <= c) and bool(c <= s.q):
            v = sympy.simplify(s.expr.subs(seg.x, c))
            return v if v.is_Rational else None
    return None


@dataclass(frozen=True)
class PieceCertificate:
    """Proof on one piece ``[p, q]``: ``f - line >= lower`` with ``boxes`` Arb boxes."""

    p: sympy.Expr
    q: sympy.Expr
    lower: mpmath.mpf
    boxes: int
    method: str


def _lin_check(seg: Segment, s: sympy.Expr, b: sympy.Expr) -> PieceCertificate:
    a1, a0 = seg.linear  # type: ignore[misc]
    vals = [sympy.simplify(a1 * z + a0 - s * z - b) for z in (seg.p, seg.q)]
    low = min(vals, key=lambda v: sympy.N(v, 40))
    if not bool(low >= 0):
        raise CertificationError(f"the line is above the function at an end of [{seg.p}, {seg.q}] (by {-low})")
    return PieceCertificate(seg.p, seg.q, mpmath.mpf(sympy.N(low, 40)), 0, "exact (linear piece)")


def prove_above(seg: Segments, s: sympy.Expr, b: sympy.Expr, *, prec: int,
                hints: tuple[mpmath.mpf, ...] = ()) -> tuple[PieceCertificate, ...]:
    r"""Prove :math:`\sigma\varphi(x) \ge s x + b` on ``[l, u]``, piece by piece (Arb).

    Raises :class:`~symact.core.errors.CertificationError` when a box can be neither
    accepted nor split further (or the line is certainly above the function somewhere).
    """
    out = []
    with workprec(prec, mpmath=False):
        S, B = _exact_ball(s), _exact_ball(b)
        for part in seg.parts:
            if part.linear is not None and s.is_Rational and b.is_Rational:
                out.append(_lin_check(part, s, b))
                continue
            out.append(_prove_piece(part, S, B))
    return tuple(out)


def _prove_piece(part: Segment, S: arb, B: arb) -> PieceCertificate:
    P0, Q0 = _exact_ball(part.p), _exact_ball(part.q)

    def h(X: arb) -> arb:
        return part.f(X) - S * X - B

    def h1(X: arb) -> arb:
        return part.f1(X) - S

    stack = [(P0, Q0, 0)]
    boxes = 0
    lowest: arb | None = None

    def accept(v: arb) -> None:
        nonlocal lowest
        lowest = v if lowest is None else arb(min(lowest.lower(), v.lower()))

    while stack:
        P, Q, depth = stack.pop()
        boxes += 1
        if boxes > _MAX_BOXES:
            raise CertificationError(f"could not prove the line below the function on [{part.p}, {part.q}] "
                                     f"within {_MAX_BOXES} boxes")
        X = P.union(Q)
        Hx = h(X)
        if finite_ball(Hx) and Hx.lower() >= 0:
            accept(Hx.lower())
            continue
        m = X.mid()
        D = h1(X)
        if finite_ball(D):
            mv = h(m) + D * (X - m)
            if finite_ball(mv) and mv.lower() >= 0:
                accept(mv.lower())
                continue
            if D.lower() >= 0 or D.upper() <= 0:
                end = P if D.lower() >= 0 else Q
                he = h(end)
                if finite_ball(he) and he.lower() >= 0:
                    accept(he.lower())
                    continue
                if finite_ball(he) and he.upper() < 0:
                    raise CertificationError(f"the line is above the function near x = {end.mid()}")
            D2 = part.f2(X)
            if finite_ball(D2) and D2.lower() > 0:  # convex: tangent at an approximate minimiser
                c = m
                for _ in range(40):
                    d2c = part.f2(c)
                    if not finite_ball(d2c) or d2c.mid() == 0:
                        break
                    nc = (c - h1(c) / d2c).mid()
                    if nc < P.mid():
                        nc = P.mid()
                    elif nc > Q.mid():
                        nc = Q.mid()
                    if (nc - c).is_zero():
                        break
                    c = nc
                hc, dc = h(c), h1(c)
                low = hc + arb(min((dc * (P - c)).lower(), (dc * (Q - c)).lower()))
                if finite_ball(low) and low.lower() >= 0:
                    accept(low.lower())
                    continue
        if depth > 200 or (Q - P).upper() < arb(2) ** (-flint.ctx.prec + 10) * (1 + abs(m)):
            raise CertificationError(f"could not prove the line below the function near x = {m}")
        Mid = split_point(P, Q)
        stack.append((P, Mid, depth + 1))
        stack.append((Mid, Q, depth + 1))
    assert lowest is not None
    low_mp = to_mpf(lowest, "lower", 64)
    return PieceCertificate(part.p, part.q, low_mp, boxes, "Arb branch and bound")
