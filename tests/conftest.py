"""Shared fixtures: nothing may change mpmath's or Arb's global precision.

Hypothesis runs derandomised (the examples of a test are a function of the test
alone) with no example database: a fresh clone and a second run see the same
examples, and no stale local failure is replayed (issue 20, item 10).  Set
``HYPOTHESIS_PROFILE=explore`` to search with random examples locally; put what it
finds into an ``@example``.
"""

from __future__ import annotations

import os

import mpmath
import pytest
from hypothesis import settings

os.environ.setdefault("MPLBACKEND", "Agg")

settings.register_profile("symact", derandomize=True, database=None, deadline=None)
settings.register_profile("explore", derandomize=False, database=None, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "symact"))


@pytest.fixture(autouse=True)
def _global_precision_untouched():
    dps, prec = mpmath.mp.dps, mpmath.mp.prec
    try:
        import flint

        flint_prec = flint.ctx.prec
    except ImportError:  # pragma: no cover
        flint, flint_prec = None, None
    yield
    assert (mpmath.mp.dps, mpmath.mp.prec) == (dps, prec), "mpmath global precision changed"
    if flint is not None:
        assert flint.ctx.prec == flint_prec, "python-flint global precision changed"
