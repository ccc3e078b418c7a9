r"""Read hand-written LaTeX formulas into SymPy expressions.

A small tokenizer and recursive-descent parser for the LaTeX people actually
write about activation functions: ``\frac{1}{1+e^{-x}}``, ``x\Phi(x)``,
``\sigma'(x) = \sigma(x)(1-\sigma(x))``, ``\frac{d}{dx}\tanh(x)``.  Unlike
SymPy's own LaTeX parser it reads ``e`` as Euler's number, treats
juxtaposition as multiplication, knows ``\sigma`` and ``\Phi`` as the logistic
function and the normal CDF, and needs no parser generator.  Nothing is ever
executed; unknown commands and names raise
:class:`~symact.core.errors.UnsafeExpression` listing what is accepted.

Precedence, loosest first: relation; ``+ -``; ``* / \cdot \times`` and
juxtaposition; unary minus; ``^``; primes and function application.

>>> import sympy
>>> x = sympy.Symbol("x", real=True)
>>> parse_latex(r"\frac{x}{2}\left(1+\operatorname{erf}\left(\frac{x}{\sqrt{2}}\right)\right)",
...             variables={"x": x})
x*(erf(sqrt(2)*x/2) + 1)/2
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from typing import Any

import sympy

from ..core.budget import check_deadline
from ..core.errors import UnsafeExpression
from .latex_lexer import (
    CONSTANT_CMDS,
    FUNCTION_CMDS,
    GREEK_CMDS,
    INVERSES,
    OPENERS,
    Tok,
    lex,
    strip_latex,
)
from .parsing import (
    MAX_DEPTH,
    RELATIONS,
    FunctionTable,
    number_from_text,
    parse_budget,
    safe_pow,
)

__all__ = ["parse_latex", "parse_latex_relation"]

# commands a formula may use besides function names (for "did you mean")
_COMMANDS = ("frac", "dfrac", "tfrac", "sqrt", "cdot", "times", "left", "right", "le", "leq", "ge", "geq",
             "exp", "ln", "log", "tanh", "sinh", "cosh", "arctan", "max", "min", "operatorname", "mathrm")


class _Parser:
    def __init__(
        self, toks: list[Tok], variables: Mapping[str, sympy.Symbol], table: FunctionTable
    ) -> None:
        self.toks = toks
        self.i = 0
        self.variables = dict(variables)
        self.table = table
        self.depth = 0
        self.bars = 0

    # -- helpers ---------------------------------------------------------------------------
    def peek(self, k: int = 0) -> Tok:
        return self.toks[min(self.i + k, len(self.toks) - 1)]

    def next(self) -> Tok:
        t = self.peek()
        self.i += 1
        return t

    def error(self, what: str, tok: Tok | None = None, near: str | None = None) -> UnsafeExpression:
        tok = tok or self.peek()
        names = ", ".join(sorted(self.variables)) or "(none)"
        hint = ""
        if near:
            word = near.lstrip("\\")
            if near.startswith("\\"):
                known = {n: rf"\operatorname{{{n}}}" for n in self.table.names()}
                known.update({c: f"\\{c}" for c in (*FUNCTION_CMDS, *CONSTANT_CMDS, *_COMMANDS, *GREEK_CMDS)})
            else:
                known = {n: n for n in self.table.names()}
            close = [known[c] for c in difflib.get_close_matches(word, list(known), n=3, cutoff=0.6)]
            hint = f" Did you mean {', '.join(close)}?" if close else ""
        return UnsafeExpression(
            f"{what} (at position {tok.pos}).{hint} Accepted: numbers, the variables {names}, "
            r"e, \pi, \infty, + - \cdot \times / ^, \frac, \sqrt, \left( \right), |...|, "
            r"\exp \ln \log \tanh \sinh \cosh \arctan \max \min, \sigma (logistic), \Phi (normal CDF), "
            r"\operatorname{name} for a function or activation such as \operatorname{relu} or "
            r"\operatorname{gelu} (the names: symact list), primes f'(x) and \frac{d}{dx}."
        )

    def expect(self, kind: str, text: str | None = None) -> Tok:
        t = self.peek()
        if t.kind != kind or (text is not None and t.text != text):
            raise self.error(f"expected {text or kind!r} but found {t.text or 'the end'!r}")
        return self.next()

    def split_first(self) -> Tok:
        """Take the first character of a number or word token (TeX single-token args)."""
        t = self.peek()
        if t.kind in ("num", "word") and len(t.text) > 1:
            self.toks[self.i] = Tok(t.kind, t.text[1:], t.pos + 1)
            return Tok(t.kind, t.text[0], t.pos)
        return self.next()

    # -- grammar ---------------------------------------------------------------------------
    def expr(self) -> sympy.Expr:
        self.enter()
        value = self.term()
        while self.peek().kind == "op" and self.peek().text in "+-":
            op = self.next().text
            rhs = self.term()
            value = value + rhs if op == "+" else value - rhs
        self.depth -= 1
        return value

    def starts_factor(self, t: Tok) -> bool:
        if t.kind in ("num", "word", "name", "open", "{"):
            return True
        if t.kind == "bar":
            return t.side == "open" or (t.side == "" and self.bars == 0)
        return t.kind == "cmd"

    def term(self) -> sympy.Expr:
        value = self.unary()
        while True:
            t = self.peek()
            if t.kind == "op" and t.text in "*/":
                self.next()
                rhs = self.unary()
                value = value * rhs if t.text == "*" else value / rhs
            elif self.starts_factor(t):
                value = value * self.unary()
            else:
                return value

    def unary(self) -> sympy.Expr:
        sign = 1
        while self.peek().kind == "op" and self.peek().text in "+-":
            sign = -sign if self.next().text == "-" else sign
        deriv = self.derivative_operator()
        if deriv is not None:
            var, order = deriv
            if not self.starts_factor(self.peek()) and self.peek().text != "-":
                raise self.error(r"\frac{d}{dx} must be followed by what it differentiates")
            value = self.table.diff(self.term(), var, order)
        else:
            value = self.power()
        return -value if sign < 0 else value

    def power(self) -> sympy.Expr:
        base = self.postfix()
        if self.peek().kind == "op" and self.peek().text == "^":
            self.next()
            base = safe_pow(base, self.superscript())
        if self.peek().kind == "op" and self.peek().text in "^'":
            raise self.error(f"unexpected {self.peek().text!r}; use braces, e.g. x^{{a^b}}")
        return base

    def superscript(self) -> sympy.Expr:
        t = self.peek()
        if t.kind == "op" and t.text in "+-":
            self.next()
            value = self.superscript()
            return -value if t.text == "-" else value
        return self.argument()

    def argument(self) -> sympy.Expr:
        """A TeX macro argument: ``{...}``, one digit, one letter, or one command."""
        t = self.peek()
        if t.kind == "{":
            self.next()
            value = self.group_body("}")
            return value
        if t.kind in ("num", "word"):
            tok = self.split_first()
            return number_from_text(tok.text) if tok.kind == "num" else self.named(tok.text, tok)
        if t.kind in ("cmd", "name", "open", "bar"):
            return self.postfix()
        raise self.error(f"expected an argument but found {t.text or 'the end'!r}")

    def group_body(self, closer: str) -> sympy.Expr:
        saved, self.bars = self.bars, 0
        value = self.expr()
        self.bars = saved
        t = self.peek()
        if t.kind not in ("close", "}") or t.text != closer:
            raise self.error(f"expected {closer!r} but found {t.text or 'the end'!r}")
        self.next()
        return value

    def enter(self, units: int = 1) -> None:
        """Count nesting: a bracket level costs two units, 2 * MAX_DEPTH in all."""
        self.depth += units
        check_deadline()
        if self.depth > 2 * MAX_DEPTH:
            raise self.error(f"formula nested more than {MAX_DEPTH} deep")

    def postfix(self) -> sympy.Expr:
        self.enter()
        fname = self.function_name(self.peek())
        if fname is not None:
            self.next()
            value = self.application(fname)
        else:
            value = self.primary()
        self.depth -= 1
        return value

    def function_name(self, t: Tok) -> str | None:
        name = t.text
        if t.kind == "cmd":
            if name in self.variables and name not in GREEK_CMDS:
                raise self.error(f"\\{name} is not a LaTeX command; write {name} without it", t)
            if name in self.variables or name in CONSTANT_CMDS or name == "sqrt":
                return None
            name = FUNCTION_CMDS.get(name, name)
        elif t.kind == "name":
            if name in self.variables or name in ("e", "d"):
                return None
        elif t.kind == "word":
            # one letter is a product of variables, except W (Lambert W) applied to an argument
            if name in self.variables or (len(name) < 2 and name != "W"):
                return None
        else:
            return None
        return name if self.table.lookup(name) is not None else None

    def application(self, fname: str) -> sympy.Expr:
        order, power = 0, None
        while True:
            t = self.peek()
            if t.kind == "op" and t.text == "'":
                self.next()
                order += 1
            elif t.kind == "op" and t.text == "^" and power is None:
                self.next()
                power = self.superscript()
            elif t.kind == "op" and t.text == "_" and fname == "log":
                self.next()
                base = self.argument()
                arg = self.call_args(fname)
                return self.table.call("log", [*arg, base])
            elif t.kind == "op" and t.text == "_" and self.table.lookup(fname) is sympy.LambertW:
                self.next()  # W_0 (principal branch) or W_{-1}: the two real branches
                branch = self.argument()
                if branch not in (0, -1):
                    raise self.error(f"the real branches of Lambert W are W_0 and W_{{-1}}, not W_{{{branch}}}", t)
                arg = self.call_args(fname)
                if len(arg) != 1:
                    raise self.error("W_k takes exactly one argument", t)
                value = sympy.LambertW(arg[0], branch) if branch else sympy.LambertW(arg[0])
                return value if power is None else safe_pow(value, power)
            else:
                break
        if power == -1 and fname in INVERSES:
            fname, power = INVERSES[fname], None
        args = self.call_args(fname)
        if order:
            if len(args) != 1:
                raise self.error(f"{fname}' takes exactly one argument")
            value = self.table.derivative(fname, order, args[0])
        else:
            value = self.table.call(fname, args)
        return value if power is None else safe_pow(value, power)

    def call_args(self, fname: str) -> list[sympy.Expr]:
        t = self.peek()
        if t.kind in ("open", "{"):
            opener = self.next()
            closer = "}" if t.kind == "{" else OPENERS[opener.text]
            saved, self.bars = self.bars, 0
            args = [self.expr()]
            while self.peek().kind == "op" and self.peek().text == ",":
                self.next()
                args.append(self.expr())
            self.bars = saved
            end = self.peek()
            if end.kind not in ("close", "}") or end.text != closer:
                raise self.error(f"expected {closer!r} closing the arguments of {fname}")
            self.next()
            return args
        if not self.starts_factor(t) and not (t.kind == "op" and t.text in "+-"):
            raise self.error(f"{fname} needs an argument, e.g. {fname}(x)")
        # \ln x, \sin 2x: the argument runs over numbers and letters
        self.enter()
        arg = self.unary()
        while self.peek().kind in ("num", "word") and self.function_name(self.peek()) is None:
            arg = arg * self.power()
        self.depth -= 1
        return [arg]

    def primary(self) -> sympy.Expr:
        t = self.peek()
        if t.kind == "num":
            return number_from_text(self.next().text)
        if t.kind == "word":
            if t.text in self.variables:
                self.next()
                return self.subscripted(t.text, t)
            tok = self.split_first()
            return self.named(tok.text, tok)
        if t.kind == "name":
            self.next()
            return self.named(t.text, t)
        if t.kind == "open":
            self.next()
            return self.group_body(OPENERS[t.text])
        if t.kind == "{":
            self.next()
            return self.group_body("}")
        if t.kind == "bar" and t.side != "close":
            self.next()
            self.bars += 1
            value = self.expr()
            self.bars -= 1
            end = self.peek()
            if end.kind != "bar" or end.side == "open":
                raise self.error("expected '|' closing an absolute value")
            self.next()
            return sympy.Abs(value)
        if t.kind == "cmd":
            return self.command(self.next())
        raise self.error(f"unexpected {t.text or 'end of formula'!r}")

    def named(self, name: str, tok: Tok) -> sympy.Expr:
        if name in self.variables:
            return self.subscripted(name, tok)
        if name == "e":
            return sympy.E
        if self.peek().kind == "op" and self.peek().text == "_":
            return self.subscripted(name, tok)
        if self.table.lookup(name) is not None:
            raise self.error(f"{name} must be applied to an argument, e.g. {name}(x)", tok)
        raise self.error(f"unknown name {name!r}", tok, near=name)

    def subscripted(self, name: str, tok: Tok) -> sympy.Expr:
        if not (self.peek().kind == "op" and self.peek().text == "_"):
            if name in self.variables:
                return self.variables[name]
            raise self.error(f"unknown name {name!r}", tok)
        self.next()
        t = self.peek()
        if t.kind == "{":
            self.next()
            parts = []
            while self.peek().kind in ("num", "word", "cmd"):
                parts.append(self.next().text)
            self.expect("}")
            sub = "".join(parts)
        elif t.kind in ("num", "word"):
            sub = self.split_first().text
        elif t.kind == "cmd":
            sub = self.next().text
        else:
            raise self.error("expected a subscript after '_'")
        for cand in (f"{name}_{sub}", f"{name}{sub}"):
            if cand in self.variables:
                return self.variables[cand]
        raise self.error(f"unknown name {name}_{sub!r}", tok)

    def command(self, tok: Tok) -> sympy.Expr:
        name = tok.text
        if name in self.variables and name not in GREEK_CMDS:
            raise self.error(f"\\{name} is not a LaTeX command; write {name} without it", tok)
        if name in self.variables:
            return self.subscripted(name, tok)
        if name in CONSTANT_CMDS:
            return CONSTANT_CMDS[name]
        if name not in ("frac", "dfrac", "tfrac", "cfrac", "sqrt"):
            raise self.error(f"unknown command \\{name}" if name.strip() and name.isprintable()
                             else f"unknown command: a backslash followed by {name!r}", tok,
                             near=f"\\{name}" if name.strip() and name.isprintable() else None)
        self.enter()  # \frac and \sqrt nest without brackets: count a level
        if name == "sqrt":
            index: sympy.Expr = sympy.Integer(2)
            if self.peek().kind == "open" and self.peek().text == "[":
                self.next()
                index = self.group_body("]")
            value = safe_pow(self.argument(), 1 / index)
        else:
            num = self.argument()
            value = num / self.argument()
        self.depth -= 1
        return value

    # -- d/dx ------------------------------------------------------------------------------
    def _arg_tokens(self, j: int) -> tuple[list[Tok], int] | None:
        t = self.toks[j]
        if t.kind != "{":
            return ([t], j + 1) if t.kind != "end" else None
        level, k = 0, j
        while self.toks[k].kind != "end":
            level += {"{": 1, "}": -1}.get(self.toks[k].kind, 0)
            if level == 0:
                return self.toks[j + 1 : k], k + 1
            k += 1
        return None

    @staticmethod
    def _is_d(t: Tok) -> bool:
        return (t.kind in ("word", "name") and t.text == "d") or (
            t.kind == "cmd" and t.text == "partial"
        )

    def _order(self, toks: list[Tok]) -> int | None:
        texts = [t.text for t in toks if t.kind not in ("{", "}")]
        if not texts:
            return 1
        if texts[0] == "^" and len(texts) == 2 and texts[1].isdigit():
            return int(texts[1])
        return None

    def derivative_operator(self) -> tuple[sympy.Symbol, int] | None:
        t = self.peek()
        if t.kind != "cmd" or t.text not in ("frac", "dfrac", "tfrac"):
            return None
        num = self._arg_tokens(self.i + 1)
        if num is None:
            return None
        den = self._arg_tokens(num[1])
        if den is None:
            return None
        ntoks, dtoks = num[0], den[0]
        # expand words such as "dx" into letters
        dflat: list[Tok] = []
        for tok in dtoks:
            if tok.kind == "word" and tok.text.startswith("d") and len(tok.text) > 1 and not dflat:
                dflat += [Tok("word", "d", tok.pos), Tok("word", tok.text[1:], tok.pos + 1)]
            else:
                dflat.append(tok)
        if not ntoks or not self._is_d(ntoks[0]) or len(dflat) < 2 or not self._is_d(dflat[0]):
            return None
        var_tok = dflat[1]
        var_name = var_tok.text
        if var_name not in self.variables:
            if var_tok.kind == "word" and len(var_name) > 1:
                var_name = var_name[0] if var_name[0] in self.variables else var_name
            if var_name not in self.variables:
                names = ", ".join(sorted(self.variables)) or "(none)"
                raise self.error(
                    f"cannot differentiate with respect to {var_tok.text!r}; "
                    f"declared variables: {names}",
                    var_tok,
                )
        n1, n2 = self._order(ntoks[1:]), self._order(dflat[2:])
        if n1 is None or n2 is None or n1 != n2:
            return None
        self.i = den[1]
        return self.variables[var_name], n1


def _parser(
    text: str,
    variables: Mapping[str, sympy.Symbol],
    functions: Mapping[str, Callable[..., Any]] | None,
    table: FunctionTable | None = None,
) -> _Parser:
    # W is the Lambert W function in LaTeX (W(e^{-1}), W_0(x), W_{-1}(x)) unless it is a variable
    if table is None:
        table = FunctionTable({"W": sympy.LambertW, **(functions or {})})
    return _Parser(lex(strip_latex(text)), variables, table)


def _run(parser: _Parser, relation: bool) -> Any:
    try:
        lhs = parser.expr()
        if not relation:
            if parser.peek().kind == "rel":
                raise parser.error("this is a relation; use parse_relation for 'lhs = rhs'")
            if parser.peek().kind != "end":
                raise parser.error(f"unexpected {parser.peek().text!r}")
            return lhs
        op = parser.peek()
        if op.kind != "rel":
            raise parser.error(f"expected a relation ({', '.join(RELATIONS)})")
        if op.text not in RELATIONS:
            raise parser.error(
                f"unsupported relation {op.text!r}; use one of {', '.join(RELATIONS)}"
            )
        parser.next()
        rhs = parser.expr()
        if parser.peek().kind != "end":
            raise parser.error(f"unexpected {parser.peek().text!r} after the relation")
        return lhs, op.text, rhs
    except UnsafeExpression:
        raise
    except (TypeError, ValueError, ArithmeticError, RecursionError, IndexError) as exc:
        raise UnsafeExpression(f"cannot read formula: {exc}") from exc


def parse_latex(
    text: str,
    *,
    variables: Mapping[str, sympy.Symbol],
    functions: Mapping[str, Callable[..., sympy.Expr]] | None = None,
    table: FunctionTable | None = None,
) -> sympy.Expr:
    r"""Parse a hand-written LaTeX formula into a SymPy expression.

    Parameters
    ----------
    text : str
        LaTeX, optionally wrapped in ``$...$`` or ``\(...\)``.  ``e`` is Euler's
        number, juxtaposition multiplies, ``\sigma`` is ``functions["sigmoid"]``
        (else the logistic function), ``\Phi`` the normal CDF, ``f'(x)`` and
        ``\frac{d}{dx}`` differentiate.
    variables : Mapping[str, sympy.Symbol]
        Accepted free names (``"alpha"`` is written ``\alpha``).
    functions : Mapping[str, Callable], optional
        Extra functions, matched case-insensitively
        (``\operatorname{ReLU}`` finds ``"relu"``).
    table : FunctionTable, optional
        The function table to read with (default: one built from ``functions``
        and ``W``).

    Returns
    -------
    sympy.Expr

    Raises
    ------
    UnsafeExpression
        For unknown commands or names and anything outside the grammar.

    Examples
    --------
    >>> import sympy
    >>> x = sympy.Symbol("x", real=True)
    >>> parse_latex(r"\frac{1}{1+e^{-x}}", variables={"x": x})
    1/(1 + exp(-x))
    >>> parse_latex(r"\frac{d}{dx}\tanh(x)", variables={"x": x})
    1 - tanh(x)**2
    >>> parse_latex(r"\foo(x)", variables={"x": x})
    Traceback (most recent call last):
    ...
    symact.core.errors.UnsafeExpression: unknown command \foo (at position 0). Accepted: ...
    """
    with parse_budget():
        return _run(_parser(text, variables, functions, table), relation=False)


def parse_latex_relation(
    text: str,
    *,
    variables: Mapping[str, sympy.Symbol],
    functions: Mapping[str, Callable[..., sympy.Expr]] | None = None,
    table: FunctionTable | None = None,
) -> tuple[sympy.Expr, str, sympy.Expr]:
    r"""Parse a LaTeX relation ``lhs OP rhs``; ``OP`` in ``= \le < \ge >`` (and aliases).

    Returns
    -------
    tuple
        ``(lhs, op, rhs)`` with ``op`` one of ``"=", "<=", "<", ">=", ">"``.

    Examples
    --------
    >>> import sympy
    >>> x = sympy.Symbol("x", real=True)
    >>> parse_latex_relation(r"\tanh(x) \leq 1", variables={"x": x})
    (tanh(x), '<=', 1)
    """
    with parse_budget():
        return _run(_parser(text, variables, functions, table), relation=True)
