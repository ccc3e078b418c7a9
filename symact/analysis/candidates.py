r"""Candidates for the supremum and infimum of one analytic piece.

On an open interval :math:`(a, b)` where an expression is a single analytic formula, its
supremum and infimum are among: the values at the critical points (solutions of
:math:`f' = 0`, found by SymPy under a CPU-time budget), the one-sided limits at
:math:`a^+` and :math:`b^-`, or -- for a constant piece -- the constant.  Each
:class:`Candidate` carries a typed :attr:`~Candidate.source` (a
:class:`~symact.core.steps.Record`) saying what it is; its ``how`` is prose only.

>>> import sympy
>>> from symact.expressions.activation import x
>>> cands, steps = exact_candidates(x * sympy.exp(-x), sympy.Integer(0), sympy.oo)
>>> [(c.source.kind, c.value) for c in cands]
[('value_at', exp(-1)), ('limit', 0), ('limit', 0)]
"""

from __future__ import annotations

from dataclasses import dataclass

import mpmath
import sympy

from ..core.budget import BudgetExceeded, time_budget
from ..core.cache import cached
from ..core.errors import CertificationError
from ..core.steps import Record
from ..expressions.activation import x
from ..expressions.pieces import one_sided_limit
from ..expressions.simplify import tidy

__all__ = ["Candidate", "critical_points", "end_limits", "exact_candidates"]

# CPU seconds (of this thread, so the same on a busy machine) for one solveset/solve/limit
# call: about 4 times the most any catalogue entry needs (elish's phi'' = 0 takes 1.1-1.6 s).
_SOLVE_BUDGET = 6.0


@dataclass(frozen=True)
class Candidate:
    """A value the extremum might take, and where it comes from.

    Attributes
    ----------
    value : sympy.Expr
        The closed form, or (certified candidates) the certified digits.
    where : sympy.Set
        The points (or stretch) concerned; empty when only approached.
    attained : bool
    how : str
        Prose for readers (never parsed; use :attr:`source`).
    exact : bool
    enclosure : (mpf, mpf) or None
        Rigorous bounds of a certified candidate.
    equation : sympy.Basic or None
        For a certified critical value, the equation :math:`f' = 0`.
    source : Record or None
        What the candidate is: ``"value_at"`` (``critical`` True for a critical point,
        False for a breakpoint or a closed end), ``"limit"`` (with ``point`` and
        ``side``), ``"constant"`` or ``"certified"``.
    """

    value: sympy.Expr
    where: sympy.Set
    attained: bool
    how: str
    exact: bool = True
    enclosure: tuple[mpmath.mpf, mpmath.mpf] | None = None
    equation: sympy.Basic | None = None
    source: Record | None = None

    @property
    def kind(self) -> str:
        """The source record's kind (``"value_at"``, ``"limit"``, ``"constant"``, ``"certified"``)."""
        return self.source.kind if self.source is not None else "value_at"

    @property
    def critical(self) -> bool:
        """Whether this is the value at an exact critical point."""
        return self.source is not None and self.source.kind == "value_at" and bool(self.source.get("critical"))


def _never_zero(f: sympy.Expr) -> bool:
    return bool(
        f.is_positive
        or f.is_negative
        or (isinstance(f, sympy.Pow) and f.base.is_positive)
        or isinstance(f, sympy.exp)
    )


def critical_points(
    expr: sympy.Expr, lo: sympy.Expr, hi: sympy.Expr, steps: list[Record]
) -> list[sympy.Expr] | None:
    """Exact critical points in (lo, hi), or None when no closed form was found in time.

    What was tried is appended to ``steps`` (``"critical_points"`` or ``"solve_failed"``).

    >>> steps = []
    >>> critical_points(x**3 - 3 * x, sympy.Integer(-5), sympy.Integer(5), steps)
    [-1, 1]
    """
    d = sympy.diff(expr, x)
    if d == 0:
        return []
    d_simple = sympy.factor_terms(sympy.together(d))
    numer = sympy.numer(d_simple)
    # strip factors that never vanish on the reals (exp, positive powers of squares)
    keep = [f for f in sympy.Mul.make_args(sympy.factor_terms(numer)) if not _never_zero(f)]
    target = sympy.Mul(*keep) if keep else sympy.Integer(1)
    if target.is_number:
        if target != 0:
            steps.append(Record("critical_points", {"expr": expr, "derivative": d, "lo": lo,
                                                    "hi": hi, "points": ()}))
            return []
        return None
    eq = sympy.Eq(target, 0)
    try:
        with time_budget(_SOLVE_BUDGET, clock="cpu"):
            sols = sympy.solveset(target, x, sympy.Interval.open(lo, hi))
    except BudgetExceeded:
        steps.append(Record("solve_failed", {"equation": eq, "lo": lo, "hi": hi, "reason": "budget"},
                            note=f"solveset did not finish within {_SOLVE_BUDGET:g} s of CPU time"))
        return None
    except (NotImplementedError, ValueError, TypeError):
        steps.append(Record("solve_failed", {"equation": eq, "lo": lo, "hi": hi, "reason": "no closed form"}))
        return None
    found: list[sympy.Expr] | None = None
    complete = True
    if isinstance(sols, sympy.FiniteSet) and all(s.is_number for s in sols):
        found = sorted(sols, key=lambda s: sympy.N(s, 30))
    elif sols is sympy.S.EmptySet:
        found = []
    else:
        found = _lambert_roots(target, lo, hi)
        complete = False
    if found is None:
        steps.append(Record("solve_failed", {"equation": eq, "lo": lo, "hi": hi, "reason": "no closed form"},
                            note=f"SymPy returned {type(sols).__name__}"))
        return None
    steps.append(Record("critical_points", {"expr": expr, "derivative": d, "lo": lo, "hi": hi,
                                            "points": tuple(found), "complete": complete},
                        note="" if complete else "roots by sympy.solve; completeness is checked "
                        "against a certified enclosure"))
    return found


def _lambert_roots(target: sympy.Expr, lo: sympy.Expr, hi: sympy.Expr) -> list[sympy.Expr] | None:
    # solveset knows no Lambert W; solve does for exp-log equations (roots found this way are
    # not known to be complete -- the certified cross-check guards that)
    funcs = {type(f) for f in target.atoms(sympy.Function)}
    if not funcs <= {sympy.exp, sympy.log}:
        return None
    try:
        with time_budget(_SOLVE_BUDGET, clock="cpu"):
            roots = sympy.solve(target, x)
    except (BudgetExceeded, NotImplementedError, ValueError, TypeError):
        return None
    inside = []
    for r in roots:
        if not r.is_number or (r.has(sympy.I) and sympy.im(sympy.N(r, 30)) != 0):
            continue
        rv = sympy.N(r, 30)
        if (rv > lo) == sympy.true and (rv < hi) == sympy.true:
            if abs(sympy.N(target.subs(x, r), 30)) < 1e-20:
                inside.append(r)
    return sorted(inside, key=lambda s: sympy.N(s, 30)) if inside else None


def end_limits(f: sympy.Expr, lo: sympy.Expr, hi: sympy.Expr) -> list[Candidate]:
    """The one-sided limits of ``f`` at ``lo+`` and ``hi-``, as (approached) candidates.

    >>> [c.value for c in end_limits(sympy.tanh(x), -sympy.oo, sympy.oo)]
    [-1, 1]
    """
    out = []
    for end, side in ((lo, "+"), (hi, "-")):
        where = f"{end}{side if end.is_finite else ''}"
        try:
            with time_budget(_SOLVE_BUDGET, clock="cpu"):
                lim = one_sided_limit(f, x, end, side)
        except BudgetExceeded:
            raise CertificationError(
                f"SymPy's limit of {f} as x -> {where} did not finish within its "
                f"{_SOLVE_BUDGET:g} s CPU-time budget (the limit may well exist)"
            ) from None
        if lim is None or not isinstance(lim, sympy.Expr) or lim.has(sympy.AccumBounds):
            raise CertificationError(f"could not find the limit of {f} as x -> {where}")
        value = tidy(lim) if lim.is_finite else lim
        where = "x -> " + (sympy.sstr(end) if end.is_infinite else f"{sympy.sstr(end)}{side}")
        rec = Record("limit", {"expr": f, "point": end, "side": None if end.is_infinite else side,
                               "value": value})
        out.append(Candidate(value, sympy.EmptySet, False, where, source=rec))
    return out


@cached(maxsize=1024)
def exact_candidates(
    f: sympy.Expr, lo: sympy.Expr, hi: sympy.Expr
) -> tuple[tuple[Candidate, ...] | None, tuple[Record, ...]]:
    """Candidates of an analytic piece on (lo, hi), the same for sup and inf.

    ``None`` in place of the candidates means the critical points have no closed form
    (the caller certifies instead); the records say what was tried.
    """
    steps: list[Record] = []
    if x not in f.free_symbols:
        rec = Record("constant", {"lo": lo, "hi": hi, "value": f})
        finite = bool(f.is_number and f.is_finite) or (not f.is_number and not f.has(sympy.nan, sympy.zoo))
        const = (Candidate(f, sympy.Interval.open(lo, hi), True, "constant on the stretch", source=rec),)
        return (const if finite else ()), ()
    crit = critical_points(f, lo, hi, steps)
    if crit is None:
        return None, tuple(steps)
    out = []
    for c in crit:
        v = tidy(f.subs(x, c))
        rec = Record("value_at", {"expr": f, "point": c, "value": v, "critical": True})
        out.append(Candidate(v, sympy.FiniteSet(c), True, f"critical point x = {sympy.sstr(c)}", source=rec))
    out += end_limits(f, lo, hi)
    return tuple(out), tuple(steps)
