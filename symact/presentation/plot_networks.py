r"""Figures for networks: depth profiles of q, c and chi (the init report's picture is :func:`symact.plot.init_phase`).

Each function imports matplotlib when called, takes ``ax``/``axes`` (new figure when
None) and returns what it drew on; a figure it opened is closed if drawing fails.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["depth_profile"]


def depth_profile(nets: Mapping[str, Any], *, q: Any = 1, c: Any = "0.5", axes: Any = None,
                  dps: int = 15) -> Any:
    r"""Plot :math:`q`, :math:`c` and the cumulative :math:`\chi` against block index for several networks.

    Parameters
    ----------
    nets : mapping of label -> network
        E.g. ``{"plain": repeat(serial(dense(1.5), "tanh"), 30), "residual": ...}``.
    q, c : number
        The two inputs' second moment and correlation.
    axes : sequence of three Axes, optional

    Returns
    -------
    list of matplotlib.axes.Axes
        The three panels (q, c, chi; chi on a log scale).  Values are certified
        midpoints (each plotted point is exact to far more than a pixel).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import symact as sa
    >>> from symact import plot
    >>> axs = plot.depth_profile({"plain": sa.repeat(sa.serial(sa.dense(2), "relu"), 5)})
    >>> [a.get_ylabel() for a in axs]
    ['q', 'c', 'chi (mean squared Jacobian)']
    >>> import matplotlib.pyplot as plt; plt.close(axs[0].figure)
    """
    import matplotlib.pyplot as plt

    from ..networks.propagate import propagate

    opened = None
    if axes is None:
        opened, axes = plt.subplots(1, 3, figsize=(12, 3.6))
    try:
        for label, net in nets.items():
            r = propagate(net, q, q, c, dps=dps)
            rows = [p for p in r.profile if p.block.split("(")[0] not in ("dense", "conv")]
            rows = rows or list(r.profile)
            idx = list(range(1, len(rows) + 1))
            axes[0].plot(idx, [p.q for p in rows], marker=".", label=f"{label} ({r.level})")
            axes[1].plot(idx, [p.c for p in rows], marker=".", label=label)
            axes[2].plot(idx, [p.chi for p in rows], marker=".", label=label)
        for ax, name in zip(axes, ("q", "c", "chi (mean squared Jacobian)"), strict=True):
            ax.set_xlabel("block")
            ax.set_ylabel(name)
        axes[2].set_yscale("log")
        axes[0].legend(fontsize="small")
        return list(axes)
    except BaseException:
        if opened is not None:
            plt.close(opened)
        raise
