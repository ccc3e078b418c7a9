r"""DKS/TAT-style activation shaping: input/output scales and shifts that hit local-map targets.

The transformed activation is :math:`\hat\varphi(x) = \gamma(\varphi(\alpha x + \beta) + \delta)`
(google-deepmind/dks ``_transform_activation``: input scale, input shift, output shift,
output scale).  With all local maps taken at input :math:`q = 1`:

* :math:`C(0) = 0`: :math:`\delta = -E[\varphi(\alpha z + \beta)]`;
* :math:`Q(1) = 1`: :math:`\gamma = 1/\sqrt{E[(\varphi(\alpha z+\beta) + \delta)^2]}`;
* :math:`Q'(1) = E[z\,\hat\varphi(z)\hat\varphi'(z)] = 1` (dks ``_calc_q_slope_1``);
* DKS: :math:`C'(1) = E[\hat\varphi'(z)^2] = \zeta`; TAT: :math:`C''(1) = E[\hat\varphi''(z)^2] = \tau`
  (dks ``_calc_c_slope`` / ``_calc_c_curv`` with ``q_output = 1``).

The two equations in :math:`(\alpha, \beta)` are solved by Newton's method in mpmath on
certified integrals; the residuals at the returned parameters are then enclosed
rigorously (level ``certified`` for "the conditions hold to within the stated
residuals").  For activations analytic on the real line, Krawczyk's test
(:mod:`symact.propagation.shape_proof`) then proves that exactly one solution exists in a
small box around the returned parameters and encloses it (``proof``; local uniqueness, at
level ``certified``; other solutions far away are not excluded).

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
from typing import Any, Literal

import mpmath
import sympy
from flint import arb

from ..core.errors import CertificationError, UnsupportedExpression
from ..core.precision import DEFAULT_DPS, check_dps, workdps
from ..core.result import Quantity
from ..core.steps import Record
from ..expressions.activation import Activation, x
from ..expressions.coerce import as_activation
from .bivariate import gauss1
from .cmap import to_quantity
from .shape_proof import BoxProof, ShapeMoments, krawczyk_shape, residual_and_jacobian

__all__ = ["Shaping", "shape"]


@dataclass(frozen=True)
class Shaping:
    """Parameters of the shaped activation and the certified residuals of its conditions."""

    act: Activation
    method: str
    input_scale: sympy.Float
    input_shift: sympy.Float
    output_shift: Quantity
    output_scale: Quantity
    residuals: dict[str, Quantity]
    steps: tuple[Record, ...] = field(default=(), compare=False)
    level: str = "certified"
    proof: BoxProof | None = field(default=None, compare=False)

    @property
    def unique(self) -> bool:
        """Whether existence and uniqueness in the proof's box are proved (Krawczyk)."""
        return self.proof is not None and self.proof.proved

    @property
    def expr(self) -> sympy.Expr:
        """The shaped activation as a SymPy expression (parameters to their certified digits)."""
        a, b = self.input_scale, self.input_shift
        return self.output_scale.value * (self.act.expr.subs(x, a * x + b) + self.output_shift.value)


def _moments(act: Activation, a: sympy.Expr, b: sympy.Expr, order: int, dps: int) -> list[arb]:
    """E[phi], E[phi^2], E[z phi phi'], E[(phi^(order))^2] at (alpha z + beta), as balls."""
    f = act.expr.subs(x, a * x + b)
    d1 = sympy.diff(f, x)  # = alpha phi'(alpha x + beta)
    dn = sympy.diff(f, x, order)
    one = arb(1)
    m0 = gauss1([(f, one)], x, dps=dps)
    m2 = gauss1([(f, one), (f, one)], x, dps=dps)
    mz = gauss1([(x, one), (f, one), (d1, one)], x, dps=dps)
    md = gauss1([(dn, one), (dn, one)], x, dps=dps)
    return [m0, m2, mz, md]


def shape(act: Any, *, method: Literal["dks", "tat"] = "dks", zeta: Any = 1.5, tau: Any = 0.3,
          dps: int = DEFAULT_DPS, start: tuple[float, float] = (1.0, 0.5)) -> Shaping:
    r"""Shape ``act`` so that Q(1) = 1, Q'(1) = 1, C(0) = 0 and C'(1) = zeta (DKS) or C''(1) = tau (TAT).

    Parameters
    ----------
    act : activation-like (smooth: its derivatives up to the order used must not jump)
    method : {"dks", "tat"}, keyword-only
    zeta, tau : number, keyword-only
        Targets (dks defaults: ``c_slope_1_target = 1.5``; ``c_curve_target = 0.3``).
    dps : int, keyword-only
    start : (float, float), keyword-only
        Starting (input_scale, input_shift) for Newton's method.

    Examples
    --------
    >>> s = shape("tanh", zeta=1.5, dps=15)
    >>> abs(float(s.residuals["C'(1)"])) < 1e-10 and abs(float(s.residuals["Q'(1)"])) < 1e-10
    True
    >>> s.unique, s.proof.input_scale.evalf(10)
    (True, 1.283239164)
    """
    dps = check_dps(dps)
    act = as_activation(act)
    if method not in ("dks", "tat"):
        raise ValueError(f"method must be 'dks' or 'tat', got {method!r}")
    order = 1 if method == "dks" else 2
    target = sympy.nsimplify(zeta if method == "dks" else tau)

    def residual(a: sympy.Expr, b: sympy.Expr, d: int) -> tuple[arb, arb, arb, arb]:
        f = act.expr.subs(x, a * x + b)
        d1 = sympy.diff(f, x)
        one = arb(1)
        m0, m2, mz, md = _moments(act, a, b, order, d)
        ezd1 = gauss1([(x, one), (d1, one)], x, dps=d)  # E[z phi_hat'/gamma]
        var = m2 - m0 * m0
        qslope = (mz - m0 * ezd1) / var  # E[z (phi + delta) phi'] / var, delta = -E[phi]
        cval = md / var
        return qslope - 1, cval - sympy_to_arb(target), m0, var

    tb = sympy_to_arb(target)
    try:
        with workdps(max(dps, 20) + 5):
            moments = ShapeMoments(act, order + 1, dps=max(dps, 20) + 5)
    except (CertificationError, UnsupportedExpression):
        moments = None  # not analytic on the line: the piecewise integrator below

    def residual_box(a: sympy.Expr, b: sympy.Expr, d: int) -> tuple[arb, arb, arb, arb]:
        A, B = arb(str(sympy.Float(a, d + 5))), arb(str(sympy.Float(b, d + 5)))
        A, B = arb(A.mid()), arb(B.mid())
        F, _ = residual_and_jacobian(moments, A, B, order, tb, jac=False)
        m0 = moments(0, (0,), A, B)
        return F[0], F[1], m0, moments(0, (0, 0), A, B) - m0 * m0

    res_fn = residual if moments is None else residual_box
    with workdps(max(dps, 20) + 5):
        def F(a: Any, b: Any) -> list[Any]:
            r1, r2, _, _ = res_fn(sympy.Float(a, 25), sympy.Float(b, 25), 20)
            return [mpmath.mpf(r1.mid().str(30, radius=False)), mpmath.mpf(r2.mid().str(30, radius=False))]

        with workdps(25):
            sol = mpmath.findroot(F, (mpmath.mpf(start[0]), mpmath.mpf(start[1])), tol=1e-30,
                                  maxsteps=30)
        a = sympy.Float(sol[0], dps)
        b = sympy.Float(sol[1], dps)
        r1, r2, m0, var = res_fn(a, b, dps)
        names = ("Q'(1)", "C'(1)" if method == "dks" else "C''(1)")
        res = {names[0]: to_quantity(r1, name="residual " + names[0], method="arb integral", dps=dps),
               names[1]: to_quantity(r2, name="residual " + names[1], method="arb integral", dps=dps)}
        delta = to_quantity(-m0, name="output_shift", method="arb integral", dps=dps)
        gamma = to_quantity(1 / var.sqrt(), name="output_scale", method="arb integral", dps=dps)
    rec = Record("fact", {"statement": sympy.Symbol("phi_hat = gamma (phi(alpha x + beta) + delta)"),
                          "reference": "Martens et al. 2021; Zhang et al. 2022"},
                 note="DKS/TAT local-map conditions at q = 1")
    steps = [rec]
    proof = None
    try:
        if moments is None:
            raise CertificationError("the activation is not analytic on the real line")
        proof = krawczyk_shape(act, a, b, order, tb, dps=min(dps, 30))
        steps.append(proof.record)
    except (CertificationError, UnsupportedExpression, ValueError) as exc:
        steps.append(Record("fact", {"statement": sympy.Symbol("uniqueness not proved"),
                                     "reference": f"{type(exc).__name__}: {exc}"}, level="sampled",
                            note="Krawczyk's test not applicable"))
    return Shaping(act, method, a, b, delta, gamma, res, tuple(steps), proof=proof)


def sympy_to_arb(v: sympy.Expr) -> arb:
    """An Arb ball for a rational or float SymPy number."""
    v = sympy.nsimplify(v)
    if v.is_Rational:
        return arb(int(v.p)) / int(v.q)
    return arb(str(sympy.N(v, 40)))
