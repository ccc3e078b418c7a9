r"""Run one call in a child process that is killed when its time is up.

The mechanism under :func:`symact.core.budget.run_isolated` (which adds the
time budgets): the child is forked only when this process runs no other
thread; otherwise (and where ``fork`` does not exist, as on Windows) it is a
fresh interpreter started with :mod:`subprocess`, so it never inherits another
thread's locks and never re-imports the caller's ``__main__``.

>>> run_in_child(10, pow, (2, 10))
(True, 1024)
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection
from typing import Any

__all__ = ["ChildTimeout", "run_in_child", "worker_main"]


class ChildTimeout(Exception):
    """The child process did not answer within its time limit (it was killed)."""


def _outcome(func: Callable[..., Any], args: tuple[Any, ...]) -> tuple[bool, Any]:
    import pickle

    try:
        return (True, func(*args))
    except BaseException as exc:  # noqa: BLE001 - everything goes back to the parent
        try:
            pickle.dumps(exc)
        except Exception:  # noqa: BLE001 - the exception itself does not pickle
            exc = RuntimeError(f"{type(exc).__name__}: {exc}")
        return (False, exc)


def _child(conn: Any, func: Callable[..., Any], args: tuple[Any, ...]) -> None:
    try:
        conn.send(_outcome(func, args))
    finally:
        conn.close()


def _single_threaded(exclude: Collection[threading.Thread]) -> bool:
    alive = [t for t in threading.enumerate() if t.is_alive() and t not in exclude]
    return len(alive) <= 1


def worker_main() -> None:
    """Entry point of a spawned :func:`run_isolated` worker: read a pickled call, write its result."""
    import pickle
    import sys

    path, func, args = pickle.loads(sys.stdin.buffer.read())
    sys.path[:0] = [p for p in path if p not in sys.path]
    out = pickle.dumps(_outcome(func, args))
    sys.stdout.buffer.write(out)
    sys.stdout.flush()


def _run_forked(limit: float, func: Callable[..., Any], args: tuple[Any, ...]) -> tuple[bool, Any]:
    import multiprocessing  # only when isolation is used: it costs import time

    ctx = multiprocessing.get_context("fork")
    receive, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(send, func, args), daemon=True)
    proc.start()
    try:
        send.close()
        if not receive.poll(limit):
            raise ChildTimeout
        outcome = receive.recv()
    except EOFError:
        raise RuntimeError("the isolated computation died without a result") from None
    finally:
        receive.close()
        if proc.is_alive():
            proc.kill()
        proc.join()
    return outcome  # type: ignore[no-any-return]


def _run_spawned(
    limit: float, func: Callable[..., Any], args: tuple[Any, ...]
) -> tuple[bool, Any]:
    import pickle
    import subprocess
    import sys

    payload = pickle.dumps((list(sys.path), func, args))
    code = f"import sys; sys.path[:0] = {list(sys.path)!r}; " + (
        "from symact.core.isolate import worker_main; worker_main()"
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
        raise ChildTimeout from None
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    if not out:
        raise RuntimeError("the isolated computation died without a result")
    outcome = pickle.loads(out)
    return outcome  # type: ignore[no-any-return]


def run_in_child(
    limit: float,
    func: Callable[..., Any],
    args: tuple[Any, ...],
    *,
    exclude: Collection[threading.Thread] = (),
) -> tuple[bool, Any]:
    """``(True, func(*args))`` or ``(False, exception)`` computed in a child process.

    Raises :class:`ChildTimeout` after ``limit`` seconds; threads in ``exclude``
    (a watchdog that holds no lock) do not count as other threads.
    """
    import multiprocessing  # only when isolation is used: it costs import time

    if "fork" in multiprocessing.get_all_start_methods() and _single_threaded(exclude):
        return _run_forked(limit, func, args)
    return _run_spawned(limit, func, args)
