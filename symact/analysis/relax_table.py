r"""Vectorised proved linear relaxations: a certified table per activation, looked up in NumPy.

A verifier bounds millions of neurons per network, each on its own interval.
:class:`RelaxTable` precomputes, for every pair of points :math:`g_i < g_j` of a grid, the
proved optimal relaxation of :func:`symact.relax` on :math:`[g_i, g_j]`, stores its
slopes and intercepts as float64 rounded *outward* (the float lower line lies below the
exact one on the cell, so it is still proved sound), and answers a query
:math:`[l, u]` with the cell :math:`[g_i, g_j] \supseteq [l, u]` of the nearest grid
points outside it: a line sound on a larger interval is sound on a smaller one.
Intervals that leave the grid get ``NaN`` (check :attr:`TableBounds.covered`).

The precomputation is embarrassingly parallel and takes any
:class:`concurrent.futures.Executor` (``dask.distributed.Client`` on a cluster); tables
are saved and loaded as ``.npz`` files.

>>> import numpy as np, symact as sa
>>> t = sa.RelaxTable.build("relu", [-1, 0, 1])
>>> b = t(np.array([-0.5, 0.2]), np.array([0.5, 0.9]))
>>> b.lower_slope.tolist(), b.upper_slope.tolist(), b.upper_intercept.tolist()
([0.5, 1.0], [0.5, 1.0], [0.5, 0.0])
"""

from __future__ import annotations

import math
from concurrent.futures import Executor
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, NamedTuple

import numpy as np
import sympy

from ..expressions.activation import Activation
from ..expressions.coerce import as_activation

__all__ = ["RelaxTable", "TableBounds", "relax_table"]


class TableBounds(NamedTuple):
    """Float64 arrays of the lines ``lower_slope * x + lower_intercept <= phi(x) <= upper_...``."""

    lower_slope: np.ndarray
    lower_intercept: np.ndarray
    upper_slope: np.ndarray
    upper_intercept: np.ndarray
    covered: np.ndarray


def _down(q: Fraction) -> float:
    f = float(q)
    return math.nextafter(f, -math.inf) if Fraction(f) > q else f


def _float_line(s: sympy.Rational, b: sympy.Rational, lo: Fraction, hi: Fraction, up: bool) -> tuple[float, float]:
    """A float line below (``up=False``) or above the exact line ``s x + b`` on ``[lo, hi]``."""
    S, B = Fraction(int(s.p), int(s.q)), Fraction(int(b.p), int(b.q))
    sf = float(S)
    d = S - Fraction(sf)  # exact line - float-slope line = d * x + (B - b_f)
    if not up:
        return sf, _down(B + min(d * lo, d * hi))
    return sf, 0.0 - _down(-(B + max(d * lo, d * hi)))


def _cell(act: Activation, lo: Fraction, hi: Fraction, dps: int) -> tuple[float, float, float, float]:
    from .relax import relax

    r = relax(act, sympy.Rational(lo.numerator, lo.denominator), sympy.Rational(hi.numerator, hi.denominator),
              dps=dps)
    a = _float_line(r.lower.slope, r.lower.intercept, lo, hi, up=False)
    b = _float_line(r.upper.slope, r.upper.intercept, lo, hi, up=True)
    return (*a, *b)


def _cell_star(args: tuple[Activation, Fraction, Fraction, int]) -> tuple[float, float, float, float]:
    return _cell(*args)


@dataclass(frozen=True)
class RelaxTable:
    """Proved float64 relaxations for every cell ``[grid[i], grid[j]]``, ``i < j``, of one activation."""

    name: str
    grid: np.ndarray
    lines: np.ndarray  # shape (n, n, 4): lower slope, lower intercept, upper slope, upper intercept
    dps: int

    @classmethod
    def build(cls, act: Activation | str, grid: Any = None, *, executor: Executor | None = None,
              dps: int = 20) -> RelaxTable:
        """Prove every cell's relaxation (with ``executor.map`` when given) and round it outward.

        ``grid``: increasing finite floats (default ``numpy.linspace(-8, 8, 33)``), each
        taken at its exact binary value.
        """
        a = as_activation(act)
        g = np.linspace(-8.0, 8.0, 33) if grid is None else np.asarray(grid, dtype=np.float64)
        if g.ndim != 1 or g.size < 2 or not np.all(np.isfinite(g)) or not np.all(np.diff(g) > 0):
            raise ValueError("grid must be at least two increasing finite numbers")
        fr = [Fraction(float(v)) for v in g]
        jobs = [(a, fr[i], fr[j], dps) for i in range(len(fr)) for j in range(i + 1, len(fr))]
        results = list(executor.map(_cell_star, jobs)) if executor is not None else [_cell_star(j) for j in jobs]
        n = len(fr)
        lines = np.full((n, n, 4), np.nan)
        k = 0
        for i in range(n):
            for j in range(i + 1, n):
                lines[i, j] = results[k]
                k += 1
        return cls(a.name, g, lines, dps)

    def __call__(self, lo: Any, hi: Any) -> TableBounds:
        """Look up the lines for arrays of intervals ``[lo, hi]`` (vectorised)."""
        lo = np.asarray(lo, dtype=np.float64)
        hi = np.asarray(hi, dtype=np.float64)
        if lo.shape != hi.shape:
            raise ValueError(f"lo and hi must have the same shape, got {lo.shape} and {hi.shape}")
        g = self.grid
        i = np.searchsorted(g, lo, side="right") - 1
        j = np.searchsorted(g, hi, side="left")
        j = np.where(j == i, j + 1, j)  # a point on the grid or an empty cell: the next cell
        covered = (lo <= hi) & (i >= 0) & (j < len(g)) & np.isfinite(lo) & np.isfinite(hi)
        ii, jj = np.where(covered, i, 0), np.where(covered, j, 1)
        out = self.lines[ii, jj]
        out[~covered] = np.nan
        return TableBounds(out[..., 0], out[..., 1], out[..., 2], out[..., 3], covered)

    def save(self, path: str) -> None:
        """Write the table to an ``.npz`` file."""
        np.savez(path, name=np.array(self.name), grid=self.grid, lines=self.lines, dps=np.array(self.dps))

    @classmethod
    def load(cls, path: str) -> RelaxTable:
        """Read a table written by :meth:`save`."""
        with np.load(path, allow_pickle=False) as z:
            return cls(str(z["name"]), z["grid"], z["lines"], int(z["dps"]))


_TABLES: dict[tuple[str, bytes], RelaxTable] = {}


def relax_table(act: Activation | str, lo: Any, hi: Any, *, table: RelaxTable | None = None,
                grid: Any = None, executor: Executor | None = None) -> TableBounds:
    r"""Proved float64 linear bounds for arrays of intervals, from a certified table.

    Parameters
    ----------
    act : Activation or str
    lo, hi : array_like
        Interval ends (float64).
    table : RelaxTable, optional
        A table built by :meth:`RelaxTable.build` or loaded with :meth:`RelaxTable.load`;
        otherwise one is built for ``grid`` (once per activation and grid, then kept).
    grid : array_like, optional
        The table's grid (default ``numpy.linspace(-8, 8, 33)``).
    executor : concurrent.futures.Executor, optional
        Builds the table's cells in parallel.

    Returns
    -------
    TableBounds
        ``lower_slope``, ``lower_intercept``, ``upper_slope``, ``upper_intercept`` (NaN where
        not ``covered``): for every covered interval and every real :math:`x` in it,
        ``lower_slope*x + lower_intercept <= phi(x) <= upper_slope*x + upper_intercept``
        in exact arithmetic (proved per cell, floats rounded outward).

    Examples
    --------
    >>> import numpy as np, symact as sa
    >>> b = sa.relax_table("relu", np.array([-0.7]), np.array([0.3]), grid=[-1, 0, 1])
    >>> b.lower_slope, b.upper_intercept
    (array([0.5]), array([0.5]))
    """
    if table is None:
        a = as_activation(act)
        g = np.linspace(-8.0, 8.0, 33) if grid is None else np.asarray(grid, dtype=np.float64)
        key = (a.name + repr(a.expr), g.tobytes())
        table = _TABLES.get(key)
        if table is None:
            table = _TABLES[key] = RelaxTable.build(a, g, executor=executor)
    return table(lo, hi)

