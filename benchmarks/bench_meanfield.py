"""Benchmark the certified mean-field layer.

1. ``mean_field`` for every catalogue entry at (σ_w², σ_b²) = (gain², 0) and (1.5, 0.05),
   each call cold (caches cleared): time per call, level, regime, enclosure width of χ₁.
2. ``gain_table`` over the whole catalogue, cold.
3. A 100 × 100 phase diagram of χ₁ for tanh (float64, level "sampled"), serially and on
   ``ProcessPoolExecutor(2)``, and its error against certified ``mean_field`` values.

Run: ``python benchmarks/bench_meanfield.py [--quick]``.
"""

from __future__ import annotations

import concurrent.futures
import statistics
import sys
import time

import mpmath
import numpy as np
import sympy

import symact
from symact.expressions.catalogue import names
from symact.propagation.gains import gain, gain_table
from symact.propagation.meanfield import mean_field, phase_diagram


def _width(q) -> str:
    if q is None or q.enclosure is None:
        return "-"
    lo, hi = q.enclosure
    with mpmath.workdps(40):
        return mpmath.nstr(hi - lo, 2)


def bench_mean_field() -> None:
    times = []
    print(f"{'activation':<15}{'init':<14}{'time s':>8}  {'level':<10}{'regime':<10}{'chi1 width':>11}  q* / note")
    for name in names():
        symact.clear_cache()
        g = gain(name)
        for label, wv, bv in (("gain^2, 0", g**2, 0), ("1.5, 0.05", sympy.Rational(3, 2), sympy.Rational(1, 20))):
            symact.clear_cache()
            t = time.perf_counter()
            try:
                mf = mean_field(name, wv, bv)
            except Exception as exc:  # noqa: BLE001 - report and go on
                dt = time.perf_counter() - t
                times.append(dt)
                print(f"{name:<15}{label:<14}{dt:8.3f}  FAILED {type(exc).__name__}: {str(exc)[:60]}")
                continue
            dt = time.perf_counter() - t
            times.append(dt)
            q = "∞" if mf.q_star is None else str(mf.q_star)[:22]
            print(f"{name:<15}{label:<14}{dt:8.3f}  {mf.level:<10}{mf.regime:<10}{_width(mf.chi1):>11}  {q} {mf.note[:60]}")
    print(f"mean_field cold: median {statistics.median(times):.3f} s, max {max(times):.3f} s, "
          f"{sum(t <= 0.3 for t in times)}/{len(times)} calls within 0.3 s")


def bench_gain_table() -> None:
    symact.clear_cache()
    t = time.perf_counter()
    table = gain_table("all")
    print(f"gain_table over the catalogue ({len(table.rows)} rows), cold: {time.perf_counter() - t:.2f} s")


def bench_phase() -> None:
    tanh = "tanh"
    ws, bs = np.linspace(0.5, 4.0, 100), np.linspace(0.0, 0.5, 100)
    phase_diagram(tanh, ws[:2], bs[:2])
    t = time.perf_counter()
    chi = phase_diagram(tanh, ws, bs)
    serial = time.perf_counter() - t
    with concurrent.futures.ProcessPoolExecutor(2) as ex:
        phase_diagram(tanh, ws[:2], bs[:2], executor=ex)
        t = time.perf_counter()
        chi_p = phase_diagram(tanh, ws, bs, executor=ex)
        parallel = time.perf_counter() - t
    assert np.allclose(chi, chi_p, rtol=1e-9, atol=1e-12)
    print(f"phase diagram 100x100 tanh (sampled): serial {serial:.2f} s, ProcessPoolExecutor(2) {parallel:.2f} s")
    worst = {}
    for i, j in [(0, 0), (20, 10), (50, 50), (99, 99), (70, 0), (30, 80)]:
        ref = mean_field(tanh, float(ws[i]), float(bs[j])).chi1
        worst[(round(ws[i], 3), round(bs[j], 3))] = abs(float(chi[i, j]) - float(ref))
    print("phase diagram error vs certified chi_1:", {k: f"{v:.1e}" for k, v in worst.items()})


def main() -> None:
    bench_mean_field()
    bench_gain_table()
    if "--quick" not in sys.argv:
        bench_phase()


if __name__ == "__main__":
    main()
