r"""Certified tables of :math:`\sup` and :math:`\inf` of an activation's derivatives, fast to high order.

:func:`derivative_table` gives, for :math:`n = 1, \dots, N`, the supremum and infimum of
:math:`\varphi^{(n)}` (and :math:`\sup|\varphi^{(n)}|`) on the real line or on an interval,
certified to about :math:`10^{5-\mathrm{dps}}`.  Instead of differentiating symbolically to
order :math:`n + 2` (whose expressions grow quickly), the activation is compiled once into
*Taylor-mode* Arb arithmetic (python-flint's ``arb_series``): evaluating it on a ball
:math:`X` gives enclosures of :math:`\varphi^{(k)}(X)`, :math:`k \le n + 2`, all at once.
On a window a branch and bound discards boxes whose enclosure cannot beat a value already
attained or on which :math:`\varphi^{(n)}` is monotone (:math:`0 \notin \varphi^{(n+1)}(X)`),
and proves and contracts the critical points by interval Newton with
:math:`\varphi^{(n+2)}(X)`.  On the real line the tails :math:`|x| \ge R` are proved harmless
by :func:`symact.analysis.tails.tail_bound` (an enclosure below a value attained, or a proved
sign of the next derivative and the exact limit); that is the slow part at high order.

References
----------
.. [1] L. B. Rall, *Automatic Differentiation: Techniques and Applications*, LNCS 120,
   Springer, 1981 (Taylor arithmetic).
.. [2] F. Johansson, "Arb: efficient arbitrary-precision midpoint-radius interval
   arithmetic", IEEE Transactions on Computers 66(8), 2017.
.. [3] R. E. Moore, R. B. Kearfott, M. J. Cloud, *Introduction to Interval Analysis*,
   SIAM, 2009 (interval Newton).

>>> import symact as sa
>>> t = sa.derivative_table("tanh", 3)
>>> [round(float(r.sup_abs), 10) for r in t.rows]
[1.0, 0.7698003589, 2.0]
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import flint
import mpmath
import sympy
from flint import arb, arb_series

from ..core.cache import cached
from ..core.errors import CertificationError, UnsupportedExpression
from ..core.precision import DEFAULT_DPS, workdps, workprec
from ..core.result import Quantity, honest_float
from ..expressions.activation import Activation
from ..expressions.coerce import as_activation
from ..numerics.arb import arb_evaluator, split_point, to_mpf
from .bounds import sup_abs
from .extremum import Extremum
from .local import interval_ends
from .tails import tail_bound

__all__ = ["DerivativeRow", "DerivativeTable", "derivative_table", "gauss_tail_enclosure", "tail_enclosure",
           "taylor_evaluator"]

Series = Callable[[arb, int], list[arb]]
_R = 16
_MAX_BOXES = 20000
_K = 6
_FACT = [1, 1, 2, 6, 24, 120, 720, 5040]


def _series_fn(e: sympy.Expr, x: sympy.Symbol) -> Callable[[arb_series], Any]:
    if e == x:
        return lambda s: s
    if e.is_Number or (e.is_number and not e.has(x)):
        ev = arb_evaluator(e, x)
        memo: dict[int, arb] = {}

        def const(s: arb_series) -> arb:  # evaluated at the precision of the call
            p = flint.ctx.prec
            if p not in memo:
                memo[p] = ev(arb(0))
            return memo[p]

        return const
    if e.is_Add or e.is_Mul:
        parts = [_series_fn(a, x) for a in e.args]
        add = e.is_Add

        def comb(s: arb_series) -> Any:
            acc = parts[0](s)
            for p in parts[1:]:
                acc = acc + p(s) if add else acc * p(s)
            return acc

        return comb
    if e.is_Pow:
        base, ex = e.args
        b = _series_fn(base, x)
        if ex.is_Integer:
            n = int(ex)
            if n >= 0:
                return lambda s: b(s) ** n
            return lambda s: 1 / (b(s) ** (-n))
        if ex == sympy.S.Half:
            return lambda s: b(s).sqrt()
        ev = _series_fn(ex, x)
        return lambda s: (ev(s) * b(s).log()).exp()
    f = type(e)
    if len(e.args) == 1:
        g = _series_fn(e.args[0], x)
        simple = {sympy.exp: "exp", sympy.log: "log", sympy.erf: "erf", sympy.erfc: "erfc",
                  sympy.atan: "atan", sympy.sin: "sin", sympy.cos: "cos"}
        if f in simple:
            name = simple[f]
            return lambda s: getattr(g(s), name)()
        if f is sympy.tanh:
            return lambda s: 1 - 2 / ((2 * g(s)).exp() + 1)
        if f is sympy.cosh:
            return lambda s: ((g(s)).exp() + (-g(s)).exp()) / 2
        if f is sympy.sinh:
            return lambda s: ((g(s)).exp() - (-g(s)).exp()) / 2
    raise UnsupportedExpression(f"no Taylor-mode (arb_series) evaluation of {f.__name__}")


def _as_series(v: Any, n: int) -> arb_series:
    return v if isinstance(v, arb_series) else arb_series([v], prec=n)


def taylor_evaluator(expr: sympy.Expr, x: sympy.Symbol) -> Series:
    r"""Compile ``expr`` into ``F(X, n) -> [f(X), f'(X), ..., f^{(n-1)}(X)]`` (Arb enclosures).

    >>> import sympy, flint
    >>> x = sympy.Symbol("x", real=True)
    >>> F = taylor_evaluator(sympy.exp(2 * x), x)
    >>> [round(float(v.mid())) for v in F(flint.arb(0), 4)]
    [1, 2, 4, 8]
    """
    fn = _series_fn(sympy.sympify(expr), x)

    def F(X: arb, n: int) -> list[arb]:
        s = _as_series(fn(arb_series([X, 1], prec=n)), n)
        c = s.coeffs()
        c += [arb(0)] * (n - len(c))
        fact = 1
        out = []
        for k in range(n):
            fact = fact * k if k else 1
            out.append(c[k] * fact)
        return out

    return F


@dataclass(frozen=True)
class DerivativeRow:
    """One order: ``sup`` and ``inf`` (Extremum) of the ``order``-th derivative, ``sup_abs`` (Quantity)."""

    order: int
    sup: Extremum
    inf: Extremum
    sup_abs: Quantity


@dataclass(frozen=True)
class DerivativeTable:
    """Rows :class:`DerivativeRow` for orders ``1..N`` of one activation on an interval (or the reals)."""

    activation: Activation
    interval: tuple[sympy.Expr, sympy.Expr] | None
    rows: tuple[DerivativeRow, ...]

    def describe(self) -> str:
        """A small text table."""
        dom = "R" if self.interval is None else f"[{self.interval[0]}, {self.interval[1]}]"
        lines = [f"{self.activation.name} on {dom}: order, inf, sup, sup|.|"]
        for r in self.rows:
            lines.append(f"  {r.order:2d}  {r.inf.evalf(16)!s:>24}  {r.sup.evalf(16)!s:>24}  "
                         f"{r.sup_abs.evalf(16)!s:>22}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.describe()

    def __repr__(self) -> str:
        return f"DerivativeTable({self.describe()})"


def _ball(lo: arb, hi: arb) -> arb:
    return lo.union(hi)


def _window_sup(F: Series, n: int, sign: int, A: arb, B: arb, target: arb
                ) -> tuple[list[tuple[arb, arb]], arb]:
    """Candidates (value ball, point ball) for sup of sign*phi^(n) on [A, B], and the best lower bound."""
    def g(X: arb, k: int) -> list[arb]:
        # Taylor model: phi^(j)(X) in sum_{i<K} phi^(j+i)(m) r^i/i! + phi^(j+K)(X) r^K/K!,
        # intersected with the plain enclosure (which loses much to cancellation on wide boxes)
        try:
            if X.rad() == 0:
                return [sign * w for w in F(X, n + k)[n:]]
            m = X.mid()
            dX, dm = F(X, n + k + _K), F(m, n + k + _K)
        except (ValueError, ZeroDivisionError):  # a series division by a ball holding 0
            return [arb("nan")] * k
        r = X - m
        rp = [arb(1)]
        for _ in range(_K):
            rp.append(rp[-1] * r)  # (arb ** int is NaN on a ball holding 0)
        out = []
        for j in range(n, n + k):
            t = dX[j + _K] * rp[_K] / _FACT[_K]
            for i in range(_K):
                t += dm[j + i] * rp[i] / _FACT[i]
            if t.is_finite() and dX[j].is_finite() and t.overlaps(dX[j]):
                t = t.intersection(dX[j])
            elif not t.is_finite():
                t = dX[j]
            out.append(sign * t)
        return out

    cands: list[tuple[arb, arb]] = []
    best = None
    for j in range(65):
        P = A + (B - A) * j / 64 if 0 < j < 64 else (A if j == 0 else B)
        P = P.mid() if 0 < j < 64 else P
        v = g(P, 1)[0]
        if not v.is_finite():
            continue
        cands.append((v, P))
        best = v.lower() if best is None else arb(max(best, v.lower()))
    if best is None:
        raise CertificationError("the derivative could not be evaluated on the window")
    tick = itertools.count(1)
    heap = [(0.0, 0, A, B)]
    boxes = 0
    while heap:
        _, _, P, Q = heapq.heappop(heap)
        boxes += 1
        if boxes > _MAX_BOXES:
            raise CertificationError(f"derivative table: more than {_MAX_BOXES} boxes")
        X = _ball(P, Q)
        f0, f1, f2 = g(X, 3)
        m = X.mid()
        fm = g(m, 1)[0]
        mv = fm + f1 * (X - m)
        up = min(f0.upper(), mv.upper()) if (mv.is_finite() and f0.is_finite()) else (
            mv.upper() if mv.is_finite() else f0.upper())
        if up.is_finite() and up < best:
            continue
        if fm.is_finite():
            best = arb(max(best, fm.lower()))
        if not f1.is_finite():
            M = split_point(P, Q)
            for box in ((P, M), (M, Q)):
                boxes_key = -float(up.mid()) if up.is_finite() else -1e300
                heapq.heappush(heap, (boxes_key, next(tick), *box))
            continue
        if not f1.contains(0):
            end = Q if f1 > 0 else P
            v = g(end, 1)[0]
            cands.append((v, end))
            best = arb(max(best, v.lower()))
            continue
        if f2.is_finite() and not f2.contains(0):  # at most one critical point: interval Newton
            Y = X
            ok = False
            for _ in range(60):
                my = Y.mid()
                N = my - g(my, 2)[1] / g(Y, 3)[2]
                if not N.overlaps(Y):
                    break  # no critical point in the box
                if Y.contains(N) and (N.rad() < Y.rad()):
                    ok = True
                Y2 = N.intersection(Y) if N.overlaps(Y) else N
                if Y2.rad() >= Y.rad() and ok:
                    break
                Y = Y2
                v = g(Y, 1)[0]
                if ok and (2 * v.rad() < target or Y.rad() == 0):
                    break
            if not N.overlaps(X):
                continue
            if ok:
                v = g(Y, 1)[0]
                cands.append((v, Y))
                best = arb(max(best, v.lower()))
                continue
        width = (Q - P)
        if width.upper() < target and 2 * mv.rad() < target:
            cands.append((mv, X))
            continue
        M = split_point(P, Q)
        key = -float(up.mid()) if up.is_finite() else -1e300
        heapq.heappush(heap, (key, next(tick), P, M))
        heapq.heappush(heap, (key, next(tick), M, Q))
    kept = [(v, p) for v, p in cands if v.upper() >= best]
    return kept, best


def _u_form(h: sympy.Expr, x: sympy.Symbol, u: sympy.Symbol) -> sympy.Expr:
    """``h`` with every ``exp(k x + c)`` replaced by ``exp(c) u**(-k)`` (``u`` stands for ``exp(-x)``)."""
    def rep(e: sympy.Expr) -> sympy.Expr:
        arg = sympy.expand(e.args[0])
        k = arg.coeff(x)
        c = arg - k * x
        if c.has(x) or not k.is_Rational:
            raise UnsupportedExpression("not an exponential of a linear function")
        return sympy.exp(c) * u ** (-k)

    return h.rewrite(sympy.exp).replace(lambda e: isinstance(e, sympy.exp) and e.has(x), rep)


def _poly_tail(P: sympy.Poly, R: int) -> arb | None:
    """Enclosure of sum c x^p u^q over x >= R, u = exp(-x): x^p e^{-q x} <= R^p e^{-q R} there (R >= p/q)."""
    total = arb(0)
    for (p, q), c in P.terms():
        cb = arb_evaluator(c, sympy.Symbol("_c"))(arb(0))
        if q == 0:
            if p > 0:
                return None  # grows: no bound on the tail
            total += cb
            continue
        if R * q < p:
            return None
        b = arb(R) ** p * (-arb(q) * R).exp()
        total += cb * arb(0).union(b)
    return total


_U = sympy.Dummy("u", positive=True)


@cached(maxsize=64)
def _u_derivatives(expr: sympy.Expr, x: sympy.Symbol, side: int, n: int
                   ) -> tuple[tuple[sympy.Poly, sympy.Poly], ...] | None:
    r"""Rational u-forms ``(N, D)`` (``u = exp(-x)``) of :math:`\psi^{(k)}`, :math:`\psi(x) = \varphi(\pm x)`.

    Differentiated as quotients of polynomials in :math:`x, u`:
    :math:`\frac{d}{dx} G(x, u) = G_x - u G_u` (``T`` below), which stays small where the
    symbolic derivatives of the original expression (Mish's nested tanh-log-exp) grow
    quickly.  :math:`\varphi^{(k)}(\pm x) = (\pm 1)^k \psi^{(k)}(x)`.
    """
    if n > 0:
        prev = _u_derivatives(expr, x, side, n - 1)
        if prev is None:
            return None
        N, D = prev[-1]
        uu = sympy.Poly(_U, x, _U)

        def T(P: sympy.Poly) -> sympy.Poly:
            return P.diff(x) - uu * P.diff(_U)

        N2, D2 = (T(N) * D - N * T(D)).cancel(D * D, include=True)
        return (*prev, (N2, D2))
    h = expr if side > 0 else expr.subs(x, -x)
    try:
        N, D = sympy.fraction(sympy.cancel(sympy.together(_u_form(h, x, _U))))
        PN, PD = sympy.Poly(sympy.expand(N), x, _U), sympy.Poly(sympy.expand(D), x, _U)
    except (UnsupportedExpression, sympy.PolynomialError, sympy.GeneratorsNeeded, ValueError, TypeError):
        return None
    if not all(c.is_number for c in PN.coeffs() + PD.coeffs()):
        return None
    return ((PN, PD),)


def _quotient_tail(PN: sympy.Poly, PD: sympy.Poly, R: int) -> arb | None:
    n, dd = _poly_tail(PN, R), _poly_tail(PD, R)
    if n is None or dd is None or dd.contains(0) or not (n.is_finite() and dd.is_finite()):
        return None
    return n / dd


def tail_enclosure(d: sympy.Expr, x: sympy.Symbol, R: int, side: int) -> arb | None:
    r"""A ball holding :math:`d(x)` for every :math:`x \ge R` (``side=1``) or :math:`x \le -R`.

    For expressions built from :math:`x` and exponentials of linear functions of :math:`x`
    (sigmoid, tanh, softplus, SiLU, Mish and their derivatives): with :math:`u = e^{-x}`
    (after :math:`x 	o -x` for the left tail) :math:`d = N(x, u)/D(x, u)` with polynomials
    :math:`N, D`, and each monomial :math:`x^p u^q`, :math:`q \ge 1`, lies in
    :math:`[0, R^p e^{-qR}]` on the tail (it decreases for :math:`x \ge p/q`).  ``None`` when
    the expression has another form, a monomial grows, or :math:`D` may vanish.

    >>> import sympy
    >>> x = sympy.Symbol("x", real=True)
    >>> b = tail_enclosure(x * sympy.exp(-x) / (1 + sympy.exp(-x)), x, 16, 1)
    >>> b.upper() < 2e-6 and abs(b.lower()) < 1e-12
    True
    """
    u = _U
    h = d if side > 0 else d.subs(x, -x)
    try:
        N, D = sympy.fraction(sympy.together(h if h.has(u) else _u_form(h, x, u)))
        PN = sympy.Poly(sympy.expand(N), x, u)
        PD = sympy.Poly(sympy.expand(D), x, u)
    except (UnsupportedExpression, sympy.PolynomialError, sympy.GeneratorsNeeded, ValueError, TypeError):
        return None
    if not all(c.is_number for c in PN.coeffs() + PD.coeffs()):
        return None
    return _quotient_tail(PN, PD, R)


_V, _E = sympy.Dummy("v", positive=True), sympy.Dummy("E", positive=True)


def gauss_tail_enclosure(d: sympy.Expr, x: sympy.Symbol, R: int, side: int) -> arb | None:
    r"""A ball holding :math:`d(x)` for :math:`x \ge R` (``side=1``) or :math:`x \le -R`, for GELU-like forms.

    After :math:`x \to -x` for the left tail, :math:`\operatorname{erf}(x/\sqrt2) =
    1 - v E` with :math:`v = e^{-x^2/2}` and :math:`E = \operatorname{erfcx}(x/\sqrt2) \in
    [0, \operatorname{erfcx}(R/\sqrt2)]` (erfcx decreases on the positive reals); ``d`` must
    then be a polynomial in :math:`x, v, E`, and each monomial :math:`x^p v^q`,
    :math:`q \ge 1`, lies in :math:`[0, R^p e^{-qR^2/2}]` (it decreases for
    :math:`x^2 \ge p/q`).  ``None`` otherwise.

    >>> import sympy
    >>> x = sympy.Symbol("x", real=True)
    >>> gelu2 = sympy.diff(x * (1 + sympy.erf(x / sympy.sqrt(2))) / 2, x, 2)
    >>> gauss_tail_enclosure(gelu2, x, 16, -1).upper() < 1e-50
    True
    """
    h = d if side > 0 else d.subs(x, -x)
    t = x / sympy.sqrt(2)
    h = h.subs(sympy.erf(t), 1 - _V * _E).subs(sympy.erfc(t), _V * _E)
    h = h.replace(lambda e: isinstance(e, sympy.exp) and e.has(x), lambda e: _gauss_exp(e, x))
    if h.has(sympy.erf, sympy.erfc, sympy.exp) and h.has(x):
        return None
    try:
        P = sympy.Poly(sympy.expand(h), x, _V, _E)
    except (sympy.PolynomialError, sympy.GeneratorsNeeded, ValueError, TypeError):
        return None
    if not all(c.is_number for c in P.coeffs()):
        return None
    from ..numerics.arb import erfcx

    emax = arb_evaluator(erfcx(sympy.Integer(R) / sympy.sqrt(2)), x)(arb(0))
    total = arb(0)
    for (p, q, r), c in P.terms():
        cb = arb_evaluator(c, x)(arb(0))
        if q == 0:
            if p > 0 or r > 0:
                return None
            total += cb
            continue
        if R * R * q < p:
            return None
        b = arb(R) ** p * (-arb(q) * R * R / 2).exp() * (arb(0).union(emax) ** r if r else arb(1))
        total += cb * arb(0).union(b)
    return total


def _gauss_exp(e: sympy.Expr, x: sympy.Symbol) -> sympy.Expr:
    arg = sympy.expand(e.args[0])
    k = arg.coeff(x, 2)
    rest = arg - k * x**2
    if rest.has(x) or not (k * -2).is_Integer or k >= 0:
        return e  # left as is: rejected by the caller
    return sympy.exp(rest) * _V ** int(-2 * k)


def _extremum(F: Series, n: int, kind: str, lo: sympy.Expr | None, hi: sympy.Expr | None,
              dexpr: Callable[[], sympy.Expr], x: sympy.Symbol, dps: int,
              uforms: Callable[[int], Any] = lambda side: None) -> Extremum:
    sign = 1 if kind == "sup" else -1
    target = arb(10) ** (-(dps - 4))
    finite = lo is not None
    if finite:
        A, B = (arb_evaluator(v, x)(arb(0)) for v in (lo, hi))
        A, B = (A.lower() if A.rad() else A), (B.upper() if B.rad() else B)
    else:
        A, B = arb(-_R), arb(_R)
    kept, best = _window_sup(F, n, sign, A, B, target)
    approached: list[str] = []
    tail_vals: list[arb] = []
    if not finite:
        for side in (1, -1):
            uf = uforms(side)
            # uf = (N, D, k): phi^(n)(side x) = side^k N/D, u = exp(-x), x >= R
            enc = _quotient_tail(uf[0], uf[1], _R) if uf is not None else None
            if enc is not None and side < 0 and uf[2] % 2:
                enc = -enc
            if enc is not None and (sign * enc).upper() < best:
                continue  # the tail cannot beat a value already attained
            d = dexpr()
            enc = gauss_tail_enclosure(d, x, _R, side) if uf is None else None
            if enc is not None and (sign * enc).upper() < best:
                continue
            tb = tail_bound(sign * d, x, _R, side, best)
            if tb is None:
                raise CertificationError(f"could not prove the tail beyond {side * _R} of order {n}")
            for c in tb.candidates:
                if c.value is None:
                    raise CertificationError("unbounded derivative")
                tail_vals.append(c.value)
                approached.append(f"x -> {'oo' if side > 0 else '-oo'}")
    allv = [v for v, _ in kept] + tail_vals
    lo_b = max((v.lower() for v in allv), key=lambda a: a.mid())
    hi_b = max((v.upper() for v in allv), key=lambda a: a.mid())
    if kind == "inf":
        lo_b, hi_b = -hi_b, -lo_b
    mp_lo, mp_hi = to_mpf(lo_b, "lower", 200), to_mpf(hi_b, "upper", 200)
    top = max((v.lower() for v in allv), key=lambda a: a.mid())
    pts = [p for v, p in kept if v.upper() >= top]
    attained = bool(pts) and not (tail_vals and max(t.lower() for t in tail_vals) >= top)
    uniq: dict[str, sympy.Expr] = {}
    for p in pts:
        lo_p, hi_p = to_mpf(p, "lower", 200), to_mpf(p, "upper", 200)
        mid = (lo_p + hi_p) / 2
        sg, man, ex, _ = lo_p._mpf_  # (mpf.man is unsigned)
        exact_pt = (-1) ** sg * sympy.Integer(int(man)) * sympy.Integer(2) ** int(ex) if lo_p == hi_p else None
        uniq.setdefault("0" if abs(mid) < 1e-20 else mpmath.nstr(mid, 12),
                        exact_pt if exact_pt is not None else honest_float(lo_p, hi_p, dps))
    at = sympy.FiniteSet(*uniq.values()) if attained else sympy.EmptySet
    return Extremum(kind=kind, value=honest_float(mp_lo, mp_hi, dps), exact=False, at=at, attained=attained,
                    approached=() if attained else tuple(dict.fromkeys(approached)),
                    enclosure=(mp_lo, mp_hi), method="certified", equation=None, steps=(), candidates=())


@cached(maxsize=256)
def _row(act: Activation, n: int, interval: tuple[sympy.Expr, sympy.Expr] | None, dps: int) -> DerivativeRow:
    x = act.x
    F = taylor_evaluator(act.expr, x)
    prec = int(dps * 3.33) + 40
    cache: dict[str, sympy.Expr] = {}

    def dexpr() -> sympy.Expr:
        if "d" not in cache:
            cache["d"] = act.derivative(n)
        return cache["d"]

    lo, hi = interval if interval is not None else (None, None)
    with workprec(prec, mpmath=False), workdps(dps + 10):
        # series length: flint truncates every series operation at ctx.cap (the precision
        # lock is held here, so setting and restoring it is safe)
        cap = flint.ctx.cap
        flint.ctx.cap = max(cap, n + 4 + _K)
        try:
            def uforms(side: int) -> Any:
                # (N, D, k): phi^(n)(side x) = side^k N/D; from phi itself, else from phi'
                # (softplus: log(1 + e^x) has no rational u-form, its derivative has)
                uf = _u_derivatives(act.expr, x, side, n)
                if uf is not None:
                    return (*uf[-1], n)
                uf = _u_derivatives(act.derivative(1), x, side, n - 1)
                return None if uf is None else (*uf[-1], n - 1)

            s = _extremum(F, n, "sup", lo, hi, dexpr, x, dps, uforms)
            i = _extremum(F, n, "inf", lo, hi, dexpr, x, dps, uforms)
        finally:
            flint.ctx.cap = cap
        return DerivativeRow(n, s, i, sup_abs(s, i, name=f"sup |phi^({n})|"))


def derivative_table(act: Activation | str, orders: int = 10, *, interval: Any = None,
                     dps: int = DEFAULT_DPS) -> DerivativeTable:
    r"""Certified :math:`\sup`, :math:`\inf` and :math:`\sup|\cdot|` of :math:`\varphi^{(n)}`, :math:`n = 1..\mathrm{orders}`.

    Parameters
    ----------
    act : Activation or str
        A smooth activation (no kinks) or a catalogue name.
    orders : int
        The highest order (1 to 30).
    interval : (lo, hi), optional
        A finite closed interval (ends read exactly, see
        :func:`symact.analysis.local.as_end`); default the real line.
    dps : int, keyword-only
        The enclosures are narrower than about :math:`10^{4-\mathrm{dps}}`.

    Returns
    -------
    DerivativeTable
        ``.rows``: :class:`DerivativeRow` with ``.order``, ``.sup``, ``.inf`` (certified
        :class:`~symact.analysis.extremum.Extremum`, points where attained or the end
        approached) and ``.sup_abs`` (:class:`~symact.core.result.Quantity`).

    Examples
    --------
    >>> import symact as sa
    >>> t = sa.derivative_table("sigmoid", 2)
    >>> float(t.rows[0].sup), t.rows[0].sup.at
    (0.25, {0})
    >>> r = sa.derivative_table("gelu", 3, interval=(0, 1)).rows[2]
    >>> r.inf.level, r.sup.at
    ('certified', {0})
    """
    a = as_activation(act)
    if not isinstance(orders, int) or isinstance(orders, bool) or not 1 <= orders <= 30:
        raise ValueError(f"orders must be an integer from 1 to 30, got {orders!r}")
    if a.kinks or a.jumps or a.expr.has(sympy.Piecewise):
        raise UnsupportedExpression(f"{a.name} is piecewise: derivative_table needs a smooth activation; "
                                    "use derivative_bounds(act, order=n)")
    ivl = None
    if interval is not None:
        if not (isinstance(interval, (tuple, list)) and len(interval) == 2):
            raise TypeError(f"interval must be a (lo, hi) pair, got {interval!r}")
        ivl = interval_ends(*interval, allow_point=False)
    rows = tuple(_row(a, n, ivl, dps) for n in range(1, orders + 1))
    return DerivativeTable(a, ivl, rows)

