r"""Working precision: one default, explicit everywhere, safe across threads.

symact never sets ``mpmath.mp.dps`` (or python-flint's ``ctx.prec``) for the
caller.  Engines run inside :func:`workdps`, which sets the precision of those
process-wide contexts for the duration of a block and restores it afterwards.
Because both contexts are global to the process, :func:`workdps` also holds a
re-entrant lock for the whole block: two threads computing with symact take
turns inside mpmath instead of changing each other's precision half-way.  The
same thread may nest :func:`workdps` blocks freely.

>>> import mpmath
>>> before = mpmath.mp.dps
>>> with workdps(50):
...     mpmath.mp.dps
50
>>> mpmath.mp.dps == before
True
>>> check_dps(30)
30
>>> check_dps(3)
Traceback (most recent call last):
...
ValueError: dps must be an integer from 10 to 2000 (decimal digits), got 3
"""

from __future__ import annotations

import contextlib
import numbers
import threading
from collections.abc import Iterator

import mpmath

from .budget import check_deadline, uninterruptible

__all__ = ["DEFAULT_DPS", "MAX_DPS", "MIN_DPS", "check_dps", "precision_lock", "workdps"]

#: The default number of decimal digits of every certified or numeric result.
DEFAULT_DPS = 30
#: The smallest precision accepted (below it enclosures are too wide to be useful).
MIN_DPS = 10
#: The largest precision accepted.  Measured: at 10000 digits a single Arb or mpmath call
#: can run for minutes, and engines working at ``2 * dps`` guard digits hit Python's
#: 4300-digit limit on integer-to-string conversion (a leaked ValueError); at 2000 digits
#: sup/inf of catalogue derivatives finish in seconds.
MAX_DPS = 2000

_LOCK = threading.RLock()


def check_dps(dps: object) -> int:
    """Validate a ``dps=`` argument and return it as an ``int``.

    Accepts Python and NumPy integers from :data:`MIN_DPS` to :data:`MAX_DPS`.
    """
    if isinstance(dps, bool) or not isinstance(dps, numbers.Integral):
        raise TypeError(f"dps must be an integer number of decimal digits, got {dps!r}")
    value = int(dps)
    if not MIN_DPS <= value <= MAX_DPS:
        raise ValueError(
            f"dps must be an integer from {MIN_DPS} to {MAX_DPS} (decimal digits), got {value}"
        )
    return value


class workdps:
    """Run a block at ``dps`` decimal digits in mpmath and python-flint, then restore both.

    Holds a process-wide re-entrant lock for the block (see the module notes).
    While waiting for the lock the caller's time budget still applies
    (:func:`symact.core.budget.check_deadline`); taking the lock, setting and
    restoring the precisions are never cut half-way by a budget running out
    (:class:`symact.core.budget.uninterruptible`).
    """

    __slots__ = ("_dps", "_flint", "_saved")

    def __init__(self, dps: int) -> None:
        self._dps = int(dps)

    def __enter__(self) -> None:
        with uninterruptible():
            while not _LOCK.acquire(timeout=0.05):
                check_deadline()
            try:
                self._flint = _flint_ctx()
                self._saved = (
                    mpmath.mp.prec,
                    self._flint.prec if self._flint is not None else None,
                )
                mpmath.mp.dps = self._dps
                if self._flint is not None:
                    self._flint.dps = self._dps
            except BaseException:
                _LOCK.release()
                raise

    def __exit__(self, *exc: object) -> None:
        with uninterruptible():
            try:
                mpmath.mp.prec = self._saved[0]
                if self._flint is not None:
                    self._flint.prec = self._saved[1]
            finally:
                _LOCK.release()


def precision_lock() -> contextlib.AbstractContextManager[None]:
    """The lock :func:`workdps` holds, for code that reads or changes mpmath's or
    flint's global precision directly (``mpmath.workprec``, ``flint.ctx.workprec``).

    >>> with precision_lock():
    ...     pass
    """
    return _locked()


@contextlib.contextmanager
def _locked() -> Iterator[None]:
    while not _LOCK.acquire(timeout=0.05):
        check_deadline()
    try:
        yield
    finally:
        _LOCK.release()


def _flint_ctx():  # type: ignore[no-untyped-def]
    import sys

    flint = sys.modules.get("flint")  # only if loaded: precision matters only where it is used
    return getattr(flint, "ctx", None)
