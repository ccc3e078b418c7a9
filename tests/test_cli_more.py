"""symact nngp / ntk / shape / isometry / spectrum --q / gain --expr / plot NAME NAME.

References are independent: the arc-cosine closed form (Cho & Saul 2009) iterated in
mpmath, mpmath quadrature of the Gaussian integrals, and the shaping conditions
recomputed from the printed parameters.
"""

from __future__ import annotations

import json

import mpmath
import pytest

from symact.presentation.cli import main


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _relu_kernels(depth, wv, q, c):
    """NNGP and NTK of a ReLU stack from the arc-cosine formulas, in mpmath (neural-tangents' recursion)."""
    with mpmath.workdps(40):
        s11 = mpmath.mpf(q)
        s12 = mpmath.mpf(c) * q
        t12, t11 = s12, s11
        for _ in range(depth):
            rho = s12 / s11
            th = mpmath.acos(rho)
            k = s11 * (mpmath.sin(th) + (mpmath.pi - th) * mpmath.cos(th)) / (2 * mpmath.pi)
            kd = (mpmath.pi - th) / (2 * mpmath.pi)
            n12, n11 = wv * k, wv * s11 / 2
            t12 = n12 + wv * kd * t12
            t11 = n11 + wv * mpmath.mpf(1) / 2 * t11
            s12, s11 = n12, n11
        return s11, s12, t11, t12


def test_ntk_relu_matches_arc_cosine_recursion(capsys):
    code, out, _ = run(capsys, "ntk", "relu", "--depth", "3", "--weight-var", "2", "--c", "1/2",
                       "--format", "json")
    assert code == 0
    d = json.loads(out)
    _, s12, t11, t12 = _relu_kernels(3, 2, 1, mpmath.mpf(1) / 2)
    assert d["level"] == "exact"
    assert abs(d["nngp"][0][1]["float"] - float(s12)) < 1e-14
    assert abs(d["ntk"][0][1]["float"] - float(t12)) < 1e-14
    assert abs(d["ntk"][0][0]["float"] - float(t11)) < 1e-14
    code, out, _ = run(capsys, "nngp", "relu", "--depth", "1", "--weight-var", "2")
    assert code == 0 and "1/pi" in out and "ntk" not in out.split("\n", 1)[1]


def test_nngp_tanh_certified_against_quadrature(capsys):
    code, out, _ = run(capsys, "nngp", "tanh", "--depth", "1", "--weight-var", "3/2", "--c", "1/2",
                       "--format", "json")
    assert code == 0
    d = json.loads(out)
    with mpmath.workdps(20):
        # u = z1, v = c z1 + sqrt(1 - c^2) z2
        c, s = mpmath.mpf(1) / 2, mpmath.sqrt(mpmath.mpf(3) / 4)
        g = lambda t: mpmath.exp(-t * t / 2) / mpmath.sqrt(2 * mpmath.pi)  # noqa: E731
        ref = mpmath.quad(lambda a, b: g(a) * g(b) * mpmath.tanh(a) * mpmath.tanh(c * a + s * b),
                          [-12, 0, 12], [-12, 0, 12]) * mpmath.mpf(3) / 2
    assert d["level"] == "certified"
    lo, hi = d["nngp"][0][1]["enclosure"]
    assert lo - 1e-12 <= float(ref) <= hi + 1e-12


@pytest.mark.parametrize("argv, needle", [
    (["ntk", "relu", "--c", "1.5"], "--c must be a number from -1 to 1"),
    (["nngp", "relu", "--q1", "0"], "--q1 must be"),
    (["ntk", "relu", "--depth", "0"], "positive integer"),
    (["isometry", "relu", "--weights", "uniform"], "invalid choice"),
    (["shape", "tanh", "--method", "xyz"], "invalid choice"),
    (["shape", "tanh", "--zeta", "-1"], "--zeta must be"),
    (["gain", "a", "b", "--expr", "x"], "at most one NAME"),
])
def test_domain_checks_before_work(capsys, argv, needle):
    code, _, err = run(capsys, *argv)
    assert code == 2
    assert needle in err
    assert "Traceback" not in err and "_symact" not in err


def test_shape_conditions_hold_at_printed_parameters(capsys):
    code, out, _ = run(capsys, "shape", "tanh", "--zeta", "3/2", "--format", "json")
    assert code == 0
    d = json.loads(out)
    a, b = (mpmath.mpf(d[k]["float"]) for k in ("input_scale", "input_shift"))
    delta, gamma = (mpmath.mpf(d[k]["float"]) for k in ("output_shift", "output_scale"))
    f = lambda z: gamma * (mpmath.tanh(a * z + b) + delta)  # noqa: E731
    fp = lambda z: gamma * a / mpmath.cosh(a * z + b) ** 2  # noqa: E731
    E = lambda h: mpmath.quad(lambda z: h(z) * mpmath.exp(-z * z / 2), [-mpmath.inf, 0, mpmath.inf]) / mpmath.sqrt(2 * mpmath.pi)  # noqa: E731
    assert abs(E(f)) < 1e-12                       # C(0) = 0
    assert abs(E(lambda z: f(z) ** 2) - 1) < 1e-12  # Q(1) = 1
    assert abs(E(lambda z: fp(z) ** 2) - 1.5) < 1e-12  # C'(1) = zeta
    assert d["unique"] is True


def test_isometry_relu_orthogonal(capsys):
    code, out, _ = run(capsys, "isometry", "relu", "--depth", "50", "--format", "json")
    assert code == 0
    d = json.loads(out)
    # phi' in {0, 1} with probability 1/2: mu_2/mu_1^2 = 2, spread L (2 - 1 - 0) = L
    assert d["spread"]["text"] == "50" and d["attained"] is True


def test_spectrum_q(capsys):
    # tanh at sigma_w^2 = 1, sigma_b^2 = 0: q* = 0; the message names the option to use
    code, _, err = run(capsys, "spectrum", "tanh", "--depth", "100", "--weights", "orthogonal")
    assert code == 2 and "--q" in err and "q=" not in err
    code, out, _ = run(capsys, "spectrum", "tanh", "--depth", "100", "--weights", "orthogonal",
                       "--q", "0")
    assert code == 0 and "mean = 1, variance = 0" in out
    code, out, _ = run(capsys, "spectrum", "tanh", "--depth", "3", "--weights", "orthogonal",
                       "--q", "1/10", "--format", "json")
    d = json.loads(out)
    with mpmath.workdps(30):
        sq = mpmath.sqrt(mpmath.mpf(1) / 10)
        E = lambda h: mpmath.quad(lambda z: h(z) * mpmath.exp(-z * z / 2), [-mpmath.inf, 0, mpmath.inf]) / mpmath.sqrt(2 * mpmath.pi)  # noqa: E731
        m1 = E(lambda z: mpmath.sech(sq * z) ** 4)
        m2 = E(lambda z: mpmath.sech(sq * z) ** 8)
        var = m1 ** 6 * 3 * (m2 / m1**2 - 1)
    assert abs(mpmath.mpf(d["mu1"]) - m1) < 1e-15
    assert abs(mpmath.mpf(d["variance"]) - var) < 1e-15 * var
    assert d["q"] == "1/10"


def test_gain_expr_and_plot_several(capsys, tmp_path):
    code, out, _ = run(capsys, "gain", "four", "--expr", "4*sigmoid(x)", "--format", "json")
    assert code == 0
    d = json.loads(out)
    with mpmath.workdps(30):
        m2 = mpmath.quad(lambda z: (4 / (1 + mpmath.exp(-z))) ** 2 * mpmath.exp(-z * z / 2),
                         [-mpmath.inf, 0, mpmath.inf]) / mpmath.sqrt(2 * mpmath.pi)
    assert d["rows"][0]["name"] == "four"
    assert abs(d["rows"][0]["gain"]["float"] - float(1 / mpmath.sqrt(m2))) < 1e-14
    pytest.importorskip("matplotlib")
    code, out, _ = run(capsys, "plot", "sigmoid", "relu", "--kind", "gradient", "--layers", "4",
                       "-o", str(tmp_path / "g.png"), "--format", "json")
    assert code == 0 and json.loads(out)["activations"] == ["sigmoid", "relu"]
    assert (tmp_path / "g.png").stat().st_size > 1000
