"""shape (DKS) against the defining conditions, computed by quadrature at the returned (alpha, beta)."""

from __future__ import annotations

import mpmath as mp
import pytest

import symact as sa

from .checks import clean_error, contains
from .ref import DPS, shaped_conditions

pytestmark = pytest.mark.slow  # a shaping solve takes seconds


def _budgeted_shape(name):
    with sa.time_budget(60):
        return sa.shape(name)


def _check(name, budget):
    with sa.time_budget(budget):
        s = sa.shape(name)
    with mp.workdps(60):  # midpoints of the certified (alpha, beta) enclosures
        alpha, beta = (mp.nstr((mp.mpf(v.enclosure[0]) + mp.mpf(v.enclosure[1])) / 2, 60)
                       for v in (s.input_scale, s.input_shift))
    delta, gamma, q1, c1 = shaped_conditions(name, alpha, beta)
    # the returned (alpha, beta) solve Q'(1) = 1, C'(1) = 3/2 (to the digits they are printed with)
    assert abs(q1 - 1) < 1e-12 and abs(c1 - mp.mpf(3) / 2) < 1e-12, f"Q'(1) = {q1}, C'(1) = {c1}"
    # and the certified output shift and scale contain the truth at that (alpha, beta)
    with mp.workdps(DPS):
        contains(s.output_shift, delta, f"output_shift of {name}")
        contains(s.output_scale, gamma, f"output_scale of {name}")


def test_dks_tanh():
    _check("tanh", None)


@pytest.mark.parametrize("name", [
    "silu",
])
def test_dks_where_a_solution_exists(name):
    _check(name, 60)


@pytest.mark.parametrize("name", [
    "softplus",
])
def test_dks_without_a_solution_says_so(name):
    # along Q'(1) = 1, C'(1) stays below about 1.467 < 3/2: no DKS solution
    exc = clean_error(_budgeted_shape, name)
    assert "solution" in str(exc), f"refusal does not say there is no solution: {exc}"
