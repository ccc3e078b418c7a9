r"""Limits on formula text, checked before and while it is read.

Each limit keeps reading a formula fast and is checked before the work it
bounds starts (see :mod:`symact.expressions.parsing` for the grammar):

- at most :data:`MAX_LENGTH` characters, no control or format characters;
- brackets nested at most :data:`MAX_DEPTH` deep (a long flat sum is not nesting);
- integer literals of at most :data:`MAX_DIGITS` digits, numeric exponents of
  magnitude at most :data:`MAX_EXPONENT`;
- derivatives of total order at most :data:`MAX_DIFF_ORDER` in one formula,
  each result at most :data:`MAX_NODES` expression-tree nodes;
- reading one formula within :data:`PARSE_BUDGET` seconds (:class:`parse_budget`).

>>> check_length("  x + 1 ")
'x + 1'
"""

from __future__ import annotations

import unicodedata
from typing import Any

import sympy

from ..core.budget import BudgetExceeded, time_budget
from ..core.errors import UnsafeExpression

__all__ = [
    "MAX_DEPTH",
    "MAX_DIFF_ORDER",
    "MAX_DIGITS",
    "MAX_EXPONENT",
    "MAX_LENGTH",
    "MAX_NODES",
    "PARSE_BUDGET",
    "check_length",
    "check_size",
    "parse_budget",
]

#: Longest formula accepted, in characters.
MAX_LENGTH = 2000
#: Deepest bracket nesting accepted.
MAX_DEPTH = 100
#: Most digits of an integer literal.
MAX_DIGITS = 1000
#: Largest magnitude of a numeric exponent.
MAX_EXPONENT = 10**4
#: Largest total derivative order in one formula (SymPy's 15th derivative of tanh takes minutes).
MAX_DIFF_ORDER = 10
#: Largest derivative result accepted while reading, in expression-tree nodes.
MAX_NODES = 20_000
#: CPU seconds reading one formula may take (of the reading thread: the same on a busy machine).
PARSE_BUDGET = 5.0


def _check_nesting(text: str) -> None:
    depth = 0
    for ch in text:
        if ch in "([{":
            depth += 1
            if depth > MAX_DEPTH:
                raise UnsafeExpression(f"expression nested more than {MAX_DEPTH} deep")
        elif ch in ")]}":
            depth -= 1


def check_size(expr: sympy.Basic) -> sympy.Basic:
    """Refuse an expression of more than :data:`MAX_NODES` tree nodes (counting stops there).

    >>> import sympy
    >>> check_size(sympy.Symbol("x") + 1)
    x + 1
    """
    count = 0
    for _ in sympy.preorder_traversal(expr):
        count += 1
        if count > MAX_NODES:
            raise UnsafeExpression(
                f"the formula expands to more than {MAX_NODES} terms and factors; "
                "accepted are formulas (and derivatives) of at most that size"
            )
    return expr


def check_length(text: str) -> str:
    r"""Check the limits that apply to any formula text before it is read.

    >>> check_length("  x + 1 ")
    'x + 1'
    >>> check_length("x\x00")
    Traceback (most recent call last):
    ...
    symact.core.errors.UnsafeExpression: control character '\x00' at position 1; formulas are printable text
    """
    if not isinstance(text, str):
        raise UnsafeExpression(f"expected a formula as a string, got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise UnsafeExpression(
            f"text is {len(text)} characters long; the limit is {MAX_LENGTH} characters"
        )
    for i, ch in enumerate(text):
        if ch not in "\t\n\r " and unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn"):
            raise UnsafeExpression(
                f"control character {ch!r} at position {i}; formulas are printable text"
            )
    if not text.strip():
        raise UnsafeExpression("empty expression; write a formula in x such as 'x/(1 + exp(-x))'")
    _check_nesting(text)
    return text.strip()


class parse_budget(time_budget):
    """The budget of reading one formula: :data:`PARSE_BUDGET` CPU seconds, as an error.

    Running out raises :class:`~symact.core.errors.UnsafeExpression` (the
    formula is too expensive to read) instead of
    :class:`~symact.core.budget.BudgetExceeded`.

    >>> with parse_budget():
    ...     1 + 1
    2
    """

    def __init__(self, seconds: float | None = None) -> None:
        # CPU time of the reading thread: whether a formula is accepted must not depend on
        # the machine's load (an enclosing wall-clock budget still ends the whole call)
        super().__init__(PARSE_BUDGET if seconds is None else seconds, clock="cpu")

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> bool:
        try:
            return super().__exit__(exc_type, exc, tb)
        except BudgetExceeded:
            raise UnsafeExpression(
                f"reading the formula took more than {PARSE_BUDGET:g} s of CPU time; accepted are formulas "
                "whose derivatives and powers SymPy can expand quickly"
            ) from None
