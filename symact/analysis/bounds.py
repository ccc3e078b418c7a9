r"""Bounds of an activation's derivatives, its Lipschitz constant, and symbolic parameters.

:func:`derivative_bounds` gives the infimum and supremum of an activation's
derivative (exact or certified, see :mod:`symact.analysis.extrema`) and its
:attr:`~DerivativeBounds.lipschitz` constant, a :class:`~symact.core.result.Quantity`.
With symbolic parameters (``leaky_relu(negative_slope=a)``, ``elu(alpha=alpha)``, ...)
the answers are closed forms in them, under the assumptions of
:data:`PARAMETER_ASSUMPTIONS`, with ``Piecewise`` cases where a sign matters.

>>> import symact as sa
>>> b = sa.derivative_bounds(sa.activation("sigmoid"))
>>> b.sup.value, b.inf.value, b.lipschitz.value, b.lipschitz.level
(1/4, 0, 1/4, 'exact')
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

import mpmath
import sympy

from ..core.cache import cached
from ..core.precision import DEFAULT_DPS, workdps
from ..core.result import Quantity, weakest
from ..expressions.activation import Activation, x
from ..expressions.coerce import as_activation as _resolve
from ..expressions.simplify import tidy as _tidy
from .extrema import Extremum, inf, sup

__all__ = [
    "PARAMETER_ASSUMPTIONS",
    "DerivativeBounds",
    "derivative_bounds",
    "parametric_activation",
    "plain_bounds",
    "sup_abs",
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


def parametric_activation(
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


def plain_bounds(act: Activation, order: int, dps: int) -> DerivativeBounds:
    """Bounds of the ``order``-th derivative of an activation without symbolic parameters."""
    d = act.derivative(order)
    b = DerivativeBounds(act, order, _defined(inf(d, dps=dps), act, order),
                         _defined(sup(d, dps=dps), act, order))
    return dataclasses.replace(b, stored_lipschitz=b.lipschitz)


def _defined(e: Any, act: Activation, order: int) -> Any:
    """``e`` with the kinks where the ``order``-th derivative does not exist left out of ``e.at``.

    SymPy may fold ``Piecewise((0, (x < 0) | (x > 0)))`` (ReLU'') into the constant 0, whose
    extremum is then "attained on (-oo, oo)"; at 0 there is no second derivative.
    """
    missing = [bp.point for bp in act.breakpoints if bp.smoothness < order]
    if not missing or not isinstance(e.at, sympy.Set) or not e.attained:
        return e
    at = e.at - sympy.FiniteSet(*missing)
    return e if at == e.at else dataclasses.replace(e, at=at)


def _awkward(v: sympy.Expr) -> bool:
    """Whether a symbolic answer needs a case split on a parameter's sign."""
    inf_products = [m for m in v.atoms(sympy.Mul) if m.has(sympy.oo, -sympy.oo) and m.free_symbols]
    return bool(v.has(sympy.sign) or inf_products)


def _parametric_bounds(act: Activation, order: int, dps: int) -> DerivativeBounds:
    work, back, assumptions, unknown = parametric_activation(act)
    raw = plain_bounds(work, order, dps)
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
        w2, back2, _, _ = parametric_activation(act, {name: sub})
        cases.append((cond, plain_bounds(w2, order, dps), back2))

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
    return plain_bounds(act, order, dps)


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
