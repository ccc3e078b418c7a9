r"""Where the fixed points of the variance map can lie, proved from growth bounds.

The fixed points of :math:`V(q) = \sigma_w^2\,\mathbb E[\varphi(\sqrt q z)^2] + \sigma_b^2`
are searched for on a finite range :math:`[q_{lo}, q_{hi}]`
(:func:`symact.propagation.fixedpoints.isolate`).  :func:`search_range` chooses that
range and *proves* the sign of :math:`V(q) - q` outside it, so that "no fixed point
found" is never read as "none exists":

* **above** :math:`q_{hi}`.  A bounded activation, :math:`\varphi^2 \le M`, has
  :math:`V(q) \le \sigma_w^2 M + \sigma_b^2 = U` for every :math:`q`, so every fixed point
  lies in :math:`(0, U]` and :math:`V(q) < q` beyond.  An activation of linear growth,
  :math:`\varphi(x)^2 \le B_\pm x^2` for :math:`\pm x \ge R` (a proved growth bound,
  :func:`symact.numerics.growth.growth_bound`) and :math:`\varphi^2 \le M_R` on
  :math:`[-R, R]`, has :math:`V(q) \le \sigma_w^2 (M_R + q (B_+ + B_-)/2) + \sigma_b^2`,
  which is :math:`< q` beyond an explicit :math:`U` when :math:`\sigma_w^2 (B_+ + B_-)/2 <
  1`.  Conversely :math:`\varphi(x)^2 \ge A_\pm x^2` for :math:`\pm x \ge R` gives
  :math:`V(q) \ge \sigma_w^2 q\,(A_+ + A_-)\,h(R/\sqrt q)` with :math:`h(t) = \mathbb E[z^2;
  z \ge t]` increasing in :math:`q`, so :math:`V(q) > q` for every :math:`q \ge Q` once it
  holds at :math:`Q`: the variance provably grows without bound from any
  :math:`q_0 \ge Q` (iterates increase, and a bounded increasing sequence would converge
  to a fixed point).
* **below** :math:`q_{lo}`.  :math:`V(q) \ge \sigma_b^2`, so there is no fixed point
  below :math:`\sigma_b^2`.  If :math:`\varphi(0) \ne 0`, :math:`\varphi^2 \ge m` on
  :math:`[-\delta, \delta]` gives :math:`V(q) \ge \sigma_w^2 m\,P(|\sqrt q z| \le \delta)`,
  decreasing in :math:`q`.  If :math:`\varphi(0) = 0 = \sigma_b^2`,
  :math:`\varphi(x)/x` is the mean of :math:`\varphi'` over :math:`[0, x]`, so on
  :math:`[-\delta, \delta]` it lies in the hull of :math:`\varphi'` there (ball
  arithmetic), which bounds :math:`V(q)/q` on :math:`(0, q_1]` up to a tail that the
  bounds above control.

Every bound is evaluated in Arb ball arithmetic with outward rounding; nothing
here depends on time.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import mpmath
import sympy
from flint import arb

from ..core.cache import cached
from ..core.errors import UnsupportedExpression
from ..core.precision import workdps
from ..expressions.activation import x as X
from ..gaussian.expectation import gaussian_pieces
from ..numerics.arb import XInterval, arb_evaluator, xenclose
from ..numerics.growth import growth_bound

__all__ = ["Growth2", "SearchRange", "growth_data", "search_range"]

_RS = (8, 32, 128, 1024)
_SUB = 24  # sub-balls per piece when enclosing phi^2 on a finite range
_FALLBACK = (1e-3, 1e2)


@dataclass(frozen=True)
class SearchRange:
    """The searched range and the proved sign of :math:`V(q) - q` outside it (0: not proved)."""

    lo: float
    hi: float
    below: int
    above: int
    why_lo: str
    why_hi: str


@dataclass(frozen=True)
class Growth2:
    r"""Proved bounds of :math:`\varphi^2` at one radius ``R``.

    :math:`\varphi^2 \le` ``mid`` on :math:`[-R, R]`; for :math:`\pm x \ge R`,
    :math:`A_\pm x^2 \le \varphi(x)^2 \le B_\pm x^2` (``upper = (B+, B-)``,
    ``lower = (A+, A-)``), or :math:`\varphi^2 \le` ``bounded`` everywhere when
    ``bounded`` is not None.
    """

    R: int
    mid: arb
    upper: tuple[arb, arb] | None
    lower: tuple[arb, arb]
    bounded: arb | None


def _ball(v: sympy.Expr) -> arb:
    from ..numerics.gaussian import as_ball

    return as_ball(v, 30)


def _sub_balls(a: sympy.Expr, b: sympy.Expr, n: int) -> list[arb]:
    A, B = _ball(a), _ball(b)
    lo, w = arb(A.lower()), arb(B.upper()) - arb(A.lower())
    return [(lo + w * i / n).union(lo + w * (i + 1) / n) for i in range(n)]


def _on(pieces: tuple, a: sympy.Expr, b: sympy.Expr, f: Any, n: int = _SUB) -> arb | None:
    """The union of ``f(piece)(ball)`` over sub-balls of [a, b] ∩ each piece (None: not finite)."""
    out: arb | None = None
    for e, lo, hi in pieces:
        lo2, hi2 = sympy.Max(lo, a), sympy.Min(hi, b)
        if not (hi2 - lo2).is_positive:
            continue
        F = arb_evaluator(f(e), X)
        for s in _sub_balls(lo2, hi2, n):
            v = F(s)
            if not v.is_finite():
                return None
            out = v if out is None else out.union(v)
    return out


def _sq_upper(pieces: tuple, a: sympy.Expr, b: sympy.Expr) -> arb | None:
    v = _on(pieces, a, b, lambda e: e)
    return None if v is None else arb(abs(v).upper()) ** 2


def _lower_ratio(e: sympy.Expr, R: int) -> arb:
    r"""A >= 0 with :math:`|e(t)| \ge \sqrt A\, t` for every :math:`t \ge R` (0 when none is proved)."""
    xi = XInterval(mpmath.mpf(R)._mpf_, mpmath.inf._mpf_)
    for form in (sympy.expand(e / X), sympy.cancel(e / X)):
        try:
            iv = xenclose(form, X, xi)
        except UnsupportedExpression:
            continue
        s = iv.sign()
        if s:
            with workdps(30):
                b = iv.to_ball() if iv.finite() else None
            if b is not None:
                return arb(abs(b).lower()) ** 2
    try:  # e(t)/t lies between e(R)/R and the values of e' on [R, oo)
        d = xenclose(sympy.diff(e, X), X, xi)
        if d.finite():
            with workdps(30):
                db = d.to_ball()
                eR = arb_evaluator(e, X)(arb(R)) / R
            hull = db.union(eR)
            if hull > 0 or hull < 0:
                return arb(abs(hull).lower()) ** 2
    except UnsupportedExpression:
        pass
    return arb(0)


@cached(maxsize=256)
def _certified_ratio(e: sympy.Expr, R: int) -> tuple[arb, arb] | None:
    """(A, B) with A t^2 <= e(t)^2 <= B t^2 for t >= R, from the certified extrema of e' on [R, oo).

    e(t)/t is a weighted mean of e(R)/R and the values of e' on [R, t].  Slower than the
    naive forms: used only when they do not decide.
    """
    from ..analysis.extrema import inf, sup
    from ..core.errors import CertificationError

    d = sympy.diff(e, X)
    try:
        lo = inf(d, sympy.Interval(R, sympy.oo)).enclosure[0]
        hi = sup(d, sympy.Interval(R, sympy.oo)).enclosure[1]
    except (CertificationError, UnsupportedExpression, NotImplementedError):
        return None
    with workdps(30):
        eR = arb_evaluator(e, X)(arb(R)) / R
        hull = arb(mpmath.mpf(lo)).union(arb(mpmath.mpf(hi))).union(eR)
        A = arb(abs(hull).lower()) ** 2 if (hull > 0 or hull < 0) else arb(0)
        return A, arb(abs(hull).upper()) ** 2


@cached(maxsize=256)
def growth_data(expr: sympy.Expr, R: int) -> Growth2 | None:
    """The bounds of :class:`Growth2` for ``expr`` at radius ``R`` (None when phi grows faster than linearly)."""
    pieces = tuple(gaussian_pieces(expr))
    if any(b.is_finite and abs(b) >= R for _, lo, hi in pieces for b in (lo, hi)):
        return None  # the outer pieces must cover |x| >= R
    sides = (pieces[-1][0], pieces[0][0].subs(X, -X))
    with workdps(30):
        try:
            gs = [growth_bound(e, X, R) for e in sides]
        except UnsupportedExpression:
            return None
        mid = _sq_upper(pieces, sympy.Integer(-R), sympy.Integer(R))
        if mid is None:
            return None
        if all(g.k == 0 and g.c == 0 for g in gs):
            tail = max((arb(g.M.upper()) ** 2 for g in gs), key=lambda b: float(b.upper()))
            return Growth2(R, mid, (arb(0), arb(0)), (arb(0), arb(0)), arb(max(mid, tail, key=lambda b: float(b.upper())).upper()))
        if not all(g.k <= 1 and g.c == 0 for g in gs):
            return None
        upper = tuple(arb((g.M * arb(R) ** (g.k - 1)).upper()) ** 2 for g in gs)
        lower = tuple(_lower_ratio(e, R) for e in sides)
        return Growth2(R, mid, upper, lower, None)  # type: ignore[arg-type]


def _refined(expr: sympy.Expr, g: Growth2) -> Growth2:
    """``g`` with its tail ratio bounds tightened by :func:`_certified_ratio` where that helps."""
    pieces = tuple(gaussian_pieces(expr))
    sides = (pieces[-1][0], pieces[0][0].subs(X, -X))
    assert g.upper is not None
    upper, lower = list(g.upper), list(g.lower)
    for i, e in enumerate(sides):
        got = _certified_ratio(e, g.R)
        if got is not None:
            upper[i] = got[1] if got[1] < upper[i] else upper[i]
            lower[i] = got[0] if got[0] > lower[i] else lower[i]
    return Growth2(g.R, g.mid, (upper[0], upper[1]), (lower[0], lower[1]), None)


def _h(t: arb) -> arb:
    r""":math:`h(t) = \mathbb E[z^2; z \ge t] = t\,\phi(t) + \bar\Phi(t)` for a standard normal ``z``."""
    pdf = (-(t * t) / 2).exp() / (2 * arb.pi()).sqrt()
    return t * pdf + (t / arb(2).sqrt()).erfc() / 2


def _decide(g: Growth2, sw: arb, sb: arb) -> tuple[float, int, str] | None:
    R = g.R
    if g.bounded is not None:
        U = sw * g.bounded + sb
        return float(U.upper()) * (1 + 1e-9), -1, (
            f"phi^2 <= {float(g.bounded.upper()):.6g}, so V(q) <= {float(U.upper()):.6g} for every q")
    assert g.upper is not None
    Bbar = (g.upper[0] + g.upper[1]) / 2
    if sw * Bbar < 1:
        U = (sw * g.mid + sb) / (1 - sw * Bbar)
        return float(U.upper()) * (1 + 1e-9), -1, (
            f"phi(x)^2 <= {float(g.mid.upper()):.4g} on [-{R}, {R}] and <= {float(Bbar.upper()):.6g} x^2 "
            f"beyond (mean of both sides): V(q) < q for q > {float(U.upper()):.6g}")
    Asum = g.lower[0] + g.lower[1]
    if sw * Asum / 2 > 1:
        Q = arb(R) ** 2
        for _ in range(60):
            if sw * Asum * _h(arb(R) / Q.sqrt()) > 1:
                return float(Q.upper()), 1, (
                    f"phi(x)^2 >= {float(Asum.lower()) / 2:.6g} x^2 beyond |x| = {R} (mean of both sides): "
                    f"V(q) > q for every q >= {float(Q.upper()):.6g}")
            Q = Q * 4
    return None


def _critical(expr: sympy.Expr, sw: arb) -> bool:
    """Whether the cheap bounds far out pin sigma_w^2 (a_+^2 + a_-^2)/2 to 1 within 1e-6 (so the slow
    certified refinement could not decide either way)."""
    g = next((g for R in _RS[::-1] if (g := growth_data(expr, R)) is not None), None)
    if g is None or g.upper is None:
        return False
    lo, hi = sw * (g.lower[0] + g.lower[1]) / 2, sw * (g.upper[0] + g.upper[1]) / 2
    return bool(arb(lo.lower()) <= 1) and bool(arb(hi.upper()) >= 1) and bool(arb(hi.upper()) - arb(lo.lower()) < arb("1e-6"))


def _above(expr: sympy.Expr, sw: arb, sb: arb, q0: float) -> tuple[float, int, str]:
    seen = False
    for R in _RS:
        g = growth_data(expr, R)
        if g is None:
            continue
        seen = True
        with workdps(30):
            got = _decide(g, sw, sb)
            if got is None and g.bounded is None and R == _RS[0] and not _critical(expr, sw):
                got = _decide(_refined(expr, g), sw, sb)
        if got is not None:
            return got
    if not seen:
        return max(_FALLBACK[1], 4 * q0), 0, "no proved bound of linear growth for phi (it may grow faster)"
    return max(_FALLBACK[1], 4 * q0), 0, "sigma_w^2 times the asymptotic slope^2 is too close to 1 to bound"


def _continuous_on(pieces: tuple, a: sympy.Expr, b: sympy.Expr) -> bool:
    for (e1, _, br), (e2, _, _) in itertools.pairwise(pieces):
        if a < br < b and sympy.simplify(e1.subs(X, br) - e2.subs(X, br)) != 0:
            return False
    return True


def _below(expr: sympy.Expr, sw: arb, sb: arb, sb_zero: bool) -> tuple[float, int, str]:
    pieces = tuple(gaussian_pieces(expr))
    lo, sign, why = 0.0, 0, ""
    if sb > 0:
        lo, sign, why = float(sb.lower()), 1, "V(q) >= sigma_b^2 > q below sigma_b^2"
    phi0 = sympy.simplify(expr.subs(X, 0))
    with workdps(30):
        if phi0 != 0:
            for delta in (sympy.Integer(1), sympy.Rational(1, 8), sympy.Rational(1, 64)):
                if not _continuous_on(pieces, -delta, delta):
                    continue
                v = _on(pieces, -delta, delta, lambda e: e)
                if v is None or v.contains(0):
                    continue
                m = arb(abs(v).lower()) ** 2
                q1 = (sw * m + sb) / 2
                for _ in range(60):
                    if sw * m * (arb(_ball(delta)) / (2 * q1).sqrt()).erf() + sb > q1:
                        if float(q1.lower()) > lo:
                            return float(q1.lower()), 1, (f"phi^2 >= {float(m.lower()):.4g} on [-{delta}, {delta}]: "
                                                          f"V(q) > q for q <= {float(q1.lower()):.4g}")
                        return lo, sign, why
                    q1 = q1 / 2
            return (lo, sign, why) if sign else (_FALLBACK[0], 0, "could not bound V(q) - q near q = 0")
        if not sb_zero:
            return (lo, sign, why) if sign else (_FALLBACK[0], 0, "could not bound V(q) - q near q = 0")
        g = next((gd for R in _RS if (gd := growth_data(expr, R)) is not None), None)
        for delta in (sympy.Integer(4), sympy.Integer(1), sympy.Rational(1, 4), sympy.Rational(1, 32), sympy.Rational(1, 256)):
            if g is None or not _continuous_on(pieces, -delta, delta):
                continue
            right = _on(pieces, sympy.Integer(0), delta, lambda e: sympy.diff(e, X))
            left = _on(pieces, -delta, sympy.Integer(0), lambda e: sympy.diff(e, X))
            if right is None or left is None:
                continue
            B = (arb(abs(right).upper()) ** 2 + arb(abs(left).upper()) ** 2) / 2
            A = [arb(0) if s.contains(0) else arb(abs(s).lower()) ** 2 for s in (right, left)]
            d = _ball(delta)
            M2 = g.bounded if g.bounded is not None else g.mid
            Bt = arb(0) if g.bounded is not None else g.upper[0] + g.upper[1]
            q1 = d * d / 8
            for _ in range(40):
                t = d / q1.sqrt()
                upper = B + M2 * (t / arb(2).sqrt()).erfc() / q1 + Bt * _h(arb(g.R) / q1.sqrt())
                lower = (A[0] + A[1]) * (arb(1) / 2 - _h(t))
                if sw * upper < 1:
                    return float(q1.lower()), -1, (f"V(q)/q <= {float((sw * upper).upper()):.6g} < 1 "
                                                   f"for 0 < q <= {float(q1.lower()):.4g}")
                if sw * lower > 1:
                    return float(q1.lower()), 1, (f"V(q)/q >= {float((sw * lower).lower()):.6g} > 1 "
                                                  f"for 0 < q <= {float(q1.lower()):.4g}")
                if not (sw * (B - (A[0] + A[1]) / 2) < abs(sw * (A[0] + A[1]) / 2 - 1)):
                    break  # the hull of phi' on [-delta, delta] is too wide: a smaller delta
                q1 = q1 / 4
    return _FALLBACK[0], 0, "sigma_w^2 phi'(0)^2 is too close to 1 to bound V(q)/q near q = 0"


def search_range(expr: sympy.Expr, sw: arb, sb: arb, sb_zero: bool, q0: float) -> SearchRange:
    r"""The range to search for fixed points, and the proved sign of :math:`V(q) - q` outside it.

    ``sw``, ``sb`` are balls containing :math:`\sigma_w^2, \sigma_b^2`; ``sb_zero``
    says :math:`\sigma_b^2 = 0` exactly.  The range always contains ``q0``.

    >>> import sympy
    >>> from flint import arb
    >>> r = search_range(sympy.tanh(X), arb(1000), arb(0), True, 1.0)
    >>> r.above, r.hi > 1000, r.below
    (-1, True, 1)
    """
    lo, below, why_lo = _below(expr, sw, sb, sb_zero)
    hi, above, why_hi = _above(expr, sw, sb, q0)
    lo = min(lo, q0 / 2)
    hi = max(hi, 2 * q0, 4 * lo)
    return SearchRange(lo, hi, below, above, why_lo, why_hi)


def _halves(lo: sympy.Expr, hi: sympy.Expr) -> list[tuple[sympy.Expr, sympy.Expr]]:
    out = []
    if (sympy.Min(hi, 0) - lo).is_extended_positive:
        out.append((lo, sympy.Min(hi, 0)))
    if (hi - sympy.Max(lo, 0)).is_extended_positive:
        out.append((sympy.Max(lo, 0), hi))
    return out


def _xi(a: sympy.Expr, b: sympy.Expr) -> XInterval:
    """An extended interval containing [a, b] (finite ends widened by 1e-25 relative and absolute)."""
    def end(v: sympy.Expr, sign: int) -> tuple:
        if v.is_infinite:
            return (mpmath.inf if v > 0 else mpmath.ninf)._mpf_
        if v.is_Integer:
            return mpmath.mpf(int(v))._mpf_
        with workdps(40):
            f = mpmath.mpf(sympy.N(v, 40))
            eps = mpmath.mpf(10) ** -25
            return (f + sign * (abs(f) * eps + eps))._mpf_
    return XInterval(end(a, -1), end(b, 1))


def _signs(pieces: tuple, f: Any) -> list[int | None]:
    """For each half-piece (split at 0), the proved sign of f(e) there: 1 (>= 0), -1 (<= 0), 0 (== 0), None."""
    out: list[int | None] = []
    for e, lo, hi in pieces:
        g = f(e)
        g = sympy.expand(g) if g.is_polynomial(X) else g  # polynomial pieces: cancel x*1 - x exactly
        for a, b in _halves(lo, hi):
            if g == 0:
                out.append(0)
                continue
            try:
                iv = xenclose(g, X, _xi(a, b))
            except UnsupportedExpression:
                out.append(None)
                continue
            out.append(iv.sign())
    return out


@cached(maxsize=256)
def structure(expr: sympy.Expr) -> tuple[bool, bool]:
    r"""Two proved shape facts about :math:`V`: (``increasing``, ``ratio_decreasing``).

    ``increasing``: :math:`x\varphi(x)\varphi'(x) \ge 0` everywhere, i.e. :math:`\varphi^2`
    is non-decreasing in :math:`|x|`, so :math:`V` is non-decreasing in :math:`q`.

    ``ratio_decreasing``: :math:`\varphi` is continuous and
    :math:`\varphi(x)(x\varphi'(x) - \varphi(x)) \le 0` everywhere, i.e.
    :math:`\varphi(x)^2/x^2` is non-increasing in :math:`|x|`, and strictly decreasing on
    some interval; then :math:`V(q)/q = \sigma_w^2\,\mathbb E[(\varphi(\sqrt q z)/\sqrt q z)^2 z^2]
    + \sigma_b^2/q` is strictly decreasing, so :math:`V` has **at most one** positive fixed
    point, with :math:`V(q) > q` below it and :math:`V(q) < q` above it.  Each sign is
    proved per piece (polynomial pieces expanded) by extended interval evaluation.

    >>> import sympy
    >>> structure(sympy.Piecewise((0, X <= 0), (6, X >= 6), (X, True)))
    (True, True)
    """
    pieces = tuple(gaussian_pieces(expr))
    for (e1, _, br), (e2, _, _) in itertools.pairwise(pieces):
        if sympy.simplify(e1.subs(X, br) - e2.subs(X, br)) != 0:
            return False, False
    inc = _signs(pieces, lambda e: X * e * sympy.diff(e, X))
    rat = _signs(pieces, lambda e: e * (X * sympy.diff(e, X) - e))
    return all(s in (0, 1) for s in inc), all(s in (0, -1) for s in rat) and -1 in rat
