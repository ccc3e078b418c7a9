"""Benchmark symact.numerics.numeric against hand-written NumPy and plain ``sympy.lambdify``.

For the first derivative of gelu, silu, relu and hardswish on 10**6 points, print
the median time of symact's compiled function, of a hand-written NumPy/SciPy
version, their ratio, and the ratio of plain ``sympy.lambdify(x, d, "numpy")``
(or "fails" where it raises).  Timings on a shared machine are noisy: read the
ratios.  Run: ``python benchmarks/bench_numeric.py [--repeat 9] [--n 1000000]``.
"""

from __future__ import annotations

import argparse
import statistics
import time
import warnings
from collections.abc import Callable

import numpy as np
import scipy.special
import sympy

from symact.numerics.numeric import numpy_function

x = sympy.Symbol("x", real=True)

ACTIVATIONS: dict[str, sympy.Expr] = {
    "gelu": x / 2 * (1 + sympy.erf(x / sympy.sqrt(2))),
    "silu": x / (1 + sympy.exp(-x)),
    "relu": sympy.Piecewise((x, x > 0), (0, True)),
    "hardswish": sympy.Piecewise((0, x < -3), (x, x > 3), (x * (x + 3) / 6, True)),
}


def _gelu_d(v: np.ndarray) -> np.ndarray:
    return scipy.special.ndtr(v) + v * np.exp(-0.5 * v * v) / np.sqrt(2 * np.pi)


def _silu_d(v: np.ndarray) -> np.ndarray:
    s = scipy.special.expit(v)
    return s * (1 + v * (1 - s))


def _relu_d(v: np.ndarray) -> np.ndarray:
    return (v > 0).astype(float)


def _hardswish_d(v: np.ndarray) -> np.ndarray:
    return np.where(v < -3, 0.0, np.where(v > 3, 1.0, (2 * v + 3) / 6))


HAND: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "gelu": _gelu_d,
    "silu": _silu_d,
    "relu": _relu_d,
    "hardswish": _hardswish_d,
}


def median_time(f: Callable[[np.ndarray], object], v: np.ndarray, repeat: int) -> float:
    f(v)  # warm-up (and compile/cache)
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        f(v)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10**6)
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args()
    v = np.random.default_rng(0).uniform(-8, 8, args.n)

    print(f"first derivatives on {args.n} points, median of {args.repeat} runs")
    header = (
        f"{'activation':<11} {'symact ms':>10} {'hand ms':>9} {'ratio':>7} {'lambdify ratio':>15}"
    )
    print(header)
    print("-" * len(header))
    for name, act in ACTIVATIONS.items():
        d = sympy.diff(act, x)
        ours = numpy_function(d, x)
        hand = HAND[name]
        np.testing.assert_allclose(ours(v), hand(v), rtol=1e-12, atol=1e-12)
        t_ours = median_time(ours, v, args.repeat)
        t_hand = median_time(hand, v, args.repeat)
        try:
            plain = sympy.lambdify(x, d, "numpy")
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                t_plain = median_time(plain, v, args.repeat)
            plain_ratio = f"{t_plain / t_hand:.2f}"
        except Exception as exc:  # report any failure of plain lambdify
            plain_ratio = f"fails ({type(exc).__name__})"
        print(
            f"{name:<11} {t_ours * 1e3:>10.2f} {t_hand * 1e3:>9.2f} "
            f"{t_ours / t_hand:>7.2f} {plain_ratio:>15}"
        )


if __name__ == "__main__":
    main()
