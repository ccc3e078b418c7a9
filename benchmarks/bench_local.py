"""Figures for issue 22 (activations on an interval): derivative tables, relaxations, relax_table.

Run: ``.venv/bin/python benchmarks/bench_local.py [--quick] [throughput] [areas] [dtable]``; writes
``benchmarks/results/local.md`` (or ``local_<parts>.md`` for a subset).

1. ``derivative_table`` for gelu, silu, mish, softplus, tanh, n = 1..10: time per entry,
   cold (first computation of that row in the process) and warm (cached).
2. Area ratio of CROWN-style float64 relaxations to ``sa.relax``'s proved optimal ones, on a
   grid of intervals, for sigmoid, tanh, GELU, SiLU: median and worst, and the intervals where
   the float lines are unsound (checked at 40 digits on a dense grid).
3. ``relax_table`` lookups per second and the ratio to a NumPy re-implementation of CROWN's
   sigmoid lookup (tangent-point tables indexed by the interval end, as auto_LiRPA does).
"""

from __future__ import annotations

import math
import pathlib
import statistics
import sys
import time

import mpmath
import numpy as np

import symact as sa

QUICK = "--quick" in sys.argv
OUT: list[str] = ["# Activations on an interval (issue 22)", ""]

F64 = {
    "sigmoid": lambda x: 1 / (1 + np.exp(-x)),
    "tanh": np.tanh,
    "gelu": lambda x: 0.5 * x * (1 + np.vectorize(math.erf)(x / math.sqrt(2))),
    "silu": lambda x: x / (1 + np.exp(-x)),
}
MP = {
    "sigmoid": lambda t: 1 / (1 + mpmath.exp(-t)),
    "tanh": mpmath.tanh,
    "gelu": lambda t: t / 2 * (1 + mpmath.erf(t / mpmath.sqrt(2))),
    "silu": lambda t: t / (1 + mpmath.exp(-t)),
}


def derivative_tables() -> None:
    OUT.extend(["## derivative_table: seconds per entry (cold / warm)", "",
                "| activation | " + " | ".join(f"n={n}" for n in range(1, 11)) + " |",
                "|---|" + "---|" * 10])
    for name in ("gelu", "silu", "mish", "softplus", "tanh"):
        cells = []
        for n in range(1, 11 if not QUICK else 4):
            t0 = time.perf_counter()
            try:
                with sa.time_budget(20):
                    sa.derivative_table(name, n)
                cold = time.perf_counter() - t0
                t1 = time.perf_counter()
                sa.derivative_table(name, n)
                warm = time.perf_counter() - t1
                cells.append(f"{cold:.2f} / {warm * 1e3:.2f} ms")
            except (sa.BudgetExceeded, sa.CertificationError) as exc:
                cells.append(f"{type(exc).__name__} after {time.perf_counter() - t0:.0f} s")
                break
            print(name, n, cells[-1], flush=True)
        OUT.append(f"| {name} | " + " | ".join(cells) + " |")
    OUT.append("")


# -- CROWN-style float64 relaxations --------------------------------------------------------
def _grid_min(f, l, u, n=2001):
    x = np.linspace(l, u, n)
    return float(np.min(f(x)))


def crown_lines(name: str, l: float, u: float) -> tuple[tuple[float, float], tuple[float, float]]:
    """CROWN-style: chord where it is sound, else tangent at the midpoint, else a line through
    an end tangent to phi (float bisection), else the constant interval bound (float64, grid-checked)."""
    f = F64[name]
    h = 1e-6
    d = lambda t: (f(np.array([t + h]))[0] - f(np.array([t - h]))[0]) / (2 * h)  # noqa: E731
    fl, fu = f(np.array([l]))[0], f(np.array([u]))[0]
    m = (l + u) / 2
    fm = f(np.array([m]))[0]

    def ok(a, b, sign):
        return _grid_min(lambda x: sign * (f(x) - (a * x + b)), l, u, 401) >= -1e-12

    out = []
    for sign in (1, -1):  # lower, upper
        chord = (fu - fl) / (u - l)
        cands = [(chord, fl - chord * l), (d(m), fm - d(m) * m)]
        for e, fe in ((l, fl), (u, fu)):
            lo_t, hi_t = (l, u)
            best = None
            for t in np.linspace(lo_t, hi_t, 41)[1:-1]:
                s = d(t)
                b = fe - s * e
                if ok(s, b, sign):
                    best = (s, b)
                    break
            if best:
                cands.append(best)
        sound = [c for c in cands if ok(*c, sign)]
        if sound:
            # the one with the best value at the midpoint (the area criterion)
            c = max(sound, key=lambda c: sign * (c[0] * m + c[1]))
        else:
            v = _grid_min(lambda x: sign * f(x), l, u) * sign
            c = (0.0, v)
        out.append(c)
    return out[0], out[1]


def _area(name, l, u, a, b, sign):
    with mpmath.workdps(30):
        integral = mpmath.quad(MP[name], [l, u])
        return float(sign * (integral - (a * (u * u - l * l) / 2 + b * (u - l))))


def _violation(name, l, u, a, b, sign, n=201):
    """How far the float line crosses phi (0 if sound on the grid), at 40 digits."""
    worst = mpmath.mpf(0)
    with mpmath.workdps(40):
        for k in range(n + 1):
            t = mpmath.mpf(l) + (mpmath.mpf(u) - l) * k / n
            worst = max(worst, -sign * (MP[name](t) - (mpmath.mpf(a) * t + mpmath.mpf(b))))
    return float(worst)


def crown_s_shaped(name: str, l: float, u: float):
    """CROWN (Zhang et al. 2018, sec. 3.3) for S-shaped sigmoid/tanh, float64: convex for x < 0."""
    f = lambda t: float(F64[name](np.array([t]))[0])  # noqa: E731
    df = (lambda t: f(t) * (1 - f(t))) if name == "sigmoid" else (lambda t: 1 - math.tanh(t) ** 2)

    def tangent_through(e, lo, hi):  # d with f'(d)(d - e) = f(d) - f(e), by bisection
        g = lambda d: df(d) * (d - e) - (f(d) - f(e))  # noqa: E731
        a, b = lo, hi
        for _ in range(100):
            c = (a + b) / 2
            if (g(c) > 0) == (g(a) > 0):
                a = c
            else:
                b = c
        return (a + b) / 2

    m = (l + u) / 2
    chord = (f(u) - f(l)) / (u - l)
    if u <= 0:
        return (df(m), f(m) - df(m) * m), (chord, f(l) - chord * l)
    if l >= 0:
        return (chord, f(l) - chord * l), (df(m), f(m) - df(m) * m)
    if df(u) >= chord:
        up = (chord, f(l) - chord * l)
    else:
        d = tangent_through(l, 0.0, u)
        up = (df(d), f(l) - df(d) * l)
    if df(l) >= chord:
        low = (chord, f(u) - chord * u)
    else:
        d = tangent_through(u, l, 0.0)
        low = (df(d), f(u) - df(d) * u)
    return low, up


def area_ratios() -> None:
    OUT.extend(["## Area of CROWN-style float64 lines / area of sa.relax's proved optimal lines", "",
                "CROWN's published formulas for sigmoid/tanh; for GELU/SiLU a generic float heuristic (chord, "
                "midpoint tangent or a tangent through an end, whichever is sound on a 401-point grid and "
                "highest at the midpoint; else the constant range bound).", "",
                "| activation | intervals | lower: median, worst | upper: median, worst | unsound float lines (largest crossing) | relax time (median) |",
                "|---|---|---|---|---|---|"])
    pts = np.linspace(-4, 4, 9 if not QUICK else 5)
    intervals = [(float(a), float(b)) for i, a in enumerate(pts) for b in pts[i + 1:]]
    for name in ("sigmoid", "tanh", "gelu", "silu"):
        rl, ru, bad, times, cross = [], [], 0, [], 0.0
        for l, u in intervals:
            t0 = time.perf_counter()
            r = sa.relax(name, l, u)
            times.append(time.perf_counter() - t0)
            (al, bl), (au, bu) = (crown_s_shaped if name in ("sigmoid", "tanh") else crown_lines)(name, l, u)
            ol = float(r.lower.area.enclosure[1])
            ou = float(r.upper.area.enclosure[1])
            cl, cu = _area(name, l, u, al, bl, 1), _area(name, l, u, au, bu, -1)
            if ol > 1e-12:
                rl.append(cl / ol)
            if ou > 1e-12:
                ru.append(cu / ou)
            v = max(_violation(name, l, u, al, bl, 1), _violation(name, l, u, au, bu, -1))
            if v > 0:
                bad += 1
                cross = max(cross, v)
        OUT.append(f"| {name} | {len(intervals)} | {statistics.median(rl):.4f}, {max(rl):.3f} | "
                   f"{statistics.median(ru):.4f}, {max(ru):.3f} | {bad} ({cross:.1e}) | {statistics.median(times):.3f} s |")
        print(OUT[-1], flush=True)
    OUT.append("")


# -- relax_table throughput ------------------------------------------------------------------
def _crown_sigmoid_numpy(l, u, dtab, grid):
    """Vectorised CROWN sigmoid lookup (auto_LiRPA style): tangent points from a table indexed by l or u."""
    s = lambda x: 1 / (1 + np.exp(-x))  # noqa: E731
    ds = lambda x: s(x) * (1 - s(x))  # noqa: E731
    fl, fu = s(l), s(u)
    m = (l + u) / 2
    chord = (fu - fl) / np.maximum(u - l, 1e-12)
    tm = ds(m)
    # upper: concave part uses tangent at m; mixed case: tangent from (l, s(l)) with d = dtab[l]
    idx_l = np.clip(((l - grid[0]) / (grid[1] - grid[0])).astype(np.int64), 0, len(grid) - 1)
    idx_u = np.clip(((-u - grid[0]) / (grid[1] - grid[0])).astype(np.int64), 0, len(grid) - 1)
    d_up = np.maximum(dtab[idx_l], 0)
    d_lo = -np.maximum(dtab[idx_u], 0)
    up_s = np.where(l >= 0, tm, np.where(u <= 0, chord, ds(d_up)))
    up_b = np.where(l >= 0, s(m) - tm * m, np.where(u <= 0, fl - chord * l, fl - ds(d_up) * l))
    lo_s = np.where(u <= 0, tm, np.where(l >= 0, chord, ds(d_lo)))
    lo_b = np.where(u <= 0, s(m) - tm * m, np.where(l >= 0, fl - chord * l, fu - ds(d_lo) * u))
    return lo_s, lo_b, up_s, up_b


def throughput() -> None:
    OUT.extend(["## relax_table throughput (one core)", ""])
    grid = np.linspace(-8, 8, 17 if not QUICK else 9)
    t0 = time.perf_counter()
    table = sa.RelaxTable.build("sigmoid", grid)
    build = time.perf_counter() - t0
    n = 1_000_000
    rng = np.random.default_rng(0)
    a, b = rng.uniform(-8, 8, n), rng.uniform(-8, 8, n)
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    table(lo[:1000], hi[:1000])
    t0 = time.perf_counter()
    table(lo, hi)
    ours = time.perf_counter() - t0
    # CROWN tangent-point table: for l < 0, the d > 0 where the tangent at d passes through (l, s(l))
    g = np.linspace(-8, 0, 801)
    s = lambda x: 1 / (1 + np.exp(-x))  # noqa: E731
    dtab = np.empty_like(g)
    for k, e in enumerate(g):
        lo_d, hi_d = 0.0, 20.0
        for _ in range(60):
            d = (lo_d + hi_d) / 2
            gval = s(d) * (1 - s(d)) * (d - e) - (s(d) - s(e))
            lo_d, hi_d = (d, hi_d) if gval > 0 else (lo_d, d)
        dtab[k] = (lo_d + hi_d) / 2
    _crown_sigmoid_numpy(lo[:1000], hi[:1000], dtab, g)
    t0 = time.perf_counter()
    _crown_sigmoid_numpy(lo, hi, dtab, g)
    crown = time.perf_counter() - t0
    OUT.append(f"- table build (sigmoid, {len(grid)}-point grid, {len(grid) * (len(grid) - 1) // 2} proved cells): "
               f"{build:.1f} s")
    OUT.append(f"- lookups: {n / ours:.3g} intervals/s; NumPy CROWN sigmoid: {n / crown:.3g} intervals/s; "
               f"time ratio symact / CROWN = {ours / crown:.2f}")
    OUT.append("")
    print("\n".join(OUT[-4:]), flush=True)


if __name__ == "__main__":
    parts = [a for a in sys.argv[1:] if not a.startswith("--")] or ["throughput", "areas", "dtable"]
    if "throughput" in parts:
        throughput()
    if "areas" in parts:
        area_ratios()
    if "dtable" in parts:
        derivative_tables()
    path = pathlib.Path(__file__).parent / "results" / ("local.md" if len(parts) == 3 else f"local_{'_'.join(parts)}.md")
    path.write_text("\n".join(OUT) + "\n")
    print("\n".join(OUT))
