r"""The properties people ask about after the derivative bounds.

:func:`derivative_bounds` (:mod:`symact.analysis.bounds`, re-exported here) gives the
infimum and supremum of an activation's derivative; :func:`analyze`
adds its range, Lipschitz constant, monotonicity, limits at
:math:`\pm\infty`, zero-centring and smoothness class; :func:`table` does
this for the whole catalogue.

Results are cached per activation (its name and expression, so per parameter
values) and precision; nothing depends on ``mpmath.mp.dps``.

>>> import symact as sa
>>> b = sa.derivative_bounds(sa.activation("sigmoid"))
>>> b.sup.value, b.inf.value, b.lipschitz.value, b.lipschitz.level
(1/4, 0, 1/4, 'exact')
"""

from __future__ import annotations

import decimal
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import flint
import mpmath
import sympy

from ..core.cache import cached
from ..core.errors import CertificationError, UnsupportedExpression
from ..core.precision import DEFAULT_DPS, workdps, workprec
from ..core.result import Quantity, certified_digits, outward_float, weakest
from ..expressions.activation import Activation, x
from ..expressions.catalogue import names
from ..expressions.coerce import as_activation as _resolve
from ..expressions.simplify import tidy as _tidy
from ..numerics.arb import arb_evaluator
from .bounds import (
    PARAMETER_ASSUMPTIONS,
    DerivativeBounds,
    derivative_bounds,
    parametric_activation,
    plain_bounds,
    sup_abs,
)
from .extrema import Extremum

__all__ = [
    "PARAMETER_ASSUMPTIONS",
    "DerivativeBounds",
    "Profile",
    "Table",
    "analyze",
    "derivative_bounds",
    "sup_abs",
    "table",
]


@dataclass(frozen=True)
class Profile:
    r"""Everything :func:`analyze` finds out about one activation.

    Attributes
    ----------
    activation : Activation
    derivative : DerivativeBounds
        Bounds of the first derivative (``derivative.sup``/``.inf`` are results).
    range : sympy.Interval
        The set of values.  An end is closed only where the value is exactly known and
        attained; a certified end is shown open, at a decimal rounded outward, so the
        interval always contains the range (the rigorous ends are ``value_bounds.inf``
        and ``value_bounds.sup``).
    lipschitz : Quantity
        :math:`\sup|\varphi'|` (exact or certified), infinite for a discontinuous activation.
    monotone : str
        ``"increasing"``, ``"nondecreasing"``, ``"decreasing"``, ``"nonincreasing"``,
        ``"no"``, or ``"depends"`` (symbolic parameters).
    derivative_monotone : str
        The same for :math:`\varphi'` (from the bounds of :math:`\varphi''` and the jumps
        of :math:`\varphi'`).
    limits : (sympy.Expr, sympy.Expr)
        Limits at :math:`-\infty` and :math:`+\infty`.
    zero_centred : bool
        :math:`\varphi(0) = 0` and :math:`\varphi` takes both signs (shown by exact
        witnesses at sample points).
    smoothness : int or float
        ``k`` for :math:`C^k`, ``inf`` for :math:`C^\infty`, ``-1`` if discontinuous.
    exact : bool
        Whether every bound is a closed form.
    value_bounds : DerivativeBounds
        Infimum and supremum of the activation itself.
    second : DerivativeBounds or None
        Bounds of :math:`\varphi''` (``None`` when they could not be found).
    assumptions : tuple
        Assumptions on symbolic parameters.
    """

    activation: Activation
    derivative: DerivativeBounds
    range: sympy.Set
    lipschitz: Quantity
    monotone: str
    limits: tuple[sympy.Expr, sympy.Expr]
    zero_centred: bool
    smoothness: int | float
    exact: bool
    value_bounds: DerivativeBounds = field(repr=False)
    derivative_monotone: str = "no"
    second: DerivativeBounds | None = field(default=None, repr=False)
    assumptions: tuple[sympy.Basic, ...] = ()

    @property
    def level(self) -> str:
        """The weakest level among range, Lipschitz constant and derivative bounds."""
        return weakest(self.derivative.level, self.value_bounds.level, self.lipschitz.level)

    def describe(self) -> str:
        """A short report in words."""
        smooth = "C^inf" if self.smoothness == float("inf") else ("discontinuous" if self.smoothness < 0 else f"C^{self.smoothness}")
        lines = [
            f"{self.activation.name}(x) = {sympy.sstr(self.activation.expr)}",
            self.derivative.describe(),
            f"range {sympy.sstr(self.range)}; Lipschitz constant {self.lipschitz} ({self.lipschitz.level})",
            f"monotone: {self.monotone}; phi' monotone: {self.derivative_monotone}; "
            f"zero-centred: {'yes' if self.zero_centred else 'no'}; {smooth}",
            f"limits: {sympy.sstr(self.limits[0])} at -oo, {sympy.sstr(self.limits[1])} at +oo",
            "all exact" if self.exact else "some values certified (not closed form)",
        ]
        if self.assumptions:
            lines.append("assuming " + ", ".join(sympy.sstr(a) for a in self.assumptions))
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.describe()


def _sign_of(e: Extremum, which: int) -> mpmath.mpf | sympy.Expr:
    """A number with the sign of ``e`` (lower end for which=-1, upper for +1) or None."""
    v = e.value
    if e.exact and v in (sympy.oo, -sympy.oo):
        return mpmath.mpf(1) if v == sympy.oo else mpmath.mpf(-1)
    if e.exact:
        if v.is_zero:
            return mpmath.mpf(0)
        if v.is_positive:
            return mpmath.mpf(1)
        if v.is_negative:
            return mpmath.mpf(-1)
        if not v.is_number:
            if v.is_nonnegative and which < 0:
                return mpmath.mpf(0)
            if v.is_nonpositive and which > 0:
                return mpmath.mpf(0)
            return None
        return _n(v)
    return e.enclosure[0] if which < 0 else e.enclosure[1]


def _monotone_from(lo: Extremum, hi: Extremum, jumps: list[sympy.Expr]) -> str:
    lo_v, hi_v = _sign_of(lo, -1), _sign_of(hi, 1)
    up = [j.is_nonnegative for j in jumps]
    down = [j.is_nonpositive for j in jumps]
    if lo_v is not None and lo_v >= 0 and all(up):
        flat = lo.exact and lo.value == 0 and lo.attained and not isinstance(lo.at, sympy.FiniteSet)
        return "nondecreasing" if flat else "increasing"
    if hi_v is not None and hi_v <= 0 and all(down):
        flat = hi.exact and hi.value == 0 and hi.attained and not isinstance(hi.at, sympy.FiniteSet)
        return "nonincreasing" if flat else "decreasing"
    if lo_v is None or hi_v is None or None in up or None in down:
        return "depends"
    return "no"


def _monotone(act: Activation, d: DerivativeBounds, order: int = 0) -> str:
    jumps = [sympy.simplify(b.right[order] - b.left[order]) for b in act.breakpoints]
    jumps = [j for j in jumps if not j.is_zero]
    return _monotone_from(d.inf, d.sup, jumps)


def _outward(e: Extremum, down: bool) -> sympy.Expr:
    """A decimal at or beyond the certified value (down: at most the lower end), with at
    most 20 digits and no more than the enclosure certifies."""
    lo, hi = e.enclosure
    end = lo if down else hi
    if mpmath.isnan(end) or mpmath.isinf(end):  # unbounded (or unknown) on that side
        return -sympy.oo if down else sympy.oo
    with workdps(40):
        text = certified_digits(lo, hi, 20)
        digits = 1 if text is None else len(decimal.Decimal(text).as_tuple().digits)
        return outward_float(lo if down else hi, digits, up=not down)


def _n(v: sympy.Expr) -> mpmath.mpf:
    with workdps(40):
        return mpmath.mpf(sympy.N(v, 40))


def _range(e_inf: Extremum, e_sup: Extremum) -> sympy.Set:
    lo = e_inf.value if e_inf.exact else _outward(e_inf, True)
    hi = e_sup.value if e_sup.exact else _outward(e_sup, False)
    return sympy.Interval(lo, hi, not (e_inf.exact and e_inf.attained), not (e_sup.exact and e_sup.attained))


def _sign_change_witness(act: Activation) -> bool:
    """Whether phi'' (or a jump of phi') is proved to take both signs: phi' is not monotone.

    The signs come from Arb balls at sample points inside each piece (rigorous when the
    ball excludes 0) and from the exact jumps of phi' at breakpoints.
    """
    if act.expr.free_symbols - {x}:
        return False
    signs: set[int] = set()
    for b in act.breakpoints:
        jump = sympy.simplify(b.right[1] - b.left[1])
        if jump.is_positive:
            signs.add(1)
        elif jump.is_negative:
            signs.add(-1)
    probes = [sympy.Rational(k, 4) for k in range(-40, 41)] + [sympy.Integer(k) for k in (-50, -20, 20, 50)]
    with workprec(80, mpmath=False):
        for piece in act.pieces:
            d2 = sympy.diff(piece.expr, x, 2)
            if not d2.has(x):
                if d2.is_number and d2 != 0:
                    signs.add(1 if d2 > 0 else -1)
                continue
            try:
                ev = arb_evaluator(d2, x)
            except UnsupportedExpression:
                continue
            for t in probes:
                if not piece.contains(t):
                    continue
                v = ev(flint.arb(int(t.p)) / int(t.q))
                if v.is_finite() and v > 0:
                    signs.add(1)
                elif v.is_finite() and v < 0:
                    signs.add(-1)
                if len(signs) == 2:
                    return True
    return len(signs) == 2


def _takes_sign(act: Activation, sign: int) -> bool:
    """Whether some exact sample value of the activation has the given sign (a witness)."""
    for v in (-3, -1, -sympy.Rational(1, 2), -sympy.Rational(1, 10), sympy.Rational(1, 10), sympy.Rational(1, 2), 1, 3, 10, -10):
        value = act.expr.subs(x, v)
        if value.is_number and value.is_finite and sign * sympy.N(value, 30) > 0:
            return True
    return False


@cached(maxsize=512)
def _analyze(act: Activation, dps: int) -> Profile:
    if act.expr.free_symbols - {x}:
        return _parametric_profile(act, dps)
    d = derivative_bounds(act, 1, dps=dps)
    v = derivative_bounds(act, 0, dps=dps)
    d2: DerivativeBounds | None = None
    d_mono = "no" if _sign_change_witness(act) else None
    if d_mono is None:
        try:
            d2 = derivative_bounds(act, 2, dps=dps)
            d_mono = _monotone(act, d2, 1)
        except (CertificationError, UnsupportedExpression):
            d_mono = "unknown"
    first, last = act.pieces[0].expr, act.pieces[-1].expr
    limits = (sympy.limit(first, x, -sympy.oo), sympy.limit(last, x, sympy.oo))
    at0 = act.expr.subs(x, 0)
    return Profile(
        activation=act,
        derivative=d,
        range=_range(v.inf, v.sup),
        lipschitz=d.lipschitz,
        monotone=_monotone(act, d, 0),
        limits=limits,
        zero_centred=bool(at0 == 0 and _takes_sign(act, -1) and _takes_sign(act, 1)),
        smoothness=act.smoothness,
        exact=d.exact and v.exact,
        value_bounds=v,
        derivative_monotone=d_mono,
        second=d2,
        assumptions=d.assumptions,
    )


def _parametric_profile(act: Activation, dps: int) -> Profile:
    d = derivative_bounds(act, 1, dps=dps)
    v = derivative_bounds(act, 0, dps=dps)
    work, back, _, _ = parametric_activation(act)
    d_w, v_w = plain_bounds(work, 1, dps), plain_bounds(work, 0, dps)
    try:
        d2_w: DerivativeBounds | None = plain_bounds(work, 2, dps)
    except (CertificationError, UnsupportedExpression):
        d2_w = None
    first, last = work.pieces[0].expr, work.pieces[-1].expr
    limits = tuple(_tidy(sympy.limit(e, x, end).xreplace(back))
                   for e, end in ((first, -sympy.oo), (last, sympy.oo)))
    try:
        rng = _range(v.inf, v.sup)
    except (TypeError, ValueError):
        rng = _range(v_w.inf, v_w.sup).xreplace(back)
    at0 = work.expr.subs(x, 0)
    return Profile(
        activation=act,
        derivative=d,
        range=rng,
        lipschitz=d.lipschitz,
        monotone=_monotone(work, d_w, 0),
        limits=limits,  # type: ignore[arg-type]
        zero_centred=bool(at0 == 0 and _takes_sign(work, -1) and _takes_sign(work, 1)),
        smoothness=work.smoothness,
        exact=True,
        value_bounds=v,
        derivative_monotone=_monotone(work, d2_w, 1) if d2_w is not None else "unknown",
        second=None,
        assumptions=d.assumptions,
    )


def analyze(act: Activation | str, *, dps: int = DEFAULT_DPS) -> Profile:
    r"""Range, Lipschitz constant, monotonicity (of :math:`\varphi` and :math:`\varphi'`),
    limits, zero-centring and smoothness.

    Monotonicity is decided from the exact (or certified) infimum of the
    derivative and the direction of any jumps, so it is right where SymPy's
    ``is_monotonic`` is not (ReLU is nondecreasing, softsign and
    :math:`x^3` are increasing).

    Examples
    --------
    >>> import symact as sa
    >>> p = sa.analyze("relu")
    >>> p.monotone, p.range, p.lipschitz.value, p.smoothness, p.derivative_monotone
    ('nondecreasing', Interval(0, oo), 1, 0, 'nondecreasing')
    >>> sa.analyze(sa.define("cube", "x**3")).monotone
    'increasing'
    >>> sa.analyze("tanh").zero_centred, sa.analyze("sigmoid").zero_centred
    (True, False)
    >>> str(sa.analyze("silu").lipschitz)
    '1.0998393201288669170'
    """
    return _analyze(_resolve(act), dps)


@dataclass(frozen=True)
class Table:
    """Rows of :func:`table`, printable as text or Markdown."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    profiles: tuple[Profile, ...] = field(repr=False, default=())

    def text(self) -> str:
        """Aligned plain-text table."""
        widths = [max(len(r[i]) for r in (self.header, *self.rows)) for i in range(len(self.header))]
        fmt = "  ".join(f"{{:<{w}}}" for w in widths)
        lines = [fmt.format(*self.header), fmt.format(*("-" * w for w in widths))]
        lines += [fmt.format(*r) for r in self.rows]
        return "\n".join(line.rstrip() for line in lines)

    def markdown(self) -> str:
        """GitHub-flavoured Markdown table."""
        lines = ["| " + " | ".join(self.header) + " |", "|" + "---|" * len(self.header)]
        lines += ["| " + " | ".join(c.replace("|", r"\|") for c in r) + " |" for r in self.rows]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.text()

    def _repr_markdown_(self) -> str:
        return self.markdown()


def _fmt(e: Extremum) -> str:
    if e.exact:
        s = sympy.sstr(e.value)
        if len(s) > 18:
            s = f"{sympy.N(e.value, 12)}*"
        return s
    return str(e.evalf(12)) + "~"


def _where(e: Extremum) -> str:
    if e.attained:
        if isinstance(e.at, sympy.FiniteSet) and len(e.at) <= 2:
            return ", ".join(sympy.sstr(p) if len(sympy.sstr(p)) < 14 else str(sympy.N(p, 8)) for p in e.at)
        return "on " + sympy.sstr(e.at).replace("Interval.open", "").replace("Interval", "").replace("Union", "U")
    return "approached " + ", ".join(a.replace("x -> ", "") for a in e.approached)


def table(
    which: Iterable[str | Activation] | None = None,
    *,
    dps: int = DEFAULT_DPS,
    progress: bool | None = None,
) -> Table:
    r"""A table of the derivative bounds and properties of many activations.

    Parameters
    ----------
    which : iterable of names or Activations, optional
        Default: the whole catalogue (:func:`symact.names`).
    progress : bool, optional
        Print progress to stderr; default only when stderr is a terminal.

    Notes
    -----
    Values ending in ``*`` are exact closed forms shown as decimals (see
    :func:`analyze` for the closed form); values ending in ``~`` are
    certified enclosures' midpoints.

    Examples
    --------
    >>> import symact as sa
    >>> print(sa.table(["sigmoid", "relu"]).text())  # doctest: +NORMALIZE_WHITESPACE
    name     sup f'  where       inf f'  where               range    Lipschitz  monotone       zero-centred  smooth  exact
    -------  ------  ----------  ------  ------------------  -------  ---------  -------------  ------------  ------  -----
    sigmoid  1/4     0           0       approached -oo, oo  (0, 1)   1/4        increasing     no            C^inf   yes
    relu     1       on (0, oo)  0       on (-oo, 0)         [0, oo)  1          nondecreasing  no            C^0     yes
    """
    acts = [_resolve(a) for a in (which if which is not None else names())]
    show = sys.stderr.isatty() if progress is None else progress
    header = ("name", "sup f'", "where", "inf f'", "where", "range", "Lipschitz", "monotone", "zero-centred", "smooth", "exact")
    rows, profiles = [], []
    for i, act in enumerate(acts, 1):
        if show:
            print(f"\r[{i}/{len(acts)}] {act.name:<20}", end="", file=sys.stderr, flush=True)
        p = analyze(act, dps=dps)
        profiles.append(p)
        rng = _range_text(p)
        smooth = "C^inf" if p.smoothness == float("inf") else ("jump" if p.smoothness < 0 else f"C^{p.smoothness}")
        lip = sympy.sstr(p.lipschitz.value)
        if len(lip) > 12:
            lip = str(p.lipschitz.evalf(10)) + ("*" if p.lipschitz.exact else "~")
        rows.append((
            act.name, _fmt(p.derivative.sup), _where(p.derivative.sup), _fmt(p.derivative.inf),
            _where(p.derivative.inf), rng, lip, p.monotone, "yes" if p.zero_centred else "no",
            smooth, "yes" if p.exact else "certified",
        ))
    if show:
        print("\r" + " " * 40 + "\r", end="", file=sys.stderr, flush=True)
    return Table(header, tuple(rows), tuple(profiles))


def _range_text(p: Profile) -> str:
    r: Any = p.range
    if r is None:
        return "not certified"
    if not isinstance(r, sympy.Interval):
        return sympy.sstr(r)

    def end(v: sympy.Expr) -> str:
        s = sympy.sstr(v)
        return s if len(s) <= 10 else str(sympy.N(v, 6))

    return f"{'(' if r.left_open else '['}{end(r.start)}, {end(r.end)}{')' if r.right_open else ']'}"
