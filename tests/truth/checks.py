"""The two rules of the truth suite, as assertions, and the shared Hypothesis settings."""

from __future__ import annotations

import math
import os
import sys

import mpmath as mp
import pytest
import sympy
from hypothesis import HealthCheck, settings

import symact  # noqa: F401  (for its location)

from .ref import DPS

#: Derandomised, no example database, no deadline: the same examples on every run.
few = settings(deadline=None, max_examples=6,
               suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

#: A reference's own error is below this (relative) -- far below any enclosure width symact returns.
REF_TOL = mp.mpf(10) ** (-(DPS - 8))

STRONG = ("exact", "certified", "identified")


def xfail(reason):
    """A strict expected failure: the lead sees XPASS (a failed run) once the fix lands."""
    return pytest.mark.xfail(strict=True, reason=reason)


def case(*values, item=None):
    """A parametrised case, expected to fail (strictly) when ``item`` names the issue item."""
    return pytest.param(*values, marks=[xfail(item)] if item else [])


def contains(result, ref, what="result"):
    """``result`` (a symact Quantity-like) is exact/certified/identified and its enclosure holds ``ref``.

    An exact result's closed form must also agree with ``ref`` to the reference's accuracy
    (evaluated by SymPy at DPS digits), not only its enclosure.
    """
    level = getattr(result, "level", None)
    assert level in STRONG, f"{what}: level {level!r}, expected a strong level"
    enc = result.enclosure
    assert enc is not None, f"{what}: {level} result without an enclosure"
    with mp.workdps(DPS):
        ref = mp.mpf(ref)
        lo, hi = mp.mpf(enc[0]), mp.mpf(enc[1])
        assert not (mp.isnan(lo) or mp.isnan(hi)), f"{what}: nan in the enclosure"
        tol = REF_TOL * abs(ref) + mp.mpf(10) ** (-2 * DPS)
        assert lo - tol <= ref <= hi + tol, (
            f"{what} ({level}): enclosure [{mp.nstr(lo, 25)}, {mp.nstr(hi, 25)}] misses the reference "
            f"{mp.nstr(ref, 30)} (by {mp.nstr(max(lo - ref, ref - hi), 3)})")
        if level == "exact" and not result.value.is_number and hasattr(result, "refine"):
            # an exact kernel entry held as a named recursion (sa.ntk(...).recursion()):
            # its closed form is the recursion, checked through the enclosure above
            return True
        if level == "exact":
            value = sympy.N(sympy.sympify(result.value), DPS)
            assert value.is_Number, f"{what}: exact value {result.value} is not a number"
            assert abs(mp.mpf(value) - ref) <= 10 * tol, (
                f"{what}: exact value {result.value} = {value} differs from the reference {mp.nstr(ref, 30)}")
    return True


def real(v):
    """float() of a result, asserting it is a real number (no nan)."""
    f = float(v)
    assert not math.isnan(f), "nan result"
    return f


_SYMACT = os.path.dirname(os.path.abspath(sys.modules["symact"].__file__)) if "symact" in sys.modules else ""


def _raised_in(exc):
    """The file whose code raised ``exc`` (the innermost frame of its traceback)."""
    tb = exc.__traceback__
    while tb.tb_next is not None:
        tb = tb.tb_next
    return os.path.abspath(tb.tb_frame.f_code.co_filename)


#: Exceptions that are never an acceptable answer to any input.
RAW = (ZeroDivisionError, SystemError, AttributeError, OverflowError, RecursionError, IndexError)


def clean_error(call, *args, **kwargs):
    """``call`` must refuse its input with exactly one clean, typed error carrying a message.

    Accepted: ValueError/TypeError (symact's UnsafeExpression and UnsupportedExpression
    are ValueErrors) and UnknownActivation (a KeyError) -- with a message.  Refused: a
    result (nan or not), a raw ArithmeticError (also CertificationError/Undecided: a
    bad input is not a mathematical failure), ZeroDivisionError, SystemError,
    AttributeError, a budget expiry.
    """
    from symact import BudgetExceeded, UnknownActivation

    try:
        out = call(*args, **kwargs)
    except RAW as exc:  # checked first: ArithmeticError/ValueError subclasses among them
        pytest.fail(f"raw {type(exc).__name__}: {exc}")
    except BudgetExceeded as exc:
        pytest.fail(f"over budget instead of a clean refusal: {exc}")
    except ArithmeticError as exc:
        pytest.fail(f"{type(exc).__name__} instead of an input error: {exc}")
    except (ValueError, TypeError, UnknownActivation) as exc:
        assert str(exc).strip(" '\""), f"{type(exc).__name__} without a message"
        where = _raised_in(exc)
        assert where.startswith(_SYMACT), (
            f"{type(exc).__name__}({exc}) leaked from {where}, not a refusal by symact")
        return exc
    pytest.fail(f"accepted the invalid input and returned {out!r:.200}")
