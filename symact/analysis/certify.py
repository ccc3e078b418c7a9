r"""Certified (rigorous) extrema of smooth pieces where no closed form exists.

The exact engine calls :func:`certified_extremum` for a smooth piece :math:`f` of an
activation (or of a derivative) when SymPy cannot solve :math:`f'(x) = 0`.  The answer is
an enclosure ``[lower, upper]`` that provably contains the supremum (or infimum), with
enclosures of the points where it is attained.  Nothing here is a floating-point sample:
every inequality used is an Arb ball computation or an exact SymPy computation.

Method
------
For a supremum (an infimum is the supremum of :math:`-f`):

1. **Window.**  On a finite window :math:`[A, B]` the supremum of a :math:`C^1` function is
   the largest of :math:`f(A)`, :math:`f(B)` and :math:`f` at the zeros of :math:`f'`.  A
   branch-and-bound over subintervals :math:`I` discards :math:`I` when
   :math:`0 \notin f'(I)` (plain and mean-value Arb enclosures), or when an upper bound of
   :math:`f(I)` lies below a value of :math:`f` already computed.  On the remaining
   intervals the interval Newton operator :math:`N(I) = m - f'(m)/f''(I)` either proves
   :math:`I` holds exactly one critical point (:math:`N(I) \subseteq I`,
   :math:`0 \notin f''(I)`) and then contracts it quadratically, or shrinks :math:`I` to
   :math:`N(I) \cap I`, or :math:`I` is bisected (at a non-dyadic ratio, so that "nice"
   roots do not fall on a split point).  Intervals that never become Newton-certified
   (a critical point on a window end, or a multiple zero of :math:`f'`) are shrunk until the
   mean-value enclosure :math:`f(m) + f'(I)(I - m)` is narrower than the target.
2. **Tails.**  For an infinite end the window stops at :math:`R` (8, 16, 32, ... up to
   1024) and :math:`[R, \infty)` is handled by :mod:`symact.analysis.tails`: either
   :math:`f` is enclosed there below a value already attained, or :math:`f'` is proved
   to have constant sign there (interval arithmetic, Gaussian-tail and
   exponential-polynomial dominant-term bounds), so that the tail's supremum is
   :math:`f(R)` or the exact (Gruntz) limit at infinity.  If no :math:`R` works,
   :class:`~symact.core.errors.CertificationError` is raised.

Every step is recorded as a :class:`~symact.core.steps.Record` (kinds ``"certified"``,
``"tail"``, ``"constant"``) in :attr:`CertifiedExtremum.notes`.

References
----------
.. [1] R. E. Moore, R. B. Kearfott, M. J. Cloud, *Introduction to Interval Analysis*,
   SIAM, 2009 (interval Newton method, ch. 8).
.. [2] R. Krawczyk, "Newton-Algorithmen zur Bestimmung von Nullstellen mit
   Fehlerschranken", Computing 4, 1969.
.. [3] F. Johansson, "Arb: efficient arbitrary-precision midpoint-radius interval
   arithmetic", IEEE Transactions on Computers 66(8), 2017.
.. [4] D. Gruntz, *On Computing Limits in a Symbolic Manipulation System*, PhD thesis,
   ETH Zürich, 1996.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import flint
import mpmath
import sympy
from flint import arb

from ..core.errors import CertificationError, UnsupportedExpression
from ..core.precision import workdps, workprec
from ..core.result import Result, honest_float, outward_float
from ..core.steps import Record
from ..numerics.arb import arb_evaluator, ball, finite_ball, to_mpf
from .roots import isolate_roots
from .tails import tail_bound
from .window import WindowCandidate, bundle, window_sup

__all__ = [
    "CertifiedExtremum",
    "arb_evaluator",
    "certified_extremum",
    "enclose_range",
    "isolate_roots",
]

_TAIL_STARTS = (8, 16, 32, 64, 128, 256, 512, 1024)


def _prec(dps: int) -> int:
    return int(dps * 3.33) + 30


def _nstr(v: object, n: int = 17) -> str:
    return mpmath.nstr(v, n) if isinstance(v, mpmath.mpf) else str(v)


def _end(v: object, up: bool) -> str:
    """An end of an enclosure at 20 digits, rounded outward (so the printed interval still encloses)."""
    if isinstance(v, mpmath.mpf) and mpmath.isfinite(v):
        return str(outward_float(v, 20, up=up))
    return _nstr(v)


@dataclass(frozen=True, eq=False, repr=False)
class CertifiedExtremum(Result):
    r"""A rigorous enclosure of :math:`\sup f` or :math:`\inf f` over an interval.

    Attributes
    ----------
    kind : {"sup", "inf"}
    lower, upper : mpmath.mpf
        ``lower <= value <= upper``, proved (outward rounded).  Infinite when the value is.
    points : tuple of (mpf, mpf)
        Enclosures of the points where the value may be attained; each contains a point
        where :math:`f` is within the enclosure width of the value.  Empty if only approached.
    approached_at : tuple
        Ends where the value is approached but not attained (``sympy.oo``, ``-sympy.oo`` or
        an open finite end).
    attained : bool
    notes : tuple of Record
        What was proved (kinds ``"certified"``, ``"tail"``, ``"constant"``), for the
        derivation layer.
    dps : int
        Decimal digits requested.

    It follows the result protocol (:class:`~symact.core.result.Result`): ``value`` holds
    only the certified digits, ``level`` is ``"certified"``, ``enclosure`` is
    ``(lower, upper)``.

    Examples
    --------
    >>> e = CertifiedExtremum("sup", mpmath.mpf(1), mpmath.mpf(1), (), (sympy.oo,), False, ())
    >>> e.mid(), e.width(), e.value, e.level
    (mpf('1.0'), mpf('0.0'), 1.0, 'certified')
    """

    kind: Literal["sup", "inf"]
    lower: mpmath.mpf
    upper: mpmath.mpf
    points: tuple[tuple[mpmath.mpf, mpmath.mpf], ...]
    approached_at: tuple[object, ...]
    attained: bool
    notes: tuple[Record, ...]
    dps: int = 40

    @property
    def value(self) -> sympy.Expr:
        """The certified digits of the value (``oo``/``-oo`` when infinite)."""
        if mpmath.isinf(self.lower) and self.lower == self.upper:
            return sympy.oo if self.lower > 0 else -sympy.oo
        return honest_float(self.lower, self.upper, self.dps)

    @property
    def level(self) -> str:
        """Always ``"certified"``: a rigorous Arb enclosure."""
        return "certified"

    @property
    def enclosure(self) -> tuple[mpmath.mpf, mpmath.mpf]:
        """``(lower, upper)``."""
        return (self.lower, self.upper)

    @property
    def method(self) -> str:
        """``"arb branch and bound"``."""
        return "arb branch and bound"

    def __post_init__(self) -> None:
        if self.kind not in ("sup", "inf"):
            raise ValueError(f"kind must be 'sup' or 'inf', not {self.kind!r}")
        if not self.lower <= self.upper:
            raise ValueError("lower must not exceed upper")

    def mid(self) -> mpmath.mpf:
        """Midpoint of the enclosure (at the precision requested)."""
        with workdps(self.dps + 10):
            return (self.lower + self.upper) / 2 if mpmath.isfinite(self.lower) else self.lower

    def width(self) -> mpmath.mpf:
        """Width ``upper - lower`` of the enclosure."""
        if not mpmath.isfinite(self.lower):
            return mpmath.mpf(0)
        with workdps(self.dps + 10):
            return self.upper - self.lower

    def __repr__(self) -> str:
        where = ", ".join(f"[{_nstr(a)}, {_nstr(b)}]" for a, b in self.points)
        parts = [f"{self.kind} in [{_end(self.lower, False)}, {_end(self.upper, True)}]"]
        if where:
            parts.append(f"attained at x in {where}")
        if self.approached_at:
            parts.append("approached at " + ", ".join(map(str, self.approached_at)))
        return f"CertifiedExtremum({'; '.join(parts)})"

    def latex(self) -> str:
        """LaTeX of the enclosure, e.g. ``\\sup f \\in [a, b]``."""
        return (
            rf"\{self.kind} f \in \left[{_end(self.lower, False)},\ {_end(self.upper, True)}\right]"
        )

    def __str__(self) -> str:
        return self.__repr__()



# ---------------------------------------------------------------------------------------
# Public API.


def _const_ball(c: sympy.Expr, x: sympy.Symbol) -> arb:
    b = arb_evaluator(c, x)(arb(0))
    if not finite_ball(b):
        raise UnsupportedExpression(f"interval end {c} is not a finite real number")
    return b


def _sup(f: sympy.Expr, x: sympy.Symbol, lo, hi, lo_closed: bool, hi_closed: bool, dps: int):
    fn, _ = bundle(f, x)
    target = arb(10) ** (-(dps - 5))
    notes: list[Record] = []
    lo_b = None if lo is -sympy.oo else _const_ball(lo, x)
    hi_b = None if hi is sympy.oo else _const_ball(hi, x)
    failure = ""
    for R in _TAIL_STARTS:
        Rr = R + max(0, math.ceil(float(lo))) if lo_b is not None else R
        Rl = R + max(0, -math.floor(float(hi))) if hi_b is not None else R
        A = lo_b.lower() if lo_b is not None else arb(-Rl)
        B = hi_b.upper() if hi_b is not None else arb(Rr)
        samples = [A + (B - A) * k / 16 for k in range(17)]
        vals = [fn.f(s.mid()) for s in samples]
        best = max((v.lower() for v in vals if finite_ball(v)), default=None)
        tails: list[WindowCandidate] = []
        tail_notes: list[Record] = []
        ok = True
        for side, present, RR in ((1, hi_b is None, Rr), (-1, lo_b is None, Rl)):
            if not present:
                continue
            res = tail_bound(f, x, RR, side, best)
            if res is None:
                ok = False
                failure = f"could not prove the behaviour of f on the tail beyond {side * RR}"
                break
            tails += [WindowCandidate(c.value, None, c.where, c.infinite) for c in res.candidates]
            tail_notes.append(res.record)
        if ok:
            break
    else:
        raise CertificationError(
            f"{failure} (tried tails starting at up to {_TAIL_STARTS[-1]}): f' need not have "
            "constant sign there (e.g. infinitely many critical points), so no certified value"
        )
    cands, stats = window_sup(fn, A, B, target, best)
    for end_b, closed, sym, junction in ((lo_b, lo_closed, lo, A), (hi_b, hi_closed, hi, B)):
        if end_b is None:  # junction with a tail: an interior point, value attained
            cands.append(WindowCandidate(fn.f(junction), junction))
        elif closed:
            cands.append(WindowCandidate(fn.f(end_b), end_b))
        else:  # open end: f extends continuously, the value is approached only
            cands.append(WindowCandidate(fn.f(end_b), None, sym))
    cands += tails
    window = (to_mpf(A, "lower", 53), to_mpf(B, "upper", 53))
    info = {"window": window, "method": "interval newton", "newton": stats["newton"],
            "clusters": stats["cluster"], "boxes": stats["boxes"], "bits": flint.ctx.prec,
            "equation": sympy.Eq(sympy.diff(f, x), 0)}
    notes += tail_notes
    return cands, notes, target, info


def certified_extremum(
    expr: sympy.Expr,
    x: sympy.Symbol,
    kind: Literal["sup", "inf"],
    *,
    lo: object = -sympy.oo,
    hi: object = sympy.oo,
    lo_closed: bool = True,
    hi_closed: bool = True,
    dps: int = 40,
) -> CertifiedExtremum:
    r"""Rigorous enclosure of :math:`\sup f` or :math:`\inf f` over an interval.

    Parameters
    ----------
    expr : sympy.Expr
        :math:`f`, analytic on the open interval and continuous on its closure.
    x : sympy.Symbol
        The variable.
    kind : {"sup", "inf"}
    lo, hi : SymPy numbers, optional
        Ends of the interval; ``-oo``/``oo`` (default) for the real line.
    lo_closed, hi_closed : bool
        Whether finite ends belong to the interval (an open end is only approached).
    dps : int
        Decimal digits: the enclosure is narrower than :math:`10^{5-\mathrm{dps}}`.

    Returns
    -------
    CertifiedExtremum

    Raises
    ------
    CertificationError
        When a tail cannot be proved harmless or the target width cannot be reached.
    UnsupportedExpression
        For functions that have no Arb evaluation.

    Notes
    -----
    See the module docstring for the method: branch and bound with interval Newton on
    a window, and proofs of monotonicity (or bounds) on the tails.

    References
    ----------
    .. [1] R. E. Moore, R. B. Kearfott, M. J. Cloud, *Introduction to Interval Analysis*,
       SIAM, 2009.
    .. [2] F. Johansson, "Arb: efficient arbitrary-precision midpoint-radius interval
       arithmetic", IEEE Transactions on Computers 66(8), 2017.

    Examples
    --------
    >>> x = sympy.Symbol("x", real=True)
    >>> silu = x / (1 + sympy.exp(-x))
    >>> r = certified_extremum(sympy.diff(silu, x), x, "sup", dps=30)
    >>> mpmath.nstr(r.mid(), 17), r.attained, r.width() < 1e-25
    ('1.0998393201288669', True, True)
    >>> certified_extremum(1 / (1 + sympy.exp(-x)), x, "sup").approached_at
    (oo,)
    """
    if kind not in ("sup", "inf"):
        raise ValueError(f"kind must be 'sup' or 'inf', not {kind!r}")
    if not isinstance(dps, int) or dps < 10:
        raise ValueError("dps must be an integer >= 10")
    expr = sympy.sympify(expr)
    lo, hi = sympy.sympify(lo), sympy.sympify(hi)
    other = expr.free_symbols - {x}
    if other:
        raise UnsupportedExpression(
            f"free symbols {sorted(map(str, other))} besides {x}: substitute numbers first"
        )
    if not (lo.is_extended_real and hi.is_extended_real) or bool(lo >= hi):
        raise ValueError(f"need real ends lo < hi, got [{lo}, {hi}]")
    sgn = 1 if kind == "sup" else -1
    f = sgn * expr
    arb_evaluator(f, x)  # unsupported functions fail early
    if not f.has(x) or sympy.diff(f, x) == 0:
        return _constant(expr, x, kind, lo, hi, dps)
    out_prec = int(dps * 3.33) + 4
    prec = _prec(dps)
    last: Exception | None = None
    for _attempt in range(2):
        with workprec(prec, mpmath=False):
            cands, notes, target, info = _sup(f, x, lo, hi, lo_closed, hi_closed, dps)
            if any(c.infinite > 0 for c in cands):
                inf = mpmath.mpf(sgn * mpmath.inf)
                where = tuple(c.where for c in cands if c.infinite > 0)
                return CertifiedExtremum(
                    kind,
                    inf,
                    inf,
                    (),
                    where,
                    False,
                    (*notes, Record("certified", {**info, "lo": lo, "hi": hi, "enclosure": (inf, inf),
                                                  "method": "tail limit", "dps": dps, "kind": kind},
                                    level="certified", note=f"the {kind} is infinite")),
                    dps,
                )
            finite = [c for c in cands if c.value is not None and finite_ball(c.value)]
            if len(finite) < len([c for c in cands if c.infinite == 0]):
                last = CertificationError(
                    "a candidate value could not be enclosed (f not finite there)"
                )
                prec *= 2
                continue
            Lb = max(c.value.lower() for c in finite)
            kept = [c for c in finite if c.value.upper() >= Lb]
            Ub = max(c.value.upper() for c in kept)
            if not Ub - Lb < target:
                last = CertificationError(
                    f"enclosure width {(Ub - Lb).mid()} above target {target.mid()}"
                )
                prec *= 2
                continue
            value = ball(Lb, Ub)
            pts = [c.point for c in kept if c.point is not None]
            ends = tuple(dict.fromkeys(c.where for c in kept if c.point is None))
            lower_b, upper_b = (value, value) if sgn > 0 else (-value, -value)
            lower = to_mpf(lower_b, "lower", out_prec)
            upper = to_mpf(upper_b, "upper", out_prec)
            points = tuple(
                sorted((to_mpf(P, "lower", out_prec), to_mpf(P, "upper", out_prec)) for P in pts)
            )
            notes.append(Record(
                "certified",
                {**info, "lo": lo, "hi": hi, "enclosure": (lower, upper), "kind": kind, "expr": expr,
                 "dps": dps, "points": points, "approached": ends,
                 "width": to_mpf(2 * value.rad(), "upper", 53)},
                level="certified",
                note="the largest candidate, kept where it cannot be beaten; ties within the enclosure are kept",
            ))
            return CertifiedExtremum(
                kind, lower, upper, points, ends, bool(pts), tuple(notes), dps
            )
    assert last is not None
    raise last


def _constant(
    expr: sympy.Expr, x: sympy.Symbol, kind: Literal["sup", "inf"], lo, hi, dps: int
) -> CertifiedExtremum:
    out_prec = int(dps * 3.33) + 4
    with workprec(_prec(dps), mpmath=False):
        mid = (
            (lo + hi) / 2
            if lo.is_finite and hi.is_finite
            else (lo if lo.is_finite else hi if hi.is_finite else sympy.S.Zero)
        )
        v = arb_evaluator(expr, x)(_const_ball(mid, x) if mid.is_finite else arb(0))
        ends = tuple(
            to_mpf(_const_ball(e, x), w, out_prec) if e.is_finite else mpmath.mpf(float(e))
            for e, w in ((lo, "lower"), (hi, "upper"))
        )
        return CertifiedExtremum(
            kind,
            to_mpf(v, "lower", out_prec),
            to_mpf(v, "upper", out_prec),
            (ends,),
            (),
            True,
            (Record("constant", {"lo": lo, "hi": hi, "value": expr},
                    note="f' is identically zero: f is constant on the whole interval"),),
            dps,
        )


def enclose_range(
    expr: sympy.Expr, x: sympy.Symbol, lo: object, hi: object, *, dps: int = 40
) -> tuple[mpmath.mpf, mpmath.mpf]:
    r"""Rigorous enclosure of the range :math:`f([lo, hi])` on a finite closed interval.

    Computed as ``[inf.lower, sup.upper]`` from :func:`certified_extremum`, i.e. by
    subdivision with Arb and interval Newton; the enclosure is over-wide by at most
    about :math:`10^{5-\mathrm{dps}}` at each end.

    References
    ----------
    .. [1] R. E. Moore, R. B. Kearfott, M. J. Cloud, *Introduction to Interval Analysis*,
       SIAM, 2009.
    .. [2] F. Johansson, "Arb: efficient arbitrary-precision midpoint-radius interval
       arithmetic", IEEE Transactions on Computers 66(8), 2017.

    Examples
    --------
    >>> x = sympy.Symbol("x", real=True)
    >>> a, b = enclose_range(x * sympy.exp(-x**2), x, 0, 2, dps=20)
    >>> a <= 0 and mpmath.mpf(1) / mpmath.sqrt(2 * mpmath.e) <= b < 0.42889
    True
    """
    lo, hi = sympy.sympify(lo), sympy.sympify(hi)
    if not (lo.is_finite and hi.is_finite):
        raise ValueError("enclose_range needs finite ends")
    s = certified_extremum(expr, x, "sup", lo=lo, hi=hi, dps=dps)
    i = certified_extremum(expr, x, "inf", lo=lo, hi=hi, dps=dps)
    return i.lower, s.upper
