r"""Splitting a piecewise expression into smooth pieces.

Plain SymPy takes one-sided limits of a ``Piecewise`` at a kink by looking at
the branch that *contains* the point, so ``limit(relu'(x), x, 0, "-")`` comes
out as 1 instead of 0.  symact never asks SymPy for a limit across a branch
boundary.  Instead every expression is cut at its *breakpoints* -- the zeros
of the arguments of ``Abs``, ``sign``, ``Heaviside``, ``Max``/``Min`` and the
boundaries of ``Piecewise`` conditions -- into open intervals on each of which
it is a single analytic formula (a :class:`Piece`).  One-sided values and
derivatives at a breakpoint are then ordinary limits of an analytic formula.

>>> import sympy
>>> from symact.expressions.pieces import split
>>> x = sympy.Symbol("x", real=True)
>>> [(p.lo, p.hi, p.expr) for p in split(sympy.Max(0, x), x)]
[(-oo, 0, 0), (0, oo, x)]
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import sympy
from sympy import Abs, Heaviside, Max, Min, Piecewise, sign

from ..core.budget import BudgetExceeded, check_deadline, time_budget
from ..core.cache import cached
from ..core.errors import UnsupportedExpression

__all__ = [
    "MAX_BREAKPOINTS",
    "Piece",
    "breakpoints",
    "differs_numerically",
    "limit_at_infinity",
    "one_sided_limit",
    "resolve",
    "sample_point",
    "split",
]

_SOLVE_BUDGET = 5.0  # CPU seconds for one solveset (the catalogue needs < 0.05 s)
#: Most candidate breakpoints (kinks of Abs, Max, Min, Piecewise ...) an expression may have;
#: checked before any solving.  Every analysis works piece by piece, and its cost grows with
#: the square of the number of pieces (each piece resolves every kink).
MAX_BREAKPOINTS = 300


@dataclass(frozen=True)
class Piece:
    r"""One analytic formula of a piecewise expression, valid on ``(lo, hi)``.

    ``lo`` and ``hi`` are breakpoints (or :math:`\mp\infty`); the formula is
    the expression's value on the open interval between them, and extends
    analytically to its ends, so one-sided limits there are plain limits.

    >>> import sympy
    >>> x = sympy.Symbol("x", real=True)
    >>> Piece(sympy.Integer(0), sympy.oo, x).contains(1)
    True
    """

    lo: sympy.Expr
    hi: sympy.Expr
    expr: sympy.Expr

    def contains(self, point: sympy.Expr | int) -> bool:
        """Whether ``point`` lies strictly inside the piece."""
        p = sympy.sympify(point)
        return bool((p > self.lo) == sympy.true and (p < self.hi) == sympy.true)

    @property
    def interval(self) -> sympy.Interval:
        """The open interval of the piece as a SymPy set."""
        return sympy.Interval.open(self.lo, self.hi)


def _zeros(u: sympy.Expr, x: sympy.Symbol) -> set[sympy.Expr]:
    """Real zeros of ``u`` in ``x``; an error if there are infinitely many."""
    if x not in u.free_symbols:
        return set()
    if u.is_polynomial(x) and sympy.degree(u, x) == 1:
        a, b = sympy.Poly(u, x).all_coeffs()
        return {sympy.nsimplify(-b / a) if (-b / a).is_Float else -b / a}
    try:
        with time_budget(_SOLVE_BUDGET, clock="cpu"):
            sols = sympy.solveset(u, x, sympy.S.Reals)
    except BudgetExceeded:
        raise UnsupportedExpression(
            f"SymPy could not find where {u} changes sign within {_SOLVE_BUDGET:g} s of CPU time; "
            "write the kinks as Piecewise conditions that are linear in x"
        ) from None
    if isinstance(sols, sympy.FiniteSet):
        return set(sols)
    if sols is sympy.S.EmptySet:
        return set()
    raise UnsupportedExpression(
        f"{u} changes sign at {sols}, which is not a finite set of points; "
        "symact handles piecewise functions with finitely many breakpoints"
    )


def _relational_zeros(cond: sympy.Basic, x: sympy.Symbol) -> set[sympy.Expr]:
    if cond in (sympy.true, sympy.false) or x not in cond.free_symbols:
        return set()
    if isinstance(cond, sympy.core.relational.Relational):
        return _zeros(cond.lhs - cond.rhs, x)
    if isinstance(cond, sympy.And | sympy.Or | sympy.Not):
        out: set[sympy.Expr] = set()
        for arg in cond.args:
            out |= _relational_zeros(arg, x)
        return out
    raise UnsupportedExpression(
        f"cannot read the condition {cond}; accepted are comparisons such as x < 0, "
        "combined with & and |"
    )


def _sorted_points(points: set[sympy.Expr]) -> tuple[sympy.Expr, ...]:
    pts = [sympy.nsimplify(p) if p.is_Float else p for p in points if p.is_real is not False]
    if all(p.is_Rational for p in pts):  # the common case: exact and fast
        return tuple(sorted(set(pts)))
    if any(p.is_real is None for p in pts):
        bad = [p for p in pts if p.is_real is None]
        raise UnsupportedExpression(
            f"breakpoint(s) {bad} are not known to be real; give the parameters numeric "
            "values or declare them real"
        )
    unique: list[sympy.Expr] = []
    for p in pts:
        check_deadline()
        if not any(sympy.simplify(p - q) == 0 for q in unique):
            unique.append(p)

    def less(a: sympy.Expr, b: sympy.Expr) -> bool:
        rel = a < b
        if rel not in (sympy.true, sympy.false):
            raise UnsupportedExpression(
                f"cannot order the breakpoints {a} and {b}; give the parameters numeric "
                "values (or assumptions such as positive=True)"
            )
        return bool(rel)

    # insertion sort with exact comparisons (there are only a handful)
    ordered: list[sympy.Expr] = []
    for p in unique:
        i = 0
        while i < len(ordered) and less(ordered[i], p):
            i += 1
        ordered.insert(i, p)
    return tuple(ordered)


@cached(maxsize=4096)
def breakpoints(expr: sympy.Expr, x: sympy.Symbol) -> tuple[sympy.Expr, ...]:
    r"""The sorted real points where ``expr`` may switch formula.

    These are candidates: a breakpoint may still be a point where the
    function is smooth (ELU with :math:`\alpha = 1` at 0 is :math:`C^1`).

    >>> import sympy
    >>> x = sympy.Symbol("x", real=True)
    >>> breakpoints(sympy.Abs(x - 1) + sympy.Piecewise((0, x < -2), (x, True)), x)
    (-2, 1)
    """
    _check_kinks(expr)
    points: set[sympy.Expr] = set()
    for node in sympy.preorder_traversal(expr):
        check_deadline()
        if isinstance(node, Piecewise):
            for _, cond in node.args:
                points |= _relational_zeros(cond, x)
        elif isinstance(node, Abs | sign | Heaviside):
            points |= _zeros(node.args[0], x)
        elif isinstance(node, Max | Min):
            args = node.args
            for i in range(len(args)):
                for j in range(i + 1, len(args)):
                    points |= _zeros(args[i] - args[j], x)
        elif isinstance(node, sympy.floor | sympy.ceiling | sympy.frac):
            raise UnsupportedExpression(
                f"{node.func.__name__} has infinitely many jumps; symact handles piecewise "
                "functions with finitely many breakpoints"
            )
    return _sorted_points(points)


def _check_kinks(expr: sympy.Expr) -> None:
    count = 0
    for node in sympy.preorder_traversal(expr):
        if isinstance(node, Piecewise):
            count += len(node.args) - 1
        elif isinstance(node, Abs | sign | Heaviside):
            count += 1
        elif isinstance(node, Max | Min):
            count += len(node.args) * (len(node.args) - 1) // 2
        if count > MAX_BREAKPOINTS:
            raise UnsupportedExpression(
                f"the expression has more than {MAX_BREAKPOINTS} candidate breakpoints (kinks of "
                f"Abs, Max, Min, Piecewise ...); accepted are piecewise functions with at most "
                f"{MAX_BREAKPOINTS}"
            )


def sample_point(lo: sympy.Expr, hi: sympy.Expr) -> sympy.Expr:
    """An exact point strictly inside ``(lo, hi)``.

    >>> import sympy
    >>> sample_point(-sympy.oo, sympy.Integer(0)), sample_point(sympy.Integer(1), sympy.Integer(2))
    (-1, 3/2)
    """
    if lo == -sympy.oo and hi == sympy.oo:
        return sympy.Integer(0)
    if lo == -sympy.oo:
        return hi - 1
    if hi == sympy.oo:
        return lo + 1
    return (lo + hi) / 2


def _truth(cond: sympy.Basic, x: sympy.Symbol, point: sympy.Expr) -> bool:
    value = cond.subs(x, point) if cond not in (sympy.true, sympy.false) else cond
    if value in (sympy.true, sympy.false):
        return bool(value)
    value = sympy.simplify(value)
    if value in (sympy.true, sympy.false):
        return bool(value)
    raise UnsupportedExpression(
        f"cannot decide the condition {cond} at x = {point}; give the parameters numeric values"
    )


def _sign_at(u: sympy.Expr, x: sympy.Symbol, point: sympy.Expr) -> int:
    value = u.subs(x, point)
    if value.is_positive:
        return 1
    if value.is_negative:
        return -1
    if value.is_zero:
        return 0
    num = sympy.N(value, 30)
    if num.is_number and num.is_real and num != 0:
        return 1 if num > 0 else -1
    raise UnsupportedExpression(
        f"cannot decide the sign of {u} at x = {point}; give the parameters numeric values"
    )


def resolve(expr: sympy.Expr, x: sympy.Symbol, point: sympy.Expr) -> sympy.Expr:
    r"""The analytic formula that ``expr`` follows around ``point``.

    ``point`` must lie strictly inside one of the pieces (use
    :func:`sample_point`); every ``Piecewise``, ``Abs``, ``sign``,
    ``Heaviside``, ``Max`` and ``Min`` is replaced by its active branch.

    >>> import sympy
    >>> x = sympy.Symbol("x", real=True)
    >>> resolve(sympy.Piecewise((x, x > 0), (x / 100, True)), x, sympy.Integer(-1))
    x/100
    >>> resolve(x / (1 + sympy.Abs(x)), x, sympy.Integer(-1))
    x/(1 - x)
    """
    if not expr.args or x not in expr.free_symbols:
        return expr
    if isinstance(expr, Piecewise):
        for branch, cond in expr.args:
            if _truth(cond, x, point):
                return resolve(branch, x, point)
        return sympy.nan
    if isinstance(expr, Abs):
        inner = resolve(expr.args[0], x, point)
        return inner if _sign_at(expr.args[0], x, point) >= 0 else -inner
    if isinstance(expr, sign):
        return sympy.Integer(_sign_at(expr.args[0], x, point))
    if isinstance(expr, Heaviside):
        s = _sign_at(expr.args[0], x, point)
        return sympy.Integer(1 if s > 0 else 0)
    if isinstance(expr, Max | Min):
        args = [resolve(a, x, point) for a in expr.args]
        exact = [a.subs(x, point) for a in args]
        values = exact if all(v.is_Rational for v in exact) else [sympy.N(v, 30) for v in exact]
        pick = max if isinstance(expr, Max) else min
        best = pick(range(len(args)), key=lambda i: values[i])
        return args[best]
    return expr.func(*(resolve(a, x, point) for a in expr.args))


def differs_numerically(d: sympy.Expr, x: sympy.Symbol) -> bool:
    """Whether ``d`` is plainly nonzero at a sample point (a cheap test before ``simplify``).

    Only a "yes" is meant to be used: a formula that is not 0 at a point is not 0, so
    there is no need to ask ``simplify``; a "no" leaves the decision to it.

    >>> import sympy
    >>> x = sympy.Symbol("x", real=True)
    >>> differs_numerically(sympy.exp(x) - 1 - x, x), differs_numerically(sympy.sin(x)**2 + sympy.cos(x)**2 - 1, x)
    (True, False)
    """
    if d.free_symbols - {x}:
        return False
    for p in (sympy.Rational(1, 3), sympy.Rational(-7, 5)):
        try:
            v = sympy.N(d.subs(x, p), 20, strict=True)
        except (sympy.core.evalf.PrecisionExhausted, TypeError, ValueError, ArithmeticError):
            continue
        if v.is_Number and v.is_finite and abs(v) > sympy.Float("1e-8"):
            return True
    return False


def _same(a: sympy.Expr, b: sympy.Expr, x: sympy.Symbol) -> bool:
    d = a - b
    if d == 0:
        return True
    if d.is_Rational:  # a nonzero number
        return False
    if d.is_polynomial(x):
        return bool(sympy.expand(d) == 0)
    if differs_numerically(d, x):  # SELU's two branches: no slow simplify of their constants
        return False
    return bool(sympy.simplify(d) == 0)


@cached(maxsize=4096)
def split(expr: sympy.Expr, x: sympy.Symbol) -> tuple[Piece, ...]:
    r"""Cut ``expr`` at its breakpoints into analytic pieces.

    Adjacent pieces with the same formula are merged.

    >>> import sympy
    >>> x = sympy.Symbol("x", real=True)
    >>> hs = sympy.Piecewise((0, x < -3), (x, x > 3), (x * (x + 3) / 6, True))
    >>> [(p.lo, p.hi, p.expr) for p in split(hs, x)]
    [(-oo, -3, 0), (-3, 3, x*(x + 3)/6), (3, oo, x)]
    """
    points = breakpoints(expr, x)
    ends = (-sympy.oo, *points, sympy.oo)
    pieces: list[Piece] = []
    for lo, hi in itertools.pairwise(ends):
        check_deadline()
        formula = resolve(expr, x, sample_point(lo, hi))
        if pieces and _same(pieces[-1].expr, formula, x):
            pieces[-1] = Piece(pieces[-1].lo, hi, pieces[-1].expr)
        else:
            pieces.append(Piece(lo, hi, formula))
    return tuple(pieces)


@cached(maxsize=1024)
def limit_at_infinity(expr: sympy.Expr, x: sympy.Symbol, direction: int) -> sympy.Expr:
    r"""The limit of ``expr`` as ``x`` tends to ``direction`` times infinity (Gruntz).

    Cached, and computed as the limit at :math:`+\infty` of ``expr(-x)`` for
    ``direction = -1``, so the extrema engine and the certified tail proofs
    share one computation.

    >>> import sympy
    >>> x = sympy.Symbol("x", real=True)
    >>> limit_at_infinity(sympy.tanh(x), x, -1)
    -1
    """
    if direction not in (1, -1):
        raise ValueError(f"direction must be 1 or -1, got {direction!r}")
    if expr.could_extract_minus_sign():  # inf is computed as -sup(-f): share the work
        return -limit_at_infinity(-expr, x, direction)
    return sympy.limit(expr if direction > 0 else expr.subs(x, -x), x, sympy.oo)


def one_sided_limit(
    expr: sympy.Expr, x: sympy.Symbol, point: sympy.Expr, side: str
) -> sympy.Expr:
    r"""The limit of an *analytic* formula at ``point`` from one side.

    Tries substitution first and falls back to :func:`sympy.limit` only when
    substitution is indeterminate.

    >>> import sympy
    >>> x = sympy.Symbol("x", real=True)
    >>> one_sided_limit(sympy.sin(x) / x, x, sympy.Integer(0), "+")
    1
    """
    if point in (sympy.oo, -sympy.oo):
        return limit_at_infinity(expr, x, 1 if point == sympy.oo else -1)
    value = expr.subs(x, point)
    if value.has(sympy.nan, sympy.zoo, sympy.oo, -sympy.oo) or value is sympy.nan:
        return sympy.limit(expr, x, point, dir=side)
    return value
