r"""Matplotlib figures: activations, gradient products across depth, phase diagrams.

Every function imports matplotlib only when it is called, draws into ``ax`` when
one is given (else into a new figure), returns the :class:`~matplotlib.axes.Axes`
it drew on (as matplotlib's own functions do; :func:`catalogue` returns an array
of them), and closes a figure it opened itself if drawing fails.

Reading the figures: legends list only what is drawn and sit outside the data
(to the right of the axes); exact values in labels are typeset with
:func:`sympy.latex` (``$\frac{1}{4}$``, :math:`\Phi(\sqrt2)+e^{-1}/\sqrt\pi`),
certified ones as decimals with ``≈``, and the level is named once, at the end
of the label.  A filled marker is a value attained where :math:`\varphi'` is
defined; an open marker is a limit, with an arrow towards the side it is
approached from; a thick translucent segment is a stretch on which the value is
attained.  Curves that may coincide (a bound of 1 and a mean-field factor of 1)
differ in dash pattern and markers.

Examples
--------
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> import symact as sa
>>> from symact import plot
>>> ax = plot.activation(sa.activation("relu"))
>>> len(ax.figure.axes)
1
>>> import matplotlib.pyplot as plt; plt.close(ax.figure)
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import sympy

from ..core.result import outward_float
from ..expressions.activation import Activation
from ..expressions.coerce import as_activation as _resolve
from .figure_parts import (
    figure_for,
    finite_float,
    gap_at_undefined,
    legend_outside,
    mark_extremum,
    plain_ticks,
    tex_number,
)

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

from .plot_kernels import cmap, singular_values, spectrum_depth
from .plot_networks import depth_profile

__all__ = ["activation", "catalogue", "cmap", "depth_profile", "gradient_product", "init_phase", "phase",
           "singular_values", "spectrum_depth"]

_ORDER_LABELS = {0: r"$\varphi$", 1: r"$\varphi'$", 2: r"$\varphi''$", 3: r"$\varphi'''$"}


def activation(
    act: Activation | str,
    orders: Sequence[int] = (0, 1, 2),
    *,
    ax: Axes | None = None,
    xlim: tuple[float, float] = (-6, 6),
    points: int = 801,
) -> Axes:
    r"""Plot an activation and its derivatives, with the extrema of :math:`\varphi'` marked.

    The supremum and infimum of :math:`\varphi'` (from
    :func:`symact.derivative_bounds`) are drawn as a filled marker where they are
    attained at a point where :math:`\varphi'` is defined, as a thick segment
    where they are attained on a stretch (open circles at open ends), or as an
    open circle with an arrow where they are only approached; the label gives
    the value (exact values typeset by SymPy, e.g. :math:`\frac{1}{4}`,
    certified ones as decimals with ``≈``), where it is attained and the level,
    once.  Kinks are vertical dotted lines, jumps dash-dotted.

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
    matplotlib.axes.Axes
        The axes drawn on.

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
    >>> ax = plot.activation(sa.activation("sigmoid"))
    >>> [t for t in ax.get_legend_handles_labels()[1] if "sup" in t]
    ["$\\sup\\,\\varphi'$ = $\\frac{1}{4}$ at $x = 0$ (exact)"]
    >>> import matplotlib.pyplot as plt; plt.close(ax.figure)
    """
    a = _resolve(act)
    orders = tuple(orders)
    if not orders or any(not isinstance(k, int | np.integer) or k < 0 for k in orders):
        raise ValueError(f"orders must be non-negative integers, got {orders!r}")
    lo, hi = float(xlim[0]), float(xlim[1])
    if not lo < hi:
        raise ValueError(f"xlim must be (lo, hi) with lo < hi, got {xlim!r}")
    with figure_for(ax, figsize=(8.4, 4.2)) as (_fig, axis):
        xs = np.linspace(lo, hi, points)
        colors = ["C0", "C1", "C2", "C3", "C4"]
        styles = ["-", "-", (0, (5, 2)), (0, (1, 1.5)), "-."]
        for i, k in enumerate(orders):
            ys = np.broadcast_to(np.asarray(a.numeric(k)(xs), dtype=float), xs.shape)
            ys = gap_at_undefined(xs, ys, a, k)  # a gap where phi^(k) is undefined
            axis.plot(xs, ys, color=colors[i % len(colors)], lw=1.8 if k == 0 else 1.3,
                      ls=styles[i % len(styles)], label=_ORDER_LABELS.get(k, rf"$\varphi^{{({k})}}$"))
        for j, kx in enumerate(a.kinks):
            v = finite_float(kx)
            if v is not None and lo <= v <= hi:
                axis.axvline(v, color="0.4", ls=":", lw=1, gid="kink",
                             label="kink" if j == 0 else None)
        for j, jx in enumerate(a.jumps):
            v = finite_float(jx)
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
                mark_extremum(axis, b.sup, (lo, hi), c1, a)
                mark_extremum(axis, b.inf, (lo, hi), c1, a)
        axis.set_xlim(lo, hi)
        axis.axhline(0, color="0.8", lw=0.6, zorder=0)
        axis.set_xlabel("$x$")
        axis.set_ylabel("value")
        axis.set_title(a.name)
        legend_outside(axis)
    return axis


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
) -> Axes:
    r"""The vanishing-gradient picture: gradient size against depth on a log axis.

    For each activation it draws

    * the worst-case bound :math:`(|w|\sup|\varphi'|)^n` from
      :func:`symact.gradient_bound` (thick translucent line);
    * the mean-field expected squared gradient :math:`\chi_1^n` at
      :math:`\sigma_w^2 = w^2`, :math:`\sigma_b^2 = 0`, drawn as its square root
      :math:`\chi_1^{n/2}` (the root-mean-square gradient, the same units as the
      bound; dashed, with square markers, so that it stays visible where it
      coincides with the bound; skipped with a note if :mod:`symact.propagation.meanfield` cannot
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
    matplotlib.axes.Axes
        The axes drawn on.  Where the simulated median is 0 (ReLU at small
        weights: most paths pass an inactive unit), no median is drawn and a
        note in the lower left corner says so.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from symact import plot
    >>> ax = plot.gradient_product(["sigmoid", "relu"], 20, simulate=False)
    >>> ax.get_yscale(), ax.get_xlabel()
    ('log', 'depth $n$ (layers)')
    >>> import matplotlib.pyplot as plt; plt.close(ax.figure)
    """
    from ..propagation.depth import gradient_bound

    items = _as_list(acts)
    if isinstance(layers, bool) or not isinstance(layers, int | np.integer) or layers < 1:
        raise ValueError(f"layers must be a positive integer, got {layers!r}")
    n = np.arange(layers + 1)
    w_exact = sympy.nsimplify(weight) if isinstance(weight, float) else sympy.sympify(weight)
    notes: list[str] = []
    with figure_for(ax, figsize=(9.0, 4.2)) as (_fig, axis):
        every = max(1, layers // 10)
        for i, a in enumerate(items):
            color = f"C{i % 10}"
            try:
                gb = gradient_bound(a, 1, weight=w_exact)
                # the factor the worst-case bound is built from (a certified slope's upper end)
                rate = finite_float(gb.rate.bound if gb.rate is not None else gb.expr)
                if rate is None:
                    raise ValueError(f"the per-layer bound of {a.name} is not a finite number")
            except (ArithmeticError, ValueError, TypeError) as exc:
                warnings.warn(f"no worst-case bound for {a.name}: {exc}", RuntimeWarning, stacklevel=2)
                notes.append(f"{a.name}: bound unavailable ({type(exc).__name__})")
            else:
                r_tex = sympy.latex(gb.rate) if gb.exact and len(sympy.latex(gb.rate)) < 90 else _upper_text(gb.rate.bound if gb.rate is not None else gb.expr, rate)
                with np.errstate(over="ignore", under="ignore"):
                    # later bounds thinner, so that equal bounds show as a line inside a band
                    axis.plot(n, rate ** n.astype(float), color=color, lw=max(6.0 - 2.0 * i, 1.5), alpha=0.5,
                              solid_capstyle="butt", zorder=2,
                              label=f"{a.name}: worst-case bound $\\left({r_tex}\\right)^n$", gid=f"bound-{a.name}")
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
                    chi_tex = _chi_text(mf.chi1, chi)
                    axis.plot(n, np.sqrt(chi) ** n.astype(float), color=color, ls=(0, (5, 2)), lw=1.4,
                              marker="s", ms=4, markevery=(every // 2, every), zorder=3,
                              label=rf"{a.name}: mean field $\sqrt{{\chi_1^n}}$, $\chi_1 {chi_tex}$",
                              gid=f"meanfield-{a.name}")
            if simulate:
                try:
                    from ..propagation.simulate import simulate_chain

                    g = simulate_chain(a, layers, float(weight), trials=trials, seed=0)
                except Exception as exc:  # noqa: BLE001 - noted in the legend instead
                    notes.append(f"{a.name}: simulation unavailable ({type(exc).__name__})")
                else:
                    lo, med, hi = np.percentile(g, [10, 50, 90], axis=0)
                    both = (lo > 0) & (hi > 0)
                    if both[1:].any():
                        # only where both quantiles are positive: a 10 % quantile of 0 has no
                        # place on a log axis (it would fill the plot down to its bottom)
                        axis.fill_between(n, np.where(both, lo, np.nan), np.where(both, hi, np.nan),
                                          where=both, color=color, alpha=0.15, lw=0,
                                          label=f"{a.name}: simulated 10–90 %", gid=f"band-{a.name}")
                    if (lo[1:] <= 0).any() and (hi[1:] > 0).any():
                        zero = 1 + int(np.argmax(lo[1:] <= 0))
                        notes.append(f"{a.name}: the simulated 10 % quantile is 0 from depth {zero} on "
                                     "(band drawn only where it is positive)")
                    shown = np.where(med > 0, med, np.nan)
                    if np.isfinite(shown[1:]).any():
                        axis.plot(n, shown, color=color, ls=":", lw=1.4, marker="^", ms=4,
                                  markevery=(0, every), zorder=4,
                                  label=f"{a.name}: simulated median", gid=f"simulated-{a.name}")
                    else:
                        gone = int(np.argmax(med <= 0))
                        notes.append(f"{a.name}: simulated median is 0 from depth {gone} on "
                                     "(most paths pass an inactive unit)")
        axis.axhline(eps, color="k", lw=0.8, ls="-.", label=f"$\\varepsilon = {tex_number(eps)}$", gid="eps")
        if notes:
            axis.text(0.01, 0.01, "\n".join(notes), transform=axis.transAxes, fontsize="x-small",
                      va="bottom", ha="left", color="0.3", gid="notes")
        axis.set_yscale("log", nonpositive="mask")
        ys = np.concatenate([np.asarray(ln.get_ydata(), float) for ln in axis.lines] or [np.ones(1)])
        ys = ys[np.isfinite(ys) & (ys > 0)]
        axis.set_ylim(max(float(ys.min()) / 3, 1e-20), float(ys.max()) * 3)
        axis.set_xlim(0, layers)
        axis.set_xlabel("depth $n$ (layers)")
        axis.set_ylabel(r"$|\partial a_n / \partial a_0|$")
        axis.set_title(f"gradient through $n$ layers, $w = {weight:g}$")
        legend_outside(axis, fontsize="x-small")
    return axis


def catalogue(
    names: Sequence[str] | None = None,
    *,
    ax: Any = None,
    ncols: int = 4,
    xlim: tuple[float, float] = (-4, 4),
    points: int = 401,
) -> np.ndarray:
    r"""A grid of small plots of :math:`\varphi` and :math:`\varphi'` for many activations.

    Parameters
    ----------
    names : sequence of str or Activation, optional
        Default: every built-in (:func:`symact.names`).
    ax : matplotlib.axes.Axes or sequence of them, optional, keyword-only
        Draw here (one axes per activation) instead of in a new grid.
    ncols : int, keyword-only
        Panels per row of a new grid.
    xlim : (float, float), keyword-only
    points : int, keyword-only

    Returns
    -------
    numpy.ndarray of matplotlib.axes.Axes
        One axes per activation, in order (unused cells of a new grid are removed).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from symact import plot
    >>> axes = plot.catalogue(["relu", "sigmoid", "tanh"], ncols=2)
    >>> len(axes), axes[0].get_title()
    (3, 'relu')
    >>> import matplotlib.pyplot as plt; plt.close(axes[0].figure)
    """
    import matplotlib.pyplot as plt

    from ..expressions.catalogue import names as _names

    items = [_resolve(a) for a in (names if names is not None else _names())]
    if not items:
        raise ValueError("catalogue needs at least one activation")
    if ncols < 1:
        raise ValueError(f"ncols must be >= 1, got {ncols}")
    opened = None
    if ax is None:
        ncols = min(ncols, len(items))
        nrows = -(-len(items) // ncols)
        opened, grid = plt.subplots(nrows, ncols, figsize=(2.6 * ncols, 2.1 * nrows + 0.4),
                                    squeeze=False, layout="constrained")
        targets = list(grid.flat)
    else:
        targets = list(np.atleast_1d(np.asarray(ax, dtype=object)).flat)
        if len(targets) < len(items):
            raise ValueError(f"ax has {len(targets)} axes for {len(items)} activations")
    try:
        xs = np.linspace(xlim[0], xlim[1], points)
        for axis, a in zip(targets, items, strict=False):
            for k, color, ls in ((0, "C0", "-"), (1, "C1", (0, (4, 2)))):
                ys = np.broadcast_to(np.asarray(a.numeric(k)(xs), dtype=float), xs.shape)
                ys = gap_at_undefined(xs, ys, a, k)
                axis.plot(xs, ys, color=color, lw=1.2, ls=ls, label=_ORDER_LABELS[k])
            for kx in a.kinks:
                v = finite_float(kx)
                if v is not None and xlim[0] <= v <= xlim[1]:
                    axis.axvline(v, color="0.5", ls=":", lw=0.8, gid="kink")
            axis.axhline(0, color="0.85", lw=0.5, zorder=0)
            axis.set_title(a.name, fontsize="small")
            axis.tick_params(labelsize="x-small")
        if opened is not None:
            for axis in targets[len(items):]:
                opened.delaxes(axis)
            handles, labels = targets[0].get_legend_handles_labels()
            opened.legend(handles, labels, loc="outside upper center", ncols=2, fontsize="small",
                          frameon=False)
    except BaseException:
        if opened is not None:
            plt.close(opened)
        raise
    return np.array(targets[: len(items)], dtype=object)


def phase(
    act: Activation | str,
    *,
    weight_vars: Sequence[float] | None = None,
    bias_vars: Sequence[float] | None = None,
    ax: Axes | None = None,
    executor: Any = None,
) -> Axes:
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
    matplotlib.axes.Axes
        The axes drawn on (the colour bar is a second axes of the same figure).
        Colour-bar ticks are plain numbers (0.5, 1, 2, ...), not powers of ten.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from symact import plot
    >>> ax = plot.phase("tanh", weight_vars=[0.5, 1, 2, 3], bias_vars=[0, 0.1, 0.2])
    >>> ax.get_xlabel()
    '$\\sigma_w^2$'
    >>> import matplotlib.pyplot as plt; plt.close(ax.figure)
    """
    from matplotlib.lines import Line2D
    from matplotlib.ticker import NullLocator

    from ..propagation.meanfield import phase_diagram

    a = _resolve(act)
    wv = np.asarray(np.linspace(0.5, 4, 60) if weight_vars is None else weight_vars, float)
    bv = np.asarray(np.linspace(0, 0.5, 40) if bias_vars is None else bias_vars, float)
    if wv.ndim != 1 or bv.ndim != 1 or len(wv) < 2 or len(bv) < 2:
        raise ValueError("weight_vars and bias_vars need at least two values each")
    if (wv <= 0).any() or (bv < 0).any():
        raise ValueError("variances must be positive (weights) and non-negative (biases)")
    with figure_for(ax, figsize=(6.0, 4.6)) as (fig, axis):
        chi = np.asarray(phase_diagram(a, wv, bv, executor=executor), float)
        finite = chi[np.isfinite(chi) & (chi > 0)]
        lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.5, 2.0)
        if hi <= lo * 1.001:  # a flat map: a little room either side
            lo, hi = lo / 1.01, hi * 1.01
        norm = _CentredLogNorm(lo, hi)  # white at chi_1 = 1, the bar spans the data only
        mesh = axis.pcolormesh(wv, bv, np.clip(chi.T, lo, hi), norm=norm,
                               cmap="coolwarm", shading="nearest")
        bar = fig.colorbar(mesh, ax=axis, label=r"$\chi_1$ (sampled: float64 quadrature)")
        ticks = [t for t in plain_ticks(lo, hi) if lo <= t <= hi]
        if len(ticks) < 3:  # the ends of the data, rounded inwards to two digits
            inward = [float(f(v / 10.0 ** k) * 10.0 ** k) for v, f in ((lo, np.ceil), (hi, np.floor))
                      for k in [int(np.floor(np.log10(v))) - 1]]
            ticks = sorted({t for t in [*ticks, *inward] if lo <= t <= hi}) or [lo, hi]
        bar.ax.yaxis.set_minor_locator(NullLocator())
        bar.set_ticks(ticks, labels=[f"{t:g}" for t in ticks])
        if finite.size and finite.min() < 1 < finite.max():
            cs = axis.contour(wv, bv, chi.T, levels=[1.0], colors="k", linewidths=1.5)
            cs.set_label(r"edge of chaos $\chi_1 = 1$")
            axis.legend(handles=[Line2D([], [], color="k", lw=1.5)],
                        labels=[r"edge of chaos $\chi_1 = 1$"], fontsize="small",
                        loc="upper center", bbox_to_anchor=(0.5, -0.13), frameon=False)
        axis.set_xlabel(r"$\sigma_w^2$")
        axis.set_ylabel(r"$\sigma_b^2$")
        axis.set_title(f"{a.name}: mean-field phase diagram (sampled, float64)")
    return axis


def _CentredLogNorm(vmin: float, vmax: float) -> Any:
    """A colour norm on [vmin, vmax], logarithmic on each side of 1 with 1 at the centre colour.

    Unlike a symmetric ``LogNorm(1/s, s)`` its ends are the data's own range, so the
    colour bar stops where the data stop.
    """
    from matplotlib.colors import Normalize

    lo_log, hi_log = np.log10(vmin), np.log10(vmax)

    class CentredLogNorm(Normalize):
        def __call__(self, value: Any, clip: bool | None = None) -> Any:
            v: Any = np.ma.masked_invalid(np.ma.asarray(value, dtype=float))
            lv = np.ma.log10(np.ma.masked_less_equal(v, 0))
            below = 0.5 - 0.5 * lv / lo_log if lo_log < 0 else np.ma.zeros(lv.shape) + 0.5
            above = 0.5 + 0.5 * lv / hi_log if hi_log > 0 else np.ma.zeros(lv.shape) + 0.5
            out = np.ma.where(lv < 0, below, above)
            return out if np.ndim(value) else out[()]

        def inverse(self, value: Any) -> Any:
            y = np.asarray(value, dtype=float)
            lv = np.where(y < 0.5, (0.5 - y) * 2 * lo_log if lo_log < 0 else 0.0,
                          (y - 0.5) * 2 * hi_log if hi_log > 0 else 0.0)
            return 10.0 ** lv

    return CentredLogNorm(vmin, vmax)


def _chi_text(q: Any, fallback: float) -> str:
    r"""chi_1 for a legend: a short exact form (``= 1``, ``= 1/2``), else a short decimal and the level.

    >>> from symact.core.result import Quantity
    >>> _chi_text(Quantity(sympy.Rational(490049, 500000), "exact"), 0.980098)
    '\\approx 0.9801\\ \\mathrm{(exact)}'
    """
    level = getattr(q, "level", "sampled")
    value = getattr(q, "value", None)
    if level == "exact" and value is not None and (value.is_Integer or (
            value.is_Rational and value.q <= 100) or (not value.is_Rational and len(sympy.latex(value)) < 16)):
        return f"= {sympy.latex(value)}"
    if level == "exact":
        return rf"\approx {fallback:.4g}\ \mathrm{{(exact)}}"  # 4 correct digits of an exact value
    return rf"\approx {_certified_text(q, fallback)}\ \mathrm{{({level})}}"


def _upper_text(bound: Any, fallback: float) -> str:
    """A rigorous upper bound at four digits (rounded up, never below the bound)."""
    try:
        return sympy.latex(outward_float(sympy.N(bound, 30), 4, up=True))
    except (TypeError, ValueError):
        return f"{fallback:.4g}"


def _certified_text(value: Any, fallback: float) -> str:
    """At most four digits, and only certified ones, of a result (a float: four digits)."""
    if hasattr(value, "evalf") and getattr(value, "enclosure", None) is not None:
        return sympy.latex(value.evalf(4))
    return f"{fallback:.4g}"


def init_phase(activation: Any, width: int, std: Any, *, bias_std: Any = 0, ax: Any = None,
               weight_vars: Any = None, bias_vars: Any = None) -> Any:
    r"""The mean-field phase diagram of ``activation`` with a framework's init marked.

    The background is :func:`symact.plot.phase` (float64, sampled); the marker is the
    point :math:`(\sigma_w^2, \sigma_b^2) = (\text{width}\cdot\text{std}^2,
    \text{bias\_std}^2)` and its label the certified :math:`\chi_1` there.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from symact import plot
    >>> ax = plot.init_phase("tanh", 768, "0.05", weight_vars=[0.5, 1, 2, 3], bias_vars=[0, 0.1])
    >>> "chi_1" in ax.get_legend().get_texts()[0].get_text()
    True
    >>> import matplotlib.pyplot as plt; plt.close(ax.figure)
    """
    from ..networks.blocks import exact_number
    from ..propagation.meanfield import mean_field

    s = exact_number(std, "std", positive=True)
    b = exact_number(bias_std, "bias_std", nonneg=True)
    wv, bv = int(width) * s**2, b**2
    ax = phase(activation, weight_vars=weight_vars, bias_vars=bias_vars, ax=ax)
    mf = mean_field(activation, wv, bv)
    ax.plot([float(wv)], [float(bv)], marker="*", markersize=14, color="k", linestyle="none",
            label=f"width {width}, std {s}: chi_1 = {mf.chi1.evalf(4)} ({mf.regime}, {mf.chi1.level})")
    ax.legend(fontsize="small", loc="upper right")
    return ax
