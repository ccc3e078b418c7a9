r"""Figures for correlation maps and Jacobian spectra (matplotlib imported inside each function).

Each function takes ``ax=None`` (a new figure when None) and returns the Axes drawn on.
"""

from __future__ import annotations

from typing import Any

__all__ = ["cmap", "singular_values", "spectrum_depth"]


def _axes(ax: Any) -> Any:
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=(5, 4))
    return ax


def cmap(act: Any, weight_var: Any, bias_var: Any = 0, *, q: Any = None, points: int = 41,
         ax: Any = None, dps: int = 15) -> Any:
    """The C-map on [-1, 1] with the identity line and the fixed point c*.

    ``act`` is one activation or a list of them (one curve and one c* each).

    >>> import matplotlib; matplotlib.use("Agg")
    >>> ax = cmap(["relu", "tanh"], 2, points=5)
    >>> [t.get_text()[:9] for t in ax.get_legend().get_texts()][:3]
    ['C(c), rel', 'c* = 1.00', 'C(c), tan']
    >>> import matplotlib.pyplot as plt; plt.close(ax.figure)
    """
    import sympy

    from ..propagation.cmap import correlation_map

    acts = [act] if isinstance(act, str) or not isinstance(act, list | tuple) else list(act)
    if not acts:
        raise ValueError("cmap needs at least one activation")
    ax = _axes(ax)
    cs = [sympy.Rational(2 * i - (points - 1), points - 1) for i in range(points)]
    for a in acts:
        cm = correlation_map(a, weight_var, bias_var, q=q, dps=dps)
        (line,) = ax.plot([float(c) for c in cs], [float(cm(c)) for c in cs], label=f"C(c), {cm.act.name}")
        fp = float(cm.fixed_point)
        # at most four digits, and only certified ones when c* carries an enclosure
        shown = (cm.fixed_point.evalf(4) if getattr(cm.fixed_point, "enclosure", None) is not None
                 else f"{fp:.4g}")
        name = f" ({cm.act.name})" if len(acts) > 1 else ""
        ax.plot([fp], [fp], "o", color=line.get_color(), label=f"c* = {shown}{name}")
    ax.plot([-1, 1], [-1, 1], "k--", lw=0.8, label="identity")
    ax.set_xlabel("c")
    ax.set_ylabel("C(c)")
    ax.legend()
    return ax


def spectrum_depth(act: Any, weight_var: Any, bias_var: Any = 0, *, depths: Any = (1, 10, 100),
                   ax: Any = None) -> Any:
    """Variance of the spectrum of J J^T against depth, for Gaussian and orthogonal weights."""
    from ..propagation.spectrum import jacobian_spectrum

    ax = _axes(ax)
    for law in ("gaussian", "orthogonal"):
        v = [float(jacobian_spectrum(act, weight_var, bias_var, int(d), weights=law, dps=15).variance)
             for d in depths]
        ax.plot(list(depths), v, "o-", label=law)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("depth L")
    ax.set_ylabel("Var of spectrum of J J^T")
    ax.legend()
    return ax


def singular_values(act: Any, weight_var: Any, bias_var: Any = 0, depth: int = 10, *,
                    width: int = 400, weights: str = "orthogonal", seed: int = 0,
                    ax: Any = None) -> Any:
    """Histogram of simulated squared singular values beside the theory's mean and spread."""
    from ..propagation.spectrum import jacobian_spectrum, simulate_jacobian

    ax = _axes(ax)
    sim = simulate_jacobian(act, weight_var, bias_var, depth, width=width, weights=weights,  # type: ignore[arg-type]
                            seed=seed)
    th = jacobian_spectrum(act, weight_var, bias_var, depth, weights=weights, dps=15)  # type: ignore[arg-type]
    ax.hist(sim.eigenvalues, bins=60, density=True, alpha=0.6, label="simulation")
    m, s = float(th.mean), float(th.variance) ** 0.5
    ax.axvline(m, color="k", label="theory mean")
    ax.axvspan(max(m - s, 0), m + s, color="k", alpha=0.1, label="theory mean +- sd")
    ax.set_xlabel("eigenvalue of J J^T")
    ax.legend()
    return ax
