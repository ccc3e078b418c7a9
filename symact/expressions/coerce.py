r"""One input coercion for every public function.

Every function that takes "an activation" accepts the same five forms:

* an :class:`~symact.expressions.activation.Activation`;
* a catalogue name such as ``"gelu"`` or an alias such as ``"swish"``;
* a SymPy expression in :data:`symact.x` (any symbol *named* ``x`` is taken
  to be it);
* a SymPy ``Lambda`` of one variable, such as ``Lambda(t, tanh(t)**2)``;
* a formula string, read by the safe parser (plain text or LaTeX; nothing in
  it is executed).

Anything else is refused with one message saying what is accepted.

>>> import sympy
>>> t = sympy.Symbol("t")
>>> as_expression(sympy.Lambda(t, sympy.tanh(t) ** 2))
tanh(x)**2
>>> as_activation("swish").name
'silu'
>>> as_expression("x/(1 + abs(x))")
x/(Abs(x) + 1)
>>> as_expression([1, 2])
Traceback (most recent call last):
...
TypeError: expected an activation: an Activation, a catalogue name, a SymPy expression in x, a SymPy Lambda of one variable or a formula string; got list
"""

from __future__ import annotations

from typing import Any

import sympy

from ..core.errors import UnknownActivation, UnsupportedExpression
from .activation import Activation, check_real_expression, x
from .catalogue import activation, function_table, names
from .reading import parse_expression
from .values import check_finite_number

__all__ = ["ACCEPTED", "as_activation", "as_expression", "display_name"]

#: What every public function accepts where it takes an activation or expression.
ACCEPTED = (
    "an Activation, a catalogue name, a SymPy expression in x, a SymPy Lambda of one "
    "variable or a formula string"
)


def _rename_x(expr: sympy.Expr) -> sympy.Expr:
    stray = {s: x for s in expr.free_symbols if isinstance(s, sympy.Symbol) and s.name == "x" and s != x}
    return expr.xreplace(stray) if stray else expr


def _checked(expr: sympy.Basic, allow_parameters: bool) -> sympy.Expr:
    if not isinstance(expr, sympy.Expr):
        raise TypeError(f"expected an activation: {ACCEPTED}; got the SymPy {type(expr).__name__} {expr}")
    expr = _rename_x(expr)
    check_real_expression(expr, "an expression", allow_infinity=True)
    if not allow_parameters:
        stray = expr.free_symbols - {x}
        if stray:
            raise UnsupportedExpression(
                f"{expr} depends on {', '.join(sorted(map(str, stray)))} besides x; "
                "substitute numbers for the parameters (or use define(name, text, a=value))"
            )
    return expr


def as_activation(obj: Any, *, name: str | None = None, allow_parameters: bool = True) -> Activation:
    """Coerce any accepted form to an :class:`Activation`.

    Expressions, lambdas and formulas become an activation named ``name``
    (default: the formula itself).

    >>> as_activation("sigmoid").expr
    1/(1 + exp(-x))
    >>> as_activation(sympy.tanh(x)).name
    'tanh(x)'
    """
    if isinstance(obj, Activation):
        return obj
    if isinstance(obj, bool | int | float) or _is_numpy_number(obj):
        raise TypeError(f"expected an activation: {ACCEPTED}; got the number {obj!r}")
    if isinstance(obj, str):
        try:
            return activation(obj)
        except UnknownActivation as exc:
            if obj.strip().replace("_", "").isalnum() and not any(c in obj for c in "()+-*/^"):
                if obj.strip() != "x":
                    raise exc from None
    expr = as_expression(obj, allow_parameters=allow_parameters)
    label = name or (obj.strip() if isinstance(obj, str) else sympy.sstr(expr))
    return Activation(label, expr, {}, None, "user expression")


def as_expression(obj: Any, *, allow_parameters: bool = True) -> sympy.Expr:
    """Coerce any accepted form to a SymPy expression in :data:`symact.x`.

    Numbers (int, float, Fraction, NumPy scalars) are accepted as constants.
    With ``allow_parameters=False`` a free symbol other than ``x`` is refused.

    >>> as_expression("relu")
    Piecewise((x, x > 0), (0, True))
    >>> as_expression(2)
    2
    """
    if isinstance(obj, Activation):
        return _checked(obj.expr, allow_parameters)
    if isinstance(obj, sympy.Lambda):
        if len(obj.variables) != 1:
            raise TypeError(f"a Lambda must take one variable, got {len(obj.variables)}: {obj}")
        return _checked(obj.expr.xreplace({obj.variables[0]: x}), allow_parameters)
    if isinstance(obj, sympy.Basic):
        return _checked(obj, allow_parameters)
    if isinstance(obj, str):
        text = obj.strip()
        if text in names() or text.lower() in names():
            return activation(text).expr
        try:
            return activation(text).expr
        except UnknownActivation:
            pass
        return _checked(parse_expression(text, variables={"x": x}, functions=function_table()),
                        allow_parameters)
    if isinstance(obj, bool):
        raise TypeError(f"expected an activation: {ACCEPTED}; got a bool")
    if isinstance(obj, int | float) or _is_numpy_number(obj):
        check_finite_number(obj, "a constant expression", ACCEPTED)
        return sympy.Rational(repr(float(obj))) if isinstance(obj, float) or _is_numpy_float(obj) \
            else sympy.Integer(int(obj))
    from fractions import Fraction

    if isinstance(obj, Fraction):
        return sympy.Rational(obj.numerator, obj.denominator)
    raise TypeError(f"expected an activation: {ACCEPTED}; got {type(obj).__name__}")


def _is_numpy_number(obj: Any) -> bool:
    return type(obj).__module__ == "numpy" and hasattr(obj, "dtype") and obj.dtype.kind in "iuf" \
        and getattr(obj, "ndim", 1) == 0


def _is_numpy_float(obj: Any) -> bool:
    return _is_numpy_number(obj) and obj.dtype.kind == "f"


def display_name(obj: Any) -> str:
    """The name to show for an activation or expression.

    >>> display_name("swish"), display_name(sympy.tanh(x))
    ('silu', 'tanh(x)')
    """
    if isinstance(obj, Activation):
        return obj.name
    if isinstance(obj, str):
        try:
            return activation(obj).name
        except UnknownActivation:
            return obj.strip()
    return sympy.sstr(as_expression(obj))
