"""Time budgets for symbolic work that may not terminate quickly.

SymPy's ``solveset``, ``integrate`` and ``limit`` can run for minutes on
innocent-looking activation derivatives.  :func:`time_budget` bounds such a
call; the caller catches :class:`BudgetExceeded` and falls back to a certified
or numeric route, and says so in its result.

The budget uses ``SIGALRM`` and so only applies in the main thread of the main
interpreter on POSIX systems; elsewhere the body runs unbounded (the same
semantics as ``pytest-timeout``'s signal method).
"""

from __future__ import annotations

import contextlib
import signal
import threading
import time
from collections.abc import Callable, Iterator
from typing import TypeVar

__all__ = ["BudgetExceeded", "run_with_budget", "time_budget"]

T = TypeVar("T")


class BudgetExceeded(Exception):  # noqa: N818 - reads better at call sites
    """The symbolic computation did not finish within its time budget."""


class _Alarm(BaseException):
    # A BaseException so that SymPy's internal ``except Exception`` blocks
    # cannot swallow it; converted to BudgetExceeded at the boundary.
    pass


def _can_alarm() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


@contextlib.contextmanager
def time_budget(seconds: float | None) -> Iterator[None]:
    """Raise :class:`BudgetExceeded` if the body runs longer than ``seconds``.

    Nested budgets are honoured: the inner one never extends the outer one.

    >>> with time_budget(5):
    ...     1 + 1
    2
    >>> import time
    >>> with time_budget(0.05):
    ...     time.sleep(1)
    Traceback (most recent call last):
    ...
    symact._budget.BudgetExceeded: symbolic work exceeded its 0.05 s budget
    """
    if seconds is None or seconds <= 0 or not _can_alarm():
        yield
        return
    outer_remaining, _ = signal.getitimer(signal.ITIMER_REAL)
    if outer_remaining and outer_remaining < seconds:
        # An enclosing budget expires first; let it fire.
        yield
        return

    def _handler(signum: int, frame: object) -> None:
        raise _Alarm

    started = time.monotonic()
    previous = signal.signal(signal.SIGALRM, _handler)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    except _Alarm:
        raise BudgetExceeded(f"symbolic work exceeded its {seconds:g} s budget") from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if outer_remaining:
            # Re-arm the enclosing budget with what is left of it.
            elapsed = time.monotonic() - started
            signal.setitimer(signal.ITIMER_REAL, max(outer_remaining - elapsed, 1e-3))


def run_with_budget(seconds: float | None, func: Callable[[], T]) -> T:
    """Call ``func()`` under :func:`time_budget`.

    >>> run_with_budget(1, lambda: 6 * 7)
    42
    """
    with time_budget(seconds):
        return func()
