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

import numbers
import threading

import mpmath

from .budget import check_deadline, uninterruptible

__all__ = [
    "DEFAULT_DPS", "MAX_DPS", "MIN_DPS", "check_dps", "precision_lock", "workdps", "workprec",
]  # fmt: skip

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


class _Precision:
    """Hold the precision lock for a block, optionally setting mpmath's and flint's precision.

    Taking the lock waits under the caller's time budget
    (:func:`symact.core.budget.check_deadline`); taking it, setting and restoring the
    precisions are never cut half-way by a budget running out
    (:class:`symact.core.budget.uninterruptible`, and the watchdog never interrupts an
    ``__enter__`` or ``__exit__``).
    """

    __slots__ = ("_fl", "_flint", "_mp", "_saved")

    def __init__(self, mp_prec: int | None, flint_prec: int | None) -> None:
        self._mp, self._fl = mp_prec, flint_prec

    def __enter__(self) -> None:
        with uninterruptible():
            while not _LOCK.acquire(timeout=0.05):
                check_deadline()
            try:
                self._flint = _flint_ctx() if self._fl is not None else None
                self._saved = (
                    mpmath.mp.prec,
                    self._flint.prec if self._flint is not None else None,
                )
                if self._mp is not None:
                    mpmath.mp.prec = self._mp
                if self._flint is not None:
                    self._flint.prec = self._fl
            except BaseException:
                _LOCK.release()
                raise

    def __exit__(self, *exc: object) -> None:
        with uninterruptible():
            try:
                if self._mp is not None:
                    mpmath.mp.prec = self._saved[0]
                if self._flint is not None:
                    self._flint.prec = self._saved[1]
            finally:
                _LOCK.release()


def _bits(dps: int) -> int:
    return max(1, round((int(dps) + 1) * 3.3219280948873626))  # mpmath's dps_to_prec


class workdps(_Precision):
    """Run a block at ``dps`` decimal digits in mpmath and python-flint, then restore both.

    Holds a process-wide re-entrant lock for the block (see the module notes).
    """

    __slots__ = ()

    def __init__(self, dps: int) -> None:
        bits = _bits(dps)
        super().__init__(bits, bits)


class workprec(_Precision):
    """Run a block at ``bits`` binary digits, then restore: the locked replacement of
    ``mpmath.workprec`` and ``flint.ctx.workprec``.

    ``mpmath=False`` or ``flint=False`` leaves that library's precision as it is (still
    under the lock).

    >>> import mpmath
    >>> before = mpmath.mp.prec
    >>> with workprec(100, flint=False):
    ...     mpmath.mp.prec
    100
    >>> mpmath.mp.prec == before
    True
    """

    __slots__ = ()

    def __init__(self, bits: int, *, mpmath: bool = True, flint: bool = True) -> None:
        bits = int(bits)
        if bits < 1:
            raise ValueError(f"a precision is a positive number of bits, got {bits}")
        super().__init__(bits if mpmath else None, bits if flint else None)


def precision_lock() -> _Precision:
    """The lock :func:`workdps` holds, for code that reads mpmath's or flint's global
    precision (``mpmath.mp.dps``, ``flint.ctx.prec``) without changing it.

    >>> with precision_lock():
    ...     pass
    """
    return _Precision(None, None)


def _flint_ctx():  # type: ignore[no-untyped-def]
    import sys

    flint = sys.modules.get("flint")  # only if loaded: precision matters only where it is used
    return getattr(flint, "ctx", None)
