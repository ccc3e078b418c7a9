"""Wall-clock and CPU-time budgets (issue 20, item 9).

Wall-clock time may only turn an answer into "over budget": an expired wall-clock
budget is never caught by an inner step that falls back, and every inner step is
bounded by the CPU time of its own thread, which does not move with the machine's
load.  The expectations are properties of the clocks (what a sleeping or a busy
neighbour thread costs), not symact output.
"""

from __future__ import annotations

import ast
import dataclasses
import threading
import time
from pathlib import Path

import mpmath
import pytest
import sympy

from symact.core.budget import BudgetExceeded, check_deadline, remaining, time_budget

ROOT = Path(__file__).resolve().parents[1]
PER_THREAD = hasattr(time, "pthread_getcpuclockid")


def _spin(seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:  # pure Python: only the watchdog can stop it
        pass


def _spin_cpu(seconds: float) -> None:
    end = time.thread_time() + seconds
    while time.thread_time() < end:
        pass


def test_a_cpu_budget_does_not_count_time_the_thread_does_not_run() -> None:
    with time_budget(0.2, clock="cpu"):
        time.sleep(0.4)  # twice the budget in wall-clock time, almost no CPU time
        check_deadline()
    with pytest.raises(BudgetExceeded, match=r"0\.2 s CPU-time budget"), time_budget(0.2, clock="cpu"):
        _spin(5)  # pure Python: the watchdog reads this thread's CPU clock and interrupts it


def test_a_cpu_budget_is_checked_cooperatively() -> None:
    with pytest.raises(BudgetExceeded), time_budget(0.05, clock="cpu"):
        _spin_cpu(0.1)
        check_deadline()
    with time_budget(10, clock="cpu"):
        assert 0 < remaining() <= 10


@pytest.mark.skipif(not PER_THREAD, reason="no per-thread CPU clock on this platform")
def test_a_busy_neighbour_thread_does_not_use_up_a_cpu_budget() -> None:
    done = threading.Event()
    out: list[str] = []

    def idle() -> None:
        try:
            with time_budget(0.2, clock="cpu"):
                done.wait(5)  # waits while the main thread burns 0.6 s of CPU time
                check_deadline()
            out.append("finished")
        except BudgetExceeded:
            out.append("expired")

    t = threading.Thread(target=idle)
    t.start()
    _spin_cpu(0.6)
    done.set()
    t.join(10)
    assert out == ["finished"]


def test_an_expired_wall_budget_is_never_caught_by_an_inner_fallback() -> None:
    fell_back = []
    start = time.monotonic()
    with pytest.raises(BudgetExceeded, match=r"0\.2 s budget"), time_budget(0.2):
        for _ in range(3):
            try:  # an inner step that falls back when its own CPU budget runs out
                with time_budget(100, clock="cpu"):
                    _spin(1)
            except BudgetExceeded:
                fell_back.append("inner budget")
            try:  # a step that catches BudgetExceeded from a cooperative check
                time.sleep(0.3)
                check_deadline()
            except BudgetExceeded:
                fell_back.append("check")
    assert fell_back == []
    assert time.monotonic() - start < 3


def test_an_expired_cpu_budget_falls_back_inside_a_wall_budget() -> None:
    with time_budget(30):
        try:
            with time_budget(0.05, clock="cpu"):
                _spin(5)
            answer = "first route"
        except BudgetExceeded:
            answer = "fallback"
        assert answer == "fallback"
        check_deadline()  # the outer budget is still open and not expired


def test_an_outer_cpu_budget_expiring_inside_an_inner_one_belongs_to_the_outer() -> None:
    caught = []
    with pytest.raises(BudgetExceeded, match=r"0\.1 s CPU-time"), time_budget(0.1, clock="cpu"):
        try:
            with time_budget(50, clock="cpu"):
                _spin(5)
        except BudgetExceeded:
            caught.append("inner")
    assert caught == []


def test_a_budget_clock_is_checked() -> None:
    with pytest.raises(ValueError, match="'wall' or 'cpu'"):
        time_budget(1, clock="process")  # type: ignore[arg-type]


def _inner_budgets() -> list[str]:
    """``time_budget(...)`` and ``run_isolated(...)`` calls in the package that measure wall-clock time."""
    found = []
    for path in sorted((ROOT / "symact").rglob("*.py")):
        if path.name == "budget.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) in ("time_budget", "run_isolated"):
                clock = {k.arg: k.value for k in node.keywords}.get("clock")
                if not (isinstance(clock, ast.Constant) and clock.value == "cpu"):
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def test_no_inner_step_has_a_wall_clock_budget() -> None:
    # the outer budget of a public call is call_budget(); every inner step that falls
    # back when its budget runs out must measure its thread's CPU time
    assert _inner_budgets() == []


def test_an_expired_limit_names_the_budget_not_the_mathematics(monkeypatch) -> None:
    from symact.analysis import candidates
    from symact.core.errors import CertificationError
    from symact.expressions.activation import x

    monkeypatch.setattr(candidates, "_SOLVE_BUDGET", 1e-6)
    f = 1 - sympy.tanh(x) ** 2
    with pytest.raises(CertificationError) as info:
        candidates.end_limits(f, -sympy.oo, sympy.oo)
    text = str(info.value)
    assert "CPU-time budget" in text and "could not find the limit" not in text


def test_a_range_with_an_unbounded_certified_end_does_not_crash() -> None:
    # a certified sup whose enclosure is (lo, +inf) -- what a fallback may return for an
    # unbounded activation -- gives the range [.., oo), not an AttributeError
    from symact.analysis.extrema import inf, sup
    from symact.analysis.properties import _range
    from symact.expressions.activation import x

    lo = inf(sympy.exp(x))
    hi = dataclasses.replace(sup(sympy.exp(x)), exact=False, enclosure=(mpmath.mpf(1), mpmath.inf))
    low = dataclasses.replace(lo, exact=False, enclosure=(-mpmath.inf, mpmath.mpf(0)))
    r = _range(low, hi)
    assert r.start == -sympy.oo and r.end == sympy.oo


def test_an_isolated_call_is_limited_by_its_cpu_time() -> None:
    from symact.core.budget import run_isolated

    assert run_isolated(0.2, time.sleep, 0.5, clock="cpu") is None  # sleeping costs no CPU time
    with time_budget(30, clock="cpu"):  # the child cannot read the parent thread's clock
        assert run_isolated(10, pow, 2, 10, clock="cpu") == 1024
        assert run_isolated(10, pow, 2, 10) == 1024
    start = time.monotonic()
    with pytest.raises(BudgetExceeded, match=r"0\.2 s CPU-time budget"):
        # one C call that never checks a deadline: the kernel's CPU limit stops the child
        run_isolated(0.2, sum, range(10**13), clock="cpu")
    assert time.monotonic() - start < 60


def test_an_answer_shaped_by_a_cpu_budget_is_cached() -> None:
    # where a CPU-time budget runs out does not depend on the load: its fallback is the
    # answer, and a hard input does not pay for the same give-up on every call
    from symact.core.cache import cached

    calls = []

    @cached(maxsize=4)
    def answer(n: int) -> str:
        calls.append(n)
        try:
            with time_budget(0.02, clock="cpu"):
                _spin(5)
        except BudgetExceeded:
            return "fallback"
        return "first route"

    assert answer(1) == answer(1) == "fallback"
    assert calls == [1]
