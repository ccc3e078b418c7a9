"""Hypothesis strategies shared by the parser tests."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import sympy
from hypothesis import strategies as st


def _max(a: sympy.Expr, b: sympy.Expr) -> sympy.Expr:
    """Max of two trees; a sum where Max refuses (a complex argument such as log(-3))."""
    try:
        return sympy.Max(a, b)
    except (ValueError, TypeError):
        return a + b


def expression_trees(
    leaves: Sequence[sympy.Expr], unary: Sequence[Callable[[sympy.Expr], sympy.Expr]]
) -> st.SearchStrategy[sympy.Expr]:
    """Random SymPy expressions: leaves combined by the unary functions, + - *, Max, powers."""

    def grow(children: st.SearchStrategy[sympy.Expr]) -> st.SearchStrategy[sympy.Expr]:
        return st.one_of(
            st.tuples(st.sampled_from(list(unary)), children).map(lambda t: t[0](t[1])),
            st.tuples(children, children).map(lambda t: t[0] + t[1]),
            st.tuples(children, children).map(lambda t: t[0] * t[1]),
            st.tuples(children, children).map(lambda t: t[0] - t[1]),
            st.tuples(children, children).map(lambda t: _max(t[0], t[1])),
            st.tuples(children, st.integers(-3, 3)).map(lambda t: t[0] ** t[1]),
        )

    return st.recursive(st.sampled_from(list(leaves)), grow, max_leaves=6)
