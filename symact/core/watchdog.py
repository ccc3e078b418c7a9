r"""The watchdog behind :mod:`symact.core.budget`: clocks, limits and interruptions.

Private machinery (see the resource model in :mod:`symact.core.budget`): the limit of
one open budget (:class:`Limit`, a clock and a deadline), the reader of a thread's
CPU clock that the watchdog can call from its own thread, and the watchdog thread
that raises an interruption (:class:`Alarm`) in a thread whose limit has passed.
"""

from __future__ import annotations

import functools
import os
import threading
import time
from collections.abc import Callable
from typing import Any

__all__ = [
    "Alarm",
    "Limit",
    "Watch",
    "cpu_reader",
    "ensure_watchdog",
    "settle",
    "thread_watch",
    "watchdog_threads",
    "watches",
]


class Alarm(BaseException):
    """The watchdog's interruption; converted to BudgetExceeded at the budget's boundary.

    A BaseException so that SymPy's internal ``except Exception`` blocks cannot swallow it.
    """


def cpu_reader() -> Callable[[], float]:
    """A function reading the calling thread's CPU clock, callable from any thread."""
    getid = getattr(time, "pthread_getcpuclockid", None)
    if getid is not None:
        try:
            clk = getid(threading.get_ident())
            time.clock_gettime(clk)
        except (OSError, OverflowError, AttributeError):  # pragma: no cover - platform specific
            pass
        else:
            return functools.partial(time.clock_gettime, clk)
    # Without a per-thread clock readable from the watchdog, the process's CPU time: it
    # runs out no later than the thread's own and still does not move with other load.
    return time.process_time  # pragma: no cover - platform specific


class Limit:
    """One open budget's limit: a clock and the reading at which it runs out."""

    __slots__ = ("clock", "deadline", "owner", "read", "seconds")

    def __init__(self, clock: str, seconds: float, read: Callable[[], float]) -> None:
        self.owner = threading.get_ident()
        self.clock = clock
        self.seconds = seconds
        self.read = read
        self.deadline = read() + seconds

    def left(self) -> float:
        """Seconds (of its clock) left; 0 when the clock cannot be read (thread gone)."""
        try:
            return self.deadline - self.read()
        except OSError:
            return 0.0

    def expired(self) -> bool:
        """Whether the limit has passed."""
        return self.left() <= 0


# ----------------------------------------------------------------------- the watchdog
# Nothing on a budget's thread takes a lock: an interruption can land at any call or loop
# jump, and one landing between acquiring and releasing a lock leaks it (the rare hang of
# the thread stress test).  The owner thread alone changes its Watch and its entry in
# watches (single dict and list operations, atomic under the GIL); the watchdog only reads
# them.  Interruptions are never raised while the target is masked (uninterruptible, the
# budget's own bookkeeping) or runs an ``__enter__``/``__exit__``/``__del__`` (a half-run
# ``__exit__`` leaks a lock or a global setting, such as mpmath's precision or SymPy's
# ``evaluate`` flag): the watchdog looks at the target's innermost frames first and tries
# again 50 ms later.
class Watch:
    """The budgets open in one thread, innermost last; shared with the watchdog."""

    __slots__ = ("cpu", "deadlines", "ident", "injecting", "masked", "pending")

    def __init__(self, ident: int) -> None:
        self.ident = ident
        self.cpu = cpu_reader()  # the thread's CPU clock, readable from the watchdog
        self.masked = 0  # inside uninterruptible() blocks and budget bookkeeping
        self.deadlines: list[Limit] = []
        self.injecting = False  # the watchdog is deciding whether to interrupt
        self.pending = False  # an interruption was raised and may not be delivered yet


_REPEAT = 0.05
watches: dict[int, Watch] = {}  # the threads with an open budget
_watchdog: list[threading.Thread] = []
_wake = [threading.Event()]
_local = [threading.local()]
_SKIP = frozenset({"__enter__", "__exit__", "__aenter__", "__aexit__", "__del__"})
_IMPORT = ("<frozen importlib._bootstrap>", "<frozen importlib._bootstrap_external>")  # its locks
_ASYNC: list[Any] = []  # [PyThreadState_SetAsyncExc or None], looked up on first use


def thread_watch() -> Watch:
    """The calling thread's :class:`Watch` (made on first use)."""
    local = _local[0]
    watch = getattr(local, "watch", None)
    if watch is None:
        watch = local.watch = Watch(threading.get_ident())
    return watch  # type: ignore[no-any-return]


def _async_raise(ident: int, exc: type[BaseException] | None) -> bool:
    import ctypes  # only once a budget is used: it costs import time

    if not _ASYNC:
        _ASYNC.append(
            getattr(getattr(ctypes, "pythonapi", None), "PyThreadState_SetAsyncExc", None)
        )
    setter = _ASYNC[0]
    if setter is None:  # not CPython: cooperative deadlines only
        return False
    obj = ctypes.py_object(exc) if exc is not None else None
    return setter(ctypes.c_ulong(ident), obj) == 1  # type: ignore[no-any-return]


def settle(watch: Watch) -> None:
    """Take delivery of an interruption on its way to the caller's thread, which has just
    raised ``watch.masked`` (inline: a call can deliver an interruption, an increment cannot).

    The watchdog sets ``injecting`` before it reads ``masked``, and the thread sets
    ``masked`` before this reads ``injecting`` (both under the GIL): either the watchdog
    sees the mask, or it has raised (or is raising) an interruption, which arrives here at
    the latest at the next call and is swallowed (no other comes while masked); the
    watchdog raises it again after the mask if the time is still up.  It is never
    cancelled with ``PyThreadState_SetAsyncExc(id, NULL)``: on CPython 3.11 that leaves the
    interpreter's eval breaker set, and under a profiler or tracer (cProfile, coverage, a
    debugger) the thread then spins for ever on its next call.
    """
    try:
        while watch.injecting:
            time.sleep(0)
        if watch.pending:
            watch.pending = False
            _deliver()
    except Alarm:
        watch.pending = False


def _deliver() -> None:
    # A pending asynchronous exception is raised at the start of the next Python call.
    pass


def _at_boundary(ident: int) -> bool:
    # Whether the thread's innermost frames run a context manager's entry or exit, or the
    # thread is importing a module anywhere on its stack: an interruption in a module's
    # top-level code leaves a half-initialised module that other threads may already see
    # (three threads importing sympy.integrals.manualintegrate hit exactly that).
    # A garbage-collector callback (gc.callbacks) is skipped too: CPython ignores what it
    # raises, so the interruption would be lost and printed as "Exception ignored".
    import gc
    import sys

    callbacks = {getattr(cb, "__code__", None) for cb in list(gc.callbacks)}
    frame = sys._current_frames().get(ident)
    for depth in range(1000):
        if frame is None:
            return False
        code = frame.f_code
        if code.co_filename in _IMPORT:
            return True
        if depth < 4 and (code.co_name in _SKIP or code in _HELD_CODE or code in callbacks):
            return True
        frame = frame.f_back
    return False


_GRACE = 2.0  # seconds past the deadline after which even a masked thread is interrupted


def _interrupt(w: Watch, late: bool) -> None:
    w.injecting = True
    try:
        if (w.masked and not late) or _at_boundary(w.ident):
            return
        if _async_raise(w.ident, Alarm):
            w.pending = True
        elif _ASYNC and _ASYNC[0] is not None and watches.get(w.ident) is w:
            del watches[w.ident]  # the thread is gone (it left a budget open in a generator)
    finally:
        w.injecting = False


def _watch_loop() -> None:
    wake = _wake[0]
    while True:
        wait = None
        for w in list(watches.values()):
            due = None  # seconds until the next look at this thread
            late = False
            for lim in list(w.deadlines):
                left = lim.left()
                if left <= 0:
                    late = late or -left > _GRACE
                    due = 0.0
                elif due is None or left < due:
                    # a thread's CPU clock runs no faster than the wall clock: looking again
                    # after ``left`` wall seconds never misses a CPU deadline by much; the
                    # process clock (no per-thread clock) may run faster: look every 50 ms
                    due = min(left, _REPEAT) if lim.read is time.process_time else left
            if due is None:
                continue
            if due <= 0:
                try:
                    _interrupt(w, late)  # liveness over a stuck mask
                except Exception:  # noqa: BLE001 - the watchdog must keep watching
                    pass
                due = _REPEAT
            wait = due if wait is None else min(wait, due)
        wake.wait(wait)
        wake.clear()


def ensure_watchdog() -> None:
    """Start the watchdog thread if it is not running, and have it look at the limits again."""
    if not _watchdog or not _watchdog[0].is_alive():
        _watchdog[:] = [threading.Thread(target=_watch_loop, name="symact-watchdog", daemon=True)]
        _watchdog[0].start()
    _wake[0].set()


def watchdog_threads() -> list[threading.Thread]:
    """The watchdog thread (a list, empty before the first budget): it holds no lock."""
    return list(_watchdog)


def _after_fork_in_child() -> None:
    _wake[0] = threading.Event()
    _local[0] = threading.local()
    watches.clear()
    _watchdog.clear()


_HELD_CODE = frozenset(
    f.__code__
    for f in (settle, _deliver, _async_raise, thread_watch, Watch.__init__, _at_boundary)
)

if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)
