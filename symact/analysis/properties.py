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
>>> b.sup.value, b.inf.value, b.lipschitz.value, b.lipschitz.level
(1/4, 0, 1/4, 'exact')
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import flint
import mpmath
import sympy

from ..core.cache import cached
from ..core.errors import CertificationError, UnsupportedExpression
from ..core.precision import DEFAULT_DPS, workdps
from ..core.result import Quantity, weakest
from ..expressions.activation import Activation, x
from ..expressions.catalogue import names
from ..expressions.coerce import as_activation as _resolve
from ..expressions.simplify import tidy as _tidy
from ..numerics.arb import arb_evaluator
from .extrema import Extremum, inf, sup

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


def _mp_abs_range(enc: tuple[mpmath.mpf, mpmath.mpf]) -> tuple[mpmath.mpf, mpmath.mpf]:
    lo, hi = enc
    if lo <= 0 <= hi:
        return mpmath.mpf(0), max(-lo, hi)
    return (lo, hi) if lo > 0 else (-hi, -lo)


def sup_abs(e_sup: Extremum, e_inf: Extremum, *, name: str = "sup |f|") -> Quantity:
    r""":math:`\sup|f| = \max(|\sup f|, |\inf f|)` as a result with its level and enclosure.

    Exact when the larger of the two is exact and provably the larger; certified
    (enclosure of the maximum) otherwise; symbolic parameters give ``Max(Abs(..), Abs(..))``.

    >>> import symact as sa
    >>> d = sa.activation("gelu").derivative()
    >>> sup_abs(sa.sup(d), sa.inf(d)).level
    'exact'
    """
    if sympy.oo in (e_sup.value, -e_inf.value):
        return Quantity(sympy.oo, "exact", method="closed form", name=name)
    if not (e_sup.value.is_number and e_inf.value.is_number):
        # sup |f| is the largest |candidate| (sup and inf share their candidates)
        vals = [c.value for c in e_sup.candidates] or [e_sup.value, e_inf.value]
        v = sympy.simplify(sympy.Max(*[sympy.Abs(c) for c in vals]))
        return Quantity(_tidy(v), "exact", method="closed form (symbolic)", name=name,
                        details={"assumptions": e_sup.assumptions + e_inf.assumptions})
    if e_sup.exact and e_inf.exact:
        gap = sympy.Abs(e_sup.value) - sympy.Abs(e_inf.value)
        pick = e_sup if gap.is_nonnegative else e_inf if gap.is_nonpositive else None
        if pick is None and sympy.simplify(gap) == 0:
            pick = e_sup
        if pick is not None:
            return Quantity(_tidy(sympy.Abs(pick.value)), "exact", method="closed form", name=name)
    with workdps(DEFAULT_DPS + 20):
        ra, rb = _mp_abs_range(e_sup.enclosure), _mp_abs_range(e_inf.enclosure)
        if ra[0] > rb[1] or (e_sup.exact and e_inf.exact and ra[0] >= rb[1]):
            winner = e_sup
        elif rb[0] > ra[1] or (e_sup.exact and e_inf.exact and rb[0] >= ra[1]):
            winner = e_inf
        else:
            winner = None
        if winner is not None and winner.exact:
            return Quantity(_tidy(sympy.Abs(winner.value)), "exact", method="closed form", name=name)
        if winner is not None:
            lo, hi = _mp_abs_range(winner.enclosure)
        else:
            lo, hi = max(ra[0], rb[0]), max(ra[1], rb[1])
        return Quantity.certified(lo, hi, method="certified enclosure", name=name)


@dataclass(frozen=True)
class DerivativeBounds:
    r"""Infimum and supremum of the ``order``-th derivative of an activation.

    ``inf`` and ``sup`` are :class:`~symact.analysis.extrema.Extremum` results;
    :attr:`lipschitz` is a :class:`~symact.core.result.Quantity` (exact, or certified
    with its enclosure and only certified digits).  With symbolic parameters the
    values are closed forms in the parameters under :attr:`assumptions`.

    >>> import symact as sa
    >>> b = sa.derivative_bounds(sa.activation("gelu"))
    >>> b.sup.at, b.inf.at
    ({sqrt(2)}, {-sqrt(2)})
    """

    activation: Activation
    order: int
    inf: Extremum
    sup: Extremum
    assumptions: tuple[sympy.Basic, ...] = ()
    stored_lipschitz: Quantity | None = field(default=None, repr=False, compare=False)

    @property
    def exact(self) -> bool:
        """Whether both bounds are closed forms."""
        return self.inf.exact and self.sup.exact

    @property
    def level(self) -> str:
        """The weaker level of the two bounds."""
        return weakest(self.inf.level, self.sup.level)

    @property
    def lipschitz(self) -> Quantity:
        r""":math:`\sup |f^{(k)}|` -- for ``order=1`` the Lipschitz constant of the activation
        (infinite if the activation jumps), a :class:`~symact.core.result.Quantity`."""
        if self.stored_lipschitz is not None:
            return self.stored_lipschitz
        if self.order == 1:
            jump = _jump_condition(self.activation)
            if jump is sympy.true:
                return Quantity(sympy.oo, "exact", method="closed form", name="Lipschitz constant")
            q = sup_abs(self.sup, self.inf, name="Lipschitz constant")
            if jump is not sympy.false:
                v = sympy.Piecewise((sympy.oo, jump), (q.value, True))
                return Quantity(v, "exact", method="closed form (symbolic)", name="Lipschitz constant",
                                details=dict(q.details))
            return q
        return sup_abs(self.sup, self.inf, name=f"sup |f^({self.order})|")

    def describe(self) -> str:
        """Two lines in words."""
        d = "'" * self.order if self.order <= 3 else f"^({self.order})"
        return f"{self.activation.name}{d}: {self.sup.describe()}\n{self.activation.name}{d}: {self.inf.describe()}"

    def __str__(self) -> str:
        return self.describe()

    def latex(self) -> str:
        r"""The bounds as a LaTeX inequality chain."""
        def val(e: Extremum) -> str:
            return sympy.latex(e.value) if e.exact else sympy.latex(e.evalf(20))

        lo_rel = r"\le" if self.inf.attained else "<"
        hi_rel = r"\le" if self.sup.attained else "<"
        f = rf"\operatorname{{{self.activation.name.replace('_', chr(92) + '_')}}}{chr(39) * self.order}(x)"
        return rf"{val(self.inf)} {lo_rel} {f} {hi_rel} {val(self.sup)}"

    def _repr_latex_(self) -> str:
        return f"$\\displaystyle {self.latex()}$"


def _jump_condition(act: Activation) -> sympy.Basic:
    """``true`` if the activation certainly jumps, ``false`` if not, else the condition."""
    conds = []
    for b in act.breakpoints:
        for gap in (b.right[0] - b.left[0], b.value - b.left[0]):
            g = sympy.simplify(gap)
            if g.is_zero:
                continue
            if g.is_zero is False or g.is_number:
                return sympy.true
            conds.append(sympy.Ne(g, 0))
    return sympy.Or(*conds) if conds else sympy.false


# -- symbolic parameters ------------------------------------------------------------------
#: Assumptions made about each family's parameters when they are symbolic.
PARAMETER_ASSUMPTIONS: dict[tuple[str, str], dict[str, bool]] = {
    ("elu", "alpha"): {"positive": True},
    ("celu", "alpha"): {"positive": True},
    ("softplus", "beta"): {"positive": True},
    ("squareplus", "b"): {"positive": True},
    ("softshrink", "lambd"): {"positive": True},
    ("hardshrink", "lambd"): {"positive": True},
}


def _parametric(
    act: Activation, fixed: dict[str, Any] | None = None,
) -> tuple[Activation, dict[Any, Any], tuple[sympy.Basic, ...], list[str]]:
    """The activation with assumption-carrying dummies for its symbolic parameters.

    Returns the activation to analyse, the substitution back to the user's values, the
    assumptions (in the user's terms) the answer relies on, and the names of real
    parameters of unknown sign (candidates for a case split).  ``fixed`` overrides
    parameters (by name) with given dummies or numbers.
    """
    fixed = fixed or {}
    values = {s.name: v for s, v in act.params.items()}
    symbolic = {n: v for n, v in values.items() if not v.is_number}
    new: dict[str, Any] = {}
    back: dict[Any, Any] = {}
    assumptions: list[sympy.Basic] = []
    unknown: list[str] = []
    if act.name == "hard_tanh" and symbolic:
        lo_v, hi_v = values["min_val"], values["max_val"]
        lo_d = sympy.Dummy("min_val", real=True) if not lo_v.is_number else lo_v
        delta = sympy.Dummy("delta", positive=True)
        new = {"min_val": lo_d, "max_val": lo_d + delta}
        if not lo_v.is_number:
            back[lo_d] = lo_v
        back[delta] = hi_v - lo_v
        assumptions.append(sympy.StrictGreaterThan(hi_v, lo_v))
    else:
        for name, v in symbolic.items():
            if name in fixed:
                d = fixed[name]
                new[name] = d
                if isinstance(d, sympy.Dummy):
                    back[d] = v
                continue
            kw = PARAMETER_ASSUMPTIONS.get((act.name, name), {"real": True})
            d = sympy.Dummy(name, **kw)
            new[name] = d
            back[d] = v
            if kw.get("positive"):
                assumptions.append(sympy.StrictGreaterThan(v, 0))
            else:
                unknown.append(name)
    return act.with_params(**new), back, tuple(assumptions), unknown


def _back(e: Extremum, back: dict[Any, Any], assumptions: tuple[sympy.Basic, ...]) -> Extremum:
    cands = tuple(dataclasses.replace(c, value=c.value.xreplace(back), where=c.where.xreplace(back))
                  for c in e.candidates)
    return dataclasses.replace(
        e, value=_tidy(e.value.xreplace(back)), at=e.at.xreplace(back), assumptions=assumptions,
        candidates=cands,
    )


def _back_q(q: Quantity, back: dict[Any, Any], assumptions: tuple[sympy.Basic, ...]) -> Quantity:
    return Quantity(_tidy(q.value.xreplace(back)), q.level, q.enclosure if q.value.is_number else None,
                    q.method, q.name, {"assumptions": assumptions})


def _plain_bounds(act: Activation, order: int, dps: int) -> DerivativeBounds:
    d = act.derivative(order)
    b = DerivativeBounds(act, order, inf(d, dps=dps), sup(d, dps=dps))
    return dataclasses.replace(b, stored_lipschitz=b.lipschitz)


def _awkward(v: sympy.Expr) -> bool:
    """Whether a symbolic answer needs a case split on a parameter's sign."""
    inf_products = [m for m in v.atoms(sympy.Mul) if m.has(sympy.oo, -sympy.oo) and m.free_symbols]
    return bool(v.has(sympy.sign) or inf_products)


def _parametric_bounds(act: Activation, order: int, dps: int) -> DerivativeBounds:
    work, back, assumptions, unknown = _parametric(act)
    raw = _plain_bounds(work, order, dps)
    lip = raw.stored_lipschitz
    out = DerivativeBounds(act, order, _back(raw.inf, back, assumptions), _back(raw.sup, back, assumptions),
                           assumptions, _back_q(lip, back, assumptions) if lip is not None else None)
    if not unknown or not any(_awkward(e.value) for e in (out.inf, out.sup, out.lipschitz)):
        return out
    name = unknown[0]
    user = {s.name: v for s, v in act.params.items()}[name]
    cases = []
    for cond, sub in ((user > 0, sympy.Dummy(name, positive=True)), (sympy.Eq(user, 0), sympy.Integer(0)),
                      (sympy.true, sympy.Dummy(name, negative=True))):
        w2, back2, _, _ = _parametric(act, {name: sub})
        cases.append((cond, _plain_bounds(w2, order, dps), back2))

    def fold(get: Any) -> sympy.Expr:
        branches = [(_tidy(get(b).xreplace(bk)), c) for c, b, bk in cases]
        if all(sympy.simplify(br[0] - branches[0][0]) == 0 for br in branches):
            return branches[0][0]
        return sympy.Piecewise(*branches)

    lo_v, hi_v = fold(lambda b: b.inf.value), fold(lambda b: b.sup.value)
    lip_v = fold(lambda b: b.lipschitz.value)
    note = (*assumptions, sympy.Contains(user, sympy.S.Reals))
    lo = dataclasses.replace(out.inf, value=lo_v, assumptions=note)
    hi = dataclasses.replace(out.sup, value=hi_v, assumptions=note)
    return DerivativeBounds(act, order, lo, hi, note,
                            Quantity(lip_v, "exact", method="closed form (cases)", name="Lipschitz constant"))


@cached(maxsize=1024)
def _bounds(act: Activation, order: int, dps: int) -> DerivativeBounds:
    if act.expr.free_symbols - {x}:
        return _parametric_bounds(act, order, dps)
    return _plain_bounds(act, order, dps)


def derivative_bounds(act: Activation | str, order: int = 1, *, dps: int = DEFAULT_DPS) -> DerivativeBounds:
    r"""Infimum and supremum of an activation's derivative over the reals.

    Parameters
    ----------
    act : Activation or str
        An activation or a catalogue name (any form :func:`symact.as_activation` accepts).
        Parameters may be symbols: the bounds are then closed forms in them, under the
        assumptions of :data:`PARAMETER_ASSUMPTIONS` (recorded in ``assumptions``).
    order : int
        Which derivative (1 by default; 0 gives the range of the activation).
    dps : int, keyword-only
        Digits for certified enclosures.

    Returns
    -------
    DerivativeBounds

    Examples
    --------
    >>> import symact as sa, sympy
    >>> b = sa.derivative_bounds("hardswish")
    >>> b.sup.value, b.sup.attained, b.inf.value
    (3/2, False, -1/2)
    >>> sa.derivative_bounds("mish").sup.evalf(16)
    1.088498161251728
    >>> a = sympy.Symbol("a", real=True)
    >>> sa.derivative_bounds(sa.activation("leaky_relu", negative_slope=a)).sup.value
    Max(1, a)
    >>> alpha = sympy.Symbol("alpha")
    >>> b = sa.derivative_bounds(sa.activation("elu", alpha=alpha))
    >>> b.sup.value, b.assumptions
    (Max(1, alpha), (alpha > 0,))
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
    """A decimal at or beyond the certified value (down: at most the lower end)."""
    lo, hi = e.enclosure
    with workdps(40):
        end = lo if down else hi
        text = mpmath.nstr(end, 20, strip_zeros=False)
        v = mpmath.mpf(text)
        step = mpmath.mpf(10) ** (mpmath.floor(mpmath.log10(abs(v))) - 19) if v != 0 else mpmath.mpf(10) ** -20
        if down and v > lo:
            v -= step
        if not down and v < hi:
            v += step
        return sympy.Float(mpmath.nstr(v, 20), 20)


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
    with flint.ctx.workprec(80):
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
    work, back, _, _ = _parametric(act)
    d_w, v_w = _plain_bounds(work, 1, dps), _plain_bounds(work, 0, dps)
    try:
        d2_w: DerivativeBounds | None = _plain_bounds(work, 2, dps)
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
