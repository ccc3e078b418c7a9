r"""Reading user text: plain text or LaTeX, detected automatically.

The two grammars live in :mod:`symact.expressions.parsing` (plain text) and
:mod:`symact.expressions.latex` (hand-written LaTeX); this module sits above
both and picks one.

>>> import sympy
>>> x = sympy.Symbol("x", real=True)
>>> parse_relation(r"\sigma'(x) \le \frac14", variables={"x": x})[1:]
('<=', 1/4)
>>> parse_expression("1/(1 + exp(-x))", variables={"x": x})
1/(1 + exp(-x))
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import sympy

from .grammar import DisplayTable
from .latex import parse_latex, parse_latex_relation
from .parsing import looks_like_latex, parse_text, parse_text_relation

__all__ = ["display_formula", "display_sides", "parse_expression", "parse_latex", "parse_relation", "parse_text"]

_REL_TEX = {"=": "=", "<=": r"\le", "<": "<", ">=": r"\ge", ">": ">"}
_REL_TEXT = {"=": "=", "<=": "<=", "<": "<", ">=": ">=", ">": ">"}


def parse_relation(
    text: str,
    *,
    variables: Mapping[str, sympy.Symbol],
    functions: Mapping[str, Callable[..., sympy.Expr]] | None = None,
) -> tuple[sympy.Expr, str, sympy.Expr]:
    r"""Parse ``lhs OP rhs`` written as plain text or LaTeX.

    ``OP`` is one of ``"=", "<=", "<", ">=", ">"`` (``==``, ``≤``, ``≥``,
    ``\le``, ``\leq``, ``\ge``, ``\geq``, ``\lt``, ``\gt`` are accepted).  LaTeX is
    detected with :func:`~symact.expressions.parsing.looks_like_latex`.

    Returns
    -------
    tuple
        ``(lhs, op, rhs)`` with SymPy expressions and the normalised operator.

    Examples
    --------
    >>> import sympy
    >>> x = sympy.Symbol("x", real=True)
    >>> parse_relation("tanh(x) == 2*σ(2*x) - 1", variables={"x": x})[1]
    '='
    """
    if looks_like_latex(text):
        return parse_latex_relation(text, variables=variables, functions=functions)
    return parse_text_relation(text, variables=variables, functions=functions)


def parse_expression(
    text: str,
    *,
    variables: Mapping[str, sympy.Symbol],
    functions: Mapping[str, Callable[..., sympy.Expr]] | None = None,
) -> sympy.Expr:
    r"""Parse one expression written as plain text or LaTeX.

    >>> import sympy
    >>> x = sympy.Symbol("x", real=True)
    >>> parse_expression(r"\ln(1+e^{x})", variables={"x": x})
    log(exp(x) + 1)
    """
    if looks_like_latex(text):
        return parse_latex(text, variables=variables, functions=functions)
    return parse_text(text, variables=variables, functions=functions)


def display_formula(
    text: str,
    *,
    variables: Mapping[str, sympy.Symbol],
    functions: Mapping[str, Callable[..., sympy.Expr]] | None = None,
    relation: bool = False,
) -> tuple[str, str]:
    r"""A formula as written, as ``(latex, text)``: named functions and derivatives kept as named.

    ``tanh'(x) = 1 - tanh(x)^2`` shows as :math:`\tanh'(x) = 1 - \tanh^{2}(x)`,
    not as the formula of the derivative.  Raises like :func:`parse_relation`
    (``relation=True``) or :func:`parse_expression`.

    >>> import sympy
    >>> x = sympy.Symbol("x", real=True)
    >>> display_formula("sigmoid'(x) <= 1/4", variables={"x": x}, relation=True)
    ("{\\sigma'}\\left(x \\right) \\le \\frac{1}{4}", "sigmoid'(x) <= 1/4")
    """
    if relation:
        (ltex, ltxt, _), op, (rtex, rtxt, _) = display_sides(text, variables=variables, functions=functions)
        return f"{ltex} {_REL_TEX[op]} {rtex}", f"{ltxt} {_REL_TEXT[op]} {rtxt}"
    table = DisplayTable(functions)
    one = (parse_latex if looks_like_latex(text) else parse_text)(text, variables=variables, table=table)
    return table.latex(one), table.text(one)


def display_sides(
    text: str,
    *,
    variables: Mapping[str, sympy.Symbol],
    functions: Mapping[str, Callable[..., sympy.Expr]] | None = None,
) -> tuple[tuple[str, str, bool], str, tuple[str, str, bool]]:
    r"""The two sides of a relation as written: ``((latex, text, has_variable), op, (...))``.

    >>> import sympy
    >>> x = sympy.Symbol("x", real=True)
    >>> display_sides("tanh(x) <= 1", variables={"x": x})
    (('\\tanh\\left(x \\right)', 'tanh(x)', True), '<=', ('1', '1', False))
    """
    table = DisplayTable(functions)
    read = parse_latex_relation if looks_like_latex(text) else parse_text_relation
    lhs, op, rhs = read(text, variables=variables, table=table)
    names = set(variables.values())
    return ((table.latex(lhs), table.text(lhs), bool(lhs.free_symbols & names)), op,
            (table.latex(rhs), table.text(rhs), bool(rhs.free_symbols & names)))
