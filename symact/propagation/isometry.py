r"""Dynamical isometry: how small the Jacobian's spectral spread can be made on the edge of chaos.

With :math:`\mu_k = E[\varphi'(\sqrt{q^*}z)^{2k}]`, the normalised spread of the
spectrum of :math:`JJ^\top` after :math:`L` layers is (see
:mod:`symact.propagation.spectrum`)

.. math:: \frac{\operatorname{Var}[\lambda]}{E[\lambda]^2}
          = L\Big(\frac{\mu_2}{\mu_1^2} - 1 - s_1\Big),
   \qquad s_1 = -1 \text{ (Gaussian)},\ 0 \text{ (orthogonal)},

whatever :math:`\chi = \sigma_w^2\mu_1`; on the edge of chaos (:math:`\chi = 1`) the
mean is 1 and this is the variance itself.  Two facts make the search honest:

* **lower bound (proved).** :math:`\mu_2 = E[g^2] \ge E[g]^2 = \mu_1^2` for
  :math:`g = \varphi'^2` (Cauchy--Schwarz), so the spread is at least
  :math:`-L s_1`: :math:`L` for Gaussian weights, 0 for orthogonal ones, at every
  :math:`(\sigma_w^2, \sigma_b^2)`; equality needs :math:`\varphi'^2` constant.
* **the limit** :math:`q^* \to 0` **(proved by series).** On the critical line
  :math:`\sigma_b^2 = q - E[\varphi^2]/E[\varphi'^2]`, :math:`\sigma_w^2 = 1/E[\varphi'^2]`
  (parametrised by :math:`q = q^*`).  When :math:`\varphi(0) = 0` and :math:`\varphi'` is
  smooth at 0 with :math:`\varphi'(0) \ne 0`, :math:`\sigma_b^2 \to 0` as :math:`q \to 0`
  and :math:`E[g(\sqrt q z)] = \sum_k g^{(2k)}(0) q^k / (2^k k!)` (asymptotic), so
  :math:`\mu_2/\mu_1^2 = 1 + c\,q^m + O(q^{m+1})`: the lower bound is the infimum,
  approached but not attained (Pennington, Schoenholz & Ganguli 2017).

Between these, the minimiser over a range of :math:`\sigma_b^2` is located by a float64
Gauss--Hermite scan along the critical line (level ``"sampled"``, only to *choose* the
point); the spread at the reported point is then **certified** (edge of chaos by
interval Newton, :math:`\mu_1, \mu_2` as Arb integrals over the certified :math:`q^*`
ball), and is a certified upper bound on the infimum.  For positively homogeneous
activations (ReLU, leaky ReLU) :math:`\mu_2/\mu_1^2 = 2(a_+^4+a_-^4)/(a_+^2+a_-^2)^2` at
every :math:`q^*`: the spread does not depend on :math:`\sigma_b^2` (and the edge of chaos
has a finite fixed point only at :math:`\sigma_b^2 = 0`).

References
----------
.. [1] J. Pennington, S. S. Schoenholz, S. Ganguli, "Resurrecting the sigmoid in deep
   learning through dynamical isometry: theory and practice", NeurIPS 2017.
.. [2] J. Pennington, S. S. Schoenholz, S. Ganguli, "The emergence of spectral
   universality in deep networks", AISTATS 2018.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import sympy
from flint import arb

from ..core.errors import CertificationError, DomainError
from ..core.precision import DEFAULT_DPS, check_dps, workdps
from ..core.result import Level, Quantity, Result
from ..core.steps import Record
from ..expressions.activation import Activation, x
from ..expressions.coerce import as_activation
from ..gaussian.expectation import gaussian_pieces
from ..numerics.gaussian import as_ball, gaussian_expectation
from ..numerics.numeric import numpy_function
from .chaos import edge_of_chaos, exact_number, homogeneous_slopes
from .cmap import to_quantity
from .kernel_inputs import check_depth, variance_arg

__all__ = ["Isometry", "critical_bias_series", "critical_line", "isometry", "ratio_series"]

Weights = Literal["gaussian", "orthogonal"]


@dataclass(frozen=True, eq=False, repr=False)
class Isometry(Result):
    r"""The normalised spread :math:`\operatorname{Var}/E^2` of the spectrum of :math:`JJ^\top`
    at a reported point of the edge of chaos, with the infimum over the critical line.

    Attributes
    ----------
    value, level, enclosure, method
        The spread at ``(weight_var, bias_var)`` (the protocol's fields).
    weight_var : Quantity
        :math:`\sigma_w^2` on the edge of chaos at ``bias_var``.
    bias_var : sympy.Expr
    q_star : Quantity
    ratio : Quantity
        :math:`\mu_2/\mu_1^2` at the point.
    infimum : Quantity
        The infimum of the spread over the critical line in the searched range of
        :math:`\sigma_b^2`: exact where proved (Cauchy--Schwarz bound plus a proved limit,
        or q-independence), else the certified value at the point (an upper bound) with
        ``lower_bound`` the proved floor.
    lower_bound : Quantity
        :math:`-L s_1`, proved for every point.
    attained : bool
        Whether the infimum is attained at the reported point.
    verdict : str
    series : sympy.Expr or None
        The leading term of :math:`\mu_2/\mu_1^2 - 1` as :math:`q \to 0`.
    scan : tuple of (q, sigma_b^2, sigma_w^2, ratio) floats (level ``"sampled"``)
    """

    value: sympy.Expr
    level: Level
    enclosure: Any
    method: str
    act: Activation
    depth: int
    weights: str
    weight_var: Quantity
    bias_var: sympy.Expr
    q_star: Quantity
    ratio: Quantity
    infimum: Quantity
    lower_bound: Quantity
    attained: bool
    verdict: str
    series: Any = None
    scan: tuple = field(default=(), repr=False)
    steps: tuple[Record, ...] = field(default=(), compare=False)
    name: str = "Var/mean^2"


def ratio_series(act: Any, order: int = 4) -> sympy.Expr | None:
    r"""The leading term of :math:`\mu_2/\mu_1^2 - 1` in :math:`q` as :math:`q \to 0`.

    From :math:`E[g(\sqrt q z)] \sim \sum_k g^{(2k)}(0)\,q^k/(2^k k!)` for
    :math:`g = \varphi'^2, \varphi'^4` (Taylor's theorem with the Gaussian moments
    :math:`E[z^{2k}] = (2k-1)!!`); ``None`` when :math:`\varphi'` is not smooth at 0,
    :math:`\varphi'(0) = 0`, or no term up to ``order`` is nonzero.

    Examples
    --------
    >>> ratio_series("tanh")
    8*q**2
    >>> ratio_series("relu") is None
    True
    """
    a = as_activation(act)
    q = sympy.Symbol("q", positive=True)
    d = sympy.diff(a.expr, x)
    if any(sympy.sympify(k) == 0 for k in a.kinks) or d.has(sympy.Piecewise, sympy.Heaviside,
                                                                 sympy.Abs, sympy.sign,
                                                                 sympy.Max, sympy.Min):
        return None
    try:
        taylor = sympy.series(d, x, 0, 2 * order + 1).removeO()
    except Exception:  # noqa: BLE001 - no Taylor series at 0
        return None
    d0 = taylor.subs(x, 0)
    if not d0.is_number or d0 == 0:
        return None

    def moment(p: int) -> sympy.Expr:
        g = sympy.expand(taylor**p)
        return sum(g.coeff(x, 2 * k) * sympy.factorial2(2 * k - 1) * q**k for k in range(order + 1))

    return _lead(moment(4) / moment(2) ** 2 - 1, q, order)


def _lead(e: sympy.Expr, q: sympy.Symbol, order: int) -> sympy.Expr | None:
    r = sympy.series(e, q, 0, order + 1).removeO()
    r = sympy.expand(sympy.nsimplify(r))
    if r == 0:
        return None
    lead = min(sympy.Poly(r, q).monoms())[0]
    return sympy.simplify(r.coeff(q, lead)) * q**lead


def critical_bias_series(act: Any, order: int = 4) -> sympy.Expr | None:
    r"""Leading term of :math:`\sigma_b^2(q) = q - E[\varphi^2]/E[\varphi'^2]` (critical line) as :math:`q \to 0`.

    A positive leading coefficient proves that the edge of chaos reaches :math:`q^* \to 0`
    through :math:`\sigma_b^2 > 0`, :math:`\sigma_b^2 \to 0`.

    >>> critical_bias_series("tanh")
    4*q**3/3
    """
    a = as_activation(act)
    q = sympy.Symbol("q", positive=True)
    if ratio_series(a, order) is None:
        return None
    t0 = sympy.series(a.expr, x, 0, 2 * order + 2).removeO()
    t1 = sympy.series(sympy.diff(a.expr, x), x, 0, 2 * order + 1).removeO()

    def moment(t: sympy.Expr) -> sympy.Expr:
        g = sympy.expand(t**2)
        return sum(g.coeff(x, 2 * k) * sympy.factorial2(2 * k - 1) * q**k for k in range(order + 2))

    return _lead(q - moment(t0) / moment(t1), q, order)


def critical_line(act: Activation, bias_range: tuple[float, float], n: int = 400) -> list[tuple[float, ...]]:
    r"""Float64 Gauss-Hermite points ``(q, sigma_b^2, sigma_w^2, mu_2/mu_1^2)`` on the critical line (sampled).

    For :math:`10^{-3} \le q \le 100` (geometric grid of ``n``), kept where :math:`\sigma_b^2(q)` is in ``bias_range``.

    >>> import symact as sa
    >>> q, sb, sw, r = critical_line(sa.activation("tanh"), (0, 1))[0]
    >>> round(sw, 2), r < 1.0001
    (1.0, True)
    """
    f, df = numpy_function(act.expr, x), numpy_function(act.derivative(1), x)
    z, w = np.polynomial.hermite_e.hermegauss(200)
    w = w / math.sqrt(2 * math.pi)
    qs = np.geomspace(1e-3, 1e2, n)
    with np.errstate(all="ignore"):
        s = np.sqrt(qs)[:, None] * z
        A = (np.broadcast_to(np.asarray(f(s), float), s.shape) ** 2) @ w
        g = np.broadcast_to(np.asarray(df(s), float), s.shape) ** 2
        B, M = g @ w, (g * g) @ w
        sb = qs - A / B
        ok = np.isfinite(sb) & (sb >= bias_range[0]) & (sb <= bias_range[1]) & (B > 0)
        return [(float(qs[i]), float(sb[i]), float(1 / B[i]), float(M[i] / B[i] ** 2)) for i in np.flatnonzero(ok)]


def _nice(v: float) -> sympy.Rational:
    """A rational with two significant digits near ``v`` (a reportable bias variance)."""
    if v <= 0:
        return sympy.Integer(0)
    e = math.floor(math.log10(v)) - 1
    return sympy.Rational(round(v / 10**e)) * sympy.Rational(10) ** e


def _certify(act: Activation, sb: sympy.Expr, L: int, s1: int, dps: int) -> tuple[Quantity, Quantity, Quantity, Quantity]:
    """Edge of chaos at sb, then (spread, ratio, sw, q*) certified over the q* enclosure."""
    e = edge_of_chaos(act, sb, dps=dps)  # certified signs bracket the float scan's sign change there
    q_star = e.details.get("q_star")
    if q_star is None:
        raise CertificationError(f"the edge of chaos at bias_var={sb} has q* -> 0; choose bias_var > 0")
    pcs = gaussian_pieces(act.derivative(1))
    with workdps(dps + 10):
        qb = as_ball(q_star.enclosure, dps)
        m1 = gaussian_expectation(tuple((p**2, lo, hi) for p, lo, hi in pcs), qb, x=x, dps=dps)
        m2 = gaussian_expectation(tuple((p**4, lo, hi) for p, lo, hi in pcs), qb, x=x, dps=dps)
        r = m2 / (m1 * m1)
        spread = arb(L) * (r - 1 - s1)
        return (to_quantity(spread, name="Var/mean^2", method="edge of chaos + arb integral", dps=dps),
                to_quantity(r, name="mu_2/mu_1^2", method="arb integral", dps=dps), e, q_star)


def isometry(act: Any, depth: int = 100, *, weights: Weights = "orthogonal", bias_var: Any = None,
             bias_range: tuple[Any, Any] = (0, 1), dps: int = DEFAULT_DPS) -> Isometry:
    r"""How close to dynamical isometry ``act`` can get on the edge of chaos at ``depth`` layers.

    Parameters
    ----------
    act : activation-like
    depth : int
        :math:`L`.
    weights : {"orthogonal", "gaussian"}, keyword-only
    bias_var : number, optional, keyword-only
        Certify at this :math:`\sigma_b^2` instead of the scan's minimiser.
    bias_range : (number, number), keyword-only
        The range of :math:`\sigma_b^2` searched (default :math:`[0, 1]`).
    dps : int, keyword-only

    Returns
    -------
    Isometry
        The certified (or exact) normalised spread at the reported point, the infimum
        and what is proved about it (see the module notes).

    Examples
    --------
    >>> r = isometry("relu", 100, weights="orthogonal")
    >>> r.value, r.infimum.value, r.attained
    (100, 100, True)
    >>> t = isometry("tanh", 100, bias_var=sympy.Rational(1, 20), dps=15)
    >>> t.infimum.value, t.level, t.weight_var.evalf(10)
    (0, 'certified', 1.760954640)
    >>> float(t) > 0
    True
    """
    dps = check_dps(dps)
    if weights not in ("gaussian", "orthogonal"):
        raise DomainError(f"weights must be 'gaussian' or 'orthogonal', got {weights!r}")
    L = check_depth(depth)
    if bias_var is not None:
        bias_var = variance_arg(bias_var, "bias_var", positive=False)
    bias_range = tuple(variance_arg(v, "bias_range", positive=False) for v in bias_range)
    if len(bias_range) != 2 or bool(sympy.sympify(bias_range[0]) > sympy.sympify(bias_range[1])):
        raise DomainError(f"bias_range must be (low, high) with 0 <= low <= high, got {bias_range}")
    a = as_activation(act)
    s1 = -1 if weights == "gaussian" else 0
    floor_q = Quantity(sympy.Integer(-L * s1), "exact", method="Cauchy-Schwarz: mu_2 >= mu_1^2",
                       name="lower bound")
    fact = Record("fact", {"statement": sympy.Symbol("Var/mean^2 = L (mu_2/mu_1^2 - 1 - s_1)"),
                           "reference": "Pennington, Schoenholz & Ganguli 2017, 2018"},
                  note="free multiplicative convolution: normalised variances add")
    slopes = homogeneous_slopes(a.expr)
    if slopes is not None:
        p, m = slopes
        ratio = sympy.nsimplify(2 * (p**4 + m**4) / (p**2 + m**2) ** 2)
        spread = sympy.nsimplify(L * (ratio - 1 - s1))
        sw = Quantity(sympy.nsimplify(2 / (p**2 + m**2)), "exact", method="positively homogeneous",
                      name="edge of chaos")
        rq = Quantity(ratio, "exact", method="positively homogeneous", name="mu_2/mu_1^2")
        sq = Quantity(spread, "exact", method="positively homogeneous", name="Var/mean^2")
        rec = Record("identity", {"lhs": sympy.Symbol("mu_2/mu_1^2"), "rhs": ratio,
                                  "method": "phi' takes the values a_+ and a_- with probability 1/2 each"},
                     note="independent of q*, hence of sigma_b^2")
        verdict = (f"no dynamical isometry: mu_2/mu_1^2 = {ratio} at every q*, so the spread "
                   f"L(mu_2/mu_1^2 - 1 - s_1) = {spread} at depth {L} does not depend on sigma_b^2 "
                   "(positively homogeneous activation; the edge of chaos needs sigma_b^2 = 0)")
        q1 = Quantity(sympy.Integer(1), "exact", method="any q (homogeneous)", name="q*")
        return Isometry(spread, "exact", sq.enclosure, "positively homogeneous", a, L, weights, sw,
                        sympy.Integer(0), q1, rq, sq, floor_q, True, verdict, None, (), (fact, rec))
    lo_b, hi_b = (float(exact_number(v)) for v in bias_range)
    pts = critical_line(a, (lo_b, hi_b))
    if not pts and bias_var is None:
        raise CertificationError(f"no point of the edge of chaos with {lo_b} <= sigma_b^2 <= {hi_b} "
                                 "and 1e-3 <= q* <= 100 for " + a.name)
    best = min(pts, key=lambda t: t[3]) if pts else None
    at_floor = bool(pts) and best is pts[0] and pts[0][0] <= 1.01e-3
    if bias_var is not None:
        candidates = [exact_number(bias_var)]
    elif at_floor:
        # the spread decreases towards q* -> 0, where the critical line is too flat for a
        # quick certificate: report the first of q* ~ 0.01, 0.03, 0.1, ... that certifies
        candidates = [_nice(min(pts, key=lambda t: abs(math.log(t[0] / qq)))[1]) for qq in (0.01, 0.03, 0.1, 0.3)]
    else:
        candidates = [_nice(best[1]) if best[1] > 0 else _nice(1e-6)]
    for i, sb in enumerate(candidates):
        try:
            spread, rq, sw, q_star = _certify(a, sb, L, s1, dps)
            break
        except CertificationError:
            if i == len(candidates) - 1:
                raise
    scan_rec = Record("sample", {"points": len(pts), "worst": best[3] if best else None},
                      level="sampled", note="float64 Gauss-Hermite scan of the critical line (to choose the point)")
    cert = Record("certified", {"lo": spread.enclosure[0], "hi": spread.enclosure[1],
                                "enclosure": spread.enclosure, "method": spread.method, "dps": dps},
                  level="certified", note=f"spread at sigma_b^2 = {sb}")
    steps: list[Record] = [fact, scan_rec, cert]
    series = ratio_series(a)
    bias_lead = critical_bias_series(a) if series is not None else None
    smooth_zero = (series is not None and bias_lead is not None and lo_b == 0
                   and sympy.simplify(a.expr.subs(x, 0)) == 0
                   and bool(sympy.Poly(bias_lead).coeffs()[0] > 0))
    if smooth_zero and (at_floor or best is None or best[3] - 1 < 1e-3):
        inf_q = floor_q
        attained = False
        steps.append(Record("limit", {"expr": sympy.Symbol("mu_2/mu_1^2 - 1"), "point": sympy.Integer(0),
                                      "side": "+", "value": series},
                            note="q* -> 0 along the critical line as sigma_b^2 -> 0 (phi(0) = 0)"))
        steps.append(Record("limit", {"expr": sympy.Symbol("sigma_b^2(q*)"), "point": sympy.Integer(0),
                                      "side": "+", "value": bias_lead},
                            note="sigma_b^2 = q - E[phi^2]/E[phi'^2] > 0 near q = 0: the line reaches q* -> 0"))
        iso = "dynamical isometry" if weights == "orthogonal" else "no dynamical isometry"
        verdict = (f"{iso}: on the edge of chaos the spread L(mu_2/mu_1^2 - 1 - s_1) tends to its proved "
                   f"floor {-L * s1} as sigma_b^2 -> 0 (q* -> 0, mu_2/mu_1^2 - 1 ~ {series}); "
                   f"not attained; at (sigma_w^2, sigma_b^2) = ({sw.evalf(8)}, {sb}) it is {spread.evalf(6)}")
        if weights == "gaussian":
            verdict += "; Gaussian weights add L whatever the activation: use orthogonal weights"
    else:
        inf_q = spread
        attained = False
        verdict = (f"best spread found on the edge of chaos for {lo_b} <= sigma_b^2 <= {hi_b}: "
                   f"{spread.evalf(6)} at (sigma_w^2, sigma_b^2) = ({sw.evalf(8)}, {sb}) (certified there; "
                   f"the minimiser is located by a sampled scan, so this is an upper bound on the "
                   f"infimum, whose proved lower bound is {-L * s1})")
    return Isometry(spread.value, "certified", spread.enclosure, spread.method, a, L, weights, sw, sb,
                    q_star, rq, inf_q, floor_q, attained, verdict, series, tuple(pts), tuple(steps))
