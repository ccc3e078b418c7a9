r"""Time budgets that hold on every thread, and a killable worker for C calls.

SymPy's ``solveset``, ``integrate`` and ``limit`` can run for minutes on
innocent-looking activation derivatives.  :func:`time_budget` bounds such a
block; the caller catches :class:`BudgetExceeded` (a :class:`TimeoutError`)
and falls back to a certified or numeric route, and says so in its result.

The resource model
------------------
Three mechanisms, from cheapest to strongest:

1. **Cooperative deadlines.**  Every open budget sets a deadline in a
   :class:`contextvars.ContextVar`, so it belongs to the current thread (and
   asyncio task).  Engines call :func:`check_deadline` inside their loops
   (bisection, root isolation, series terms, layer loops): it costs one
   ``ContextVar.get`` and one clock read and raises :class:`BudgetExceeded`
   once the innermost deadline has passed.  :func:`remaining` tells how much
   time is left, e.g. to pass on as a timeout.
2. **A watchdog thread** interrupts Python code that never checks (SymPy's
   own loops): when a budget's deadline passes, it raises an exception in the
   thread that opened the budget (CPython's ``PyThreadState_SetAsyncExc``),
   which the budget turns into :class:`BudgetExceeded`.  This works in the
   main thread and in any other thread (web servers, thread pools, Dask
   workers, GUIs), on Linux, macOS and Windows, and it never touches signals:
   a program's own ``SIGALRM`` handler and ``setitimer`` alarm are left
   exactly as they were.  Like a signal it is delivered between bytecodes, so
   a blocking C call finishes first; the interruption repeats every 50 ms
   until the budget is left, in case Python swallowed one (in a ``__del__``).
3. **A worker process** (:func:`run_isolated`) for one C call that may not
   return at all (Python's arithmetic on an enormous integer): the work runs
   in a child process that is killed when the time is up.  In a process that
   runs other threads the child is started with ``forkserver`` (or ``spawn``
   where that is not available), never by forking a threaded process.

Budgets belong to the thread that opens them: keep a budget's block free of
``await`` (the watchdog interrupts the thread, whichever task runs on it), and
a thread started inside a budget starts with none of its own.

Budgets nest: an inner budget never outlives the one enclosing it.  Public
entry points open :func:`call_budget` (the default is :data:`DEFAULT_BUDGET`
seconds, changed with :func:`set_default_budget`), which only applies when no
budget is open yet.
"""

from __future__ import annotations

import contextvars
import os
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = [
    "DEFAULT_BUDGET",
    "BudgetExceeded",
    "call_budget",
    "check_deadline",
    "default_budget",
    "expired_budgets",
    "remaining",
    "run_isolated",
    "uninterruptible",
    "run_with_budget",
    "worker_main",
    "set_default_budget",
    "time_budget",
]

T = TypeVar("T")

#: Seconds every public call may take by default (see :func:`set_default_budget`).
DEFAULT_BUDGET = 30.0
_default = [DEFAULT_BUDGET]


class BudgetExceeded(TimeoutError):
    """The computation did not finish within its time budget."""

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
    # cannot swallow it; converted to BudgetExceeded at the budget's boundary.
    pass


# ----------------------------------------------------------------------- cooperative deadlines
_DEADLINE: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "symact_deadline", default=None
)
# Whether the innermost deadline is the innermost budget's own (True) or inherited from an
# enclosing, shorter budget (False).  An inherited deadline running out is the enclosing
# budget's: it must not be caught as the inner one's ``BudgetExceeded`` (engines fall back
# on that and carry on), so it travels up as ``_Alarm`` to the budget that owns it.
_OWNED: contextvars.ContextVar[bool] = contextvars.ContextVar("symact_owned", default=True)


def check_deadline() -> None:
    """Raise :class:`BudgetExceeded` if the innermost open budget has run out.

    Cheap (a context-variable read and a clock read): call it in every loop
    that may run long.  Outside any budget it does nothing.

    >>> check_deadline()
    >>> try:
    ...     with time_budget(0.01):
    ...         time.sleep(0.02)
    ...         check_deadline()
    ... except BudgetExceeded as exc:
    ...     print(exc)
    the computation exceeded its 0.01 s budget
    """
    deadline = _DEADLINE.get()
    if deadline is not None and time.monotonic() >= deadline:
        if not _OWNED.get():
            raise _Alarm
        raise BudgetExceeded("the computation ran past its deadline")


def remaining() -> float | None:
    """Seconds left in the innermost open budget (never negative), or ``None`` outside one.

    >>> remaining() is None
    True
    >>> with time_budget(10):
    ...     0 < remaining() <= 10
    True
    """
    deadline = _DEADLINE.get()
    return None if deadline is None else max(0.0, deadline - time.monotonic())


def default_budget() -> float:
    """The budget in seconds of a public call when the caller opened none (30 by default).

    >>> default_budget() > 0
    True
    """
    return _default[0]


def set_default_budget(seconds: float) -> float:
    """Set the default budget of public calls; returns the previous one.

    >>> old = set_default_budget(10)
    >>> default_budget()
    10.0
    >>> _ = set_default_budget(old)
    """
    value = _check_seconds(seconds)
    if value is None:
        raise ValueError("the default budget must be a positive number of seconds")
    old, _default[0] = _default[0], value
    return old


def _check_seconds(seconds: object) -> float | None:
    if seconds is None:
        return None
    if isinstance(seconds, bool):
        raise TypeError(f"a budget is a number of seconds, got {seconds!r}")
    try:
        value = float(seconds)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        raise TypeError(f"a budget is a number of seconds, got {seconds!r}") from None
    if value != value:
        raise ValueError("a budget must be a positive number of seconds, got nan")
    if value <= 0:
        return None
    return min(value, 1e9)


# ----------------------------------------------------------------------- the watchdog
class _Watch:
    """The budgets open in one thread, innermost last."""

    __slots__ = ("deadlines", "ident", "masked", "pending")

    def __init__(self, ident: int) -> None:
        self.ident = ident
        self.masked = 0  # inside uninterruptible() blocks
        self.deadlines: list[float] = []
        self.pending = False  # an interruption was raised and may not be delivered yet


_REPEAT = 0.05
_lock = threading.RLock()
_cond = threading.Condition(_lock)
_watches: dict[int, _Watch] = {}
_watchdog: list[threading.Thread] = []


def _locked(fn: Callable[[], T]) -> T:
    # Run fn() holding the registry lock.  An interruption delivered right after the lock
    # is taken (before a ``with`` block would be set up) must not leak the lock: the finally
    # releases it whenever this thread holds it.
    try:
        _lock.acquire()
        return fn()
    finally:
        if _lock._is_owned():  # type: ignore[attr-defined]
            _lock.release()


_ASYNC: list[Any] = []  # [PyThreadState_SetAsyncExc or None], looked up on first use


def _async_raise(ident: int, exc: type[BaseException] | None) -> bool:
    import ctypes  # only once a budget is used: it costs import time

    if not _ASYNC:
        _ASYNC.append(getattr(getattr(ctypes, "pythonapi", None), "PyThreadState_SetAsyncExc", None))
    setter = _ASYNC[0]
    if setter is None:  # not CPython: cooperative deadlines only
        return False
    obj = ctypes.py_object(exc) if exc is not None else None
    return setter(ctypes.c_ulong(ident), obj) == 1  # type: ignore[no-any-return]


def _watch_loop() -> None:
    with _cond:
        while True:
            now = time.monotonic()
            wait = None
            for w in list(_watches.values()):
                if not w.deadlines:
                    continue
                due = w.deadlines[-1]
                if now >= due and w.masked:
                    due = now + _REPEAT
                elif now >= due:
                    if _async_raise(w.ident, _Alarm):
                        w.pending = True
                    elif _ASYNC and _ASYNC[0] is not None:  # the thread is gone
                        _watches.pop(w.ident, None)
                        continue
                    due = now + _REPEAT
                wait = due - now if wait is None else min(wait, due - now)
            _cond.wait(wait)


def _ensure_watchdog() -> None:
    if not _watchdog or not _watchdog[0].is_alive():
        _watchdog[:] = [threading.Thread(target=_watch_loop, name="symact-watchdog", daemon=True)]
        _watchdog[0].start()


def _after_fork_in_child() -> None:
    global _cond, _lock
    _lock = threading.RLock()
    _cond = threading.Condition(_lock)
    _watches.clear()
    _watchdog.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


class time_budget:
    """Raise :class:`BudgetExceeded` if the body runs longer than ``seconds``.

    Works on any thread; ``None`` or a non-positive value means no new limit
    (an enclosing budget still applies).  Nested budgets are honoured: the
    inner one never extends the outer one, and when the outer one runs out
    inside the inner one, the interruption passes through the inner budget
    (and through code that catches ``BudgetExceeded`` to fall back) up to the
    outer one, which raises :class:`BudgetExceeded`.

    >>> with time_budget(5):
    ...     1 + 1
    2
    >>> try:
    ...     with time_budget(0.05):
    ...         while True:
    ...             pass
    ... except BudgetExceeded as exc:
    ...     print(exc)
    the computation exceeded its 0.05 s budget
    """

    __slots__ = ("_deadline", "_owned", "_owned_token", "_seconds", "_token", "_watch")

    def __init__(self, seconds: float | None) -> None:
        self._seconds = _check_seconds(seconds)

    def __enter__(self) -> time_budget:
        outer = _DEADLINE.get()
        self._watch = None
        if self._seconds is None:
            self._deadline = outer
            self._owned = outer is None
            self._token = _DEADLINE.set(outer)
            self._owned_token = _OWNED.set(self._owned)
            return self
        deadline = time.monotonic() + self._seconds
        self._owned = outer is None or deadline <= outer
        if outer is not None:
            deadline = min(deadline, outer)
        if time.monotonic() >= deadline:  # an enclosing budget has already run out
            raise _Alarm
        self._deadline = deadline
        self._token = _DEADLINE.set(deadline)
        self._owned_token = _OWNED.set(self._owned)
        ident = threading.get_ident()

        def register() -> None:
            watch = _watches.get(ident)
            if watch is None:
                watch = _watches[ident] = _Watch(ident)
            watch.deadlines.append(deadline)
            self._watch = watch
            _ensure_watchdog()
            _cond.notify()

        try:
            _locked(register)
        except _Alarm:
            self.__exit__(None, None, None)
            raise
        return self

    def _leave(self) -> None:
        watch, self._watch = self._watch, None
        if watch is None:
            return

        def unregister() -> None:
            watch.masked = max(0, watch.masked - 1)  # taken in __exit__
            watch.deadlines.pop()
            if not watch.deadlines:
                _watches.pop(watch.ident, None)
            if watch.pending and not (
                watch.deadlines and time.monotonic() >= watch.deadlines[-1]
            ):
                _async_raise(watch.ident, None)  # cancel an interruption not delivered yet
                watch.pending = False

        _locked(unregister)
            # no notify: the watchdog finds out at its next wake-up (waking it here, with an
            # interruption pending, can stall the thread under a profiler)

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> bool:
        if self._watch is not None:
            self._watch.masked += 1  # no CALL before this: the watchdog now skips us
        while True:
            try:
                self._leave()
                _DEADLINE.reset(self._token)
                _OWNED.reset(self._owned_token)
                break
            except _Alarm:  # a late interruption while leaving: leave anyway
                continue
            except ValueError:  # the token belongs to another context (a generator moved)
                _DEADLINE.set(None)
                _OWNED.set(True)
                break
        if exc_type is not None and issubclass(exc_type, _Alarm | BudgetExceeded):
            if self._deadline is not None and time.monotonic() >= self._deadline:
                if not self._owned:  # the enclosing budget ran out: it is its error
                    if issubclass(exc_type, _Alarm):
                        return False
                    raise _Alarm from None
                what = f"{self._seconds:g} s budget" if self._seconds else "budget"
                raise BudgetExceeded(f"the computation exceeded its {what}") from None
        return False


class uninterruptible:
    """Hold back a budget's interruption for a short block that must not be cut half-way.

    For clean-up and bookkeeping (restoring a global precision, acquiring and
    releasing a lock).  The watchdog skips the thread meanwhile and interrupts
    it again soon after the block if the deadline has passed;
    :func:`check_deadline` inside the block still raises.  Nestable.

    >>> with time_budget(5), uninterruptible():
    ...     6 * 7
    42
    """

    __slots__ = ("_watch",)

    def __enter__(self) -> uninterruptible:
        self._watch = None
        watch = _watches.get(threading.get_ident())
        if watch is None:
            return self
        watch.masked += 1  # no call before this: the watchdog skips the thread from now on
        self._watch = watch

        def cancel() -> None:
            if watch.pending:
                _async_raise(watch.ident, None)
                watch.pending = False

        _locked(cancel)
        return self

    def __exit__(self, *exc: object) -> None:
        watch, self._watch = self._watch, None
        if watch is not None:
            watch.masked = max(0, watch.masked - 1)


def call_budget(seconds: float | None = None) -> time_budget:
    """The budget of one public call: ``seconds``, else :func:`default_budget`.

    When a budget is already open (the call came from inside symact or from a
    caller's own :func:`time_budget`) and ``seconds`` is ``None``, no new limit
    is added.

    >>> with call_budget():
    ...     remaining() <= default_budget()
    True
    """
    if seconds is None and _DEADLINE.get() is not None:
        return time_budget(None)
    return time_budget(default_budget() if seconds is None else seconds)


def run_with_budget(seconds: float | None, func: Callable[[], T]) -> T:
    """Call ``func()`` under :func:`time_budget`.

    >>> run_with_budget(1, lambda: 6 * 7)
    42
    """
    with time_budget(seconds):
        return func()


# ----------------------------------------------------------------------- worker process
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


def _single_threaded() -> bool:
    alive = [t for t in threading.enumerate() if t.is_alive() and t not in _watchdog]
    return len(alive) <= 1


def worker_main() -> None:
    """Entry point of a spawned :func:`run_isolated` worker: read a pickled call, write its result."""
    import pickle
    import sys

    path, func, args = pickle.loads(sys.stdin.buffer.read())
    sys.path[:0] = [p for p in path if p not in sys.path]
    try:
        out = pickle.dumps((True, func(*args)))
    except BaseException as exc:  # noqa: BLE001 - everything goes back to the parent
        try:
            out = pickle.dumps((False, exc))
        except Exception:  # noqa: BLE001 - the exception itself does not pickle
            out = pickle.dumps((False, RuntimeError(f"{type(exc).__name__}: {exc}")))
    sys.stdout.buffer.write(out)
    sys.stdout.flush()


def _run_forked(limit: float, seconds: float, func: Callable[..., T], args: tuple[Any, ...]) -> T:
    import multiprocessing  # only when isolation is used: it costs import time

    ctx = multiprocessing.get_context("fork")
    receive, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(send, func, args), daemon=True)
    proc.start()
    try:
        send.close()
        if not receive.poll(limit):
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


def _run_spawned(limit: float, seconds: float, func: Callable[..., T], args: tuple[Any, ...]) -> T:
    import pickle
    import subprocess
    import sys

    payload = pickle.dumps((list(sys.path), func, args))
    code = f"import sys; sys.path[:0] = {list(sys.path)!r}; " + (
        "from symact.core.budget import worker_main; worker_main()"
    )
    # a fresh interpreter (fork + exec in C, safe in a threaded process); no __main__ re-import
    proc = subprocess.Popen(
        [sys.executable, "-I", "-c", code],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    try:
        out, _ = proc.communicate(payload, timeout=limit)
    except subprocess.TimeoutExpired:
        raise BudgetExceeded(f"isolated work exceeded its {seconds:g} s budget") from None
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    if not out:
        raise RuntimeError("the isolated computation died without a result")
    ok, value = pickle.loads(out)
    if ok:
        return value  # type: ignore[no-any-return]
    raise value


def run_isolated(seconds: float, func: Callable[..., T], *args: Any) -> T:
    """Call ``func(*args)`` in a child process, killed after ``seconds``.

    Unlike :func:`time_budget` this also stops work stuck in one long C call.
    ``func`` and ``args`` must pickle (a module-level function); the result
    and any exception travel back by pickling.  The child is forked only when
    this process runs no other thread; otherwise (and where ``fork`` does not
    exist, as on Windows) it is a fresh interpreter started with
    :mod:`subprocess`, so it never inherits another thread's locks and never
    re-imports the caller's ``__main__``.  An enclosing budget shortens
    ``seconds``.

    >>> run_isolated(10, pow, 2, 10)
    1024
    >>> try:
    ...     run_isolated(0.2, time.sleep, 5)
    ... except BudgetExceeded as exc:
    ...     print(exc)
    isolated work exceeded its 0.2 s budget
    """
    import multiprocessing

    limit = _check_seconds(seconds) or default_budget()
    left = remaining()
    cut = left is not None and left < limit  # an enclosing budget ends first
    if cut:
        limit = left  # type: ignore[assignment]
    try:
        if "fork" in multiprocessing.get_all_start_methods() and _single_threaded():
            return _run_forked(limit, seconds, func, args)
        return _run_spawned(limit, seconds, func, args)
    except BudgetExceeded:
        if cut:
            raise _Alarm from None  # the enclosing budget's time is up, not this call's
        raise
