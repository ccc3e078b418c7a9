r"""Claims about numbers: two constant sides, and derivatives written where they do not exist.

A claim without ``x`` (``1 = 2``, ``squareplus'(1e-300) = 1/2``,
``gelu'(0) <= 1/2``) compares two numbers: :func:`check_constant` decides it
exactly (rationals, or SymPy proving the difference is 0) or from an Arb
enclosure of the difference, and its verdict never mentions a point ``x``.
A derivative written at a point where it does not exist (``relu'(0)``) makes
a claim false: :func:`undefined_verdict` says why, with the one-sided
derivatives, the subdifferential and what PyTorch's autograd returns there.

>>> check_constant(sympy.Integer(1), "=", sympy.Integer(2)).summary
'refuted (symbolic): the left side is 1 and the right side is 2'
>>> check_constant(sympy.sqrt(2), "<", sympy.Rational(3, 2)).holds
True
"""

from __future__ import annotations

from collections.abc import Sequence

import sympy

from ..core.result import honest_float
from ..expressions.kinks import UndefinedDerivative
from .derivation import Notation, Step
from .extremum_steps import enclosure_notation
from .identities import is_zero
from .verdict import Method, Verdict
from .verify import make_verdict, relation_notation, rigorous_value

__all__ = ["check_constant", "undefined_verdict"]

_HOLDS = {"=": lambda s: s == 0, "<=": lambda s: s <= 0, "<": lambda s: s < 0,
          ">=": lambda s: s >= 0, ">": lambda s: s > 0}
_WORDS = {"=": "equal to", "<=": "at most", "<": "below", ">=": "at least", ">": "above"}
_DELTA = Notation(r"\Delta", "Δ")


def _shown(v: sympy.Expr) -> str:
    """A side for a sentence: exact when short, else an honest decimal."""
    text = sympy.sstr(v)
    if len(text) <= 30:
        return text
    enc = rigorous_value(v, sympy.Integer(0))
    if enc is not None and enc[2] == "certified":
        return f"≈ {honest_float(enc[0], enc[1], 10)}"
    return "a number"


def _not_real(v: sympy.Expr) -> bool:
    return bool(v.has(sympy.nan, sympy.zoo) or v.is_real is False or v.is_finite is False)


def check_constant(lhs: sympy.Expr, op: str, rhs: sympy.Expr) -> Verdict:
    r"""Decide ``lhs op rhs`` for two constants (``op`` one of ``= <= < >= >``).

    Exact for rationals; otherwise an Arb enclosure of ``lhs - rhs`` that
    excludes 0 decides it (method ``"certified"``), and SymPy proving the
    difference is 0 decides it symbolically.  Undecided (``holds=None``) when
    neither happens.

    >>> v = check_constant(sympy.exp(1), ">", sympy.Rational(271, 100))
    >>> v.holds, v.method
    (True, 'certified')
    """
    claim = relation_notation(lhs, op, rhs)
    title = "Checking a claim about two numbers"
    for side, v in (("left", lhs), ("right", rhs)):
        if _not_real(v):
            what = ("undefined (a division by zero)" if v.has(sympy.zoo) else "undefined" if v.has(sympy.nan)
                    else "infinite" if v.is_finite is False else f"not real ({sympy.sstr(v)})")
            step = Step("prose", None, None, "", (f"The {side} side is {what}, not a finite real number.",))
            return make_verdict(title, [step], False, "symbolic",
                                f"refuted: the {side} side is {what}, not a finite real number", claim=claim)
    diff = lhs - rhs
    steps = [Step("difference", _DELTA, diff, "=", ("Let ", _DELTA, " be the left side minus the right side:"))]
    sign: int | None = None
    box: Notation | None = None
    method: Method = "symbolic"
    if diff.is_Rational:
        sign = int(sympy.sign(diff))
        steps.append(Step("symbolic", _DELTA, diff, "=", "Both sides are rational numbers, so exactly"))
    else:
        enc = rigorous_value(diff, sympy.Integer(0))
        if enc is not None and (enc[0] > 0 or enc[1] < 0):
            sign = 1 if enc[0] > 0 else -1
            method = "certified" if enc[2] == "certified" else "sampled"
            how = "An Arb ball enclosure" if method == "certified" else "An evaluation at two precisions (not rigorous)"
            box = enclosure_notation(enc[0], enc[1], 12)
            steps.append(Step("enclosure", _DELTA, box, "in", f"{how} of the difference excludes 0:"))
        elif is_zero(diff):
            sign = 0
            steps.append(Step("symbolic", _DELTA, sympy.Integer(0), "=",
                              "SymPy simplifies it (after rewriting in terms of exp where needed) to"))
    if sign is None:
        steps.append(Step("prose", None, None, "", ("Neither an enclosure nor SymPy decides the sign of the difference.",)))
        return make_verdict(title, steps, None, "certified",
                            "undecided: the enclosure of the difference contains 0 and SymPy does not simplify it to 0",
                            claim=claim)
    holds: bool | None = _HOLDS[op](sign)
    if holds and method == "sampled":
        holds = None
    left, right = _shown(lhs), _shown(rhs)
    if holds:
        summary = f"proved ({method}): the left side {left} is {_WORDS[op]} the right side {right}"
        if op == "=" or sign == 0:
            summary = f"proved ({method}): both sides equal {right}" if sign == 0 else summary
    elif holds is False:
        summary = f"refuted ({method}): the left side is {left} and the right side is {right}"
        if box is not None:
            summary += f"; their difference lies in {box.text}"
    else:
        summary = f"undecided: only a non-rigorous evaluation separates {left} and {right}"
    return make_verdict(title, steps, holds, method, summary, claim=claim)


def undefined_verdict(notes: Sequence[UndefinedDerivative]) -> Verdict:
    r"""The verdict on a claim that writes a derivative where it does not exist: refuted, with why.

    >>> from symact.expressions.kinks import UndefinedDerivative
    >>> n = UndefinedDerivative("relu", 1, sympy.Integer(0), sympy.Integer(0), sympy.Integer(1), False,
    ...                         sympy.Interval(0, 1), sympy.Integer(0))
    >>> undefined_verdict([n]).holds
    False
    """
    first = notes[0]
    steps: list[Step] = []
    for n in notes:
        name = n.name.replace("_", r"\_")
        tex = rf"\operatorname{{{name}}}{chr(39) * n.order if n.order <= 3 else f'^{{({n.order})}}'}"
        at = sympy.latex(n.point)
        steps.append(Step("prose", None, None, "", (f"The claim uses {n.written()}, which does not exist: "
                                                   f"{n.reason()}.",)))
        if not n.jump:
            steps.append(Step("limit", Notation(rf"{tex}\left({at}^-\right)", f"{n.written()[:-1]}⁻)"), n.left, "=",
                              "From the left the derivative tends to"))
            steps.append(Step("limit", Notation(rf"{tex}\left({at}^+\right)", f"{n.written()[:-1]}⁺)"), n.right, "=",
                              "and from the right to"))
        if n.subdifferential is not None:
            steps.append(Step("value", Notation(rf"\partial \operatorname{{{name}}}({at})", f"∂{n.name}({n.point})"),
                              n.subdifferential, "=", "Its subdifferential (Clarke's generalised gradient) is"))
    summary = f"refuted: {first.written()} does not exist: {first.reason()}"
    details = {"undefined": tuple(notes)}
    return make_verdict("Checking a claim", steps, False, "symbolic", summary, details=details)
