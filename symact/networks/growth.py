r"""How :math:`q` and :math:`\chi` grow with depth in a residual stack, proved where possible.

For ``repeat(residual(branch, skip=s, branch_weight=a), L)`` with a branch that contains a
dense layer (so the cross terms vanish), :math:`q_{l+1} = s^2 q_l + a^2 V_f(q_l)` and the
per-block Jacobian factor is :math:`s^2 + a^2\chi_f(q_l)`.  Three laws are recognised:

``"exponential"`` (proved)
    every activation of the branch is positively homogeneous (ReLU, leaky ReLU, linear)
    and there are no biases or normalisations: :math:`V_f(q) = \kappa q` and
    :math:`\chi_f` is constant, so :math:`q_L = (s^2 + a^2\kappa)^L q_0` and
    :math:`\chi = (s^2 + a^2\chi_f)^L` exactly.
``"linear"`` / ``"polynomial"`` (proved)
    a pre-normalised branch ``layer_norm -> dense(w1) -> act -> dense(w2)`` without
    biases: its output variance :math:`v = w_2 E[\varphi(u)^2]`, :math:`u \sim N(0, w_1)`,
    does not depend on :math:`q`, so with :math:`s = 1`: :math:`q_L = q_0 + L a^2 v`; its
    Jacobian is :math:`\chi_f = w_1 w_2 E[\varphi'(u)^2]/q`, so the per-block factor is
    :math:`1 + p/(q_0/(a^2 v) + l)` and :math:`\chi_L = \prod_l (1 + p/(l + l_0))
    \asymp L^{p}` with :math:`p = w_1 E[\varphi'(u)^2]/E[\varphi(u)^2]` (for ReLU
    :math:`p = 1`).
``"linear"`` (bound proved) / ``"subexponential"`` (asymptotic)
    a branch ``dense -> act -> dense`` with a bounded activation:
    :math:`q_L \le s^{2L}q_0 + a^2 w_2 \sup\varphi^2 \sum_j s^{2j}` (with :math:`s = 1`,
    at most linear growth), while :math:`\chi_f \sim C/\sqrt{q}` makes
    :math:`\chi_L = \exp(O(\sqrt L))` (Yang & Schoenholz 2017), stated, not proved here.

References
----------
.. [1] G. Yang, S. Schoenholz, "Mean field residual networks: on the edge of chaos",
   NeurIPS 2017.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy

from ..core.result import Quantity
from .blocks import Block, linear_slopes

__all__ = ["Growth", "residual_growth"]


@dataclass(frozen=True)
class Growth:
    """The growth laws of ``q`` and ``chi`` with depth, and how strongly they are shown."""

    q_law: str
    q_rate: sympy.Expr | Quantity | None
    chi_law: str
    chi_rate: sympy.Expr | Quantity | None
    level: str  # "exact" (proved), "bound" (a proved upper bound), "asymptotic" (literature)
    statement: str


def _branch_parts(branch: Block) -> list[Block]:
    return branch.flatten()


def residual_growth(net: Block, *, dps: int = 30) -> Growth | None:
    """The growth law of a ``repeat(residual(...), L)`` stack, or ``None`` for other networks.

    >>> from symact.networks.blocks import repeat, residual, serial, dense
    >>> g = residual_growth(repeat(residual(serial(dense(2), "relu", dense(1)), branch_weight="0.5"), 8))
    >>> g.q_law, g.q_rate, g.level
    ('exponential', 5/4, 'exact')
    """
    if net.kind != "repeat" or net.children[0].kind != "residual":
        return None
    res = net.children[0]
    s, a = res.option("skip"), res.option("branch_weight")
    parts = _branch_parts(res.children[0])
    kinds = [b.kind for b in parts]
    if not res.children[0].has_dense:
        return None
    biases = [b.option("bias_var") for b in parts if b.kind in ("dense", "conv")]
    if all(k in ("dense", "conv", "act") for k in kinds) and all(b == 0 for b in biases) \
            and all(linear_slopes(b.option("activation")) is not None for b in parts if b.kind == "act"):
        kappa = sympy.Integer(1)
        for b in parts:
            if b.kind == "act":
                lo, hi = linear_slopes(b.option("activation"))  # type: ignore[misc]
                kappa *= (lo**2 + hi**2) / 2
            else:
                kappa *= b.option("weight_var")
        rate = sympy.simplify(s**2 + a**2 * kappa)
        law = "bounded" if rate == 1 else ("exponential" if rate > 1 else "decaying")
        return Growth(law, rate, law, rate, "exact",
                      f"q_L = ({rate})^L q_0 and chi = ({rate})^L exactly (positively homogeneous branch)")
    if kinds[:1] in (["layer_norm"], ["rms_norm"]) and kinds[1:] == ["dense", "act", "dense"] \
            and all(b == 0 for b in biases) and s == 1:
        from ..core.precision import workdps
        from ..propagation.cmap import to_quantity
        from ..propagation.dual import derivative_expr, expect_ball, sym_ball

        w1, act, w2 = parts[1].option("weight_var"), parts[2].option("activation"), parts[3].option("weight_var")
        with workdps(dps + 10):
            u = sym_ball(w1, dps + 5)
            e2 = expect_ball((act.expr, act.expr), u, dps=dps + 5)
            d = derivative_expr(act, 1)
            de2 = expect_ball((d, d), u, dps=dps + 5)
            v = sym_ball(w2, dps + 5) * e2
            p = u * de2 / e2
            vq = to_quantity(sym_ball(a**2, dps) * v, name="q slope", method="certified", dps=dps)
            pq = to_quantity(p, name="chi exponent", method="certified", dps=dps)
        return Growth("linear", vq, "polynomial", pq, "exact",
                      f"q_L = q_0 + L*{vq.evalf(8)} and chi_L ~ L^{pq.evalf(8)} (pre-normalised branch)")
    if kinds == ["dense", "act", "dense"] and s == 1:
        from ..analysis.extrema import sup

        act = parts[1].option("activation")
        try:
            bound = sup(act.expr**2)
        except (ValueError, ArithmeticError):
            return None
        if bound.value in (sympy.oo,) or not bound.value.is_finite:
            return None
        slope = sympy.simplify(a**2 * (parts[2].option("weight_var") * bound.value
                                       + parts[2].option("bias_var")))
        return Growth("linear", slope, "subexponential", None, "bound",
                      f"q_L <= q_0 + L*({slope}) (bounded activation, proved); "
                      "chi_L = exp(O(sqrt(L))) (Yang & Schoenholz 2017, asymptotic)")
    return None
