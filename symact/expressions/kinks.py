r"""Derivatives that do not exist: formula derivatives that are undefined at kinks.

SymPy differentiates a ``Piecewise`` branch by branch and keeps the branch
conditions, so ``diff(Piecewise((x, x > 0), (0, True)))`` is 0 at ``x = 0``
although ReLU has no derivative there (its one-sided derivatives are 0 and 1;
PyTorch's autograd *chooses* 0).  When a formula writes ``relu'(0)``,
``d/dx(abs(x))`` or ``elu''(0)``, symact reads the derivative with
:func:`kink_diff`, which leaves out every breakpoint where the derivative of
that order does not exist, so it evaluates to ``nan`` there; and while
:func:`record_undefined` is active, each such point written in a formula is
recorded as an :class:`UndefinedDerivative` that explains why (the one-sided
derivatives, the subdifferential, what autograd's convention returns).

>>> import sympy
>>> x = sympy.Symbol("x", real=True)
>>> kink_diff(sympy.Max(0, x), x, 1)
Piecewise((0, x < 0), (1, x > 0))
>>> kink_diff(sympy.Max(0, x), x, 1).subs(x, 0)
nan
>>> note = explain_undefined("relu", sympy.Piecewise((x, x > 0), (0, True)), x, 1, sympy.Integer(0))
>>> print(note.reason())
relu is not differentiable at 0 (one-sided derivatives 0 from the left, 1 from the right); its subdifferential there is [0, 1]; differentiating the branch that contains the point, as PyTorch's autograd does for its built-in activations, gives relu'(0) = 0
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass

import sympy

from ..core.budget import BudgetExceeded
from ..core.errors import UnsupportedExpression
from .pieces import Piece, one_sided_limit, split

__all__ = ["UndefinedDerivative", "explain_undefined", "kink_diff", "record_undefined"]

_KINKY = (sympy.Piecewise, sympy.Abs, sympy.Max, sympy.Min, sympy.Heaviside, sympy.sign)
_NOTES: ContextVar[list[UndefinedDerivative] | None] = ContextVar("symact_undefined_notes", default=None)


@dataclass(frozen=True)
class UndefinedDerivative:
    r"""A derivative written at a point where it does not exist.

    Attributes
    ----------
    name : str
        The function as written (``"relu"``, or ``"f"`` for an expression).
    order : int
        The order of the derivative.
    point : sympy.Expr
        The point.
    left, right : sympy.Expr
        The one-sided derivatives of that order (limits from the left and the right).
    jump : bool
        Whether the function itself (or a lower derivative) jumps there.
    subdifferential : sympy.Set or None
        Clarke's generalised gradient for a first derivative at a kink
        (``None`` for higher orders or at a jump).
    autograd : sympy.Expr or None
        What differentiating the branch that contains the point gives, the
        convention of PyTorch's and JAX's autograd.
    """

    name: str
    order: int
    point: sympy.Expr
    left: sympy.Expr
    right: sympy.Expr
    jump: bool
    subdifferential: sympy.Set | None
    autograd: sympy.Expr | None

    def written(self) -> str:
        """The derivative as a formula writes it, e.g. ``relu'(0)``."""
        return f"{self.name}{_primes(self.order)}({sympy.sstr(self.point)})"

    def reason(self) -> str:
        """Why the derivative does not exist, and what autograd returns there, in one sentence."""
        at = sympy.sstr(self.point)
        what = "differentiable" if self.order == 1 else f"{_times(self.order)} differentiable"
        if self.jump:
            lower = "it is" if self.order == 1 else "a lower derivative is"
            text = f"{self.name} is not {what} at {at} ({lower} discontinuous there)"
        else:
            which = "" if self.order == 1 else f"{_ordinal(self.order)} "
            text = (f"{self.name} is not {what} at {at} (one-sided {which}derivatives "
                    f"{_short(self.left)} from the left, {_short(self.right)} from the right)")
        if self.subdifferential is not None:
            text += f"; its subdifferential there is {_set_text(self.subdifferential)}"
        elif self.order == 1 and self.jump:
            text += "; it has no subdifferential there"
        if self.autograd is not None:
            how = (", as PyTorch's autograd does for its built-in activations," if self.order == 1 else "")
            text += f"; differentiating the branch that contains the point{how} gives {self.written()} = " \
                    f"{_short(self.autograd)}"
        return text


def _short(v: sympy.Expr) -> str:
    """A value for a sentence: exact when short, else a 10-digit decimal marked as such."""
    text = sympy.sstr(v)
    if len(text) <= 24 or not v.is_number:
        return text
    return f"approx. {sympy.N(v, 10)}"


def _times(n: int) -> str:
    return {2: "twice", 3: "three times"}.get(n, f"{n} times")


def _ordinal(n: int) -> str:
    return {2: "second", 3: "third"}.get(n, f"{n}th")


def _primes(order: int) -> str:
    return "'" * order if order <= 3 else f"^({order})"


def _set_text(s: sympy.Set) -> str:
    if isinstance(s, sympy.Interval):
        return (("(" if s.left_open else "[") + f"{sympy.sstr(s.start)}, {sympy.sstr(s.end)}"
                + (")" if s.right_open else "]"))
    return sympy.sstr(s)


@contextlib.contextmanager
def record_undefined() -> Iterator[list[UndefinedDerivative]]:
    """Collect the derivatives written at points where they do not exist (see :func:`note`).

    >>> with record_undefined() as notes:
    ...     pass
    >>> notes
    []
    """
    notes: list[UndefinedDerivative] = []
    token = _NOTES.set(notes)
    try:
        yield notes
    finally:
        _NOTES.reset(token)


def note(item: UndefinedDerivative) -> None:
    """Record ``item`` if :func:`record_undefined` is active (otherwise do nothing)."""
    notes = _NOTES.get()
    if notes is not None and item not in notes:
        notes.append(item)


def _equal(a: sympy.Expr, b: sympy.Expr) -> bool:
    if a.has(sympy.nan, sympy.zoo) or b.has(sympy.nan, sympy.zoo):
        return False
    d = a - b
    if d == 0:
        return True
    if d.is_number:
        val = sympy.N(d, 30)
        if val.is_number and val.is_real is not False and abs(val) > sympy.Float(10) ** -20:
            return False
    return sympy.simplify(d) == 0


def _one_sided(piece: Piece, k: int, c: sympy.Expr, side: str, x: sympy.Symbol) -> sympy.Expr:
    return one_sided_limit(sympy.diff(piece.expr, x, k), x, c, side)


def _smooth_to(expr: sympy.Expr, left: Piece, right: Piece, order: int, x: sympy.Symbol) -> bool:
    """Whether derivatives of orders 0..order agree on both sides of the breakpoint (and with the value)."""
    c = left.hi
    if not _equal(_one_sided(left, 0, c, "-", x), expr.subs(x, c)):
        return False
    return all(_equal(_one_sided(left, k, c, "-", x), _one_sided(right, k, c, "+", x)) for k in range(order + 1))


def _pieces(expr: sympy.Expr, x: sympy.Symbol) -> tuple[Piece, ...] | None:
    try:
        return split(expr, x)
    except (UnsupportedExpression, BudgetExceeded, NotImplementedError, ValueError, TypeError):
        return None  # not cut into pieces: plain SymPy differentiation


def kink_diff(expr: sympy.Expr, x: sympy.Symbol, order: int) -> sympy.Expr:
    """``d^order expr / dx^order``, undefined (``nan``) at breakpoints where it does not exist.

    Between breakpoints it is SymPy's derivative of the analytic piece; a
    breakpoint where the derivatives of orders 0 to ``order`` agree from both
    sides belongs to the piece on its left, any other belongs to no branch.

    >>> import sympy
    >>> x = sympy.Symbol("x", real=True)
    >>> elu = sympy.Piecewise((x, x > 0), (sympy.exp(x) - 1, True))
    >>> kink_diff(elu, x, 1).subs(x, 0), kink_diff(elu, x, 2).subs(x, 0)
    (1, nan)
    """
    if order == 0 or not expr.has(*_KINKY) or not x.is_real:
        return sympy.diff(expr, x, order)
    pieces = _pieces(expr, x)
    if pieces is None or len(pieces) == 1:
        return sympy.diff(expr, x, order)
    branches: list[tuple[sympy.Expr, sympy.Basic]] = []
    for i, piece in enumerate(pieces):
        conds = []
        if i > 0:
            conds.append(x > piece.lo)
        if i < len(pieces) - 1:
            smooth = _smooth_to(expr, piece, pieces[i + 1], order, x)
            conds.append(x <= piece.hi if smooth else x < piece.hi)
        branches.append((sympy.diff(piece.expr, x, order), sympy.And(*conds)))
    return sympy.Piecewise(*branches)


def explain_undefined(name: str, expr: sympy.Expr, x: sympy.Symbol, order: int,
                      point: sympy.Expr) -> UndefinedDerivative | None:
    """Why the ``order``-th derivative of ``expr`` does not exist at ``point`` (None if it does)."""
    pieces = _pieces(expr, x)
    if pieces is None:
        return None
    for left, right in itertools.pairwise(pieces):
        c = left.hi
        if not _equal(c, point):
            continue
        jump = not _smooth_to(expr, left, right, order - 1, x)
        lo, hi = _one_sided(left, order, c, "-", x), _one_sided(right, order, c, "+", x)
        sub = None
        if order == 1 and not jump:
            a, b = (lo, hi) if (lo <= hi) == sympy.true else (hi, lo)
            sub = sympy.Interval(a, b)
        auto = sympy.diff(expr, x, order).subs(x, point)
        auto = auto if auto.is_number and auto.is_finite and not auto.has(sympy.nan) else None
        return UndefinedDerivative(name, order, point, lo, hi, jump, sub, auto)
    return None
