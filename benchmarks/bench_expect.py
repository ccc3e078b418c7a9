"""Benchmark certified ``expect`` against a hand-written ``mpmath.quad`` (not certified), side by side.

For phi^2 and phi'^2 of every catalogue entry at 30 digits: the time of
``symact.expect`` (cold: caches cleared before each integrand, so splitting,
compilation and closed-form attempts are included) and of
``mpmath.quad(f(t) * N(t; 0, 1), [-inf, kinks..., inf])`` on a lambdified
integrand at 30 digits, the ratio, the level reached and the enclosure width.

Run: ``python benchmarks/bench_expect.py``.
"""

from __future__ import annotations

import statistics
import time

import mpmath
import sympy

import symact
from symact.expressions.catalogue import activation, names
from symact.expressions.pieces import breakpoints
from symact.gaussian.expectation import X, expect


def _mpmath_quad(f: sympy.Expr) -> float:
    g = sympy.lambdify(X, f, modules="mpmath")
    pts = [float(b) for b in breakpoints(f, X)] if f.has(sympy.Piecewise, sympy.Abs, sympy.Max, sympy.Min) else []
    t = time.perf_counter()
    with mpmath.workdps(30):
        mpmath.quad(lambda s: g(s) * mpmath.npdf(s), [mpmath.ninf, *sorted(set(pts) | {0.0}), mpmath.inf])
    return time.perf_counter() - t


def main() -> None:
    ratios, ours_t, quad_t = [], [], []
    print(f"{'integrand':<22}{'expect s':>10}{'mp.quad s':>11}{'ratio':>8}  {'level':<10}{'width':>9}")
    for name in names():
        a = activation(name)
        for label, f in (("phi^2", a.expr**2), ("phi'^2", a.derivative(1) ** 2)):
            pts_t = _mpmath_quad(f)  # also warms breakpoints for the quadrature's split points
            symact.clear_cache()
            t = time.perf_counter()
            e = expect(f)
            ours = time.perf_counter() - t
            lo, hi = e.enclosure
            with mpmath.workdps(40):
                width = mpmath.nstr(hi - lo, 2)
            ratios.append(ours / pts_t)
            ours_t.append(ours)
            quad_t.append(pts_t)
            print(f"{name + ' ' + label:<22}{ours:10.4f}{pts_t:11.4f}{ours / pts_t:8.2f}  {e.level:<10}{width:>9}")
    print(f"median expect {statistics.median(ours_t):.4f} s, median mpmath.quad {statistics.median(quad_t):.4f} s, "
          f"median ratio {statistics.median(ratios):.2f}x, worst {max(ratios):.1f}x")


if __name__ == "__main__":
    main()
