r"""The catalogue table: C-map slope, curvature and depth scale at two initialisations, and the Jacobian spread.

For each activation, two points of the :math:`(\sigma_w^2, \sigma_b^2)` plane:

* **the variance-preserving gain** (:func:`symact.propagation.gains.gain`):
  :math:`\sigma_w^2 = 1/E[\varphi(z)^2]`, :math:`\sigma_b^2 = 0`, so :math:`q^* = 1`;
* **the edge of chaos** at a stated :math:`\sigma_b^2` (default :math:`1/20`;
  :math:`\sigma_b^2 = 0` for positively homogeneous activations, whose critical line has a
  finite fixed point only there): :math:`\sigma_w^2 = 1/E[\varphi'(\sqrt{q^*}z)^2]`
  (:func:`symact.propagation.chaos.edge_of_chaos`: certified signs bracket the root, interval
  Newton proves and tightens it).

At a fixed point :math:`q` of the length map only one-dimensional integrals are needed
(Price's theorem; Poole et al. 2016):

.. math:: C'(1) = \frac{E[\varphi'(\sqrt q z)^2]}{E[\varphi(\sqrt q z)^2] + \sigma_b^2/\sigma_w^2},
   \qquad C''(1) = \frac{q\,E[\varphi''(\sqrt q z)^2]}{E[\varphi(\sqrt q z)^2] + \sigma_b^2/\sigma_w^2},

(both :math:`\sigma_w^2 q^n E[\varphi^{(n)}(u)^2]/q` at :math:`q^* = q`); at the gain the
denominator is 1/:math:`\sigma_w^2`, on the edge :math:`C'(1) = 1` exactly.  A jump of
:math:`\varphi` (or of :math:`\varphi'`) puts a Dirac mass in :math:`\varphi'`
(:math:`\varphi''`), so :math:`C'(1)` (:math:`C''(1)`) is :math:`+\infty`.  The depth scale
:math:`\xi_c = -1/\ln C'(c^*)`: :math:`c^* = 1` when :math:`C'(1) \le 1` (ordered, or
:math:`\infty` on the edge); in the chaotic phase with :math:`C(0) = 0` (odd activations,
no bias) :math:`c^* = 0` and :math:`C'(0) = E[\varphi'(z)]^2/E[\varphi(z)^2]` (independent
inputs), again one-dimensional; otherwise :math:`c^*` needs the two-dimensional C-map
(:func:`symact.propagation.cmap.correlation_map`).  The Jacobian spread
:math:`L(\mu_2/\mu_1^2 - 1 - s_1)` (:mod:`symact.propagation.isometry`) is given at the edge
point for Gaussian and orthogonal weights.

References
----------
.. [1] B. Poole et al., "Exponential expressivity in deep neural networks through transient
   chaos", NeurIPS 2016; S. S. Schoenholz et al., "Deep information propagation", ICLR 2017.
.. [2] J. Pennington, S. S. Schoenholz, S. Ganguli, NeurIPS 2017; AISTATS 2018.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field
from typing import Any

import sympy
from flint import arb

from ..core.errors import CertificationError, UnsupportedExpression
from ..core.precision import DEFAULT_DPS, check_dps, workdps
from ..core.result import Quantity
from ..expressions.activation import Activation, x
from ..expressions.catalogue import names as catalogue_names
from ..expressions.coerce import as_activation
from ..gaussian.expectation import expect, gaussian_pieces
from ..numerics.gaussian import as_ball, gaussian_expectation
from .chaos import edge_of_chaos, exact_number, homogeneous_slopes
from .cmap import correlation_map, to_quantity

__all__ = ["KernelRow", "KernelTable", "kernel_table"]

_INF = Quantity(sympy.oo, "exact", method="Dirac mass in the derivative", name="oo")


@dataclass(frozen=True)
class KernelRow:
    """One activation's row: Quantities (exact or certified) or ``None`` where not computed."""

    name: str
    gain_weight_var: Quantity | None
    gain_slope: Quantity | None
    gain_curvature: Quantity | None
    gain_xi: Quantity | None
    edge_bias_var: sympy.Expr
    edge_weight_var: Quantity | None
    edge_q_star: Quantity | None
    edge_curvature: Quantity | None
    spread_gaussian: Quantity | None
    spread_orthogonal: Quantity | None
    notes: tuple[str, ...] = ()
    seconds: float = field(default=0.0, compare=False)

    @property
    def edge_slope(self) -> Quantity:
        """:math:`C'(1) = 1` on the edge of chaos (by definition of the critical line)."""
        return Quantity(sympy.Integer(1), "exact", method="edge of chaos", name="C'(1)")

    @property
    def edge_xi(self) -> Quantity:
        r""":math:`\xi_c = \infty` on the edge of chaos (:math:`c^* = 1`, :math:`C'(1) = 1`)."""
        return Quantity(sympy.oo, "exact", method="C'(1) = 1", name="xi_c")


def _jumps(expr: sympy.Expr, order: int) -> bool:
    """Whether the ``order``-th derivative of ``expr`` jumps at a breakpoint (exact limits)."""
    pcs = gaussian_pieces(expr)
    for (p, _lo, hi), (r, _lo2, _hi2) in itertools.pairwise(pcs):
        a = sympy.diff(p, x, order).subs(x, hi)
        b = sympy.diff(r, x, order).subs(x, hi)
        if sympy.simplify(a - b) != 0:
            return True
    return False


def _moment(expr: sympy.Expr, power: int, q: arb, dps: int) -> arb:
    pcs = tuple((p**power, lo, hi) for p, lo, hi in gaussian_pieces(expr))
    return gaussian_expectation(pcs, q, x=x, dps=dps)


def _gain_point(a: Activation, dps: int, notes: list[str], cmap: bool) -> tuple[Any, ...]:
    d1, d2 = a.derivative(1), a.derivative(2)
    e0 = expect(a.expr**2, 1, dps=dps)
    if e0.level == "exact":
        sw = Quantity(sympy.simplify(1 / e0.value), "exact", method="1/E[phi^2]", name="sigma_w^2")
    else:
        with workdps(dps + 10):
            sw = to_quantity(1 / as_ball(e0.enclosure, dps), name="sigma_w^2", method="1/E[phi^2]", dps=dps)
    if _jumps(a.expr, 0):
        return sw, _INF, _INF, None
    e1 = expect(d1**2, 1, dps=dps)

    def ratio(e: Any, name: str) -> Quantity:
        if e.level == "exact" and e0.level == "exact":
            return Quantity(sympy.simplify(e.value / e0.value), "exact", method="1-D closed form", name=name)
        with workdps(dps + 10):
            return to_quantity(as_ball(e.enclosure, dps) / as_ball(e0.enclosure, dps), name=name,
                               method="1-D arb integral", dps=dps)

    slope = ratio(e1, "C'(1)")
    curv = _INF if _jumps(a.expr, 1) else ratio(expect(d2**2, 1, dps=dps), "C''(1)")
    xi = None
    if slope.level == "exact" and slope.value == 1:
        xi = Quantity(sympy.oo, "exact", method="C'(1) = 1", name="xi_c")
    elif slope < 1:
        xi = _xi(slope, dps)
    elif sympy.simplify(a.expr + a.expr.subs(x, -x)) == 0:
        e_mean = expect(d1, 1, dps=dps)
        notes.append("gain point chaotic; odd activation: c* = 0, C'(0) = E[phi']^2/E[phi^2]")
        xi = _xi(ratio(_square(e_mean, dps), "C'(0)"), dps)
    elif not cmap:
        notes.append("gain point chaotic: xi_c needs c* from the 2-D C-map (pass cmap=True)")
    else:
        try:
            cm = correlation_map(a, sw.value, 0, q=1, dps=min(dps, 15))
            xi = cm.depth_scale
            notes.append("gain point chaotic: c* from the 2-D C-map (sigma_w^2 at its certified digits)")
        except (ArithmeticError, UnsupportedExpression, ValueError) as exc:  # CertificationError, Undecided
            notes.append(f"gain point chaotic: xi_c not computed ({type(exc).__name__})")
    return sw, slope, curv, xi


def _square(e: Any, dps: int) -> Any:
    """E[phi']^2 as an object with .level/.value/.enclosure (for :func:`_gain_point`'s ratio)."""
    if e.level == "exact":
        return Quantity(sympy.simplify(e.value**2), "exact", method="closed form")
    with workdps(dps + 10):
        b = as_ball(e.enclosure, dps)
        return to_quantity(b * b, name="E[phi']^2", method="arb", dps=dps)


def _xi(slope: Quantity, dps: int) -> Quantity:
    if slope.level == "exact":
        return Quantity(sympy.simplify(-1 / sympy.log(slope.value)), "exact", method="closed form", name="xi_c")
    with workdps(dps + 10):
        return to_quantity(-1 / as_ball(slope.enclosure, dps).log(), name="xi_c", method="arb", dps=dps)


def _edge_point(a: Activation, sb: sympy.Expr, depth: int, dps: int, notes: list[str]) -> tuple[Any, ...]:
    slopes = homogeneous_slopes(a.expr)
    if slopes is not None:
        p, m = slopes
        ratio = 2 * (p**4 + m**4) / (p**2 + m**2) ** 2
        sw = Quantity(sympy.nsimplify(2 / (p**2 + m**2)), "exact", method="positively homogeneous", name="sigma_w^2")
        q1 = Quantity(sympy.Integer(1), "exact", method="any q (homogeneous)", name="q*")
        curv = _INF if p != m else Quantity(sympy.Integer(0), "exact", method="linear", name="C''(1)")
        sg = Quantity(sympy.nsimplify(depth * ratio), "exact", method="positively homogeneous", name="spread")
        so = Quantity(sympy.nsimplify(depth * (ratio - 1)), "exact", method="positively homogeneous", name="spread")
        notes.append("positively homogeneous: edge of chaos at sigma_b^2 = 0, any q*")
        return sympy.Integer(0), sw, q1, curv, sg, so
    try:
        e = edge_of_chaos(a, sb, dps=dps)
    except (CertificationError, UnsupportedExpression, ValueError) as exc:
        notes.append(f"no certified edge of chaos at sigma_b^2 = {sb} ({type(exc).__name__}: {exc})")
        return sb, None, None, None, None, None
    q_star = e.details.get("q_star")
    if q_star is None:
        notes.append("edge of chaos at q* -> 0")
        return sb, e, None, None, None, None
    d1 = a.derivative(1)
    with workdps(dps + 10):
        qb = as_ball(q_star.enclosure, dps)
        m1 = _moment(d1, 2, qb, dps)
        m2 = _moment(d1, 4, qb, dps)
        if _jumps(a.expr, 1):
            curv = _INF
        else:
            curv = to_quantity(qb * _moment(a.derivative(2), 2, qb, dps) / m1, name="C''(1)",
                               method="1-D arb integral at the certified q*", dps=dps)
        r = m2 / (m1 * m1)
        sg = to_quantity(depth * r, name="spread (gaussian)", method="free probability, arb", dps=dps)
        so = to_quantity(depth * (r - 1), name="spread (orthogonal)", method="free probability, arb", dps=dps)
    return sb, e, q_star, curv, sg, so


def _row(a: Activation, sb: sympy.Expr, depth: int, dps: int, cmap: bool) -> KernelRow:
    t = time.perf_counter()
    notes: list[str] = []
    try:
        g = _gain_point(a, dps, notes, cmap)
    except (CertificationError, UnsupportedExpression, ValueError) as exc:
        notes.append(f"gain point not computed ({type(exc).__name__}: {exc})")
        g = (None, None, None, None)
    try:
        e = _edge_point(a, sb, depth, dps, notes)
    except (CertificationError, UnsupportedExpression, ValueError) as exc:
        notes.append(f"edge point not computed ({type(exc).__name__}: {exc})")
        e = (sb, None, None, None, None, None)
    return KernelRow(a.name, *g, *e, notes=tuple(notes), seconds=time.perf_counter() - t)


def _cell(q: Quantity | None, digits: int) -> str:
    if q is None:
        return "—"
    v = q.value
    if q.level == "exact" and (v.is_Integer or v is sympy.oo or (v.is_Rational and len(str(v)) <= 8)):
        return "∞" if v is sympy.oo else str(v)
    return str(q.evalf(digits))


@dataclass(frozen=True)
class KernelTable:
    """Rows of :class:`KernelRow`, with a Markdown rendering (certified digits only)."""

    rows: tuple[KernelRow, ...]
    bias_var: sympy.Expr
    depth: int
    seconds: float = field(default=0.0, compare=False)

    def markdown(self, digits: int = 8) -> str:
        """A Markdown table; every digit shown is certified (or the value is exact)."""
        L = self.depth
        head = ("| activation | σ_w² (gain) | C'(1) | C''(1) | ξ_c | σ_w² (edge) | σ_b² | q* | C''(1) (edge) "
                f"| spread L={L}, Gaussian | spread L={L}, orthogonal |")
        lines = [head, "|" + "---|" * 11]
        for r in self.rows:
            cells = [r.name, _cell(r.gain_weight_var, digits), _cell(r.gain_slope, digits),
                     _cell(r.gain_curvature, digits), _cell(r.gain_xi, digits), _cell(r.edge_weight_var, digits),
                     str(r.edge_bias_var), _cell(r.edge_q_star, digits), _cell(r.edge_curvature, digits),
                     _cell(r.spread_gaussian, digits), _cell(r.spread_orthogonal, digits)]
            lines.append("| " + " | ".join(cells) + " |")
        lines.append("")
        lines.append(f"On the edge of chaos C'(1) = 1 and ξ_c = ∞ for every row; σ_b² = {self.bias_var} "
                     "except for positively homogeneous activations (σ_b² = 0).")
        return "\n".join(lines)


def kernel_table(names: Any = "all", *, bias_var: Any = "1/20", depth: int = 100,
                 cmap: bool = True, dps: int = DEFAULT_DPS) -> KernelTable:
    r"""The catalogue table (see the module notes): C'(1), C''(1), :math:`\xi_c` at the gain and on the edge.

    Parameters
    ----------
    names : "all" or iterable of activation-like
    bias_var : number, keyword-only
        :math:`\sigma_b^2` of the edge-of-chaos point (default 1/20).
    depth : int, keyword-only
        :math:`L` of the Jacobian spread (default 100).
    cmap : bool, keyword-only
        Compute :math:`\xi_c` at chaotic gain points of non-odd activations from the 2-D
        C-map (default; up to a few seconds each); with ``False`` those cells are ``None``.
    dps : int, keyword-only

    Examples
    --------
    >>> t = kernel_table(["relu"], dps=15)
    >>> r = t.rows[0]
    >>> r.gain_weight_var.value, r.gain_slope.value, r.gain_curvature.value, r.spread_orthogonal.value
    (2, 1, oo, 100)
    >>> print(t.markdown().splitlines()[2])
    | relu | 2 | 1 | ∞ | ∞ | 2 | 0 | 1 | ∞ | 200 | 100 |
    """
    dps = check_dps(dps)
    sb = exact_number(bias_var)
    acts = [as_activation(n) for n in (catalogue_names() if names == "all" else names)]
    t = time.perf_counter()
    rows = tuple(_row(a, sb, int(depth), dps, cmap) for a in acts)
    return KernelTable(rows, sb, int(depth), time.perf_counter() - t)
