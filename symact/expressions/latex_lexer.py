r"""The LaTeX tokenizer behind :mod:`symact.expressions.latex`.

It strips sizing and spacing commands, reads ``\operatorname{name}`` and
friends as names, and cuts the rest into tokens; the vocabulary tables
(function commands, inverses, constants, Greek letters) live here too so that
the parser and the tokenizer agree on them.

>>> [t.kind for t in lex(r"\frac{1}{2}")]
['cmd', '{', 'num', '}', '{', 'num', '}', 'end']
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import sympy

from ..core.errors import UnsafeExpression
from .parsing import check_length

__all__ = ["CONSTANT_CMDS", "FUNCTION_CMDS", "GREEK_CMDS", "INVERSES", "OPENERS", "Tok", "lex", "strip_latex"]


@dataclass
class Tok:
    kind: str  # num word name cmd op open close bar rel end
    text: str
    pos: int
    side: str = ""  # for bars: "open", "close" or ""


_SKIP = {
    ",", ";", ":", "!", " ", "quad", "qquad", "displaystyle", "textstyle", "scriptstyle",
    "limits", "nolimits", "thinspace", "medspace", "thickspace", "negthinspace",
}  # fmt: skip
_SIZERS = {
    "left": "open", "right": "close", "big": "", "Big": "", "bigg": "", "Bigg": "",
    "bigl": "open", "Bigl": "open", "biggl": "open", "Biggl": "open", "bigr": "close",
    "Bigr": "close", "biggr": "close", "Biggr": "close", "middle": "",
}  # fmt: skip
_DELIMS = {
    "{": ("open", "("), "}": ("close", ")"), "lbrace": ("open", "("), "rbrace": ("close", ")"),
    "lbrack": ("open", "["), "rbrack": ("close", "]"), "lparen": ("open", "("),
    "rparen": ("close", ")"), "lvert": ("bar", "open"), "rvert": ("bar", "close"),
    "vert": ("bar", ""), "|": ("bar", ""),
}  # fmt: skip
_OPERATORS = {"cdot": "*", "times": "*", "ast": "*", "div": "/"}
_RELCMDS = {
    "le": "<=", "leq": "<=", "leqslant": "<=", "lt": "<", "ge": ">=", "geq": ">=",
    "geqslant": ">=", "gt": ">", "ne": "!=", "neq": "!=",
}  # fmt: skip
_WRAPPERS = {"operatorname", "mathrm", "text", "textrm", "mathit", "textit", "mathsf", "mathbf"}
FUNCTION_CMDS = {"sigma": "sigmoid", "Phi": "Phi", "phi": "phi", "varphi": "phi"}
INVERSES = {"tan": "atan", "tanh": "atanh", "sin": "asin", "sinh": "asinh", "cos": "acos",
             "cosh": "acosh"}  # fmt: skip
CONSTANT_CMDS = {"pi": sympy.pi, "infty": sympy.oo}
# Variables may be written as commands only when they are Greek letters (\alpha, \lambda).
GREEK_CMDS = frozenset(
    "alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda mu "
    "nu xi omicron rho varrho sigma varsigma tau upsilon chi psi omega Gamma Delta Theta "
    "Lambda Xi Upsilon Psi Omega".split()
)
_UNICODE = {
    "σ": r"\sigma ", "Φ": r"\Phi ", "φ": r"\phi ", "π": r"\pi ", "·": r"\cdot ", "⋅": r"\cdot ",
    "×": r"\times ", "−": "-", "–": "-", "≤": r"\le ", "≥": r"\ge ", "≠": r"\ne ", "√": r"\sqrt ",
    "²": "^2", "³": "^3", "∞": r"\infty ", "′": "'", "’": "'",
}  # fmt: skip
OPENERS = {"(": ")", "[": "]"}
_TOKEN = re.compile(
    r"\s+|(?P<num>\d+(?:\.\d*)?|\.\d+)|(?P<word>[A-Za-z]+)|\\(?P<cmd>[A-Za-z]+\*?|.)"
    r"|(?P<rel><=|>=|==|!=|[<>=])|(?P<op>[-+*/^_',!&~])|(?P<ch>.)",
    re.DOTALL,
)


def strip_latex(text: str) -> str:
    text = check_length(text)
    for left, right in (("$$", "$$"), ("$", "$"), (r"\(", r"\)"), (r"\[", r"\]")):
        if text.startswith(left) and text.endswith(right) and len(text) >= len(left) + len(right):
            text = text[len(left) : len(text) - len(right)].strip()
            break
    text = re.sub(r"(?<=[^\d\s])\s*[.,;]\s*\Z", "", text)
    for old, new in _UNICODE.items():
        text = text.replace(old, new)
    # f^{\prime}, f^{\prime\prime}, f^\prime -> f', f''
    text = re.sub(r"\^\s*\{\s*((?:\\prime\s*)+)\}", lambda m: "'" * m[1].count("prime"), text)
    text = re.sub(r"\^\s*\\prime\b", "'", text)
    if not text:
        raise UnsafeExpression("empty formula")
    return text


_WRAPPED = re.compile(r"\s*\{\s*([A-Za-z][A-Za-z0-9_ ]*?)\s*\}")


def lex(text: str) -> list[Tok]:
    toks: list[Tok] = []
    sizer: str | None = None
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        assert m is not None  # the last alternative matches any character
        pos = m.end()
        start = m.start()
        kind = m.lastgroup
        value = m[kind] if kind else ""
        if kind is None or (kind == "cmd" and value in _SKIP) or (kind == "op" and value == "~"):
            continue
        if kind == "cmd" and value in _SIZERS:
            sizer = _SIZERS[value]
            continue
        if sizer is not None:
            side, sizer = sizer, None
            if kind == "ch" and value == ".":
                continue  # \left. or \right.
            if kind in ("ch", "cmd") and value in _DELIMS:
                k, v = _DELIMS[value]
                toks.append(
                    Tok("bar", "|", start, side or v) if k == "bar" else Tok(k, v, start)
                )
                continue
            if kind == "ch" and value in "()[]":
                toks.append(Tok("open" if value in "([" else "close", value, start))
                continue
            raise UnsafeExpression(
                f"\\left/\\right must be followed by a delimiter (position {start})"
            )
        if kind == "cmd" and value in _DELIMS:
            k, v = _DELIMS[value]
            toks.append(Tok("bar", "|", start, v) if k == "bar" else Tok(k, v, start))
        elif kind == "cmd" and value in _RELCMDS:
            toks.append(Tok("rel", _RELCMDS[value], start))
        elif kind == "cmd" and value in _OPERATORS:
            toks.append(Tok("op", _OPERATORS[value], start))
        elif kind == "cmd" and value.rstrip("*") in _WRAPPERS:
            m2 = _WRAPPED.match(text, pos)
            if not m2:
                raise UnsafeExpression(
                    f"\\{value} must be followed by a name in braces, e.g. \\{value}{{erf}} "
                    f"(position {start})"
                )
            toks.append(Tok("name", m2[1].replace(" ", ""), start))
            pos = m2.end()
        elif kind == "ch" and value in "()[]":
            toks.append(Tok("open" if value in "([" else "close", value, start))
        elif kind == "ch" and value in "{}":
            toks.append(Tok(value, value, start))
        elif kind == "ch" and value == "|":
            toks.append(Tok("bar", "|", start))
        elif kind == "rel":
            toks.append(Tok("rel", "=" if value == "==" else value, start))
        elif kind == "ch":
            raise UnsafeExpression(f"unexpected character {value!r} at position {start}")
        else:
            toks.append(Tok(kind, value, start))
    toks.append(Tok("end", "", len(text)))
    return toks
