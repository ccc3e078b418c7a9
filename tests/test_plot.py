"""Figures from :mod:`symact.plot`: rendered with Agg, checked for content and pixels."""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.testing.compare import compare_images

import symact as sa
from symact import plot

BASELINE = Path(__file__).parent / "baseline"


@pytest.fixture(autouse=True)
def _close_all():
    yield
    plt.close("all")


def _render(ax, path: Path) -> Path:
    fig = np.atleast_1d(ax)[0].figure
    fig.savefig(path, format="png")
    assert path.stat().st_size > 1000
    return path


def _labels(ax) -> list[str]:
    return ax.get_legend_handles_labels()[1]


def _drawn(artist, ax) -> bool:
    """Whether an artist shows something inside the axes' limits."""
    from matplotlib.collections import Collection
    from matplotlib.lines import Line2D

    if isinstance(artist, Line2D):
        xs = np.asarray(artist.get_xdata(), float)
        ys = np.asarray(artist.get_ydata(), float)
        ok = np.isfinite(xs) & np.isfinite(ys)
        if ax.get_yscale() == "log":
            ok &= ys > 0
        (x0, x1), (y0, y1) = sorted(ax.get_xlim()), sorted(ax.get_ylim())
        inside = ok & (xs >= x0 - 1e-9) & (xs <= x1 + 1e-9) & (ys >= y0) & (ys <= y1)
        return bool(inside.any()) and artist.get_visible()
    if isinstance(artist, Collection):
        return any(len(p.vertices) for p in artist.get_paths())
    return artist.get_visible()


def _check_legend(ax):
    """Every legend entry belongs to an artist that is drawn, and vice versa."""
    legend = ax.get_legend()
    assert legend is not None
    shown = [t.get_text() for t in legend.get_texts()]
    handles, labels = ax.get_legend_handles_labels()
    by_label = dict(zip(labels, handles, strict=True))
    if set(shown) == set(labels):
        for label in shown:
            assert _drawn(by_label[label], ax), f"legend entry {label!r} has nothing drawn"
    # legend outside the data area: its box does not overlap the axes' box
    fig = ax.figure
    fig.canvas.draw()
    box = legend.get_window_extent()
    axbox = ax.get_window_extent()
    assert box.x0 >= axbox.x1 - 1 or box.y0 >= axbox.y1 - 1, "legend overlaps the data area"
    return shown


KINDS = {
    "activation-sigmoid": lambda: plot.activation("sigmoid"),
    "activation-relu": lambda: plot.activation("relu"),
    "activation-tanh": lambda: plot.activation("tanh"),
    "activation-hardswish": lambda: plot.activation("hardswish"),
    "activation-silu": lambda: plot.activation("silu", orders=(0, 1)),
    "gradient": lambda: plot.gradient_product(["tanh", "relu"], 20, weight=2**0.5, trials=60),
    "gradient-dead-relu": lambda: plot.gradient_product("relu", 20, weight=1.0, trials=60),
    "phase": lambda: plot.phase("tanh", weight_vars=[0.5, 1, 1.5, 2, 3], bias_vars=[0, 0.05, 0.1]),
}


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_kind_renders_with_an_honest_legend(kind, tmp_path):
    ax = KINDS[kind]()
    assert hasattr(ax, "get_legend_handles_labels"), "plotting functions return the Axes"
    _render(ax, tmp_path / f"{kind}.png")
    if kind == "phase":
        assert [t.get_text() for t in ax.get_legend().get_texts()] == [r"edge of chaos $\chi_1 = 1$"]
    else:
        _check_legend(ax)


def test_catalogue_renders_and_takes_ax(tmp_path):
    axes = plot.catalogue(["relu", "sigmoid", "tanh", "elu", "softsign"], ncols=2)
    _render(axes, tmp_path / "cat.png")
    assert len(axes) == 5 and len(axes[0].figure.axes) == 5
    assert [a.get_title() for a in axes] == ["relu", "sigmoid", "tanh", "elu", "softsign"]
    assert any(ln.get_gid() == "kink" for ln in axes[0].lines)
    _fig, mine = plt.subplots(1, 2)
    out = plot.catalogue(["relu", "tanh"], ax=mine)
    assert list(out) == list(mine) and mine[1].get_title() == "tanh"
    with pytest.raises(ValueError, match="2 axes for 3"):
        plot.catalogue(["relu", "tanh", "elu"], ax=mine)


def test_sigmoid_marks_exact_sup_with_latex_and_level_once():
    ax = plot.activation(sa.activation("sigmoid"))
    sup = [t for t in _labels(ax) if "sup" in t]
    assert sup == [r"$\sup\,\varphi'$ = $\frac{1}{4}$ at $x = 0$ (exact)"]
    inf = [t for t in _labels(ax) if "inf" in t]
    assert len(inf) == 1 and "= $0$" in inf[0] and r"\to -\infty" in inf[0] and inf[0].count("exact") == 1
    marker = next(ln for ln in ax.lines if ln.get_gid() == "sup-marker")
    assert list(marker.get_xdata()) == [0.0] and list(marker.get_ydata()) == [0.25]
    assert {r"$\varphi$", r"$\varphi'$", r"$\varphi''$"} <= set(_labels(ax))
    assert not [ln for ln in ax.lines if ln.get_gid() == "kink"]


def test_gelu_label_is_a_closed_form():
    ax = plot.activation("gelu", orders=(1,))
    sup = next(t for t in _labels(ax) if "sup" in t)
    # Phi(sqrt 2) + e^-1/sqrt(pi) = 1/2 + erf(1)/2 + 1/(e sqrt(pi)), typeset, not a decimal
    assert r"\operatorname{erf}" in sup and r"\sqrt{\pi}" in sup and r"x = \sqrt{2}" in sup
    assert "1.128" not in sup and sup.endswith("(exact)")


def test_certified_label_shows_level_once():
    ax = plot.activation("silu", orders=(1,))
    sup = next(t for t in _labels(ax) if "sup" in t)
    assert sup.count("certified") == 1 and "≈ 1.09984" in sup and "attained" not in sup


def test_relu_no_marker_where_the_derivative_is_undefined():
    ax = plot.activation("relu", orders=(0, 1))
    kinks = [ln for ln in ax.lines if ln.get_gid() == "kink"]
    assert len(kinks) == 1 and list(kinks[0].get_xdata()) == [0, 0]
    # sup 1 attained on (0, oo): a segment from 0 to the right edge, open (white) circle at 0
    seg = next(ln for ln in ax.lines if ln.get_gid() == "sup-marker")
    assert list(seg.get_xdata()) == [0.0, 6.0]
    ends = [ln for ln in ax.lines if ln.get_gid() == "sup-end"]
    assert [list(e.get_xdata()) for e in ends] == [[0.0]] and ends[0].get_markerfacecolor() == "white"
    assert not [ln for ln in ax.lines if ln.get_gid() in ("sup-marker", "inf-marker")
                and ln.get_marker() == "o" and 0.0 in list(ln.get_xdata())]
    # phi' is not drawn at x = 0 (a gap, not autograd's value)
    d1 = next(ln for ln in ax.lines if ln.get_label() == r"$\varphi'$")
    xs, ys = np.asarray(d1.get_xdata()), np.asarray(d1.get_ydata())
    assert np.isnan(ys[np.argmin(abs(xs))])


def test_gaps_only_where_a_derivative_is_undefined():
    # softsign x/(1+|x|) is C^1 at 0: phi' is defined there (= 1, attained), phi'' jumps (2 to -2)
    ax = plot.activation("softsign", points=801)
    lines = {ln.get_label(): ln for ln in ax.lines}
    xs = np.asarray(lines[r"$\varphi'$"].get_xdata())
    at0 = np.argmin(abs(xs))
    assert xs[at0] == 0.0
    assert lines[r"$\varphi'$"].get_ydata()[at0] == 1.0
    assert np.isnan(lines[r"$\varphi''$"].get_ydata()[at0])
    marker = next(ln for ln in ax.lines if ln.get_gid() == "sup-marker")
    assert list(marker.get_xdata()) == [0.0]  # attained where phi' is defined: a filled marker


def test_hardswish_open_marker_for_a_one_sided_limit():
    ax = plot.activation("hardswish", orders=(1,))
    sup = next(t for t in _labels(ax) if "sup" in t)
    assert r"\frac{3}{2}" in sup and "3^-" in sup
    marker = next(ln for ln in ax.lines if ln.get_gid() == "sup-marker")
    assert list(marker.get_xdata()) == [3.0]
    assert marker.get_markerfacecolor() == "white"  # open circle: a limit
    arrows = [c for c in ax.texts if getattr(c, "arrow_patch", None) is not None]
    assert any(a.xy == (3.0, 1.5) and a.get_position()[0] < 3.0 for a in arrows)  # from the left


def test_activation_returns_the_given_ax():
    fig, (a1, a2) = plt.subplots(1, 2)
    out = plot.activation("tanh", orders=(0,), ax=a2)
    assert out is a2 and len(fig.axes) == 2
    assert a2.get_title() == "tanh" and not a1.lines
    assert plot.gradient_product("sigmoid", 5, simulate=False, ax=a1) is a1


def test_activation_bad_input():
    n = len(plt.get_fignums())
    with pytest.raises(ValueError, match="orders"):
        plot.activation("relu", orders=(-1,))
    with pytest.raises(ValueError, match="xlim"):
        plot.activation("relu", xlim=(1, 0))
    with pytest.raises(KeyError, match="did you mean"):
        plot.activation("sigmod")
    assert len(plt.get_fignums()) == n


def test_figure_closed_on_error(monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(plot, "mark_extremum", boom)
    n = len(plt.get_fignums())
    with pytest.raises(RuntimeError, match="boom"):
        plot.activation("relu")
    assert len(plt.get_fignums()) == n
    fig, ax = plt.subplots()
    with pytest.raises(RuntimeError):
        plot.activation("relu", ax=ax)
    assert plt.fignum_exists(fig.number)

    import symact.propagation.meanfield

    monkeypatch.setattr(symact.propagation.meanfield, "phase_diagram", boom)
    n = len(plt.get_fignums())
    with pytest.raises(RuntimeError):
        plot.phase("tanh", weight_vars=[1, 2], bias_vars=[0, 0.1])
    assert len(plt.get_fignums()) == n


def test_gradient_product_curves(tmp_path):
    ax = plot.gradient_product(["sigmoid", "relu"], 20, weight=1.0, trials=50)
    assert ax.get_yscale() == "log" and ax.get_xlabel() == "depth $n$ (layers)"
    gids = {ln.get_gid() for ln in ax.lines}
    assert {"bound-sigmoid", "bound-relu", "eps", "meanfield-sigmoid", "simulated-sigmoid"} <= gids
    bound = next(ln for ln in ax.lines if ln.get_gid() == "bound-sigmoid")
    assert bound.get_ydata()[10] == pytest.approx(0.25**10)  # (1/4)^n, independent of symact
    eps = next(ln for ln in ax.lines if ln.get_gid() == "eps")
    assert list(eps.get_ydata()) == [1e-6, 1e-6]
    sim = next(ln for ln in ax.lines if ln.get_gid() == "simulated-sigmoid")
    assert (sim.get_ydata()[1:] <= bound.get_ydata()[1:] * (1 + 1e-12)).all()
    # ReLU at w = 1: the simulated median soon is 0; a legend entry only if something is drawn
    med = [ln for ln in ax.lines if ln.get_gid() == "simulated-relu"]
    if med:
        ys = np.asarray(med[0].get_ydata(), float)[1:]
        assert (np.isfinite(ys) & (ys > 0)).any()
    else:
        assert not [t for t in _labels(ax) if "relu: simulated median" in t]
    assert any("relu: simulated median is 0" in t.get_text() for t in ax.texts) or med


def test_coinciding_curves_stay_distinguishable():
    # ReLU at w = sqrt 2: bound (sqrt 2)^n, chi_1 = 1: mean field 1 = flat; tanh bound equal too
    ax = plot.gradient_product(["tanh", "relu"], 10, weight=2**0.5, simulate=False)
    b1 = next(ln for ln in ax.lines if ln.get_gid() == "bound-tanh")
    b2 = next(ln for ln in ax.lines if ln.get_gid() == "bound-relu")
    assert np.allclose(b1.get_ydata(), b2.get_ydata())
    assert b1.get_linewidth() > b2.get_linewidth()  # the later one shows as a line inside a band
    mf = next(ln for ln in ax.lines if ln.get_gid() == "meanfield-relu")
    assert mf.get_marker() not in (None, "None", "") and mf.get_zorder() > b2.get_zorder()


def test_gradient_product_graceful_without_meanfield(monkeypatch):
    import symact.propagation.meanfield

    def fail(*args, **kwargs):
        raise ValueError("no")

    monkeypatch.setattr(symact.propagation.meanfield, "mean_field", fail)
    ax = plot.gradient_product("sigmoid", 5, simulate=False)
    assert any("mean field unavailable" in t.get_text() for t in ax.texts)
    assert not [t for t in _labels(ax) if "mean field" in t]


def test_gradient_product_bad_layers():
    with pytest.raises(ValueError, match="layers"):
        plot.gradient_product("relu", 0)
    with pytest.raises(ValueError, match="at least one"):
        plot.gradient_product([], 5)


def test_phase_colour_bar_ticks_are_plain_numbers():
    ax = plot.phase("tanh", weight_vars=[0.5, 1, 1.5, 2, 3], bias_vars=[0, 0.05, 0.1])
    assert len(ax.figure.axes) == 2
    assert ax.get_xlabel() == r"$\sigma_w^2$" and ax.get_ylabel() == r"$\sigma_b^2$"
    bar = ax.figure.axes[1]
    ax.figure.canvas.draw()
    labels = [t.get_text() for t in bar.get_yticklabels() if t.get_text()]
    assert labels and all(lab.replace(".", "", 1).isdigit() for lab in labels), labels
    assert "1" in labels
    _fig2, ax2 = plt.subplots()
    assert plot.phase("tanh", weight_vars=[0.5, 2], bias_vars=[0, 0.1], ax=ax2) is ax2


# -- pixel comparison against a committed baseline ---------------------------------
_RC = {
    "figure.figsize": (3.0, 2.0),
    "figure.dpi": 50,
    "savefig.dpi": 50,
    "font.family": "DejaVu Sans",
    "lines.antialiased": True,
    "path.simplify": False,
}


def _baseline_figure():
    with matplotlib.rc_context(_RC):
        fig, ax = plt.subplots()
        plot.activation("relu", orders=(0, 1), ax=ax, xlim=(-3, 3), points=301)
        # text-free: the comparison is about the curves, markers and kink line
        ax.set_axis_off()
        ax.set_title("")
        ax.get_legend().remove()
        fig.subplots_adjust(0, 0, 1, 1)
    return fig


def test_image_matches_baseline(tmp_path):
    expected = BASELINE / "relu_activation.png"
    fig = _baseline_figure()
    with matplotlib.rc_context(_RC):
        if os.environ.get("SYMACT_REGEN_BASELINE"):
            fig.savefig(expected)
        actual = tmp_path / "relu_activation.png"
        fig.savefig(actual)
    assert compare_images(str(expected), str(actual), tol=10) is None


# -- issue 24: figures that do not mislead ------------------------------------------------
def test_phase_says_sampled_and_colour_bar_spans_the_data():
    import mpmath

    wv, bv = [0.5, 1.0, 1.5, 2.0], [0.0, 0.1]
    ax = plot.phase("tanh", weight_vars=wv, bias_vars=bv)
    bar = ax.figure.axes[1]
    assert "sampled" in ax.get_title() and "float64" in ax.get_title()
    assert "sampled" in bar.get_ylabel()
    # independent chi_1 at the corners with q* from plain fixed-point iteration in mpmath
    def chi(w, b):
        q = mpmath.mpf(1)
        E = lambda f: mpmath.quad(lambda z: f(z) * mpmath.npdf(z), [-mpmath.inf, 0, mpmath.inf])  # noqa: E731
        for _ in range(300):
            s = mpmath.sqrt(q)
            new = w * E(lambda z, s=s: mpmath.tanh(s * z) ** 2) + b
            done = abs(new - q) < 1e-13 or new < 1e-30
            q = new
            if done:
                break
        return w * E(lambda z: mpmath.sech(mpmath.sqrt(q) * z) ** 4)
    vals = [float(chi(w, b)) for w in (0.5, 2.0) for b in (0.0, 0.1)]
    ax.figure.canvas.draw()
    lo, hi = sorted(bar.get_ylim())
    mesh = ax.collections[0]
    assert mesh.norm.vmin == pytest.approx(min(vals), rel=1e-3)
    assert mesh.norm.vmax == pytest.approx(max(vals), rel=2e-2)
    assert hi <= max(vals) * 1.05 and lo >= min(vals) * 0.95  # the bar stops where the data stop
    assert float(mesh.norm(1.0)) == pytest.approx(0.5)   # chi_1 = 1 stays the centre colour


def test_relu_band_does_not_start_at_zero():
    ax = plot.gradient_product("relu", 10, weight=1.0, trials=100)
    ymin = ax.get_ylim()[0]
    for band in [c for c in ax.collections if (c.get_gid() or "").startswith("band-")]:
        for path in band.get_paths():
            ys = path.vertices[:, 1]
            ys = ys[np.isfinite(ys)]
            assert (ys > 0).all() and ys.min() >= ymin, ys.min()
    # a ReLU chain at w = 1 multiplies factors 0 or 1: the 10 % quantile is 0 after one layer
    assert any("10 % quantile is 0" in t.get_text() for t in ax.texts)
    assert ymin > 1e-20


def test_chi_legend_is_a_short_decimal_with_its_level():
    # leaky ReLU (slope 1/100) at w = 1.4: chi_1 = 1.96 (1 + 1e-4) / 2 = 490049/500000 exactly
    ax = plot.gradient_product("leaky_relu", 5, weight=1.4, simulate=False)
    label = next(t for t in _labels(ax) if "mean field" in t)
    assert "490049" not in label and "0.9801" in label and "exact" in label
    ax = plot.gradient_product("relu", 5, weight=2**0.5, simulate=False)
    assert any(r"\chi_1 = 1" in t for t in _labels(ax))


def test_cmap_of_several_activations():
    import mpmath

    ax = plot.cmap(["relu", "tanh"], 2, points=5)
    curves = [ln for ln in ax.lines if ln.get_label().startswith("C(c)")]
    assert [ln.get_label() for ln in curves] == ["C(c), relu", "C(c), tanh"]
    # ReLU at sigma_w^2 = 2 (q* = q): C(0) = 1/pi (Cho & Saul)
    xs, ys = curves[0].get_data()
    assert ys[list(xs).index(0.0)] == pytest.approx(float(1 / mpmath.pi), rel=1e-12)
