r"""Derivative bounds and the properties people ask about next.

:func:`derivative_bounds` gives the infimum and supremum of an activation's
derivative (exact or certified, see :mod:`symact.analysis.extrema`); :func:`analyze`
adds its range, Lipschitz constant, monotonicity, limits at
:math:`\pm\infty`, zero-centring and smoothness class; :func:`table` does
this for the whole catalogue.

Results are cached per activation (its name and expression, so per parameter
values) and precision; nothing depends on ``mpmath.mp.dps``.

>>> import symact as sa
>>> b = sa.derivative_bounds(sa.activation("sigmoid"))
>>> b.sup.value, b.inf.value, b.lipschitz
(1/4, 0, 1/4)
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import mpmath
import sympy

from ..core.cache import cached
from ..core.precision import workdps
from ..expressions.activation import Activation, x
from ..expressions.catalogue import names
from ..expressions.coerce import as_activation as _resolve
from .extrema import Extremum, inf, sup

__all__ = ["DerivativeBounds", "Profile", "Table", "analyze", "derivative_bounds", "table"]


def _abs_max(a: sympy.Expr, b: sympy.Expr) -> sympy.Expr:
    if sympy.oo in (a, b, -a, -b):
        return sympy.oo
    na, nb = abs(sympy.N(a, 30)), abs(sympy.N(b, 30))
    return sympy.Abs(a) if na >= nb else sympy.Abs(b)


@dataclass(frozen=True)
class DerivativeBounds:
    r"""Infimum and supremum of the ``order``-th derivative of an activation.

    >>> import symact as sa
    >>> b = sa.derivative_bounds(sa.activation("gelu"))
    >>> b.sup.at, b.inf.at
    ({sqrt(2)}, {-sqrt(2)})
    """

    activation: Activation
    order: int
    inf: Extremum
    sup: Extremum

    @property
    def exact(self) -> bool:
        """Whether both bounds are closed forms."""
        return self.inf.exact and self.sup.exact

    @property
    def lipschitz(self) -> sympy.Expr:
        r""":math:`\sup |f^{(k)}|` -- for ``order=1`` the Lipschitz constant of the activation
        (infinite if the activation jumps)."""
        if self.order == 1 and self.activation.jumps:
            return sympy.oo
        if self.exact:
            return sympy.simplify(_abs_max(self.sup.value, self.inf.value))
        hi = max(abs(self.sup.enclosure[1]), abs(self.inf.enclosure[0]))
        return sympy.Float(mpmath.nstr(hi, 30), 30)

    def describe(self) -> str:
        """Two lines in words."""
        d = "'" * self.order if self.order <= 3 else f"^({self.order})"
        return f"{self.activation.name}{d}: {self.sup.describe()}\n{self.activation.name}{d}: {self.inf.describe()}"

    def __str__(self) -> str:
        return self.describe()

    def latex(self) -> str:
        r"""The bounds as a LaTeX inequality chain."""
        def val(e: Extremum) -> str:
            return sympy.latex(e.value) if e.exact else mpmath.nstr(sum(e.enclosure) / 2, 20)

        lo_rel = r"\le" if self.inf.attained else "<"
        hi_rel = r"\le" if self.sup.attained else "<"
        f = rf"\operatorname{{{self.activation.name.replace('_', chr(92) + '_')}}}{chr(39) * self.order}(x)"
        return rf"{val(self.inf)} {lo_rel} {f} {hi_rel} {val(self.sup)}"

    def _repr_latex_(self) -> str:
        return f"$\\displaystyle {self.latex()}$"


@cached(maxsize=1024)
def _bounds(act: Activation, order: int, dps: int) -> DerivativeBounds:
    d = act.derivative(order)
    return DerivativeBounds(act, order, inf(d, dps=dps), sup(d, dps=dps))


def derivative_bounds(act: Activation | str, order: int = 1, *, dps: int = 40) -> DerivativeBounds:
    r"""Infimum and supremum of an activation's derivative over the reals.

    Parameters
    ----------
    act : Activation or str
        An activation or a catalogue name.
    order : int
        Which derivative (1 by default; 0 gives the range of the activation).
    dps : int, keyword-only
        Digits for certified enclosures.

    Returns
    -------
    DerivativeBounds

    Examples
    --------
    >>> import symact as sa
    >>> b = sa.derivative_bounds("hardswish")
    >>> b.sup.value, b.sup.attained, b.inf.value
    (3/2, False, -1/2)
    >>> sa.derivative_bounds("mish").sup.evalf(16)
    1.088498161251728
    """
    if not isinstance(order, int) or order < 0:
        raise ValueError(f"order must be a non-negative integer, got {order!r}")
    return _bounds(_resolve(act), order, dps)


@dataclass(frozen=True)
class Profile:
    r"""Everything :func:`analyze` finds out about one activation.

    Attributes
    ----------
    activation : Activation
    derivative : DerivativeBounds
        Bounds of the first derivative.
    range : sympy.Interval or None
        The set of values (ends open where not attained); ``None`` when it
        has no closed form and its tails could not be certified.
    lipschitz : sympy.Expr
        :math:`\sup|\varphi'|`, infinite for a discontinuous activation.
    monotone : str
        ``"increasing"``, ``"nondecreasing"``, ``"decreasing"``,
        ``"nonincreasing"`` or ``"no"``.
    limits : (sympy.Expr, sympy.Expr)
        Limits at :math:`-\infty` and :math:`+\infty`.
    zero_centred : bool
        :math:`\varphi(0) = 0` and :math:`\varphi` takes both signs (shown by
        exact witnesses at sample points).
    smoothness : int or float
        ``k`` for :math:`C^k`, ``inf`` for :math:`C^\infty`, ``-1`` if discontinuous.
    exact : bool
        Whether every bound is a closed form.
    """

    activation: Activation
    derivative: DerivativeBounds
    range: sympy.Set | None
    lipschitz: sympy.Expr
    monotone: str
    limits: tuple[sympy.Expr, sympy.Expr]
    zero_centred: bool
    smoothness: int | float
    exact: bool
    value_bounds: DerivativeBounds | None = field(repr=False)

    def describe(self) -> str:
        """A short report in words."""
        smooth = "C^inf" if self.smoothness == float("inf") else ("discontinuous" if self.smoothness < 0 else f"C^{self.smoothness}")
        lines = [
            f"{self.activation.name}(x) = {sympy.sstr(self.activation.expr)}",
            self.derivative.describe(),
            f"range {sympy.sstr(self.range) if self.range is not None else 'not certified'}; Lipschitz constant {sympy.sstr(self.lipschitz)}",
            f"monotone: {self.monotone}; zero-centred: {'yes' if self.zero_centred else 'no'}; {smooth}",
            f"limits: {sympy.sstr(self.limits[0])} at -oo, {sympy.sstr(self.limits[1])} at +oo",
            "all exact" if self.exact else "some values certified (not closed form)",
        ]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.describe()


def _monotone(act: Activation, d: DerivativeBounds) -> str:
    jumps = []
    for b in act.breakpoints:
        if b.smoothness < 0:
            jumps.append(sympy.N(b.right[0] - b.left[0], 30))
    lo, hi = d.inf, d.sup
    lo_v = lo.enclosure[0] if not lo.exact else mpmath.mpf(-1) if lo.value == -sympy.oo else _n(lo.value)
    hi_v = hi.enclosure[1] if not hi.exact else mpmath.mpf(1) if hi.value == sympy.oo else _n(hi.value)
    if lo_v >= 0 and all(j >= 0 for j in jumps):
        flat = lo.exact and lo.value == 0 and lo.attained and not isinstance(lo.at, sympy.FiniteSet)
        return "nondecreasing" if flat else "increasing"
    if hi_v <= 0 and all(j <= 0 for j in jumps):
        flat = hi.exact and hi.value == 0 and hi.attained and not isinstance(hi.at, sympy.FiniteSet)
        return "nonincreasing" if flat else "decreasing"
    return "no"


def _n(v: sympy.Expr) -> mpmath.mpf:
    with workdps(40):
        return mpmath.mpf(sympy.N(v, 40))


def _range(e_inf: Extremum, e_sup: Extremum) -> sympy.Set:
    def val(e: Extremum) -> sympy.Expr:
        return e.value if e.exact else sympy.Float(mpmath.nstr(sum(e.enclosure) / 2, 20), 20)

    return sympy.Interval(val(e_inf), val(e_sup), not e_inf.attained, not e_sup.attained)


def _takes_sign(act: Activation, sign: int) -> bool:
    """Whether some exact sample value of the activation has the given sign (a witness)."""
    for v in (-3, -1, -sympy.Rational(1, 2), -sympy.Rational(1, 10), sympy.Rational(1, 10), sympy.Rational(1, 2), 1, 3, 10, -10):
        value = act.expr.subs(x, v)
        if value.is_number and value.is_finite and sign * sympy.N(value, 30) > 0:
            return True
    return False


@cached(maxsize=512)
def _analyze(act: Activation, dps: int) -> Profile:
    from ..core.errors import CertificationError

    d = derivative_bounds(act, 1, dps=dps)
    try:
        v: DerivativeBounds | None = derivative_bounds(act, 0, dps=dps)
    except CertificationError:
        v = None  # the range has no closed form and its tails could not be certified
    first, last = act.pieces[0].expr, act.pieces[-1].expr
    limits = (sympy.limit(first, x, -sympy.oo), sympy.limit(last, x, sympy.oo))
    at0 = act.expr.subs(x, 0)
    return Profile(
        activation=act,
        derivative=d,
        range=_range(v.inf, v.sup) if v is not None else None,
        lipschitz=d.lipschitz,
        monotone=_monotone(act, d),
        limits=limits,
        zero_centred=bool(at0 == 0 and _takes_sign(act, -1) and _takes_sign(act, 1)),
        smoothness=act.smoothness,
        exact=d.exact and v is not None and v.exact,
        value_bounds=v,
    )


def analyze(act: Activation | str, *, dps: int = 40) -> Profile:
    r"""Range, Lipschitz constant, monotonicity, limits, zero-centring and smoothness.

    Monotonicity is decided from the exact (or certified) infimum of the
    derivative and the direction of any jumps, so it is right where SymPy's
    ``is_monotonic`` is not (ReLU is nondecreasing, softsign and
    :math:`x^3` are increasing).

    Examples
    --------
    >>> import symact as sa
    >>> p = sa.analyze("relu")
    >>> p.monotone, p.range, p.lipschitz, p.smoothness
    ('nondecreasing', Interval(0, oo), 1, 0)
    >>> sa.analyze(sa.define("cube", "x**3")).monotone
    'increasing'
    >>> sa.analyze("tanh").zero_centred, sa.analyze("sigmoid").zero_centred
    (True, False)
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
    return mpmath.nstr(sum(e.enclosure) / 2, 12) + "~"


def _where(e: Extremum) -> str:
    if e.attained:
        if isinstance(e.at, sympy.FiniteSet) and len(e.at) <= 2:
            return ", ".join(sympy.sstr(p) if len(sympy.sstr(p)) < 14 else str(sympy.N(p, 8)) for p in e.at)
        return "on " + sympy.sstr(e.at).replace("Interval.open", "").replace("Interval", "").replace("Union", "U")
    return "approached " + ", ".join(a.replace("x -> ", "") for a in e.approached)


def table(
    which: Iterable[str | Activation] | None = None,
    *,
    dps: int = 40,
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
        lip = sympy.sstr(p.lipschitz)
        if len(lip) > 12:
            lip = str(sympy.N(p.lipschitz, 10)) + ("*" if p.derivative.exact else "~")
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
