r"""Existence and uniqueness of the DKS/TAT shaping parameters in a box (Krawczyk's test).

The two remaining conditions of :func:`symact.propagation.shaping.shape` are a map
:math:`F(\alpha, \beta) = (Q'(1) - 1,\ C^{(n)}(1) - t)` (:math:`n = 1` for DKS with
:math:`t = \zeta`, :math:`n = 2` for TAT with :math:`t = \tau`), where, with
:math:`y = \alpha z + \beta`, :math:`\varphi_k = \varphi^{(k)}(y)`,
:math:`v = E[\varphi_0^2] - E[\varphi_0]^2`,

.. math:: Q'(1) = \frac{\alpha\,(E[z\varphi_0\varphi_1] - E[\varphi_0]E[z\varphi_1])}{v},
   \qquad C^{(n)}(1) = \frac{\alpha^{2n} E[\varphi_n^2]}{v}.

Its Jacobian follows from :math:`\partial_\beta E[p(z) g(y)] = E[p(z) g'(y)]` and
:math:`\partial_\alpha E[p(z) g(y)] = E[z\,p(z) g'(y)]` (differentiation under the
integral, valid for polynomially bounded derivatives).  Every expectation is enclosed
for *all* :math:`(\alpha, \beta)` in a box :math:`X` at once: Arb's rigorous
Gauss--Legendre integral (Johansson 2018) on :math:`[-T, T]` with ball-valued
:math:`\alpha, \beta`, plus a proved tail bound from growth bounds
:math:`|\varphi^{(k)}(y)| \le A_k + B_k|y|^{m_k}` (for :math:`|z| \ge T \ge 1`,
:math:`|y| \le (|\alpha| + |\beta|)|z|`, and the Gaussian tail moments).

Krawczyk's operator :math:`K(X) = m - Y F(m) + (I - Y J(X))(X - m)`, with :math:`m` the
centre of :math:`X`, :math:`Y` any real matrix (the inverse of the midpoint Jacobian)
and :math:`J(X)` an interval enclosure of the Jacobian over :math:`X`, satisfies: if
:math:`K(X) \subset \operatorname{int} X` then :math:`F` has exactly one zero in
:math:`X`, and it lies in :math:`K(X)` (Krawczyk 1969; Moore 1977).  This proves
existence and *local* uniqueness (in the box); it says nothing about other solutions
elsewhere, which dks's multi-start search may find.

References
----------
.. [1] R. Krawczyk, "Newton-Algorithmen zur Bestimmung von Nullstellen mit
   Fehlerschranken", Computing 4 (1969) 187-201; R. E. Moore, "A test for existence of
   solutions to nonlinear systems", SIAM J. Numer. Anal. 14 (1977) 611-615.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import sympy
from flint import acb, arb

from ..core.errors import CertificationError, UnsupportedExpression
from ..core.precision import workdps
from ..core.result import Quantity
from ..core.steps import Record
from ..expressions.activation import Activation, x
from ..numerics.acb import acb_evaluator
from .cmap import to_quantity
from .lattice import moment, real_bound

__all__ = ["BoxProof", "ShapeMoments", "krawczyk_shape", "residual_and_jacobian"]


@dataclass(frozen=True)
class BoxProof:
    r"""Krawczyk's certificate: the box, K(X) inside it, and the enclosed unique root.

    ``output_shift`` and ``output_scale`` enclose :math:`-E[\varphi(\alpha z+\beta)]` and
    :math:`1/\sqrt{v}` over :math:`K(X)`: they hold for the exact solution.
    """

    proved: bool
    input_scale: Quantity | None
    input_shift: Quantity | None
    box: tuple[tuple[Any, Any], tuple[Any, Any]]
    krawczyk: tuple[tuple[Any, Any], tuple[Any, Any]] | None
    record: Record
    output_shift: Quantity | None = None
    output_scale: Quantity | None = None


def _ends(b: arb) -> tuple[Any, Any]:
    return (b.mid() - b.rad(), b.mid() + b.rad())


class ShapeMoments:
    """E[z^p prod_k phi^(k)(alpha z + beta)] for ball-valued alpha, beta (call inside workdps).

    Raises CertificationError for an activation that is not analytic on the real line
    (a kink or jump) or without a proved growth bound.
    """

    def __init__(self, act: Activation, kmax: int, *, dps: int = 20) -> None:
        self.fns, self.growth = [], []
        for k in range(kmax + 1):
            d = act.expr if k == 0 else act.derivative(k)
            if d.has(sympy.Piecewise, sympy.Abs, sympy.Heaviside, sympy.Max, sympy.Min, sympy.sign):
                raise CertificationError("the box proof needs an activation analytic on the real line")
            self.fns.append(acb_evaluator(d, x))
            try:
                A, B, k, g = real_bound(d, x)  # |phi^(k)(w)| <= A + B |w|^k e^{g|w|}
            except UnsupportedExpression as e:
                raise CertificationError(f"no growth bound for the box proof: {e}") from None
            self.growth.append((A, B, k, g))
        self.T = int(math.sqrt(2 * (dps + 6) * math.log(10))) + 3

    def __call__(self, p: int, ks: tuple[int, ...], A: arb, B: arb) -> arb:
        fns = [self.fns[k] for k in ks]
        Ac, Bc = acb(A), acb(B)

        def integrand(z: acb, an: bool) -> acb:
            w = Ac * z + Bc
            r = (-(z * z) / 2).exp()
            if p:
                r = r * z**p
            for f in fns:
                r = r * f(w, an)
            return r

        val = acb.integral(integrand, -self.T, self.T)
        if not val.is_finite():
            raise CertificationError("box integral not enclosed")
        # for |z| >= T >= 1, |w| <= |A||z| + |B| <= s|z| with s = |A| + |B|, so each factor is at most
        # (a + b s^m e^{g|B|}) |z|^m e^{g|A||z|}: the tail is C E[|z|^K e^{gamma|z|}; |z| > T]
        s = abs(A).upper() + abs(B).upper()
        C, K, gamma = arb(1), p, arb(0)
        for k in ks:
            a, b, m, g = self.growth[k]
            gb = arb(g.numerator) / g.denominator
            C = C * (a + b * s**m * (gb * abs(B).upper()).exp())
            K += m
            gamma = gamma + gb * abs(A).upper()
        t = moment(K, arb(gamma.upper()), arb(self.T))  # E[|z|^K e^{gamma|z|}; |z| > T]
        return val.real / (2 * arb.pi()).sqrt() + arb(0, (C * t).upper())


def residual_and_jacobian(M: ShapeMoments, A: arb, B: arb, n: int, target: arb,
                          jac: bool) -> tuple[list[arb], list[list[arb]] | None]:
    """``F(alpha, beta)`` (and its Jacobian over the balls when ``jac``) as balls; see the module notes."""
    M0, M2 = M(0, (0,), A, B), M(0, (0, 0), A, B)
    Mz, Mz1, Mc = M(1, (0, 1), A, B), M(1, (1,), A, B), M(0, (n, n), A, B)
    v = M2 - M0 * M0
    N = Mz - M0 * Mz1
    a2n = A ** (2 * n)
    F = [A * N / v - 1, a2n * Mc / v - target]
    if not jac:
        return F, None
    J = [[arb(0), arb(0)], [arb(0), arb(0)]]
    for j, extra in ((0, 1), (1, 0)):  # column 0: d/d alpha (one more factor z); 1: d/d beta
        dM0 = M(extra, (1,), A, B)
        dM2 = 2 * M(1 + extra, (0, 1), A, B) if extra else 2 * M(0, (0, 1), A, B)
        dMz = M(1 + extra, (1, 1), A, B) + M(1 + extra, (0, 2), A, B)
        dMz1 = M(1 + extra, (2,), A, B)
        dMc = 2 * M(extra, (n, n + 1), A, B)
        dv = dM2 - 2 * M0 * dM0
        dN = dMz - dM0 * Mz1 - M0 * dMz1
        da, da2n = (arb(1), 2 * n * A ** (2 * n - 1)) if j == 0 else (arb(0), arb(0))
        J[0][j] = (da * N + A * dN) / v - A * N * dv / (v * v)
        J[1][j] = (da2n * Mc + a2n * dMc) / v - a2n * Mc * dv / (v * v)
    return F, J


def krawczyk_shape(act: Activation, alpha: Any, beta: Any, order: int, target: arb, *,
                   dps: int = 20, radius: float = 1e-8) -> BoxProof:
    r"""Krawczyk's test on the box :math:`[\alpha \pm r] \times [\beta \pm r]` (:math:`r` relative).

    Returns a :class:`BoxProof`; ``proved`` is True when :math:`K(X) \subset \operatorname{int} X`,
    and then ``input_scale``/``input_shift`` enclose the unique zero in the box.
    """
    dps = min(max(dps, 15), 30)
    with workdps(dps + 5):
        M = ShapeMoments(act, order + 1, dps=dps)
        a0, b0 = arb(str(sympy.Float(alpha, dps + 5))), arb(str(sympy.Float(beta, dps + 5)))
        a0, b0 = arb(a0.mid()), arb(b0.mid())
        ra = arb(radius) * max(1.0, abs(float(a0.mid())))
        rb = arb(radius) * max(1.0, abs(float(b0.mid())))
        XA, XB = a0 + arb(0, ra.mid()), b0 + arb(0, rb.mid())
        Fm, _ = residual_and_jacobian(M, a0, b0, order, target, jac=False)
        _, JX = residual_and_jacobian(M, XA, XB, order, target, jac=True)
        jm = [[float(JX[i][j].mid()) for j in range(2)] for i in range(2)]
        det = jm[0][0] * jm[1][1] - jm[0][1] * jm[1][0]
        if det == 0:
            raise CertificationError("singular Jacobian at the shaping solution")
        Y = [[arb(jm[1][1] / det), arb(-jm[0][1] / det)], [arb(-jm[1][0] / det), arb(jm[0][0] / det)]]
        d = [XA - a0, XB - b0]
        K = []
        for i, mi in enumerate((a0, b0)):
            yF = Y[i][0] * Fm[0] + Y[i][1] * Fm[1]
            corr = arb(0)
            for j in range(2):
                IYJ = (1 if i == j else 0) - (Y[i][0] * JX[0][j] + Y[i][1] * JX[1][j])
                corr += IYJ * d[j]
            K.append(mi - yF + corr)
        inside = all(k.lower() > X.lower() and k.upper() < X.upper() for k, X in zip(K, (XA, XB), strict=True))
        box = (_ends(XA), _ends(XB))
        kk = (_ends(K[0]), _ends(K[1]))
        rec = Record("certified", {"lo": kk[0][0], "hi": kk[0][1], "enclosure": kk[0],
                                   "method": "Krawczyk", "dps": dps,
                                   "equation": sympy.Symbol("F(alpha, beta) = 0"),
                                   "box": box, "krawczyk": kk, "proved": inside,
                                   "jacobian": tuple(tuple(float(JX[i][j].mid()) for j in range(2)) for i in range(2))},
                     level="certified" if inside else "sampled",
                     note="K(X) inside int X: exactly one zero of F in the box X" if inside
                     else "Krawczyk's test failed: no existence/uniqueness claim")
        if not inside:
            return BoxProof(False, None, None, box, kk, rec)
        qa = to_quantity(K[0], name="input_scale", method="Krawczyk", dps=dps)
        qb = to_quantity(K[1], name="input_shift", method="Krawczyk", dps=dps)
        m0 = M(0, (0,), K[0], K[1])
        var = M(0, (0, 0), K[0], K[1]) - m0 * m0
        qd = to_quantity(-m0, name="output_shift", method="Krawczyk box", dps=dps)
        qg = to_quantity(1 / var.sqrt(), name="output_scale", method="Krawczyk box", dps=dps)
    return BoxProof(True, qa, qb, box, kk, rec, qd, qg)
