r"""The result protocol shared by every symact answer.

Every number symact returns -- an extremum, an expectation, a fixed point, a
gain, a rate -- is a frozen value that says how it was obtained:

``level``
    ``"exact"`` (a proved closed form), ``"certified"`` (a rigorous enclosure
    from ball or interval arithmetic), ``"identified"`` (a closed form that
    matches a certified enclosure but is not proved) or ``"sampled"``
    (floating-point evidence only), in that order of strength.
``value``
    A SymPy expression: the closed form, or a ``Float`` holding only the
    digits the enclosure certifies.
``enclosure``
    Rigorous ``(lo, hi)`` bounds as mpmath numbers (exact, certified and
    identified results), or ``None`` for sampled ones.
``method``
    A short structured tag such as ``"closed form"`` or ``"arb integral"``.

Results behave like the numbers they are: ``float()``, ``sympy.sympify``,
``sympy.N`` and ``sympy.latex`` work; comparisons with numbers are decided
rigorously from the enclosure (and raise :class:`~symact.core.errors.Undecided`
when the enclosure cannot decide); they pickle; and no rendering shows a digit
that the enclosure does not certify.

>>> import sympy, mpmath
>>> q = Quantity(sympy.Rational(1, 4), "exact", method="closed form")
>>> float(q), q < 0.3, q == sympy.Rational(1, 4), sympy.latex(q)
(0.25, True, True, '\\frac{1}{4}')
>>> with mpmath.workdps(30):
...     lo, hi = mpmath.mpf("1.09983932012886691"), mpmath.mpf("1.09983932012886692")
>>> c = Quantity.certified(lo, hi, method="arb")
>>> c
Quantity(1.0998393201288669, level='certified', method='arb')
>>> c > 1.0998393201288668, c < 1.0998393201288670, sympy.N(c, 5)
(True, True, 1.0998)
"""

from __future__ import annotations

import dataclasses
import decimal
import fractions
import numbers
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

import mpmath
import sympy

from .errors import Undecided
from .precision import DEFAULT_DPS, workdps

__all__ = [
    "LEVELS",
    "Level",
    "Quantity",
    "Result",
    "certified_digits",
    "enclose",
    "honest_float",
    "outward_float",
    "radius_text",
    "weakest",
]

Level = Literal["exact", "certified", "identified", "sampled"]
#: The levels, strongest first.
LEVELS: tuple[Level, ...] = ("exact", "certified", "identified", "sampled")

Enclosure = tuple[mpmath.mpf, mpmath.mpf]


def weakest(*levels: Level) -> Level:
    """The weakest of several levels: a result built from others is no stronger than they are.

    >>> weakest("exact", "certified"), weakest("exact")
    ('certified', 'exact')
    """
    for lv in levels:
        if lv not in LEVELS:
            raise ValueError(f"level must be one of {', '.join(LEVELS)}, got {lv!r}")
    return max(levels, key=LEVELS.index) if levels else "exact"


def enclose(value: sympy.Expr, dps: int = DEFAULT_DPS) -> Enclosure:
    r"""A rigorous enclosure of an exact real number (or an infinity).

    SymPy's ``evalf`` tracks the accuracy of what it computes and returns the
    number of correct digits asked for; the enclosure widens that result by a
    few units in its last place.

    >>> lo, hi = enclose(sympy.sqrt(2))
    >>> with mpmath.workdps(60):
    ...     lo < mpmath.sqrt(2) < hi, float(hi - lo) < 1e-30
    (True, True)
    """
    value = sympy.sympify(value)
    if value == sympy.oo:
        return (mpmath.inf, mpmath.inf)
    if value == -sympy.oo:
        return (mpmath.ninf, mpmath.ninf)
    with workdps(dps + 15):
        if value.is_Rational:
            v = mpmath.mpf(value.p) / value.q
            if v == value:  # exactly representable
                return (v, v)
        num = sympy.N(value, dps + 10)
        re, im = num.as_real_imag()
        if not re.is_Number or (im != 0 and abs(im) > sympy.Float(10) ** (-(dps + 5))):
            raise ValueError(f"{value} is not a real number")
        v = mpmath.mpf(sympy.Float(re, dps + 10))
        eps = abs(v) * mpmath.mpf(10) ** (-(dps + 5)) + mpmath.mpf(10) ** (-(dps + 20))
        return (v - eps, v + eps)


def _round(v: mpmath.mpf, n: int) -> decimal.Decimal:
    """``v`` correctly rounded (half to even) to ``n`` significant decimal digits.

    mpmath's ``nstr`` rounds twice (through guard digits), which can move the
    last digit; this converts the binary number exactly first.
    """
    sign, man, exp, _bc = v._mpf_
    with decimal.localcontext() as ctx:
        ctx.prec = len(str(man)) + abs(exp) + 10
        exact = decimal.Decimal(int(man)).scaleb(0) * (decimal.Decimal(2) ** exp)
        ctx.prec = n
        ctx.rounding = decimal.ROUND_HALF_EVEN
        out = +exact
        return -out if sign else out  # inside the context: outside, negation rounds to 28 digits


def _text(d: decimal.Decimal) -> str:
    exp = d.adjusted()
    if -6 <= exp < 16 and d.as_tuple().exponent <= 0:  # "80" would claim a digit too many
        return f"{d:f}"
    return f"{d:e}".replace("e+", "e")


def certified_digits(lo: Any, hi: Any, max_digits: int) -> str | None:
    """The longest decimal (at most ``max_digits`` significant digits) that both ends round to.

    Rounding is monotone, so a number between ``lo`` and ``hi`` rounds to that
    same decimal: every digit shown is certified.  ``None`` when not even one
    digit is shared (an enclosure straddling zero, say).

    >>> certified_digits(mpmath.mpf("0.4644029024"), mpmath.mpf("0.4644029031"), 20)
    '0.46440290'
    >>> certified_digits(mpmath.mpf(1) / 4, mpmath.mpf(1) / 4, 5)
    '0.25'
    """
    lo, hi = _mpf(lo), _mpf(hi)
    if mpmath.isinf(lo) or mpmath.isinf(hi) or mpmath.isnan(lo) or mpmath.isnan(hi):
        return None
    if lo == hi == 0:
        return "0"
    if (lo < 0) != (hi < 0) or lo == 0 or hi == 0:
        return None
    for n in range(max_digits, 0, -1):
        a = _round(lo, n)
        if a == _round(hi, n):
            return _text(a)
    return None


def _significant(text: str) -> int:
    return max(len(decimal.Decimal(text).as_tuple().digits), 1)


def honest_float(lo: Any, hi: Any, max_digits: int = DEFAULT_DPS) -> sympy.Float:
    """A SymPy ``Float`` carrying only the digits certified by ``[lo, hi]``.

    Its precision is the number of certified digits, so it prints no more.

    When not even the first digit is certified (an enclosure around 0, say),
    the value is 0 at one digit of precision: a number no larger than the
    enclosure's magnitude, claiming no digit; :func:`radius_text` says how small.

    >>> honest_float(mpmath.mpf("0.123456"), mpmath.mpf("0.123458"))
    0.12346
    >>> honest_float(mpmath.mpf("-1e-31"), mpmath.mpf("3e-32"))
    0
    """
    with workdps(max_digits + 10):
        text = certified_digits(lo, hi, max_digits)
        if text is None:
            return sympy.Integer(0) if _straddles(lo, hi) else sympy.Float(0, 1)
        if _mpf(lo) == _mpf(hi):  # a point enclosure: the short decimal is exact ("1.0", not "1.")
            return sympy.Float(text, max(_significant(text), 2))
        return sympy.Float(text, _significant(text))


def outward_float(value: Any, digits: int, *, up: bool) -> sympy.Float:
    r"""A SymPy ``Float`` of ``digits`` significant digits on the safe side of ``value``.

    With ``up`` the Float's exact (binary) value is :math:`\ge` ``value``, else
    :math:`\le`; it prints ``digits`` digits, so a bound shown never claims more
    digits than the enclosure behind it certifies.

    >>> import mpmath
    >>> outward_float(mpmath.mpf(2) / 3, 3, up=True), outward_float(mpmath.mpf(2) / 3, 3, up=False)
    (0.667, 0.666)
    """
    digits = max(int(digits), 1)
    with workdps(max(60, digits + 20)):
        end = mpmath.mpf(value)
        if end == 0:
            return sympy.Integer(0)
        v = mpmath.mpf(mpmath.nstr(end, digits, strip_zeros=False))
        ulp = mpmath.mpf(10) ** (mpmath.floor(mpmath.log10(abs(v))) - digits + 1)
        while True:
            f = sympy.Float(mpmath.nstr(v, digits, strip_zeros=False), digits)
            exact = mpmath.mpf(f._mpf_)  # the binary number the Float stands for
            if (exact >= end) if up else (exact <= end):
                return f
            v = v + ulp if up else v - ulp


def _straddles(lo: Any, hi: Any) -> bool:
    lo, hi = _mpf(lo), _mpf(hi)
    return bool(lo <= 0 <= hi) and not (mpmath.isinf(lo) or mpmath.isinf(hi))


def radius_text(lo: Any, hi: Any) -> str:
    """``"0 ± r"`` for an enclosure around 0, with ``r`` rounded up to two digits.

    >>> radius_text(mpmath.mpf("-1.01e-31"), mpmath.mpf("3e-32"))
    '0 ± 1.1e-31'
    """
    lo, hi = _mpf(lo), _mpf(hi)
    with workdps(30):
        r = max(abs(lo), abs(hi))
        if r == 0:
            return "0"
        e = int(mpmath.floor(mpmath.log10(r)))
        m = mpmath.ceil(r / mpmath.mpf(10) ** (e - 1))
        if m >= 100:
            m, e = mpmath.ceil(m / 10), e + 1
        return f"0 ± {int(m) / 10:.1f}e{e}"


def _mpf(v: Any) -> mpmath.mpf:
    """An mpmath number without rounding one that already is (mpf() rounds to the context)."""
    if isinstance(v, mpmath.mpf):
        return v
    with workdps(60):
        return mpmath.mpf(v)


def _as_interval(other: Any, dps: int) -> Enclosure | None:
    """A rigorous enclosure of a number to compare with, or None if it is not a real number."""
    if isinstance(other, Result):
        return other.enclosure
    if isinstance(other, bool):
        return None
    with workdps(dps + 10):
        if isinstance(other, numbers.Integral):
            with workdps(len(str(int(other))) + 10):  # every digit of a large integer
                v = mpmath.mpf(int(other))
            return (v, v)
        if isinstance(other, float | mpmath.mpf):  # binary floats are exact dyadic numbers
            v = mpmath.mpf(other)
            return (v, v)
        if isinstance(other, fractions.Fraction):
            other = sympy.Rational(other.numerator, other.denominator)
        if isinstance(other, numbers.Real) and not isinstance(other, sympy.Basic):
            v = mpmath.mpf(float(other))  # NumPy floating scalars
            return (v, v)
        if isinstance(other, sympy.Expr) and other.is_number:
            if isinstance(other, sympy.Float):
                with workdps(int(other._prec / 3.3) + 20):  # exact: enough digits for every bit
                    v = mpmath.mpf(other._mpf_)
                return (v, v)
            try:
                return enclose(other, dps)
            except ValueError:
                return None
    return None


class Result:
    """Mixin giving a frozen dataclass the protocol's numeric behaviour.

    A subclass provides ``value``, ``level``, ``enclosure`` and ``method``
    (fields or properties) and is declared ``@dataclass(frozen=True, eq=False)``
    so that the equality here is used.  ``_display_digits`` caps the digits of
    renderings.
    """

    _display_digits: ClassVar[int] = 20
    value: Any
    level: Any
    enclosure: Any
    method: Any

    # -- numbers ---------------------------------------------------------------
    def evalf(self, digits: int = 15) -> sympy.Float:
        """The value to ``digits`` significant digits, never more than are certified.

        An exact value is evaluated to any number of digits; a certified one
        gives at most the digits its enclosure certifies (fewer than asked for
        when the enclosure is wider).
        """
        if not isinstance(digits, numbers.Integral) or isinstance(digits, bool) or digits < 1:
            raise ValueError(f"digits must be a positive integer, got {digits!r}")
        digits = int(digits)
        if self.level == "exact" and self.value.is_number:
            if self.value in (sympy.oo, -sympy.oo):
                return self.value  # type: ignore[no-any-return]
            return sympy.N(self.value, digits)  # type: ignore[no-any-return]
        if self.enclosure is None:
            return sympy.Float(self.value, min(digits, 15))
        lo, hi = self.enclosure
        return honest_float(lo, hi, digits)

    @property
    def digits(self) -> int | None:
        """How many significant digits the enclosure certifies (``None``: unbounded, exact)."""
        if self.level == "exact":
            return None
        if self.enclosure is None:
            return 0
        text = certified_digits(*self.enclosure, 60)
        return 0 if text is None else _significant(text)

    def __float__(self) -> float:
        if self.level == "exact" and self.value.is_number:
            return float(sympy.N(self.value, 20))
        if self.enclosure is not None:
            lo, hi = self.enclosure
            with workdps(30):
                return float((_mpf(lo) + _mpf(hi)) / 2)
        return float(self.value)

    def _sympy_(self) -> sympy.Expr:
        return self.value if self.level == "exact" else self.evalf(self._display_digits)  # type: ignore[no-any-return]

    def _latex(self, printer: Any) -> str:
        return printer._print(self._sympy_())  # type: ignore[no-any-return]

    def latex(self) -> str:
        """LaTeX for the value (subclasses may state more, e.g. ``\\sup_x f = ...``)."""
        return sympy.latex(self._sympy_())

    def _repr_latex_(self) -> str:
        return f"$\\displaystyle {self.latex()}$"

    def __str__(self) -> str:
        if self.level != "exact" and self.enclosure is not None and _straddles(*self.enclosure) \
                and certified_digits(*self.enclosure, 2) is None:
            return radius_text(*self.enclosure)
        return sympy.sstr(self._sympy_())

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self}, level={self.level!r}, method={self.method!r})"

    # -- comparisons -------------------------------------------------------------
    def _decide(self, other: Any, op: str) -> bool:
        mine = self.enclosure
        theirs = _as_interval(other, DEFAULT_DPS)
        if theirs is None or mine is None:
            return NotImplemented  # type: ignore[return-value]
        if self.level == "exact" and (not isinstance(other, Result) or other.level == "exact"):
            verdict = self._exact_compare(other, op)
            if verdict is not None:
                return verdict
        (a, b), (c, d) = mine, theirs
        sure = {
            "<": (b < c, a >= d),
            "<=": (b <= c, a > d),
            ">": (a > d, b <= c),
            ">=": (a >= d, b < c),
        }[op]
        if sure[0]:
            return True
        if sure[1]:
            return False
        raise Undecided(
            f"cannot decide {self} {op} {other}: the enclosure [{mpmath.nstr(a, 8)}, "
            f"{mpmath.nstr(b, 8)}] does not separate them; recompute with a larger dps"
        )

    def _exact_compare(self, other: Any, op: str) -> bool | None:
        other_expr = other.value if isinstance(other, Result) else _exact_sympy(other)
        if other_expr is None:
            return None
        rel = {"<": sympy.Lt, "<=": sympy.Le, ">": sympy.Gt, ">=": sympy.Ge}[op]
        try:
            out = rel(self.value, other_expr)
        except TypeError:
            return None
        return bool(out) if out in (sympy.true, sympy.false) else None

    def __lt__(self, other: Any) -> bool:
        return self._decide(other, "<")

    def __le__(self, other: Any) -> bool:
        return self._decide(other, "<=")

    def __gt__(self, other: Any) -> bool:
        return self._decide(other, ">")

    def __ge__(self, other: Any) -> bool:
        return self._decide(other, ">=")

    def __eq__(self, other: Any) -> bool:
        if type(other) is type(self):
            return _fields(self) == _fields(other)
        if isinstance(other, Result):
            return False
        theirs = _as_interval(other, DEFAULT_DPS)
        if theirs is None:
            return NotImplemented  # type: ignore[no-any-return]
        if self.level == "exact":
            other_expr = _exact_sympy(other)
            if other_expr is not None:
                diff = sympy.simplify(self.value - other_expr)
                if diff.is_zero is not None:
                    return bool(diff.is_zero)
        mine = self.enclosure
        if mine is None or mine[1] < theirs[0] or theirs[1] < mine[0]:
            return False
        if mine[0] == mine[1] == theirs[0] == theirs[1]:
            return True
        raise Undecided(
            f"cannot decide whether {self} == {other}: a {self.level} enclosure can refute "
            "equality but not prove it"
        )

    def __ne__(self, other: Any) -> bool:
        eq = self.__eq__(other)
        return eq if eq is NotImplemented else not eq

    def __hash__(self) -> int:
        if self.level == "exact":
            return hash(self.value)
        return hash((type(self).__name__, _fields(self)))


def _fields(obj: Any) -> tuple[Any, ...]:
    if dataclasses.is_dataclass(obj):
        return tuple(getattr(obj, f.name) for f in dataclasses.fields(obj) if f.compare)
    return (obj.value, obj.level, obj.enclosure, obj.method)


def _exact_sympy(other: Any) -> sympy.Expr | None:
    if isinstance(other, bool):
        return None
    if isinstance(other, numbers.Integral):
        return sympy.Integer(int(other))
    if isinstance(other, float):
        return sympy.Rational(other)  # the double's exact binary value
    if isinstance(other, fractions.Fraction):
        return sympy.Rational(other.numerator, other.denominator)
    if isinstance(other, sympy.Expr) and other.is_number and not other.has(sympy.Float):
        return other
    return None


@dataclass(frozen=True, eq=False)
class Quantity(Result):
    r"""A single number with its level, enclosure and method.

    The protocol's plain carrier, used for gains, rates, slopes and the other
    scalars that analyses return.

    Parameters
    ----------
    value : sympy.Expr
        The closed form (exact, identified) or the certified decimal.
    level : {"exact", "certified", "identified", "sampled"}
    enclosure : (mpmath.mpf, mpmath.mpf) or None
        Rigorous bounds; computed from ``value`` when omitted for an exact result.
    method : str
        How it was obtained.
    name : str
        What the number is (``"gain"``, ``"chi_1"``, ...), used in renderings.
    details : mapping
        Extra structured facts (for example the inputs).

    Examples
    --------
    >>> import sympy
    >>> g = Quantity(sympy.sqrt(2), "exact", method="closed form", name="gain")
    >>> g.evalf(10), g < 1.4142135623730951, g > 1.4142135623730950
    (1.414213562, True, True)
    """

    value: sympy.Expr
    level: Level
    enclosure: Enclosure | None = None
    method: str = ""
    name: str = field(default="", compare=False)
    details: Mapping[str, Any] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        if self.level not in LEVELS:
            raise ValueError(f"level must be one of {', '.join(LEVELS)}, got {self.level!r}")
        value = sympy.sympify(self.value)
        object.__setattr__(self, "value", value)
        if self.enclosure is None and self.level in ("exact", "identified") and value.is_number:
            object.__setattr__(self, "enclosure", enclose(value))
        if self.enclosure is not None:
            lo, hi = (_mpf(v) for v in self.enclosure)
            if lo > hi:
                raise ValueError(f"empty enclosure [{lo}, {hi}]")
            object.__setattr__(self, "enclosure", (lo, hi))
        elif self.level == "certified":
            raise ValueError("a certified Quantity needs its enclosure")

    @classmethod
    def certified(
        cls, lo: Any, hi: Any, *, method: str, name: str = "", digits: int = DEFAULT_DPS,
        details: Mapping[str, Any] | None = None,
    ) -> Quantity:
        """A certified quantity from rigorous bounds; ``value`` holds the certified digits."""
        return cls(honest_float(lo, hi, digits), "certified", (lo, hi), method, name,
                   dict(details or {}))

    @property
    def exact(self) -> bool:
        """Whether the value is a proved closed form (``level == "exact"``)."""
        return self.level == "exact"

    def __repr__(self) -> str:
        label = f", name={self.name!r}" if self.name else ""
        return f"Quantity({self}, level={self.level!r}, method={self.method!r}{label})"

    def __reduce__(self) -> Any:
        return (Quantity, (self.value, self.level, self.enclosure, self.method, self.name,
                           dict(self.details)))
