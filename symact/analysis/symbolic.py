r"""Suprema and infima of expressions with symbolic parameters, as ``Max``/``Min`` of exact candidates.

The parameters' SymPy assumptions (``positive=True``, ...) order the breakpoints and
decide signs; the answer is exact under the assumptions recorded in
:attr:`~symact.analysis.extremum.Extremum.assumptions`.

>>> import sympy, symact as sa
>>> a = sympy.Symbol("a", real=True)
>>> symbolic_extremum(sa.activation("leaky_relu", negative_slope=a).derivative(), "sup",
...                   (-sympy.oo, sympy.oo, False, False)).value
Max(1, a)
"""

from __future__ import annotations

from typing import Any, Literal

import mpmath
import sympy

from ..core.errors import UnsupportedExpression
from ..core.precision import DEFAULT_DPS
from ..core.steps import Record
from ..expressions.activation import x
from ..expressions.pieces import split
from ..expressions.simplify import tidy as _tidy
from .candidates import Candidate, exact_candidates
from .extremum import Extremum, approach_text, enclosure_of

__all__ = ["symbolic_extremum"]

Kind = Literal["sup", "inf"]


def _finite_number(value: sympy.Expr) -> bool:
    return bool(value.is_number and not value.has(sympy.nan, sympy.zoo) and value is not sympy.nan)


def symbolic_extremum(f: sympy.Expr, kind: Kind, dom: tuple[Any, Any, bool, bool]) -> Extremum:
    """The sup/inf of an expression with symbolic parameters, as Max/Min of exact candidates.

    The parameters' SymPy assumptions (``positive=True``, ...) decide the order of the
    breakpoints and the signs; the result is exact or an
    :class:`~symact.core.errors.UnsupportedExpression` is raised.
    """
    a, b, a_closed, b_closed = dom
    params = tuple(sorted(f.free_symbols - {x}, key=str))
    assumptions = tuple(_assumption(p) for p in params)
    domain = sympy.Interval(a, b, not a_closed, not b_closed)
    steps: list[Record] = [Record("problem", {"kind": kind, "expr": f, "domain": domain,
                                              "parameters": params, "assumptions": assumptions})]
    pieces = [p for p in split(f, x) if (p.hi > a) == sympy.true and (p.lo < b) == sympy.true]
    if len(pieces) > 1:
        steps.append(Record("split", {"points": tuple(p.lo for p in pieces[1:])}))
    cands: list[Candidate] = []
    for p in pieces:
        lo, hi = sympy.Max(p.lo, a), sympy.Min(p.hi, b)
        found, notes = exact_candidates(p.expr, lo, hi)
        steps.extend(notes)
        steps.extend(c.source for c in found or () if c.source is not None)
        if found is None:
            raise UnsupportedExpression(
                f"no closed form for the critical points of {p.expr} with symbolic parameters "
                f"{', '.join(map(str, params))}; substitute numbers for them"
            )
        cands.extend(found)
    points = [p.lo for p in pieces[1:]] + ([a] if a_closed else []) + ([b] if b_closed else [])
    for c in points:
        v = f.subs(x, c)
        if v.is_number and not _finite_number(v):
            continue
        rec = Record("value_at", {"expr": f, "point": c, "value": v, "critical": False})
        steps.append(rec)
        cands.append(Candidate(v, sympy.FiniteSet(c), True, f"value at x = {sympy.sstr(c)}", source=rec))
    if not cands:
        raise UnsupportedExpression(f"{f} is undefined everywhere on the interval")
    pick = sympy.Max if kind == "sup" else sympy.Min
    value = _tidy(sympy.simplify(pick(*[c.value for c in cands])))
    best = [c for c in cands if sympy.simplify(c.value - value) == 0] if value.is_finite is not False else \
        [c for c in cands if c.value == value]
    attained = [c for c in best if c.attained]
    at = sympy.Union(*[c.where for c in attained]) if attained else sympy.EmptySet
    approached = () if attained else tuple(dict.fromkeys(approach_text(c) for c in best))
    enclosure = enclosure_of(value, DEFAULT_DPS) if value.is_number else (mpmath.ninf, mpmath.inf)
    steps.append(Record("compare", {"kind": kind, "value": value, "candidates": len(cands),
                                    "chosen": best[0].kind if best else "max",
                                    "assumptions": assumptions},
                        note=f"{'Max' if kind == 'sup' else 'Min'} of the exact candidates"))
    return Extremum(kind=kind, value=value, exact=True, at=at, attained=bool(attained),
                    approached=approached, enclosure=enclosure, method="exact (symbolic)",
                    steps=tuple(steps), candidates=tuple(cands), assumptions=assumptions)


def _assumption(p: sympy.Symbol) -> sympy.Basic:
    for key, rel in (("positive", p > 0), ("negative", p < 0), ("nonnegative", p >= 0),
                     ("nonpositive", p <= 0)):
        if p.assumptions0.get(key):
            return rel
    return sympy.Contains(p, sympy.S.Reals) if p.is_real else sympy.true
