"""Every invalid input gets exactly one clean error: typed, with a message, quickly."""

from __future__ import annotations

import math

import pytest
import sympy

import symact as sa

from .checks import clean_error, xfail

NAN, INF = math.nan, math.inf
R = sympy.Rational


def _cm(c):
    return lambda: sa.correlation_map("relu", 2)(c)


def _vm(q):
    return lambda: sa.variance_map("tanh", 2, 0)(q)


def _depth_below(eps):
    return lambda: sa.gradient_bound("sigmoid", 1).depth_below(eps)


def _sub(x0):
    return lambda: sa.activation("relu").subdifferential(x0)



# (label, call, args, kwargs, expected-failure reason or None)
INVALID = [
    # mean field
    ("mean_field negative bias_var", sa.mean_field, ("tanh", 1, -0.5), {}, None),
    ("mean_field negative weight_var", sa.mean_field, ("tanh", -1, 0), {}, None),
    ("mean_field nan weight_var", sa.mean_field, ("tanh", NAN, 0), {}, None),
    ("mean_field inf weight_var", sa.mean_field, ("tanh", INF, 0), {}, None),
    ("mean_field text weight_var", sa.mean_field, ("tanh", "abc", 0), {}, None),
    ("mean_field None weight_var", sa.mean_field, ("tanh", None, 0), {}, None),
    ("mean_field negative q0", sa.mean_field, ("tanh", 1, 0), {"q0": -1}, None),
    ("mean_field unknown activation", sa.mean_field, ("tanhh", 1, 0), {}, None),
    ("mean_field dps 0", sa.mean_field, ("tanh", 1, 0), {"dps": 0}, None),
    ("mean_field dps text", sa.mean_field, ("tanh", 1, 0), {"dps": "x"}, None),
    ("chi1 negative q", sa.chi1, ("tanh", 1, 0), {"q": -1}, None),
    ("chi1 nan weight_var", sa.chi1, ("tanh", NAN, 0), {}, None),
    ("edge_of_chaos negative bias_var", sa.edge_of_chaos, ("tanh", -1), {}, None),
    ("edge_of_chaos nan bias_var", sa.edge_of_chaos, ("tanh", NAN), {}, None),
    ("variance_map at negative q", _vm(-1), (), {}, None),
    ("q_map negative weight_var", sa.q_map, ("tanh", -2, 0), {}, None),
    ("q_map negative bias_var", sa.q_map, ("tanh", 2, -1), {}, None),
    ("correlation_map negative weight_var", sa.correlation_map, ("tanh", -2, 0), {}, None),
    ("C-map at c = 2", _cm(2), (), {}, None),
    ("C-map at c = -3/2", _cm(R(-3, 2)), (), {}, None),
    ("C-map at c = nan", _cm(NAN), (), {}, None),
    # kernels
    ("ntk negative q1", sa.ntk, ("relu", 3, 2), {"q1": -1, "c": R(1, 2)}, None),
    ("ntk c = 2", sa.ntk, ("relu", 2, 2), {"q1": 1, "c": 2}, None),
    ("ntk c = -3/2", sa.ntk, ("erf(x)", 2, 2), {"q1": 1, "c": R(-3, 2)}, None),
    ("ntk c = nan", sa.ntk, ("relu", 2, 2), {"q1": 1, "c": NAN}, None),
    ("ntk q1 = inf", sa.ntk, ("relu", 2, 2), {"q1": INF, "c": 0}, None),
    ("ntk depth -1", sa.ntk, ("relu", -1, 2), {"q1": 1, "c": 0}, None),
    ("ntk depth 1.5", sa.ntk, ("relu", 1.5, 2), {"q1": 1, "c": 0}, None),
    ("ntk depth text", sa.ntk, ("relu", "3", 2), {"q1": 1, "c": 0}, None),
    ("ntk no inputs", sa.ntk, ("relu", 2, 2), {}, None),
    ("ntk gram not PSD", sa.ntk, ("relu", 2, 2), {"gram": [[1, 2], [2, 1]]}, None),
    ("nngp negative weight_var", sa.nngp, ("relu", 2, -2, 0), {"q1": 1, "c": R(1, 2)}, None),
    ("nngp negative bias_var", sa.nngp, ("relu", 2, 2, -1), {"q1": 1, "c": R(1, 2)}, None),
    ("nngp negative weight_var, certified path", sa.nngp, ("erf(x)", 2, -2, 0), {"q1": 1, "c": R(1, 2)}, None),
    ("jacobian_spectrum negative weight_var", sa.jacobian_spectrum, ("relu", -2, 0, 3), {}, None),
    ("jacobian_spectrum depth -1", sa.jacobian_spectrum, ("tanh", R(3, 2), R(1, 20), -1), {}, None),
    ("jacobian_spectrum unknown weights", sa.jacobian_spectrum, ("tanh", 1, 0, 3), {"weights": "uniform"}, None),
    # expectations and gains
    ("expect negative q", sa.expect, ("tanh(x)**2", -1), {}, None),
    ("expect q = 0", sa.expect, ("tanh(x)**2", 0), {}, None),
    ("expect nan q", sa.expect, ("tanh(x)**2", NAN), {}, None),
    ("expect inf q", sa.expect, ("tanh(x)**2", INF), {}, None),
    ("expect nan expression", sa.expect, (NAN, 1), {}, None),
    ("expect text q", sa.expect, ("tanh(x)**2", "abc"), {}, None),
    ("expect garbage expression", sa.expect, ("tanh(x", 1), {}, None),
    ("expect unsafe expression", sa.expect, ("__import__('os').system('true')", 1), {}, None),
    ("gain unknown", sa.gain, ("not_an_activation",), {}, None),
    ("gain nan param", sa.gain, ("leaky_relu", NAN), {}, None),
    # extrema and depth
    ("derivative_bounds unknown", sa.derivative_bounds, ("sigmod",), {}, None),
    ("derivative_bounds order -1", sa.derivative_bounds, ("tanh", -1), {}, None),
    ("derivative_bounds dps -3", sa.derivative_bounds, ("tanh",), {"dps": -3}, None),
    ("sup garbage", sa.sup, ("x**",), {}, None),
    ("sup unsafe", sa.sup, ("x.__class__",), {}, None),
    ("sup empty interval", sa.sup, ("x", sympy.Interval(2, 1)), {}, None),
    ("gradient_bound layers -1", sa.gradient_bound, ("sigmoid", -1), {}, None),
    ("gradient_bound layers 1.5", sa.gradient_bound, ("sigmoid", 1.5), {}, None),
    ("gradient_bound layers nan", sa.gradient_bound, ("sigmoid", NAN), {}, None),
    ("gradient_bound layers inf", sa.gradient_bound, ("sigmoid", INF), {}, None),
    ("gradient_bound layers text", sa.gradient_bound, ("sigmoid", "ten"), {}, None),
    ("gradient_bound weight nan", sa.gradient_bound, ("sigmoid", 3), {"weight": NAN}, None),
    ("depth_below eps 0", _depth_below(0), (), {}, None),
    ("depth_below eps -1", _depth_below(-1), (), {}, None),
    ("depth_below eps nan", _depth_below(NAN), (), {}, None),
    ("depth_below eps text", _depth_below("small"), (), {}, None),
    # activations, verdicts
    ("activation unknown", sa.activation, ("rellu",), {}, None),
    ("activation bad keyword", sa.activation, ("leaky_relu",), {"negative_slope": "abc"}, None),
    ("subdifferential nan", _sub(NAN), (), {}, None),
    ("subdifferential inf", _sub(INF), (), {}, None),
    ("subdifferential text", _sub("zero"), (), {}, None),
    ("check_bound garbage bound", sa.check_bound, ("tanh(x)",), {"upper": "abc"}, None),
    ("check_bound nan bound", sa.check_bound, ("tanh(x)",), {"upper": NAN}, None),
    ("check_bound inf bound", sa.check_bound, ("tanh(x)",), {"lower": -INF}, None),
    ("check_identity nan", sa.check_identity, ("tanh(x)", NAN), {}, None),
    ("sup nan interval end", sa.sup, ("x", (NAN, 1)), {}, None),
    ("check_identity garbage", sa.check_identity, ("tanh(x", "x"), {}, None),
    ("check_claim garbage", sa.check_claim, ("relu'(0) === ((",), {}, None),
    ("check_claim empty", sa.check_claim, ("",), {}, None),
]


@pytest.mark.timeout(60)
@pytest.mark.parametrize("label, call, args, kwargs", [
    pytest.param(label, call, args, kwargs, id=label, marks=[xfail(item)] if item else [])
    for label, call, args, kwargs, item in INVALID
])
def test_invalid_input_gets_one_clean_error(label, call, args, kwargs):
    with sa.time_budget(20):  # a refusal is immediate: over budget means it was not refused
        clean_error(call, *args, **kwargs)
