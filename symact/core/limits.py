r"""Huge and tiny numbers without huge integers: powers, depths and literals.

A depth of ``10**9`` layers or a weight of ``1e-999999`` is a fair question,
but the exact rational :math:`(3/4)^{10^9}` has about two billion bits and a
single Python multiplication building it never returns.  The helpers here
answer such questions with logarithms and unevaluated powers instead:

- :func:`exact_power` is ``base**n``, left as an unevaluated power when the
  exact value would have more than :data:`MAX_EXACT_BITS` bits (it still
  evaluates with ``sympy.N`` / ``evalf`` in microseconds, and prints);
- :func:`log_depth` is the smallest ``k`` with ``rate**k`` beyond a target,
  from :math:`k = \lfloor \log t / \log r \rfloor + 1`, settled with
  high-precision logarithms (exact arithmetic only for small cases);
- :func:`parse_number` reads a decimal literal exactly, and one with an
  enormous exponent (``1e-999999``) as a high-precision ``Float`` so that it
  never becomes a million-digit integer.

>>> import sympy
>>> p = exact_power(sympy.Rational(3, 4), 10**9)
>>> p
(3/4)**1000000000
>>> sympy.N(p, 5)
2.4643e-124938737
>>> log_depth(sympy.Rational(3, 4), sympy.Rational(1, 10**6))
49
"""

from __future__ import annotations

import re
from typing import Any

import sympy

from .budget import check_deadline
from .errors import Undecided

__all__ = [
    "MAX_EXACT_BITS",
    "compare_with_one",
    "exact_power",
    "is_huge",
    "log_depth",
    "parse_number",
]

#: Largest exact number (in bits of numerator plus denominator) a power may build: about
#: 3600 decimal digits, so that it still prints (Python refuses integers of over 4300 digits).
MAX_EXACT_BITS = 12_000
# Decimal exponents beyond this stay an unevaluated power of ten (Python refuses to print
# integers of more than 4300 digits).
_MAX_EXACT_EXPONENT = 4000


def _bits(value: sympy.Expr) -> int | None:
    if value.is_Rational:
        return int(abs(value.p)).bit_length() + int(value.q).bit_length()
    return None


def is_huge(base: Any, n: Any) -> bool:
    """Whether the exact ``base**n`` would be too large to build (see :data:`MAX_EXACT_BITS`).

    >>> import sympy
    >>> is_huge(sympy.Rational(3, 4), 10), is_huge(3, 10**9), is_huge(sympy.Symbol("w"), 10**9)
    (False, True, False)
    """
    base, n = sympy.sympify(base), sympy.sympify(n)
    if not (base.is_number and n.is_number and n.is_Integer):
        return False
    bits = _bits(base)
    if bits is not None:
        return bits > 2 and (bits - 2) * abs(int(n)) > MAX_EXACT_BITS
    if base.is_Float:
        return False  # floats stay floats: mpmath powers them at fixed precision
    return abs(int(n)) > 10_000  # algebraic bases (sqrt(5)/4 ...) expand their powers


def exact_power(base: Any, n: Any) -> sympy.Expr:
    """``base**n`` simplified, or unevaluated when the exact value would be enormous.

    >>> import sympy
    >>> exact_power(sympy.Rational(1, 2), 3)
    1/8
    >>> exact_power(2, 10**20)
    2**100000000000000000000
    >>> w = sympy.Symbol("w", positive=True)
    >>> exact_power(w / 4, sympy.Symbol("n"))
    (w/4)**n
    """
    base, n = sympy.sympify(base), sympy.sympify(n)
    if is_huge(base, n):
        return sympy.Pow(base, n, evaluate=False)
    return sympy.powsimp(base**n, force=True)


def compare_with_one(value: Any) -> int:
    """``-1``, ``0`` or ``1`` as ``value`` is below, equal to or above 1 (a real number).

    Exact and fast for rationals of any size (``sympy.N`` of ``10**-999999 - 1``
    takes seconds); other numbers are compared exactly when SymPy can, else
    at 50 digits.

    >>> import sympy
    >>> compare_with_one(sympy.Rational(1, 10**999999)), compare_with_one(1), compare_with_one(sympy.pi)
    (-1, 0, 1)
    """
    v = sympy.sympify(value)
    if v.is_Rational:
        p, q = int(v.p), int(v.q)
        return (p > q) - (p < q)
    if v == 1 or sympy.simplify(v - 1) == 0:
        return 0
    return -1 if bool(sympy.N(v - 1, 50) < 0) else 1


def _log(value: sympy.Expr, digits: int) -> sympy.Expr:
    # log p/q = log p - log q, each from its leading bits: no division of enormous integers
    if value.is_Rational and max(int(abs(value.p)).bit_length(), int(value.q).bit_length()) > 4096:
        return _log_int(int(value.p), digits) - _log_int(int(value.q), digits)
    return sympy.N(sympy.log(value), digits)


def _log_int(n: int, digits: int) -> sympy.Float:
    shift = max(n.bit_length() - 4 * digits - 64, 0)  # keep enough leading bits
    head = sympy.Integer(n >> shift)
    return sympy.N(sympy.log(head) + shift * sympy.log(2), digits)


def _log_ratio(target: sympy.Expr, rate: sympy.Expr, digits: int) -> sympy.Float:
    check_deadline()
    return sympy.N(_log(target, digits + 10) / _log(rate, digits + 10), digits)


def log_depth(rate: Any, target: Any) -> int:
    r"""The smallest ``k >= 0`` with ``rate**k < target`` (``rate < 1``) or ``> target`` (``rate > 1``).

    Computed as :math:`\lfloor \log t / \log r\rfloor + 1` from logarithms at
    increasing precision, so ``rate`` and ``target`` may be astronomically
    small or large; when the quotient is (or is within rounding of) an integer
    ``m`` the power ``rate**m`` is compared exactly if that is affordable.

    >>> import sympy
    >>> log_depth(sympy.Rational(1, 4), sympy.Rational(1, 4**10))  # (1/4)**10 is not < 4**-10
    11
    >>> log_depth(sympy.Rational(3, 4), sympy.Pow(10, -999999, evaluate=False))
    8003915
    >>> log_depth(2, 10**6)
    20
    """
    r, t = sympy.sympify(rate), sympy.sympify(target)
    if not (r.is_number and t.is_number) or not (r.is_positive and t.is_positive):
        raise ValueError(f"log_depth needs positive numbers, got rate {r} and target {t}")
    below = compare_with_one(r) < 0
    if r == 1:
        raise ValueError("a per-layer factor of exactly 1 never crosses any target")
    digits = 30
    while True:
        quotient = _log_ratio(t, r, digits)
        magnitude = len(str(int(abs(quotient)))) if abs(quotient) >= 1 else 1
        if magnitude + 10 > digits:  # not enough digits for the integer part itself
            digits = magnitude + 30
            continue
        floor = int(sympy.floor(quotient))
        frac = quotient - floor
        slack = sympy.Float(10) ** (magnitude + 5 - digits)
        if slack < frac < 1 - slack:
            return max(floor + 1, 0)
        if digits >= 2000:
            break
        digits *= 2
    # the quotient is an integer m to 2000 digits: decide r**m against t exactly
    m = int(sympy.Integer(round(quotient)))
    if m < 0:
        return 0
    if is_huge(r, m):
        raise Undecided(
            f"cannot decide whether {r}**{m} is below {t}: they agree to 2000 digits"
        )
    power = r**m
    beyond = bool(power < t) if below else bool(power > t)
    return m if beyond and m >= 0 else m + 1


_NUMBER = re.compile(r"\s*([+-]?)(\d+(?:\.\d*)?|\.\d+)(?:[eE]([+-]?\d+))?\s*\Z")


def parse_number(text: str) -> sympy.Expr:
    r"""An exact number from a decimal literal, e.g. from the command line.

    ``"0.01"`` gives ``1/100`` and ``"1e999"`` the integer ``10**999``.  A
    decimal exponent beyond 4000 in size would make an integer too long to
    print, so such a literal becomes a SymPy ``Float`` carrying all its digits
    plus ten (at least 30 significant digits, relative error below
    ``10**-30``), which mpmath handles at any exponent.  Refuses
    ``nan``, ``inf`` and anything that is not a decimal literal, with an error
    saying what is accepted.

    >>> parse_number("2.5e-3")
    1/400
    >>> parse_number("1e-999999")
    1.00000000000000000000000000000e-999999
    >>> parse_number("inf")
    Traceback (most recent call last):
    ...
    ValueError: not a finite decimal number: 'inf'; accepted: literals such as 3, -0.5, 2.5e-3 or 1e-999999
    """
    m = _NUMBER.match(text) if isinstance(text, str) else None
    if m is None:
        raise ValueError(
            f"not a finite decimal number: {text!r}; accepted: literals such as 3, -0.5, 2.5e-3 "
            "or 1e-999999"
        )
    sign, digits, exp = m[1], m[2], int(m[3] or 0)
    if len(digits) > 1000 or abs(exp) > 10**9:
        raise ValueError(
            f"number literal {text[:40]!r} is too long; accepted: at most 1000 digits and "
            "exponents up to 10**9"
        )
    whole, _, frac = digits.partition(".")
    mantissa = sympy.Integer(int((whole or "0") + frac))
    exp -= len(frac)
    if sign == "-":
        mantissa = -mantissa
    if mantissa == 0 or abs(exp) <= _MAX_EXACT_EXPONENT:
        return sympy.Rational(mantissa) * sympy.Rational(10) ** exp
    return sympy.Float(text.strip(), max(30, len(whole + frac) + 10))
