"""Independent mpmath implementations of the catalogue, written from the papers
and the PyTorch/JAX documentation -- not from symact's SymPy expressions.

Tests compare symact's exact results against these at high precision.
"""

from __future__ import annotations

import mpmath as mp

# SELU constants as printed in Klambauer et al. (2017), to 31 digits.  Kept as
# strings and converted at the caller's precision (an mpf made at import time
# would carry only 15 digits).
SELU_ALPHA_TEXT = "1.6732632423543772848170429916717"
SELU_SCALE_TEXT = "1.0507009873554804934193349852946"


def SELU_ALPHA():
    return mp.mpf(SELU_ALPHA_TEXT)


def SELU_SCALE():
    return mp.mpf(SELU_SCALE_TEXT)


def _sig(t):
    return 1 / (1 + mp.exp(-t))


def _softplus(t):
    return mp.log(1 + mp.exp(t))


REFERENCE = {
    "identity": lambda t: t,
    "sigmoid": _sig,
    "tanh": mp.tanh,
    "relu": lambda t: max(t, 0),
    "leaky_relu": lambda t: t if t > 0 else t / 100,
    "prelu": lambda t: t if t > 0 else t / 4,
    "elu": lambda t: t if t > 0 else mp.expm1(t),
    "selu": lambda t: SELU_SCALE() * (t if t > 0 else SELU_ALPHA() * mp.expm1(t)),
    "celu": lambda t: t if t > 0 else mp.expm1(t),
    "gelu": lambda t: t * mp.ncdf(t),
    "gelu_tanh": lambda t: t / 2 * (1 + mp.tanh(mp.sqrt(2 / mp.pi) * (t + mp.mpf("0.044715") * t**3))),
    "silu": lambda t: t * _sig(t),
    "mish": lambda t: t * mp.tanh(_softplus(t)),
    "softplus": _softplus,
    "softsign": lambda t: t / (1 + abs(t)),
    "hard_sigmoid": lambda t: min(max(t / 6 + mp.mpf(1) / 2, 0), 1),
    "hard_tanh": lambda t: min(max(t, -1), 1),
    "relu6": lambda t: min(max(t, 0), 6),
    "hardswish": lambda t: t * min(max(t + 3, 0), 6) / 6,
    "log_sigmoid": lambda t: mp.log(_sig(t)),
    "tanhshrink": lambda t: t - mp.tanh(t),
    "softshrink": lambda t: t - mp.mpf(1) / 2 if t > mp.mpf(1) / 2 else (t + mp.mpf(1) / 2 if t < -mp.mpf(1) / 2 else mp.mpf(0)),
    "hardshrink": lambda t: t if abs(t) > mp.mpf(1) / 2 else mp.mpf(0),
    "threshold": lambda t: t if t > 0 else mp.mpf(0),
    "squareplus": lambda t: (t + mp.sqrt(t * t + 4)) / 2,
    "sparse_plus": lambda t: mp.mpf(0) if t <= -1 else (t if t >= 1 else (t + 1) ** 2 / 4),
    "sparse_sigmoid": lambda t: min(max((t + 1) / 2, 0), 1),
    "arctan": mp.atan,
    "gaussian": lambda t: mp.exp(-t * t),
    "sin": mp.sin,
    "bent_identity": lambda t: (mp.sqrt(t * t + 1) - 1) / 2 + t,
    "elish": lambda t: t * _sig(t) if t >= 0 else mp.expm1(t) * _sig(t),
    "hard_elish": lambda t: (t if t >= 0 else mp.expm1(t)) * max(0, min(1, (t + 1) / 2)),
}


# =====================================================================================
# Extrema references (analysis engineer): independent mpmath searches, no symact code.
# =====================================================================================


def grid_extrema(f, order=0, lo=-40, hi=40, n=1601, extra=()):
    """(sup, inf) of the ``order``-th derivative of ``f`` (an mpmath function) over a grid,
    refined at interior grid extrema by ``findroot`` on the next derivative.

    Points where ``f`` is not smooth are fine for order 0; for higher orders pass
    functions that are smooth (or accept the one-sided numeric derivative there).
    """
    def g(t):
        return f(t) if order == 0 else mp.diff(f, t, order)

    pts = [mp.mpf(lo) + (mp.mpf(hi) - lo) * k / (n - 1) for k in range(n)] + [mp.mpf(e) for e in extra]
    vals = [(g(t), t) for t in pts]
    out = []
    for pick in (max, min):
        v, p = pick(vals)
        try:
            r = mp.findroot(lambda t: mp.diff(f, t, order + 1), p)
            if abs(r - p) < 1:
                v = pick(v, g(r))
        except (ValueError, ZeroDivisionError):
            pass
        out.append(v)
    return out[0], out[1]


def critical_value(f, order, guess):
    """The value of the ``order``-th derivative of ``f`` at the zero of the next one near ``guess``."""
    r = mp.findroot(lambda t: mp.diff(f, t, order + 1), mp.mpf(guess))
    return mp.diff(f, r, order) if order else f(r)
