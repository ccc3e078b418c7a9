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

Digits through every door:

* ``str``, ``repr``, ``sympy.latex`` and ``latex()`` show at most 20 digits, all
  certified (correctly rounded from every point of the enclosure); they never
  recompute.
* ``sympy.sympify(r)`` is the exact value, or a
  :class:`~symact.core.digits.CertifiedFloat` with every certified digit (34 for
  the gain of tanh, not 20), whose precision is exactly those digits.
* ``r.evalf(n)`` and ``sympy.N(r, n)`` for ``n`` up to the digits certified round
  the enclosure (``evalf`` correctly, ``sympy.N`` as SymPy rounds its own
  constants).  For more digits, a result returned by a public call that takes
  ``dps=`` (:data:`symact.core.guard.RECOMPUTABLE`: gains, expectations, mean
  field, extrema, gradient bounds, ...) repeats that call at a higher ``dps``
  under the caller's time budget (:meth:`Result.refined`); any other result, or
  one whose recomputation certifies no more, gives only the digits certified
  (``sympy.N(r, 50)`` of a 25-digit enclosure prints 25 digits, never SymPy's
  binary padding).
* ``float(r)`` is the double nearest the enclosure's midpoint (recomputed first, as
  above, when the enclosure certifies fewer than 17 digits).

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
import fractions
import numbers
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

import mpmath
import sympy

from .digits import (
    CertifiedFloat,
    certified_digits,
    certified_float,
    honest_float,
    outward_float,
    radius_text,
    significant_digits,
    straddles_zero,
    to_mpf,
)
from .errors import CertificationError, Undecided
from .precision import DEFAULT_DPS, MAX_DPS, MIN_DPS, workdps, workprec

__all__ = [
    "LEVELS",
    "CertifiedFloat",
    "Level",
    "Quantity",
    "Result",
    "certified_digits",
    "certified_float",
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
    >>> lo, hi = enclose(sympy.Rational(6, 5))     # not dyadic: a (narrow) interval around it
    >>> with mpmath.workdps(80):
    ...     lo < mpmath.mpf(6) / 5 < hi
    True
    >>> lo, hi = enclose(sympy.Rational(1, 10**300))  # relative width, also for tiny numbers
    >>> float(lo) > 0, float((hi - lo) / lo) < 1e-30
    (True, True)
    """
    value = sympy.sympify(value)
    if value == sympy.oo:
        return (mpmath.inf, mpmath.inf)
    if value == -sympy.oo:
        return (mpmath.ninf, mpmath.ninf)
    with workdps(dps + 15):
        if value.is_Rational:
            p, q = int(value.p), int(value.q)
            v = mpmath.mpf(p) / q
            if q & (q - 1) == 0 and p.bit_length() <= mpmath.mp.prec:
                return (v, v)  # a dyadic rational that fits: held exactly
            # p/q rounded (at most twice, half an ulp each): widen by a few ulps
            eps = abs(v) * mpmath.mpf(2) ** (3 - mpmath.mp.prec)
            return (v - eps, v + eps)
        num = sympy.N(value, dps + 10)
        re, im = num.as_real_imag()
        if not re.is_Number or (im != 0 and abs(im) > sympy.Float(10) ** (-(dps + 5))):
            raise ValueError(f"{value} is not a real number")
        v = mpmath.mpf(sympy.Float(re, dps + 10))
        if v == 0:  # SymPy could not tell it from 0 at this precision
            eps = mpmath.mpf(10) ** (-(dps + 20))
            return (-eps, eps)
        # a relative margin (1e-300 keeps its digits), widened if SymPy reached less accuracy
        rel = max(mpmath.mpf(10) ** (-(dps + 5)), mpmath.mpf(2) ** (8 - re._prec))
        eps = abs(v) * rel
        return (v - eps, v + eps)


def _mpf(v: Any) -> mpmath.mpf:
    """An mpmath number without rounding one that already is (SymPy infinities included)."""
    return to_mpf(v)


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
    def evalf(self, digits: int = 15) -> sympy.Expr:
        """The value to ``digits`` significant digits, never more than are certified.

        An exact value is evaluated to any number of digits.  A certified one asked
        for more digits than its enclosure certifies is recomputed at a higher
        ``dps`` when it came from a public symact call (see :meth:`refined`);
        otherwise, or when recomputing certifies no more, it gives the digits
        certified (fewer than asked for).
        """
        digits = _check_digits(digits)
        if self.level == "exact" and self.value.is_number:
            return self._shown(digits)
        if self.enclosure is None:
            return self._shown(digits)
        lo, hi = self.refined(digits)
        return honest_float(lo, hi, digits)

    def _shown(self, digits: int) -> sympy.Expr:
        """``digits`` digits from what is held, never recomputing (for renderings)."""
        if self.level == "exact" and self.value.is_number:
            if self.value in (sympy.oo, -sympy.oo):
                return self.value  # type: ignore[no-any-return]
            return sympy.N(self.value, digits)  # type: ignore[no-any-return]
        if self.enclosure is None:
            return sympy.Float(self.value, min(digits, 15))
        lo, hi = self.enclosure
        return honest_float(lo, hi, digits)

    def refined(self, digits: int) -> Enclosure:
        """An enclosure certifying ``digits`` digits if the result can be recomputed.

        Results returned by a public symact function that takes ``dps=`` remember
        the call (:func:`symact.core.recipes.attach_recipes`); asked for more digits than their
        enclosure certifies, they repeat it at ``dps = digits + 5`` (at least 10
        more than the original, plus the digits the computation is known to lose), and once more at twice that if it helped but not
        enough, under the caller's time budget.  The new enclosure is intersected
        with the old one (both are rigorous; if they are disjoint a
        :class:`~symact.core.errors.CertificationError` says so) and kept.
        Otherwise the enclosure is returned unchanged.
        """
        digits = _check_digits(digits)
        best = self.__dict__.get("_best") or self.enclosure
        recipe = self.__dict__.get("_recipe")
        if recipe is None or best is None or _count(best) >= digits:
            return best  # type: ignore[no-any-return]
        dps = max(digits + 5 + self._digits_lost(), recipe.dps + 10, MIN_DPS)
        for _ in range(2):
            dps = min(dps, MAX_DPS)
            enc = recipe.enclosure(dps)
            if enc is None:
                break
            new = _intersect(best, enc, self)
            gained = _count(new) > _count(best)
            best = new
            object.__setattr__(self, "_best", best)
            if _count(best) >= digits or not gained or dps >= MAX_DPS:
                break
            dps *= 2
        return best  # type: ignore[no-any-return]

    def _digits_lost(self) -> int:
        """How many more ``dps`` than digits a recomputation needs (subclasses that lose
        digits on the way, like a power through ``10**30`` layers, say how many)."""
        return 0

    def _refine_bits(self, bits: int) -> Enclosure:
        return self.refined(max(1, round((int(bits) - 4) / 3.3219280948873626) - 1))

    @property
    def digits(self) -> int | None:
        """How many significant digits the enclosure certifies (``None``: unbounded, exact)."""
        if self.level == "exact":
            return None
        if self.enclosure is None:
            return 0
        return _count(self.enclosure)

    def __float__(self) -> float:
        if self.level == "exact" and self.value.is_number:
            return float(sympy.N(self.value, 30))
        if self.enclosure is not None:
            # a recomputable result certifying fewer digits than a double holds gets them first
            lo, hi = self.refined(17) if "_recipe" in self.__dict__ else self.enclosure
            with workdps(30):
                return float((_mpf(lo) + _mpf(hi)) / 2)
        return float(self.value)

    def _sympy_(self) -> sympy.Expr:
        """The exact value, or a :class:`~symact.core.digits.CertifiedFloat` holding every
        certified digit (``sympy.N(r, n)`` then recomputes for more, see :meth:`refined`)."""
        if self.level == "exact" or self.enclosure is None:
            return self.value if self.level == "exact" else self._shown(self._display_digits)  # type: ignore[no-any-return]
        lo, hi = self.enclosure
        return certified_float(lo, hi, self._refine_bits)

    def _latex(self, printer: Any) -> str:
        return printer._print(self._display())  # type: ignore[no-any-return]

    def _display(self) -> sympy.Expr:
        if self.level != "exact" and self._no_digit():
            lo, hi = self.enclosure
            return sympy.Interval(outward_float(lo, 2, up=False), outward_float(hi, 2, up=True))
        return self.value if self.level == "exact" else self._shown(self._display_digits)  # type: ignore[no-any-return]

    def _no_digit(self) -> bool:
        """An enclosure away from 0 that certifies no digit (shown as an interval)."""
        enc = self.enclosure
        return enc is not None and not straddles_zero(*enc) and not (enc[0] == enc[1]) \
            and certified_digits(enc[0], enc[1], 1) is None

    def latex(self) -> str:
        """LaTeX for the value (subclasses may state more, e.g. ``\\sup_x f = ...``)."""
        return sympy.latex(self._display())

    def _repr_latex_(self) -> str:
        return f"$\\displaystyle {self.latex()}$"

    def __str__(self) -> str:
        if self.level != "exact" and self.enclosure is not None and straddles_zero(*self.enclosure) \
                and certified_digits(*self.enclosure, 2) is None:
            return radius_text(*self.enclosure)
        shown = self._display()
        if isinstance(shown, sympy.Interval):  # "[2.0, 9.0e+2]": not even one digit is certified
            return f"[{sympy.sstr(shown.start)}, {sympy.sstr(shown.end)}" + (")" if shown.end == sympy.oo else "]")
        return sympy.sstr(shown)

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state.pop("_recipe", None)  # a recomputation recipe holds the call; it does not travel
        state.pop("_best", None)
        return state

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


def _exact_mpf(a: Any) -> mpmath.mpf:
    """The exact value of an exact ``arb`` (a ball's end) as an mpmath number."""
    man, exp = a.man_exp()
    return mpmath.mp.make_mpf(mpmath.libmp.from_man_exp(int(man), int(exp)))


def _check_digits(digits: Any) -> int:
    if not isinstance(digits, numbers.Integral) or isinstance(digits, bool) or digits < 1:
        raise ValueError(f"digits must be a positive integer, got {digits!r}")
    return int(digits)


def _count(enc: Enclosure) -> int:
    """Significant digits certified by an enclosure (0 if none)."""
    text = certified_digits(enc[0], enc[1], MAX_DPS)
    return 0 if text is None else significant_digits(text)


def _intersect(old: Enclosure, new: Enclosure, what: Any) -> Enclosure:
    lo, hi = max(_mpf(old[0]), _mpf(new[0])), min(_mpf(old[1]), _mpf(new[1]))
    if lo > hi:
        raise CertificationError(
            f"recomputing {type(what).__name__} at a higher dps gave [{mpmath.nstr(new[0], 20)}, "
            f"{mpmath.nstr(new[1], 20)}], disjoint from its enclosure [{mpmath.nstr(old[0], 20)}, "
            f"{mpmath.nstr(old[1], 20)}]: one of them is wrong; please report this"
        )
    return (lo, hi)


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

    @classmethod
    def from_ball(
        cls, ball: Any, *, method: str, name: str = "", digits: int = DEFAULT_DPS,
        details: Mapping[str, Any] | None = None,
    ) -> Quantity:
        """A certified quantity from a python-flint ``arb`` ball (its exact ends).

        For results computed in Arb (a Krawczyk box, an interval Newton step): the
        value shows only the digits the ball certifies, at most ``digits``.

        >>> import flint
        >>> with workdps(40):
        ...     root2 = flint.arb(2).sqrt()
        >>> q = Quantity.from_ball(root2, method="arb", name="root2")
        >>> q, q.digits
        (Quantity(1.4142135623730950488, level='certified', method='arb', name='root2'), 40)
        >>> Quantity.from_ball(flint.arb("1.25 +/- 0.1"), method="arb").evalf(10)
        1.
        """
        if not hasattr(ball, "mid") or not hasattr(ball, "rad"):
            raise TypeError(f"expected a python-flint arb ball, got {type(ball).__name__}")
        if not ball.is_finite():
            raise CertificationError(f"{name or 'the quantity'}: the ball {ball} is not finite")
        man, _ = ball.mid().man_exp()
        with workprec(int(man).bit_length() + 64, mpmath=False):  # the ends, rounded outward
            ends = (ball.lower(), ball.upper())
        lo, hi = (_exact_mpf(end) for end in ends)
        return cls.certified(lo, hi, method=method, name=name, digits=digits, details=details)

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
