"""Budgets racing with locks, context managers and tracers (issue 14).

A budget's watchdog interrupts a thread asynchronously.  These tests pin the
rules that keep that safe: an interruption never lands inside a context
manager's ``__enter__``/``__exit__`` or an ``uninterruptible`` block (where it
would leak a lock or a global setting), no lock is left held and no budget is
left registered after thousands of expiries in several threads, and a traced
or profiled thread (cProfile, coverage, debuggers) leaves an expired nested
budget instead of spinning for ever (CPython 3.11 spins when an asynchronous
exception is cancelled with ``PyThreadState_SetAsyncExc(id, NULL)``).
The expectations are properties (termination, timing, state), not symact
output.
"""

from __future__ import annotations

import random
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import mpmath
import pytest

from symact.core import budget as B
from symact.core.budget import BudgetExceeded, time_budget, uninterruptible
from symact.core.precision import precision_lock, workdps, workprec

ROOT = Path(__file__).resolve().parents[1]


def _spin(seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:  # pure Python: only the watchdog can stop it
        pass


def _lock_is_free() -> bool:
    got = []
    t = threading.Thread(target=lambda: got.append(B_lock_try()))
    t.start()
    t.join(5)
    return got == [True]


def B_lock_try() -> bool:
    from symact.core import precision

    ok = precision._LOCK.acquire(timeout=2)
    if ok:
        precision._LOCK.release()
    return ok


def test_no_interruption_inside_an_exit() -> None:
    log: list[str] = []

    class Slow:
        def __enter__(self) -> Slow:
            return self

        def __exit__(self, *exc: object) -> None:
            _spin(0.2)  # well past the deadline
            log.append("exit finished")

    began = time.monotonic()
    with pytest.raises(BudgetExceeded):
        with time_budget(0.05):
            with Slow():
                pass
            _spin(5)
    assert log == ["exit finished"]
    assert time.monotonic() - began < 2


def test_uninterruptible_block_finishes_then_the_budget_applies() -> None:
    log: list[str] = []
    began = time.monotonic()
    with pytest.raises(BudgetExceeded):
        with time_budget(0.05):
            with uninterruptible():
                _spin(0.2)
                log.append("block finished")
            _spin(5)
    assert log == ["block finished"]
    assert time.monotonic() - began < 2
    assert B._thread_watch().masked == 0


def test_many_expiries_in_threads_leave_no_lock_and_no_budget() -> None:
    prec = mpmath.mp.prec
    stop = time.monotonic() + 2.0
    errors: list[BaseException] = []
    cut: list[float] = []

    def work(k: int) -> None:
        rnd = random.Random(k)
        try:
            while time.monotonic() < stop:
                try:
                    with time_budget(rnd.choice([0.0005, 0.001, 0.003])):
                        for _ in range(rnd.randint(1, 8)):
                            with workdps(rnd.choice([20, 40])):
                                mpmath.mpf(1) / 3
                                _spin(rnd.uniform(0, 0.001))
                                try:
                                    with time_budget(rnd.choice([0.0003, 0.01])):
                                        with precision_lock():
                                            _spin(rnd.uniform(0, 0.001))
                                        with workprec(80, flint=False):
                                            _spin(rnd.uniform(0, 0.0005))
                                except BudgetExceeded:
                                    pass
                            _spin(rnd.uniform(0, 0.0005))
                except BudgetExceeded:
                    pass
            assert B._thread_watch().masked == 0
            assert not B._thread_watch().deadlines
            began = time.monotonic()  # the thread can still be interrupted
            try:
                with time_budget(0.1):
                    _spin(5)
            except BudgetExceeded:
                pass
            cut.append(time.monotonic() - began)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(k,), daemon=True) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not any(t.is_alive() for t in threads), "a thread hung"
    assert not errors, errors
    assert len(cut) == 4 and max(cut) < 1.5, cut
    assert not B._watches
    assert mpmath.mp.prec == prec
    assert _lock_is_free()


_NESTED = """
import time
from symact.core.budget import BudgetExceeded, time_budget
def spin(t):
    end = time.monotonic() + t
    while time.monotonic() < end:
        pass
n = 0
for i in range(40):
    try:
        with time_budget(1.0):
            try:
                with time_budget(0.003):
                    spin(0.05)
            except BudgetExceeded:
                n += 1
            spin(0.001)
    except BudgetExceeded:
        pass
    try:
        with time_budget(0.004):
            with time_budget(1):
                spin(0.05)
    except BudgetExceeded:
        n += 1
print(n)
"""


@pytest.mark.parametrize("tracer", ["cprofile", "settrace"])
def test_expired_nested_budgets_under_a_tracer(tracer: str, tmp_path: Path) -> None:
    script = tmp_path / "nested.py"
    script.write_text(_NESTED)
    if tracer == "cprofile":
        cmd = [sys.executable, "-m", "cProfile", "-o", str(tmp_path / "x.prof"), str(script)]
    else:
        cmd = [sys.executable, "-c", textwrap.dedent(f"""
            import runpy, sys
            sys.settrace(lambda *a: None)
            runpy.run_path({str(script)!r})
        """)]  # fmt: skip
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=60, env=env, cwd=tmp_path)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split()[-1] == "80"
