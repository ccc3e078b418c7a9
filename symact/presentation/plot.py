r"""Matplotlib figures: activations, gradient products across depth, phase diagrams.

Every function imports matplotlib only when it is called, draws into ``ax`` when
one is given (else into a new figure), returns the :class:`~matplotlib.figure.Figure`,
and closes a figure it opened itself if drawing fails.

Exact values in labels are typeset with :func:`sympy.latex` (``$\frac{1}{4}$``);
certified values are shown as decimals with ``≈``.

Examples
--------
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> import symact as sa
>>> from symact import plot
>>> fig = plot.activation(sa.activation("relu"))
>>> len(fig.axes)
1
>>> import matplotlib.pyplot as plt; plt.close(fig)
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import sympy

from ..expressions.activation import Activation
from ..expressions.coerce import as_activation as _resolve

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["activation", "catalogue", "gradient_product", "phase"]

_ORDER_LABELS = {0: r"$\varphi$", 1: r"$\varphi'$", 2: r"$\varphi''$", 3: r"$\varphi'''$"}


@contextlib.contextmanager
def _figure(ax: Axes | None, **subplots: Any) -> Iterator[tuple[Figure, Any]]:
    """Yield ``(figure, axes)``; close the figure on error if we opened it."""
    import matplotlib.pyplot as plt

    if ax is not None:
        yield ax.figure, ax
        return
    fig, axes = plt.subplots(**subplots)
    try:
        yield fig, axes
    except BaseException:
        plt.close(fig)
        raise


def _finite_float(v: Any) -> float | None:
    try:
        f = float(sympy.N(v, 17))
    except (TypeError, ValueError):
        return None
    return f if np.isfinite(f) else None


def _value_label(e: Any) -> str:
    """``= $\\frac{1}{4}$`` for an exact value, ``≈ 1.0998`` for a certified one."""
    if e.exact:
        tex = sympy.latex(e.value)
        dec = _finite_float(e.value)
        if e.value.is_Rational or dec is None:
            return f"= ${tex}$"
        if len(tex) > 40:
            return f"= {dec:.6g} (exact closed form)"
        return f"= ${tex}$ ≈ {dec:.6g}"
    mid = float(sum(e.enclosure) / 2)
    return f"≈ {mid:.6g} (certified)"


def _approach_x(where: str, xlim: tuple[float, float]) -> float | None:
    """The x-position at which ``"x -> oo"``/``"x -> 3-"`` is drawn."""
    target = where.split("->", 1)[-1].strip()
    if target in ("oo", "+oo"):
        return xlim[1]
    if target == "-oo":
        return xlim[0]
    try:
        return _finite_float(sympy.sympify(target.rstrip("+-")))
    except (sympy.SympifyError, TypeError, ValueError):
        return None


def _mark_extremum(ax: Axes, e: Any, xlim: tuple[float, float], color: str) -> None:
    y = _finite_float(e.value) if e.exact else float(sum(e.enclosure) / 2)
    if y is None:
        return
    op = r"$\sup\,\varphi'$" if e.kind == "sup" else r"$\inf\,\varphi'$"
    label = f"{op} {_value_label(e)}"
    ax.axhline(y, color=color, lw=0.8, ls="--", alpha=0.6, gid=f"{e.kind}-line")
    xs: list[float] = []
    if e.attained:
        at = e.at
        if isinstance(at, sympy.FiniteSet):
            xs = [v for v in (_finite_float(p) for p in at) if v is not None and xlim[0] <= v <= xlim[1]]
        elif isinstance(at, sympy.Interval):
            lo = max(_finite_float(at.start) or xlim[0], xlim[0])
            hi = min(_finite_float(at.end) or xlim[1], xlim[1])
            if lo <= hi:
                ax.plot([lo, hi], [y, y], color=color, lw=3, alpha=0.5, solid_capstyle="butt")
                xs = [(lo + hi) / 2]
        ax.plot(xs or [np.nan], [y] * max(len(xs), 1), "o", color=color, ms=7,
                label=label + " (attained)", gid=f"{e.kind}-marker", zorder=5)
        return
    # only approached: open circle at the place it is approached, arrow pointing there
    for where in e.approached or ("x -> oo",):
        xa = _approach_x(where, xlim)
        if xa is None:
            continue
        xs.append(xa)
        direction = (1.0 if xa >= xlim[1] else -1.0) if where.rstrip().endswith("oo") else 0.0
        if direction:
            ax.annotate("", xy=(xa, y), xytext=(xa - direction * 0.12 * (xlim[1] - xlim[0]), y),
                        arrowprops={"arrowstyle": "->", "color": color})
    ax.plot(xs or [np.nan], [y] * max(len(xs), 1), "o", mfc="white", mec=color, mew=1.5, ms=7, clip_on=False,
            label=label + " (approached)", gid=f"{e.kind}-marker", zorder=5)


def activation(
    act: Activation | str,
    orders: Sequence[int] = (0, 1, 2),
    *,
    ax: Axes | None = None,
    xlim: tuple[float, float] = (-6, 6),
    points: int = 801,
) -> Figure:
    r"""Plot an activation and its derivatives, with the extrema of :math:`\varphi'` marked.

    The supremum and infimum of :math:`\varphi'` (from
    :func:`symact.derivative_bounds`) are drawn as a filled marker where they are
    attained, or as an open circle with an arrow where they are only approached,
    and labelled with their values: exact values typeset by SymPy
    (e.g. :math:`\frac{1}{4}`), certified ones as decimals with ``≈``.  Kinks are
    vertical dotted lines, jumps dash-dotted.

    Parameters
    ----------
    act : Activation or str
        The activation (or a built-in name).
    orders : sequence of int
        Derivative orders to draw (0 is the function itself).
    ax : matplotlib.axes.Axes, optional, keyword-only
        Draw here instead of in a new figure.
    xlim : (float, float), keyword-only
        The plotted range of :math:`x`.
    points : int, keyword-only
        Number of sample points.

    Returns
    -------
    matplotlib.figure.Figure

    Notes
    -----
    Curves are sampled with :meth:`Activation.numeric`, which at a kink follows
    PyTorch's autograd convention (ReLU'(0) = 0); the marked extrema are exact.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import symact as sa
    >>> from symact import plot
    >>> fig = plot.activation(sa.activation("sigmoid"))
    >>> len(fig.axes)
    1
    >>> [t for t in fig.axes[0].get_legend_handles_labels()[1] if "sup" in t]
    ["$\\sup\\,\\varphi'$ = $\\frac{1}{4}$ (attained)"]
    >>> import matplotlib.pyplot as plt; plt.close(fig)
    """
    a = _resolve(act)
    orders = tuple(orders)
    if not orders or any(not isinstance(k, int | np.integer) or k < 0 for k in orders):
        raise ValueError(f"orders must be non-negative integers, got {orders!r}")
    lo, hi = float(xlim[0]), float(xlim[1])
    if not lo < hi:
        raise ValueError(f"xlim must be (lo, hi) with lo < hi, got {xlim!r}")
    with _figure(ax, figsize=(6.4, 4.2)) as (fig, axis):
        xs = np.linspace(lo, hi, points)
        colors = ["C0", "C1", "C2", "C3", "C4"]
        for i, k in enumerate(orders):
            ys = np.broadcast_to(np.asarray(a.numeric(k)(xs), dtype=float), xs.shape)
            axis.plot(xs, ys, color=colors[i % len(colors)], lw=1.8 if k == 0 else 1.3,
                      label=_ORDER_LABELS.get(k, rf"$\varphi^{{({k})}}$"))
        for j, kx in enumerate(a.kinks):
            v = _finite_float(kx)
            if v is not None and lo <= v <= hi:
                axis.axvline(v, color="0.4", ls=":", lw=1, gid="kink",
                             label="kink" if j == 0 else None)
        for j, jx in enumerate(a.jumps):
            v = _finite_float(jx)
            if v is not None and lo <= v <= hi:
                axis.axvline(v, color="0.4", ls="-.", lw=1, gid="jump",
                             label="jump" if j == 0 else None)
        if 1 in orders:
            try:
                from ..analysis.properties import derivative_bounds

                b = derivative_bounds(a)
            except Exception as exc:  # noqa: BLE001 - the curves are still worth drawing
                warnings.warn(f"no extrema marked for {a.name}: {exc}", RuntimeWarning, stacklevel=2)
            else:
                c1 = colors[orders.index(1) % len(colors)]
                _mark_extremum(axis, b.sup, (lo, hi), c1)
                _mark_extremum(axis, b.inf, (lo, hi), c1)
        axis.set_xlim(lo, hi)
        axis.axhline(0, color="0.8", lw=0.6, zorder=0)
        axis.set_xlabel("$x$")
        axis.set_ylabel("value")
        axis.set_title(a.name)
        axis.legend(fontsize="small", loc="best")
    return fig


def _as_list(acts: Any) -> list[Activation]:
    if isinstance(acts, Activation | str):
        return [_resolve(acts)]
    out = [_resolve(a) for a in acts]
    if not out:
        raise ValueError("gradient_product needs at least one activation")
    return out


def gradient_product(
    acts: Activation | str | Sequence[Activation | str],
    layers: int = 30,
    *,
    weight: float = 1.0,
    ax: Axes | None = None,
    simulate: bool = True,
    trials: int = 300,
    eps: float = 1e-6,
) -> Figure:
    r"""The vanishing-gradient picture: gradient size against depth on a log axis.

    For each activation it draws

    * the worst-case bound :math:`(|w|\sup|\varphi'|)^n` from
      :func:`symact.gradient_bound` (solid);
    * the mean-field expected squared gradient :math:`\chi_1^n` at
      :math:`\sigma_w^2 = w^2`, :math:`\sigma_b^2 = 0`, drawn as its square root
      :math:`\chi_1^{n/2}` (the root-mean-square gradient, the same units as the
      bound; dashed; skipped with a legend note if :mod:`symact.propagation.meanfield` cannot
      compute it);
    * with ``simulate``, the median and the 10–90 % band of simulated gradient
      products along random scalar chains (:func:`symact.propagation.simulate.simulate_chain`);

    and a horizontal line at ``eps`` (default :math:`10^{-6}`).

    Parameters
    ----------
    acts : Activation, str, or a sequence of them
    layers : int
        Maximum depth :math:`n`.
    weight : float, keyword-only
        The scalar weight :math:`w` of every layer.
    ax : matplotlib.axes.Axes, optional, keyword-only
    simulate : bool, keyword-only
        Draw simulated gradient products.
    trials : int, keyword-only
        Number of simulated chains (seed 0, reproducible).
    eps : float, keyword-only
        Height of the reference line.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from symact import plot
    >>> fig = plot.gradient_product(["sigmoid", "relu"], 20, simulate=False)
    >>> fig.axes[0].get_yscale(), fig.axes[0].get_xlabel()
    ('log', 'depth $n$ (layers)')
    >>> import matplotlib.pyplot as plt; plt.close(fig)
    """
    from ..propagation.depth import gradient_bound

    items = _as_list(acts)
    if isinstance(layers, bool) or not isinstance(layers, int | np.integer) or layers < 1:
        raise ValueError(f"layers must be a positive integer, got {layers!r}")
    n = np.arange(layers + 1)
    w_exact = sympy.nsimplify(weight) if isinstance(weight, float) else sympy.sympify(weight)
    notes: list[str] = []
    with _figure(ax, figsize=(6.4, 4.2)) as (fig, axis):
        for i, a in enumerate(items):
            color = f"C{i % 10}"
            try:
                gb = gradient_bound(a, 1, weight=w_exact)
                rate = _finite_float(gb.rate if gb.rate is not None else gb.expr)
                if rate is None:
                    raise ValueError(f"the per-layer bound of {a.name} is not a finite number")
            except (ArithmeticError, ValueError, TypeError) as exc:
                warnings.warn(f"no worst-case bound for {a.name}: {exc}", RuntimeWarning, stacklevel=2)
                notes.append(f"{a.name}: bound unavailable ({type(exc).__name__})")
            else:
                r_tex = sympy.latex(gb.rate) if gb.exact and len(sympy.latex(gb.rate)) < 30 else f"{rate:.4g}"
                with np.errstate(over="ignore", under="ignore"):
                    axis.plot(n, rate ** n.astype(float), color=color, lw=2,
                              label=f"{a.name}: bound $({r_tex})^n$", gid=f"bound-{a.name}")
            try:
                from ..propagation.meanfield import mean_field

                mf = mean_field(a, w_exact**2, 0)
                chi = float(mf.chi1)
                if not np.isfinite(chi):
                    raise ValueError("chi1 is not finite")
            except Exception as exc:  # noqa: BLE001 - noted in the legend instead
                notes.append(f"{a.name}: mean field unavailable ({type(exc).__name__})")
            else:
                with np.errstate(over="ignore", under="ignore"):
                    axis.plot(n, np.sqrt(chi) ** n.astype(float), color=color, ls="--", lw=1.3,
                              label=rf"{a.name}: mean field $\sqrt{{\chi_1^n}}$, $\chi_1 \approx {chi:.4g}$",
                              gid=f"meanfield-{a.name}")
            if simulate:
                try:
                    from ..propagation.simulate import simulate_chain

                    g = simulate_chain(a, layers, float(weight), trials=trials, seed=0)
                except Exception as exc:  # noqa: BLE001 - noted in the legend instead
                    notes.append(f"{a.name}: simulation unavailable ({type(exc).__name__})")
                else:
                    lo, med, hi = np.percentile(g, [10, 50, 90], axis=0)
                    axis.fill_between(n, np.where(lo > 0, lo, np.nan), np.where(hi > 0, hi, np.nan),
                                      color=color, alpha=0.15, lw=0)
                    axis.plot(n, np.where(med > 0, med, np.nan), color=color, ls=":", lw=1.3,
                              label=f"{a.name}: simulated median (10–90 %)", gid=f"simulated-{a.name}")
        axis.axhline(eps, color="k", lw=0.8, ls="-.", label=f"{eps:g}", gid="eps")
        for note in notes:
            axis.plot([], [], " ", label=note)
        axis.set_yscale("log", nonpositive="mask")
        bottom, top = axis.get_ylim()
        axis.set_ylim(max(bottom, 1e-20), top)
        axis.set_xlim(0, layers)
        axis.set_xlabel("depth $n$ (layers)")
        axis.set_ylabel(r"$|\partial a_n / \partial a_0|$")
        axis.set_title(f"gradient through $n$ layers, $w = {weight:g}$")
        axis.legend(fontsize="x-small", loc="best")
    return fig


def catalogue(
    names: Sequence[str] | None = None,
    *,
    ncols: int = 4,
    xlim: tuple[float, float] = (-4, 4),
    points: int = 401,
) -> Figure:
    r"""A grid of small plots of :math:`\varphi` and :math:`\varphi'` for many activations.

    Parameters
    ----------
    names : sequence of str or Activation, optional
        Default: every built-in (:func:`symact.names`).
    ncols : int, keyword-only
        Panels per row.
    xlim : (float, float), keyword-only
    points : int, keyword-only

    Returns
    -------
    matplotlib.figure.Figure
        One axes per activation (unused grid cells are removed).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from symact import plot
    >>> fig = plot.catalogue(["relu", "sigmoid", "tanh"], ncols=2)
    >>> len(fig.axes), fig.axes[0].get_title()
    (3, 'relu')
    >>> import matplotlib.pyplot as plt; plt.close(fig)
    """
    import matplotlib.pyplot as plt

    from ..expressions.catalogue import names as _names

    items = [_resolve(a) for a in (names if names is not None else _names())]
    if not items:
        raise ValueError("catalogue needs at least one activation")
    if ncols < 1:
        raise ValueError(f"ncols must be >= 1, got {ncols}")
    ncols = min(ncols, len(items))
    nrows = -(-len(items) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(2.6 * ncols, 2.1 * nrows), squeeze=False)
    try:
        xs = np.linspace(xlim[0], xlim[1], points)
        for axis, a in zip(axes.flat, items, strict=False):
            for k, color in ((0, "C0"), (1, "C1")):
                ys = np.broadcast_to(np.asarray(a.numeric(k)(xs), dtype=float), xs.shape)
                axis.plot(xs, ys, color=color, lw=1.2, label=_ORDER_LABELS[k])
            for kx in a.kinks:
                v = _finite_float(kx)
                if v is not None and xlim[0] <= v <= xlim[1]:
                    axis.axvline(v, color="0.5", ls=":", lw=0.8, gid="kink")
            axis.axhline(0, color="0.85", lw=0.5, zorder=0)
            axis.set_title(a.name, fontsize="small")
            axis.tick_params(labelsize="x-small")
        for axis in list(axes.flat)[len(items):]:
            fig.delaxes(axis)
        axes.flat[0].legend(fontsize="x-small", loc="upper left")
        fig.tight_layout()
    except BaseException:
        plt.close(fig)
        raise
    return fig


def phase(
    act: Activation | str,
    *,
    weight_vars: Sequence[float] | None = None,
    bias_vars: Sequence[float] | None = None,
    ax: Axes | None = None,
    executor: Any = None,
) -> Figure:
    r"""Mean-field phase diagram: :math:`\chi_1` over :math:`(\sigma_w^2, \sigma_b^2)`.

    A heat map of :math:`\chi_1` (log colour scale centred on 1: blue is ordered,
    vanishing; red is chaotic, exploding) with the contour :math:`\chi_1 = 1`, the
    *edge of chaos*, drawn in black.  Values come from
    :func:`symact.propagation.meanfield.phase_diagram` (float64 Gauss–Hermite quadrature, a
    sampled picture, not a certified one).

    Parameters
    ----------
    act : Activation or str
    weight_vars : sequence of float, keyword-only
        :math:`\sigma_w^2` grid; default 60 values in [0.5, 4].
    bias_vars : sequence of float, keyword-only
        :math:`\sigma_b^2` grid; default 40 values in [0, 0.5].
    ax : matplotlib.axes.Axes, optional, keyword-only
    executor : concurrent.futures.Executor, optional, keyword-only
        Passed to :func:`~symact.propagation.meanfield.phase_diagram`.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from symact import plot
    >>> fig = plot.phase("tanh", weight_vars=[0.5, 1, 2, 3], bias_vars=[0, 0.1, 0.2])
    >>> fig.axes[0].get_xlabel()
    '$\\sigma_w^2$'
    >>> import matplotlib.pyplot as plt; plt.close(fig)
    """
    from matplotlib.colors import LogNorm

    from ..propagation.meanfield import phase_diagram

    a = _resolve(act)
    wv = np.asarray(np.linspace(0.5, 4, 60) if weight_vars is None else weight_vars, float)
    bv = np.asarray(np.linspace(0, 0.5, 40) if bias_vars is None else bias_vars, float)
    if wv.ndim != 1 or bv.ndim != 1 or len(wv) < 2 or len(bv) < 2:
        raise ValueError("weight_vars and bias_vars need at least two values each")
    if (wv <= 0).any() or (bv < 0).any():
        raise ValueError("variances must be positive (weights) and non-negative (biases)")
    with _figure(ax, figsize=(6.0, 4.4)) as (fig, axis):
        chi = np.asarray(phase_diagram(a, wv, bv, executor=executor), float)
        finite = chi[np.isfinite(chi) & (chi > 0)]
        span = max(float(np.max(np.abs(np.log10(finite)))) if finite.size else 1.0, 0.05)
        norm = LogNorm(vmin=10 ** -span, vmax=10 ** span)
        mesh = axis.pcolormesh(wv, bv, np.clip(chi.T, 10 ** -span, 10 ** span), norm=norm,
                               cmap="coolwarm", shading="nearest")
        fig.colorbar(mesh, ax=axis, label=r"$\chi_1$")
        if finite.size and finite.min() < 1 < finite.max():
            axis.contour(wv, bv, chi.T, levels=[1.0], colors="k", linewidths=1.5)
            axis.plot([], [], "k-", label=r"edge of chaos $\chi_1 = 1$")
            axis.legend(fontsize="small", loc="upper left")
        axis.set_xlabel(r"$\sigma_w^2$")
        axis.set_ylabel(r"$\sigma_b^2$")
        axis.set_title(f"{a.name}: mean-field phase diagram")
    return fig
