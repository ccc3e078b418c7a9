r"""Blocks of infinite-width networks and the state they map, in Arb ball arithmetic.

The **state** after a block describes two inputs :math:`x, x'` at infinite width:

* the second moments :math:`q_1 = E[h_i^2]`, :math:`q_2 = E[h_i'^2]` and
  :math:`k = E[h_i h_i']` of a unit's value (raw moments, not centred: a dense layer
  sees the raw moments), and the per-unit means :math:`\mu_1, \mu_2`;
* the neural tangent kernel :math:`\Theta_{11}, \Theta_{22}, \Theta_{12}`
  (NTK parameterisation, as neural-tangents' ``stax``: the input's NTK is 0);
* :math:`\chi`, the mean squared input-output Jacobian
  :math:`\frac1n E\,\operatorname{tr}(J J^\top)` of input 1 from the network's input
  to here (the partial-Jacobian norm of Doshi et al. 2023).

Each block maps the state (formulas for the two-input entries; the diagonal ones are
the same at :math:`k = q`):

``dense(w, b)``
    :math:`K \mapsto wK + b`, :math:`\Theta \mapsto w\Theta + (wK + b)`,
    :math:`\chi \mapsto w\chi`, means :math:`\to 0` (zero-mean weights and biases).
``act(phi)``
    :math:`K \mapsto E[\varphi(u)\varphi(v)]`, :math:`\Theta \mapsto
    E[\varphi'(u)\varphi'(v)]\,\Theta`, :math:`\chi \mapsto E[\varphi'(u)^2]\chi`,
    :math:`\mu \mapsto E[\varphi(u)]`, with :math:`(u, v)` centred Gaussian with the
    state's moments (closed forms for the arc-cosine, erf and GELU families,
    certified 2-D integrals otherwise: :mod:`symact.propagation.dual`).
``layer_norm()`` / ``rms_norm()``
    :math:`K_{12} \mapsto (K_{12} - \mu_1\mu_2)/\sqrt{(q_1-\mu_1^2)(q_2-\mu_2^2)}` (RMSNorm:
    no mean subtraction), :math:`\Theta` divided by the same, :math:`\chi \mapsto
    \chi/(q_1 - \mu_1^2)`.  At infinite width the normalising statistics are the
    state's moments (their fluctuations and the rank-one corrections to the
    Jacobian vanish); neural-tangents' ``LayerNorm`` is the case :math:`\mu = 0`.
``residual(branch, skip=s, branch_weight=a)``
    :math:`y = s\,x + a\,f(x)`: :math:`K \mapsto s^2K + a^2K_f + sa(X_{12} + X_{21})`,
    :math:`\Theta \mapsto s^2\Theta + a^2\Theta_f + sa(m_{f,1} + m_{f,2})\Theta`,
    :math:`\chi \mapsto (s^2 + a^2\chi_f + 2sa\,m_f)\chi`, where :math:`X_{12} =
    E[x_1 f(x_2)]` and :math:`m_f` is the branch's mean Jacobian (:math:`J_f \to m_f I`).
    A branch that contains a dense layer has independent zero-mean weights:
    :math:`X_{12} = \mu_1\mu_{f,2}` and :math:`m_f = 0`; a single activation has
    :math:`X_{12} = k\,E[\varphi'(v)]` (Stein's lemma) and :math:`m_f = E[\varphi'(u)]`.
``glu(phi, w, b)``
    :math:`\varphi(u)\odot v` with :math:`u, v` two independent dense maps of the input:
    :math:`K \mapsto E[\varphi(u)\varphi(u')]\,K_u`, :math:`\Theta \mapsto
    (E[\varphi'\varphi']K_u + E[\varphi\varphi])\Theta_u`, :math:`\chi \mapsto
    w(E[\varphi'(u)^2]q_u + E[\varphi(u)^2])\chi` (SwiGLU, GEGLU).
``conv(filter_size, w, b, weights=...)``
    On inputs that are homogeneous in space a convolution acts on the state like
    ``dense``; it also records its filter for the per-Fourier-mode depth scales of
    Xiao et al. 2018 (see :func:`symact.networks.propagate.propagate`).

References
----------
.. [1] A. Jacot, F. Gabriel, C. Hongler, "Neural tangent kernel", NeurIPS 2018.
.. [2] R. Novak et al., "Neural Tangents: fast and easy infinite neural networks in
   Python", ICLR 2020 (``stax``).
.. [3] G. Yang, S. Schoenholz, "Mean field residual networks: on the edge of chaos",
   NeurIPS 2017.
.. [4] D. Doshi, T. He, A. Gromov, "Critical initialization of wide and deep neural
   networks using partial Jacobians", NeurIPS 2023.
.. [5] L. Xiao et al., "Dynamical isometry and a mean field theory of CNNs", ICML 2018.
"""

from __future__ import annotations

import dataclasses
import numbers
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Literal

import sympy
from flint import arb

from ..core.cache import cached
from ..core.errors import CertificationError
from ..core.limits import parse_number
from ..expressions.activation import Activation, x
from ..expressions.coerce import as_activation
from ..propagation.bivariate import ball_eval
from ..propagation.dual import Q1, Q2, K, derivative_expr, dual_kernel, expect_ball, sym_ball

__all__ = [
    "Block",
    "State",
    "act",
    "as_block",
    "conv",
    "dense",
    "dyt",
    "glu",
    "layer_norm",
    "linear_slopes",
    "repeat",
    "residual",
    "rms_norm",
    "serial",
    "exact_number",
]


def exact_number(value: Any, name: str, *, positive: bool = False, nonneg: bool = False,
                 nonzero: bool = False) -> sympy.Expr:
    """An option's exact value (a float is the binary number it is), checked before any work.

    >>> exact_number(0.5, "skip"), exact_number("2e-2", "std")
    (1/2, 1/50)
    >>> exact_number(-1, "weight_var", positive=True)
    Traceback (most recent call last):
    ...
    ValueError: weight_var must be a positive number, got -1
    """
    if isinstance(value, bool):
        raise TypeError(f"{name} must be a number, got {value!r}")
    if isinstance(value, str):
        v = parse_number(value.strip())
    elif isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError(f"{name} must be a finite number, got {value!r}")
        v = sympy.Rational(value)
    elif isinstance(value, numbers.Integral | Fraction):
        v = sympy.Rational(value)
    elif isinstance(value, sympy.Expr) and value.is_number and value.is_real:
        v = sympy.Rational(value) if value.is_Float else value
    else:
        raise TypeError(f"{name} must be a real number, got {value!r}")
    if not v.is_finite:
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    if positive and not v > 0:
        raise ValueError(f"{name} must be a positive number, got {value!r}")
    if nonneg and not v >= 0:
        raise ValueError(f"{name} must be 0 or a positive number, got {value!r}")
    if nonzero and v == 0:
        raise ValueError(f"{name} must be non-zero")
    return v


# --------------------------------------------------------------------------------- state
@dataclass(frozen=True)
class State:
    """The infinite-width state of one or two inputs (Arb balls; see the module notes)."""

    q1: arb
    q2: arb
    k: arb
    t11: arb
    t22: arb
    t12: arb
    mu1: arb
    mu2: arb
    chi: arb
    pair: bool  # two inputs (False: only input 1 is tracked)
    same: bool  # the two inputs are identical (c = 1 exactly)

    @property
    def c(self) -> arb:
        """The correlation :math:`k/\\sqrt{q_1 q_2}`."""
        if self.same:
            return arb(1)
        return self.k / (self.q1 * self.q2).sqrt()

    def replace(self, **changes: Any) -> State:
        """A copy with some fields changed."""
        return dataclasses.replace(self, **changes)


@dataclass(frozen=True)
class _Moments:
    """Gaussian moments of one activation at the state (balls)."""

    kk: arb        # E[phi(u) phi(v)]
    kd: arb        # E[phi'(u) phi'(v)]
    phi2: tuple[arb, arb]    # E[phi(u)^2], E[phi(v)^2]
    dphi2: tuple[arb, arb]   # E[phi'(u)^2], ...
    mean: tuple[arb, arb]    # E[phi(u)], ...


_GELU = x * (1 + sympy.erf(x / sympy.sqrt(2))) / 2


@cached(maxsize=256)
def _family(a: Activation) -> tuple[str, Any]:
    """How the diagonal moments are computed: ``("linear", (a, b))``, ``("gelu", None)``,
    ``("odd", None)`` or ``("integral", None)``."""
    dk = dual_kernel(a)
    if dk.family == "arc-cosine":
        d = a.derivative()
        return "linear", (d.subs(x, -1), d.subs(x, 1))
    if sympy.expand(a.expr - _GELU) == 0:
        return "gelu", None
    e = a.expr
    for t in (sympy.Rational(1, 3), sympy.Integer(2)):
        v = sympy.N(e.subs(x, t) + e.subs(x, -t), 20)
        if not v.is_number or abs(v) > 1e-10:
            return "integral", None
    return ("odd" if sympy.simplify(e + e.subs(x, -x)) == 0 else "integral"), None


def linear_slopes(a: Activation) -> tuple[sympy.Expr, sympy.Expr] | None:
    """The slopes ``(left, right)`` of a piecewise-linear activation through 0, else ``None``.

    >>> linear_slopes(as_activation("leaky_relu"))
    (1/100, 1)
    """
    fam, data = _family(a)
    return data if fam == "linear" else None


def _diag(a: Activation, q: arb, dps: int) -> tuple[arb, arb, arb]:
    """E[phi^2], E[phi'^2], E[phi] at variance q: closed forms where known, else certified integrals."""
    fam, data = _family(a)
    if fam == "linear":
        lo, hi = (sym_ball(v, dps) for v in data)
        p2 = (lo**2 + hi**2) / 2
        return p2 * q, p2, (hi - lo) * (q / (2 * arb.pi())).sqrt()
    dk = dual_kernel(a)
    if fam == "gelu":  # Tsuchida et al.'s kernel is regular at k = q; E[u Phi(u)] = q phi(0)/sqrt(1+q)
        env = {Q1: q, Q2: q, K: q}
        return (ball_eval(dk.closed(0), env), ball_eval(dk.closed(1), env),
                q / (2 * arb.pi() * (1 + q)).sqrt())
    phi, dphi = a.expr, derivative_expr(a, 1)
    mean = arb(0) if fam == "odd" else expect_ball((phi,), q, dps=dps)
    return expect_ball((phi, phi), q, dps=dps), expect_ball((dphi, dphi), q, dps=dps), mean


def mean_slope(a: Activation, q: arb, dps: int) -> arb:
    r""":math:`E[\varphi'(\sqrt q z)]`, the mean Jacobian of an activation."""
    fam, data = _family(a)
    if fam == "linear":
        return (sym_ball(data[0], dps) + sym_ball(data[1], dps)) / 2
    if fam == "gelu":
        return arb(1) / 2
    return expect_ball((derivative_expr(a, 1),), q, dps=dps)


def moments(a: Activation, s: State, dps: int) -> _Moments:
    """The Gaussian moments of ``a`` at the state ``s`` (closed forms where known)."""
    d1 = _diag(a, s.q1, dps)
    d2 = _diag(a, s.q2, dps) if s.pair and not s.same else d1
    if not s.pair or s.same:
        kk, kd = d1[0], d1[1]
    else:
        c = s.c
        if c.contains(1) or c.contains(-1):
            raise CertificationError(
                f"the correlation of the two inputs is within {c.rad()} of 1 in absolute value "
                f"and the enclosure cannot separate it from +-1 at dps={dps}: raise dps")
        dk = dual_kernel(a)
        kk = dk.value(s.q1, s.q2, c, order=0, dps=dps)
        kd = dk.value(s.q1, s.q2, c, order=1, dps=dps)
    return _Moments(kk, kd, (d1[0], d2[0]), (d1[1], d2[1]), (d1[2], d2[2]))


# --------------------------------------------------------------------------------- blocks
@dataclass(frozen=True)
class Block:
    """A network block: ``kind`` and its options; see the module notes for what each maps."""

    kind: str
    options: tuple[tuple[str, Any], ...] = ()
    children: tuple[Block, ...] = ()
    label: str = field(default="", compare=False)

    def option(self, name: str) -> Any:
        """The value of one option."""
        return dict(self.options)[name]

    @property
    def has_dense(self) -> bool:
        """Whether the block contains a random dense map (independent zero-mean weights)."""
        return self.kind in ("dense", "glu", "conv") or any(c.has_dense for c in self.children)

    def flatten(self) -> list[Block]:
        """The leaf blocks in order (``repeat`` expanded)."""
        if self.kind == "serial":
            return [b for c in self.children for b in c.flatten()]
        if self.kind == "repeat":
            inner = self.children[0].flatten()
            return inner * int(self.option("n"))
        return [self]

    def __repr__(self) -> str:
        return self.label or self.kind


def as_block(obj: Any) -> Block:
    """A block, or an activation read as ``act(obj)``.

    >>> as_block("relu")
    relu
    """
    if isinstance(obj, Block):
        return obj
    return act(obj)


def dense(weight_var: Any = 1, bias_var: Any = 0) -> Block:
    r"""A fully connected layer with weight variance :math:`\sigma_w^2` (per fan-in) and bias variance.

    >>> dense(2)
    dense(2, 0)
    """
    w = exact_number(weight_var, "weight_var", positive=True)
    b = exact_number(bias_var, "bias_var", nonneg=True)
    return Block("dense", (("weight_var", w), ("bias_var", b)), label=f"dense({w}, {b})")


def act(activation: Any) -> Block:
    """A pointwise activation: any activation symact accepts (a name, a formula, an expression).

    >>> act("gelu"), act("cos(relu(x))")
    (gelu, cos(relu(x)))
    """
    a = as_activation(activation, allow_parameters=False)
    return Block("act", (("activation", a),), label=a.name)


def dyt(alpha: Any = "0.5") -> Block:
    r"""Dynamic tanh :math:`\tanh(\alpha x)` (Zhu et al. 2025), the LayerNorm replacement.

    >>> dyt(0.5)
    dyt(1/2)
    """
    a = exact_number(alpha, "alpha", nonzero=True)
    b = act(Activation(f"dyt({a})", sympy.tanh(a * x), {}, None, "dynamic tanh"))
    return dataclasses.replace(b, label=f"dyt({a})")


def layer_norm() -> Block:
    """LayerNorm without its affine part (which is 1 and 0 at initialisation)."""
    return Block("layer_norm", label="layer_norm")


def rms_norm() -> Block:
    """RMSNorm without its gain (1 at initialisation)."""
    return Block("rms_norm", label="rms_norm")


def serial(*blocks: Any) -> Block:
    """Blocks one after another (activations may be given by name).

    >>> serial(dense(2), "relu")
    serial(dense(2, 0), relu)
    """
    if not blocks:
        raise ValueError("serial needs at least one block")
    bs = tuple(as_block(b) for b in blocks)
    return Block("serial", children=bs, label=f"serial({', '.join(map(repr, bs))})")


def repeat(block: Any, n: int) -> Block:
    """``block`` repeated ``n`` times.

    >>> repeat(serial(dense(2), "relu"), 3)
    repeat(serial(dense(2, 0), relu), 3)
    """
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 1:
        raise ValueError(f"repeat needs a positive integer count, got {n!r}")
    if n > 100_000:
        raise ValueError(f"repeat count {n} is too large (at most 100000 blocks are propagated)")
    b = as_block(block)
    return Block("repeat", (("n", int(n)),), (b,), label=f"repeat({b!r}, {int(n)})")


def residual(branch: Any, skip: Any = 1, branch_weight: Any = 1) -> Block:
    r"""A residual block :math:`y = s\,x + a\,f(x)`.

    >>> residual(serial(dense(1), "relu", dense(1)), skip=1, branch_weight=0.5)
    residual(serial(dense(1, 0), relu, dense(1, 0)), 1, 1/2)
    """
    f = as_block(branch)
    s = exact_number(skip, "skip")
    a = exact_number(branch_weight, "branch_weight")
    if not f.has_dense and f.kind not in ("act",):
        raise ValueError(
            "a residual branch must contain a dense (or glu/conv) layer, or be a single "
            "activation: otherwise its correlation with the skip path has no closed form here")
    return Block("residual", (("skip", s), ("branch_weight", a)), (f,),
                 label=f"residual({f!r}, {s}, {a})")


def glu(activation: Any, weight_var: Any = 1, bias_var: Any = 0) -> Block:
    r"""A gated linear unit :math:`\varphi(W_1x + b_1)\odot(W_3x + b_3)` (SwiGLU: ``glu("silu")``).

    >>> glu("silu")
    glu(silu, 1, 0)
    """
    a = as_activation(activation, allow_parameters=False)
    w = exact_number(weight_var, "weight_var", positive=True)
    b = exact_number(bias_var, "bias_var", nonneg=True)
    return Block("glu", (("activation", a), ("weight_var", w), ("bias_var", b)),
                 label=f"glu({a.name}, {w}, {b})")


def conv(filter_size: int, weight_var: Any = 1, bias_var: Any = 0, *,
         weights: Literal["gaussian", "delta_orthogonal"] = "gaussian") -> Block:
    """A 1-D convolution with ``filter_size`` taps (odd), Gaussian or delta-orthogonal weights.

    >>> conv(3, 2)
    conv(3, 2, 0, gaussian)
    """
    if isinstance(filter_size, bool) or not isinstance(filter_size, numbers.Integral) \
            or filter_size < 1 or filter_size % 2 == 0:
        raise ValueError(f"filter_size must be a positive odd integer, got {filter_size!r}")
    if weights not in ("gaussian", "delta_orthogonal"):
        raise ValueError(f"weights must be 'gaussian' or 'delta_orthogonal', got {weights!r}")
    w = exact_number(weight_var, "weight_var", positive=True)
    b = exact_number(bias_var, "bias_var", nonneg=True)
    return Block("conv", (("filter_size", int(filter_size)), ("weight_var", w), ("bias_var", b),
                          ("weights", weights)),
                 label=f"conv({int(filter_size)}, {w}, {b}, {weights})")


# ------------------------------------------------------------------------ the maps
def _dense_map(s: State, w: arb, b: arb) -> State:
    q1, q2, k = w * s.q1 + b, w * s.q2 + b, w * s.k + b
    return s.replace(q1=q1, q2=q2, k=k, t11=w * s.t11 + q1, t22=w * s.t22 + q2,
                     t12=w * s.t12 + k, mu1=arb(0), mu2=arb(0), chi=w * s.chi)


def _act_map(s: State, m: _Moments) -> State:
    return s.replace(q1=m.phi2[0], q2=m.phi2[1], k=m.kk, t11=m.dphi2[0] * s.t11,
                     t22=m.dphi2[1] * s.t22, t12=m.kd * s.t12, mu1=m.mean[0], mu2=m.mean[1],
                     chi=m.dphi2[0] * s.chi)


def _norm_map(s: State, centre: bool) -> State:
    v1 = s.q1 - s.mu1**2 if centre else s.q1
    v2 = s.q2 - s.mu2**2 if centre else s.q2
    kc = s.k - s.mu1 * s.mu2 if centre else s.k
    if not (v1 > 0 and v2 > 0):
        raise ValueError("normalisation of a state with zero variance (the input is constant)")
    p = (v1 * v2).sqrt()
    m1 = arb(0) if centre else s.mu1 / v1.sqrt()
    m2 = arb(0) if centre else s.mu2 / v2.sqrt()
    k = arb(1) if s.same else kc / p
    return s.replace(q1=arb(1) if centre else s.q1 / v1, q2=arb(1) if centre else s.q2 / v2,
                     k=k if centre else (s.k / p), t11=s.t11 / v1, t22=s.t22 / v2,
                     t12=s.t12 / p, mu1=m1, mu2=m2, chi=s.chi / v1)


def apply(block: Block, s: State, dps: int, trace: list[tuple[Block, State, arb]] | None = None
          ) -> tuple[State, arb | None]:
    r"""Map the state through ``block``; returns the new state and the block's mean Jacobian.

    The mean Jacobian (:math:`J \to m I`) is ``None`` where it is not computed (it is
    only needed for a residual branch without a dense layer).

    ``trace`` collects ``(leaf block, state after it, chi of the block)`` for profiles.
    """
    kind = block.kind
    if kind in ("serial", "repeat"):
        m = arb(1)
        children = block.children if kind == "serial" else block.children * block.option("n")
        for child in children:
            s, mj = apply(child, s, dps, trace)
            m = None if m is None or mj is None else m * mj
        return s, m
    before = s.chi
    if kind in ("dense", "conv"):
        w = sym_ball(block.option("weight_var"), dps)
        b = sym_ball(block.option("bias_var"), dps)
        s, mj = _dense_map(s, w, b), arb(0)
    elif kind == "act":
        mom = moments(block.option("activation"), s, dps)
        s, mj = _act_map(s, mom), None
    elif kind in ("layer_norm", "rms_norm"):
        v1 = s.q1 - s.mu1**2 if kind == "layer_norm" else s.q1
        s, mj = _norm_map(s, kind == "layer_norm"), 1 / v1.sqrt()
    elif kind == "glu":
        s, mj = _glu_map(block, s, dps), arb(0)
    elif kind == "residual":
        s, mj = _residual_map(block, s, dps)
    else:  # pragma: no cover - constructors make only the kinds above
        raise ValueError(f"unknown block kind {kind!r}")
    if trace is not None:
        trace.append((block, s, s.chi / before))
    return s, mj


def _glu_map(block: Block, s: State, dps: int) -> State:
    w = sym_ball(block.option("weight_var"), dps)
    b = sym_ball(block.option("bias_var"), dps)
    u = _dense_map(s, w, b)
    m = moments(block.option("activation"), u, dps)
    q1, q2 = m.phi2[0] * u.q1, m.phi2[1] * u.q2
    k = m.kk * u.k
    return s.replace(
        q1=q1, q2=q2, k=k,
        t11=(m.dphi2[0] * u.q1 + m.phi2[0]) * u.t11, t22=(m.dphi2[1] * u.q2 + m.phi2[1]) * u.t22,
        t12=(m.kd * u.k + m.kk) * u.t12, mu1=arb(0), mu2=arb(0),
        chi=w * (m.dphi2[0] * u.q1 + m.phi2[0]) * s.chi)


def _residual_map(block: Block, s: State, dps: int) -> tuple[State, arb]:
    sk = sym_ball(block.option("skip"), dps)
    a = sym_ball(block.option("branch_weight"), dps)
    (branch,) = block.children
    start = s.replace(chi=arb(1))
    f, mf = apply(branch, start, dps, None)
    if branch.has_dense:
        x12, x21, x11, x22 = s.mu1 * f.mu2, f.mu1 * s.mu2, s.mu1 * f.mu1, s.mu2 * f.mu2
        mf = arb(0)
    else:  # a single activation: Stein's lemma, E[u phi(v)] = k E[phi'(v)]
        a_ = branch.option("activation")
        d1 = mean_slope(a_, s.q1, dps)
        d2 = mean_slope(a_, s.q2, dps) if s.pair and not s.same else d1
        x12, x21, x11, x22 = s.k * d2, s.k * d1, s.q1 * d1, s.q2 * d2
        mf = d1
    chi_f = f.chi
    new = s.replace(
        q1=sk**2 * s.q1 + a**2 * f.q1 + 2 * sk * a * x11,
        q2=sk**2 * s.q2 + a**2 * f.q2 + 2 * sk * a * x22,
        k=sk**2 * s.k + a**2 * f.k + sk * a * (x12 + x21),
        t11=sk**2 * s.t11 + a**2 * f.t11 + 2 * sk * a * mf * s.t11,
        t22=sk**2 * s.t22 + a**2 * f.t22 + 2 * sk * a * mf * s.t22,
        t12=sk**2 * s.t12 + a**2 * f.t12 + 2 * sk * a * mf * s.t12,
        mu1=sk * s.mu1 + a * f.mu1, mu2=sk * s.mu2 + a * f.mu2,
        chi=(sk**2 + a**2 * chi_f + 2 * sk * a * mf) * s.chi,
    )
    return new, sk + a * mf if mf is not None else None


def leaves(blocks: Sequence[Block]) -> list[Block]:
    """All leaf blocks of several blocks, in order."""
    return [b for blk in blocks for b in blk.flatten()]
