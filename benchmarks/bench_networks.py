"""Networks: propagate timings, init reports for GPT-2 small and BERT-base, and the seed's
learning-rate question.

* ``propagate`` of a 50-block pre-LN residual GELU stack, two inputs (c = 1/2), certified
  at 30 digits: cold (fresh interpreter, import excluded) and warm; the same recursion in
  float64 NumPy with Tsuchida et al.'s GELU kernel (what neural-tangents' stax computes) as
  the baseline, and the float64 result's actual error against symact's enclosure.
* ``init_report`` for GPT-2 small (GELU, width 768, std 0.02, 12 pre-LN blocks) and BERT-base
  (GELU, 768, 0.02, 12 post-LN blocks).
* ``symact lr sigmoid relu --depth 10``: both stable steps at each activation's gain and the
  ratio.

Run: ``python benchmarks/bench_networks.py`` (about a minute); writes
``benchmarks/results/networks.md``.
"""

from __future__ import annotations

import json
import math
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

COLD = """
import time, json
import symact as sa
net = sa.repeat(sa.residual(sa.serial(sa.layer_norm(), sa.dense(1), "gelu", sa.dense(1))), 50)
t = time.perf_counter(); r = sa.propagate(net, 1, 1, "0.5"); dt = time.perf_counter() - t
print("RESULT " + json.dumps({"t": dt}))
"""


def gelu_kernel(q1, q2, k):
    d2 = (1 + q1) * (1 + q2) - k * k
    d = math.sqrt(d2)
    return k / 4 + ((k * k + q1 * q2 * d2) / ((1 + q1) * (1 + q2) * d) + k * math.atan(k / d)) / (2 * math.pi)


def float_stack(depth=50):
    q1 = q2 = 1.0
    k = 0.5
    for _ in range(depth):
        # LayerNorm (zero means after dense layers), dense(1), gelu, dense(1), residual add
        p = math.sqrt(q1 * q2)
        a1, a2, ak = 1.0, 1.0, k / p
        f1, f2, fk = gelu_kernel(a1, a1, a1), gelu_kernel(a2, a2, a2), gelu_kernel(a1, a2, ak)
        q1, q2, k = q1 + f1, q2 + f2, k + fk
    return q1, k / math.sqrt(q1 * q2)


def main() -> None:
    import symact as sa

    lines = ["# networks benchmark", ""]
    env = dict(os.environ, PYTHONHASHSEED="0")
    colds = []
    for _ in range(3):
        p = subprocess.run([sys.executable, "-c", COLD], capture_output=True, text=True, env=env, timeout=300)
        colds += [json.loads(ln[7:])["t"] for ln in p.stdout.splitlines() if ln.startswith("RESULT ")]
    net = sa.repeat(sa.residual(sa.serial(sa.layer_norm(), sa.dense(1), "gelu", sa.dense(1))), 50)
    warms = []
    for _ in range(3):
        t = time.perf_counter()
        r = sa.propagate(net, 1, 1, "0.5")
        warms.append(time.perf_counter() - t)
    t = time.perf_counter()
    for _ in range(200):
        fq, fc = float_stack()
    t_float = (time.perf_counter() - t) / 200
    err_q = abs(fq - float(r.q1)) / float(r.q1)
    err_c = abs(fc - float(r.c))
    lines += [
        "## propagate: 50-block pre-LN residual GELU stack, two inputs, 30 digits", "",
        "| figure | value |", "|---|---|",
        f"| cold (median of {len(colds)}) | {statistics.median(colds):.3f} s |",
        f"| warm (median of 3) | {statistics.median(warms):.3f} s |",
        f"| float64 recursion (neural-tangents' formulas) | {t_float * 1e6:.0f} us |",
        f"| ratio warm / float64 | {statistics.median(warms) / t_float:.0f}x |",
        f"| float64 relative error in q / absolute in c | {err_q:.1e} / {err_c:.1e} |",
        f"| symact level, q, c | {r.level}, {r.q1.evalf(12)}, {r.c.evalf(12)} |", ""]
    for label, block in (("GPT-2 small (pre-LN)", "residual"), ("BERT-base (post-LN)", "postln")):
        t = time.perf_counter()
        rep = sa.init_report("gelu", 768, "0.02", 12, block=block)
        dt = time.perf_counter() - t
        lines += [f"## init report: {label}, {dt:.2f} s", "", "```", rep.text(), "```", ""]
    rep = sa.init_report("gelu", 768, "0.02", 12)
    lines += ["## the same init read as a plain GELU MLP", "", "```", rep.text(), "```", ""]
    import contextlib
    import io

    from symact.presentation.cli import main as cli

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        cli(["lr", "sigmoid", "relu", "--depth", "10"])
    lines += ["## symact lr sigmoid relu --depth 10", "", "```", buf.getvalue().rstrip(), "```", ""]
    (HERE / "results" / "networks.md").write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
