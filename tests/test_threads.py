"""Concurrent calls give the sequential answers and leave mpmath's context alone (issue 14).

Eight threads run cheap calls over a part of the catalogue in different orders
after the caches are cleared; every answer must equal the one computed
sequentially before, and ``mpmath.mp.prec`` (and python-flint's ``ctx.prec``)
must be what they were.  The expected values are symact's own sequential
answers, which the rest of the suite checks against independent references;
here the point is that threads do not change them.  A second test runs
budgets that expire in some threads while others keep computing.
"""

from __future__ import annotations

import sys
import threading
import time

import mpmath
import pytest
import sympy

import symact as sa
from symact.core.budget import BudgetExceeded, time_budget

CHEAP = [
    "arctan", "elu", "gaussian", "hard_sigmoid", "hard_tanh", "identity", "leaky_relu",
    "relu", "relu6", "sigmoid", "threshold", "tanh",
]  # fmt: skip
EXPECT = ["sigmoid", "relu", "tanh", "gaussian", "identity", "leaky_relu", "threshold"]


def _exact(pair) -> tuple:
    # the binary values themselves: str(mpf) depends on the printing thread's precision
    return tuple(v._mpf_ for v in pair) if pair is not None else None


def _answers(name: str) -> tuple:
    b = sa.derivative_bounds(name)
    act = sa.activation(name)
    d1 = act.derivative()
    value = act.numeric(backend="mpmath")(mpmath.mpf(0.25), dps=40)  # exact input
    g = sa.gradient_bound(name, 7, weight=3)
    out = (
        sympy.srepr(b.sup.value), _exact(b.sup.enclosure), sympy.srepr(b.inf.value),
        sympy.srepr(d1), mpmath.nstr(value, 40), sympy.srepr(g.expr), g.regime,
    )  # fmt: skip
    if name in EXPECT:
        e = sa.expect(name, dps=25)
        out += (sympy.srepr(e.value), _exact(getattr(e, "enclosure", None)), sympy.srepr(e.evalf(20)))
    return out


def _flint_prec() -> int | None:
    flint = sys.modules.get("flint")
    return getattr(getattr(flint, "ctx", None), "prec", None)


def test_eight_threads_match_sequential_results() -> None:
    sequential = {name: _answers(name) for name in CHEAP}
    prec, fprec = mpmath.mp.prec, _flint_prec()
    sa.clear_cache()
    results: dict[int, dict[str, tuple]] = {}
    errors: list[BaseException] = []
    start = threading.Barrier(8)

    def worker(k: int) -> None:
        start.wait()
        order = CHEAP[k:] + CHEAP[:k]
        try:
            results[k] = {name: _answers(name) for name in order}
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(8)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors
    assert time.perf_counter() - began < 120
    assert len(results) == 8
    for k, got in results.items():
        for name in CHEAP:
            assert got[name] == sequential[name], (k, name)
    assert mpmath.mp.prec == prec
    assert _flint_prec() == fprec


def test_budgets_expire_in_some_threads_only() -> None:
    prec = mpmath.mp.prec
    sa.clear_cache()
    expected = sympy.Rational(1, 4)
    outcome: dict[str, object] = {}

    def slow(k: int) -> None:
        begun = time.perf_counter()
        try:
            with time_budget(0.4):
                sa.expect("softplus", dps=30)  # takes seconds here
            outcome[f"slow{k}"] = "finished"
        except BudgetExceeded:
            outcome[f"slow{k}"] = time.perf_counter() - begun

    def fast(k: int) -> None:
        outcome[f"fast{k}"] = sa.derivative_bounds("sigmoid").sup.value

    threads = [threading.Thread(target=slow, args=(k,)) for k in range(3)]
    threads += [threading.Thread(target=fast, args=(k,)) for k in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    for k in range(3):
        assert outcome[f"fast{k}"] == expected
        took = outcome[f"slow{k}"]
        if took == "finished":
            pytest.skip("the machine was fast enough to finish within the budget")
        assert isinstance(took, float) and took < 3.0, took
    assert mpmath.mp.prec == prec
