"""Run every symact benchmark in one go and write ``benchmarks/results/latest.md``.

Each row gives the symact figure, a baseline figure (plain SymPy, hand-written
NumPy, ...), their ratio, the goal and whether it is met.  Figures are medians
of several runs; cold-start figures come from fresh subprocesses in which only
the call itself is timed.  The machine is shared and noisy: read the ratios.

Run: ``python benchmarks/run_all.py [--quick]`` (about 2-4 minutes; ``--quick``
uses fewer repetitions).  A failing item prints ``error: ...`` in its row and
the script carries on; the exit code is always 0.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
PY = sys.executable
T0 = time.perf_counter()
BUDGET = 230.0  # seconds; optional items are skipped past this

ROWS: list[tuple[str, str, str, str, str, str]] = []
NOTES: list[str] = []
EXTRA: list[str] = []


def elapsed() -> float:
    return time.perf_counter() - T0


# ----------------------------------------------------------------- helpers
def sub(code: str, timeout: float = 60.0) -> dict:
    """Run ``code`` in a fresh interpreter; it must print ``RESULT <json>`` last."""
    env = dict(os.environ, PYTHONHASHSEED="0")
    p = subprocess.run([PY, "-c", code], capture_output=True, text=True, timeout=timeout, env=env)
    for line in reversed(p.stdout.splitlines()):
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    tail = (p.stderr.strip().splitlines() or ["no output"])[-1]
    raise RuntimeError(f"subprocess rc={p.returncode}: {tail[:160]}")


def wall(cmd: list[str], timeout: float = 60.0) -> float:
    t = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    dt = time.perf_counter() - t
    if p.returncode:
        raise RuntimeError(p.stderr.strip().splitlines()[-1][:160])
    return dt


def fmt_t(s: float | None) -> str:
    if s is None:
        return "—"
    if s >= 1:
        return f"{s:.2f} s"
    if s >= 1e-3:
        return f"{s * 1e3:.1f} ms"
    return f"{s * 1e6:.1f} µs"


def ratio(a: float | None, b: float | None) -> str:
    if a is None or b is None or b == 0:
        return "—"
    return f"{a / b:.2f}"


def met(ok: bool | None) -> str:
    return "—" if ok is None else ("yes" if ok else "no")


def row(item: str, ours: str, base: str, rat: str, goal: str, ok: str) -> None:
    ROWS.append((item, ours, base, rat, goal, ok))
    print(f"  {item:<46} {ours:>14} {base:>16} {rat:>7} {goal:>12} {ok:>4}", flush=True)


def error_row(item: str, exc: BaseException, goal: str = "—") -> None:
    msg = f"error: {type(exc).__name__}: {str(exc)[:120]}".replace("|", "/").replace("\n", " ")
    row(item, msg, "—", "—", goal, "no")


# ----------------------------------------------------------------- machine
def machine() -> list[str]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    vers = {}
    for mod in ("sympy", "mpmath", "numpy", "flint", "scipy", "symact"):
        try:
            m = __import__(mod)
            vers[mod] = getattr(m, "__version__", "?")
        except Exception as exc:  # noqa: BLE001
            vers[mod] = f"not importable ({type(exc).__name__})"
    try:
        commit = subprocess.run(["git", "-C", str(HERE.parent), "rev-parse", "--short", "HEAD"],
                                capture_output=True, text=True).stdout.strip()
    except Exception:  # noqa: BLE001
        commit = "?"
    return [
        f"- date: {datetime.datetime.now().isoformat(timespec='seconds')}",
        f"- git commit: {commit}",
        f"- platform: {platform.platform()}",
        f"- CPU: {cpu}",
        f"- cores (os.cpu_count): {os.cpu_count()}",
        f"- Python: {platform.python_version()} ({platform.python_implementation()})",
        "- versions: " + ", ".join(f"{k} {v}" for k, v in vers.items()),
    ]


# ----------------------------------------------------------------- items
def item_import(n: int) -> None:
    try:
        ts = [wall([PY, "-c", "import symact"]) for _ in range(n)]
        tb = [wall([PY, "-c", "import sympy"]) for _ in range(n)]
        a, b = statistics.median(ts), statistics.median(tb)
        row(f"1. import symact vs import sympy (fresh, n={n})", fmt_t(a), fmt_t(b), ratio(a, b),
            "≤ 1.3", met(a / b <= 1.3))
    except Exception as exc:  # noqa: BLE001
        error_row("1. import symact vs import sympy", exc, "≤ 1.3")


SYMPY_EXPR = {
    "sigmoid": "1/(1 + sympy.exp(-x))",
    "tanh": "sympy.tanh(x)",
    "softplus": "sympy.log(1 + sympy.exp(x))",
    "arctan": "sympy.atan(x)",
}

# Both sides build the activation and its derivative before the timer starts
# (the SymPy side needs ``d`` to call maximum/minimum), so both time only the
# analysis, and SymPy's lazy imports on the first arithmetic land outside the
# timer on both sides alike.
SYMACT_DB = """
import time, json, symact
act = symact.expressions.activation({name!r}); act.derivative()
t = time.perf_counter(); b = symact.derivative_bounds(act); dt = time.perf_counter() - t
print("RESULT " + json.dumps({{"t": dt, "r": repr(b)[:200]}}))
"""

SYMPY_DB = """
import time, json, sympy
x = sympy.Symbol("x", real=True)
d = sympy.diff({expr}, x)
t = time.perf_counter()
try:
    hi = sympy.maximum(d, x); lo = sympy.minimum(d, x); ok = True; r = f"[{{lo}}, {{hi}}]"
except Exception as exc:
    ok = False; r = f"{{type(exc).__name__}}: {{exc}}"
dt = time.perf_counter() - t
print("RESULT " + json.dumps({{"t": dt, "ok": ok, "r": r[:200]}}))
"""


def item_bounds(n: int, sympy_timeout: float) -> None:
    for name, expr in SYMPY_EXPR.items():
        label = f"2. derivative_bounds({name}) cold (n={n})"
        try:
            ts = []
            res = None
            for _ in range(n):
                res = sub(SYMACT_DB.format(name=name), timeout=60)
                ts.append(res["t"])
            a = statistics.median(ts)
            NOTES.append(f"derivative_bounds({name}) = {res['r']}")
        except Exception as exc:  # noqa: BLE001
            error_row(label, exc, "≤ 0.5")
            continue
        tb, base, fail = [], None, None
        for _ in range(n):
            try:
                r = sub(SYMPY_DB.format(expr=expr), timeout=sympy_timeout)
            except subprocess.TimeoutExpired:
                fail = f"SymPy fails (timeout > {sympy_timeout:.0f} s)"
                break
            except Exception as exc:  # noqa: BLE001
                fail = f"SymPy fails ({str(exc)[:60]})"
                break
            if not r["ok"]:
                fail = f"SymPy fails ({r['r'][:60]})"
                break
            tb.append(r["t"])
            NOTES.append(f"plain SymPy [minimum, maximum] of {name}' = {r['r']}") if len(tb) == 1 else None
        if fail is not None:
            base = fail.replace("|", "/")
            row(label, fmt_t(a), base, "—", "≤ 0.5", "yes (SymPy fails)")
        else:
            b = statistics.median(tb)
            row(label, fmt_t(a), fmt_t(b), ratio(a, b), "≤ 0.5", met(a / b <= 0.5))


CATALOGUE = """
import time, json, resource, symact
names = symact.names()
t = time.perf_counter()
errs = {}
for n in names:
    try:
        symact.derivative_bounds(n)
    except Exception as exc:
        errs[n] = type(exc).__name__ + ": " + str(exc)[:80]
cold = time.perf_counter() - t
warm = []
for _ in range(5):
    t = time.perf_counter()
    for n in names:
        try:
            symact.derivative_bounds(n)
        except Exception:
            pass
    warm.append(time.perf_counter() - t)
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print("RESULT " + json.dumps({"cold": cold, "warm": sorted(warm)[2], "rss_kb": rss,
                              "n": len(names), "errs": errs}))
"""

TRACEMALLOC = """
import time, json, tracemalloc, symact
tracemalloc.start()
t = time.perf_counter()
for n in symact.names():
    try:
        symact.derivative_bounds(n)
    except Exception:
        pass
dt = time.perf_counter() - t
cur, peak = tracemalloc.get_traced_memory()
print("RESULT " + json.dumps({"peak": peak, "t": dt}))
"""


def item_catalogue(traced: bool) -> None:
    try:
        r = sub(CATALOGUE, timeout=120)
    except Exception as exc:  # noqa: BLE001
        error_row("3. catalogue derivative_bounds cold", exc, "≤ 20 s")
        error_row("3. catalogue derivative_bounds warm", exc, "≤ 50 ms")
        error_row("7. peak memory (ru_maxrss)", exc)
        return
    row(f"3. catalogue derivative_bounds cold ({r['n']} acts)", fmt_t(r["cold"]), "—", "—",
        "≤ 20 s", met(r["cold"] <= 20))
    row("3. catalogue derivative_bounds warm (same proc)", fmt_t(r["warm"]), "—", "—",
        "≤ 50 ms", met(r["warm"] <= 0.05))
    if r["errs"]:
        NOTES.append(f"catalogue derivative_bounds raised for: {r['errs']}")
    row("7. peak memory, catalogue run (ru_maxrss)", f"{r['rss_kb'] / 1024:.0f} MiB", "—", "—", "—", "—")
    if not traced:
        NOTES.append("tracemalloc peak skipped (--quick or time budget)")
        return
    try:
        baseline = sub('import json, resource, symact; print("RESULT " + json.dumps('
                       '{"rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))', timeout=30)
        row("7. ru_maxrss after bare `import symact`", f"{baseline['rss'] / 1024:.0f} MiB", "—",
            f"{r['rss_kb'] / baseline['rss']:.2f}", "—", "—")
    except Exception as exc:  # noqa: BLE001
        error_row("7. ru_maxrss after bare import", exc)
    try:
        t = sub(TRACEMALLOC, timeout=150)
        row("7. tracemalloc peak, catalogue run", f"{t['peak'] / 2**20:.0f} MiB", "—", "—", "—", "—")
        NOTES.append(f"catalogue run under tracemalloc took {t['t']:.1f} s (tracemalloc overhead)")
    except Exception as exc:  # noqa: BLE001
        error_row("7. tracemalloc peak", exc)


def item_numeric(quick: bool) -> None:
    cmd = [PY, str(HERE / "bench_numeric.py"), "--repeat", "3" if quick else "7"]
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        out = p.stdout
        if p.returncode:
            raise RuntimeError((p.stderr.strip().splitlines() or ["?"])[-1][:160])
        EXTRA.append("### bench_numeric.py output\n\n```\n" + out.rstrip() + "\n```\n")
        pat = re.compile(r"^(\w+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+(.+)$")
        for line in out.splitlines():
            m = pat.match(line.strip())
            if m:
                name, ours, hand, rat, lam = m.groups()
                row(f"4. numeric {name}' on 1e6 pts vs hand NumPy", f"{ours} ms", f"{hand} ms", rat,
                    "—", "—")
                NOTES.append(f"numeric {name}': plain sympy.lambdify / hand NumPy = {lam.strip()}")
    except Exception as exc:  # noqa: BLE001
        error_row("4. bench_numeric.py", exc)


CERT = """
import time, json, symact, sympy
from symact.analysis.certify import certified_extremum
x = symact.x
d = sympy.diff(symact.expressions.activation("silu").expr, x)
t = time.perf_counter()
e = certified_extremum(d, x, "sup", dps={dps})
dt = time.perf_counter() - t
print("RESULT " + json.dumps({{"t": dt, "w": str(e.upper - e.lower), "lo": str(e.lower)[:40]}}))
"""


def item_certify(n: int) -> None:
    for dps, goal in ((30, 1.0), (100, 5.0)):
        label = f"5. certified sup SiLU' dps={dps} cold (n={n})"
        try:
            rs = [sub(CERT.format(dps=dps), timeout=60) for _ in range(n)]
            a = statistics.median(r["t"] for r in rs)
            w = float(rs[0]["w"])
            row(label, fmt_t(a), f"width {w:.1e}", "—", f"≤ {goal:g} s", met(a <= goal))
            NOTES.append(f"SiLU' sup (dps={dps}) lower end {rs[0]['lo']}…, enclosure width {rs[0]['w'][:12]}")
        except Exception as exc:  # noqa: BLE001
            error_row(label, exc, f"≤ {goal:g} s")


WARM = """
import time, json, statistics, sympy, symact
out = {{}}
def med(f, k):
    f()
    ts = []
    for _ in range(k):
        t = time.perf_counter(); f(); ts.append(time.perf_counter() - t)
    return statistics.median(ts)
n = sympy.Symbol("n", positive=True, integer=True)
w = sympy.Symbol("w", positive=True)
for key, weight in (("numeric", 1), ("symbolic", w)):
    try:
        val = symact.gradient_bound("sigmoid", n, weight).depth_below(1e-6)
        t = med(lambda: symact.gradient_bound("sigmoid", n, weight).depth_below(1e-6), {k})
        out["gb_" + key] = {{"t": t, "v": str(val)[:80]}}
    except Exception as exc:
        out["gb_" + key] = {{"err": type(exc).__name__ + ": " + str(exc)[:100]}}
for name, sw in {mf}:
    try:
        act = symact.expressions.activation(name)
        t = time.perf_counter(); mf = symact.mean_field(act, weight_var=sw, bias_var=0)
        first = time.perf_counter() - t
        t = time.perf_counter(); symact.mean_field(act, weight_var=sw, bias_var=0)
        again = time.perf_counter() - t
        out["mf_" + name] = {{"t": first, "again": again, "v": repr(mf)[:100]}}
    except Exception as exc:
        out["mf_" + name] = {{"err": type(exc).__name__ + ": " + str(exc)[:100]}}
print("RESULT " + json.dumps(out))
"""

MF_ACTS = [("tanh", 2), ("sigmoid", 2), ("relu", 2), ("leaky_relu", 2), ("gelu", 2), ("silu", 2),
           ("softplus", 2), ("selu", 1)]


def item_warm(quick: bool) -> None:
    try:
        r = sub(WARM.format(k=20 if quick else 50, mf=MF_ACTS), timeout=150)
    except Exception as exc:  # noqa: BLE001
        error_row("6. gradient_bound / mean_field", exc)
        return
    for key in ("numeric", "symbolic"):
        v = r["gb_" + key]
        label = f"6. gradient_bound(sigmoid, n, {'1' if key == 'numeric' else 'w'}).depth_below(1e-6)"
        if "err" in v:
            row(label, "skipped: " + v["err"].replace("|", "/"), "—", "—", "—", "—")
        else:
            row(label, fmt_t(v["t"]), "—", "—", "—", "—")
            NOTES.append(f"gradient_bound sigmoid {key} weight: depth_below(1e-6) = {v['v']}")
    for name, sw in MF_ACTS:
        v = r["mf_" + name]
        label = f"6. mean_field({name}, σ_w²={sw}, σ_b²=0) first call"
        if "err" in v:
            row(label, "skipped: " + v["err"].replace("|", "/"), "—", "—", "—", "—")
        else:
            row(label, fmt_t(v["t"]), f"again {fmt_t(v['again'])}", "—", "—", "—")
            NOTES.append(f"mean_field {name}: {v['v']}")


def item_meanfield_bench(timeout: float) -> None:
    path = HERE / "bench_meanfield.py"
    if not path.exists():
        NOTES.append("bench_meanfield.py not present: phase-diagram speed-up not measured")
        return
    try:
        p = subprocess.run([PY, str(path)], capture_output=True, text=True, timeout=timeout)
        EXTRA.append("### bench_meanfield.py output\n\n```\n" + p.stdout.rstrip() + "\n```\n")
        m = re.search(r"serial ([\d.]+) s, ProcessPoolExecutor\(2\) ([\d.]+) s, speed-up ([\d.]+)x", p.stdout)
        if m:
            s, par, sp = m.groups()
            row("opt. phase diagram 100x100 tanh, 2 procs vs serial", f"{par} s", f"{s} s",
                f"{float(par) / float(s):.2f}", "—", "—")
            NOTES.append(f"phase-diagram speed-up {sp}x on 2 shared cores")
        else:
            tail = (p.stderr.strip().splitlines() or ["no speed-up line"])[-1][:120]
            row("opt. bench_meanfield.py phase diagram", f"error: {tail}", "—", "—", "—", "no")
    except subprocess.TimeoutExpired:
        row("opt. bench_meanfield.py phase diagram", f"not measured (timeout {timeout:.0f} s)", "—", "—",
            "—", "—")


# ----------------------------------------------------------------- main
def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer repetitions")
    args = ap.parse_args()
    q = args.quick
    print(f"symact benchmarks ({'quick' if q else 'full'}); ratio = symact / baseline")
    print(f"  {'item':<46} {'symact':>14} {'baseline':>16} {'ratio':>7} {'goal':>12} {'met':>4}")
    steps = [
        lambda: item_import(5 if q else 7),
        lambda: item_bounds(1 if q else 3, 20 if q else 30),
        lambda: item_catalogue(traced=not q),
        lambda: item_numeric(q),
        lambda: item_certify(1 if q else 3),
        lambda: item_warm(q),
    ]
    for step in steps:
        try:
            step()
        except Exception as exc:  # noqa: BLE001
            error_row("unexpected", exc)
    left = BUDGET - elapsed()
    if left > 30:
        item_meanfield_bench(min(left, 90))
    else:
        NOTES.append("bench_meanfield.py skipped: time budget used up")

    lines = [
        "# symact benchmarks",
        "",
        f"Mode: {'--quick' if q else 'full'}; total wall time {elapsed():.0f} s. "
        "Figures are medians; cold figures come from fresh subprocesses timing only the call. "
        "The machine is shared and noisy: read the ratios (symact / baseline).",
        "",
        "## Machine",
        "",
        *machine(),
        "",
        "## Results",
        "",
        "| item | symact | baseline | ratio | goal | met |",
        "|---|---|---|---|---|---|",
        *[f"| {' | '.join(r)} |" for r in ROWS],
        "",
        "## Notes",
        "",
        *[f"- {n}" for n in NOTES],
        "",
        *EXTRA,
    ]
    text = "\n".join(lines) + "\n"
    try:
        RESULTS.mkdir(parents=True, exist_ok=True)
        (RESULTS / "latest.md").write_text(text)
        (RESULTS / f"{datetime.date.today().isoformat()}.md").write_text(text)
        print(f"\nwritten {RESULTS / 'latest.md'} ({elapsed():.0f} s)")
    except OSError as exc:
        print(f"error: could not write results: {exc}")
    return 0


if __name__ == "__main__":
    try:
        main()
    except Exception as exc:  # noqa: BLE001
        print(f"error: {type(exc).__name__}: {exc}")
    sys.exit(0)
