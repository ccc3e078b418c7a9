r"""Per-Fourier-mode depth scales of deep convolutional networks (Xiao et al. 2018).

For a 1-D convolution with ``k = 2s + 1`` taps on ``N`` spatial positions (circular
padding) whose weights have variance :math:`\sigma_w^2 v_\beta` at tap :math:`\beta`
(:math:`\sum_\beta v_\beta = 1`), a perturbation of the spatial correlations around the
fixed point :math:`c^*` of the C-map, in Fourier mode :math:`p`, is multiplied per layer
by :math:`\chi_c \lambda_p` with :math:`\chi_c = C'(c^*)` and

.. math:: \lambda_p = \sum_{\beta=-s}^{s} v_\beta \cos(2\pi p\beta/N).

Gaussian filters with uniform variance (:math:`v_\beta = 1/k`) damp every mode but
:math:`p = 0` faster than a fully connected network (:math:`|\lambda_p| < 1`), so signal
propagation depends on the spatial frequency; delta-orthogonal filters
(:math:`v_0 = 1`) give :math:`\lambda_p = 1` for every mode: each mode propagates as in
a fully connected network, which is what lets 10,000-layer CNNs train.  The depth scale
of mode :math:`p` is :math:`\xi_p = -1/\log|\chi_c\lambda_p|`.

References
----------
.. [1] L. Xiao, Y. Bahri, J. Sohl-Dickstein, S. Schoenholz, J. Pennington, "Dynamical
   isometry and a mean field theory of CNNs: how to train 10,000-layer vanilla
   convolutional neural networks", ICML 2018.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import Any, Literal

from flint import arb

from ..core.precision import DEFAULT_DPS, check_dps, workdps
from ..core.result import Quantity
from ..propagation.cmap import correlation_map, to_quantity
from ..propagation.dual import sym_ball

__all__ = ["ConvModes", "conv_modes"]


@dataclass(frozen=True)
class ConvModes:
    """Per-mode multipliers :math:`\\chi_c\\lambda_p` and depth scales (see the module notes)."""

    chi_c: Quantity
    c_star: Quantity
    modes: tuple[int, ...]
    filter_eigenvalues: tuple[Quantity, ...]
    multipliers: tuple[Quantity, ...]
    depth_scales: tuple[Quantity | None, ...]
    weights: str


def conv_modes(act: Any, filter_size: int, weight_var: Any, bias_var: Any = 0, *,
               spatial: int = 16, weights: Literal["gaussian", "delta_orthogonal"] = "gaussian",
               dps: int = DEFAULT_DPS) -> ConvModes:
    r"""Depth scales of each spatial Fourier mode in a deep CNN of ``act`` at its fixed point.

    Parameters
    ----------
    act : activation
    filter_size : int
        Odd number of taps ``k``.
    weight_var, bias_var : number
    spatial : int
        Number of spatial positions ``N`` (modes ``p = 0 .. N // 2``).
    weights : {"gaussian", "delta_orthogonal"}

    Examples
    --------
    >>> m = conv_modes("tanh", 3, "1.5", "0.05", spatial=8, dps=15)
    >>> [round(float(v), 6) for v in m.filter_eigenvalues]    # (1 + 2 cos(2 pi p / 8)) / 3
    [1.0, 0.804738, 0.333333, -0.138071, -0.333333]
    >>> d = conv_modes("tanh", 3, "1.5", "0.05", spatial=8, weights="delta_orthogonal", dps=15)
    >>> len({str(x) for x in d.multipliers})
    1
    """
    dps = check_dps(dps)
    for name, v, lo in (("filter_size", filter_size, 1), ("spatial", spatial, 2)):
        if isinstance(v, bool) or not isinstance(v, numbers.Integral) or v < lo:
            raise ValueError(f"{name} must be an integer >= {lo}, got {v!r}")
    if filter_size % 2 == 0:
        raise ValueError(f"filter_size must be odd, got {filter_size}")
    if weights not in ("gaussian", "delta_orthogonal"):
        raise ValueError(f"weights must be 'gaussian' or 'delta_orthogonal', got {weights!r}")
    cm = correlation_map(act, weight_var, bias_var, dps=dps)
    cstar = cm.fixed_point
    chi_c = cm.derivative(cstar)
    s = filter_size // 2
    modes = tuple(range(spatial // 2 + 1))
    eig, mult, xi = [], [], []
    with workdps(dps + 10):
        chi_ball = arb.union(sym_ball(chi_c.enclosure[0], dps + 5), sym_ball(chi_c.enclosure[1], dps + 5))
        for p in modes:
            if weights == "delta_orthogonal":
                lam = arb(1)
            else:
                lam = sum((arb(2 * p * beta) / spatial).cos_pi() for beta in range(-s, s + 1)) / filter_size
            m = chi_ball * lam
            eig.append(to_quantity(lam, name=f"lambda_{p}", method="filter spectrum", dps=dps))
            mult.append(to_quantity(m, name=f"chi_c*lambda_{p}", method="C'(c*) * lambda_p", dps=dps))
            am = abs(m)
            if am < 1 and am > 0:  # a decaying mode; None where it grows or is undecided
                xi.append(to_quantity(-1 / am.log(), name=f"xi_{p}",
                                      method="-1/log|chi_c lambda_p|", dps=dps))
            else:
                xi.append(None)
    return ConvModes(chi_c, cstar, modes, tuple(eig), tuple(mult), tuple(xi), weights)
