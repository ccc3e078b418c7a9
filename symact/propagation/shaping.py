r"""DKS/TAT-style activation shaping: input/output scales and shifts that hit local-map targets.

The transformed activation is :math:`\hat\varphi(x) = \gamma(\varphi(\alpha x + \beta) + \delta)`
(google-deepmind/dks ``_transform_activation``: input scale, input shift, output shift,
output scale).  With all local maps taken at input :math:`q = 1`:

* :math:`C(0) = 0`: :math:`\delta = -E[\varphi(\alpha z + \beta)]`;
* :math:`Q(1) = 1`: :math:`\gamma = 1/\sqrt{E[(\varphi(\alpha z+\beta) + \delta)^2]}`;
* :math:`Q'(1) = E[z\,\hat\varphi(z)\hat\varphi'(z)] = 1` (dks ``_calc_q_slope_1``);
* DKS: :math:`C'(1) = E[\hat\varphi'(z)^2] = \zeta`; TAT: :math:`C''(1) = E[\hat\varphi''(z)^2] = \tau`
  (dks ``_calc_c_slope`` / ``_calc_c_curv`` with ``q_output = 1``).

The two equations in :math:`(\alpha, \beta)` are first solved in float64 as dks does
(:mod:`symact.propagation.shape_search`: MINPACK's hybrid method from dks's six starting
points, in dks's order; every distinct root reached is kept, the first is returned and the
others are listed in ``alternatives``).  The root is then refined by Newton's method on the
Arb-evaluated system and Krawczyk's test (:mod:`symact.propagation.shape_proof`) proves that
exactly one solution exists in a box of radius about :math:`10^{-\mathrm{dps}}` around it,
for analytic and for piecewise analytic activations (ELU, SELU, ...): ``input_scale`` and
``input_shift`` enclose that solution (level ``certified``; local uniqueness only),
``output_shift`` and ``output_scale`` hold for it, and the residuals are enclosed at the
printed decimal parameters.  Every constant enters Arb as a ball of the number it stands for:
:math:`\alpha`, :math:`\beta` are balls passed to the compiled :math:`\varphi^{(k)}`, never
substituted into a SymPy expression (where SymPy would fold :math:`e^{\beta}` into a rounded
Float).  When no start reaches a root, :class:`NoSolution` says so, with the range of the
target quantity sampled along :math:`Q'(1) = 1`.

This is dks's setting with *local* targets: dks computes ``output_shift`` and
``output_scale`` the same way for DKS (``local_c_val_0_target = 0``) and solves the same two
equations, but it first converts the network-level :math:`\zeta` into a local target through
the network's maximal slope function (:math:`\zeta^{1/D}` for a chain of depth D); pass
that local value here.  dks's TAT for smooth activations differs: it leaves ``output_shift``
free and imposes :math:`C'(1) = 1` instead of :math:`C(0) = 0`.

References
----------
.. [1] J. Martens, A. Ballard, G. Desjardins, G. Swirszcz, V. Dalibard, J. Sohl-Dickstein,
   S. S. Schoenholz, "Rapid training of deep neural networks without skip connections or
   normalization layers using Deep Kernel Shaping", 2021.
.. [2] G. Zhang, A. Botev, J. Martens, "Deep learning without shortcuts: shaping the
   kernel with tailored rectifiers", ICLR 2022.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Literal

import mpmath
import sympy
from flint import arb

from ..core.errors import CertificationError
from ..core.precision import DEFAULT_DPS, check_dps, workdps
from ..core.result import Quantity
from ..core.steps import Record
from ..expressions.activation import Activation, x
from ..expressions.coerce import as_activation
from ..numerics.gaussian import as_ball
from .cmap import to_quantity
from .shape_proof import BoxProof, ShapeMoments, krawczyk_shape, point_ball, residual_and_jacobian
from .shape_search import DKS_STARTS, FloatMoments, scan, search

__all__ = ["NoSolution", "Shaping", "shape"]


class NoSolution(ValueError):
    """The shaping conditions have no solution that the search can find (the message says why)."""


@dataclass(frozen=True)
class Shaping:
    """Parameters of the shaped activation, each a :class:`~symact.core.result.Quantity`.

    ``input_scale``/``input_shift`` enclose the unique solution in Krawczyk's box when
    ``unique`` (level ``certified``); otherwise they are the refined Newton point (level
    ``sampled``) and ``output_shift``/``output_scale``/``residuals`` are certified at that
    exact point.  ``alternatives`` lists other solutions the float64 search reached
    (sampled), ``start`` the starting point that gave this one.
    """

    act: Activation
    method: str
    input_scale: Quantity
    input_shift: Quantity
    output_shift: Quantity
    output_scale: Quantity
    residuals: dict[str, Quantity]
    steps: tuple[Record, ...] = field(default=(), compare=False)
    level: str = "certified"
    proof: BoxProof | None = field(default=None, compare=False)
    alternatives: tuple[tuple[float, float], ...] = field(default=(), compare=False)
    start: tuple[float, float] | None = field(default=None, compare=False)

    @property
    def unique(self) -> bool:
        """Whether existence and uniqueness in the proof's box are proved (Krawczyk)."""
        return self.proof is not None and self.proof.proved

    @property
    def expr(self) -> sympy.Expr:
        """The shaped activation with the parameters' printed digits as exact decimals."""
        a, b, d, g = (_decimal(q) for q in (self.input_scale, self.input_shift, self.output_shift,
                                            self.output_scale))
        return g * (self.act.expr.xreplace({x: a * x + b}) + d)


def _decimal(q: Quantity) -> sympy.Rational:
    """The printed value of ``q`` as an exact rational (never a Float that SymPy could fold)."""
    v = q.value
    return sympy.Rational(str(v)) if isinstance(v, sympy.Float) else sympy.Rational(v)


def exact_target(v: Any, what: str) -> sympy.Expr:
    """A target as an exact number: floats read as the decimal they print as, Floats exactly."""
    if isinstance(v, bool):
        raise TypeError(f"{what} must be a positive number, not a bool")
    if isinstance(v, float):
        e = sympy.Rational(repr(v))
    elif isinstance(v, Fraction):
        e = sympy.Rational(v.numerator, v.denominator)
    elif isinstance(v, mpmath.mpf):
        e = sympy.Rational(*mpmath.mpf(v).as_integer_ratio())
    else:
        e = sympy.sympify(v)
        if isinstance(e, sympy.Float):
            e = sympy.Rational(e)  # its exact binary value
    if not (isinstance(e, sympy.Expr) and e.is_number and e.is_real and e.is_positive):
        raise ValueError(f"{what} must be a positive real number, got {v!r}")
    return e


def _float_roots(act: Activation, n: int, target: sympy.Expr, start: Any
                 ) -> tuple[list, FloatMoments]:
    FM = FloatMoments(act, n + 1, n)
    t = float(target)
    starts = DKS_STARTS if start is None else (tuple(float(v) for v in start), *DKS_STARTS)
    return search(FM, n, t, starts), FM


def _no_solution(act: Activation, method: str, n: int, target: sympy.Expr, FM: FloatMoments) -> NoSolution:
    sc = scan(FM, n)
    name = "C'(1)" if n == 1 else "C''(1)"
    sym = "zeta" if n == 1 else "tau"
    where = (f"alpha in [{sc.alpha[0]:g}, {sc.alpha[1]:g}], beta and beta/alpha in "
             f"[{sc.beta[0]:g}, {sc.beta[1]:g}]")
    if sc.points:
        rng = f"along Q'(1) = 1 ({where}; {sc.points} float64 samples, not a proof) {name} ranges over " \
              f"[{sc.low:.6g}, {sc.high:.6g}]"
        why = f", which does not contain {sym} = {target}" if not sc.low <= float(target) <= sc.high else ""
    else:
        rng, why = f"Q'(1) = 1 has no sampled solution for {where}", ""
    return NoSolution(
        f"no solution: no {method.upper()} shaping of {act.name} with {sym} = {target}: dks's solver "
        "found no root "
        f"from dks's six starting points; {rng}{why}. "
        f"Choose a target inside that range (or pass start=)")


def _refine(M: ShapeMoments, a: float, b: float, n: int, tb: arb, dps: int) -> tuple[arb, arb, arb]:
    """The float root refined on the Arb-evaluated system: exact points, and the last relative step.

    The chord method: the Jacobian once, at 20 digits and the float root (accurate to about
    12 digits, so each step gains about 12 digits), then steps with ``F`` alone at ``dps``.
    """
    A, B = arb(a), arb(b)
    with workdps(20):
        _, J = residual_and_jacobian(M, A, B, n, tb, jac=True)
        jm = [[J[i][j].mid() for j in range(2)] for i in range(2)]
        det = jm[0][0] * jm[1][1] - jm[0][1] * jm[1][0]
        if det == 0 or not det.is_finite():
            raise CertificationError("singular Jacobian at the shaping solution")
        Y = [[jm[1][1] / det, -jm[0][1] / det], [-jm[1][0] / det, jm[0][0] / det]]
    goal = arb(10) ** (-(dps - 3))
    step = last = arb("inf")
    for _ in range(2 + dps // 8):
        F, _ = residual_and_jacobian(M, A, B, n, tb, jac=False)
        da = -(Y[0][0] * F[0] + Y[0][1] * F[1])
        db = -(Y[1][0] * F[0] + Y[1][1] * F[1])
        A, B = arb((A + da).mid()), arb((B + db).mid())
        step = max(abs(da).upper() / max(1, abs(A).upper()), abs(db).upper() / max(1, abs(B).upper()))
        if step < goal or not step < last / 4:  # converged, or stalled at the balls' width
            break
        last = step
    return A, B, step


def _certify(M: ShapeMoments, a0: float, b0: float, n: int, tb: arb, dps: int, work: int
             ) -> tuple[arb, arb, BoxProof | None]:
    """Refine a float root and run Krawczyk's test on boxes of deterministic, growing radii."""
    A, B, step = _refine(M, a0, b0, n, tb, work)
    proof = None
    for k in range(4):
        r = max(step * 4, arb(10) ** (-(dps + 3))) * arb(100) ** k
        try:
            proof = krawczyk_shape(M, A, B, n, tb, dps=work, radius=float(r.upper()))
        except CertificationError:
            return A, B, None
        if proof.proved:
            break
    return A, B, proof


def shape(act: Any, *, method: Literal["dks", "tat"] = "dks", zeta: Any = 1.5, tau: Any = 0.3,
          dps: int = DEFAULT_DPS, start: tuple[float, float] | None = None) -> Shaping:
    r"""Shape ``act`` so that Q(1) = 1, Q'(1) = 1, C(0) = 0 and C'(1) = zeta (DKS) or C''(1) = tau (TAT).

    Parameters
    ----------
    act : activation-like
        Analytic or piecewise analytic; DKS needs :math:`\varphi` continuous, TAT also
        :math:`\varphi'` continuous.
    method : {"dks", "tat"}, keyword-only
    zeta, tau : positive number, keyword-only
        Local targets (dks defaults: ``c_slope_1_target = 1.5``; ``c_curve_target = 0.3``).
        Floats are read as the decimal they print as.
    dps : int, keyword-only
        Digits: the parameters are enclosed to about ``dps`` digits.
    start : (float, float), keyword-only
        A starting (input_scale, input_shift) tried before dks's six.

    Returns
    -------
    Shaping

    Raises
    ------
    NoSolution
        No root from any start, with the sampled range of the target along Q'(1) = 1.
    UnsupportedExpression
        An activation whose needed derivatives jump, or without a proved growth bound.

    Examples
    --------
    >>> s = shape("tanh", zeta=1.5, dps=15)
    >>> s.unique, s.input_scale.level, s.input_scale.evalf(10)
    (True, 'certified', 1.283239164)
    >>> s.alternatives  # tanh is odd: (alpha, -beta) is the mirrored solution
    ((1.2832391641..., -1.578357765...),)
    """
    dps = check_dps(dps)
    act = as_activation(act)
    if method not in ("dks", "tat"):
        raise ValueError(f"method must be 'dks' or 'tat', got {method!r}")
    n = 1 if method == "dks" else 2
    target = exact_target(zeta if method == "dks" else tau, "zeta" if n == 1 else "tau")
    roots, FM = _float_roots(act, n, target, start)
    if len(roots) > 1 and roots[0][0][1] < 0:  # F is even in beta for an odd activation: its
        a, b = roots[0][0]                     # mirrored roots come in pairs; take beta > 0
        for i, ((a2, b2), _) in enumerate(roots[1:], 1):
            if abs(a2 - a) < 1e-8 * a and abs(b2 + b) < 1e-8 * max(1, abs(b)):
                roots[0], roots[i] = (roots[i][0], roots[0][1]), (roots[0][0], roots[i][1])
                break
    if not roots:
        raise _no_solution(act, method, n, target, FM)
    work = dps + 10
    with workdps(work):
        tb = as_ball(target, work)
        M = ShapeMoments(act, n + 1, dps=work, order=n)
        chosen, fallback = None, None
        for i, ((a0, b0), _) in enumerate(roots):  # the first root that Krawczyk's test proves
            try:
                A, B, proof = _certify(M, a0, b0, n, tb, dps, work)
            except CertificationError:
                continue
            if proof is not None and proof.proved:
                chosen = (i, A, B, proof)
                break
            fallback = fallback or (i, A, B, proof)
        if chosen is None and fallback is None:
            raise CertificationError(f"no root of the {method.upper()} conditions for {act.name} could be "
                                     "refined on the certified system (singular Jacobian)")
        i, A, B, proof = chosen or fallback
        first = roots[i][1]
        others = [r for j, (r, _) in enumerate(roots) if j != i]
        steps = [Record("fact", {"statement": sympy.Symbol("phi_hat = gamma (phi(alpha x + beta) + delta)"),
                                 "reference": "Martens et al. 2021; Zhang et al. 2022"},
                        note="DKS/TAT local-map conditions at q = 1")]
        steps.append(Record("fact", {"statement": sympy.Symbol("float64 search (dks's solver and starts)"),
                                     "reference": f"root from start {first}; {len(others)} other root(s)"
                                                  + (": " + ", ".join(f"({a:.10g}, {b:.10g})" for a, b in others)
                                                     if others else "")},
                            level="sampled", note="several solutions" if others else "one solution found"))
        if proof is not None and proof.proved:
            steps.append(proof.record)
            qa, qb = proof.input_scale, proof.input_shift
            qd, qg = proof.output_shift, proof.output_scale
            pa, pb = point_ball(_decimal(qa), work), point_ball(_decimal(qb), work)
            level = "certified"
        else:
            steps.append(Record("fact", {"statement": sympy.Symbol("uniqueness not proved"),
                                         "reference": "Krawczyk's test did not pass"}, level="sampled",
                                note="the parameters are a refined Newton point"))
            qa, qb = (Quantity(sympy.Float(_arb_exact(v), dps), "sampled", None,
                               method="Newton on the certified system (Krawczyk's test did not pass)",
                               name=nm) for v, nm in ((A, "input_scale"), (B, "input_shift")))
            pa, pb = point_ball(_decimal(qa), work), point_ball(_decimal(qb), work)
            m0 = M(0, (0,), pa, pb)
            var = M(0, (0, 0), pa, pb) - m0 * m0
            how = "arb integral at the printed parameters"
            qd = to_quantity(-m0, name="output_shift", method=how, dps=dps)
            qg = to_quantity(1 / var.sqrt(), name="output_scale", method=how, dps=dps)
            level = "sampled"
        F, _ = residual_and_jacobian(M, pa, pb, n, tb, jac=False)
        names = ("Q'(1)", "C'(1)" if n == 1 else "C''(1)")
        res = {names[i]: to_quantity(F[i], name="residual " + names[i], method="arb integral at the printed "
                                     "parameters", dps=dps) for i in range(2)}
    return Shaping(act, method, qa, qb, qd, qg, res, tuple(steps), level=level, proof=proof,
                   alternatives=tuple(others), start=first)


def _arb_exact(v: arb) -> sympy.Rational:
    """The exact midpoint of a ball as a rational."""
    m, e = v.mid().man_exp()
    return sympy.Integer(int(m)) * sympy.Integer(2) ** int(e)

