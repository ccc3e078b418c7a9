r"""Empirical checks of the depth analysis with seeded NumPy simulations.

:func:`simulate_chain` multiplies the factors :math:`w\,\varphi'(z_i)` along random
scalar chains -- the quantity the worst-case bound :math:`(\sup|\varphi'|\,|w|)^n`
controls.  :func:`simulate_mlp` propagates a random direction through the
input-output Jacobian of a random wide MLP, whose mean squared norm the mean-field
theory predicts to grow like :math:`\chi_1^n`.

References
----------
.. [1] B. Poole et al., "Exponential expressivity in deep neural networks through
   transient chaos", NeurIPS 2016.
.. [2] S. S. Schoenholz et al., "Deep information propagation", ICLR 2017.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import sympy

from ..expressions.coerce import as_expression
from ..gaussian.expectation import X

__all__ = ["simulate_chain", "simulate_mlp"]


def _fns(act: Any) -> tuple[Any, Any]:
    from ..numerics.numeric import numpy_function

    expr = as_expression(act)
    extra = expr.free_symbols - {X}
    if extra:
        raise ValueError(f"substitute numeric values for the parameters {sorted(map(str, extra))} first")
    return numpy_function(expr, X), numpy_function(sympy.diff(expr, X), X)


def simulate_chain(
    act: Any,
    layers: int,
    weight: float = 1.0,
    *,
    trials: int = 1000,
    seed: int = 0,
    input_var: float = 1.0,
    input_std: float | None = None,
) -> np.ndarray:
    r"""Gradient products :math:`\left|\prod_{i<k} w\,\varphi'(z_i)\right|` along random scalar chains.

    Each trial draws :math:`z_0 \sim \mathcal{N}(0, \text{input\_var})` and runs the
    forward pass :math:`z_{i+1} = w\,\varphi(z_i)`; column :math:`k` holds the
    absolute gradient :math:`|\partial z_k / \partial z_0|`.  At a kink the
    derivative follows PyTorch's convention (ReLU'(0) = 0).

    Parameters
    ----------
    act : Activation or sympy.Expr
    layers : int
        Chain length :math:`n \ge 0`.
    weight : float
        The scalar weight :math:`w` of every layer.
    trials, seed, input_var : keyword-only
        Number of chains, ``numpy.random.default_rng`` seed, variance of :math:`z_0`
        (the same keyword as :func:`simulate_mlp`).
    input_std : float, keyword-only, deprecated
        The old name: the standard deviation of :math:`z_0`; use ``input_var=input_std**2``.

    Returns
    -------
    numpy.ndarray
        Shape ``(trials, layers + 1)``; column 0 is 1.  Every entry of column
        :math:`k` is at most :math:`(\sup|\varphi'|\,|w|)^k`.

    Examples
    --------
    >>> import sympy
    >>> from symact.propagation.simulate import simulate_chain
    >>> from symact.gaussian.expectation import X
    >>> g = simulate_chain(1 / (1 + sympy.exp(-X)), 10, 1.0, trials=100)
    >>> g.shape, bool((g[:, 10] <= 0.25**10).all())
    ((100, 11), True)
    """
    if layers < 0 or trials < 1:
        raise ValueError("layers must be >= 0 and trials >= 1")
    if input_std is not None:
        import warnings

        warnings.warn("simulate_chain(input_std=s) is deprecated; use input_var=s**2",
                      DeprecationWarning, stacklevel=2)
        input_var = float(input_std) ** 2
    if input_var < 0:
        raise ValueError(f"input_var must be a non-negative variance, got {input_var!r}")
    phi, dphi = _fns(act)
    rng = np.random.default_rng(seed)
    z = rng.normal(0.0, float(input_var) ** 0.5, size=trials)
    out = np.ones((trials, layers + 1))
    for k in range(layers):
        out[:, k + 1] = out[:, k] * np.abs(weight * dphi(z))
        z = weight * phi(z)
    return out


def simulate_mlp(
    act: Any,
    layers: int,
    width: int = 256,
    weight_var: float = 1.0,
    bias_var: float = 0.0,
    *,
    trials: int = 20,
    seed: int = 0,
    input_var: float = 1.0,
) -> np.ndarray:
    r"""Squared Jacobian-vector norms :math:`\|J_n v\|^2 / \|v\|^2` through a random MLP.

    Pre-activations follow :math:`h_{l+1} = W_{l+1}\varphi(h_l) + b_{l+1}` with
    :math:`W_{ij} \sim \mathcal{N}(0, \sigma_w^2/N)`, :math:`b_i \sim \mathcal{N}(0,
    \sigma_b^2)` and :math:`h_0 \sim \mathcal{N}(0, \text{input\_var}\,I)`;
    :math:`J_n = \partial h_n / \partial h_0` is applied to a random Gaussian
    direction :math:`v`.  Mean-field theory predicts a mean of about
    :math:`\chi_1^n` once :math:`q` has reached its fixed point.

    Parameters
    ----------
    act : Activation or sympy.Expr
    layers : int
    width : int
        :math:`N`, the number of units per layer.
    weight_var, bias_var : float
        :math:`\sigma_w^2`, :math:`\sigma_b^2`.
    trials, seed, input_var : keyword-only
        Independent networks, ``numpy.random.default_rng`` seed, variance of :math:`h_0`.

    Returns
    -------
    numpy.ndarray
        Shape ``(trials, layers + 1)``; column 0 is 1.

    References
    ----------
    .. [1] Schoenholz et al. 2017, Sec. 5 (gradient backpropagation).

    Examples
    --------
    >>> import sympy
    >>> from symact.propagation.simulate import simulate_mlp
    >>> from symact.gaussian.expectation import X
    >>> g = simulate_mlp(sympy.Piecewise((X, X > 0), (0, True)), 10, 128, 2.0, trials=4)
    >>> g.shape, bool(0.3 < g[:, -1].mean() < 3)
    ((4, 11), True)
    """
    if layers < 0 or width < 1 or trials < 1:
        raise ValueError("layers >= 0, width >= 1 and trials >= 1 are required")
    phi, dphi = _fns(act)
    rng = np.random.default_rng(seed)
    out = np.ones((trials, layers + 1))
    sw, sb = np.sqrt(weight_var / width), np.sqrt(bias_var)
    for t in range(trials):
        h = rng.normal(0.0, np.sqrt(input_var), size=width)
        v = rng.normal(size=width)
        n0 = v @ v
        for k in range(layers):
            W = rng.normal(0.0, sw, size=(width, width))
            v = W @ (dphi(h) * v)
            h = W @ phi(h) + rng.normal(0.0, 1.0, size=width) * sb
            out[t, k + 1] = (v @ v) / n0
    return out
