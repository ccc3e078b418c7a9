r"""Checked inputs of the kernel, C-map and spectrum engines: numbers, variances, correlations, depths.

Every check happens before any work, and a refusal is a
:class:`~symact.core.errors.DomainError` (a ``ValueError``) naming the argument, the
value given and the accepted range.  A float is the exact binary number it stands for
(``sympy.Rational(0.1)`` is 3602879701896397/36028797018963968), so nothing built from
a float is labelled exact unless it is; a certified result passed as a number enters
as its enclosure (and the answer is then at most certified).

>>> real_number(0.5, "c"), real_number("1/20", "bias_var")
(1/2, 1/20)
>>> check_depth(-1)
Traceback (most recent call last):
...
symact.core.errors.DomainError: depth must be an integer >= 1, got -1
>>> variance(-2, "weight_var", positive=True)
Traceback (most recent call last):
...
symact.core.errors.DomainError: weight_var must be a positive number (a variance), got -2
"""

from __future__ import annotations

import decimal
import fractions
import math
import numbers
from typing import Any

import mpmath
import sympy

from ..core.errors import DomainError, UnsafeExpression
from ..core.result import Result, enclose

__all__ = ["Number", "check_depth", "correlation", "is_exact", "real_number", "sign_of", "variance",
           "variance_arg"]

#: An input number: an exact SymPy number, or the ``(lo, hi)`` enclosure of a certified result.
Number = Any


def is_exact(v: Number) -> bool:
    """Whether ``v`` is an exact SymPy number (not an enclosure)."""
    return isinstance(v, sympy.Expr)


def _show(v: Any) -> str:
    text = str(v) if not isinstance(v, tuple) else f"[{mpmath.nstr(v[0], 8)}, {mpmath.nstr(v[1], 8)}]"
    return text if len(text) <= 60 else text[:57] + "..."


def real_number(v: Any, what: str) -> Number:
    """``v`` as an exact real SymPy number (floats exactly), or a certified result's enclosure.

    >>> real_number(0.1, "q1") == sympy.Rational(3602879701896397, 36028797018963968)
    True
    """
    bad = f"{what} must be a finite real number"
    if isinstance(v, bool):
        raise DomainError(f"{bad}, got the bool {v!r}")
    if isinstance(v, Result):
        if v.level == "exact" and sympy.sympify(v.value).is_number:
            return real_number(v.value, what)
        if v.enclosure is None:
            raise DomainError(f"{bad}; {v} is only sampled (no enclosure): pass an exact number or a "
                              "certified result")
        lo, hi = (mpmath.mpf(t) for t in v.enclosure)
        if not (mpmath.isfinite(lo) and mpmath.isfinite(hi)):
            raise DomainError(f"{bad}, got {v}")
        return (lo, hi)
    if isinstance(v, numbers.Integral):
        return sympy.Integer(int(v))
    if isinstance(v, float | numbers.Real) and not isinstance(v, fractions.Fraction | decimal.Decimal
                                                             | sympy.Basic | mpmath.mpf):
        f = float(v)
        if not math.isfinite(f):
            raise DomainError(f"{bad}, got {v!r}")
        return sympy.Rational(f)
    if isinstance(v, fractions.Fraction):
        return sympy.Rational(v.numerator, v.denominator)
    if isinstance(v, decimal.Decimal):
        if not v.is_finite():
            raise DomainError(f"{bad}, got {v!r}")
        return sympy.Rational(str(v))
    if isinstance(v, mpmath.mpf):
        if not mpmath.isfinite(v):
            raise DomainError(f"{bad}, got {v!r}")
        sign, man, exp, _ = v._mpf_
        return sympy.Integer(0) if not man else sympy.Integer((-1) ** sign * int(man)) * sympy.Integer(2) ** int(exp)
    if isinstance(v, str):
        from ..expressions.parsing import parse_text

        try:
            e = parse_text(v, variables={})
        except (UnsafeExpression, ValueError, SyntaxError, TypeError) as exc:
            raise DomainError(f"{bad}, got {v!r} ({exc})") from None
    else:
        try:
            e = sympy.sympify(v, strict=True)
        except (sympy.SympifyError, TypeError, ValueError):
            raise DomainError(f"{bad}, got {v!r}") from None
    if not isinstance(e, sympy.Expr) or not e.is_number:
        raise DomainError(f"{bad}, got {_show(v)}")
    e = e.xreplace({f: sympy.Rational(f) for f in e.atoms(sympy.Float)})  # a Float is its binary value
    if e.has(sympy.oo, -sympy.oo, sympy.zoo, sympy.nan) or e.is_extended_real is False:
        raise DomainError(f"{bad}, got {_show(v)}")
    if e.is_extended_real is None:
        re, im = sympy.N(e, 30).as_real_imag()
        if im != 0 or not re.is_finite:
            raise DomainError(f"{bad}, got {_show(v)}")
    return e


def sign_of(v: Number, what: str) -> int:
    """The proved sign (-1, 0, 1) of an input number; refuses when it cannot be decided."""
    if is_exact(v):
        if v.is_zero:
            return 0
        if v.is_positive:
            return 1
        if v.is_negative:
            return -1
        lo, hi = enclose(v, 40)
    else:
        lo, hi = v
    if lo > 0:
        return 1
    if hi < 0:
        return -1
    if lo == hi == 0:
        return 0
    raise DomainError(f"cannot decide the sign of {what} = {_show(v)}; pass an exact number")


def _minus(v: Number, t: int) -> Number:
    if is_exact(v):
        return v - t
    return (v[0] - t, v[1] - t)


def variance(v: Any, what: str, *, positive: bool) -> Number:
    """A variance: ``> 0`` when ``positive`` (weights, input variances), else ``>= 0`` (biases)."""
    n = real_number(v, what)
    s = sign_of(n, what)
    if s < 0 or (positive and s == 0):
        kind = "positive number" if positive else "non-negative number"
        raise DomainError(f"{what} must be a {kind} (a variance), got {_show(n)}")
    return n


def correlation(v: Any, what: str = "c") -> Number:
    """A correlation in [-1, 1] (the ends included)."""
    n = real_number(v, what)
    if sign_of(_minus(n, 1), what) > 0 or sign_of(_minus(n, -1), what) < 0:
        raise DomainError(f"{what} must lie in [-1, 1], got {_show(n)}")
    return n


def check_depth(depth: Any, what: str = "depth") -> int:
    """A depth: an integer ``>= 1`` (bools and floats refused)."""
    if isinstance(depth, bool) or not isinstance(depth, numbers.Integral) or int(depth) < 1:
        raise DomainError(f"{what} must be an integer >= 1, got {depth!r}")
    return int(depth)


def variance_arg(v: Any, what: str, *, positive: bool) -> Any:
    """:func:`variance` for engines that take a SymPy number or a result: the checked exact
    number, or the result itself (its enclosure checked) when it is not exact.

    >>> variance_arg(0.5, "weight_var", positive=True)
    1/2
    """
    n = variance(v, what, positive=positive)
    return n if is_exact(n) else v
