r"""Reading the words around a claim: where it is claimed, and intervals it is claimed to lie in.

A claim may name its domain -- a leading ``\forall x \in \mathbb{R}:``, or a
trailing ``for all x``, ``for x > 0``, ``for x in [0, 1]``, ``for 0 < x < 1``
-- and may claim membership, ``relu'(x) in [0, 1]`` (``\in``, ``∈``).
:func:`split_domain` and :func:`split_membership` take these words off and
return what they mean; the formulas themselves are read by
:mod:`symact.expressions.reading`.

>>> split_domain("sigmoid'(x) <= 1/4 for all x")
("sigmoid'(x) <= 1/4", None)
>>> split_domain("relu'(x) = 1 for x > 0")
("relu'(x) = 1", Interval.open(0, oo))
>>> split_membership("relu'(x) in [0, 1]")
("relu'(x)", '[', '0', '1', ']')
"""

from __future__ import annotations

import re
from typing import Any

import sympy

from ..core.errors import UnsupportedExpression

__all__ = ["split_domain", "split_membership"]

_KEYWORD = re.compile(r"(?<![A-Za-z_\\])(?:\\text\s?\{\s?)?(?:for\s+all|for\s+every|for\s+each|forall|for|\\forall|∀)"
                      r"(?![A-Za-z_])(?:\s?\})?")
_IN = re.compile(r"\\in(?![A-Za-z])|∈|(?<![A-Za-z_\\])in(?![A-Za-z_])")
_PADDING = (r"\qquad", r"\quad", r"\,", r"\;", r"\:", r"\!", "\\ ", "~", ",", ";", " ", "\t", "\n")
_REALS = re.compile(r"\\mathbb\s*\{?\s*R\s*\}?|ℝ|\\R\b|(?<![A-Za-z_])R(?![A-Za-z_(])")
_OPS = {"<=": "<=", "<": "<", ">=": ">=", ">": ">"}
_FLIP = {"<=": ">=", "<": ">", ">=": "<=", ">": "<"}
_DOMAIN_HELP = ("write the domain as 'for all x', 'for x > 0', 'for x >= -1', 'for x in [0, 1]' or "
                "'for 0 < x < 1'")


def _normalise(text: str) -> str:
    t = text.replace("$", "")
    t = re.sub(r"\\left|\\right|\\big|\\Big", "", t)
    t = re.sub(r"\\text\s*\{\s*([^{}]*)\}", r" \1 ", t)
    t = re.sub(r"\\(?:leq?|leqslant)(?![A-Za-z])|≤", "<=", t)
    t = re.sub(r"\\(?:geq?|geqslant)(?![A-Za-z])|≥", ">=", t)
    t = re.sub(r"\\lt(?![A-Za-z])", "<", t)
    t = re.sub(r"\\gt(?![A-Za-z])", ">", t)
    t = re.sub(r"\\in(?![A-Za-z])|∈", " in ", t)
    t = re.sub(r"\\infty|∞", "oo", t)
    return re.sub(r"\s+", " ", t).strip()


def _top_split(text: str, sep: str) -> list[str]:
    """Split at ``sep`` outside brackets and braces."""
    out, depth, cur = [], 0, ""
    for ch in text:
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        if ch == sep and depth == 0:
            out.append(cur)
            cur = ""
        else:
            cur += ch
    return [*out, cur]


def _value(text: str, read: Any) -> sympy.Expr:
    t = text.strip()
    if t in ("oo", "+oo"):
        return sympy.oo
    if t == "-oo":
        return -sympy.oo
    value = read(t)
    if value.free_symbols:
        raise UnsupportedExpression(f"an end of the domain must be a number, got {t!r}; {_DOMAIN_HELP}")
    return value


def read_domain(text: str, read: Any) -> sympy.Interval | None:
    """The set of x a domain phrase names (``None`` for all reals); ``read`` parses a number."""
    t = _normalise(text)
    t = re.sub(r"^(?:real|every|all)\s+", "", t)
    if re.fullmatch(r"x(?: in (?:R|ℝ|\\mathbb ?\{?R\}?|\\R))?|x real|real x", t) or _REALS.sub("R", t) == "x in R":
        return None
    m = re.fullmatch(r"x\s*(<=|<|>=|>)\s*(.+)", t)
    if m:
        op, v = m.group(1), _value(m.group(2), read)
        return {"<=": sympy.Interval(-sympy.oo, v), "<": sympy.Interval.open(-sympy.oo, v),
                ">=": sympy.Interval(v, sympy.oo), ">": sympy.Interval.open(v, sympy.oo)}[op]
    m = re.fullmatch(r"(.+?)\s*(<=|<)\s*x\s*(<=|<)\s*(.+)", t)
    if m:
        a, b = _value(m.group(1), read), _value(m.group(4), read)
        return sympy.Interval(a, b, m.group(2) == "<", m.group(3) == "<")
    m = re.fullmatch(r"x in ([\[(])(.+)([\])])", t)
    if m:
        parts = _top_split(m.group(2), ",")
        if len(parts) == 2:
            a, b = _value(parts[0], read), _value(parts[1], read)
            return sympy.Interval(a, b, m.group(1) == "(", m.group(3) == ")")
    raise UnsupportedExpression(f"cannot read the domain {text.strip()!r}; {_DOMAIN_HELP}")


def _strip_padding(text: str, *, left: bool = False) -> str:
    """Remove spacing commands, commas and blanks from one end (no regular expression: linear time)."""
    changed = True
    while changed and text:
        changed = False
        for pad in _PADDING:
            if left and text.startswith(pad):
                text, changed = text[len(pad):], True
            elif not left and text.endswith(pad):
                text, changed = text[: -len(pad)], True
    return text


def split_domain(text: str, read: Any = None) -> tuple[str, sympy.Interval | None]:
    r"""Take a leading ``\forall x ...:`` or a trailing ``for ...`` off a claim.

    Returns the claim without those words and the interval they name
    (``None``: every real x).  ``read`` parses an end of the interval (the
    claim's own reader; plain numbers and ``oo`` by default).

    >>> split_domain(r"\forall x \in \mathbb{R}:\ x\sigma(x) \ge -1")
    ('x\\sigma(x) \\ge -1', None)
    >>> split_domain("f(x) >= 0 for x in [0, 1)")
    ('f(x) >= 0', Interval.Ropen(0, 1))
    """
    read = read or (lambda t: sympy.Rational(t))
    first = _KEYWORD.search(text)
    if first is None:
        return text, None
    if text[: first.start()].strip():  # a trailing "for ..."
        dom = text[first.end():].strip()
        return _strip_padding(text[: first.start()]), read_domain(dom[:-1] if dom.endswith(".") else dom, read)
    rest = _strip_padding(text[first.end():], left=True)
    for sep in (":", ",", r"\colon", "."):
        head, *tail = _top_split(rest, sep) if len(sep) == 1 else rest.split(sep, 1)
        if tail and re.search(r"[<>=≤≥]|\\[lg]e|\\in(?![A-Za-z])|∈| in ", "".join(tail)):
            claim = sep.join(tail) if len(sep) == 1 else tail[0]
            return _strip_padding(claim, left=True).strip(), read_domain(head, read)
    # "\forall x\ f(x) \ge g(x)": the domain is x alone (optionally "in R")
    m = re.match(r"x(?:\s?(?:\\in|∈|in)\s?(?:\\mathbb\s?\{?R\}?|ℝ|R))?", rest)
    if m is None:
        raise UnsupportedExpression(f"cannot read the domain in {text.strip()[:80]!r}; {_DOMAIN_HELP}")
    after = rest[m.end():].lstrip()
    for sep in (":", ",", ".", r"\colon"):
        if after.startswith(sep):
            after = after[len(sep):]
            break
    return _strip_padding(after, left=True).strip(), None


def split_membership(text: str) -> tuple[str, str, str, str, str] | None:
    r"""``(f, "[" or "(", a, b, "]" or ")")`` for a claim ``f in [a, b]``, else None.

    >>> split_membership(r"\sigma'(x) \in \left[0, \frac14\right]")
    ("\\sigma'(x)", '[', '0', '\\frac14', ']')
    """
    for m in _IN.finditer(text):
        lhs, rest = text[: m.start()].strip(), text[m.end():].strip()
        if rest.startswith(r"\left"):
            rest = rest[5:].lstrip()
        if not lhs or len(rest) < 2 or rest[0] not in "[(" or rest[-1] not in "])":
            continue
        body = rest[1:-1].rstrip()
        if body.endswith(r"\right"):
            body = body[:-6]
        parts = _top_split(body, ",")
        if len(parts) != 2:
            raise UnsupportedExpression(f"an interval is written [a, b] (or with round brackets), got "
                                        f"{rest[:80]}")
        return lhs, rest[0], parts[0].strip(), parts[1].strip(), rest[-1]
    return None
