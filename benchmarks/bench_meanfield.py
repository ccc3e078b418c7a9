"""Benchmark the mean-field layer.

1. ``mean_field`` (30-digit fixed point and χ₁) for a list of catalogue activations.
2. A 100 × 100 (σ_w² × σ_b²) phase diagram of χ₁ for tanh, serially and on
   ``ProcessPoolExecutor(2)``, with the speed-up; its precision is measured
   against 30-digit ``mean_field`` at a few grid points.

Run: ``python benchmarks/bench_meanfield.py``.
"""

from __future__ import annotations

import concurrent.futures
import time

import mpmath
import numpy as np
import sympy

from symact.expressions.catalogue import activation
from symact.propagation.meanfield import mean_field, phase_diagram

ACTS = [("relu", 2), ("leaky_relu", 2), ("tanh", sympy.Rational(25, 9)), ("selu", 1),
        ("sigmoid", 4), ("gelu", 2), ("silu", 2), ("softplus", 1), ("elu", 1)]


def main() -> None:
    print("mean_field (dps=30):")
    for name, sw in ACTS:
        t = time.perf_counter()
        mf = mean_field(activation(name), sw, 0)
        print(f"  {name:<11} σ_w²={sw!s:<5} {time.perf_counter() - t:7.3f} s   {mf!r}")

    tanh = activation("tanh")
    ws, bs = np.linspace(0.5, 4.0, 100), np.linspace(0.0, 0.5, 100)
    phase_diagram(tanh, ws[:2], bs[:2])  # warm the compiled-function cache
    t = time.perf_counter()
    chi = phase_diagram(tanh, ws, bs)
    serial = time.perf_counter() - t
    with concurrent.futures.ProcessPoolExecutor(2) as ex:
        phase_diagram(tanh, ws[:2], bs[:2], executor=ex)  # start the workers
        t = time.perf_counter()
        chi_p = phase_diagram(tanh, ws, bs, executor=ex)
        parallel = time.perf_counter() - t
    assert np.allclose(chi, chi_p, rtol=1e-9, atol=1e-12)
    print(f"phase diagram 100x100 tanh: serial {serial:.2f} s, ProcessPoolExecutor(2) {parallel:.2f} s, "
          f"speed-up {serial / parallel:.2f}x")

    worst = {}
    for i, j in [(0, 0), (20, 10), (50, 50), (99, 99), (70, 0), (30, 80)]:
        ref = mean_field(tanh, sympy.Float(ws[i], 20), sympy.Float(bs[j], 20), dps=30).chi1
        err = abs(float(chi[i, j]) - float(sympy.N(ref, 20) if isinstance(ref, sympy.Expr) else mpmath.mpf(ref)))
        worst[(round(ws[i], 3), round(bs[j], 3))] = err
    print("sweep precision (|χ₁ GH-100 − χ₁ 30-digit|):", {k: f"{v:.1e}" for k, v in worst.items()})


if __name__ == "__main__":
    main()
