r"""Pieces of symact's figures: legends outside the data, labels, extremum markers, ticks.

Used by :mod:`symact.presentation.plot`; matplotlib is imported only inside the functions.

>>> tex_number(1e-6), tex_number(0.5)
('10^{-6}', '0.5')
>>> plain_ticks(0.3, 3.2)
[0.5, 1.0, 2.0]
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import numpy as np
import sympy

from ..expressions.activation import Activation

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "approach_x",
    "gap_at_undefined",
    "undefined_points",
    "figure_for",
    "finite_float",
    "legend_outside",
    "mark_extremum",
    "plain_ticks",
    "tex_number",
    "value_label",
    "where_label",
]


@contextlib.contextmanager
def figure_for(ax: Axes | None, **subplots: Any) -> Iterator[tuple[Figure, Any]]:
    """Yield ``(figure, axes)``; close the figure on error if we opened it."""
    import matplotlib.pyplot as plt

    if ax is not None:
        yield ax.figure, ax
        return
    fig, axes = plt.subplots(layout="constrained", **subplots)
    try:
        yield fig, axes
    except BaseException:
        plt.close(fig)
        raise


def legend_outside(axis: Axes, **kw: Any) -> None:
    """A legend of the labelled artists, outside the data (right of the axes)."""
    handles, labels = axis.get_legend_handles_labels()
    if handles:
        axis.legend(handles, labels, loc="upper left", bbox_to_anchor=(1.02, 1.0),
                    borderaxespad=0.0, frameon=False, **{"fontsize": "small", **kw})


def finite_float(v: Any) -> float | None:
    try:
        f = float(sympy.N(v, 17))
    except (TypeError, ValueError):
        return None
    return f if np.isfinite(f) else None


def undefined_points(act: Activation, order: int) -> list[float]:
    """Where the ``order``-th derivative is undefined: breakpoints smooth to less than ``order``."""
    if order < 1:
        return []
    out = []
    for b in act.breakpoints:
        if b.smoothness < order:
            v = finite_float(b.point)
            if v is not None:
                out.append(v)
    return out


def gap_at_undefined(xs: np.ndarray, ys: np.ndarray, act: Activation, order: int) -> np.ndarray:
    """``ys`` with NaN at the sample nearest to each point where the derivative is undefined.

    A curve then shows a gap there instead of the value autograd's convention gives.
    """
    ys = np.array(ys, dtype=float)
    step = (xs[-1] - xs[0]) / max(len(xs) - 1, 1)
    for v in undefined_points(act, order):
        ys[np.abs(xs - v) < 0.5 * step + 1e-12] = np.nan
    return ys


def value_label(e: Any) -> str:
    """``= $\\frac{1}{4}$`` for an exact value, ``≈ 1.09984`` for a certified one."""
    if e.exact:
        return f"= ${sympy.latex(e.value)}$"
    return f"≈ {sympy.sstr(e.evalf(6))}"


def where_label(e: Any) -> str:
    if e.attained:
        at = e.at
        if isinstance(at, sympy.FiniteSet) and len(at) == 1:
            p = next(iter(at))
            if e.exact or p.is_Rational or len(sympy.latex(p)) < 12:
                return f" at $x = {sympy.latex(p)}$"
            return f" at $x ≈ {sympy.sstr(sympy.N(p, 4))}$"
        if isinstance(at, sympy.Interval):
            return f" on ${sympy.latex(at)}$"
        return ""
    sides = []
    for where in e.approached:
        target = where.split("->", 1)[-1].strip()
        tex = {"oo": r"+\infty", "+oo": r"+\infty", "-oo": r"-\infty"}.get(target)
        if tex is None:
            side = "^-" if target.endswith("-") else "^+" if target.endswith("+") else ""
            tex = target.rstrip("+-") + side
        sides.append(f"$x \\to {tex}$")
    return ", approached as " + " and ".join(sides) if sides else ", approached"


def approach_x(where: str, xlim: tuple[float, float]) -> tuple[float | None, float]:
    """Where ``"x -> oo"``/``"x -> 3-"`` is drawn, and the side it is approached from (+1/-1)."""
    target = where.split("->", 1)[-1].strip()
    if target in ("oo", "+oo"):
        return xlim[1], -1.0
    if target == "-oo":
        return xlim[0], 1.0
    side = 1.0 if target.endswith("+") else -1.0
    try:
        return finite_float(sympy.sympify(target.rstrip("+-"))), side
    except (sympy.SympifyError, TypeError, ValueError):
        return None, side


def mark_extremum(ax: Axes, e: Any, xlim: tuple[float, float], color: str, act: Activation) -> None:
    y = finite_float(e)  # the protocol's value: exact, or the certified digits
    if y is None:
        return
    op = r"$\sup\,\varphi'$" if e.kind == "sup" else r"$\inf\,\varphi'$"
    label = f"{op} {value_label(e)}{where_label(e)} ({e.level})"
    ax.axhline(y, color=color, lw=0.8, ls=(0, (4, 3)), alpha=0.6, gid=f"{e.kind}-line")
    kinks = set(undefined_points(act, 1))  # phi' is undefined there: no filled marker
    if e.attained:
        at = e.at
        if isinstance(at, sympy.Interval):
            lo_v, hi_v = finite_float(at.start), finite_float(at.end)
            lo = xlim[0] if lo_v is None else max(lo_v, xlim[0])
            hi = xlim[1] if hi_v is None else min(hi_v, xlim[1])
            if lo < hi:
                ax.plot([lo, hi], [y, y], color=color, lw=5, alpha=0.35, solid_capstyle="butt",
                        label=label, gid=f"{e.kind}-marker", zorder=4)
                for end, is_open in ((lo_v, at.left_open), (hi_v, at.right_open)):
                    if end is not None and xlim[0] <= end <= xlim[1]:
                        ax.plot([end], [y], "o", color=color, ms=6, zorder=5, clip_on=False,
                                mfc="white" if is_open else color, mec=color, gid=f"{e.kind}-end")
            return
        xs = []
        if isinstance(at, sympy.FiniteSet):
            xs = [v for v in (finite_float(p) for p in at)
                  if v is not None and xlim[0] <= v <= xlim[1] and v not in kinks]
        if xs:
            ax.plot(xs, [y] * len(xs), "o", color=color, ms=7, label=label,
                    gid=f"{e.kind}-marker", zorder=5)
        return
    # only approached: open circle where it is approached, an arrow from the side it comes from
    xs = []
    for where in e.approached or ("x -> oo",):
        xa, side = approach_x(where, xlim)
        if xa is None or not xlim[0] <= xa <= xlim[1]:
            continue
        xs.append(xa)
        ax.annotate("", xy=(xa, y), xytext=(xa + side * 0.1 * (xlim[1] - xlim[0]), y),
                    arrowprops={"arrowstyle": "->", "color": color, "lw": 1.2})
    if xs:
        ax.plot(xs, [y] * len(xs), "o", mfc="white", mec=color, mew=1.5, ms=7, clip_on=False,
                ls="none", label=label, gid=f"{e.kind}-marker", zorder=5)


def tex_number(v: float) -> str:
    """``10^{-6}`` for a power of ten, else ``%g``."""
    e = np.log10(v) if v > 0 else np.nan
    if np.isfinite(e) and abs(e - round(e)) < 1e-12 and abs(e) >= 3:
        return f"10^{{{round(e)}}}"
    return f"{v:g}"


def plain_ticks(lo: float, hi: float) -> list[float]:
    """Readable colour-bar ticks on a log scale: 1, 2, 5 times powers of ten inside [lo, hi]."""
    out = []
    for e in range(int(np.floor(np.log10(lo))) - 1, int(np.ceil(np.log10(hi))) + 1):
        for m in (1, 2, 5):
            t = float(f"{m}e{e}")
            if lo * (1 - 1e-9) <= t <= hi * (1 + 1e-9):
                out.append(t)
    if len(out) > 7:
        out = [t for t in out if str(f"{t:g}").lstrip("0.").startswith(("1", "5")) or t == 1]
    if len(out) < 3:
        out = sorted({float(f"{lo:.2g}"), 1.0, float(f"{hi:.2g}")})
    return out
