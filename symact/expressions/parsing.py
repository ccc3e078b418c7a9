r"""Safe parsing of user-written formulas into SymPy expressions.

Nothing here executes user text.  Plain text is read with :func:`ast.parse` in
``"eval"`` mode and the resulting tree is walked against an explicit whitelist
(numbers, declared variables, a few constants, arithmetic and calls of
whitelisted functions); the SymPy expression is built node by node.  LaTeX is
read by the hand-written parser in :mod:`symact.expressions.latex`;
:func:`symact.expressions.reading.parse_relation` detects which of the two a string is and dispatches.

Anything outside the grammar raises :class:`~symact.core.errors.UnsafeExpression`
naming the offending part and listing what is accepted.  Limits keep every
call fast, and each is checked before the work it bounds starts:

- at most :data:`MAX_LENGTH` (2000) characters, no control characters;
- brackets nested at most :data:`MAX_DEPTH` (100) deep (a long flat sum such as
  ``max(0, x) + max(0, x - 1) + ...`` is not nesting);
- integer literals of at most :data:`MAX_DIGITS` (1000) digits and numeric
  exponents of magnitude at most :data:`MAX_EXPONENT` (``10**4``), with a bound
  on the size of the number a power would produce;
- derivatives (``diff``, ``d/dx``, primes) of total order at most
  :data:`MAX_DIFF_ORDER` (10) in one formula, and a derivative's result at
  most :data:`MAX_NODES` nodes;
- reading one formula takes at most :data:`PARSE_BUDGET` seconds (less when
  an enclosing budget ends sooner; see :mod:`symact.core.budget`).

>>> import sympy
>>> x = sympy.Symbol("x", real=True)
>>> parse_text("x^2/2 + 0.01*x", variables={"x": x})
x**2/2 + x/100
>>> parse_text_relation("sigmoid'(x) <= 1/4", variables={"x": x})
(exp(-x)/(1 + exp(-x))**2, '<=', 1/4)
"""

from __future__ import annotations

import ast
import difflib
import re
import unicodedata
from collections.abc import Callable, Mapping

import sympy

from ..core.budget import check_deadline
from ..core.errors import UnsafeExpression
from .grammar import CONSTANTS, GREEK, FunctionTable, number_from_text, safe_pow
from .textlimits import (
    MAX_DEPTH,
    MAX_DIFF_ORDER,
    MAX_DIGITS,
    MAX_LENGTH,
    MAX_NODES,
    PARSE_BUDGET,
    check_length,
    parse_budget,
)

__all__ = [
    "public_text",
    "MAX_DEPTH",
    "MAX_DIFF_ORDER",
    "MAX_LENGTH",
    "MAX_NODES",
    "PARSE_BUDGET",
    "check_length",
    "looks_like_latex",
    "parse_budget",
    "parse_text",
    "parse_text_relation",
]

_MAX_DIFF_ORDER = MAX_DIFF_ORDER
RELATIONS = ("=", "<=", "<", ">=", ">")


# --------------------------------------------------------------------------- plain text
_RESERVED = "_symact_"
_UNICODE = {
    "·": "*", "⋅": "*", "×": "*", "∗": "*", "−": "-", "–": "-", "÷": "/", "²": "**2",
    "³": "**3", "≤": "<=", "≥": ">=", "≠": "!=", "π": "pi", "∞": "oo", "’": "'", "′": "'",
    "″": "''", "√": "sqrt",
}  # fmt: skip
_SQRT_ATOM = re.compile(r"sqrt\s*(?=[^\s(])([A-Za-z_]\w*|\d+(?:\.\d*)?)")
_PRIME_CALL = re.compile(r"(?<![\w'])([A-Za-z_]\w*)\s*('{1,9})\s*(?=\()")
_DDX_CALL = re.compile(r"(?<!\w)d(?:\*\*(\d))?\s*/\s*d([A-Za-z_]\w*?)(?:\*\*(\d))?\s*(?=\()")
_INTERNAL_PRIME = re.compile(r"_symact_d(\d)_(\w+)\Z")
_INTERNAL_DDX = re.compile(r"_symact_dd(\d)_(\w+)\Z")


def _prepare_text(text: str) -> str:
    text = check_length(text)
    if "\\" in text:
        raise UnsafeExpression(
            "backslashes are not part of plain-text formulas; this looks like LaTeX: "
            "use parse_latex (or parse_relation, which detects LaTeX)"
        )
    text = re.sub(
        r"[σΦφ](?=\s*['’′]*\s*\()", lambda m: {"σ": "sigmoid", "Φ": "Phi", "φ": "phi"}[m[0]], text
    )
    for old, new in _UNICODE.items():
        text = text.replace(old, new)
    text = _SQRT_ATOM.sub(r"sqrt(\1)", text)
    text = check_length(unicodedata.normalize("NFKC", text))
    if _RESERVED in text.casefold():
        raise UnsafeExpression("names beginning with an underscore and 'symact' are reserved for the "
                               "reader's own use; accepted: plain names such as x, relu, sigmoid")
    text = text.replace("^", "**")
    text = _PRIME_CALL.sub(lambda m: f"{_RESERVED}d{len(m[2])}_{m[1]}", text)
    return _DDX_CALL.sub(lambda m: f"{_RESERVED}dd{m[1] or m[3] or 1}_{m[2]}", text)


_NODE_NAMES = {
    ast.Attribute: "attribute access ('.')", ast.Subscript: "subscripts ('[...]')",
    ast.Lambda: "lambda", ast.ListComp: "comprehensions", ast.SetComp: "comprehensions",
    ast.DictComp: "comprehensions", ast.GeneratorExp: "generator expressions",
    ast.NamedExpr: "assignment expressions (':=')", ast.BoolOp: "boolean operators (and/or)",
    ast.IfExp: "conditional expressions (if/else)", ast.JoinedStr: "f-strings",
    ast.FormattedValue: "f-strings", ast.Tuple: "tuples", ast.List: "lists",
    ast.Set: "sets", ast.Dict: "dicts", ast.Starred: "starred arguments",
    ast.Await: "await", ast.Yield: "yield", ast.YieldFrom: "yield", ast.Slice: "slices",
    ast.Compare: "comparisons",
}  # fmt: skip
_OPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}


class _TextBuilder:
    """Build a SymPy expression from a whitelisted Python AST."""

    def __init__(
        self, source: str, variables: Mapping[str, sympy.Symbol], table: FunctionTable
    ) -> None:
        self.source = source
        self.variables = dict(variables)
        self.table = table

    def accepted(self) -> str:
        names = ", ".join(sorted(self.variables)) or "(none)"
        return (
            f"Accepted: numbers, the variables {names}, the constants pi, e, oo, "
            "the operators + - * / ** ^, and calls such as exp(x), log(x), tanh(x), "
            "max(0, x), sigmoid'(x), d/dx(...)."
        )

    def reject(self, node: ast.AST, what: str) -> UnsafeExpression:
        seg = public_text(ast.get_source_segment(self.source, node) or "")
        seg = seg if len(seg) <= 60 else seg[:57] + "..."
        return UnsafeExpression(f"{what} not allowed: {seg!r}. {self.accepted()}")

    def build(self, node: ast.AST, depth: int = 0) -> sympy.Expr:
        if depth > MAX_DEPTH:
            raise UnsafeExpression(f"expression nested more than {MAX_DEPTH} deep")
        check_deadline()
        d = depth + 1
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Sub | ast.Mult | ast.Div):
            return self.chain(node, d)
        if isinstance(node, ast.Expression):
            return self.build(node.body, d)
        if isinstance(node, ast.Constant):
            return self.constant(node)
        if isinstance(node, ast.Name):
            return self.name(node)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
            value = self.build(node.operand, d)
            return -value if isinstance(node.op, ast.USub) else value
        if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
            left, right = self.build(node.left, d), self.build(node.right, d)
            if isinstance(node.op, ast.Add):
                return left + right
            if isinstance(node.op, ast.Sub):
                return left - right
            if isinstance(node.op, ast.Mult):
                return left * right
            if isinstance(node.op, ast.Div):
                return left / right
            return safe_pow(left, right)
        if isinstance(node, ast.Call):
            return self.call(node, d)
        if isinstance(node, ast.BinOp | ast.UnaryOp):
            op = type(node.op).__name__
            raise self.reject(node, f"the operator {op}")
        raise self.reject(node, _NODE_NAMES.get(type(node), type(node).__name__))

    def chain(self, node: ast.BinOp, depth: int) -> sympy.Expr:
        """A flat sum ``a + b - c ...`` or product ``a * b / c ...`` (not nesting)."""
        adds = isinstance(node.op, ast.Add | ast.Sub)
        ops = (ast.Add, ast.Sub) if adds else (ast.Mult, ast.Div)
        tail: list[tuple[ast.operator, ast.expr]] = []
        cur: ast.expr = node
        while isinstance(cur, ast.BinOp) and isinstance(cur.op, ops):
            tail.append((cur.op, cur.right))
            cur = cur.left
        items = [self.build(cur, depth)]
        for op, right in reversed(tail):
            value = self.build(right, depth)
            if isinstance(op, ast.Sub):
                value = -value
            elif isinstance(op, ast.Div):
                value = 1 / value
            items.append(value)
        return sympy.Add(*items) if adds else sympy.Mul(*items)

    def constant(self, node: ast.Constant) -> sympy.Expr:
        value = node.value
        if isinstance(value, bool) or value is None or value is Ellipsis:
            raise self.reject(node, f"the constant {value!r} is")
        if isinstance(value, int):
            if len(str(abs(value))) > MAX_DIGITS:
                raise UnsafeExpression(f"integer literal with more than {MAX_DIGITS} digits")
            return sympy.Integer(value)
        if isinstance(value, float):
            return number_from_text(ast.get_source_segment(self.source, node) or repr(value))
        kind = {str: "strings are", bytes: "bytes are", complex: "complex numbers are"}
        raise self.reject(node, kind.get(type(value), f"{type(value).__name__} literals are"))

    def name(self, node: ast.Name) -> sympy.Expr:
        ident = node.id
        if ident.startswith("__") or ident.startswith(_RESERVED):
            raise self.reject(node, "dunder and reserved names are")
        if ident in self.variables:
            return self.variables[ident]
        if GREEK.get(ident) in self.variables:
            return self.variables[GREEK[ident]]
        if ident in CONSTANTS:
            return CONSTANTS[ident]
        if self.table.lookup(ident) is not None:
            raise UnsafeExpression(f"the function {ident!r} must be called, e.g. {ident}(x)")
        known = sorted(self.variables) + sorted(CONSTANTS)
        close = difflib.get_close_matches(ident, known, n=3, cutoff=0.6)
        hint = f" Did you mean {', '.join(map(repr, close))}?" if close else ""
        raise UnsafeExpression(f"unknown name {ident!r}.{hint} {self.accepted()}")

    def call(self, node: ast.Call, depth: int) -> sympy.Expr:
        if not isinstance(node.func, ast.Name):
            raise self.reject(node, "calling anything but a plain function name is")
        if node.keywords:
            raise self.reject(node, "keyword arguments are")
        for arg in node.args:
            if isinstance(arg, ast.Starred):
                raise self.reject(arg, "starred arguments are")
        fname = node.func.id
        if fname.startswith("__"):
            raise self.reject(node, "dunder names are")
        if m := _INTERNAL_PRIME.match(fname):
            order, target = int(m[1]), m[2]
            if self.table.lookup(target) is None:
                raise self.table.unknown(target)
            if len(node.args) != 1:
                raise self.reject(node, "a derivative f'(u) takes exactly one argument;")
            return self.table.derivative(target, order, self.build(node.args[0], depth))
        if m := _INTERNAL_DDX.match(fname):
            var = self.variable(m[2], node)
            if len(node.args) != 1:
                raise self.reject(node, "d/dx(...) takes exactly one argument;")
            return self.table.diff(self.build(node.args[0], depth), var, int(m[1]))
        if fname.startswith(_RESERVED):
            raise self.reject(node, "reserved names are")
        if fname == "diff":
            return self.diff(node, depth)
        if fname in self.variables:
            raise self.reject(node, f"{fname!r} is a variable, not a function; calling it is")
        if self.table.lookup(fname) is None:
            raise self.table.unknown(fname)
        return self.table.call(fname, [self.build(a, depth) for a in node.args])

    def variable(self, ident: str, node: ast.AST) -> sympy.Symbol:
        if ident not in self.variables:
            accepted = ", ".join(sorted(self.variables)) or "(none)"
            raise self.reject(
                node, f"differentiating with respect to {ident!r} (accepted: {accepted}) is"
            )
        return self.variables[ident]

    def diff(self, node: ast.Call, depth: int) -> sympy.Expr:
        args = node.args
        if not 1 <= len(args) <= 3:
            raise self.reject(node, "diff takes diff(expr), diff(expr, x) or diff(expr, x, n);")
        if len(args) >= 2:
            if not isinstance(args[1], ast.Name):
                raise self.reject(args[1], "diff's second argument must be a variable name;")
            var = self.variable(args[1].id, args[1])
        else:
            var = self.variable("x", node)
        order = 1
        if len(args) == 3:
            a = args[2]
            if not (isinstance(a, ast.Constant) and type(a.value) is int):
                raise self.reject(a, "diff's order must be an integer literal;")
            order = a.value
            if not 1 <= order <= _MAX_DIFF_ORDER:
                raise self.reject(a, f"diff's order must be 1..{_MAX_DIFF_ORDER};")
        return self.table.diff(self.build(args[0], depth), var, order)


def public_text(text: str) -> str:
    """``text`` with the reader's internal names written back as the user wrote them.

    >>> public_text("_symact_d1_sigmoid(x) <= 1/4 and _symact_dd2_x(f)")
    "sigmoid'(x) <= 1/4 and d^2/dx^2(f)"
    """
    text = re.sub(r"_symact_d(\d)_(\w+?)(?=\s*\(|\b)", lambda m: m[2] + "'" * int(m[1]), text)
    return re.sub(r"_symact_dd(\d)_(\w+?)(?=\s*\(|\b)",
                  lambda m: f"d/d{m[2]}" if m[1] == "1" else f"d^{m[1]}/d{m[2]}^{m[1]}", text)


def _parse_tree(text: str, original: str | None = None) -> ast.Expression:
    try:
        return ast.parse(text, mode="eval")
    except SyntaxError as exc:
        near = ""
        if exc.offset and 0 < exc.offset <= len(text):
            near = f" near {public_text(text[exc.offset - 1:])[:40]!r}"
        shown = original if original is not None else public_text(text)
        raise UnsafeExpression(
            f"cannot read {shown!r}: {exc.msg}{near}. Write arithmetic such as 'x/(1 + exp(-x))'"
        ) from exc
    except (RecursionError, MemoryError, ValueError) as exc:
        raise UnsafeExpression(f"cannot read expression: {exc}") from exc


def _build(builder: _TextBuilder, node: ast.AST) -> sympy.Expr:
    try:
        value = builder.build(node)
    except UnsafeExpression:
        raise
    except (TypeError, ValueError, ArithmeticError, RecursionError) as exc:
        raise UnsafeExpression(f"cannot build expression: {public_text(str(exc))[:300]}") from exc
    if not isinstance(value, sympy.Expr):
        raise UnsafeExpression(f"not an expression: {value!r}")
    return value


def parse_text(
    text: str,
    *,
    variables: Mapping[str, sympy.Symbol],
    functions: Mapping[str, Callable[..., sympy.Expr]] | None = None,
    table: FunctionTable | None = None,
) -> sympy.Expr:
    r"""Parse a plain-text formula into a SymPy expression, without executing it.

    Parameters
    ----------
    text : str
        A formula such as ``"x/(1 + exp(-x))"``.  ``^`` means power; floats
        become exact rationals; ``f'(u)``, ``f''(u)``, ``diff(expr)`` and
        ``d/dx(expr)`` denote derivatives; ``σ Φ · × − ² ³ √`` are accepted.
    variables : Mapping[str, sympy.Symbol]
        The accepted free names and their symbols.
    functions : Mapping[str, Callable], optional
        Extra functions (e.g. the activation catalogue), looked up exactly and
        then case-insensitively.
    table : FunctionTable, optional
        The function table to read with (default: one built from ``functions``;
        a :class:`~symact.expressions.grammar.DisplayTable` keeps names as written).

    Returns
    -------
    sympy.Expr

    Raises
    ------
    UnsafeExpression
        For anything outside the grammar, naming the offending part.

    Examples
    --------
    >>> import sympy
    >>> x = sympy.Symbol("x", real=True)
    >>> parse_text("x*Phi(x)", variables={"x": x})
    x*(erf(sqrt(2)*x/2)/2 + 1/2)
    >>> parse_text("d/dx(tanh(x))", variables={"x": x})
    1 - tanh(x)**2
    >>> parse_text("x.__class__", variables={"x": x})
    Traceback (most recent call last):
    ...
    symact.core.errors.UnsafeExpression: attribute access ('.') not allowed: 'x.__class__'. ...
    """
    source = _prepare_text(text)
    tree = _parse_tree(source, text)
    if isinstance(tree.body, ast.Compare):
        raise UnsafeExpression(
            f"{text!r} is a relation, not an expression; use parse_relation for 'a <= b'"
        )
    with parse_budget():
        return _build(_TextBuilder(source, variables, table or FunctionTable(functions)), tree)


_CMP = {ast.Eq: "=", ast.LtE: "<=", ast.Lt: "<", ast.GtE: ">=", ast.Gt: ">"}


def looks_like_latex(text: str) -> bool:
    r"""Whether ``text`` should be read as LaTeX: it has a backslash, a brace or a ``$``.

    >>> looks_like_latex(r"\frac{1}{1+e^{-x}}"), looks_like_latex("1/(1+exp(-x))")
    (True, False)
    """
    return any(ch in text for ch in "\\{}$")


def parse_text_relation(
    text: str,
    *,
    variables: Mapping[str, sympy.Symbol],
    functions: Mapping[str, Callable[..., sympy.Expr]] | None = None,
    table: FunctionTable | None = None,
) -> tuple[sympy.Expr, str, sympy.Expr]:
    r"""Parse ``lhs OP rhs`` written as plain text (see :func:`symact.expressions.reading.parse_relation`).

    >>> import sympy
    >>> x = sympy.Symbol("x", real=True)
    >>> parse_text_relation("tanh(x) <= 1", variables={"x": x})[1]
    '<='
    """
    source = _prepare_text(text)
    source = re.sub(r"(?<![<>=!])=(?!=)", "==", source)
    tree = _parse_tree(source, text)
    body = tree.body
    if not isinstance(body, ast.Compare) or len(body.ops) != 1:
        raise UnsafeExpression(
            f"expected exactly one relation 'lhs OP rhs' with OP one of {', '.join(RELATIONS)}; "
            f"got {text!r}"
        )
    op = _CMP.get(type(body.ops[0]))
    if op is None:
        raise UnsafeExpression(
            f"unsupported relation in {text!r}; use one of {', '.join(RELATIONS)}"
        )
    builder = _TextBuilder(source, variables, table or FunctionTable(functions))
    with parse_budget():
        return _build(builder, body.left), op, _build(builder, body.comparators[0])
