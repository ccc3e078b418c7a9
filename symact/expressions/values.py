r"""Values users pass in: parameter values, derivative orders, and real expressions.

One place decides what counts as a number (Python and NumPy numbers,
fractions, decimals, real SymPy expressions; never NaN, infinities, bools or
strings), how large a derivative order may be, and that an activation is a
finite real function.  Every refusal names what was wrong and what is accepted.

>>> as_parameter_value(0.01)
1/100
"""

from __future__ import annotations

from typing import Any

import mpmath
import sympy

from ..core.errors import UnsupportedExpression
from .sympyfix import install as _install_sympy_fix

_install_sympy_fix()  # SymPy 1.14's factor cache can raise on exact powers (sympy/sympy#28621)

__all__ = ["MAX_DERIVATIVE_ORDER", "as_parameter_value", "check_finite_number", "check_order",
           "check_real_expression"]

x = sympy.Symbol("x", real=True)


#: The largest derivative order accepted (checked before any work starts).  Most catalogue
#: activations reach it within seconds; SymPy's derivatives of tanh and mish grow fastest.
MAX_DERIVATIVE_ORDER = 100


def check_order(order: object) -> int:
    """Validate a derivative order: an integer from 0 to :data:`MAX_DERIVATIVE_ORDER`.

    >>> check_order(2)
    2
    >>> check_order(10**6)
    Traceback (most recent call last):
    ...
    ValueError: derivative order 1000000 is too large; accepted: integers from 0 to 100
    """
    import numbers

    if isinstance(order, bool) or not isinstance(order, numbers.Integral):
        raise TypeError(
            f"a derivative order must be an integer, got {order!r}; "
            f"accepted: integers from 0 to {MAX_DERIVATIVE_ORDER}"
        )
    n = int(order)
    if n < 0:
        raise ValueError(
            f"a derivative order must be non-negative, got {n}; "
            f"accepted: integers from 0 to {MAX_DERIVATIVE_ORDER}"
        )
    if n > MAX_DERIVATIVE_ORDER:
        raise ValueError(
            f"derivative order {n} is too large; accepted: integers from 0 to "
            f"{MAX_DERIVATIVE_ORDER}"
        )
    return n


_ACCEPTED_VALUES = (
    "accepted: a finite real number (int, float, fractions.Fraction, decimal.Decimal, a NumPy "
    "scalar) or a real SymPy expression such as sympy.Rational(1, 100)"
)


def check_finite_number(value: Any, name: str, accepted: str = "a finite real number", *,
                        allow_infinity: bool = False) -> Any:
    """Refuse a NaN or infinite *number* (float, NumPy, ``Decimal``, mpmath, SymPy) passed as ``name``.

    The one check every entry point runs on its numeric arguments before SymPy sees them (SymPy
    would raise its own ``TypeError('invalid input: nan')`` or ``Invalid NaN comparison``).
    Anything that is not a non-finite number is returned unchanged, for the caller's own
    coercion to judge (SymPy's ``oo`` too: some arguments accept it; ``nan`` and ``zoo`` are
    refused).  With ``allow_infinity=True`` only NaN is refused (an interval's end may be infinite).

    >>> check_finite_number(0.5, "q")
    0.5
    >>> check_finite_number(float("inf"), "q", "a positive number")
    Traceback (most recent call last):
    ...
    ValueError: q must be finite, got inf; accepted: a positive number
    """
    import math
    from decimal import Decimal

    bad = False
    if isinstance(value, bool):
        return value
    if isinstance(value, float) or (getattr(value, "shape", None) == () and hasattr(value, "dtype")
                                    and getattr(value.dtype, "kind", "") == "f"):
        f = float(value)
        bad = f != f or (not allow_infinity and math.isinf(f))
    elif isinstance(value, Decimal):
        bad = value.is_nan() or (not allow_infinity and value.is_infinite())
    elif isinstance(value, mpmath.mpf):
        bad = mpmath.isnan(value) or (not allow_infinity and mpmath.isinf(value))
    elif isinstance(value, sympy.Basic):  # SymPy's oo is left to the caller (a bound may be oo)
        bad = value.has(sympy.nan, sympy.zoo)
    if bad:
        raise ValueError(f"{name} must be {'a number' if allow_infinity else 'finite'}, got {value}; "
                         f"accepted: {accepted}")
    return value


def as_parameter_value(value: Any) -> sympy.Expr:
    r"""Coerce a parameter value to an exact, finite, real SymPy number or expression.

    Floats (also NumPy's) are read through their shortest decimal form, so
    ``0.01`` becomes ``1/100``.  NaN, infinities and non-real values are refused.

    >>> import numpy
    >>> as_parameter_value(numpy.float64(0.5)), as_parameter_value(numpy.int64(3))
    (1/2, 3)
    >>> as_parameter_value(float("nan"))
    Traceback (most recent call last):
    ...
    ValueError: a parameter value must be finite and real, got nan; accepted: ...
    """
    import numbers
    from decimal import Decimal
    from fractions import Fraction

    if isinstance(value, bool) or type(value).__name__ == "bool_":
        raise TypeError(f"a parameter value must be a number, not a bool; {_ACCEPTED_VALUES}")
    if isinstance(value, str):
        raise TypeError(
            f"a parameter value must be a number, got the string {value!r}; {_ACCEPTED_VALUES}"
        )
    if getattr(value, "shape", None) == () and hasattr(value, "item"):  # NumPy 0-d array/scalar
        value = value.item()
    if isinstance(value, sympy.Basic):
        out = value
    elif isinstance(value, numbers.Integral):
        out = sympy.Integer(int(value))
    elif isinstance(value, Fraction):
        out = sympy.Rational(value.numerator, value.denominator)
    elif isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(
                f"a parameter value must be finite and real, got {value}; {_ACCEPTED_VALUES}"
            )
        out = sympy.Rational(str(value))
    elif isinstance(value, numbers.Real):
        f = float(value)
        if f != f or f in (float("inf"), float("-inf")):
            raise ValueError(
                f"a parameter value must be finite and real, got {f}; {_ACCEPTED_VALUES}"
            )
        # the exact binary value would surprise people (0.01 -> 5764607523034235/...),
        # so read the float through its shortest decimal repr
        out = sympy.Rational(repr(f))
    else:
        raise TypeError(f"a parameter value must be a number, got {value!r}; {_ACCEPTED_VALUES}")
    if not isinstance(out, sympy.Expr):
        raise TypeError(f"a parameter value must be a number, got {value!r}; {_ACCEPTED_VALUES}")
    if out.has(sympy.nan, sympy.zoo, sympy.oo, -sympy.oo) or out.is_extended_real is False:
        raise ValueError(
            f"a parameter value must be finite and real, got {out}; {_ACCEPTED_VALUES}"
        )
    return out  # type: ignore[no-any-return]


def check_real_expression(
    expr: sympy.Expr, what: str = "an activation", *, allow_infinity: bool = False
) -> sympy.Expr:
    r"""Refuse an expression containing NaN, infinities or non-real constants (``I``).

    >>> check_real_expression(x**2)
    x**2
    >>> check_real_expression(sympy.I * x)
    Traceback (most recent call last):
    ...
    symact.core.errors.UnsupportedExpression: an activation must be real: I*x contains the imaginary unit I; accepted: real formulas in x
    """
    bad = [
        (sympy.nan, "NaN"),
        (sympy.zoo, "complex infinity (zoo)"),
        (sympy.oo, "infinity (oo)"),
        (sympy.S.NegativeInfinity, "infinity (-oo)"),
        (sympy.I, "the imaginary unit I"),
    ]
    for atom, label in bad:
        if allow_infinity and atom in (sympy.oo, sympy.S.NegativeInfinity):
            continue
        if expr.has(atom):
            kind = "real" if atom is sympy.I else "finite"
            raise UnsupportedExpression(
                f"{what} must be {kind}: {_short(expr)} contains {label}; "
                "accepted: real formulas in x"
            )
    if expr.is_extended_real is False:
        raise UnsupportedExpression(
            f"{what} must be real: {_short(expr)} is not; accepted: real formulas in x"
        )
    return expr


def _short(expr: sympy.Expr) -> str:
    text = str(expr)
    return text if len(text) <= 60 else text[:57] + "..."


