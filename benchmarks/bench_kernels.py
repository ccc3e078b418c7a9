"""NNGP/NTK figures for issue 20 (item 14): exact ReLU kernels at depth 5, 10, 50, against
neural-tangents' arc-cosine recursion reimplemented in float64 and mpmath at 40 digits.

Run: PYTHONPATH=. python benchmarks/bench_kernels.py   (writes benchmarks/results/kernels.md)
"""

import sys
import time
from pathlib import Path

import mpmath
import sympy

sys.path.insert(0, str(Path(__file__).parent.parent / "tests"))
from test_kernels_truth import arccos_reference, nt_relu

import symact as sa

OUT = Path(__file__).parent / "results" / "kernels.md"
R = sympy.Rational


def main() -> None:
    sa.ntk("relu", 1, 2, 0, q1=1, c=R(1, 3))  # imports and caches
    lines = ["# Exact ReLU NTK, q1 = q2 = 1, c = 1/2 (issue 20, item 14)", "",
             "| depth | (w, b) | symact (exact) | enclosure width / value | contains mpmath 40 | "
             "mpmath 40 digits | neural-tangents float64 | its relative error |",
             "|---|---|---|---|---|---|---|---|"]
    for depth in (5, 10, 50):
        for w, b in ((2, 0), (2, R(1, 10)), (R(3, 2), R(1, 20))):
            t = time.perf_counter()
            r = sa.ntk("relu", depth, w, b, q1=1, c=R(1, 2))
            ts = time.perf_counter() - t
            t = time.perf_counter()
            ref = arccos_reference(depth, w, b, 1, 1, R(1, 2), dps=40)["ntk"][(0, 1)]
            tm = time.perf_counter() - t
            t = time.perf_counter()
            for _ in range(20):
                _, t12 = nt_relu(depth, float(w), float(b), 1.0, 0.5)
            tn = (time.perf_counter() - t) / 20
            lo, hi = r.ntk[0][1].enclosure
            with mpmath.workdps(40):
                lines.append(
                    f"| {depth} | ({w}, {b}) | {ts * 1e3:.1f} ms ({r.level}) | "
                    f"{mpmath.nstr((hi - lo) / ref, 2)} | {lo <= ref <= hi} | {tm * 1e3:.1f} ms | "
                    f"{tn * 1e6:.0f} us | {mpmath.nstr(abs(mpmath.mpf(t12) - ref) / ref, 2)} |")
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
