r"""Moments of the input-output Jacobian's spectrum at initialisation, and a simulation.

For :math:`J = \prod_{l=1}^{L} W_l D_l` with :math:`D_l = \operatorname{diag}\varphi'(h^l)`
at the fixed point :math:`q^*`, let :math:`\mu_k = E[\varphi'(\sqrt{q^*}z)^{2k}]` and
:math:`\chi = \sigma_w^2\mu_1`.  In the large-width limit the factors are asymptotically
free (Pennington, Schoenholz & Ganguli 2017, 2018).  For free positive elements
:math:`X, Y`, :math:`m_1(XY) = m_1(X)m_1(Y)` and the normalised variance
:math:`v = m_2/m_1^2 - 1` is additive, :math:`v(XY) = v(X) + v(Y)` (first two
coefficients of the S-transform, :math:`S(z) = \frac{1}{m_1}(1 - v z + \dots)`).
With :math:`v(WW^\top) = -s_1` (:math:`s_1 = -1` for Gaussian weights, Marchenko--Pastur
with ratio 1; :math:`s_1 = 0` for orthogonal ones) and :math:`v(D^2) = \mu_2/\mu_1^2 - 1`:

.. math:: E[\lambda] = \chi^L, \qquad
          \operatorname{Var}[\lambda] = \chi^{2L}\, L\,\Big(\frac{\mu_2}{\mu_1^2} - 1 - s_1\Big),

which at criticality (:math:`\chi = 1`) is Pennington et al.'s
:math:`\sigma^2_{JJ^\top} = L(\mu_2/\mu_1^2 - 1 - s_1)`.  Dynamical isometry (a spread
that stays O(1) with depth) needs orthogonal weights and :math:`\mu_2/\mu_1^2 \to 1`,
which sigmoid-like activations reach as :math:`q^* \to 0`; for ReLU
:math:`\mu_2/\mu_1^2 = 2` at every :math:`q^*`, so the spread grows like L.

References
----------
.. [1] J. Pennington, S. S. Schoenholz, S. Ganguli, "Resurrecting the sigmoid in deep
   learning through dynamical isometry: theory and practice", NeurIPS 2017.
.. [2] J. Pennington, S. S. Schoenholz, S. Ganguli, "The emergence of spectral
   universality in deep networks", AISTATS 2018.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import flint
import numpy as np
import sympy
from flint import arb

from ..core.errors import DomainError
from ..core.precision import DEFAULT_DPS, check_dps, workdps
from ..core.result import Level, Quantity, weakest
from ..core.steps import Record
from ..expressions.activation import Activation, x
from ..expressions.coerce import as_activation
from ..gaussian.bivariate import gauss1
from ..numerics.gaussian import as_ball
from ..numerics.numeric import numpy_function
from .cmap import q_map, to_quantity
from .dual import dual_kernel, sym_ball
from .kernel_inputs import check_depth, variance_arg

__all__ = ["JacobianSimulation", "JacobianSpectrum", "jacobian_spectrum", "simulate_jacobian"]

Weights = Literal["gaussian", "orthogonal"]


@dataclass(frozen=True)
class JacobianSpectrum:
    """Mean and variance of the spectrum of J J^T, with mu_1, mu_2, chi and a verdict."""

    mean: Quantity
    variance: Quantity
    mu1: Quantity
    mu2: Quantity
    chi: Quantity
    q_star: Quantity
    depth: int
    weights: str
    verdict: str
    steps: tuple[Record, ...] = field(default=(), compare=False)
    # the problem solved, for derivations (symact.proofs.kernel_steps)
    act: Activation | None = field(default=None, compare=False)
    weight_var: sympy.Expr | None = None
    bias_var: sympy.Expr | None = None

    @property
    def level(self) -> Level:
        """The weakest level of the moments."""
        return weakest(self.mean.level, self.variance.level)


def _mus(act: Any, wv: sympy.Expr, bv: sympy.Expr, dps: int) -> tuple[Quantity, Quantity, Quantity]:
    dk = dual_kernel(act)
    d = sympy.diff(act.expr, x)
    if dk.family == "arc-cosine" and bv == 0:
        pieces = [sympy.simplify(p) for p in (d.subs(x, -1), d.subs(x, 1))]
        m1 = (pieces[0] ** 2 + pieces[1] ** 2) / 2
        m2 = (pieces[0] ** 4 + pieces[1] ** 4) / 2
        q = Quantity(sympy.Integer(1), "exact", method="any q (homogeneous)", name="q*")
        return (Quantity(m1, "exact", method="closed form", name="mu_1"),
                Quantity(m2, "exact", method="closed form", name="mu_2"), q)
    qm = q_map(act, wv, bv, dps=dps)
    lo, hi = qm.q_star.enclosure
    with workdps(dps + 5):
        qb = arb.union(as_ball(lo), as_ball(hi))  # the mpf ends exactly (no rounding to a Float)
        s = qb.sqrt()
        m1 = gauss1([(d, s)] * 2, x, dps=dps)
        m2 = gauss1([(d, s)] * 4, x, dps=dps)
        return (to_quantity(m1, name="mu_1", method="arb integral", dps=dps),
                to_quantity(m2, name="mu_2", method="arb integral", dps=dps), qm.q_star)


def jacobian_spectrum(act: Any, weight_var: Any, bias_var: Any = 0, depth: int = 10, *,
                      weights: Weights = "gaussian", dps: int = DEFAULT_DPS) -> JacobianSpectrum:
    r"""Mean and variance of the spectrum of :math:`JJ^\top` (formula in the module notes).

    Examples
    --------
    >>> s = jacobian_spectrum("relu", 2, 0, 10, weights="orthogonal")
    >>> s.mean.value, s.variance.value
    (1, 10)
    >>> jacobian_spectrum("relu", 2, 0, 10).variance.value
    20
    >>> jacobian_spectrum("tanh", 1, 0, -1)
    Traceback (most recent call last):
    ...
    symact.core.errors.DomainError: depth must be an integer >= 1, got -1
    """
    dps = check_dps(dps)
    if weights not in ("gaussian", "orthogonal"):
        raise DomainError(f"weights must be 'gaussian' or 'orthogonal', got {weights!r}")
    L = check_depth(depth)
    wv = sympy.sympify(variance_arg(weight_var, "weight_var", positive=True))
    bv = sympy.sympify(variance_arg(bias_var, "bias_var", positive=False))
    act = as_activation(act)
    mu1, mu2, qs = _mus(act, wv, bv, dps)
    s1 = -1 if weights == "gaussian" else 0
    rec = Record("fact", {"statement": sympy.Symbol("Var = chi^(2L) L (mu2/mu1^2 - 1 - s1)"),
                          "reference": "Pennington, Schoenholz & Ganguli 2017, 2018"})
    if mu1.level == "exact" and mu2.level == "exact":
        chi = sympy.simplify(wv * mu1.value)
        mean = sympy.simplify(chi**L)
        var = sympy.simplify(chi ** (2 * L) * L * (mu2.value / mu1.value**2 - 1 - s1))
        mq = Quantity(mean, "exact", method="free probability", name="mean")
        vq = Quantity(var, "exact", method="free probability", name="variance")
        cq = Quantity(chi, "exact", method="closed form", name="chi")
        ratio = float(mu2.value / mu1.value**2)
    else:
        with workdps(dps + 5):
            b = lambda qq: arb.union(as_ball(qq.enclosure[0]), as_ball(qq.enclosure[1]))  # noqa: E731
            m1, m2 = b(mu1), b(mu2)
            chi = sym_ball(wv, dps) * m1
            mq = to_quantity(chi**L, name="mean", method="free probability", dps=dps)
            vq = to_quantity(chi ** (2 * L) * L * (m2 / (m1 * m1) - 1 - s1), name="variance",
                             method="free probability", dps=dps)
            cq = to_quantity(chi, name="chi", method="arb integral", dps=dps)
            ratio = float((m2 / (m1 * m1)).mid())
    if weights == "gaussian":
        verdict = (f"no dynamical isometry: Gaussian weights add L = {L} to the normalised "
                   "variance whatever the activation; use orthogonal weights")
    elif abs(ratio - 1) < 1e-3:
        verdict = f"near dynamical isometry: mu2/mu1^2 = {ratio:.6g}"
    else:
        verdict = (f"spread grows like L (mu2/mu1^2 - 1 = {ratio - 1:.4g}); for sigmoid-like "
                   "activations it tends to 0 as q* -> 0 on the critical line, for ReLU it is 1 "
                   "at every q*")
    extra = []
    if mu1.level != "exact":  # how mu_1, mu_2 were enclosed, for derivations
        with workdps(dps + 5):
            extra.append(Record("integral", {"method": "arb integral", "dps": dps + 5,
                                             "bits": int(flint.ctx.prec), "tail": "growth bound",
                                             "reference": "Johansson 2018"}, level="certified"))
    return JacobianSpectrum(mq, vq, mu1, mu2, cq, qs, L, weights, verdict, (rec, *extra), act=act,
                            weight_var=wv, bias_var=bv)


@dataclass(frozen=True)
class JacobianSimulation:
    """Sampled mean and variance of the spectrum of J J^T, with standard errors."""

    mean: float
    variance: float
    mean_se: float
    variance_se: float
    eigenvalues: np.ndarray = field(repr=False)
    level: str = "sampled"


def simulate_jacobian(act: Any, weight_var: Any, bias_var: Any = 0, depth: int = 10, *,
                      width: int = 400, weights: Weights = "gaussian", q: float | None = None,
                      samples: int = 2, seed: int = 0) -> JacobianSimulation:
    r"""Random networks in NumPy: the spectrum of :math:`JJ^\top` at the fixed point.

    The input has i.i.d. :math:`N(0, q)` pre-activations (``q`` defaults to :math:`q^*`);
    each of ``depth`` layers applies :math:`h \mapsto W\varphi(h) + b`.

    Examples
    --------
    >>> r = simulate_jacobian("relu", 2, 0, 5, width=100, weights="orthogonal", seed=1)
    >>> 0.5 < r.mean < 2
    True
    """
    depth = check_depth(depth)
    variance_arg(weight_var, "weight_var", positive=True)
    variance_arg(bias_var, "bias_var", positive=False)
    for what, v in (("width", width), ("samples", samples)):
        if isinstance(v, bool) or not isinstance(v, int) or v < 1:
            raise DomainError(f"{what} must be an integer >= 1, got {v!r}")
    act = as_activation(act)
    if q is None:
        dk = dual_kernel(act)
        q = 1.0 if dk.family == "arc-cosine" and sympy.sympify(bias_var) == 0 else \
            float(q_map(act, weight_var, bias_var, dps=15).q_star)
    f = numpy_function(act.expr, x)
    df = numpy_function(sympy.diff(act.expr, x), x)
    rng = np.random.default_rng(seed)
    sw, sb = float(weight_var) ** 0.5, float(bias_var) ** 0.5
    means, variances, eigs = [], [], []
    for _ in range(samples):
        h = rng.normal(0, q**0.5, width)
        J = np.eye(width)
        for _ in range(int(depth)):
            if weights == "gaussian":
                W = rng.normal(0, sw / width**0.5, (width, width))
            else:
                Qm, R = np.linalg.qr(rng.normal(size=(width, width)))
                W = sw * Qm * np.sign(np.diag(R))
            d = np.broadcast_to(np.asarray(df(h), dtype=float), (width,))
            J = W @ (d[:, None] * J)
            h = W @ np.asarray(f(h), dtype=float) + sb * rng.normal(size=width)
        ev = np.linalg.eigvalsh(J @ J.T)
        means.append(ev.mean())
        variances.append(ev.var())
        eigs.append(ev)
    m, v = np.array(means), np.array(variances)
    def se(a):
        return (float(a.std(ddof=1) / len(a) ** 0.5) if len(a) > 1 else float("nan"))
    return JacobianSimulation(float(m.mean()), float(v.mean()), se(m), se(v), np.concatenate(eigs))
