r"""Answers about whole networks: a framework's init read as mean field, block gains, the NTK
learning rate, and worst-case bounds for residual stacks.

* :func:`init_report` turns ``(activation, width, std, depth)`` -- e.g. GPT-2's GELU, 768,
  0.02, 12 -- into :math:`\sigma_w^2 = \text{width}\cdot\text{std}^2`, :math:`q^*`,
  :math:`\chi_1`, the depth scales and a verdict (ordered / critical / chaotic, by how much
  gradients shrink or grow over the depth), with the std that would be critical.
* :func:`block_gain` is the variance-preserving gain of any block: the scale of the next
  dense layer that brings the second moment back to 1 from an input of second moment 1
  (for an activation, :math:`1/\sqrt{E[\varphi(z)^2]}`; for SwiGLU,
  :math:`1/\sqrt{E[\mathrm{SiLU}(z)^2]}`).
* :func:`learning_rate`: gradient descent on :math:`\frac12\sum_i (f(x_i) - y_i)^2` in the
  kernel regime is :math:`f_{t+1} - y = (I - \eta\Theta)(f_t - y)`, stable iff
  :math:`\eta < 2/\lambda_{\max}(\Theta)` for the NTK Gram matrix :math:`\Theta` of the
  training inputs (Lee et al. 2019).  For ``n`` inputs of second moment ``q`` and common
  correlation ``c`` the Gram matrix is :math:`(\Theta_{11}-\Theta_{12})I +
  \Theta_{12}\mathbf 1\mathbf 1^\top`, so :math:`\lambda_{\max} = \Theta_{11} + (n-1)\Theta_{12}`
  when :math:`\Theta_{12} \ge 0`.
* :func:`residual_bound`: through :math:`a_{l+1} = s\,a_l + \beta W\varphi(a_l)`,
  :math:`|\partial a_n/\partial a_0| \le \prod (|s| + |\beta||w|\sup|\varphi'|)`.
* :func:`dyt_critical_alpha`: the :math:`\alpha` at which DyT's layer
  :math:`\tanh(\alpha x)` preserves the mean squared Jacobian at input variance ``q``:
  :math:`\alpha^2 E[\tanh'(\alpha\sqrt q z)^2] = 1`.

References
----------
.. [1] J. Lee et al., "Wide neural networks of any depth evolve as linear models under
   gradient descent", NeurIPS 2019.
.. [2] S. Schoenholz, J. Gilmer, S. Ganguli, J. Sohl-Dickstein, "Deep information
   propagation", ICLR 2017.
.. [3] J. Zhu, X. Chen, K. He, Y. LeCun, Z. Liu, "Transformers without normalization",
   CVPR 2025.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import Any, Literal

import mpmath
import sympy
from flint import arb

from ..core.errors import CertificationError
from ..core.precision import DEFAULT_DPS, check_dps, workdps
from ..core.result import Level, Quantity, weakest
from ..expressions.activation import x
from ..expressions.coerce import as_activation
from ..propagation.cmap import to_quantity
from ..propagation.dual import expect_ball, sym_ball
from .blocks import (
    Block,
    act,
    as_block,
    dense,
    exact_number,
    glu,
    layer_norm,
    repeat,
    residual,
    serial,
)
from .propagate import Propagation, propagate

__all__ = [
    "InitReport",
    "LearningRate",
    "ResidualBound",
    "block_gain",
    "dyt_critical_alpha",
    "gain",
    "init_report",
    "learning_rate",
    "residual_bound",
]


def _level(*qs: Quantity | None) -> Level:
    return weakest(*(q.level for q in qs if q is not None))


# ------------------------------------------------------------------------------ gains
def block_gain(block: Any, *, dps: int = DEFAULT_DPS) -> Quantity:
    r"""The variance-preserving gain of a block: :math:`1/\sqrt{q_{\text{out}}}` from :math:`q_{\text{in}} = 1`.

    The gain is the standard deviation multiplier of the *next* dense layer's weights
    (per fan-in) that brings the second moment back to 1.

    >>> g = block_gain(glu("silu"))          # SwiGLU
    >>> g.evalf(17), g.level
    (1.6765324703310912, 'certified')
    >>> block_gain(act("relu")).value
    sqrt(2)
    """
    r = propagate(as_block(block), 1, dps=dps)
    if r.q1.level == "exact":
        return Quantity(sympy.simplify(1 / sympy.sqrt(r.q1.value)), "exact",
                        method="closed-form recursion", name="gain")
    lo, hi = r.q1.enclosure
    with workdps(dps + 10):
        return Quantity.certified(1 / mpmath.sqrt(hi), 1 / mpmath.sqrt(lo),
                                  method="1/sqrt(q_out), certified", name="gain", digits=dps)


def gain(nonlinearity: Any, param: Any = None, *, dps: int = DEFAULT_DPS) -> Quantity:
    r"""The variance-preserving gain of an activation or of a block.

    For an activation the gain is :math:`1/\sqrt{E[\varphi(z)^2]}` with its level, as
    computed by :func:`symact.propagation.gains.gain`.  For a block, such as a gated unit
    or a residual branch, it is :func:`block_gain`.

    >>> gain("relu").value, gain(glu("gelu")).evalf(10)       # GEGLU
    (sqrt(2), 1.533530441)
    """
    if isinstance(nonlinearity, Block):
        if param is not None:
            raise ValueError("param= applies to activations, not to blocks")
        return block_gain(nonlinearity, dps=dps)
    from ..propagation.gains import gain as activation_gain

    return activation_gain(nonlinearity, param, dps=dps)


# ------------------------------------------------------------------------- init report
@dataclass(frozen=True)
class InitReport:
    r"""What a framework's initialisation means at infinite width (see :func:`init_report`)."""

    activation: str
    block: str
    width: int
    std: sympy.Expr
    depth: int
    weight_var: sympy.Expr
    q: Quantity                 # second moment at the output of the stack
    chi: Quantity               # mean squared input-output Jacobian over the whole depth
    chi_per_block: Quantity     # its geometric mean per block
    c_out: Quantity             # output correlation of two inputs at c = 1/2
    q_star: Quantity | None     # plain MLP: the fixed point of the variance map
    chi1: Quantity | None       # plain MLP: chi_1 at q*
    depth_scale_q: Quantity | None
    depth_scale_c: Quantity | None
    critical_std: Quantity | None
    regime: str
    verdict: str
    level: Level

    def text(self) -> str:
        """A readable report."""
        lines = [f"{self.activation}, {self.block}, width {self.width}, std {self.std}, depth {self.depth}:",
                 f"  sigma_w^2 = width * std^2 = {self.weight_var} (= {sympy.N(self.weight_var, 6)})"]
        if self.q_star is not None:
            lines.append(f"  q* = {self.q_star.evalf(8)}, chi_1 = {self.chi1.evalf(8)}")
        if self.depth_scale_c is not None:
            lines.append(f"  xi_q = {self.depth_scale_q.evalf(6) if self.depth_scale_q else 'n/a'}, "
                         f"xi_c = {self.depth_scale_c.evalf(6)}")
        lines += [f"  after {self.depth} blocks: q = {self.q.evalf(8)}, c(1/2) -> {self.c_out.evalf(8)}",
                  f"  mean squared Jacobian over the depth: {self.chi.evalf(8)} "
                  f"({self.chi_per_block.evalf(6)} per block)"]
        if self.critical_std is not None:
            lines.append(f"  critical std (chi_1 = 1): {self.critical_std.evalf(6)}")
        lines += [f"  regime: {self.regime}", f"  verdict: {self.verdict}", f"  level: {self.level}"]
        return "\n".join(lines)


def _stack(a: Any, block: str, wv: sympy.Expr, wv2: sympy.Expr, bv: sympy.Expr, depth: int) -> Block:
    if block == "mlp":
        return repeat(serial(dense(wv, bv), act(a)), depth)
    if block == "residual":  # pre-LN MLP block: x + W2 phi(W1 LN(x))
        return repeat(residual(serial(layer_norm(), dense(wv, bv), act(a), dense(wv2, bv))), depth)
    return repeat(residual(serial(layer_norm(), glu(a, wv, bv), dense(wv2, bv))), depth)


def init_report(activation: Any, width: int, std: Any, depth: int, *, bias_std: Any = 0,
                block: Literal["mlp", "residual", "glu"] = "mlp", mlp_ratio: int = 4,
                dps: int = DEFAULT_DPS) -> InitReport:
    r"""Read a framework's initialisation ``N(0, std^2)`` as infinite-width mean field.

    Parameters
    ----------
    activation : activation (any accepted form)
    width : int
        Fan-in of the dense layers (the model width).
    std : number
        The weights' standard deviation (a string such as ``"0.02"`` is the exact
        decimal; a float is the binary number it is).
    depth : int
        Number of blocks.
    bias_std : number
        The biases' standard deviation.
    block : {"mlp", "residual", "glu"}
        ``"mlp"``: ``dense -> act`` repeated; ``"residual"``: pre-LN MLP blocks
        :math:`x + W_2\varphi(W_1\,\mathrm{LN}(x))` (hidden width ``mlp_ratio * width``, so
        :math:`W_2` has variance ``mlp_ratio * width * std^2``); ``"glu"``: the same with a
        gated unit (SwiGLU for ``silu``).  Attention sublayers are not modelled.

    Returns
    -------
    InitReport

    Examples
    --------
    >>> r = init_report("relu", 512, "0.0625", 10)        # sigma_w^2 = 512/256 = 2: critical
    >>> r.weight_var, r.regime, r.chi.value
    (2, 'critical', 1)
    >>> r = init_report("tanh", 768, "0.02", 12)
    >>> r.regime, r.critical_std.evalf(4)
    ('ordered', 0.03608)
    """
    dps = check_dps(dps)
    if isinstance(width, bool) or not isinstance(width, numbers.Integral) or width < 1:
        raise ValueError(f"width must be a positive integer, got {width!r}")
    if isinstance(depth, bool) or not isinstance(depth, numbers.Integral) or not 1 <= depth <= 10_000:
        raise ValueError(f"depth must be an integer from 1 to 10000, got {depth!r}")
    if block not in ("mlp", "residual", "glu"):
        raise ValueError(f"block must be 'mlp', 'residual' or 'glu', got {block!r}")
    s = exact_number(std, "std", positive=True)
    bs = exact_number(bias_std, "bias_std", nonneg=True)
    a = as_activation(activation, allow_parameters=False)
    wv, bv = int(width) * s**2, bs**2
    wv2 = int(mlp_ratio) * wv
    net = _stack(a, block, wv, wv2, bv, int(depth))
    one = propagate(net, 1, dps=dps)  # exact where the blocks allow
    two = propagate(net, 1, 1, sympy.Rational(1, 2), dps=dps)
    from ..propagation.chaos import edge_of_chaos
    from ..propagation.meanfield import mean_field

    q_star = chi1 = xq = xc = crit = None
    if block == "mlp":
        mf = mean_field(a, wv, bv, dps=dps)
        q_star, chi1, xq, xc = mf.q_star, mf.chi1, mf.depth_scale_q, mf.depth_scale_c
        regime = mf.regime
        try:
            e = edge_of_chaos(a, bv, dps=dps)
            lo, hi = e.enclosure
            with workdps(dps + 10):
                crit = (Quantity(sympy.sqrt(e.value / int(width)), "exact", method=e.method,
                                 name="critical std") if e.level == "exact" else
                        Quantity.certified(mpmath.sqrt(lo / int(width)), mpmath.sqrt(hi / int(width)),
                                           method=e.method, name="critical std", digits=dps))
        except CertificationError:
            crit = None
    else:
        regime = "residual"
    per = _per_block(one.chi, int(depth), dps)
    verdict = _verdict(block, regime, one, two.c, per, int(depth))
    return InitReport(a.name, block, int(width), s, int(depth), wv, one.q1, one.chi, per, two.c,
                      q_star, chi1, xq, xc, crit, regime, verdict,
                      _level(one.q1, one.chi, two.c, q_star, chi1))


def _per_block(chi: Quantity, depth: int, dps: int) -> Quantity:
    if chi.level == "exact":
        return Quantity(sympy.root(chi.value, depth) if depth > 1 else chi.value, "exact",
                        method="closed form", name="chi per block")
    lo, hi = chi.enclosure
    with workdps(dps + 10):
        return Quantity.certified(mpmath.root(lo, depth), mpmath.root(hi, depth),
                                  method="geometric mean", name="chi per block", digits=dps)


def _verdict(block: str, regime: str, r: Propagation, c_out: Quantity, per: Quantity,
             depth: int) -> str:
    chi = float(r.chi)
    if block == "mlp":
        if regime == "critical":
            return f"critical: gradients keep their size on average over {depth} layers"
        way = "vanish" if regime == "ordered" else "explode"
        return (f"{regime}: gradients {way} on average, by a factor {chi:.3g} over {depth} layers "
                f"({float(per):.4g} per layer)")
    grow = "grow" if chi > 1 else "shrink"
    return (f"residual stack: the signal's second moment goes from 1 to {float(r.q1):.4g}; "
            f"gradients {grow} by {chi:.4g} over {depth} blocks ({float(per):.4g} per block); "
            f"two inputs at correlation 1/2 end at {float(c_out):.4g}")


# ------------------------------------------------------------------------ learning rate
@dataclass(frozen=True)
class LearningRate:
    r"""The largest stable gradient-descent step in the NTK regime (see :func:`learning_rate`)."""

    eta_max: Quantity
    lambda_max: Quantity
    ntk_diag: Quantity
    ntk_offdiag: Quantity | None
    n_inputs: int
    level: Level


def learning_rate(net: Any, *, n_inputs: int = 1, q: Any = 1, c: Any = 0,
                  dps: int = DEFAULT_DPS) -> LearningRate:
    r"""The largest stable step :math:`\eta < 2/\lambda_{\max}(\Theta)` of gradient descent in the NTK regime.

    Parameters
    ----------
    net : Block
        The network, ending with its readout (a dense layer).
    n_inputs : int
        Training inputs, all of second moment ``q`` with common correlation ``c``.

    Examples
    --------
    >>> relu = repeat(serial(dense(2), act("relu")), 10)
    >>> lr = learning_rate(serial(relu, dense(1)))
    >>> lr.lambda_max.value, lr.eta_max.value             # Theta(x, x) = L + 1 ... at sigma_w^2 = 2
    (11, 2/11)
    """
    if isinstance(n_inputs, bool) or not isinstance(n_inputs, numbers.Integral) or n_inputs < 1:
        raise ValueError(f"n_inputs must be a positive integer, got {n_inputs!r}")
    n = int(n_inputs)
    r = propagate(as_block(net), q, q, c, dps=dps) if n > 1 else propagate(as_block(net), q, dps=dps)
    t11 = r.ntk[0][0]
    t12 = r.ntk[0][1] if n > 1 else None
    if t11.level == "exact" and (t12 is None or t12.level == "exact"):
        lam = t11.value + (n - 1) * (t12.value if t12 is not None else 0)
        if t12 is not None and not t12.value >= 0:
            lam = t11.value - t12.value if n > 1 else t11.value
            lam = sympy.Max(lam, t11.value + (n - 1) * t12.value)
        lam = sympy.simplify(lam)
        lq = Quantity(lam, "exact", method="NTK Gram matrix", name="lambda_max")
        eq = Quantity(sympy.simplify(2 / lam), "exact", method="2/lambda_max", name="eta_max")
        return LearningRate(eq, lq, t11, t12, n, "exact")
    with workdps(dps + 10):
        a = arb.union(arb(t11.enclosure[0]), arb(t11.enclosure[1]))
        lam = a
        if t12 is not None:
            b = arb.union(arb(t12.enclosure[0]), arb(t12.enclosure[1]))
            if b >= 0:
                lam = a + (n - 1) * b
            elif b < 0:
                lam = a - b
            else:
                raise CertificationError("the sign of Theta_12 is not decided: raise dps")
        lq = to_quantity(lam, name="lambda_max", method="NTK Gram matrix", dps=dps)
        eq = to_quantity(2 / lam, name="eta_max", method="2/lambda_max", dps=dps)
    return LearningRate(eq, lq, t11, t12, n, _level(t11, t12))


# ------------------------------------------------------------------- residual bounds
@dataclass(frozen=True)
class ResidualBound:
    r"""Worst-case :math:`|\partial a_n/\partial a_0| \le (|s| + |\beta||w| L)^n`, :math:`L = \sup|\varphi'|`."""

    expr: sympy.Expr
    per_block: sympy.Expr
    slope: Quantity
    regime: str
    level: Level

    def depth_below(self, eps: Any) -> int | None:
        """Depth at which the bound first drops below ``eps`` (``None``: it never does)."""
        from ..core.limits import log_depth

        e = exact_number(eps, "eps", positive=True)
        f = self.per_block
        if not f.is_number or not f < 1:
            return None
        return log_depth(f, e)


def residual_bound(activation: Any, layers: Any, *, skip: Any = 1, branch_weight: Any = 1,
                   weight: Any = 1) -> ResidualBound:
    r"""Worst-case gradient bound through a residual stack :math:`a_{l+1} = s a_l + \beta W \varphi(a_l)`.

    ``layers`` and ``weight`` (a bound on :math:`\|W\|`) may be SymPy symbols.

    >>> n, w = sympy.symbols("n w", positive=True)
    >>> residual_bound("sigmoid", n, weight=w).expr
    (w/4 + 1)**n
    """
    from ..analysis.properties import derivative_bounds

    a = as_activation(activation)
    b = derivative_bounds(a)
    sup_abs = sympy.Max(sympy.Abs(b.sup.value), sympy.Abs(b.inf.value))
    if not (b.sup.exact and b.inf.exact):
        raise CertificationError(f"{a.name}: sup|phi'| has no closed form; use the certified slope")
    s = exact_number(skip, "skip") if not isinstance(skip, sympy.Symbol) else skip
    bw = exact_number(branch_weight, "branch_weight") if not isinstance(branch_weight, sympy.Symbol) else branch_weight
    w = weight if isinstance(weight, sympy.Symbol) else exact_number(weight, "weight")
    n = layers if isinstance(layers, sympy.Symbol) else sympy.Integer(int(layers))
    per = sympy.Abs(s) + sympy.Abs(bw) * sympy.Abs(w) * sympy.simplify(sup_abs)
    per = sympy.simplify(per)
    regime = "depends"
    if per.is_number:
        regime = "vanishing" if per < 1 else ("neutral" if per == 1 else "exploding")
    slope = Quantity(sympy.simplify(sup_abs), "exact", method="closed form", name="sup|phi'|")
    return ResidualBound(per**n, per, slope, regime, "exact")


# ------------------------------------------------------------------------------- DyT
def dyt_critical_alpha(q: Any = 1, *, dps: int = DEFAULT_DPS) -> Quantity:
    r"""The :math:`\alpha` with :math:`\alpha^2 E[\tanh'(\alpha\sqrt q\,z)^2] = 1`: DyT preserving gradients.

    The root is bracketed by a certified sign change of
    :math:`g(\alpha) = \alpha^2 E[\operatorname{sech}^4(\alpha\sqrt q z)] - 1`.

    >>> a = dyt_critical_alpha(1)
    >>> a.level, a.evalf(6)
    ('certified', 1.95670)
    """
    dps = check_dps(dps)
    qq = exact_number(q, "q", positive=True)
    d = (1 - sympy.tanh(x) ** 2) ** 2

    def g(alpha: arb) -> arb:
        return alpha**2 * expect_ball((d,), sym_ball(qq, dps + 10) * alpha**2, dps=dps + 5) - 1

    with workdps(dps + 10):
        def gm(t: Any) -> Any:
            return mpmath.mpf(g(arb(mpmath.nstr(t, dps + 5))).mid().str(dps + 5, radius=False))

        lo, hi = mpmath.mpf("0.5"), mpmath.mpf(2)
        for _ in range(60):  # a float bracket first
            if gm(lo) < 0 < gm(hi):
                break
            lo, hi = lo / 2, hi * 2
        root = mpmath.findroot(gm, (lo, hi), solver="anderson")
        eps = mpmath.mpf(10) ** (-(dps + 2)) * abs(root)
        a_, b_ = root - eps, root + eps
        if not (g(arb(mpmath.nstr(a_, dps + 8))) < 0 and g(arb(mpmath.nstr(b_, dps + 8))) > 0):
            raise CertificationError("could not certify the sign change of the DyT criticality equation")
        return Quantity.certified(mpmath.mpf(mpmath.nstr(a_, dps + 8)), mpmath.mpf(mpmath.nstr(b_, dps + 8)),
                                  method="certified sign change", name="alpha", digits=dps)
