r"""An activation on an interval: its exact range and its slope sector.

Neural-network verifiers (auto_LiRPA, alpha-beta-CROWN, ...) bound every neuron on its
input interval :math:`[l, u]`.  :func:`image` gives the range
:math:`\varphi([l, u]) = [\inf \varphi, \sup \varphi]` and :func:`slopes` the slope sector
:math:`[\inf \varphi', \sup \varphi']` on :math:`[l, u]`, both from the exact/certified
engine :mod:`symact.analysis.extrema`: a closed form where SymPy finds the critical points
(GELU's minimum, SiLU's :math:`-W(1/e)`), a certified Arb enclosure otherwise, with the
points where the ends are attained.  Non-monotone activations (GELU, SiLU, Mish) and
kinks (ReLU, hardtanh, ...) need no special care: the engine cuts the expression into
analytic pieces.  At a kink the derivative is undefined; the slope sector is then the
closure of the one-sided derivatives (Clarke's generalised gradient), which is what a
verifier's linear bounds need.

Interval ends are read exactly: ints, fractions, SymPy numbers, strings (``"-1.45"`` is
:math:`-29/20`, ``"-sqrt(2)"`` is :math:`-\sqrt2`), and floats at their exact binary
value (``0.1`` is :math:`3602879701896397/2^{55}`), since a verifier's float bound *is*
that binary number.

>>> import symact as sa
>>> r = sa.image("gelu", -2, 1)
>>> r.inf.at, r.inf.exact
({-0.75179...}, False)
>>> sa.slopes("relu", -1, 1).bounds
(0, 1)
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any, Literal

import mpmath
import sympy

from ..core.precision import DEFAULT_DPS, workdps
from ..core.result import Quantity
from ..expressions.activation import Activation
from ..expressions.coerce import as_activation
from .extrema import Extremum, inf, sup

__all__ = ["IntervalRange", "as_end", "image", "slopes"]

_ACCEPTED = ("accepted: an int, a float (read at its exact binary value), a fractions.Fraction, "
             "a decimal.Decimal, a string such as '-1.45', '1/3' or '-sqrt(2)', or a real SymPy number")


def as_end(value: Any) -> sympy.Expr:
    r"""Read an interval end exactly.

    Floats are taken at their exact binary value (a verifier's bound is that number);
    strings are read as decimals or fractions, or as a real closed form.

    >>> as_end(0.5), as_end("-1.45"), as_end("1/3"), as_end("-sqrt(2)")
    (1/2, -29/20, 1/3, -sqrt(2))
    >>> as_end(0.1)
    3602879701896397/36028797018963968
    >>> as_end(float("nan"))
    Traceback (most recent call last):
    ...
    ValueError: an interval end must be a finite real number, got nan; accepted: ...
    """
    if isinstance(value, bool):
        raise TypeError(f"an interval end must be a number, not a bool; {_ACCEPTED}")
    if getattr(value, "shape", None) == () and hasattr(value, "item"):  # NumPy scalar
        value = value.item()
    out: Any
    if isinstance(value, sympy.Basic):
        out = value
    elif isinstance(value, numbers.Integral):
        out = sympy.Integer(int(value))
    elif isinstance(value, Fraction):
        out = sympy.Rational(value.numerator, value.denominator)
    elif isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"an interval end must be a finite real number, got {value}; {_ACCEPTED}")
        out = sympy.Rational(str(value))
    elif isinstance(value, numbers.Real):
        f = float(value)
        if f != f or f in (float("inf"), float("-inf")):
            raise ValueError(f"an interval end must be a finite real number, got {f}; {_ACCEPTED}")
        fr = Fraction(f)  # exact binary value
        out = sympy.Rational(fr.numerator, fr.denominator)
    elif isinstance(value, str):
        text = value.strip()
        try:
            out = sympy.Rational(text)
        except (TypeError, ValueError, SyntaxError):
            from ..expressions.parsing import parse_text

            try:
                out = parse_text(text, variables={})
            except (TypeError, ValueError, SyntaxError) as exc:
                raise ValueError(f"cannot read the interval end {value!r}: {exc}; {_ACCEPTED}") from None
    else:
        raise TypeError(f"an interval end must be a number, got {value!r}; {_ACCEPTED}")
    if not isinstance(out, sympy.Expr) or out.free_symbols or not out.is_number:
        raise ValueError(f"an interval end must be a finite real number, got {value!r}; {_ACCEPTED}")
    if out.has(sympy.nan, sympy.zoo, sympy.oo, -sympy.oo) or out.is_extended_real is False:
        raise ValueError(f"an interval end must be a finite real number, got {out}; {_ACCEPTED}")
    return out


def interval_ends(lo: Any, hi: Any, *, allow_point: bool = True) -> tuple[sympy.Expr, sympy.Expr]:
    """Both ends read by :func:`as_end`, checked ``lo <= hi`` (``lo < hi`` without ``allow_point``)."""
    a, b = as_end(lo), as_end(hi)
    bad = (a > b) if allow_point else (a >= b)
    if bool(bad):
        need = "lo <= hi" if allow_point else "lo < hi"
        raise ValueError(f"the interval [{a}, {b}] is empty or reversed: need {need}")
    return a, b


@dataclass(frozen=True)
class IntervalRange:
    r"""The range (``what="image"``) or slope sector (``what="slopes"``) on :math:`[l, u]`.

    ``inf`` and ``sup`` are :class:`~symact.analysis.extremum.Extremum` results (exact or
    certified, with where they are attained); :attr:`lower` and :attr:`upper` are the same
    as :class:`~symact.core.result.Quantity` values, and :attr:`outward` gives floats
    rounded outward (a sound float interval).

    >>> import symact as sa
    >>> r = sa.image("sigmoid", 0, 1)
    >>> r.bounds, r.level
    ((1/2, 1/(exp(-1) + 1)), 'exact')
    """

    activation: Activation
    lo: sympy.Expr
    hi: sympy.Expr
    what: Literal["image", "slopes"]
    inf: Extremum
    sup: Extremum

    @property
    def bounds(self) -> tuple[sympy.Expr, sympy.Expr]:
        """``(inf, sup)`` as SymPy values (closed forms or certified decimals)."""
        return self.inf.value, self.sup.value

    @property
    def level(self) -> str:
        """``"exact"`` when both ends are closed forms, else ``"certified"``."""
        return "exact" if self.inf.exact and self.sup.exact else "certified"

    @property
    def lower(self) -> Quantity:
        """The lower end as a Quantity."""
        return _quantity(self.inf, f"inf {self._fname()}")

    @property
    def upper(self) -> Quantity:
        """The upper end as a Quantity."""
        return _quantity(self.sup, f"sup {self._fname()}")

    @property
    def outward(self) -> tuple[float, float]:
        """Floats ``(a, b)`` with ``a <= inf`` and ``b >= sup`` (rounded outward, sound)."""
        with workdps(40):
            a = _float_down(self.inf.enclosure[0])
            b = -_float_down(-self.sup.enclosure[1])
        return a, b

    def _fname(self) -> str:
        return "phi" if self.what == "image" else "phi'"

    def describe(self) -> str:
        """One line in words."""
        f = self._fname()
        return (f"{f} on [{sympy.sstr(self.lo)}, {sympy.sstr(self.hi)}] for {self.activation.name}: "
                f"{self.inf.describe()}; {self.sup.describe()}")

    def __str__(self) -> str:
        return self.describe()

    def __repr__(self) -> str:
        return f"IntervalRange({self.describe()})"

    def latex(self) -> str:
        r"""A LaTeX statement such as ``\varphi([0, 1]) = [\frac12, \sigma(1)]``."""
        f = r"\varphi" if self.what == "image" else r"\varphi'"
        vals = [sympy.latex(e.value) if e.exact else sympy.latex(e.evalf(15)) for e in (self.inf, self.sup)]
        rel = "=" if self.level == "exact" else r"\approx"
        return (rf"{f}\left([{sympy.latex(self.lo)}, {sympy.latex(self.hi)}]\right) {rel} "
                rf"\left[{vals[0]}, {vals[1]}\right]")

    def _repr_latex_(self) -> str:
        return f"$\\displaystyle {self.latex()}$"


def _float_down(v: mpmath.mpf) -> float:
    f = float(v)
    if mpmath.mpf(f) > v:
        import math

        f = math.nextafter(f, -math.inf)
    return f


def _quantity(e: Extremum, name: str) -> Quantity:
    if e.exact:
        return Quantity(e.value, "exact", method="closed form", name=name)
    return Quantity.certified(e.enclosure[0], e.enclosure[1], method="certified enclosure", name=name)


def _range(act: Any, lo: Any, hi: Any, what: Literal["image", "slopes"], dps: int) -> IntervalRange:
    a = as_activation(act)
    if a.expr.free_symbols - {a.x}:
        raise ValueError(f"{a.name} has symbolic parameters; give them numeric values first "
                         "(activation(name, param=value))")
    lo_, u = interval_ends(lo, hi)
    f = a.expr if what == "image" else a.derivative()
    dom = sympy.Interval(lo_, u)
    if lo_ == u:  # a point: the value (or the one-sided derivatives at a kink)
        if what == "slopes" and lo_ in set(a.kinks):
            left, right = a.one_sided_derivative(lo_, "-"), a.one_sided_derivative(lo_, "+")
            lo_v, hi_v = (left, right) if bool(left <= right) else (right, left)
            return IntervalRange(a, lo_, u, what, _point(lo_v, lo_, "inf", dps), _point(hi_v, lo_, "sup", dps))
        v = sympy.simplify(f.subs(a.x, lo_))
        return IntervalRange(a, lo_, u, what, _point(v, lo_, "inf", dps), _point(v, lo_, "sup", dps))
    return IntervalRange(a, lo_, u, what, inf(f, dom, dps=dps), sup(f, dom, dps=dps))


def _point(v: sympy.Expr, at: sympy.Expr, kind: str, dps: int) -> Extremum:
    from .extremum import enclosure_of

    return Extremum(kind=kind, value=v, exact=True, at=sympy.FiniteSet(at), attained=True, approached=(),
                    enclosure=enclosure_of(v, dps), method="exact", equation=None, steps=(), candidates=())


def image(act: Activation | str, lo: Any, hi: Any, *, dps: int = DEFAULT_DPS) -> IntervalRange:
    r"""The range :math:`\varphi([l, u])` of an activation on a closed interval.

    Parameters
    ----------
    act : Activation or str
        An activation or a catalogue name.
    lo, hi : number or str
        The interval's ends, read exactly (see :func:`as_end`; floats at their binary value).
    dps : int, keyword-only
        Digits of certified enclosures.

    Returns
    -------
    IntervalRange
        ``.inf`` and ``.sup`` (Extremum, attained ends marked), ``.bounds``, ``.outward``.

    Notes
    -----
    Exact (closed forms) where SymPy finds every critical point, certified by Arb
    branch and bound with interval Newton otherwise.  Unlike an interval bound that
    always includes an activation's global minimum, the range is the true one: on
    :math:`[0.5, 2]` GELU's range is :math:`[\mathrm{GELU}(0.5), \mathrm{GELU}(2)]`.

    Examples
    --------
    >>> import symact as sa
    >>> sa.image("tanh", 0, "1/2").bounds
    (0, tanh(1/2))
    >>> r = sa.image("silu", -2, 0)
    >>> r.inf.value, r.sup.value, r.sup.at
    (-LambertW(exp(-1)), 0, {0})
    >>> sa.image("relu", -1, 2).bounds
    (0, 2)
    """
    return _range(act, lo, hi, "image", dps)


def slopes(act: Activation | str, lo: Any, hi: Any, *, dps: int = DEFAULT_DPS) -> IntervalRange:
    r"""The slope sector :math:`[\inf \varphi', \sup \varphi']` of an activation on :math:`[l, u]`.

    Every chord of :math:`\varphi` on :math:`[l, u]` has a slope in the sector (mean
    value theorem; at kinks the one-sided derivatives count), so
    :math:`\varphi(y) - \varphi(x) \in [\inf\varphi', \sup\varphi'] (y - x)`.

    Parameters
    ----------
    act : Activation or str
    lo, hi : number or str
        The interval's ends, read exactly.
    dps : int, keyword-only

    Returns
    -------
    IntervalRange

    Examples
    --------
    >>> import symact as sa
    >>> s = sa.slopes("sigmoid", -1, 2)
    >>> s.sup.value, s.sup.at
    (1/4, {0})
    >>> sa.slopes("hardtanh", 0, 3).bounds
    (0, 1)
    >>> sa.slopes("gelu", -3, 3).inf.at
    {-sqrt(2)}
    """
    return _range(act, lo, hi, "slopes", dps)
