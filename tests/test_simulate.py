"""Seeded simulations against the worst-case bound and the mean-field prediction χ₁ⁿ."""

from __future__ import annotations

import numpy as np
import pytest

from symact.expressions.catalogue import activation
from symact.propagation.simulate import simulate_chain, simulate_mlp

# sup |φ'| computed independently: σ' = σ(1-σ) peaks at 0 with 1/4; tanh' = sech² ≤ 1; relu' ∈ {0, 1}
SUP_DERIV = {"sigmoid": 0.25, "tanh": 1.0, "relu": 1.0}


@pytest.mark.parametrize("name", sorted(SUP_DERIV))
@pytest.mark.parametrize("weight", [0.5, 1.0, 3.0, -4.0])
def test_chain_products_respect_worst_case_bound(name, weight):
    layers = 12
    g = simulate_chain(activation(name), layers, weight, trials=500, seed=1)
    assert g.shape == (500, layers + 1)
    assert (g[:, 0] == 1).all()
    bound = (SUP_DERIV[name] * abs(weight)) ** np.arange(layers + 1)
    assert (g <= bound * (1 + 1e-12)).all()


def test_chain_is_seeded():
    a = simulate_chain(activation("tanh"), 5, 2.0, trials=50, seed=3)
    b = simulate_chain(activation("tanh"), 5, 2.0, trials=50, seed=3)
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize(
    ("name", "weight_var", "chi1"),
    [("tanh", 25 / 9, 1.2098313), ("relu", 2.0, 1.0)],  # Poole et al. 2016; He et al. 2015
)
def test_mlp_gradient_tracks_chi1_power(name, weight_var, chi1):
    layers = 20
    g = simulate_mlp(activation(name), layers, 256, weight_var, trials=20, seed=0)
    assert g.shape == (20, layers + 1)
    mean = g.mean(axis=0)
    for n in (10, 20):
        per_layer = np.log(mean[n]) / n - np.log(chi1)
        assert abs(per_layer) < 0.05, (n, per_layer)
