r"""Supremum and infimum of a real expression: exact first, certified second.

The engine cuts the expression into analytic pieces (:mod:`symact.expressions.pieces`)
and collects *candidates*:

* critical points inside each piece, from ``solveset(f' = 0)`` under a time
  budget -- values there are attained;
* the one-sided limits at each piece's ends (breakpoints, the interval's ends,
  :math:`\pm\infty`) -- approached, attained only where the function's value
  at that point equals the limit;
* the function's own value at each breakpoint (which may differ from both
  limits at a jump, and is skipped where the function is undefined, as a
  derivative is at a kink);
* constant pieces (flat stretches), attained on the whole stretch.

The largest (smallest) candidate is compared exactly.  Where SymPy cannot
solve ``f' = 0`` in closed form, or runs out of time, the piece goes to the
certified path (:mod:`symact.analysis.certify`, Arb ball arithmetic) and the result is
marked ``exact=False`` with a rigorous enclosure.  Every exact answer is also
checked against a certified enclosure before it is returned: a disagreement
raises :class:`~symact.core.errors.CertificationError`.

>>> import symact as sa, sympy
>>> s = sa.sup(sa.activation("sigmoid").derivative())
>>> s.value, s.at, s.exact
(1/4, {0}, True)
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Literal

import mpmath
import sympy

from ..core.budget import BudgetExceeded, time_budget
from ..core.cache import cached
from ..core.errors import CertificationError, UnsupportedExpression
from ..core.precision import DEFAULT_DPS, workdps
from ..core.result import Level, Result, honest_float
from ..core.steps import Record
from ..expressions.activation import Activation, x
from ..expressions.coerce import as_expression
from ..expressions.pieces import Piece, one_sided_limit, split
from ..expressions.simplify import tidy as _tidy

__all__ = ["Candidate", "Extremum", "inf", "sup"]

Kind = Literal["sup", "inf"]
_SOLVE_BUDGET = 2.0


@dataclass(frozen=True)
class Candidate:
    """A value the extremum might take, and how it arises."""

    value: sympy.Expr
    where: sympy.Set  # the points (or stretch) concerned
    attained: bool
    how: str  # "critical point", "limit at oo", "limit at 3 from the left", ...
    exact: bool = True
    enclosure: tuple[mpmath.mpf, mpmath.mpf] | None = None
    equation: sympy.Basic | None = None


@dataclass(frozen=True, eq=False, repr=False)
class Extremum(Result):
    r"""The supremum or infimum of an expression, and how it was obtained.

    Attributes
    ----------
    kind : {"sup", "inf"}
    value : sympy.Expr
        Exact when :attr:`exact`; otherwise a SymPy ``Float`` carrying the
        certified digits (the midpoint of :attr:`enclosure`).
    exact : bool
        Whether :attr:`value` is a proved closed form.
    at : sympy.Set
        Where the value is attained: points, a stretch (``Interval``) for a
        flat piece, or ``EmptySet`` when it is only approached.
    attained : bool
    approached : tuple of str
        Where the value is approached without being attained, e.g.
        ``("x -> oo",)`` or ``("x -> 3-",)``.
    enclosure : (mpmath.mpf, mpmath.mpf)
        Rigorous lower and upper bounds on the value.
    method : {"exact", "certified"}
    equation : sympy.Basic or None
        For a certified extremum, the equation whose root is the extremal point.
    steps : tuple of Record
        What the engine did, in order, as typed :class:`~symact.core.steps.Record`
        values (rendered by :mod:`symact.proofs.derivation`).

    Examples
    --------
    >>> import symact as sa
    >>> e = sa.sup(sa.activation("hardswish").derivative())
    >>> e.value, e.attained, e.approached
    (3/2, False, ('x -> 3-',))
    """

    kind: Kind
    value: sympy.Expr
    exact: bool
    at: sympy.Set
    attained: bool
    approached: tuple[str, ...]
    enclosure: tuple[mpmath.mpf, mpmath.mpf]
    method: str
    equation: sympy.Basic | None = None
    steps: tuple[Record, ...] = field(default=(), repr=False)
    candidates: tuple[Candidate, ...] = field(default=(), repr=False)

    def __post_init__(self) -> None:
        if self.kind not in ("sup", "inf"):
            raise ValueError(f"kind must be 'sup' or 'inf', got {self.kind!r}")
        lo, hi = self.enclosure
        if lo > hi:
            raise ValueError(f"empty enclosure [{lo}, {hi}]")

    @property
    def level(self) -> Level:
        """``"exact"`` (a proved closed form) or ``"certified"`` (an Arb enclosure)."""
        return "exact" if self.exact else "certified"

    @property
    def width(self) -> mpmath.mpf:
        """Width of the enclosure."""
        return self.enclosure[1] - self.enclosure[0]

    def describe(self) -> str:
        """One line in words.

        >>> import symact as sa
        >>> sa.sup(sa.activation("sigmoid").derivative()).describe()
        'sup = 1/4, attained at x = 0 (exact)'
        """
        where = _where_text(self)
        tag = "exact" if self.exact else f"certified, enclosure width {mpmath.nstr(self.width, 3)}"
        value = sympy.sstr(self.value) if self.exact else str(self.evalf(self._display_digits))
        return f"{self.kind} = {value}, {where} ({tag})"

    def __str__(self) -> str:
        return self.describe()

    def __repr__(self) -> str:
        return f"Extremum({self.describe()})"

    def latex(self) -> str:
        r"""A LaTeX statement such as ``\sup_x f = \frac{1}{4}``."""
        op = r"\sup" if self.kind == "sup" else r"\inf"
        val = sympy.latex(self.value) if self.exact else sympy.latex(self.evalf(self._display_digits))
        rel = "=" if self.exact else r"\approx"
        return rf"{op}_{{x}} f(x) {rel} {val}"



def _where_text(e: Extremum) -> str:
    if e.attained:
        if isinstance(e.at, sympy.FiniteSet):
            pts = ", ".join(sympy.sstr(p) for p in e.at)
            return f"attained at x = {pts}"
        return f"attained on {sympy.sstr(e.at)}"
    return "not attained, approached as " + ", ".join(e.approached)


# ---------------------------------------------------------------------------
def _as_expr(obj: Any) -> sympy.Expr:
    return as_expression(obj, allow_parameters=False)


def _domain(interval: sympy.Set | None) -> tuple[sympy.Expr, sympy.Expr, bool, bool]:
    if interval is None:
        return -sympy.oo, sympy.oo, False, False
    if isinstance(interval, tuple) and len(interval) == 2:
        interval = sympy.Interval(*interval)
    if not isinstance(interval, sympy.Interval) or interval.is_empty:
        raise TypeError(
            f"interval must be a non-empty sympy.Interval (or a (lo, hi) pair), got {interval!r}"
        )
    return (
        interval.start,
        interval.end,
        not interval.left_open and interval.start.is_finite,
        not interval.right_open and interval.end.is_finite,
    )


def _num(value: sympy.Expr, dps: int) -> mpmath.mpf:
    with workdps(dps + 10):
        return mpmath.mpf(sympy.N(value, dps + 10))


def _finite_number(value: sympy.Expr) -> bool:
    return bool(value.is_number and not value.has(sympy.nan, sympy.zoo) and value is not sympy.nan)


def _critical_points(
    expr: sympy.Expr, lo: sympy.Expr, hi: sympy.Expr, steps: list[Record]
) -> list[sympy.Expr] | None:
    """Exact critical points in (lo, hi), or None when no closed form was found in time.

    What was tried is appended to ``steps``.
    """
    d = sympy.diff(expr, x)
    if d == 0:
        return []
    d_simple = sympy.factor_terms(sympy.together(d))
    numer = sympy.numer(d_simple)
    # strip factors that never vanish on the reals (exp, positive powers of squares)
    factors = sympy.Mul.make_args(sympy.factor_terms(numer))
    keep = [f for f in factors if not (f.is_positive or f.is_negative or (isinstance(f, sympy.Pow) and f.base.is_positive) or isinstance(f, sympy.exp))]
    target = sympy.Mul(*keep) if keep else sympy.Integer(1)
    if target.is_number:
        return [] if target != 0 else None
    try:
        with time_budget(_SOLVE_BUDGET):
            sols = sympy.solveset(target, x, sympy.Interval.open(lo, hi))
    except BudgetExceeded:
        steps.append(Record("solve_failed", {"equation": sympy.Eq(target, 0), "lo": lo, "hi": hi,
                                             "reason": "budget"},
                            note=f"solveset gave up within {_SOLVE_BUDGET:g} s"))
        return None
    except (NotImplementedError, ValueError, TypeError):
        return None
    if isinstance(sols, sympy.FiniteSet) and all(s.is_number for s in sols):
        return sorted(sols, key=lambda s: sympy.N(s, 30))
    if sols is sympy.S.EmptySet:
        return []
    # solveset knows no Lambert W; solve does (roots found this way are not
    # known to be complete -- the certified cross-check guards that)
    funcs = {type(f) for f in target.atoms(sympy.Function)}
    if not funcs <= {sympy.exp, sympy.log}:
        roots = []  # solve only adds Lambert W solutions for exp-log equations
    else:
        try:
            with time_budget(_SOLVE_BUDGET):
                roots = sympy.solve(target, x)
        except (BudgetExceeded, NotImplementedError, ValueError, TypeError):
            roots = []
    inside = []
    for r in roots:
        if not r.is_number or (r.has(sympy.I) and sympy.im(sympy.N(r, 30)) != 0):
            continue
        rv = sympy.N(r, 30)
        if (rv > lo) == sympy.true and (rv < hi) == sympy.true:
            if abs(sympy.N(target.subs(x, r), 30)) < 1e-20:
                inside.append(r)
    if inside:
        return sorted(inside, key=lambda s: sympy.N(s, 30))
    steps.append(Record("solve_failed", {"equation": sympy.Eq(target, 0), "lo": lo, "hi": hi,
                                         "reason": "no closed form"},
                        note=f"SymPy returned {type(sols).__name__}"))
    return None


@cached(maxsize=1024)
def _exact_candidates(
    f: sympy.Expr, lo: sympy.Expr, hi: sympy.Expr
) -> tuple[tuple[Candidate, ...] | None, tuple[Record, ...]]:
    """Candidates of an analytic piece on (lo, hi), the same for sup and inf.

    ``None`` in place of the candidates means the critical points have no
    closed form (the caller certifies instead); the notes say what was tried.
    """
    steps: list[Record] = []
    if x not in f.free_symbols:
        const = (Candidate(f, sympy.Interval.open(lo, hi), True, "constant on the stretch"),)
        if not _finite_number(f):
            return (), ()
        return const, (Record("constant", {"lo": lo, "hi": hi, "value": f}),)
    crit = _critical_points(f, lo, hi, steps)
    if crit is None:
        return None, tuple(steps)
    steps.append(Record("critical_points", {"expr": f, "derivative": sympy.diff(f, x), "lo": lo,
                                            "hi": hi, "points": tuple(crit)}))
    steps.extend(Record("value_at", {"expr": f, "point": c, "value": _tidy(f.subs(x, c))}) for c in crit)
    out = [
        Candidate(_tidy(f.subs(x, c)), sympy.FiniteSet(c), True, f"critical point x = {sympy.sstr(c)}")
        for c in crit
    ]
    # one-sided limits at the ends of the piece
    for end, side in ((lo, "+"), (hi, "-")):
        try:
            with time_budget(_SOLVE_BUDGET):
                lim = one_sided_limit(f, x, end, side)
        except BudgetExceeded:
            lim = None
        if lim is None or not isinstance(lim, sympy.Expr) or lim.has(sympy.AccumBounds):
            raise CertificationError(
                f"could not find the limit of {f} as x -> {end}{side if end.is_finite else ''}"
            )
        where = "x -> " + (sympy.sstr(end) if end.is_infinite else f"{sympy.sstr(end)}{side}")
        lim = _tidy(lim) if lim.is_finite else lim
        out.append(Candidate(lim, sympy.EmptySet, False, where))
        steps.append(Record("limit", {"expr": f, "point": end, "side": None if end.is_infinite else side,
                                      "value": lim}))
    return tuple(out), tuple(steps)


def _piece_candidates(
    piece: Piece, lo: sympy.Expr, hi: sympy.Expr, kind: Kind, dps: int, steps: list[Record]
) -> list[Candidate]:
    f = piece.expr
    exact, notes = _exact_candidates(f, lo, hi)
    steps.extend(notes)
    if exact is not None:
        return list(exact)
    from .certify import certified_extremum

    cert = certified_extremum(f, x, kind, lo=lo, hi=hi, lo_closed=False, hi_closed=False, dps=dps)
    steps.extend(r for r in getattr(cert, "steps", ()) if isinstance(r, Record))
    steps.append(Record("certified", {
        "kind": kind, "expr": f, "lo": lo, "hi": hi, "enclosure": (cert.lower, cert.upper),
        "method": "interval newton", "dps": dps, "equation": sympy.Eq(sympy.diff(f, x), 0),
        "points": tuple(cert.points), "attained": cert.attained,
        "approached": tuple(cert.approached_at)}, level="certified",
        note="; ".join(cert.notes)))
    val = honest_float(cert.lower, cert.upper, dps)
    where = sympy.FiniteSet(*[honest_float(a, b, dps) for a, b in cert.points])
    approached = tuple(str(a) for a in cert.approached_at)
    return [
        Candidate(
            val,
            where if cert.attained else sympy.EmptySet,
            cert.attained,
            "certified critical point" if cert.attained else "certified limit at " + ", ".join(approached),
            exact=False,
            enclosure=(cert.lower, cert.upper),
            equation=sympy.Eq(sympy.diff(f, x), 0),
        )
    ]


def _value_key(c: Candidate, dps: int) -> mpmath.mpf:
    if c.enclosure is not None:
        return (c.enclosure[0] + c.enclosure[1]) / 2
    v = c.value
    if v == sympy.oo:
        return mpmath.inf
    if v == -sympy.oo:
        return -mpmath.inf
    return _num(v, dps)


def _periodic(f: sympy.Expr, kind: Kind, dps: int, check: bool) -> Extremum | None:
    """Reduce a periodic function on the reals to one closed period."""
    if not f.has(sympy.sin, sympy.cos, sympy.tan) or f.has(sympy.Piecewise):
        return None
    try:
        with time_budget(_SOLVE_BUDGET):
            period = sympy.periodicity(f, x)
    except (BudgetExceeded, NotImplementedError, ValueError, TypeError):
        return None
    if period is None or not period.is_positive:
        return None
    res = _extremum(f, kind, sympy.Interval(0, period), dps, check)
    n = sympy.Dummy("n", integer=True)
    at: sympy.Set = sympy.EmptySet
    if isinstance(res.at, sympy.FiniteSet):
        base = sorted({p for p in res.at if (p < period) == sympy.true}, key=lambda p: sympy.N(p, 30))
        at = sympy.Union(*[sympy.ImageSet(sympy.Lambda(n, p + n * period), sympy.S.Integers) for p in base])
    steps = (Record("periodic", {"period": period}), *res.steps)
    return dataclasses.replace(res, at=at, steps=steps)


def _extremum(obj: Any, kind: Kind, interval: sympy.Set | None, dps: int, check: bool) -> Extremum:
    f = _as_expr(obj)
    if interval is None:
        periodic = _periodic(f, kind, dps, check)
        if periodic is not None:
            return periodic
    a, b, a_closed, b_closed = _domain(interval)
    domain = sympy.Interval(a, b, not a_closed, not b_closed)
    steps: list[Record] = [Record("problem", {"kind": kind, "expr": f, "domain": domain})]
    cands: list[Candidate] = []
    pieces = [p for p in split(f, x) if (p.hi > a) == sympy.true and (p.lo < b) == sympy.true]
    if len(pieces) > 1:
        steps.append(Record("split", {"points": tuple(p.lo for p in pieces[1:])}))
    for p in pieces:
        lo = sympy.Max(p.lo, a)
        hi = sympy.Min(p.hi, b)
        cands.extend(_piece_candidates(p, lo, hi, kind, dps, steps))
    # values at interior breakpoints and at closed ends of the domain
    points = [p.lo for p in pieces[1:]]
    points += [a] if a_closed else []
    points += [b] if b_closed else []
    for c in points:
        v = f.subs(x, c)
        if _finite_number(v):
            cands.append(Candidate(_tidy(v), sympy.FiniteSet(c), True, f"value at x = {sympy.sstr(c)}"))
            steps.append(Record("value_at", {"expr": f, "point": c, "value": _tidy(v)}))
    if not cands:
        raise UnsupportedExpression(f"{f} is undefined everywhere on the interval")
    return _pick(f, kind, cands, steps, dps, check, (a, b, a_closed, b_closed))


def _record_kind(c: Candidate) -> str:
    """The step kind that produced a candidate (structured, for the derivation layer)."""
    if not c.exact:
        return "certified"
    if c.where is sympy.EmptySet or not c.attained:
        return "limit"
    if isinstance(c.where, sympy.Interval):
        return "constant"
    return "value_at"


def _interval_text(a: Any, b: Any, ac: bool, bc: bool) -> str:
    if a == -sympy.oo and b == sympy.oo:
        return "the reals"
    return f"{'[' if ac else '('}{sympy.sstr(a)}, {sympy.sstr(b)}{']' if bc else ')'}"


def _pick(
    f: sympy.Expr,
    kind: Kind,
    cands: list[Candidate],
    steps: list[Record],
    dps: int,
    check: bool,
    dom: tuple[Any, Any, bool, bool],
) -> Extremum:
    sign = 1 if kind == "sup" else -1
    keys = [sign * _value_key(c, dps) for c in cands]
    best_key = max(keys)
    tol = mpmath.mpf(10) ** (-(dps - 8))
    scale = 1 if mpmath.isinf(best_key) else max(1, abs(best_key))
    best = [c for c, k in zip(cands, keys, strict=True) if k == best_key or (not mpmath.isinf(best_key) and abs(k - best_key) <= tol * scale)]
    exact_best = [c for c in best if c.exact]
    # a certified candidate tied with an exact one: the exact one names the value
    chosen = exact_best[0] if exact_best else best[0]
    attained = [c for c in best if c.attained]
    at = sympy.Union(*[c.where for c in attained]) if attained else sympy.EmptySet
    approached = tuple(c.how for c in best if not c.attained and c.how.startswith("x -> ")) if not attained else ()
    if not attained:
        approached = approached or tuple(c.how for c in best if not c.attained)
    exact = bool(exact_best) and all(c.exact for c in cands)
    value = chosen.value
    if exact:
        if value in (sympy.oo, -sympy.oo):
            enclosure = (mpmath.inf, mpmath.inf) if value == sympy.oo else (-mpmath.inf, -mpmath.inf)
        else:
            v = _num(value, dps)
            eps = abs(v) * mpmath.mpf(10) ** (-dps) + mpmath.mpf(10) ** (-dps - 5)
            enclosure = (v - eps, v + eps)
        method = "exact"
        steps.append(Record("compare", {"kind": kind, "value": value, "candidates": len(cands),
                                        "chosen": _record_kind(chosen)}))
    else:
        encs = [c.enclosure for c in best if c.enclosure is not None]
        if encs:
            lo = min(e[0] for e in encs) if kind == "inf" else max(e[0] for e in encs)
            hi = min(e[1] for e in encs) if kind == "inf" else max(e[1] for e in encs)
            enclosure = (min(lo, hi), max(lo, hi))
        else:
            v = _num(value, dps)
            enclosure = (v, v)
        method = "certified"
        if enclosure[0] != enclosure[1]:
            value = honest_float(enclosure[0], enclosure[1], dps)
        steps.append(Record("compare", {"kind": kind, "value": value, "candidates": len(cands),
                                        "chosen": _record_kind(chosen), "enclosure": enclosure},
                            level="certified"))
    result = Extremum(
        kind=kind,
        value=value,
        exact=exact,
        at=at,
        attained=bool(attained),
        approached=approached,
        enclosure=enclosure,
        method=method,
        equation=chosen.equation,
        steps=tuple(steps),
        candidates=tuple(cands),
    )
    if exact and check and value.is_finite:
        checked = _cross_check(f, result, dom, dps)
        if checked:
            result = dataclasses.replace(result, steps=(*result.steps, Record(
                "cross_check", {"value": value, "pieces": checked}, level="certified")))
    return result


def _cross_check(f: sympy.Expr, result: Extremum, dom: tuple[Any, Any, bool, bool], dps: int) -> int:
    """Check an exact answer against certified enclosures of each smooth piece.

    For a sup ``v``: no piece may have a certified lower bound on its sup above
    ``v`` (that would mean SymPy missed a critical point), and unless ``v`` is
    the value at a single point, some piece's certified upper bound must reach
    ``v`` (otherwise the closed form is too large).
    """
    from .certify import certified_extremum

    a, b, _, _ = dom
    v = _num(result.value, dps)
    sign = 1 if result.kind == "sup" else -1
    tol = mpmath.mpf(10) ** (-20) * max(1, abs(v))
    reach = -mpmath.inf
    checked = 0
    for p in split(f, x):
        if not ((p.hi > a) == sympy.true and (p.lo < b) == sympy.true):
            continue
        if x not in p.expr.free_symbols:
            if _finite_number(p.expr):
                reach = max(reach, sign * _num(p.expr, dps))
            continue
        lo, hi = sympy.Max(p.lo, a), sympy.Min(p.hi, b)
        try:
            with time_budget(30):
                cert = certified_extremum(
                    p.expr, x, result.kind, lo=lo, hi=hi, lo_closed=False, hi_closed=False,
                    dps=min(dps, 30),
                )
        except (CertificationError, UnsupportedExpression, BudgetExceeded, ValueError):
            return 0  # no certificate for this piece: the exact route stands on its own
        checked += 1
        inner = cert.lower if sign == 1 else -cert.upper  # sign * (the bound towards the inside)
        outer = cert.upper if sign == 1 else -cert.lower
        if inner > sign * v + tol:
            raise CertificationError(
                f"the exact {result.kind} {result.value} of {f} is beaten by the certified "
                f"enclosure [{cert.lower}, {cert.upper}] on ({lo}, {hi}); this is a bug in "
                "symact or SymPy -- please report it"
            )
        reach = max(reach, outer)
    point_value = any(c.how.startswith("value at") for c in result.candidates
                      if c.exact and c.value == result.value)
    if checked and not point_value and reach < sign * v - tol:
        raise CertificationError(
            f"the exact {result.kind} {result.value} of {f} lies outside every certified "
            "enclosure of its pieces; this is a bug in symact or SymPy -- please report it"
        )
    return checked


def sup(
    expr_or_act: Activation | sympy.Expr,
    interval: sympy.Set | None = None,
    *,
    dps: int = DEFAULT_DPS,
    check: bool = True,
) -> Extremum:
    r"""The supremum of an expression in :data:`symact.x` over the reals or an interval.

    Parameters
    ----------
    expr_or_act : Activation or sympy.Expr
        An activation means its expression; pass ``act.derivative()`` for
        the derivative.
    interval : sympy.Interval, optional
        Restrict to an interval (open or closed ends); default the reals.
    dps : int, keyword-only
        Decimal digits for certified enclosures and numeric comparisons.
    check : bool, keyword-only
        Cross-check an exact answer against certified enclosures (default True).

    Returns
    -------
    Extremum

    Notes
    -----
    Exact when every candidate is a closed form; otherwise certified with Arb
    ball arithmetic.  A sampled value is never returned.

    Examples
    --------
    >>> import symact as sa, sympy
    >>> sa.sup(sa.activation("tanh").derivative()).value
    1
    >>> e = sa.sup(sa.activation("silu").derivative())
    >>> e.exact, e.evalf(16)
    (False, 1.099839320128867)
    >>> sa.sup(sa.x**2, sympy.Interval.Ropen(-1, 2)).describe()
    'sup = 4, not attained, approached as x -> 2- (exact)'
    """
    with workdps(dps + 10):  # every comparison inside at the working precision
        return _extremum(expr_or_act, "sup", interval, dps, check)


def inf(
    expr_or_act: Activation | sympy.Expr,
    interval: sympy.Set | None = None,
    *,
    dps: int = DEFAULT_DPS,
    check: bool = True,
) -> Extremum:
    r"""The infimum of an expression in :data:`symact.x`; see :func:`sup`.

    Examples
    --------
    >>> import symact as sa
    >>> m = sa.inf(sa.activation("silu"))
    >>> m.value, m.at
    (-LambertW(exp(-1)), {-1 - LambertW(exp(-1))})
    """
    with workdps(dps + 10):
        return _extremum(expr_or_act, "inf", interval, dps, check)

