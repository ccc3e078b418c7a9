"""Figures from :mod:`symact.plot`: rendered with Agg, checked for content and pixels."""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest
from matplotlib.testing.compare import compare_images

import symact as sa
from symact import plot

BASELINE = Path(__file__).parent / "baseline"


@pytest.fixture(autouse=True)
def _close_all():
    yield
    plt.close("all")


def _render(fig, path: Path) -> Path:
    fig.savefig(path, format="png")
    assert path.stat().st_size > 1000
    return path


def _labels(ax) -> list[str]:
    return ax.get_legend_handles_labels()[1]


def test_activation_sigmoid_marks_exact_sup(tmp_path):
    fig = plot.activation(sa.activation("sigmoid"))
    _render(fig, tmp_path / "sigmoid.png")
    assert len(fig.axes) == 1
    ax = fig.axes[0]
    assert ax.get_xlabel() == "$x$" and ax.get_ylabel() == "value"
    assert ax.get_title() == "sigmoid"
    sup = [t for t in _labels(ax) if "sup" in t]
    assert len(sup) == 1 and r"\frac{1}{4}" in sup[0] and "attained" in sup[0]
    inf = [t for t in _labels(ax) if "inf" in t]
    assert len(inf) == 1 and "= $0$" in inf[0] and "approached" in inf[0]
    marker = next(ln for ln in ax.lines if ln.get_gid() == "sup-marker")
    assert list(marker.get_xdata()) == [0.0] and list(marker.get_ydata()) == [0.25]
    # three curves: phi, phi', phi''
    assert {r"$\varphi$", r"$\varphi'$", r"$\varphi''$"} <= set(_labels(ax))
    assert not [ln for ln in ax.lines if ln.get_gid() == "kink"]


def test_activation_relu_kink_lines(tmp_path):
    fig = plot.activation("relu", orders=(0, 1))
    _render(fig, tmp_path / "relu.png")
    ax = fig.axes[0]
    kinks = [ln for ln in ax.lines if ln.get_gid() == "kink"]
    assert len(kinks) == 1 and list(kinks[0].get_xdata()) == [0, 0]
    assert kinks[0].get_linestyle() == ":"
    assert "kink" in _labels(ax)
    assert any("sup" in t and "= $1$" in t for t in _labels(ax))


def test_activation_approached_sup_hardswish():
    fig = plot.activation("hardswish", orders=(1,))
    ax = fig.axes[0]
    sup = next(t for t in _labels(ax) if "sup" in t)
    assert r"\frac{3}{2}" in sup and "approached" in sup
    marker = next(ln for ln in ax.lines if ln.get_gid() == "sup-marker")
    assert list(marker.get_xdata()) == [3.0]
    assert marker.get_markerfacecolor() == "white"  # open circle: not attained


def test_activation_honours_ax():
    fig, (a1, a2) = plt.subplots(1, 2)
    out = plot.activation("tanh", orders=(0,), ax=a2)
    assert out is fig and len(fig.axes) == 2
    assert a2.get_title() == "tanh" and not a1.lines


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

    monkeypatch.setattr(plot, "_mark_extremum", boom)
    n = len(plt.get_fignums())
    with pytest.raises(RuntimeError, match="boom"):
        plot.activation("relu")
    assert len(plt.get_fignums()) == n
    # a figure given by the caller is left open
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


def test_gradient_product(tmp_path):
    fig = plot.gradient_product(["sigmoid", "relu"], 20, weight=1.0, trials=50)
    _render(fig, tmp_path / "gp.png")
    ax = fig.axes[0]
    assert ax.get_yscale() == "log"
    assert ax.get_xlabel() == "depth $n$ (layers)"
    assert "partial" in ax.get_ylabel()
    gids = {ln.get_gid() for ln in ax.lines}
    assert {"bound-sigmoid", "bound-relu", "eps"} <= gids
    bound = next(ln for ln in ax.lines if ln.get_gid() == "bound-sigmoid")
    assert bound.get_ydata()[10] == pytest.approx(0.25**10)
    eps = next(ln for ln in ax.lines if ln.get_gid() == "eps")
    assert list(eps.get_ydata()) == [1e-6, 1e-6]
    assert "meanfield-sigmoid" in gids and "simulated-sigmoid" in gids
    sim = next(ln for ln in ax.lines if ln.get_gid() == "simulated-sigmoid")
    assert (sim.get_ydata()[1:] <= bound.get_ydata()[1:] * (1 + 1e-12)).all()


def test_gradient_product_graceful_without_meanfield(monkeypatch):
    import symact.propagation.meanfield

    def fail(*args, **kwargs):
        raise ValueError("no")

    monkeypatch.setattr(symact.propagation.meanfield, "mean_field", fail)
    fig = plot.gradient_product("sigmoid", 5, simulate=False)
    labels = _labels(fig.axes[0])
    assert any("mean field unavailable" in t for t in labels)


def test_gradient_product_bad_layers():
    with pytest.raises(ValueError, match="layers"):
        plot.gradient_product("relu", 0)
    with pytest.raises(ValueError, match="at least one"):
        plot.gradient_product([], 5)


def test_catalogue(tmp_path):
    fig = plot.catalogue(["relu", "sigmoid", "tanh", "elu", "softsign"], ncols=2)
    _render(fig, tmp_path / "cat.png")
    assert len(fig.axes) == 5
    assert [a.get_title() for a in fig.axes] == ["relu", "sigmoid", "tanh", "elu", "softsign"]
    assert any(ln.get_gid() == "kink" for ln in fig.axes[0].lines)


def test_phase(tmp_path):
    fig = plot.phase("tanh", weight_vars=[0.5, 1, 1.5, 2, 3], bias_vars=[0, 0.05, 0.1])
    _render(fig, tmp_path / "phase.png")
    assert len(fig.axes) == 2  # heat map and colour bar
    ax = fig.axes[0]
    assert ax.get_xlabel() == r"$\sigma_w^2$" and ax.get_ylabel() == r"$\sigma_b^2$"
    assert any("edge of chaos" in t for t in _labels(ax))
    fig2, ax2 = plt.subplots()
    assert plot.phase("tanh", weight_vars=[0.5, 2], bias_vars=[0, 0.1], ax=ax2) is fig2


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
