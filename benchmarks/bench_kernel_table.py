"""The catalogue table of issue 12 (C'(1), C''(1), xi_c at the gain and on the edge of chaos; Jacobian spread).

Run: PYTHONPATH=. python benchmarks/bench_kernel_table.py   (writes benchmarks/results/kernel_table.md)
Environment: BENCH_DPS (default 15), BENCH_CMAP=0 to skip xi_c at chaotic non-odd gain points
(computed from the 2-D C-map by default).
"""

import os
import platform
import time
from pathlib import Path

from symact.propagation.isometry import isometry
from symact.propagation.kernel_table import kernel_table

OUT = Path(__file__).parent / "results" / "kernel_table.md"
DPS = int(os.environ.get("BENCH_DPS", "15"))
CMAP = os.environ.get("BENCH_CMAP", "1") == "1"

t0 = time.perf_counter()
table = kernel_table("all", dps=DPS, cmap=CMAP)
wall = time.perf_counter() - t0
lines = ["# Catalogue table (issue 12)", "",
         f"dps = {DPS}; edge of chaos at sigma_b^2 = {table.bias_var} (0 for positively homogeneous); "
         f"depth L = {table.depth}; 2-D C-map for chaotic non-odd gain points: {CMAP}.",
         f"Wall time {wall:.1f} s for {len(table.rows)} activations on {platform.machine()} "
         f"(Python {platform.python_version()}), single process.", "",
         table.markdown(), "", "## Per-row time and notes", "", "| activation | seconds | notes |", "|---|---|---|"]
for r in table.rows:
    lines.append(f"| {r.name} | {r.seconds:.2f} | {'; '.join(r.notes)} |")
lines += ["", "## Dynamical-isometry search (`isometry`, depth 100)", "",
          "| activation | weights | spread at point | sigma_w^2 | sigma_b^2 | infimum | seconds |", "|---|---|---|---|---|---|---|"]
for name in ("tanh", "arctan", "sin", "gelu", "silu", "sigmoid", "relu"):
    for w in ("orthogonal", "gaussian"):
        t = time.perf_counter()
        try:
            r = isometry(name, 100, weights=w, dps=DPS)
            lines.append(f"| {name} | {w} | {r.evalf(8)} | {r.weight_var.evalf(8)} | {r.bias_var} | "
                         f"{r.infimum.evalf(8)} ({r.infimum.level}) | {time.perf_counter() - t:.2f} |")
        except Exception as exc:  # noqa: BLE001 - a benchmark reports failures
            lines.append(f"| {name} | {w} | failed: {type(exc).__name__}: {exc} | | | | |")
OUT.write_text("\n".join(lines) + "\n")
print("\n".join(lines))
