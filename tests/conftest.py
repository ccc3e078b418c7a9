"""Shared fixtures: nothing may change mpmath's or Arb's global precision."""

from __future__ import annotations

import os

import mpmath
import pytest

os.environ.setdefault("MPLBACKEND", "Agg")


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
