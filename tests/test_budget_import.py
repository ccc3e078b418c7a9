"""A budget that expires while its thread imports a module waits for the import to finish.

An interruption inside a module's top-level code (however deep its calls go) would leave a
half-initialised module in ``sys.modules`` that other threads see: three threads importing
``sympy.integrals.manualintegrate`` under 0.3 s budgets once raised ImportError that way.
"""

import sys
import threading

from symact.core.budget import BudgetExceeded, time_budget

SLOW_MODULE = """
import time

def deep(n):
    if n:
        return deep(n - 1)
    for _ in range(30):
        time.sleep(0.01)
        sum(range(1000))

deep(12)
VALUE = 42
"""


def test_an_expiring_budget_never_interrupts_an_import(tmp_path, monkeypatch) -> None:
    (tmp_path / "symact_slow_import_probe.py").write_text(SLOW_MODULE)
    monkeypatch.syspath_prepend(str(tmp_path))
    out: list[object] = []

    def work() -> None:
        try:
            with time_budget(0.05):
                import symact_slow_import_probe

                out.append(symact_slow_import_probe.VALUE)
                while True:
                    sum(range(100))
        except BudgetExceeded:
            out.append("budget")
        except ImportError as exc:  # the failure this guards against
            out.append(exc)

    try:
        threads = [threading.Thread(target=work) for _ in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(20)
        assert sorted(map(str, out)) == ["42"] * 3 + ["budget"] * 3, out
        assert sys.modules["symact_slow_import_probe"].VALUE == 42
    finally:
        sys.modules.pop("symact_slow_import_probe", None)


def test_an_expiring_budget_never_interrupts_a_gc_callback() -> None:
    """CPython ignores what a gc callback raises: an interruption there would be lost.

    The watchdog now skips a thread inside a gc callback (hypothesis's gc callback once turned
    a budget's interruption into an "Exception ignored" failure of the hostile suite).  This
    checks the budget still ends the loop and nothing is reported as unraisable; on the old
    watchdog it fails only when the interruption happens to land inside the callback.
    """
    import gc
    import time
    import warnings

    calls: list[int] = []

    def slow_callback(phase: str, info: dict) -> None:
        if phase == "start":
            calls.append(1)
            end = time.perf_counter() + 0.004
            while time.perf_counter() < end:
                sum(range(50))

    unraisable: list[object] = []
    old_hook = sys.unraisablehook
    sys.unraisablehook = unraisable.append
    gc.callbacks.append(slow_callback)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                with time_budget(0.05):
                    while True:
                        gc.collect(0)
                        end = time.perf_counter() + 0.004
                        while time.perf_counter() < end:
                            sum(range(50))
            except BudgetExceeded:
                pass
    finally:
        gc.callbacks.remove(slow_callback)
        sys.unraisablehook = old_hook
    assert calls and not unraisable, unraisable
