"""Time budgets for symbolic work that may not terminate quickly.

SymPy's ``solveset``, ``integrate`` and ``limit`` can run for minutes on
innocent-looking activation derivatives.  :func:`time_budget` bounds such a
call; the caller catches :class:`BudgetExceeded` and falls back to a certified
or numeric route, and says so in its result.

The budget uses ``SIGALRM`` and so only applies in the main thread of the main
interpreter on POSIX systems; elsewhere the body runs unbounded (the same
semantics as ``pytest-timeout``'s signal method).  A signal is only handled
between bytecodes, so a single long C call -- Python's own arithmetic on an
enormous integer, which mpmath and SymPy can produce -- cannot be
interrupted.  :func:`run_isolated` covers that case: it runs the work in a
forked child process and kills it when the time is up.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

__all__ = ["BudgetExceeded", "expired_budgets", "run_isolated", "run_with_budget", "time_budget"]

T = TypeVar("T")


class BudgetExceeded(Exception):
    """The symbolic computation did not finish within its time budget."""

    def __init__(self, *args: object) -> None:
        super().__init__(*args)
        _EXPIRED.count += 1


class _Expired(threading.local):
    count = 0


#: Per thread, how many budgets have run out so far; caches compare it before and after
#: a call to know whether a timeout shaped the answer (see :mod:`symact.core.cache`).
_EXPIRED = _Expired()


def expired_budgets() -> int:
    """How many time budgets have run out in this thread so far.

    >>> before = expired_budgets()
    >>> try:
    ...     raise BudgetExceeded("late")
    ... except BudgetExceeded:
    ...     pass
    >>> expired_budgets() - before
    1
    """
    return _EXPIRED.count


class _Alarm(BaseException):
    # A BaseException so that SymPy's internal ``except Exception`` blocks
    # cannot swallow it; converted to BudgetExceeded at the boundary.
    pass


# Deadlines (time.monotonic) of the budgets currently open, innermost last.
# An inner budget never outlives the one enclosing it.
_deadlines: list[float] = []
_previous_handler: Any = None
# After a deadline passes the alarm repeats at this interval until the budget
# is left: an alarm raised where Python swallows exceptions (a ``__del__``, a
# weakref or GC callback) would otherwise be lost and the call would hang.
_REPEAT = 0.05


def _can_alarm() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


def _handler(signum: int, frame: object) -> None:
    if _deadlines and time.monotonic() >= _deadlines[-1]:
        raise _Alarm


def _arm() -> None:
    remaining = _deadlines[-1] - time.monotonic()
    signal.setitimer(signal.ITIMER_REAL, max(remaining, 1e-3), _REPEAT)


@contextlib.contextmanager
def time_budget(seconds: float | None) -> Iterator[None]:
    """Raise :class:`BudgetExceeded` if the body runs longer than ``seconds``.

    Nested budgets are honoured: the inner one never extends the outer one,
    and when the outer one expires inside the inner one the inner one raises
    first, then the outer one as soon as control is back in its body.

    >>> with time_budget(5):
    ...     1 + 1
    2
    >>> import time
    >>> try:
    ...     with time_budget(0.05):
    ...         time.sleep(1)
    ... except BudgetExceeded as exc:
    ...     print(exc)
    symbolic work exceeded its 0.05 s budget
    """
    global _previous_handler
    if seconds is None or seconds <= 0 or not _can_alarm():
        yield
        return
    deadline = time.monotonic() + seconds
    if _deadlines:
        deadline = min(deadline, _deadlines[-1])
    else:
        _previous_handler = signal.signal(signal.SIGALRM, _handler)
    _deadlines.append(deadline)
    _arm()
    try:
        yield
    except _Alarm:
        raise BudgetExceeded(f"symbolic work exceeded its {seconds:g} s budget") from None
    finally:
        _deadlines.pop()
        if _deadlines:
            _arm()
        else:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, _previous_handler)


def run_with_budget(seconds: float | None, func: Callable[[], T]) -> T:
    """Call ``func()`` under :func:`time_budget`.

    >>> run_with_budget(1, lambda: 6 * 7)
    42
    """
    with time_budget(seconds):
        return func()


def _child(conn: Any, func: Callable[..., Any], args: tuple[Any, ...]) -> None:
    try:
        try:
            conn.send((True, func(*args)))
        except BaseException as exc:  # noqa: BLE001 - everything goes back to the parent
            try:
                conn.send((False, exc))
            except Exception:  # noqa: BLE001 - the exception itself does not pickle
                conn.send((False, RuntimeError(f"{type(exc).__name__}: {exc}")))
    finally:
        conn.close()
        os._exit(0)


def run_isolated(seconds: float, func: Callable[..., T], *args: Any) -> T:
    """Call ``func(*args)`` in a forked child process, killed after ``seconds``.

    Unlike :func:`time_budget` this also stops work stuck in one long C call.
    The result and any exception travel back by pickling.  Where ``fork`` is
    not available the call runs in-process under :func:`time_budget`.

    >>> run_isolated(10, pow, 2, 10)
    1024
    >>> import time
    >>> try:
    ...     run_isolated(0.2, time.sleep, 5)
    ... except BudgetExceeded as exc:
    ...     print(exc)
    isolated work exceeded its 0.2 s budget
    """
    import multiprocessing  # only when isolation is used: it costs import time

    if "fork" not in multiprocessing.get_all_start_methods():
        return run_with_budget(seconds, lambda: func(*args))
    ctx = multiprocessing.get_context("fork")
    receive, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(send, func, args), daemon=True)
    proc.start()
    send.close()
    try:
        if not receive.poll(seconds):
            raise BudgetExceeded(f"isolated work exceeded its {seconds:g} s budget")
        ok, value = receive.recv()
    except EOFError:
        raise RuntimeError("the isolated computation died without a result") from None
    finally:
        receive.close()
        if proc.is_alive():
            proc.kill()
        proc.join()
    if ok:
        return value  # type: ignore[no-any-return]
    raise value
