r"""Dual kernels :math:`K(q_1, q_2, k) = E[\varphi(u)\varphi(v)]`: closed forms and certified values.

Here :math:`(u, v)` is a centred Gaussian pair with variances :math:`q_1, q_2`
and covariance :math:`k`.  By Price's theorem the derivative kernel is
:math:`\dot K = \partial K / \partial k = E[\varphi'(u)\varphi'(v)]` (and
:math:`\ddot K = E[\varphi''(u)\varphi''(v)]`), so one closed form gives all
three by differentiation.

Closed forms (proved in the cited sources and re-derived in the tests):

* :math:`\varphi(x) = a\min(x,0) + b\max(x,0)` (ReLU, leaky ReLU, abs, identity):
  :math:`K = \frac{(a-b)^2}{2\pi}\sqrt{q_1q_2-k^2} + \big(\frac{a^2+b^2}{2}
  - \frac{(a-b)^2}{2\pi}\arccos\rho\big)k`, :math:`\rho = k/\sqrt{q_1q_2}`
  (Cho & Saul 2009, the arc-cosine kernel of degree 1);
* :math:`A\,\mathrm{erf}(Bx) + C`: :math:`A^2\frac{2}{\pi}\arcsin\frac{2B^2k}
  {\sqrt{(1+2B^2q_1)(1+2B^2q_2)}} + C^2` (Williams 1997);
* :math:`A\,\mathrm{sign}(x)`: :math:`A^2\frac{2}{\pi}\arcsin\rho`;
* GELU :math:`x\Phi(x)`: with :math:`\delta^2 = (1+q_1)(1+q_2) - k^2`,
  :math:`K = \frac{k}{4} + \frac{1}{2\pi}\big(\frac{k^2 + q_1q_2\delta^2}{(1+q_1)(1+q_2)\delta}
  + k\arctan\frac{k}{\delta}\big)` (Tsuchida, Pearce, van der Heide, Roosta, Gallagher
  2021, "Avoiding kernel fixed points"; the form used by neural-tangents' ``stax.Gelu``).

Everything else is evaluated by the certified 2-D integral of
:mod:`symact.gaussian.bivariate`.

References
----------
.. [1] Y. Cho, L. K. Saul, "Kernel methods for deep learning", NeurIPS 2009.
.. [2] C. K. I. Williams, "Computing with infinite networks", NeurIPS 1997.
.. [3] R. Price, "A useful theorem for nonlinear devices having Gaussian inputs",
   IRE Trans. Inform. Theory 4 (1958).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import flint
import sympy
from flint import arb

from ..core.cache import cached
from ..core.errors import UnsupportedExpression
from ..core.result import enclose
from ..expressions.activation import Activation, x
from ..expressions.pieces import one_sided_limit, split
from ..gaussian.bivariate import ball_eval, ball_evaluator, gauss1, gauss2_traced

__all__ = ["DualKernel", "Q1", "Q2", "K", "dual_kernel", "is_odd", "sym_ball"]

Q1, Q2 = sympy.symbols("q_1 q_2", positive=True)
K = sympy.Symbol("k", real=True)


@dataclass(frozen=True)
class DualKernel:
    """The dual kernel of one activation: a closed form in (q_1, q_2, k), or None."""

    act: Activation
    formula: sympy.Expr | None
    family: str
    reference: str
    #: the family's constants: (a_-, a_+) slopes, (A, B, C) of A erf(Bx) + C, (A,) of A sign(x)
    params: tuple[sympy.Expr, ...] = ()

    def closed(self, order: int = 0) -> sympy.Expr | None:
        """``d^order K / dk^order`` as a SymPy expression (Price's theorem), or None."""
        if self.formula is None:
            return None
        return _closed(self, order)

    def _derivative(self, order: int) -> sympy.Expr:
        if order == 1 and self.family == "arc-cosine":  # the derivative, simplified: no 0/0 at |rho| = 1
            a, b = self.params
            return (a**2 + b**2) / 2 - (a - b) ** 2 / (2 * sympy.pi) * sympy.acos(K / sympy.sqrt(Q1 * Q2))
        return sympy.diff(self.formula, K, order) if order else self.formula

    def value(self, q1: arb, q2: arb, c: arb, *, order: int = 0, dps: int) -> arb:
        r"""Enclose :math:`E[\varphi^{(n)}(u)\varphi^{(n)}(v)]` (n = order) at correlation ``c``."""
        return self.value_traced(q1, q2, c, order=order, dps=dps)[0]

    def value_traced(self, q1: arb, q2: arb, c: arb, *, order: int = 0, dps: int) -> tuple[arb, str]:
        """:meth:`value` and how it was obtained: ``"closed form"`` or a key of ``bivariate.METHODS``."""
        f = self.closed(order)
        if f is None:
            d = derivative_expr(self.act, order)
            return gauss2_traced(d, d, x, q1, q2, c, dps=dps)
        return self._closed_value(f, q1, q2, c, order), "closed form"

    def ball(self, q1: arb, q2: arb, rho: arb, order: int = 0) -> arb:
        r"""The closed form at balls, for :math:`\rho` in [-1, 1] (a ball clamped there, or exactly +-1).

        The caller guarantees that the true :math:`\rho` lies in [-1, 1] (Cauchy--Schwarz);
        the ball may reach just past its ends by rounding.

        Written per family with :math:`\rho = k/\sqrt{q_1q_2}` so that the ends need no limit:
        :math:`\sqrt{1-\rho^2}` and :math:`\arccos\rho` stay defined on a ball that touches 1.
        Returns ``+inf`` where the kernel is infinite (the sign function's derivative kernel at
        :math:`\rho = \pm 1`, a product of Dirac masses).

        >>> from symact.expressions.coerce import as_activation
        >>> dk = dual_kernel(as_activation("relu"))
        >>> dk.ball(arb(1), arb(1), arb(0), 0).overlaps(1 / (2 * arb.pi()))
        True
        """
        if self.formula is None:
            raise ValueError(f"{self.act.name} has no closed-form dual kernel")
        s = (q1 * q2).sqrt()
        pi = arb.pi()
        p = [sym_ball(v, int(flint.ctx.dps)) for v in self.params]
        if self.family == "arc-cosine":
            a, b = p
            m, f = (a * a + b * b) / 2, (a - b) ** 2 / (2 * pi)
            kd = m - f * _acos(rho)
            if order == 1:
                return kd

            def J(r: arb, kd_r: arb) -> arb:  # K = sqrt(q1 q2) J(rho)
                return f * ((1 - r) * (1 + r)).nonnegative_part().sqrt() + kd_r * r

            naive = J(rho, kd)
            if rho.rad() == 0:
                return s * naive
            # mean-value form J(rho) in J(m) + J'(rho)(rho - m), J' = kd (Price): the naive form
            # does not see that sqrt(1 - rho^2) and acos(rho) cancel near |rho| = 1, and its
            # width grows like rad/sqrt(1 - |rho|) layer after layer
            mid = arb(rho.mid())
            mid = arb(1) if mid > 1 else arb(-1) if mid < -1 else mid
            centred = J(mid, m - f * _acos(mid)) + kd * (rho - mid)
            both = naive.intersection(centred)
            return s * (both if both.is_finite() else centred)
        if self.family == "sign":
            a2 = p[0] ** 2 * 2 / pi
            if order == 0:
                return a2 * (pi / 2 - _acos(rho))
            if rho == 1 or rho == -1:
                return arb("inf")
            return a2 / (s * ((1 - rho) * (1 + rho)).sqrt())
        if self.family == "erf":
            a, b, c = p
            d = (1 + 2 * b * b * q1) * (1 + 2 * b * b * q2)
            k = rho * s
            if order == 0:
                return a * a * 2 / pi * (2 * b * b * k / d.sqrt()).asin() + c * c
            return a * a * 4 * b * b / pi / (d - 4 * b**4 * k * k).sqrt()
        return _evaluator(self, order)(q1, q2, rho * s)

    def _closed_value(self, f: sympy.Expr, q1: arb, q2: arb, c: arb, order: int) -> arb:
        if order and (c == 1 or c == -1):
            f = sympy.limit(f.subs(K, sympy.Symbol("_c") * sympy.sqrt(Q1 * Q2)),
                            sympy.Symbol("_c"), 1 if c == 1 else -1, "-" if c == 1 else "+")
            if f.has(sympy.oo, sympy.zoo, sympy.nan):
                return arb("inf")
            return _eval3(f, q1, q2, c)
        return _eval3(f, q1, q2, c * (q1 * q2).sqrt())


def _acos(rho: arb) -> arb:
    """arccos on a ball known to lie in [-1, 1] (rounding may push its ends just past +-1):
    2 asin(sqrt((1 - rho)/2)), or pi - 2 asin(sqrt((1 + rho)/2)), with the square roots'
    arguments cut at 0 -- accurate near rho = +-1, where acos itself loses half the digits."""
    if rho.mid() >= 0:
        return 2 * ((1 - rho) / 2).nonnegative_part().sqrt().asin()
    return arb.pi() - 2 * ((1 + rho) / 2).nonnegative_part().sqrt().asin()


def is_odd(e: sympy.Expr) -> bool:
    """phi(-x) = -phi(x), proved by simplification (skipped when a sample point refutes it).

    >>> is_odd(sympy.tanh(x)), is_odd(sympy.Max(0, x))
    (True, False)
    """
    for t in (sympy.Rational(1, 3), sympy.Integer(2)):
        v = sympy.N(e.subs(x, t) + e.subs(x, -t), 20)
        if v.is_number and abs(v) > 1e-10:
            return False
    return sympy.simplify(e + e.subs(x, -x)) == 0


def sym_ball(v: sympy.Expr | int | float | arb, dps: int) -> arb:
    """A rigorous Arb ball for a number (exact SymPy numbers are enclosed; floats are exact)."""
    if isinstance(v, arb):
        return v
    if isinstance(v, float):
        return arb(v)
    if isinstance(v, tuple):  # a certified (lo, hi)
        from ..numerics.gaussian import as_ball

        return as_ball(v, dps)
    v = sympy.sympify(v)
    if v.is_Rational:
        return arb(int(v.p)) / int(v.q)
    lo, hi = enclose(v, dps + 5)
    return arb.union(arb(lo), arb(hi))


@cached(maxsize=256)
def _closed(dk: DualKernel, order: int) -> sympy.Expr:
    return dk._derivative(order)


@cached(maxsize=256)
def _evaluator(dk: DualKernel, order: int) -> Any:
    return ball_evaluator(dk.closed(order), (Q1, Q2, K))


def _eval3(f: sympy.Expr, q1: arb, q2: arb, k: arb) -> arb:
    return ball_eval(f, {Q1: q1, Q2: q2, K: k})


def derivative_expr(act: Activation, order: int) -> sympy.Expr:
    """The ``order``-th derivative, refusing when a lower derivative jumps (a delta appears)."""
    e = act.expr
    for n in range(order):
        for p in split(e, x)[1:]:
            left = one_sided_limit(e, x, p.lo, "-")
            right = one_sided_limit(e, x, p.lo, "+")
            if sympy.simplify(left - right) != 0:
                raise UnsupportedExpression(
                    f"the {'function' if n == 0 else f'derivative of order {n}'} of {act.name} "
                    f"jumps at x = {p.lo}: its Gaussian kernel of order {order} has a delta term "
                    "and needs a closed form"
                )
        e = sympy.diff(e, x)
    return e


_GELU = x * (1 + sympy.erf(x / sympy.sqrt(2))) / 2


@cached(maxsize=256)
def dual_kernel(act: Activation) -> DualKernel:
    """Find a proved closed form of the dual kernel of ``act``, if it is one of the families."""
    e = act.expr
    rho_k = K / sympy.sqrt(Q1 * Q2)
    slopes = _ab_slopes(e)
    if slopes is not None:
        a, b = slopes
        f = ((a - b) ** 2 / (2 * sympy.pi) * sympy.sqrt(Q1 * Q2 - K**2)
             + ((a**2 + b**2) / 2 - (a - b) ** 2 / (2 * sympy.pi) * sympy.acos(rho_k)) * K)
        return DualKernel(act, f, "arc-cosine", "Cho & Saul 2009", (a, b))
    A, B, C = sympy.Wild("A", exclude=[x]), sympy.Wild("B", exclude=[x]), sympy.Wild("C", exclude=[x])
    m = e.match(A * sympy.erf(B * x) + C)
    if m and m[B] != 0 and all(v.is_number for v in m.values()):
        a, b, c = m[A], m[B], m[C]
        f = a**2 * 2 / sympy.pi * sympy.asin(
            2 * b**2 * K / sympy.sqrt((1 + 2 * b**2 * Q1) * (1 + 2 * b**2 * Q2))) + c**2
        return DualKernel(act, f, "erf", "Williams 1997", (a, b, c))
    m = e.match(A * sympy.sign(x))
    if m and m[A].is_number and m[A] != 0:
        return DualKernel(act, m[A] ** 2 * 2 / sympy.pi * sympy.asin(rho_k), "sign", "Williams 1997",
                          (m[A],))
    if sympy.expand(e - _GELU) == 0:
        d2 = (1 + Q1) * (1 + Q2) - K**2
        d = sympy.sqrt(d2)
        f = K / 4 + ((K**2 + Q1 * Q2 * d2) / ((1 + Q1) * (1 + Q2) * d) + K * sympy.atan(K / d)) / (2 * sympy.pi)
        return DualKernel(act, f, "gelu", "Tsuchida et al. 2021")
    return DualKernel(act, None, "", "")


def _ab_slopes(e: sympy.Expr) -> tuple[sympy.Expr, sympy.Expr] | None:
    try:
        pieces = split(e, x)
    except Exception:  # noqa: BLE001 - not piecewise-recognisable: not this family
        return None
    if any(p.lo not in (-sympy.oo, 0) for p in pieces) or len(pieces) > 2:
        return None
    slopes = []
    for p in pieces:
        s = sympy.simplify(p.expr / x)
        if not s.is_number:
            return None
        slopes.append(s)
    return (slopes[0], slopes[-1])


def expect_ball(exprs: tuple[sympy.Expr, ...], q: arb, *, dps: int) -> arb:
    r""":math:`E[\prod f_i(\sqrt{q} z)]` enclosed (1-D, certified)."""
    s = q.sqrt()
    return gauss1([(f, s) for f in exprs], x, dps=dps)
