r"""Decimal digits of enclosures: which digits are certified, and SymPy numbers that hold them.

Every number symact shows comes from a rigorous enclosure ``[lo, hi]``.  A digit
is *certified* when every point of the enclosure rounds to it: rounding is
monotone, so when both ends round to the same ``n``-digit decimal, so does the
true value.  This module does that rounding exactly (integer arithmetic, or Arb
logarithms for numbers such as :math:`1.09^{10^{30}}` whose binary exponent is
itself enormous), turns certified decimals into SymPy ``Float`` s that print
no more than them, and rounds bounds outward.

:class:`CertifiedFloat` is what a certified result hands to SymPy
(``sympy.sympify(r)``, ``sympy.N(r, n)``): a ``Float`` holding every digit
its enclosure certifies, with that precision, and a way to get more.  SymPy's
``evalf`` asks it for ``n`` digits:

* ``n`` at most the digits certified: the value rounded from the enclosure's
  midpoint, like SymPy's own evaluation of an exact constant;
* more digits than held: the result that made it is recomputed at a higher
  ``dps`` (under the caller's time budget: :class:`~symact.core.budget.BudgetExceeded`
  if that runs out), and the digits that recomputation certifies are returned;
* where nothing can be recomputed (a result built by hand, a recomputation
  that certifies no more), SymPy receives the number with the accuracy it
  really has, so ``sympy.N`` shows only the certified digits instead of padding
  them with binary noise.

>>> import mpmath
>>> with mpmath.workdps(40):
...     lo, hi = mpmath.mpf(2).sqrt() - mpmath.mpf(10)**-33, mpmath.mpf(2).sqrt() + mpmath.mpf(10)**-33
>>> f = certified_float(lo, hi)
>>> f, sympy.N(f, 10), sympy.N(f, 60)  # 33 digits certified: N(f, 60) shows them, no padding
(1.41421356237309504880168872420970, 1.414213562, 1.41421356237309504880168872420970)
"""

from __future__ import annotations

import math
from collections.abc import Callable
from fractions import Fraction
from typing import Any, Literal

import mpmath
import sympy
from mpmath import libmp

from .precision import workprec

__all__ = [
    "CertifiedFloat",
    "certified_digits",
    "certified_float",
    "decimal_float",
    "honest_float",
    "outward_float",
    "radius_text",
    "round_decimal",
    "significant_digits",
    "straddles_zero",
    "to_mpf",
]

Mode = Literal["nearest", "up", "down"]

#: Up to this many bits (mantissa plus |exponent|) numbers are rounded to decimal with
#: exact integer arithmetic; beyond it (:math:`1.09^{10^9}`) through Arb logarithms.
_EXACT_BITS = 30000
# log10(2) to 60 digits, for floor(b * log10(2)) in integers (a float loses the units of b ~ 1e29)
_LOG10_2_NUM, _LOG10_2_DEN = 301029995663981195213738894724493026768189881462108541310430, 10**60


def _log10_pow2(b: int) -> int:
    """``floor(b * log10(2))`` within one, for any integer ``b`` up to about 1e55."""
    return (b * _LOG10_2_NUM) // _LOG10_2_DEN


def to_mpf(v: Any) -> mpmath.mpf:
    """An mpmath number without rounding one that already is; SymPy's infinities and
    Floats convert exactly (``sympy.oo`` becomes ``mpmath.inf``).

    >>> to_mpf(sympy.oo), to_mpf(-sympy.oo), to_mpf(sympy.Float("0.5", 30))
    (mpf('+inf'), mpf('-inf'), mpf('0.5'))
    """
    if isinstance(v, mpmath.mpf):
        return v
    if isinstance(v, sympy.Basic):
        if v == sympy.oo:
            return mpmath.inf
        if v == -sympy.oo:
            return mpmath.ninf
        if v is sympy.nan:
            return mpmath.nan
        if isinstance(v, sympy.Float):
            return mpmath.mp.make_mpf(v._mpf_)
        if isinstance(v, sympy.Integer):
            return mpmath.mp.make_mpf(libmp.from_int(int(v)))
        if isinstance(v, sympy.Rational):
            with workprec(200):
                return mpmath.mpf(v.p) / v.q
        if v.is_number:
            with workprec(200):
                return mpmath.mpf(sympy.Float(v, 60)._mpf_)
        raise TypeError(f"expected a number, got {v!r}")
    if isinstance(v, int) and not isinstance(v, bool):
        return mpmath.mp.make_mpf(libmp.from_int(v))
    with workprec(200):
        return mpmath.mpf(v)


# -- exact decimal rounding ---------------------------------------------------------------


def _ge_pow10(man: int, exp: int, j: int) -> bool:
    """Whether ``man * 2**exp >= 10**j`` (integers only)."""
    num = man << max(exp, 0)
    den = 1 << max(-exp, 0)
    if j >= 0:
        den *= 10**j
    else:
        num *= 10 ** (-j)
    return num >= den


def _step(q: int, num: int, den: int, mode: Mode, negative: bool) -> int:
    """Round ``num/den`` (``q`` its floor) to an integer: half to even, or away from or toward 0."""
    r = num - q * den
    if r == 0:
        return q
    if mode == "nearest":
        twice = 2 * r
        return q + 1 if twice > den or (twice == den and q % 2 == 1) else q
    away = (mode == "up") != negative  # rounding the magnitude up
    return q + 1 if away else q


def _round_exact(man: int, exp: int, n: int, mode: Mode, negative: bool) -> tuple[int, int, bool]:
    k = _log10_pow2(man.bit_length() - 1 + exp)  # within one of floor(log10)
    while not _ge_pow10(man, exp, k):
        k -= 1
    while _ge_pow10(man, exp, k + 1):
        k += 1
    s = n - 1 - k
    num = man << max(exp, 0)
    den = 1 << max(-exp, 0)
    if s >= 0:
        num *= 10**s
    else:
        den *= 10 ** (-s)
    q = num // den
    exact = q * den == num
    d = _step(q, num, den, mode, negative)
    if d == 10**n:
        d, k = 10 ** (n - 1), k + 1
    return d, k - n + 1, exact


def _fraction(a: Any) -> Fraction:
    man, exp = a.man_exp()
    man, exp = int(man), int(exp)
    return Fraction(man << exp) if exp >= 0 else Fraction(man, 1 << -exp)


def _round_arb(man: int, exp: int, n: int, mode: Mode, negative: bool) -> tuple[int, int, bool] | None:
    """Rounding of a number with an enormous binary exponent, from Arb logarithms.

    Such a number is never exactly a decimal tie, so a tight enough ball decides; ``None``
    if even 4x the starting precision does not (the caller then claims no digit).
    """
    import flint

    bits = 64 + 2 * abs(exp).bit_length() + man.bit_length() + int(3.33 * (n + 10))
    for _ in range(3):
        with workprec(bits, mpmath=False):
            x = flint.arb((man, exp))
            ln10 = flint.arb(10).log()
            lg = x.log() / ln10
            k0, k1 = math.floor(_fraction(lg.lower())), math.floor(_fraction(lg.upper()))
            if k0 == k1:
                m = ((lg - k0 + (n - 1)) * ln10).exp()  # x / 10**(k0 - n + 1), in [10**(n-1), 10**n)
                lo, hi = _fraction(m.lower()), _fraction(m.upper())
                if mode == "nearest":
                    d0, d1 = math.floor(lo + Fraction(1, 2)), math.floor(hi + Fraction(1, 2))
                    decided = d0 == d1 and lo + Fraction(1, 2) != d0
                else:
                    away = (mode == "up") != negative  # the magnitude rounded up
                    d0, d1 = (math.ceil(lo), math.ceil(hi)) if away else (math.floor(lo), math.floor(hi))
                    decided = d0 == d1
                if decided:
                    d, k = d0, k0
                    if d == 10**n:
                        d, k = 10 ** (n - 1), k + 1
                    return d, k - n + 1, False
        bits *= 2
    return None


def round_decimal(v: Any, n: int, mode: Mode = "nearest") -> tuple[int, int, int, bool] | None:
    """``v`` rounded to ``n`` significant decimal digits: ``(sign, d, e, exact)`` with
    ``v ~ (-1)**sign * d * 10**e``, ``d`` of ``n`` digits (0 for ``v = 0``), ``exact``
    whether no rounding happened.

    ``mode`` is ``"nearest"`` (half to even), ``"up"`` (toward +oo) or ``"down"``.  The
    binary number is converted exactly, so the result is the correct rounding, also for
    enormous exponents (``None`` only if an Arb evaluation could not decide, or ``v`` is
    not finite).

    >>> round_decimal(mpmath.mpf(1) / 3, 5), round_decimal(mpmath.mpf("0.125"), 2)
    ((0, 33333, -5, False), (0, 12, -2, False))
    >>> round_decimal(mpmath.mpf(2) / 3, 3, "down")
    (0, 666, -3, False)
    """
    v = to_mpf(v)
    if not mpmath.isfinite(v):
        return None
    sign, man, exp, _bc = v._mpf_
    if not man:
        return (0, 0, 0, True)
    man, exp = int(man), int(exp)
    if man.bit_length() + abs(exp) <= _EXACT_BITS:
        d, e, exact = _round_exact(man, exp, n, mode, bool(sign))
    else:
        out = _round_arb(man, exp, n, mode, bool(sign))
        if out is None:
            return None
        d, e, exact = out
    return (int(sign), d, e, exact)


def _strip(d: int, e: int, exact: bool) -> tuple[int, int]:
    """An exact decimal loses the trailing zeros of its fraction ("0.25", not "0.25000")."""
    if exact and d:
        while e < 0 and d % 10 == 0:
            d, e = d // 10, e + 1
    return d, e


def decimal_text(sign: int, d: int, e: int) -> str:
    """The decimal ``(-1)**sign * d * 10**e`` as text, every digit of ``d`` shown.

    Fixed notation from 1e-6 to 1e16 when that claims no extra digit, else scientific.

    >>> decimal_text(0, 12345, -4), decimal_text(1, 80, 0), decimal_text(0, 8, 1), decimal_text(0, 555, 36827697)
    ('1.2345', '-80', '8e1', '5.55e36827699')
    """
    if d == 0:
        return "0"
    digits = str(d)
    adjusted = e + len(digits) - 1
    if -6 <= adjusted < 16 and e <= 0:
        if -e >= len(digits):
            text = "0." + "0" * (-e - len(digits)) + digits
        elif e == 0:
            text = digits
        else:
            text = digits[:e] + "." + digits[e:]
    else:
        mant = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        text = f"{mant}e{adjusted}"
    return ("-" if sign else "") + text


def significant_digits(text: str) -> int:
    """How many significant digits a decimal text shows.

    >>> significant_digits("0.00120"), significant_digits("-5.55e36827699")
    (3, 3)
    """
    mant = text.lstrip("-").split("e")[0].replace(".", "").lstrip("0")
    return max(len(mant), 1)


def decimal_float(sign: int, d: int, e: int, digits: int) -> sympy.Expr:
    """A SymPy ``Float`` of ``digits`` digits' precision for the decimal ``±d * 10**e``;
    it prints back exactly that decimal (also for exponents SymPy cannot parse).

    >>> decimal_float(0, 15, -1, 2), decimal_float(1, 5, 10**12, 1)
    (1.5, -5.e+1000000000000)
    """
    if d == 0:
        return sympy.Integer(0)
    bits = max(1, round((int(digits) + 1) * 3.3219280948873626))
    with workprec(bits + 20, flint=False):
        raw = libmp.mpf_mul(libmp.from_int(d), libmp.mpf_pow_int(libmp.from_int(10), e, bits + 20), bits + 20)
    f = sympy.Float._new(libmp.mpf_pos(raw, bits, libmp.round_nearest), bits)
    return -f if sign else f


def _magnitude(v: mpmath.mpf) -> int:
    """``floor(log10|v|)`` within one (cheap; from the binary exponent)."""
    _s, man, exp, _bc = v._mpf_
    return _log10_pow2(int(man).bit_length() - 1 + int(exp))


def _start(lo: mpmath.mpf, hi: mpmath.mpf, max_digits: int) -> int:
    """No more digits than this can be shared by both ends (their distance exceeds the ulp)."""
    if lo == hi:
        return max_digits
    with workprec(64, flint=False):
        width = hi - lo
    return max(1, min(max_digits, _magnitude(max(abs(lo), abs(hi))) - _magnitude(width) + 3))


def _certified(lo: Any, hi: Any, max_digits: int) -> tuple[int, int, int, bool] | None:
    lo, hi = to_mpf(lo), to_mpf(hi)
    if not (mpmath.isfinite(lo) and mpmath.isfinite(hi)):
        return None
    if lo == hi == 0:
        return (0, 0, 0, True)
    if (lo < 0) != (hi < 0) or lo == 0 or hi == 0:
        return None
    for n in range(_start(lo, hi, max_digits), 0, -1):
        a, b = round_decimal(lo, n), round_decimal(hi, n)
        if a is not None and b is not None and _strip(*a[1:]) == _strip(*b[1:]):
            return a
    return None


def certified_digits(lo: Any, hi: Any, max_digits: int) -> str | None:
    """The longest decimal (at most ``max_digits`` significant digits) that both ends round to.

    Rounding is monotone, so a number between ``lo`` and ``hi`` rounds to that
    same decimal: every digit shown is certified.  ``None`` when not even one
    digit is shared (an enclosure straddling zero, say) or an end is infinite.

    >>> certified_digits(mpmath.mpf("0.4644029024"), mpmath.mpf("0.4644029031"), 20)
    '0.46440290'
    >>> certified_digits(mpmath.mpf(1) / 4, mpmath.mpf(1) / 4, 5)
    '0.25'
    >>> certified_digits(mpmath.mpf(2), mpmath.inf, 5) is None
    True
    """
    found = _certified(lo, hi, max_digits)
    if found is None:
        return None
    sign, d, e, exact = found
    return decimal_text(sign, *_strip(d, e, exact))


def honest_float(lo: Any, hi: Any, max_digits: int = 30) -> sympy.Expr:
    """A SymPy ``Float`` carrying only the digits certified by ``[lo, hi]``.

    Its precision is the number of certified digits, so it prints no more.

    When not even the first digit is certified (an enclosure around 0, say),
    the value is 0 at one digit of precision: a number no larger than the
    enclosure's magnitude, claiming no digit; :func:`radius_text` says how small.
    Infinite point enclosures give SymPy's infinities.

    >>> honest_float(mpmath.mpf("0.123456"), mpmath.mpf("0.123458"))
    0.12346
    >>> honest_float(mpmath.mpf("-1e-31"), mpmath.mpf("3e-32"))
    0
    >>> honest_float(mpmath.inf, mpmath.inf)
    oo
    """
    lo, hi = to_mpf(lo), to_mpf(hi)
    if lo == hi and mpmath.isinf(lo):
        return sympy.oo if lo > 0 else -sympy.oo
    found = _certified(lo, hi, max_digits)
    if found is None:
        return sympy.Integer(0) if straddles_zero(lo, hi) else sympy.Float(0, 1)
    sign, d, e, exact = found
    d, e = _strip(d, e, exact)
    n = len(str(d))
    if lo == hi:  # a point enclosure: the short decimal is exact ("1.0", not "1.")
        n = max(n, 2)
    return decimal_float(sign, d, e, n)


def outward_float(value: Any, digits: int, *, up: bool) -> sympy.Expr:
    r"""A SymPy ``Float`` of ``digits`` significant digits on the safe side of ``value``.

    With ``up`` the Float's exact (binary) value is :math:`\ge` ``value``, else
    :math:`\le`; it prints ``digits`` digits, so a bound shown never claims more
    digits than the enclosure behind it certifies.  Infinite ends stay infinite
    (``sympy.oo``, ``-sympy.oo``); a NaN is refused.

    >>> import mpmath
    >>> outward_float(mpmath.mpf(2) / 3, 3, up=True), outward_float(mpmath.mpf(2) / 3, 3, up=False)
    (0.667, 0.666)
    >>> outward_float(mpmath.inf, 5, up=True), outward_float(-sympy.oo, 5, up=False)
    (oo, -oo)
    """
    digits = max(int(digits), 1)
    end = to_mpf(value)
    if mpmath.isnan(end):
        raise ValueError("a NaN has no outward rounding: the enclosure end is not a number")
    if mpmath.isinf(end):
        return sympy.oo if end > 0 else -sympy.oo
    if end == 0:
        return sympy.Integer(0)
    found = round_decimal(end, digits, "up" if up else "down")
    if found is None:  # undecided (enormous exponent): one digit, pushed outward below
        found = round_decimal(end, 1, "up" if up else "down") or (0, 1, _magnitude(end) + 1, False)
    sign, d, e, _exact = found
    n = len(str(d))
    while True:
        f = decimal_float(sign, d, e, n)
        exact = mpmath.mp.make_mpf(f._mpf_)  # the binary number the Float stands for
        if (exact >= end) if up else (exact <= end):
            return f
        d = d + 1 if up != bool(sign) else d - 1  # one more unit outward
        if d == 10**n:
            d, e = 10 ** (n - 1), e + 1
        elif d == 10 ** (n - 1) - 1:
            d, e = 10**n - 1, e - 1


def straddles_zero(lo: Any, hi: Any) -> bool:
    """Whether a finite enclosure contains 0."""
    lo, hi = to_mpf(lo), to_mpf(hi)
    return bool(lo <= 0 <= hi) and not (mpmath.isinf(lo) or mpmath.isinf(hi))


def radius_text(lo: Any, hi: Any) -> str:
    """``"0 ± r"`` for an enclosure around 0, with ``r`` rounded up to two digits.

    >>> radius_text(mpmath.mpf("-1.01e-31"), mpmath.mpf("3e-32"))
    '0 ± 1.1e-31'
    """
    lo, hi = to_mpf(lo), to_mpf(hi)
    r = max(abs(lo), abs(hi))
    if r == 0:
        return "0"
    if mpmath.isinf(r):
        return "0 ± inf"
    _sign, d, e, _ = round_decimal(r, 2, "up") or (0, 99, _magnitude(r), False)
    return f"0 ± {d // 10}.{d % 10}e{e + 1}"


# -- the SymPy number a certified result hands over ---------------------------------------

Refine = Callable[[int], tuple[mpmath.mpf, mpmath.mpf]]


def _bits(digits: int) -> int:
    return max(1, round((int(digits) + 1) * 3.3219280948873626))


def _digits_of(bits: int) -> int:
    return max(1, round(int(bits) / 3.3219280948873626) - 1)


class CertifiedFloat(sympy.Float):
    """A SymPy ``Float`` holding the certified digits of an enclosure, and a way to get more.

    Arithmetic with it gives plain ``Float`` s; it pickles as a plain ``Float``.
    Build it with :func:`certified_float`.
    """

    __slots__ = ("_enc", "_refine")

    def __reduce_ex__(self, protocol: Any) -> Any:
        return (_plain_float, (self._mpf_, self._prec))

    def _sympyrepr(self, printer: Any) -> str:
        return printer._print(sympy.Float._new(self._mpf_, self._prec))  # srepr: a plain Float

    def _eval_evalf(self, prec: int) -> sympy.Float:
        """The fallback SymPy uses where the evalf table is not consulted."""
        re, _im, acc, _ = _evalf_certified(self, prec, {})
        if re is None:
            return sympy.Integer(0)
        return sympy.Float._new(re, max(1, min(prec, acc)))


def _plain_float(mpf: tuple, prec: int) -> sympy.Float:
    return sympy.Float._new(mpf, prec)


def certified_float(lo: Any, hi: Any, refine: Refine | None = None, *, max_digits: int = 2000) -> sympy.Expr:
    """The SymPy number for the enclosure ``[lo, hi]``: a :class:`CertifiedFloat` of every
    certified digit (at most ``max_digits``), which recomputes through ``refine(bits)``
    (returning a tighter enclosure) when asked for more digits than it holds.

    An enclosure that certifies no digit gives what :func:`honest_float` gives.

    >>> f = certified_float(mpmath.mpf("0.123456"), mpmath.mpf("0.123458"))
    >>> f, type(f).__name__, sympy.N(f, 30)
    (0.12346, 'CertifiedFloat', 0.12346)
    """
    lo, hi = to_mpf(lo), to_mpf(hi)
    found = _certified(lo, hi, max_digits)
    if found is None or found[1] == 0:
        return honest_float(lo, hi, max_digits)
    sign, d, e, exact = found
    d, e = _strip(d, e, exact)
    n = max(len(str(d)), 2) if lo == hi else len(str(d))
    plain = decimal_float(sign, d, e, n)
    obj = CertifiedFloat._new(plain._mpf_, plain._prec)
    obj._enc = (lo, hi)
    obj._refine = refine
    return obj


def _evalf_certified(x: CertifiedFloat, prec: int, options: Any) -> tuple:
    """SymPy's evalf for a :class:`CertifiedFloat`: ``(re, im, re_acc, im_acc)``.

    ``prec`` is the number of bits wanted (SymPy adds 4 guard bits to ``n`` digits'
    worth).  The accuracy returned is never more than the enclosure certifies.
    """
    enc = getattr(x, "_enc", None)
    if enc is None:  # made without certified_float: an ordinary Float
        return (x._mpf_, None, prec, None)
    lo, hi = enc
    refine = getattr(x, "_refine", None)
    if prec - 4 > x._prec and refine is not None:  # more digits than held
        lo, hi = refine(prec)
    found = _certified(lo, hi, _digits_of(prec) + 2)
    if found is None:
        return (None, None, None, None)
    sign, d, e, exact = found
    d, e = _strip(d, e, exact)
    held = _bits(len(str(d)))
    if prec - 4 < held:  # fewer digits than certified: round the midpoint, as SymPy rounds pi
        with workprec(prec + 30, flint=False):
            mid = (lo + hi) / 2
        return (mid._mpf_, None, prec, None)
    f = decimal_float(sign, d, e, len(str(d)))  # all of them: exactly the certified decimal
    return (f._mpf_, None, held, None)


def _register() -> None:
    """Let SymPy's ``evalf`` ask :class:`CertifiedFloat` for its digits and their accuracy.

    Without the table entry (another SymPy version) :meth:`CertifiedFloat._eval_evalf`
    still recomputes, but SymPy then pads where no recomputation is possible.
    """
    from sympy.core import evalf as _ev

    create = getattr(_ev, "_create_evalf_table", None)
    if not _ev.evalf_table and create is not None:
        create()
    if _ev.evalf_table:
        _ev.evalf_table[CertifiedFloat] = _evalf_certified


_register()
