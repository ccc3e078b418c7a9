r"""Time budgets that hold on every thread, and a killable worker for C calls.

SymPy's ``solveset``, ``integrate`` and ``limit`` can run for minutes on
innocent-looking activation derivatives.  :func:`time_budget` bounds such a
block; the caller catches :class:`BudgetExceeded` (a :class:`TimeoutError`)
and falls back to a certified or numeric route, and says so in its result.

Two clocks
----------
The answer must not depend on the machine's load, so a budget measures one of
two clocks:

* ``clock="wall"`` (the default) -- real time.  Only for the *outer* budget of
  a call (:func:`call_budget`, a caller's own ``with time_budget(5):``): its
  expiry only ever turns the whole call into :class:`BudgetExceeded`.  No
  code inside it can catch that expiry and carry on with a weaker answer: the
  interruption travels as an internal exception up to the budget that owns
  it, which raises :class:`BudgetExceeded` at its ``with`` statement.
* ``clock="cpu"`` -- the CPU time of the thread that opened the budget
  (``pthread_getcpuclockid`` + ``clock_gettime`` where the platform has them,
  else the process's CPU time).  For *inner* steps that fall back when they
  run out (a SymPy ``solveset`` that may run for ever): a thread's CPU time
  hardly moves with the machine's load, so the same step gives up at the same
  point, and the fallback taken -- hence the answer, its level and its
  message -- is the same on a busy machine as on an idle one.  Such limits are
  set several times above what the step needs when it succeeds.

The resource model
------------------
Three mechanisms, from cheapest to strongest:

1. **Cooperative deadlines.**  Every open budget adds a limit (a clock and a
   deadline) to a :class:`contextvars.ContextVar`, so it belongs to the current
   thread (and asyncio task).  Engines call :func:`check_deadline` inside their
   loops (bisection, root isolation, series terms, layer loops): it costs one
   ``ContextVar.get`` and a clock read per open budget; once a limit has
   passed it raises :class:`BudgetExceeded` (the innermost CPU-time budget's,
   which its caller may catch) or the interruption of the budget that owns the
   limit.  :func:`remaining` tells how much time is left, e.g. to pass on as a
   timeout.
2. **A watchdog thread** interrupts Python code that never checks (SymPy's
   own loops): when a budget's deadline passes, it raises an exception in the
   thread that opened the budget (CPython's ``PyThreadState_SetAsyncExc``),
   which the budget turns into :class:`BudgetExceeded`.  This works in the
   main thread and in any other thread (web servers, thread pools, Dask
   workers, GUIs), on Linux, macOS and Windows, and it never touches signals:
   a program's own ``SIGALRM`` handler and ``setitimer`` alarm are left
   exactly as they were.  For a CPU-time budget it reads the target thread's
   CPU clock.  Like a signal it is delivered between bytecodes, so
   a blocking C call finishes first; it repeats every 50 ms until the budget
   is left.  It never lands in an ``__enter__``/``__exit__`` or an
   :class:`uninterruptible` block (see the notes at ``_Watch``).
3. **A worker process** (:func:`run_isolated`) for one C call that may not
   return at all (Python's arithmetic on an enormous integer), killed when the
   time is up; never forked from a process that runs other threads.

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
from typing import Any, Literal, TypeVar

from .isolate import ChildTimeout, run_in_child
from .watchdog import Alarm as _Alarm
from .watchdog import Limit as _Limit
from .watchdog import ensure_watchdog, settle, thread_watch, watchdog_threads, watches

_settle, _thread_watch, _watches = settle, thread_watch, watches  # the names tests look at

__all__ = [
    "CLOCKS",
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
    "set_default_budget",
    "time_budget",
]

T = TypeVar("T")

#: Seconds every public call may take by default (see :func:`set_default_budget`).
DEFAULT_BUDGET = 30.0
#: The clocks a budget can measure (see the module notes).
CLOCKS = ("wall", "cpu")
Clock = Literal["wall", "cpu"]
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


def _cpu_expired(message: str) -> BudgetExceeded:
    """The error of an expired CPU-time budget, not counted by :func:`expired_budgets`.

    Where a CPU-time budget runs out does not depend on the machine's load, so the
    answer its fallback gives is the answer: a cache may keep it (and a hard input
    does not pay for the same give-up again).
    """
    exc = BudgetExceeded.__new__(BudgetExceeded, message)
    TimeoutError.__init__(exc, message)  # not BudgetExceeded.__init__: not counted
    return exc


def expired_budgets() -> int:
    """How many time budgets have run out in this thread so far.

    Counts the budgets whose expiry may depend on the machine's load (wall-clock
    time, and a :class:`BudgetExceeded` raised by hand); a CPU-time budget that runs
    out is not counted (see :func:`_cpu_expired`).

    >>> before = expired_budgets()
    >>> try:
    ...     raise BudgetExceeded("late")
    ... except BudgetExceeded:
    ...     pass
    >>> expired_budgets() - before
    1
    """
    return _EXPIRED.count


# ----------------------------------------------------------------------- cooperative deadlines
_LIMITS: contextvars.ContextVar[tuple[_Limit, ...]] = contextvars.ContextVar(
    "symact_limits", default=()
)


def check_deadline() -> None:
    """Raise :class:`BudgetExceeded` if an open budget has run out.

    Cheap (a context-variable read and a clock read per open budget): call it
    in every loop that may run long.  Outside any budget it does nothing.  When
    the limit that ran out is the innermost budget's and measures CPU time,
    the :class:`BudgetExceeded` raised here may be caught by the step that
    opened it (to fall back); any other expiry travels up to the budget that
    owns it, which raises :class:`BudgetExceeded` at its ``with`` statement.

    >>> check_deadline()
    >>> try:
    ...     with time_budget(0.01):
    ...         time.sleep(0.02)
    ...         check_deadline()
    ... except BudgetExceeded as exc:
    ...     print(exc)
    the computation exceeded its 0.01 s budget
    """
    limits = _LIMITS.get()
    if not limits:
        return
    last = len(limits) - 1
    for i, lim in enumerate(limits):
        if lim.expired():
            if i == last and lim.clock == "cpu":
                raise _cpu_expired(_message(lim))
            if lim.owner != threading.get_ident():
                # (a context copied into another thread has no budget there to travel to)
                raise BudgetExceeded(_message(lim))
            raise _Alarm


def _message(lim: _Limit) -> str:
    kind = " CPU-time" if lim.clock == "cpu" else ""
    return f"the computation exceeded its {lim.seconds:g} s{kind} budget"


def remaining() -> float | None:
    """Seconds left in the open budgets (never negative), or ``None`` outside any.

    The least over the open budgets, each in its own clock (CPU seconds for a
    CPU-time budget).

    >>> remaining() is None
    True
    >>> with time_budget(10):
    ...     0 < remaining() <= 10
    True
    """
    limits = _LIMITS.get()
    if not limits:
        return None
    return max(0.0, min(lim.left() for lim in limits))


def _wall_remaining() -> float | None:
    """Wall-clock seconds left in the open wall-clock budgets, or ``None`` if there is none."""
    left = [lim.left() for lim in _LIMITS.get() if lim.clock == "wall"]
    return max(0.0, min(left)) if left else None


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


def _after_fork_in_child() -> None:
    # a CPU-time limit measures a thread of the parent, which the child cannot read
    _LIMITS.set(tuple(lim for lim in _LIMITS.get() if lim.clock != "cpu"))


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

    Parameters
    ----------
    seconds : float or None
        The limit.
    clock : {"wall", "cpu"}, keyword-only
        ``"wall"`` (default): real time, for the outer budget of a call, whose
        expiry only turns the call into :class:`BudgetExceeded`.  ``"cpu"``:
        the CPU time of the thread that opens the budget, for inner steps that
        fall back when they run out, so that the fallback does not depend on
        the machine's load (see the module notes).

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
    >>> try:
    ...     with time_budget(0.05, clock="cpu"):
    ...         time.sleep(0.1)  # sleeping takes no CPU time
    ...         while True:
    ...             pass
    ... except BudgetExceeded as exc:
    ...     print(exc)
    the computation exceeded its 0.05 s CPU-time budget
    """

    __slots__ = ("_clock", "_limit", "_outer", "_seconds", "_token", "_watch")

    def __init__(self, seconds: float | None, *, clock: Clock = "wall") -> None:
        if clock not in CLOCKS:
            raise ValueError(f"a budget's clock is 'wall' or 'cpu', got {clock!r}")
        self._seconds = _check_seconds(seconds)
        self._clock = clock

    def __enter__(self) -> time_budget:
        outer = _LIMITS.get()
        self._watch = None
        self._limit = None
        self._outer = outer
        if self._seconds is None:
            self._token = _LIMITS.set(outer)
            return self
        if any(lim.expired() for lim in outer):  # an enclosing budget has already run out
            raise _Alarm
        watch = self._watch = _thread_watch()
        read = watch.cpu if self._clock == "cpu" else time.monotonic
        limit = _Limit(self._clock, self._seconds, read)
        watch.masked += 1  # no call before this: from here on the watchdog skips the thread
        try:
            _settle(watch)
        except _Alarm:
            watch.pending = False
        try:
            if not outer:  # left by a budget whose exit never ran (a generator dropped)
                watch.deadlines.clear()
            watch.deadlines.append(limit)
            self._limit = limit
            _watches[watch.ident] = watch
            self._token = _LIMITS.set((*outer, limit))
            ensure_watchdog()
        except BaseException:
            if self._limit is not None:
                watch.deadlines.remove(limit)
                self._limit = None
            raise
        finally:
            watch.masked -= 1
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> bool:
        watch = self._watch
        limit = self._limit
        if watch is not None:
            watch.masked += 1  # no call before this (the watchdog never interrupts an __exit__)
            try:
                _settle(watch)
            except _Alarm:
                watch.pending = False
        try:
            self._watch = None
            if watch is not None and limit is not None:
                if limit in watch.deadlines:
                    del watch.deadlines[watch.deadlines.index(limit) :]
                if not watch.deadlines and _watches.get(watch.ident) is watch:
                    del _watches[watch.ident]
            try:
                _LIMITS.reset(self._token)
            except ValueError:  # the token belongs to another context (a generator moved)
                _LIMITS.set(())
        finally:
            if watch is not None:
                watch.masked -= 1
        if limit is not None and exc_type is not None and issubclass(exc_type, _Alarm | BudgetExceeded):
            if any(lim.expired() for lim in self._outer):  # the enclosing budget's time is up
                if issubclass(exc_type, _Alarm):
                    return False
                raise _Alarm from None
            if limit.expired():
                if limit.clock == "cpu":
                    raise _cpu_expired(_message(limit)) from None
                raise BudgetExceeded(_message(limit)) from None
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
        watch = self._watch = _thread_watch()
        watch.masked += 1  # no call before this: the watchdog skips the thread from now on
        try:
            _settle(watch)
        except _Alarm:
            watch.pending = False
        return self

    def __exit__(self, *exc: object) -> None:
        self._watch.masked -= 1


def call_budget(seconds: float | None = None) -> time_budget:
    """The budget of one public call: ``seconds``, else :func:`default_budget`.

    When a budget is already open (the call came from inside symact or from a
    caller's own :func:`time_budget`) and ``seconds`` is ``None``, no new limit
    is added.

    >>> with call_budget():
    ...     remaining() <= default_budget()
    True
    """
    if seconds is None and _LIMITS.get():
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
def _cpu_limited(seconds: float, func: Callable[..., T], *args: Any) -> T:
    """In the child of :func:`run_isolated`: ``func(*args)`` under a CPU-time budget.

    Python code is stopped by the budget (:class:`BudgetExceeded` travels back); a C
    call that never returns is stopped by the kernel's CPU-time limit of the process.
    """
    try:
        import resource
    except ImportError:  # pragma: no cover - not POSIX: the budget alone
        resource = None  # type: ignore[assignment]
    if resource is not None:
        use = resource.getrusage(resource.RUSAGE_SELF)
        soft = int(use.ru_utime + use.ru_stime + 2 * seconds) + 1
        _, hard = resource.getrlimit(resource.RLIMIT_CPU)
        if hard == resource.RLIM_INFINITY or hard > soft:
            import signal

            # SIGXCPU at the soft limit is ignored (Python cannot act inside a C call);
            # the kernel kills the process at the hard limit, a second later
            signal.signal(signal.SIGXCPU, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_CPU, (soft, soft + 1))
    with time_budget(seconds, clock="cpu"):
        return func(*args)


def run_isolated(seconds: float, func: Callable[..., T], *args: Any, clock: Clock = "wall") -> T:
    """Call ``func(*args)`` in a child process, killed after ``seconds``.

    Unlike :func:`time_budget` this also stops work stuck in one long C call.
    ``func`` and ``args`` must pickle (a module-level function); the result
    and any exception travel back by pickling.  The child is forked only when
    this process runs no other thread; otherwise (and where ``fork`` does not
    exist, as on Windows) it is a fresh interpreter started with
    :mod:`subprocess`, so it never inherits another thread's locks and never
    re-imports the caller's ``__main__``.  An enclosing wall-clock budget
    shortens ``seconds`` (and its expiry is that budget's, not this call's).

    With ``clock="cpu"`` the child's own CPU time is limited instead (a
    CPU-time budget inside the child, and the kernel's CPU-time limit of the
    child process for a C call that never returns), so whether the work
    finishes does not depend on the machine's load; only an enclosing
    wall-clock budget bounds the real time.

    >>> run_isolated(60, pow, 2, 10)
    1024
    >>> try:
    ...     run_isolated(0.2, time.sleep, 5)
    ... except BudgetExceeded as exc:
    ...     print(exc)
    isolated work exceeded its 0.2 s budget
    >>> run_isolated(10, pow, 2, 10, clock="cpu")
    1024
    """
    if clock not in CLOCKS:
        raise ValueError(f"a budget's clock is 'wall' or 'cpu', got {clock!r}")
    limit = _check_seconds(seconds) or default_budget()
    left = _wall_remaining()  # the child's CPU time is not this thread's: only wall limits
    if clock == "cpu":
        func, args = _cpu_limited, (limit, func, *args)  # type: ignore[assignment]
        wall = 86400.0 if left is None else left  # the child stops itself
    else:
        wall = limit if left is None else min(limit, left)
    cut = left is not None and left <= wall  # an enclosing budget ends first
    try:
        ok, value = run_in_child(wall, func, args, exclude=watchdog_threads())
    except ChildTimeout:
        if cut:
            raise _Alarm from None  # the enclosing budget's time is up, not this call's
        raise BudgetExceeded(f"isolated work exceeded its {seconds:g} s budget") from None
    except RuntimeError:  # the child died: with clock="cpu", killed at its CPU-time limit
        if clock != "cpu":
            raise
        raise BudgetExceeded(
            f"isolated work exceeded its {seconds:g} s CPU-time budget (stopped by the kernel)"
        ) from None
    if ok:
        return value  # type: ignore[no-any-return]
    raise value
