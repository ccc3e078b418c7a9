"""Jacobian spectrum moments: closed forms, and agreement with random-matrix simulation."""

import pytest
import sympy

from symact.propagation.spectrum import jacobian_spectrum, simulate_jacobian


def test_relu_exact():
    assert jacobian_spectrum("relu", 2, 0, 10, weights="orthogonal").variance.value == 10
    assert jacobian_spectrum("relu", 2, 0, 10, weights="gaussian").variance.value == 20


@pytest.mark.parametrize("act,wv,bv,weights", [
    ("tanh", sympy.Rational(3, 2), sympy.Rational(1, 20), "gaussian"),
    ("relu", 2, 0, "orthogonal"),
    ("sigmoid", 4, 0, "gaussian"),
])
def test_simulation_agrees(act, wv, bv, weights):
    th = jacobian_spectrum(act, wv, bv, 10, weights=weights)
    sim = simulate_jacobian(act, wv, bv, 10, width=400, weights=weights, samples=3, seed=3)
    m = float(th.mean)
    assert abs(sim.mean - m) < 5 * sim.mean_se + 0.05 * m
    v = float(th.variance)
    assert abs(sim.variance - v) < 5 * sim.variance_se + 0.1 * v
