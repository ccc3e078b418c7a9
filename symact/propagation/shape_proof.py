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
integral, valid for polynomially bounded derivatives); for a piecewise activation each
breakpoint :math:`c_j` of :math:`\varphi` moves with :math:`z_j = (c_j - \beta)/\alpha`
and adds :math:`-\alpha^{-1} z_j^{p} \phi(z_j) D_j` (with one more factor :math:`z_j` for
:math:`\partial_\alpha`), :math:`D_j` the jump of the integrand's factors at :math:`c_j`.
Every expectation is enclosed for *all* :math:`(\alpha, \beta)` in a box :math:`X` at once:
Arb's rigorous Gauss--Legendre integral (Johansson 2018) on :math:`[-T, T]` with ball-valued
:math:`\alpha, \beta` (never substituted into a SymPy expression, where a Float would be
folded with rounding), plus a proved tail bound from growth bounds
:math:`|\varphi^{(k)}(y)| \le A_k + B_k|y|^{m_k} e^{g_k|y|}` (for :math:`|z| \ge T \ge 1`,
:math:`|y| \le (|\alpha| + |\beta|)|z|`, and the Gaussian tail moments; :math:`T` grows
with the rates :math:`g_k`).

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

import itertools
import math
from dataclasses import dataclass
from typing import Any

import flint
import sympy
from flint import acb, arb

from ..core.errors import CertificationError, UnsupportedExpression
from ..core.precision import workdps
from ..core.result import Quantity
from ..core.steps import Record
from ..expressions.activation import Activation, x
from ..expressions.pieces import split
from ..gaussian.lattice import moment, real_bound
from ..numerics.acb import acb_evaluator
from ..numerics.gaussian import as_ball
from .cmap import to_quantity

__all__ = ["BoxProof", "ShapeMoments", "krawczyk_shape", "point_ball", "residual_and_jacobian", "split_pieces"]


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


def split_pieces(act: Activation, kmax: int, order: int) -> tuple[list, list[list[sympy.Expr]]]:
    """Breakpoints (exact numbers) and, per piece, the derivatives 0..kmax of its formula.

    Refuses a jump in :math:`\varphi^{(k)}` for ``k < order`` (the local maps need
    :math:`\varphi^{(order-1)}` continuous: :math:`\varphi^{(order)}` may only jump).
    """
    pcs = split(act.expr, x)
    cuts = [p.lo for p in pcs[1:]]
    for c in cuts:
        if not (c.is_number and c.is_real):
            raise UnsupportedExpression(f"breakpoint {c} of {act.name} is not a real number")
    rows = [[sympy.diff(p.expr, x, k) for k in range(kmax + 1)] for p in pcs]
    for j, c in enumerate(cuts):
        for k in range(order):
            jump = sympy.simplify(rows[j][k].subs(x, c) - rows[j + 1][k].subs(x, c))
            if jump != 0:
                raise UnsupportedExpression(
                    f"{act.name}: its derivative of order {k} jumps at {c}; the local maps of this "
                    f"shaping need derivatives up to order {order - 1} continuous")
    return cuts, rows


class ShapeMoments:
    r"""E[z^p prod_k phi^(k)(alpha z + beta)] for ball-valued alpha, beta (call inside workdps).

    A piecewise activation (ELU, CELU, SELU, ...) is integrated piece by piece between the
    breakpoints :math:`z_j = (c_j - \beta)/\alpha`, themselves balls: each piece is integrated
    up to the exact midpoint :math:`m_j` of its ball, and the rest, :math:`\int_{m_j}^{z_j}
    (g_{j-1} - g_j)`, is enclosed by :math:`(z_j - m_j)\,(g_{j-1} - g_j)(z_j)` (mean-value
    theorem).  :meth:`d` differentiates under the integral sign and adds the moving-breakpoint
    terms :math:`-\alpha^{-1} z_j^p \phi(z_j) D_j` (:math:`D_j` the jump of the integrand's
    factors at :math:`c_j`, :math:`\phi` the normal density).

    Raises CertificationError (or UnsupportedExpression) without a proved growth bound, and
    UnsupportedExpression for a jump in a derivative the conditions need continuous.

    >>> import symact as sa
    >>> from symact.core.precision import workdps
    >>> with workdps(20):
    ...     M = ShapeMoments(sa.activation("elu"), 2, dps=20)
    ...     m = M(0, (0,), arb(1), arb(0))  # E[elu(z)] = 1/sqrt(2 pi) + e^(1/2) Phi(-1) - 1/2
    ...     ref = 1 / (2 * arb.pi()).sqrt() + arb("0.5").exp() * (arb(1) / arb(2).sqrt()).erfc() / 2 - arb("0.5")
    >>> m.overlaps(ref), m.rad() < 1e-18
    (True, True)
    """

    def __init__(self, act: Activation, kmax: int, *, dps: int = 20, order: int = 1) -> None:
        self.cuts, rows = split_pieces(act, kmax, order)
        self.cut_balls = [as_ball(c, dps) for c in self.cuts]
        self.rows = rows
        self.fns = [[acb_evaluator(e, x) for e in row] for row in rows]
        self.growth = []
        for k in range(kmax + 1):
            if len(rows) == 1:
                d = rows[0][k]
            else:
                d = sympy.Piecewise(*[(row[k], x < c) for row, c in zip(rows, self.cuts, strict=False)],
                                    (rows[-1][k], True))
            try:
                A, B, m, g = real_bound(d, x)  # |phi^(k)(w)| <= A + B |w|^m e^{g|w|}
            except UnsupportedExpression as e:
                raise CertificationError(f"no growth bound for the box proof: {e}") from None
            self.growth.append((A, B, m, g))
        self.T = int(math.sqrt(2 * (dps + 6) * math.log(10))) + 3
        self.logtol = (dps + 6) * math.log(10)
        self._jumps: dict[tuple[int, tuple[int, ...], int], arb] = {}

    def _g(self, i: int, p: int, ks: tuple[int, ...], Ac: acb, Bc: acb) -> Any:
        fns = [self.fns[i][k] for k in ks]

        def g(z: acb, an: bool) -> acb:
            w = Ac * z + Bc
            r = (-(z * z) / 2).exp()
            if p:
                r = r * z**p
            for f in fns:
                r = r * f(w, an)
            return r

        return g

    def _tail(self, p: int, ks: tuple[int, ...], A: arb, B: arb) -> tuple[arb, int, arb]:
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
        return C, K, arb(gamma.upper())

    def __call__(self, p: int, ks: tuple[int, ...], A: arb, B: arb) -> arb:
        Ac, Bc = acb(A), acb(B)
        C, K, gamma = self._tail(p, ks, A, B)
        # the cut-off grows with the tail's exponential rate (a growth bound may be loose)
        g = float(gamma.upper())
        need = self.logtol + max(0.0, math.log(max(float(C.upper()), 1e-300)))
        Tn = max(self.T, math.ceil(g + math.sqrt(g * g + 2 * need) + K / 4 + 1))
        T = arb(Tn)
        zs = [(c - B) / A for c in self.cut_balls]
        ends, first = [T * -1], 0
        corr = arb(0)
        for j, zj in enumerate(zs):
            if zj.upper() < -T:
                first = j + 1  # the pieces before lie beyond -T
                continue
            if zj.lower() > T:
                break
            if not (zj.lower() > -T and zj.upper() < T):
                raise CertificationError("a breakpoint of the activation sits at the integration cut-off")
            m = arb(zj.mid())
            ends.append(m)
            hl, hr = self._g(j, p, ks, Ac, Bc), self._g(j + 1, p, ks, Ac, Bc)
            corr += (zj - m) * (hl(acb(zj), False) - hr(acb(zj), False)).real
        ends.append(T)
        val = acb(0)
        for i, (a, b) in enumerate(itertools.pairwise(ends)):
            val += acb.integral(self._g(first + i, p, ks, Ac, Bc), a, b)
        if not val.is_finite() or not corr.is_finite():
            raise CertificationError("box integral not enclosed")
        t = moment(K, gamma, T)  # E[|z|^K e^{gamma|z|}; |z| > T]
        return (val.real + corr) / (2 * arb.pi()).sqrt() + arb(0, (C * t).upper())

    def _jump(self, j: int, ks: tuple[int, ...]) -> arb:
        key = (j, ks, flint.ctx.prec)
        if key not in self._jumps:
            c = sympy.sympify(self.cuts[j])
            left = sympy.Mul(*[self.rows[j][k] for k in ks]).subs(x, c)
            right = sympy.Mul(*[self.rows[j + 1][k] for k in ks]).subs(x, c)
            self._jumps[key] = as_ball(left - right, flint.ctx.dps)
        return self._jumps[key]

    def d(self, p: int, ks: tuple[int, ...], A: arb, B: arb, wrt: int, memo: dict | None = None) -> arb:
        """The derivative of ``self(p, ks, A, B)`` in alpha (``wrt=0``) or beta (``wrt=1``)."""
        q = p + (1 if wrt == 0 else 0)
        call = (lambda pp, kk: self(pp, kk, A, B)) if memo is None else memo
        s = arb(0)
        for i in range(len(ks)):
            s += call(q, tuple(sorted((*ks[:i], ks[i] + 1, *ks[i + 1:]))))
        for j, c in enumerate(self.cut_balls):
            D = self._jump(j, ks)
            if D == 0:
                continue
            zj = (c - B) / A
            dens = (-(zj * zj) / 2).exp() / (2 * arb.pi()).sqrt()
            s -= zj**q * dens * D / A
        return s


def residual_and_jacobian(M: Any, A: Any, B: Any, n: int, target: Any,
                          jac: bool) -> tuple[list[Any], list[list[Any]] | None]:
    """``F(alpha, beta)`` (and its Jacobian over the balls when ``jac``); see the module notes.

    ``M`` is a :class:`ShapeMoments` (Arb balls) or any object with the same ``M(p, ks, A, B)``
    and ``M.d(p, ks, A, B, wrt, memo)`` (the float64 search uses one on NumPy arrays).
    """
    cache: dict[tuple[int, tuple[int, ...]], Any] = {}

    def mom(p: int, ks: tuple[int, ...]) -> Any:
        key = (p, tuple(sorted(ks)))
        if key not in cache:
            cache[key] = M(p, key[1], A, B)
        return cache[key]

    M0, M2 = mom(0, (0,)), mom(0, (0, 0))
    Mz, Mz1, Mc = mom(1, (0, 1)), mom(1, (1,)), mom(0, (n, n))
    v = M2 - M0 * M0
    N = Mz - M0 * Mz1
    a2n = A ** (2 * n)
    F = [A * N / v - 1, a2n * Mc / v - target]
    if not jac:
        return F, None
    J: list[list[Any]] = [[0, 0], [0, 0]]
    for j in (0, 1):  # column 0: d/d alpha; 1: d/d beta
        dM0, dM2 = M.d(0, (0,), A, B, j, mom), M.d(0, (0, 0), A, B, j, mom)
        dMz, dMz1 = M.d(1, (0, 1), A, B, j, mom), M.d(1, (1,), A, B, j, mom)
        dMc = M.d(0, (n, n), A, B, j, mom)
        dv = dM2 - 2 * M0 * dM0
        dN = dMz - dM0 * Mz1 - M0 * dMz1
        da, da2n = (1, 2 * n * A ** (2 * n - 1)) if j == 0 else (0, 0)
        J[0][j] = (da * N + A * dN) / v - A * N * dv / (v * v)
        J[1][j] = (da2n * Mc + a2n * dMc) / v - a2n * Mc * dv / (v * v)
    return F, J


def point_ball(v: Any, dps: int) -> arb:
    """An exact (radius 0) ball near ``v``: the point at which a proof or a residual is taken.

    ``v`` may be an arb (its midpoint), a float, a SymPy or mpmath number; a decimal or
    irrational value is rounded to about ``dps + 5`` digits -- the point is then this exact
    binary number, and nothing downstream treats a rounded value as another number.

    >>> point_ball(0.5, 20), point_ball(arb(1) / 3, 20).rad() == 0
    (0.500000000000000, True)
    """
    if isinstance(v, arb):
        return arb(v.mid())
    if isinstance(v, float):
        return arb(v)
    return arb(as_ball(v, dps + 5).mid())


def krawczyk_shape(act: Activation | ShapeMoments, alpha: Any, beta: Any, order: int, target: arb, *,
                   dps: int = 20, radius: float | tuple[Any, Any] = 1e-8) -> BoxProof:
    r"""Krawczyk's test on the box :math:`[\alpha \pm r_\alpha] \times [\beta \pm r_\beta]`.

    ``radius`` is relative (a float, times :math:`\max(1, |\alpha|)`) or a pair of absolute
    radii.  Returns a :class:`BoxProof`; ``proved`` is True when
    :math:`K(X) \subset \operatorname{int} X`, and then ``input_scale``/``input_shift``
    enclose the unique zero in the box.  Call with ``act`` an activation (moments are
    built at ``dps``) or a :class:`ShapeMoments` built at least at ``dps``.
    """
    dps = max(dps, 15)
    with workdps(dps + 5):
        M = act if isinstance(act, ShapeMoments) else ShapeMoments(act, order + 1, dps=dps, order=order)
        a0, b0 = point_ball(alpha, dps), point_ball(beta, dps)
        if isinstance(radius, tuple):
            ra, rb = (arb(as_ball(r, dps).upper()) for r in radius)
        else:
            ra = arb(radius) * max(1.0, abs(float(a0.mid())))
            rb = arb(radius) * max(1.0, abs(float(b0.mid())))
        XA, XB = a0 + arb(0, ra.upper()), b0 + arb(0, rb.upper())
        if not XA > 0:
            raise CertificationError("the box reaches alpha <= 0")
        Fm, _ = residual_and_jacobian(M, a0, b0, order, target, jac=False)
        with workdps(min(dps, 25)):  # J(X) multiplies X - m: a few digits of it are plenty
            _, JX = residual_and_jacobian(M, XA, XB, order, target, jac=True)
        jm = [[JX[i][j].mid() for j in range(2)] for i in range(2)]
        det = jm[0][0] * jm[1][1] - jm[0][1] * jm[1][0]
        if det == 0 or not det.is_finite():
            raise CertificationError("singular Jacobian at the shaping solution")
        Y = [[arb((jm[1][1] / det).mid()), arb((-jm[0][1] / det).mid())],
             [arb((-jm[1][0] / det).mid()), arb((jm[0][0] / det).mid())]]
        d = [XA - a0, XB - b0]
        K = []
        for i, mi in enumerate((a0, b0)):
            yF = Y[i][0] * Fm[0] + Y[i][1] * Fm[1]
            corr = arb(0)
            for j in range(2):
                IYJ = (1 if i == j else 0) - (Y[i][0] * JX[0][j] + Y[i][1] * JX[1][j])
                corr += IYJ * d[j]
            K.append(mi - yF + corr)
        inside = all(k.is_finite() and k.lower() > X.lower() and k.upper() < X.upper()
                     for k, X in zip(K, (XA, XB), strict=True))
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
        # K(X) holds the root: intersecting with X keeps it and is never wider
        KA, KB = K[0].intersection(XA), K[1].intersection(XB)
        qa = to_quantity(KA, name="input_scale", method="Krawczyk", dps=dps)
        qb = to_quantity(KB, name="input_shift", method="Krawczyk", dps=dps)
        m0 = M(0, (0,), KA, KB)
        var = M(0, (0, 0), KA, KB) - m0 * m0
        qd = to_quantity(-m0, name="output_shift", method="Krawczyk box", dps=dps)
        qg = to_quantity(1 / var.sqrt(), name="output_scale", method="Krawczyk box", dps=dps)
    return BoxProof(True, qa, qb, box, kk, rec, qd, qg)
