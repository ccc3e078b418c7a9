r"""Mean-field (average-case) signal propagation at initialisation, certified.

For a deep fully-connected network with weights :math:`W_{ij} \sim \mathcal{N}(0,
\sigma_w^2/N)` and biases :math:`b_i \sim \mathcal{N}(0, \sigma_b^2)`, the variance
:math:`q` of a pre-activation evolves by the *variance map*

.. math::

    q^{(l+1)} = V(q^{(l)}) = \sigma_w^2\,\mathbb{E}\big[\varphi(\sqrt{q^{(l)}} z)^2\big] + \sigma_b^2,

and a small perturbation (equivalently the squared norm of a back-propagated
gradient) is multiplied per layer, on average, by

.. math::

    \chi_1 = \sigma_w^2\,\mathbb{E}\big[\varphi'(\sqrt{q^*} z)^2\big]

at the fixed point :math:`q^* = V(q^*)`: ordered (vanishing) when
:math:`\chi_1 < 1`, chaotic (exploding) when :math:`\chi_1 > 1`, critical at
the *edge of chaos* :math:`\chi_1 = 1`.

Positively homogeneous activations (ReLU, leaky ReLU, identity) are handled
exactly.  For every other activation :func:`mean_field` isolates **every** fixed
point of the certified variance map in the searched range by interval Newton
(:mod:`symact.propagation.fixedpoints`), certifies each one's stability
:math:`V'(q^*)` and :math:`\chi_1`, proves (where it can) which one a network
started at :math:`q_0` reaches, and recognises exact fixed points (SELU's
:math:`q^* = 1` at :math:`(1, 0)`).  :func:`edge_of_chaos` and
:func:`phase_diagram` live in :mod:`symact.propagation.chaos` and are re-exported.

References
----------
.. [1] B. Poole, S. Lahiri, M. Raghu, J. Sohl-Dickstein, S. Ganguli, "Exponential
   expressivity in deep neural networks through transient chaos", NeurIPS 2016.
.. [2] S. S. Schoenholz, J. Gilmer, S. Ganguli, J. Sohl-Dickstein, "Deep information
   propagation", ICLR 2017.
.. [3] G. Klambauer, T. Unterthiner, A. Mayr, S. Hochreiter, "Self-normalizing neural
   networks", NeurIPS 2017.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from typing import Any

import mpmath
import sympy

from ..core.errors import CertificationError, Undecided
from ..core.precision import DEFAULT_DPS, check_dps, workdps
from ..core.result import Quantity
from ..core.steps import Record
from ..expressions.coerce import as_activation, display_name
from ..gaussian.expectation import X, expect
from ..numerics.gaussian import as_ball
from .chaos import (
    check_variance,
    edge_of_chaos,
    exact_number,
    gh_fixed_point,
    homogeneous_slopes,
    is_exact_source,
    number_source,
    phase_diagram,
    side_limits_sq,
)
from .fixedpoints import (
    Cell,
    CertifiedMap,
    basin,
    contracts_to,
    isolate,
    reached,
    refine,
    square_pieces,
    to_interval,
)
from .meanfield_result import SEARCH, Escape, FixedPoint, MeanField, Status
from .rates import (
    certified_quantity,
    depth_scale,
    derivative_convention,
    mark_convention,
    regime_of,
)
from .searchrange import search_range, structure

__all__ = [
    "Escape",
    "FixedPoint",
    "MeanField",
    "chi1",
    "edge_of_chaos",
    "mean_field",
    "phase_diagram",
    "variance_map",
]

def variance_map(act: Any, weight_var: Any, bias_var: Any = 0, *, dps: int = DEFAULT_DPS) -> Callable[[Any], Quantity]:
    r"""The certified variance map :math:`V(q) = \sigma_w^2\,\mathbb{E}[\varphi(\sqrt{q}z)^2] + \sigma_b^2`.

    Parameters
    ----------
    act : activation (any accepted form)
    weight_var, bias_var : number
        :math:`\sigma_w^2`, :math:`\sigma_b^2`.
    dps : int, keyword-only
        Digits certified by each evaluation.

    Returns
    -------
    callable
        ``V(q) -> Quantity`` (level ``"exact"`` when the expectation has a proved
        closed form, else ``"certified"``); ``V(0) = σ_w² φ(0)² + σ_b²``.

    References
    ----------
    .. [1] Poole et al. 2016, eq. (3); Schoenholz et al. 2017, eq. (3).

    Examples
    --------
    >>> import sympy
    >>> from symact.propagation.meanfield import variance_map
    >>> V = variance_map("tanh", 2, sympy.Rational(1, 10))
    >>> V(1)
    Quantity(0.88858898079568234883, level='certified', method='arb integral', name='V(q)')
    >>> variance_map("relu", 2)(3).value
    3
    """
    dps = check_dps(dps)
    check_variance(weight_var, "weight_var", positive=True)
    check_variance(bias_var, "bias_var")
    expr = as_activation(act).expr
    sw, sb = number_source(weight_var), number_source(bias_var)
    exact_coeffs = is_exact_source(sw) and is_exact_source(sb)

    def V(q: Any) -> Quantity:
        qs = exact_number(q)
        e = expect(expr**2, q, dps=dps) if qs != 0 else None
        if exact_coeffs and qs == 0:
            return Quantity(sw * expr.subs(X, 0) ** 2 + sb, "exact", method="value at 0", name="V(q)")
        if exact_coeffs and e is not None and e.level == "exact":
            return Quantity(sympy.expand(sw * e.value + sb), "exact", method=e.method, name="V(q)")
        if e is None:
            e = Quantity(expr.subs(X, 0) ** 2, "exact", method="value at 0")
        return certified_quantity(lambda d: _affine(e, sw, sb, d), dps, "arb integral", "V(q)")

    return V


def _affine(e: Any, sw: sympy.Expr, sb: sympy.Expr, dps: int) -> tuple:
    from ..numerics.gaussian import as_ball

    with workdps(dps + 10):
        lo, hi = e.enclosure
        b = as_ball(sw, dps) * as_ball((lo, hi), dps) + as_ball(sb, dps)
        return to_interval(b, dps)


def chi1(act: Any, weight_var: Any, bias_var: Any = 0, *, q: Any = None, dps: int = DEFAULT_DPS) -> Quantity:
    r""":math:`\chi_1 = \sigma_w^2\,\mathbb{E}[\varphi'(\sqrt{q}z)^2]` at ``q`` (default: at the fixed point).

    Parameters
    ----------
    act : activation (any accepted form)
    weight_var, bias_var : number
    q : positive number or result, keyword-only
        The variance; by default the fixed point reached from ``q0 = 1``
        (see :func:`mean_field`).  A certified result (such as
        ``edge_of_chaos(...).details["q_star"]``) enters as its enclosure.
    dps : int, keyword-only

    Returns
    -------
    Quantity

    Notes
    -----
    :math:`\varphi'` is the almost-everywhere derivative (what autograd
    back-propagates).  For an activation that jumps (``hardshrink``) the
    distributional derivative adds Dirac masses and its :math:`\chi_1` is
    infinite; the Quantity then says which one it is:
    ``details["derivative"] == "almost everywhere"`` and ``details["jumps"]``.

    References
    ----------
    .. [1] Poole et al. 2016; Schoenholz et al. 2017, eq. (5).

    Examples
    --------
    >>> from symact.propagation.meanfield import chi1
    >>> chi1("relu", 2).value
    1
    >>> chi1("tanh", 1, q=1)
    Quantity(0.46440290244826824197, level='certified', method='arb integral', name='chi_1')
    """
    dps = check_dps(dps)
    check_variance(weight_var, "weight_var", positive=True)
    check_variance(bias_var, "bias_var")
    if q is not None:
        check_variance(q, "q", positive=True)
    if q is None:
        return mean_field(act, weight_var, bias_var, dps=dps).chi1
    a = as_activation(act)
    sw = number_source(weight_var)
    e = expect(a.derivative(1) ** 2, q, dps=dps)
    if e.level == "exact" and is_exact_source(sw):
        out = Quantity(sympy.expand(sw * e.value), "exact", method=e.method, name="chi_1")
    else:
        out = certified_quantity(lambda d: _affine(e, sw, sympy.S.Zero, d), dps, "arb integral", "chi_1")
    rec = derivative_convention(a)
    return out if rec is None else mark_convention(out, rec)


def _exact_fixed_point(expr: sympy.Expr, sw: sympy.Expr, sb: sympy.Expr, lo: mpmath.mpf, hi: mpmath.mpf, dps: int) -> sympy.Expr | None:
    """A small rational inside [lo, hi] proved to be a fixed point (SymPy's cancel gives 0), or None."""
    from fractions import Fraction

    with workdps(dps + 10):
        mid = (lo + hi) / 2
    cand = Fraction(float(mid)).limit_denominator(100)
    r = sympy.Rational(cand.numerator, cand.denominator)
    if not (lo <= mpmath.mpf(cand.numerator) / cand.denominator <= hi):
        return None
    e2 = expect(expr**2, r, dps=dps)
    if e2.level != "exact":
        return None
    return r if sympy.cancel(sympy.together(sw * e2.value + sb - r)) == 0 else None


def _exact_point(cmap: CertifiedMap, dpieces: tuple, expr: sympy.Expr, r: sympy.Expr, dps: int) -> FixedPoint:
    q = Quantity(r, "exact", method="closed form, V(q) = q proved", name="q*")
    chi = chi1(expr, cmap.weight_var, q=r, dps=dps)
    slope = certified_quantity(lambda d: to_interval(cmap.dV(r, d), d), dps, "arb integral", "V'(q*)")
    return FixedPoint(q, slope, _stable(slope), chi)


def _fixed_point(cmap: CertifiedMap, dpieces: tuple, expr: sympy.Expr, dexpr: sympy.Expr, ball: Any, dps: int) -> FixedPoint:
    sw, sb = cmap.weight_var, cmap.bias_var
    qlo, qhi = to_interval(ball, dps)
    rational = is_exact_source(sw) and is_exact_source(sb) and sw.is_Rational and sb.is_Rational
    exact_q = _exact_fixed_point(expr, sw, sb, qlo, qhi, dps) if rational else None
    if exact_q is not None:
        return _exact_point(cmap, dpieces, expr, exact_q, dps)
    q = Quantity.certified(qlo, qhi, method="interval newton", name="q*", digits=dps)
    chi = certified_quantity(lambda d: to_interval(cmap.chi(ball, d, dpieces), d), dps, "interval newton", "chi_1")
    slope = certified_quantity(lambda d: to_interval(cmap.dV(ball, d), d), dps, "arb integral", "V'(q*)")
    return FixedPoint(q, slope, _stable(slope), chi)


def _stable(slope: Quantity) -> bool | None:
    lo, hi = slope.enclosure
    if -1 < lo and hi < 1:
        return True
    if lo > 1 or hi < -1:
        return False
    return None


def mean_field(act: Any, weight_var: Any, bias_var: Any = 0, *, dps: int = DEFAULT_DPS, q0: Any = 1) -> MeanField:
    r"""Every fixed point of the variance map, the one reached from ``q0``, :math:`\chi_1` and the depth scales.

    Parameters
    ----------
    act : activation (any accepted form)
    weight_var, bias_var : number
        :math:`\sigma_w^2 > 0` and :math:`\sigma_b^2 \ge 0` (exact numbers keep exact results).
    dps : int, keyword-only
        Digits certified.
    q0 : number, keyword-only
        Input variance the network starts from.

    Returns
    -------
    MeanField

    Notes
    -----
    Positively homogeneous activations give :math:`V(q) = \sigma_w^2 (a_+^2+a_-^2) q/2 +
    \sigma_b^2`: all exact.  Otherwise the searched range :data:`SEARCH` is covered
    by cells on which interval Newton either excludes a fixed point or proves
    exactly one (:func:`symact.propagation.fixedpoints.isolate`); :math:`q = 0` is
    added when :math:`\varphi(0) = 0 = \sigma_b^2`.  Which fixed point ``q0``
    reaches is found by iterating the map and *proved* when, between the two,
    :math:`V` is increasing and :math:`V(q) - q` keeps one sign on certified
    cells (``reached_level``).

    References
    ----------
    .. [1] Poole et al. 2016; Schoenholz et al. 2017; Klambauer et al. 2017 (SELU).

    Examples
    --------
    >>> import sympy
    >>> from symact.propagation.meanfield import mean_field
    >>> mf = mean_field("tanh", sympy.Rational(25, 9))
    >>> mf.q_star.evalf(12), mf.chi1.evalf(12), mf.regime
    (1.17848049039, 1.20983132038, 'chaotic')
    >>> mean_field("tanh", sympy.Rational(1, 2)).status
    'q -> 0'
    >>> mean_field("selu", 1).q_star.value
    1

    For an activation that jumps (``hardshrink``) :math:`\chi_1` is computed from
    the almost-everywhere derivative, which is what autograd back-propagates; the
    distributional derivative has Dirac masses at the jumps and its :math:`\chi_1`
    is infinite.  The result says so (``note``, a ``"convention"`` step and
    ``chi1.details["derivative"]``):

    >>> mf = mean_field("hardshrink", 2)
    >>> mf.chi1.details["derivative"], [r.kind for r in mf.steps][-1]
    ('almost everywhere', 'convention')
    """
    dps = check_dps(dps)
    check_variance(weight_var, "weight_var", positive=True)
    check_variance(bias_var, "bias_var")
    check_variance(q0, "q0", positive=True)
    a = as_activation(act)
    return _with_convention(_mean_field(a, act, weight_var, bias_var, dps, q0), a)


def _with_convention(mf: MeanField, a: Any) -> MeanField:
    if homogeneous_slopes(a.expr) is not None:  # a+ x and a- x: continuous, no breakpoint analysis needed
        return mf
    rec = derivative_convention(a)
    if rec is None:
        return mf
    points = tuple(dataclasses.replace(p, chi1=mark_convention(p.chi1, rec)) for p in mf.fixed_points)
    return dataclasses.replace(mf, chi1=mark_convention(mf.chi1, rec), fixed_points=points,
                               note=(f"{mf.note}; " if mf.note else "") + rec.note, steps=(*mf.steps, rec))


def _exact_candidates(cmap: CertifiedMap, expr: sympy.Expr, sw: sympy.Expr, sb: sympy.Expr, qs: tuple,
                      dps: int) -> list[sympy.Expr]:
    """The rationals among ``qs`` proved to be fixed points: V(r) - r cancels to 0 (the gain's q = 1)."""
    from flint import arb

    out = []
    for r in qs:
        with workdps(30):
            if (cmap.V(arb(float(r)) if r.q == 1 else as_ball(r, 20), 20) - as_ball(r, 20)).contains(0) is False:
                continue  # certified V(r) != r: no symbolic work

        e2 = expect(expr**2, r, dps=dps)
        if e2.level == "exact" and sympy.cancel(sympy.together(sw * e2.value + sb - r)) == 0:
            out.append(r)
    return out


def _with_structure(expr: sympy.Expr, points: list[FixedPoint], cells: list[Cell]) -> list[Cell]:
    """Cells completed by the proved shape of V (:func:`symact.propagation.searchrange.structure`)."""
    increasing, unique = structure(expr)
    if increasing:
        cells = [dataclasses.replace(c, increasing=True) for c in cells]
    positive = [p for p in points if not (p.q.level == "exact" and p.q.value == 0)]
    if unique and len(positive) > 1:
        raise CertificationError("V(q)/q is proved strictly decreasing, yet two positive fixed points were "
                                 "certified: please report this")
    if not unique or len(positive) != 1:
        return cells
    lo, hi = positive[0].q.enclosure  # the only positive fixed point: V(q) > q below it, < above
    out = []
    for c in cells:
        if c.kind == "unresolved":
            if c.hi < lo:
                c = dataclasses.replace(c, kind="excluded", sign=1)
            elif c.lo > hi:
                c = dataclasses.replace(c, kind="excluded", sign=-1)
            else:
                c = dataclasses.replace(c, kind="root")
        out.append(c)
    return out


def _cells_for(lo: float, hi: float) -> int:
    return max(24, math.ceil(6 * math.log10(hi / lo)))


def _mean_field(a: Any, act: Any, weight_var: Any, bias_var: Any, dps: int, q0: Any) -> MeanField:
    expr, name = a.expr, display_name(act)
    sw, sb = exact_number(weight_var), exact_number(bias_var)
    # a certified variance enters as its enclosure, never as its midpoint taken for exact
    sw_src, sb_src = number_source(weight_var), number_source(bias_var)
    exact_coeffs = is_exact_source(sw_src) and is_exact_source(sb_src)
    slopes = homogeneous_slopes(expr)
    if slopes is not None:
        mf = _homogeneous(name, sw, sb, slopes, q0, dps)
        return mf if exact_coeffs else _homogeneous_certified(mf, sw_src, sb_src, slopes, dps)
    dexpr = a.derivative(1)
    cmap = CertifiedMap(expr, sw_src, sb_src)
    dpieces = square_pieces(dexpr)
    start = float(exact_number(q0))
    with workdps(40):
        swb, sbb = as_ball(sw_src, 30), as_ball(sb_src, 30)
    rng = search_range(expr, swb, sbb, bool(is_exact_source(sb_src) and sb_src == 0), start)
    n = _cells_for(rng.lo, rng.hi)
    found = isolate(cmap, rng.lo, rng.hi, cells=n, tests=5 * n)
    points = [_fixed_point(cmap, dpieces, expr, dexpr, refine(cmap, c, dps), dps) for c in found if c.kind == "root"]
    if exact_coeffs and sw.is_Rational is not None:
        q0s = exact_number(q0)
        cands = tuple(dict.fromkeys(c for c in (q0s, sympy.Integer(1)) if c.is_Rational and c > 0))
        for r in _exact_candidates(cmap, expr, sw, sb, cands, dps):  # an exact fixed point replaces its enclosure
            points = [p for p in points if not p.q.enclosure[0] <= r <= p.q.enclosure[1]]
            points.append(_exact_point(cmap, dpieces, expr, r, dps))
    points.sort(key=lambda p: float(p.q))
    zero_fixed = bool(sb.is_zero) and bool(sympy.simplify(expr.subs(X, 0)) == 0)
    if zero_fixed:
        c0 = side_limits_sq(dexpr, sympy.S.Zero)
        zq = Quantity(sympy.Integer(0), "exact", method="phi(0) = 0 and bias_var = 0", name="q*")
        if is_exact_source(sw_src):
            zs = Quantity(sw * c0, "exact", method="one-sided limits at 0", name="V'(0)")
            zc = Quantity(sw * c0, "exact", method="one-sided limits at 0", name="chi_1")
        else:
            zs = _scaled(sw_src, c0, dps, "V'(0)")
            zc = _scaled(sw_src, c0, dps, "chi_1")
        points.insert(0, FixedPoint(zq, zs, _stable(zs) if zs.enclosure else None, zc))
    cells = _with_structure(expr, points, [Cell(0.0, rng.lo, "excluded" if rng.below else "unresolved", rng.below),
                                           *found, Cell(rng.hi, math.inf, "excluded" if rng.above else "unresolved", rng.above)])
    complete = all(c.kind != "unresolved" for c in cells)
    steps = [Record("fixed_point", {"q_star": p.q.value, "slope": p.slope.value, "stable": p.stable,
                                     "enclosure": p.q.enclosure}, p.q.level) for p in points]
    reach, reach_level = _reached_lazily(expr, sw, sb, points, cells, start, _sign_at(cmap, start), (rng.lo, rng.hi))
    its = 0
    if reach_level == "sampled" and reach is not None and points[reach].stable and points[reach].q.value != 0 \
            and contracts_to(cmap, start, points[reach].q.enclosure, monotone=basin(cells, points[reach].q.enclosure)):
        reach_level = "certified"
    note = _warnings(points, reach)
    gaps = [c for c in cells if c.kind == "unresolved"]
    if gaps:
        where = f"[{min(c.lo for c in gaps):.3g}, {max(c.hi for c in gaps):.3g}]"
        note = (f"{note}; " if note else "") + (
            f"fixed points not excluded within {where} (V(q) - q not separated from 0 there): the list may be incomplete")
    search = (rng.lo, rng.hi)
    if reach is None:  # q grows without bound
        chi = _chi_at_infinity(sw_src, dexpr, dps)
        grows = "no fixed point: q grows without bound"
        if reach_level == "certified":
            grows += f" (proved: V(q) > q for every q >= {start:g}; {rng.why_hi})"
        note = grows + (f"; {note}" if note else "")
        return MeanField(name, sw, sb, None, "diverges", chi, regime_of(chi), None, depth_scale(chi),
                         its, False, dps, tuple(points), complete, reach_level, search, note, tuple(steps),
                         f"below q = {rng.lo:.4g}: {rng.why_lo}; above q = {rng.hi:.4g}: {rng.why_hi}")
    p = points[reach]
    status: Status = "q -> 0" if p.q.value == 0 and p.q.level == "exact" else "fixed point"
    xi_q = depth_scale(p.slope)
    escapes = _escapes(cmap, expr, dexpr, sw, sb, points, cells, reach, search, dps) if p.stable is False else ()
    if escapes:
        note = (f"{note}; " if note else "") + (
            f"q0 = {start:g} sits on the repelling fixed point q* = {p.q}: it stays only if exactly there; "
            + "; ".join(e.describe() for e in escapes))
    return MeanField(name, sw, sb, p.q, status, p.chi1, regime_of(p.chi1), xi_q, depth_scale(p.chi1),
                     its, False, dps, tuple(points), complete, reach_level, search, note, tuple(steps),
                     f"below q = {rng.lo:.4g}: {rng.why_lo}; above q = {rng.hi:.4g}: {rng.why_hi}", escapes)


def _reached_lazily(expr: sympy.Expr, sw: sympy.Expr, sb: sympy.Expr, points: list[FixedPoint], cells: list[Cell],
                    q0: float, sign: int, search: tuple) -> tuple[int | None, str]:
    """:func:`~symact.propagation.fixedpoints.reached`, running the float64 iteration only when no proof applies."""
    got = reached(points, cells, q0, sign, math.nan, search)
    if got[1] != "sampled":
        return got
    return reached(points, cells, q0, sign, gh_fixed_point(expr, sw, sb, q0)[0], search)


def _chi_at_infinity(sw_src: Any, dexpr: sympy.Expr, dps: int) -> Quantity:
    """chi_1 as q -> oo: sigma_w^2 times the mean of phi'(+-oo)^2; exact only for an exact sigma_w^2."""
    factor = side_limits_sq(dexpr, sympy.S.Infinity)
    if is_exact_source(sw_src):
        return Quantity(sw_src * factor, "exact", method="limit q -> oo", name="chi_1")
    return _scaled(sw_src, factor, dps, "chi_1")


def _escapes(cmap: CertifiedMap, expr: sympy.Expr, dexpr: sympy.Expr, sw: sympy.Expr, sb: sympy.Expr,
             points: list[FixedPoint], cells: list[Cell], at: int, search: tuple, dps: int) -> tuple[Escape, ...]:
    """Where q goes from just above and just below the repelling fixed point ``points[at]``."""
    p = points[at]
    if not p.slope.enclosure[0] > 1:  # an oscillating (V' < -1) or undecided repeller: not described
        return ()
    lo, hi = (float(v) for v in p.q.enclosure)
    out = []
    for direction, q1, sign in (("up", hi * (1 + 1e-9) + 1e-300, 1), ("down", lo * (1 - 1e-9), -1)):
        if q1 <= 0:
            continue
        idx, level = reached(points, cells, q1, sign, math.nan, search)  # proofs only: no float iteration
        if level == "sampled":
            continue
        if (idx is None and sign < 0) or (idx is not None and sign * (float(points[idx].q) - float(p.q)) <= 0):
            continue  # a float iteration moving against the proved sign of V(q) - q: no claim
        if idx is None:
            chi = _chi_at_infinity(cmap.weight_var, dexpr, dps)
            out.append(Escape(direction, None, chi, level))
        elif idx != at:
            out.append(Escape(direction, points[idx].q, points[idx].chi1, level))
    return tuple(out)


def _sign_at(cmap: CertifiedMap, q0: float) -> int:
    from flint import arb

    with workdps(20):
        g = cmap.V(arb(q0), 12) - q0
    return 1 if g > 0 else (-1 if g < 0 else 0)


def _warnings(points: list[FixedPoint], reach: int | None) -> str:
    repelling = [p for p in points if p.stable is False]
    if not repelling:
        return ""
    notes = [f"q* = {p.q} is repelling (V'(q*) = {p.slope.evalf(4)})" for p in repelling]
    attracting = [p for p in points if p.stable]
    if attracting:
        notes.append("attracting: " + ", ".join(f"q = {p.q}" for p in attracting))
    return "; ".join(notes)


def _scaled(src: Any, factor: sympy.Expr, dps: int, name: str) -> Quantity:
    """``factor`` times a certified variance, as a certified Quantity."""
    from ..numerics.gaussian import as_ball

    def enc(d: int) -> tuple:
        with workdps(d + 10):
            return to_interval(as_ball(src, d) * as_ball(factor, d), d)

    return certified_quantity(enc, dps, "ball arithmetic", name)


def _homogeneous_certified(mf: MeanField, sw_src: Any, sb_src: Any, slopes: tuple, dps: int) -> MeanField:
    """The positively homogeneous case with certified (not exact) variances."""
    from ..numerics.gaussian import as_ball

    factor = (slopes[0] ** 2 + slopes[1] ** 2) / 2
    chi = _scaled(sw_src, factor, dps, "chi_1")
    slope = dataclasses.replace(chi, name="V'(q*)")
    lo, hi = chi.enclosure
    q: Quantity | None
    if hi < 1:
        if is_exact_source(sb_src) and sb_src == 0:
            q, status = Quantity(sympy.S.Zero, "exact", method="positively homogeneous", name="q*"), "q -> 0"
        else:
            def enc(d: int) -> tuple:
                with workdps(d + 10):
                    m = as_ball(sw_src, d) * as_ball(factor, d)
                    return to_interval(as_ball(sb_src, d) / (1 - m), d)

            q, status = certified_quantity(enc, dps, "ball arithmetic", "q*"), "fixed point"
    elif lo > 1:
        q, status = None, "diverges"
    else:
        raise Undecided(f"chi_1 = {chi} is not separated from 1 at dps={dps}: whether q converges "
                        "is undecided; give the variances exactly or with a larger dps")
    pts = (FixedPoint(q, slope, _stable(slope), chi),) if q is not None else ()
    note = "no fixed point: q grows without bound" if q is None else ""
    return dataclasses.replace(mf, q_star=q, status=status, chi1=chi, regime=regime_of(chi),
                               depth_scale_q=None if q is None else depth_scale(slope),
                               depth_scale_c=depth_scale(chi), degenerate=False, fixed_points=pts,
                               reached_level="certified", note=note)


def _homogeneous(name: str, sw: sympy.Expr, sb: sympy.Expr, slopes: tuple, q0: Any, dps: int) -> MeanField:
    m = sympy.nsimplify(sw * (slopes[0] ** 2 + slopes[1] ** 2) / 2) if sw.is_Rational else sw * (slopes[0] ** 2 + slopes[1] ** 2) / 2
    chi = Quantity(m, "exact", method="positively homogeneous", name="chi_1")
    degenerate = False
    if (m - 1).is_negative:
        qv, status = (sb / (1 - m), "fixed point") if not sb.is_zero else (sympy.S.Zero, "q -> 0")
        q: Quantity | None = Quantity(qv, "exact", method="positively homogeneous", name="q*")
    elif (m - 1).is_zero and sb.is_zero:
        q, status, degenerate = Quantity(exact_number(q0), "exact", method="every q is fixed", name="q*"), "fixed point", True
    else:
        q, status = None, "diverges"
    slope = Quantity(m, "exact", method="positively homogeneous", name="V'(q*)")
    pts = (FixedPoint(q, slope, _stable(slope), chi),) if q is not None else ()
    note = "every q > 0 is a fixed point" if degenerate else ("no fixed point: q grows without bound" if q is None else "")
    return MeanField(name, sw, sb, q, status, chi, regime_of(chi), None if q is None else depth_scale(slope),
                     depth_scale(chi), 0, degenerate, dps, pts, True, "exact", SEARCH, note)
