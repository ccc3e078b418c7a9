"""symact.networks: propagate, block gains, init reports, learning rates, residual bounds.

References written here, never symact's output: neural-tangents' stax kernel formulas
(Dense, Relu, Erf, LayerNorm, FanInSum) reimplemented in float64; mpmath quadrature; and
finite-width NumPy simulations (forward pass, forward-mode Jacobian, backprop NTK).
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
import sympy

import symact as sa

# --------------------------------------------------------------- neural-tangents' formulas


def nt_dense(s, w, b):
    q1, q2, k, t11, t22, t12 = s
    q1, q2, k = w * q1 + b, w * q2 + b, w * k + b
    return (q1, q2, k, w * t11 + q1, w * t22 + q2, w * t12 + k)


def nt_relu(s):
    q1, q2, k, t11, t22, t12 = s
    c = max(-1.0, min(1.0, k / math.sqrt(q1 * q2)))
    th = math.acos(c)
    kk = math.sqrt(q1 * q2) / (2 * math.pi) * (math.sin(th) + (math.pi - th) * math.cos(th))
    kd = (math.pi - th) / (2 * math.pi)
    return (q1 / 2, q2 / 2, kk, t11 / 2, t22 / 2, kd * t12)


def nt_erf(s):
    q1, q2, k, t11, t22, t12 = s

    def kern(a, b, c):
        return 2 / math.pi * math.asin(2 * c / math.sqrt((1 + 2 * a) * (1 + 2 * b)))

    def dot(a, b, c):
        return 4 / math.pi / math.sqrt((1 + 2 * a) * (1 + 2 * b) - 4 * c * c)

    return (kern(q1, q1, q1), kern(q2, q2, q2), kern(q1, q2, k), dot(q1, q1, q1) * t11,
            dot(q2, q2, q2) * t22, dot(q1, q2, k) * t12)


def nt_layernorm(s):
    q1, q2, k, t11, t22, t12 = s
    p = math.sqrt(q1 * q2)
    return (1.0, 1.0, k / p, t11 / q1, t22 / q2, t12 / p)


def nt_faninsum(a, b):
    return tuple(x + y for x, y in zip(a, b, strict=True))


def ours(r):
    return (float(r.nngp[0][0]), float(r.nngp[1][1]), float(r.nngp[0][1]),
            float(r.ntk[0][0]), float(r.ntk[1][1]), float(r.ntk[0][1]))


def close(a, b, tol=1e-14):
    for x, y in zip(a, b, strict=True):
        assert abs(x - y) <= tol * max(1.0, abs(y)), (a, b)


def start(q1, q2, c):
    return (q1, q2, c * math.sqrt(q1 * q2), 0.0, 0.0, 0.0)


@pytest.mark.parametrize("q1, q2, c", [(1.0, 1.0, 0.5), (2.0, 0.5, -0.3), (1.5, 1.5, 0.9)])
def test_relu_erf_layernorm_chains_match_neural_tangents(q1, q2, c):
    s = start(q1, q2, c)
    for _ in range(3):
        s = nt_relu(nt_dense(s, 2.0, 0.25))
    s = nt_erf(nt_dense(s, 1.5, 0.0))
    s = nt_layernorm(s)
    net = sa.serial(sa.repeat(sa.serial(sa.dense(2, "0.25"), "relu"), 3), sa.dense("1.5"),
                    "erf(x)", sa.layer_norm())
    close(ours(sa.propagate(net, q1, q2, c)), s)


def test_faninsum_residual_matches_neural_tangents():
    # stax.serial(FanOut(2), parallel(Identity(), serial(Dense, Relu, Dense)), FanInSum())
    s = start(1.0, 1.0, 0.5)
    for _ in range(4):
        s = nt_faninsum(s, nt_dense(nt_relu(nt_dense(s, 2.0, 0.0)), 1.0, 0.0))
    net = sa.repeat(sa.residual(sa.serial(sa.dense(2), "relu", sa.dense(1))), 4)
    close(ours(sa.propagate(net, 1, 1, "0.5")), s)


def test_dks_shortcut_weight_maps():
    # DKS (Martens et al. 2021): y = w x + sqrt(1 - w^2) f(x) combines the maps as
    # Q(q) = w^2 q + (1 - w^2) Q_f(q), K(k) = w^2 k + (1 - w^2) K_f(k) for a centred input.
    # E[tanh(u) tanh(v)] by a 160 x 160 Gauss-Hermite rule (tanh is entire in a strip:
    # the rule's error is far below 1e-13 here).
    w = 0.6
    nodes, weights = np.polynomial.hermite_e.hermegauss(160)
    weights = weights / math.sqrt(2 * math.pi)
    Z1, Z2 = np.meshgrid(nodes, nodes, indexing="ij")
    W2 = np.outer(weights, weights)

    def f_kernel(c):
        return float(np.sum(W2 * np.tanh(Z1) * np.tanh(c * Z1 + math.sqrt(1 - c * c) * Z2)))

    q_ref = w**2 + (1 - w**2) * f_kernel(1.0)
    k_ref = w**2 * 0.5 + (1 - w**2) * f_kernel(0.5)
    net = sa.residual(sa.serial(sa.dense(1), "tanh"), skip="0.6", branch_weight="0.8")
    r = sa.propagate(net, 1, 1, "0.5")
    assert abs(float(r.nngp[0][0]) - q_ref) < 1e-12
    assert abs(float(r.nngp[0][1]) - k_ref) < 1e-12


# ------------------------------------------------------------------ exact closed forms
def test_relu_ntk_grows_linearly_exactly():
    for depth in (1, 5, 50):
        net = sa.serial(sa.repeat(sa.serial(sa.dense(2), "relu"), depth), sa.dense(1))
        r = sa.propagate(net, 3)
        assert r.level == "exact"
        assert r.ntk[0][0].value == 3 * (depth + 1)  # Theta(x, x) = (L + 1) q
        assert r.q1.value == 3 and r.chi.value == 2 ** 0 * 1  # chi = prod(2 * 1/2) = 1


def test_swiglu_gain():
    with mpmath.workdps(40):
        silu2 = mpmath.quad(lambda z: (z / (1 + mpmath.exp(-z))) ** 2 * mpmath.npdf(z),
                            [-mpmath.inf, 0, mpmath.inf])
        ref = 1 / mpmath.sqrt(silu2)
    assert abs(ref - mpmath.mpf("1.6765324703310912")) < 1e-15
    g = sa.block_gain(sa.glu("silu"))
    lo, hi = g.enclosure
    with mpmath.workdps(40):
        assert lo - mpmath.mpf(10) ** -28 <= ref <= hi + mpmath.mpf(10) ** -28
    assert sa.block_gain("relu").value == sympy.sqrt(2)


def test_dyt_critical_alpha_against_mpmath():
    for q in (1, "0.25"):
        with mpmath.workdps(30):
            qq = mpmath.mpf(q)
            f = lambda a, qq=qq: a**2 * mpmath.quad(  # noqa: E731
                lambda z: mpmath.sech(a * mpmath.sqrt(qq) * z) ** 4 * mpmath.npdf(z),
                [-mpmath.inf, 0, mpmath.inf]) - 1
            ref = mpmath.findroot(f, 1.9)
        a = sa.dyt_critical_alpha(q, dps=20)
        lo, hi = a.enclosure
        with mpmath.workdps(40):
            assert lo - mpmath.mpf(10) ** -25 <= ref <= hi + mpmath.mpf(10) ** -25
            assert hi - lo < mpmath.mpf(10) ** -18


def test_residual_bound():
    n, w = sympy.symbols("n w", positive=True)
    assert sa.residual_bound("sigmoid", n, weight=w).expr == (1 + w / 4) ** n
    b = sa.residual_bound("tanh", 10, skip="0.5", branch_weight="0.25")
    assert b.per_block == sympy.Rational(3, 4) and b.regime == "vanishing"
    assert b.depth_below("1e-6") == math.floor(math.log(1e-6) / math.log(0.75)) + 1


def test_learning_rate_relu_vs_sigmoid():
    relu = sa.serial(sa.repeat(sa.serial(sa.dense(2), "relu"), 10), sa.dense(1))
    lr = sa.learning_rate(relu)
    assert lr.level == "exact" and lr.eta_max.value == sympy.Rational(2, 11)
    lr4 = sa.learning_rate(relu, n_inputs=4, c="0.5")
    # lambda_max = Theta11 + 3 Theta12, Theta12 from neural-tangents' recursion
    s = start(1.0, 1.0, 0.5)
    for _ in range(10):
        s = nt_relu(nt_dense(s, 2.0, 0.0))
    s = nt_dense(s, 1.0, 0.0)
    assert abs(float(lr4.lambda_max) - (s[3] + 3 * s[5])) < 1e-12


# --------------------------------------------------------------- finite-width simulation
def simulate(blocks, q, c, width, seed):
    """q, c and the mean squared Jacobian after ``blocks`` (a list of ('dense', w) / ('act', f, df) /
    ('ln',) / ('res', sublist, s, a) / ('glu', f, df, w)), forward mode for the Jacobian."""
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((2, width))  # inputs with exactly second moment q and correlation c
    e0 = z[0] / np.linalg.norm(z[0])
    e1 = z[1] - (z[1] @ e0) * e0
    e1 /= np.linalg.norm(e1)
    h = np.stack([e0, c * e0 + math.sqrt(1 - c * c) * e1]) * math.sqrt(q * width)
    t = rng.standard_normal(width)

    def run(items, h, t):
        for item in items:
            kind = item[0]
            if kind == "dense":
                W = rng.standard_normal((width, width)) * math.sqrt(item[1] / width)
                h, t = h @ W.T, W @ t
            elif kind == "act":
                t = item[2](h[0]) * t
                h = item[1](h)
            elif kind == "ln":
                mu = h.mean(axis=1, keepdims=True)
                sd = h.std(axis=1, keepdims=True)
                hc = h[0] - mu[0, 0]
                tc = t - t.mean()
                t = tc / sd[0, 0] - hc * (hc @ tc) / (width * sd[0, 0] ** 3)
                h = (h - mu) / sd
            elif kind == "res":
                hb, tb = run(item[1], h, t)
                h, t = item[2] * h + item[3] * hb, item[2] * t + item[3] * tb
            elif kind == "glu":
                W1 = rng.standard_normal((width, width)) * math.sqrt(item[3] / width)
                W3 = rng.standard_normal((width, width)) * math.sqrt(item[3] / width)
                u, v, tu, tv = h @ W1.T, h @ W3.T, W1 @ t, W3 @ t
                t = item[2](u[0]) * v[0] * tu + item[1](u[0]) * tv
                h = item[1](u) * v
        return h, t

    t0 = t @ t
    h, t = run(blocks, h, t)
    q1 = h[0] @ h[0] / width
    q2 = h[1] @ h[1] / width
    return q1, (h[0] @ h[1] / width) / math.sqrt(q1 * q2), (t @ t) / t0


relu = (lambda v: np.maximum(v, 0), lambda v: (v > 0).astype(float))
tanh = (np.tanh, lambda v: 1 / np.cosh(v) ** 2)
_erf = np.vectorize(math.erf)
gelu = (lambda v: v * (1 + _erf(v / math.sqrt(2))) / 2,
        lambda v: (1 + _erf(v / math.sqrt(2))) / 2 + v * np.exp(-v * v / 2) / math.sqrt(2 * math.pi))
silu = (lambda v: v / (1 + np.exp(-v)),
        lambda v: 1 / (1 + np.exp(-v)) + v * np.exp(-v) / (1 + np.exp(-v)) ** 2)

CASES = {
    "relu mlp": ([("dense", 2.0), ("act", *relu)] * 4,
                 sa.repeat(sa.serial(sa.dense(2), "relu"), 4)),
    "tanh residual": ([("res", [("dense", 1.5), ("act", *tanh), ("dense", 1.0)], 1.0, 0.5)] * 4,
                      sa.repeat(sa.residual(sa.serial(sa.dense("1.5"), "tanh", sa.dense(1)),
                                            branch_weight="0.5"), 4)),
    "pre-LN gelu residual": ([("res", [("ln",), ("dense", 1.0), ("act", *gelu), ("dense", 2.0)], 1.0, 1.0)] * 3,
                             sa.repeat(sa.residual(sa.serial(sa.layer_norm(), sa.dense(1), "gelu",
                                                             sa.dense(2))), 3)),
    "swiglu": ([("glu", *silu, 1.0), ("dense", 2.0)],
               sa.serial(sa.glu("silu"), sa.dense(2))),
    "relu then layernorm": ([("dense", 2.0), ("act", *relu), ("ln",)],
                            sa.serial(sa.dense(2), "relu", sa.layer_norm())),
}


@pytest.mark.parametrize("name", list(CASES))
def test_propagate_agrees_with_finite_width_simulation(name):
    blocks, net = CASES[name]
    q, c = 1.0, 0.5
    r = sa.propagate(net, q, q, "0.5", dps=15)
    width = 512
    sims = np.array([simulate(blocks, q, c, width, seed) for seed in range(10)])
    for j, ref in enumerate((float(r.q1), float(r.c), float(r.chi))):
        mean, se = sims[:, j].mean(), sims[:, j].std(ddof=1) / math.sqrt(len(sims))
        # 3.5 standard errors (15 comparisons) plus the O(1/width) bias of finite width
        assert abs(mean - ref) <= 3.5 * se + 4 * abs(ref) / width + 1e-9, (name, j, mean, se, ref)


def empirical_ntk(depth, wv, act, dact, width, seed, q=1.0):
    """Theta(x, x) of dense/act x depth + dense readout, by backpropagation (NTK parameterisation)."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(width)
    x *= math.sqrt(q * width) / np.linalg.norm(x)
    xs, hs, Ws = [x], [], []
    for _ in range(depth):
        W = rng.standard_normal((width, width))
        h = math.sqrt(wv / width) * W @ xs[-1]
        Ws.append(W)
        hs.append(h)
        xs.append(act(h))
    r = rng.standard_normal(width)  # readout weights, variance 1
    delta = np.ones(1)
    theta = (1 / width) * (xs[-1] @ xs[-1])  # readout layer: ||x_L||^2 / n
    delta = (r / math.sqrt(width))            # d f / d x_L
    for layer in range(depth - 1, -1, -1):
        dh = dact(hs[layer]) * delta          # d f / d h_layer
        theta += (wv / width) * (dh @ dh) * (xs[layer] @ xs[layer])
        delta = math.sqrt(wv / width) * Ws[layer].T @ dh
    return theta


@pytest.mark.parametrize("name, act, dact, wv", [("relu", *relu, 2.0), ("tanh", *tanh, 1.5)])
def test_ntk_diagonal_agrees_with_backprop(name, act, dact, wv):
    depth = 3
    net = sa.serial(sa.repeat(sa.serial(sa.dense(wv), name), depth), sa.dense(1))
    ref = float(sa.propagate(net, 1, dps=15).ntk[0][0])
    sims = np.array([empirical_ntk(depth, wv, act, dact, 512, seed) for seed in range(10)])
    mean, se = sims.mean(), sims.std(ddof=1) / math.sqrt(len(sims))
    assert abs(mean - ref) <= 3.5 * se + 6 * ref / 512, (mean, se, ref)


# ------------------------------------------------------------------------ init reports
def test_init_report_gpt2_small():
    r = sa.init_report("gelu", 768, "0.02", 12, block="residual")
    assert r.weight_var == sympy.Rational(768 * 4, 10**4)
    assert r.level == "certified" and float(r.q) > 1
    r = sa.init_report("relu", 768, "0.02", 12)
    assert r.regime == "ordered" and float(r.chi) < 1e-3
    assert r.critical_std.value == sympy.sqrt(sympy.Rational(2, 768))


@pytest.mark.parametrize("bad, kwargs", [
    (lambda: sa.dense(-1), {}), (lambda: sa.dense(1, -1), {}), (lambda: sa.repeat("relu", 0), {}),
    (lambda: sa.propagate("relu", -1), {}), (lambda: sa.propagate("relu", 1, 1, "1.5"), {}),
    (lambda: sa.conv(2), {}), (lambda: sa.init_report("relu", 0, "0.02", 3), {}),
    (lambda: sa.init_report("relu", 10, "-0.02", 3), {}), (lambda: sa.dyt(0), {}),
    (lambda: sa.residual(sa.layer_norm()), {}), (lambda: sa.learning_rate("relu", n_inputs=0), {}),
])
def test_bad_input_gets_one_clean_error(bad, kwargs):
    with pytest.raises((ValueError, TypeError)) as info:
        bad()
    assert "_symact" not in str(info.value) and str(info.value)


def test_residual_growth_laws():
    # pre-LN ReLU branch, w1 = w2 = 1: q_L = 1 + L/2, chi_L = prod (1 + 1/(l + 2)) = (L + 2)/2
    net = sa.repeat(sa.residual(sa.serial(sa.layer_norm(), sa.dense(1), "relu", sa.dense(1))), 20)
    r = sa.propagate(net, 1)
    assert r.growth.q_law == "linear" and r.growth.chi_law == "polynomial"
    assert abs(float(r.q1) - 11) < 1e-20 and abs(float(r.chi) - 11) < 1e-20
    assert abs(float(r.growth.chi_rate) - 1) < 1e-20
    # homogeneous branch: exactly exponential
    net = sa.repeat(sa.residual(sa.serial(sa.dense(2), "relu", sa.dense(1)), branch_weight="0.5"), 6)
    r = sa.propagate(net, 1)
    assert r.growth.q_rate == sympy.Rational(5, 4) and r.q1.value == sympy.Rational(5, 4) ** 6
    # bounded activation: q_L <= q_0 + L w2 sup tanh^2, checked on the certified values
    net = sa.repeat(sa.residual(sa.serial(sa.dense(1), "tanh", sa.dense(2))), 10)
    r = sa.propagate(net, 1)
    assert r.growth.level == "bound" and r.growth.q_rate == 2 and float(r.q1) <= 1 + 10 * 2


def test_cli_networks_json(capsys):
    import json

    import jsonschema

    from symact.presentation.cli import main
    from symact.presentation.schema import schema

    for argv in (["stack", "relu", "--depth", "5", "--weight-var", "2", "--c", "0.5"],
                 ["lr", "tanh", "relu", "--depth", "3"],
                 ["init", "relu", "--width", "512", "--std", "0.0625", "--depth", "4"]):
        assert main([*argv, "--format", "json"]) == 0, argv
        data = json.loads(capsys.readouterr().out)
        jsonschema.validate(data, schema(argv[0]))
    assert main(["stack", "relu", "--weight-var", "-1"]) == 2
    assert "weight-var" in capsys.readouterr().err


def test_conv_modes_against_filter_spectrum_and_fc_depth_scale():
    m = sa.conv_modes("tanh", 5, "1.5", "0.05", spatial=12, dps=15)
    lam = [sum(math.cos(2 * math.pi * p * b / 12) for b in range(-2, 3)) / 5 for p in range(7)]
    assert [abs(float(v) - ref) < 1e-14 for v, ref in zip(m.filter_eigenvalues, lam, strict=True)] == [True] * 7
    # mode 0 propagates as in the fully connected network: xi_0 = xi_c
    cm = sa.correlation_map("tanh", "1.5", "0.05", dps=15)
    assert abs(float(m.depth_scales[0]) - float(cm.depth_scale)) < 1e-9
    # higher modes decay faster with Gaussian filters
    xs = [float(x) for x in m.depth_scales if x is not None]
    assert xs[0] == max(xs)
    d = sa.conv_modes("tanh", 5, "1.5", "0.05", spatial=12, weights="delta_orthogonal", dps=15)
    assert all(abs(float(x) - float(cm.depth_scale)) < 1e-9 for x in d.depth_scales)
