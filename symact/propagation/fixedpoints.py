r"""The certified variance map and every one of its fixed points, isolated and proved.

:class:`CertifiedMap` evaluates :math:`V(q) = \sigma_w^2\,\mathbb E[\varphi(\sqrt q z)^2] +
\sigma_b^2`, its slope :math:`V'(q)` and :math:`\chi(q) = \sigma_w^2\,\mathbb
E[\varphi'(\sqrt q z)^2]` in Arb ball arithmetic for a *ball* of :math:`q`
(:func:`symact.numerics.gaussian.gaussian_expectation` with a ball variance), so
that interval Newton applies to :math:`g(q) = V(q) - q`:

.. math::

    N(X) = m - g(m)/g'(X), \qquad m = \operatorname{mid} X .

:func:`isolate` covers the searched range with cells; each cell is either
*excluded* (the mean-value form :math:`g(m) + g'(X)(X - m)` or :math:`N(X) \cap X
= \emptyset` shows :math:`g \ne 0` on it), or *proved* to hold exactly one fixed
point (:math:`N(X) \subset \operatorname{int} X`), or bisected.  Proved cells are
then tightened by Newton steps at increasing precision.  Cells also record the
sign of :math:`g` and whether :math:`V` is increasing there, from which
:mod:`symact.propagation.meanfield` proves which fixed point a network started
at :math:`q_0` reaches.

References
----------
.. [1] R. E. Moore, R. B. Kearfott, M. J. Cloud, *Introduction to Interval
   Analysis*, SIAM 2009, ch. 8 (interval Newton).
"""

from __future__ import annotations

import collections
import itertools
import math
from dataclasses import dataclass
from typing import Any

import mpmath
import sympy
from flint import arb

from ..core.cache import cached
from ..core.errors import CertificationError
from ..core.precision import workdps
from ..expressions.activation import x as X
from ..gaussian.expectation import gaussian_pieces
from ..numerics.arb import to_mpf
from ..numerics.gaussian import as_ball, gaussian_expectation, scaled_expectation

__all__ = ["Cell", "CertifiedMap", "basin", "contracts_to", "isolate", "reached", "refine", "square_pieces", "to_interval"]

_LOW_DPS = 10
_GOAL = 6
_EVALS = 1500  # integrand evaluations per piece before a wide-ball integral gives up


def to_interval(b: arb, dps: int) -> tuple[mpmath.mpf, mpmath.mpf]:
    """Rigorous mpmath ends of a ball, rounded outward at ``dps + 10`` digits."""
    bits = int((dps + 10) * 3.33) + 8
    with workdps(dps + 10):
        return to_mpf(b, "lower", bits), to_mpf(b, "upper", bits)


@cached(maxsize=512)
def square_pieces(expr: sympy.Expr) -> tuple:
    """The analytic pieces of ``expr**2``: the squares of the pieces of ``expr`` (one split, not two)."""
    return tuple((e**2, lo, hi) for e, lo, hi in gaussian_pieces(expr))


@cached(maxsize=512)
def _derivative_pieces(pieces: tuple) -> tuple | None:
    """Pieces of the a.e. derivative of a continuous piecewise function (None if it jumps)."""
    for (e1, _, b), (e2, _, _) in itertools.pairwise(pieces):
        if sympy.cancel(sympy.together(e1.subs(X, b) - e2.subs(X, b))) != 0:
            return None
    return tuple((sympy.diff(e, X), lo, hi) for e, lo, hi in pieces)


class CertifiedMap:
    r"""Ball evaluations of :math:`V`, :math:`V'` and :math:`\chi` for one activation and initialisation.

    >>> import sympy
    >>> m = CertifiedMap(sympy.tanh(X), sympy.Integer(2), sympy.Rational(1, 10))
    >>> lo, hi = to_interval(m.V(1, 30), 30)
    >>> mpmath.nstr(lo, 15), float(hi - lo) < 1e-30
    ('0.888588980795682', True)
    """

    def __init__(self, expr: sympy.Expr, weight_var: sympy.Expr, bias_var: sympy.Expr) -> None:
        self.expr = expr
        self.weight_var, self.bias_var = weight_var, bias_var
        self.square = square_pieces(expr)
        self._balls: dict[int, tuple[arb, arb]] = {}
        self.dsquare = _derivative_pieces(self.square)
        self.scaled = False  # the standard-normal form (tighter for smooth phi, slow when it fails)

    def _coeffs(self, dps: int) -> tuple[arb, arb]:
        if dps not in self._balls:  # enclosing a long closed form (a gain squared) is costly: once per precision
            with workdps(dps + 8):
                self._balls[dps] = (as_ball(self.weight_var, dps), as_ball(self.bias_var, dps))
        return self._balls[dps]

    def V(self, q: Any, dps: int, goal: int | None = None) -> arb:
        """A ball containing :math:`V(q)` for every ``q`` in the ball ``q``."""
        with workdps(dps + 8):
            sw, sb = self._coeffs(dps)
            return sw * gaussian_expectation(self.square, q, x=X, dps=dps, goal=goal) + sb

    def dV(self, q: Any, dps: int, goal: int | None = None) -> arb:
        r""":math:`V'(q) = \sigma_w^2\,\frac{d}{dq}\mathbb E[\varphi(\sqrt q z)^2]` on a ball (score form)."""
        with workdps(dps + 8):
            sw, _ = self._coeffs(dps)
            if self.scaled and self.dsquare is not None and not (isinstance(q, arb) and q.rad() == 0):
                # E[(phi^2)'(sqrt(q) s) s] / (2 sqrt q): tight for a wide ball of q
                qb = as_ball(q, dps)
                try:
                    return sw * scaled_expectation(self.dsquare, qb, x=X, dps=dps, moment=1, goal=goal,
                                                   eval_limit=_EVALS) / (2 * qb.sqrt())
                except CertificationError:
                    pass
            return sw * gaussian_expectation(self.square, q, x=X, dps=dps, dq=1, goal=goal)

    def chi(self, q: Any, dps: int, derivative_pieces: tuple) -> arb:
        r""":math:`\chi(q) = \sigma_w^2\,\mathbb E[\varphi'(\sqrt q z)^2]` on a ball."""
        with workdps(dps + 8):
            sw, _ = self._coeffs(dps)
            return sw * gaussian_expectation(derivative_pieces, q, x=X, dps=dps)


@dataclass(frozen=True)
class Cell:
    """A cell ``[lo, hi]`` of the searched range and what is proved on it.

    ``kind`` is ``"excluded"`` (no fixed point), ``"root"`` (exactly one), or
    ``"unresolved"``; ``sign`` the sign of :math:`V(q) - q` on an excluded cell;
    ``increasing`` whether :math:`V' \\ge 0` was proved on it.
    """

    lo: float
    hi: float
    kind: str
    sign: int = 0
    increasing: bool = False
    ball: Any = None


def _cell_ball(a: float, b: float) -> arb:
    return arb(a).union(arb(b))


def _test(cmap: CertifiedMap, a: float, b: float) -> Cell | None:
    """Exclude, prove or fail (None) on ``[a, b]`` at low precision."""
    try:
        got = _attempt(cmap, a, b)
    except CertificationError:
        got = None
    if got is None and cmap.dsquare is not None and not cmap.scaled:
        cmap.scaled = True  # V' in the standard-normal form: tighter on a wide cell, slower
        try:
            got = _attempt(cmap, a, b)
        except CertificationError:
            got = None
        finally:
            cmap.scaled = False
    if got is not None:
        return got
    try:  # V on the whole cell entirely below a or above b: no fixed point in it
        with workdps(_LOW_DPS + 8):
            VX = cmap.V(_cell_ball(a, b), _LOW_DPS, _GOAL)
            if VX.is_finite() and VX.upper() < a:
                return Cell(a, b, "excluded", -1, False)
            if VX.is_finite() and VX.lower() > b:
                return Cell(a, b, "excluded", 1, False)
    except CertificationError:
        pass
    return None


def _attempt(cmap: CertifiedMap, a: float, b: float) -> Cell | None:
    X_ = _cell_ball(a, b)
    with workdps(_LOW_DPS + 8):
        m = arb(X_.mid())
        gm = cmap.V(m, _LOW_DPS, _GOAL) - m
        dV = cmap.dV(X_, _LOW_DPS, _GOAL)
        dg = dV - 1
        inc = bool(dV >= 0)
        mv = gm + dg * (X_ - m)
        if mv > 0 or mv < 0:
            return Cell(a, b, "excluded", 1 if mv > 0 else -1, inc)
        if dg > 0 or dg < 0:
            N = m - gm / dg
            if N.lower() > X_.lower() and N.upper() < X_.upper():
                return Cell(a, b, "root", 0, inc, N)
            if N.upper() < X_.lower() or N.lower() > X_.upper():
                sign = 1 if (cmap.V(arb(a), _LOW_DPS, _GOAL) - a) > 0 else -1
                return Cell(a, b, "excluded", sign, inc)
    return None


def isolate(cmap: CertifiedMap, lo: float, hi: float, *, cells: int = 24, depth: int = 6,
            tests: int = 120) -> list[Cell]:
    """Cover ``[lo, hi]`` by cells: each excluded, holding one proved fixed point, or unresolved.

    The initial cells are log-spaced (with an irrational offset so that simple
    rationals such as 1 do not fall on a cell boundary); failing cells are
    bisected (geometrically) up to ``depth`` times; after ``tests`` cell tests
    the remaining cells are left ``"unresolved"`` (so no call runs long).

    >>> import sympy
    >>> m = CertifiedMap(sympy.tanh(X), sympy.Rational(25, 9), sympy.Integer(0))
    >>> [c for c in isolate(m, 1e-2, 1e2) if c.kind != "excluded"][0].kind
    'root'
    """
    ratio = (hi / lo) ** (1 / cells)
    edges = [lo * ratio ** (i + 0.0137 * (0 < i < cells)) for i in range(cells + 1)]
    edges[-1] = hi
    out: list[Cell] = []
    queue = collections.deque((edges[i], edges[i + 1], 0) for i in range(cells))  # breadth first: every
    done = 0  # cell is tested before any is bisected, so one hard spot cannot use up the tests
    while queue:
        a, b, d = queue.popleft()
        if done >= tests:
            out.append(Cell(a, b, "unresolved"))
            continue
        done += 1
        cell = _test(cmap, a, b)
        if cell is not None:
            out.append(cell)
        elif d >= depth:
            out.append(Cell(a, b, "unresolved"))
        else:
            mid = math.sqrt(a * b) * (1 + 1e-3 / (d + 3))
            queue.append((a, mid, d + 1))
            queue.append((mid, b, d + 1))
    return sorted(out, key=lambda c: c.lo)


def refine(cmap: CertifiedMap, cell: Cell, dps: int) -> arb:
    r"""Tighten a proved cell by interval Newton steps at increasing precision, to about ``10^{-dps}``.

    Every step keeps a ball that contains the (unique) fixed point of the cell.
    """
    X_ = cell.ball
    digits = 3
    for _ in range(12):
        work = min(dps + 5, max(_LOW_DPS, 2 * digits + 6))
        with workdps(work + 8):
            m = arb(X_.mid())
            gm = cmap.V(m, work) - m
            dg = cmap.dV(X_, work) - 1
            N = m - gm / dg
            if not (N.is_finite() and (N.lower() <= X_.upper()) and (N.upper() >= X_.lower())):
                break
            lo = max(N.lower(), X_.lower())
            hi = min(N.upper(), X_.upper())
            new = arb(lo).union(arb(hi))
        rad = float(new.rad()) / max(abs(float(new.mid())), 1e-300)
        X_ = new
        digits = int(-math.log10(rad)) if rad > 0 else dps + 5
        if digits >= dps + 3:
            break
    return X_


def _between(cells: list, lo: float, hi: float) -> list:
    return [c for c in cells if c.hi > lo and c.lo < hi]


def reached(points: list, cells: list, q0: float, sign: int, q_gh: float, search: tuple[float, float]) -> tuple[int | None, str]:
    """Index in ``points`` (objects with ``.q`` Quantities) of the fixed point a network started at
    ``q0`` reaches (None: q grows without bound), and the level of that claim.

    ``cells`` cover ``(0, oo)`` (the two outer ones from the proved search range, see
    :mod:`symact.propagation.searchrange`); ``sign`` is the certified sign of
    ``V(q0) - q0`` (0 if undecided).  Proved ("certified") cases:

    * ``V(q) > q`` on every cell above ``q0`` and no fixed point there: the iterates
      increase, and a bounded increasing sequence would converge to a fixed point, so
      ``q -> oo``;
    * ``V(q) < q`` on every cell below ``q0`` and ``q = 0`` the only fixed point there:
      the iterates decrease and stay ``>= 0``, so ``q -> 0``;
    * the nearest fixed point in the direction of ``sign``, with ``V(q) - q`` of one
      sign and ``V`` increasing on every cell between: monotone convergence.

    Otherwise the float64 iteration ``q_gh`` decides (level ``"sampled"``).
    """
    order = sorted(range(len(points)), key=lambda i: float(points[i].q))
    zero = next((i for i in order if points[i].q.value == 0 and points[i].q.level == "exact"), None)
    for i in order:  # started on a fixed point (to the digits of its enclosure, or nearly)
        lo, hi = points[i].q.enclosure
        if lo <= q0 <= hi:
            return i, "exact" if points[i].q.level == "exact" else "certified"
        if not sign and abs(float(points[i].q) - q0) < 1e-12 * max(1.0, q0):
            return i, "sampled"
    if sign:
        side = [i for i in order if i != zero and (float(points[i].q) < q0 if sign < 0 else float(points[i].q) > q0)]
        idx: int | None
        if side:
            idx = side[-1] if sign < 0 else side[0]
            target = float(points[idx].q)
        else:
            idx, target = (zero, 0.0) if sign < 0 else (None, math.inf)
        lo, hi = sorted((q0, target))
        between = _between(cells, lo, hi)
        # a root cell holds exactly one fixed point, a known one, not strictly between q0 and target
        signed = all((c.kind == "excluded" and c.sign == sign) or c.kind == "root" for c in between)
        if signed and (idx is None or idx == zero):
            return idx, "certified"  # monotone iterates, no fixed point on the way
        if signed and all(c.increasing for c in between):
            return idx, "certified"
        if idx is not None and math.isfinite(q_gh) and abs(q_gh - target) <= 1e-3 * max(1.0, target):
            return idx, "sampled"
    if sign > 0 and not any(float(points[i].q) > q0 for i in order):
        return None, "sampled"  # no fixed point above q0 in the range: growth beyond it is not proved
    if not math.isfinite(q_gh) or q_gh > search[1]:
        return None, "sampled"
    if q_gh < 1e-25 and zero is not None:
        return zero, "sampled"
    if not points:
        raise CertificationError(f"the float64 iteration settled at q = {q_gh:g}, where no fixed point was certified")
    return min(order, key=lambda i: abs(float(points[i].q) - q_gh)), "sampled"


def basin(cells: list, enclosure: tuple) -> tuple[float, float]:
    """The interval around a fixed point from which :func:`reached` proves monotone convergence to it:
    the runs of cells next to it that are excluded, of the right sign (+ below, - above) and increasing."""
    lo, hi = (float(v) for v in enclosure)
    below = sorted((c for c in cells if c.hi <= hi), key=lambda c: -c.hi)
    above = sorted((c for c in cells if c.lo >= lo), key=lambda c: c.lo)
    bl, bu = lo, hi
    home = next((c for c in cells if c.lo <= lo and hi <= c.hi), None)
    if home is not None and home.kind == "root" and home.increasing:
        bl, bu = home.lo, home.hi  # the cell's only fixed point is this one
    below = [c for c in below if c.hi <= bl * (1 + 1e-12)]
    above = [c for c in above if c.lo >= bu * (1 - 1e-12)]
    for c in below:
        if c.hi < bl * (1 - 1e-12) or not (c.kind in ("excluded", "root") and c.increasing and c.sign >= 0):
            break
        bl = c.lo
    for c in above:
        if c.lo > bu * (1 + 1e-12) or not (c.kind in ("excluded", "root") and c.increasing and c.sign <= 0):
            break
        bu = c.hi
    return bl, bu


def contracts_to(cmap: CertifiedMap, q0: float, enclosure: tuple, *, steps: int = 60,
                 monotone: tuple[float, float] | None = None) -> bool:
    r"""Prove that the iterates of :math:`V` from ``q0`` converge to the fixed point in ``enclosure``.

    Finds a neighbourhood :math:`J = [lo - r, hi + r]` of the fixed point on which
    :math:`|V'| \le L < 1` (one ball evaluation of :math:`V'` on :math:`J`) with
    :math:`L (r + hi - lo) \le r`, so that :math:`V` maps :math:`J` into itself and
    contracts it; then iterates :math:`V` from ``q0`` in ball arithmetic (at most
    ``steps`` times) until a ball lies inside :math:`J`.  Returns False when either
    step does not succeed: nothing is claimed then.  ``monotone`` (from :func:`basin`) is a
    second target: an interval from which monotone convergence to the fixed point is proved.
    """
    with workdps(40):
        lo, hi = (arb(mpmath.mpf(v)) for v in enclosure)
        w = hi - lo
        J = None
        for frac in (0.5, 0.2, 0.05, 0.01):
            r = (lo + hi) / 2 * frac
            cand = (lo - r).union(hi + r)
            if cand.lower() <= 0:
                continue
            try:
                d = cmap.dV(cand, _LOW_DPS, _GOAL)
            except CertificationError:
                continue
            L = arb(abs(d).upper())
            if L < 1 and L * (r + w) <= r:
                J = cand
                break
        targets = [J] if J is not None else []
        if monotone is not None and monotone[0] > 0 and math.isfinite(monotone[1]) and monotone[1] > monotone[0]:
            targets.append(arb(monotone[0]).union(arb(monotone[1])))
        if not targets:
            return False
        q = arb(q0)
        for _ in range(steps):
            if any(q.lower() >= T.lower() and q.upper() <= T.upper() for T in targets):
                return True
            try:
                q = cmap.V(q, _LOW_DPS + 4)
            except CertificationError:
                return False
            if not q.is_finite() or q.rad() > max(T.rad() for T in targets):
                return False
    return False
