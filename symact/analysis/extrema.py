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
certified path (:mod:`symact.analysis.certify`, Arb ball arithmetic).  The
answer is still exact when the best exact candidate rigorously beats every
certified one (their enclosures lie strictly on the losing side), or when the
certified value is only approached at a piece's end, whose exact one-sided
limit then names it; otherwise it is certified, with a rigorous enclosure.
Every exact answer is also checked against a certified enclosure before it is
returned: a disagreement raises :class:`~symact.core.errors.CertificationError`
(or, when the critical points came from ``sympy.solve`` and are not known to be
complete, sends the piece to the certified path).  Expressions with symbolic
parameters are answered as ``Max``/``Min`` of exact candidates under the
parameters' SymPy assumptions.  Every step is a typed
:class:`~symact.core.steps.Record` in :attr:`Extremum.steps`.

>>> import symact as sa, sympy
>>> s = sa.sup(sa.activation("sigmoid").derivative())
>>> s.value, s.at, s.exact
(1/4, {0}, True)
"""

from __future__ import annotations

import dataclasses
from typing import Any, Literal

import mpmath
import sympy

from ..core.budget import BudgetExceeded, time_budget
from ..core.errors import CertificationError, UnsupportedExpression
from ..core.precision import DEFAULT_DPS, workdps
from ..core.result import honest_float
from ..core.steps import Record
from ..expressions.activation import Activation, x
from ..expressions.coerce import as_expression
from ..expressions.pieces import Piece, split
from ..expressions.simplify import tidy as _tidy
from ..expressions.values import check_finite_number
from .candidates import Candidate, end_limits, exact_candidates
from .certify import certified_extremum
from .extremum import Extremum, approach_text, enclosure_of
from .symbolic import symbolic_extremum

__all__ = ["Candidate", "Extremum", "inf", "sup"]

Kind = Literal["sup", "inf"]
_SOLVE_BUDGET = 2.0


def _as_expr(obj: Any) -> sympy.Expr:
    return as_expression(obj, allow_parameters=True)


def _domain(interval: sympy.Set | None) -> tuple[sympy.Expr, sympy.Expr, bool, bool]:
    if interval is None:
        return -sympy.oo, sympy.oo, False, False
    if isinstance(interval, tuple) and len(interval) == 2:
        for end in interval:
            check_finite_number(end, "an interval end", "real numbers or -oo/oo", allow_infinity=True)
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


def _incomplete(notes: tuple[Record, ...]) -> bool:
    return any(r.kind == "critical_points" and r.get("complete") is False for r in notes)


def _piece_candidates(
    piece: Piece, lo: sympy.Expr, hi: sympy.Expr, kind: Kind, dps: int, steps: list[Record],
    trust_solve: bool = True,
) -> list[Candidate]:
    f = piece.expr
    exact, notes = exact_candidates(f, lo, hi)
    if exact is not None and not trust_solve and _incomplete(notes):
        exact = None  # roots from sympy.solve missed some: certify this piece instead
        notes = (*notes, Record("solve_failed", {"equation": sympy.Eq(sympy.diff(f, x), 0), "lo": lo,
                                                 "hi": hi, "reason": "incomplete"},
                                note="sympy.solve's roots were incomplete (refuted by the certified cross-check)"))
    steps.extend(notes)
    if exact is not None:
        return list(exact)
    cert = certified_extremum(f, x, kind, lo=lo, hi=hi, lo_closed=False, hi_closed=False, dps=dps)
    steps.extend(cert.notes)
    # the ends' limits are exact: a value only approached at an end is named by them
    limits: list[Candidate] = []
    if not cert.attained:  # attained inside: the ends' limits are not needed
        try:
            limits = end_limits(f, lo, hi)
        except CertificationError:
            limits = []  # Gruntz too slow: the certified candidate stands alone
        if limits:
            return limits
    val = honest_float(cert.lower, cert.upper, dps)
    where = sympy.FiniteSet(*[honest_float(a, b, dps) for a, b in cert.points])
    rec = cert.notes[-1] if cert.notes and cert.notes[-1].kind == "certified" else Record(
        "certified", {"lo": lo, "hi": hi, "enclosure": (cert.lower, cert.upper)}, level="certified")
    how = "certified critical point" if cert.attained else \
        "certified limit at " + ", ".join(map(str, cert.approached_at))
    return [
        Candidate(
            val,
            where if cert.attained else sympy.EmptySet,
            cert.attained,
            how,
            exact=False,
            enclosure=(cert.lower, cert.upper),
            equation=sympy.Eq(sympy.diff(f, x), 0),
            source=rec,
        ),
        *limits,
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
        with time_budget(_SOLVE_BUDGET, clock="cpu"):
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
    steps = (Record("periodic", {"period": period, "expr": f},
                    note=f"the {kind} over one period is the {kind} over the reals"), *res.steps)
    return dataclasses.replace(res, at=at, steps=steps)


def _extremum(obj: Any, kind: Kind, interval: sympy.Set | None, dps: int, check: bool,
              trust_solve: bool = True) -> Extremum:
    f = _as_expr(obj)
    if f.free_symbols - {x}:
        return symbolic_extremum(f, kind, _domain(interval))
    if interval is None:
        periodic = _periodic(f, kind, dps, check)
        if periodic is not None:
            return periodic
    a, b, a_closed, b_closed = _domain(interval)
    domain = sympy.Interval(a, b, not a_closed, not b_closed)
    steps: list[Record] = [Record("problem", {"kind": kind, "expr": f, "domain": domain},
                                  note=f"{kind} over {_interval_text(a, b, a_closed, b_closed)}")]
    cands: list[Candidate] = []
    pieces = [p for p in split(f, x) if (p.hi > a) == sympy.true and (p.lo < b) == sympy.true]
    if len(pieces) > 1:
        steps.append(Record("split", {"points": tuple(p.lo for p in pieces[1:])}))
    for p in pieces:
        lo = sympy.Max(p.lo, a)
        hi = sympy.Min(p.hi, b)
        found = _piece_candidates(p, lo, hi, kind, dps, steps, trust_solve)
        steps.extend(c.source for c in found if c.source is not None and c.source.kind != "certified")
        cands.extend(found)
    # values at interior breakpoints and at closed ends of the domain
    points = [p.lo for p in pieces[1:]]
    points += [a] if a_closed else []
    points += [b] if b_closed else []
    for c in points:
        v = f.subs(x, c)
        if _finite_number(v):
            val = _tidy(v)
            rec = Record("value_at", {"expr": f, "point": c, "value": val, "critical": False})
            steps.append(rec)
            cands.append(Candidate(val, sympy.FiniteSet(c), True, f"value at x = {sympy.sstr(c)}", source=rec))
    if not cands:
        raise UnsupportedExpression(f"{f} is undefined everywhere on the interval")
    try:
        return _pick(f, kind, cands, steps, dps, check, (a, b, a_closed, b_closed))
    except CertificationError:
        if trust_solve and any(_incomplete((r,)) for r in steps):
            return _extremum(f, kind, interval, dps, check, trust_solve=False)
        raise


def _interval_text(a: Any, b: Any, ac: bool, bc: bool) -> str:
    if a == -sympy.oo and b == sympy.oo:
        return "the reals"
    return f"{'[' if ac else '('}{sympy.sstr(a)}, {sympy.sstr(b)}{']' if bc else ')'}"


def _beaten(c: Candidate, enc: tuple[mpmath.mpf, mpmath.mpf], sign: int) -> bool:
    """Whether the certified candidate ``c`` is rigorously worse than a value in ``enc``."""
    if c.enclosure is None:
        return False
    lo, hi = c.enclosure
    return bool(hi < enc[0]) if sign > 0 else bool(lo > enc[1])


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
    tol = mpmath.mpf(10) ** (-(dps - 8))

    def near(pool: list[Candidate]) -> list[Candidate]:
        keys = [sign * _value_key(c, dps) for c in pool]
        top = max(keys)
        scale = 1 if mpmath.isinf(top) else max(1, abs(top))
        return [c for c, k in zip(pool, keys, strict=True)
                if k == top or (not mpmath.isinf(top) and abs(k - top) <= tol * scale)]

    exact_pool = [c for c in cands if c.exact]
    inexact = [c for c in cands if not c.exact]
    exact = False
    if exact_pool:
        top = near(exact_pool)
        v0 = top[0].value
        enc0 = enclosure_of(v0, dps)
        exact = all(_beaten(c, enc0, sign) for c in inexact)
    best = near(exact_pool) if exact else near(cands)
    exact_best = [c for c in best if c.exact]
    chosen = exact_best[0] if exact_best else best[0]
    attained = [c for c in best if c.attained]
    at = sympy.Union(*[c.where for c in attained]) if attained else sympy.EmptySet
    approached = () if attained else tuple(dict.fromkeys(approach_text(c) for c in best))
    value = chosen.value
    if exact:
        enclosure = enclosure_of(value, dps)
        method = "exact"
    else:
        encs = [c.enclosure for c in best if c.enclosure is not None]
        if encs:
            lo = min(e[0] for e in encs) if kind == "inf" else max(e[0] for e in encs)
            hi = min(e[1] for e in encs) if kind == "inf" else max(e[1] for e in encs)
            enclosure = (min(lo, hi), max(lo, hi))
        else:
            enclosure = enclosure_of(value, dps)
        method = "certified"
        if enclosure[0] != enclosure[1]:
            value = honest_float(enclosure[0], enclosure[1], dps)
    steps.append(Record(
        "compare",
        {"kind": kind, "value": value, "candidates": len(cands), "chosen": chosen.kind,
         "source": chosen.source, "beaten": len(inexact) if exact else 0, "enclosure": enclosure},
        level="exact" if exact else "certified",
        note="exact comparison; every certified candidate is rigorously beaten" if exact and inexact
        else ("exact comparison" if exact else "certified enclosures compared"),
    ))
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
        pieces = _cross_check(f, result, dom, dps)
        if pieces:
            rec = Record("cross_check", {"value": value, "pieces": pieces}, level="certified",
                         note="the exact value agrees with certified enclosures of every piece")
            result = dataclasses.replace(result, steps=(*result.steps, rec))
    return result


def _cross_check(f: sympy.Expr, result: Extremum, dom: tuple[Any, Any, bool, bool], dps: int) -> int:
    """Check an exact answer against certified enclosures of each smooth piece.

    For a sup ``v``: no piece may have a certified lower bound on its sup above
    ``v`` (that would mean SymPy missed a critical point), and unless ``v`` is
    the value at a single point, some piece's certified upper bound must reach
    ``v`` (otherwise the closed form is too large).
    """
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
            with time_budget(30, clock="cpu"):
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
    point_value = any(c.kind == "value_at" and not c.critical for c in result.candidates
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

