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


# -- derivatives, written by hand from the formulas above (not from symact) ---------------

def _dsig(t):
    s = _sig(t)
    return s * (1 - s)


def _gelu_tanh_d(t):
    c = mp.sqrt(2 / mp.pi)
    k = mp.mpf("0.044715")
    u = c * (t + k * t**3)
    return (1 + mp.tanh(u)) / 2 + t / 2 * mp.sech(u) ** 2 * c * (1 + 3 * k * t**2)


def _hard_elish_d(t):
    if t >= 1:
        return mp.mpf(1)
    if t >= 0:
        return t + mp.mpf(1) / 2
    if t >= -1:
        return mp.exp(t) * (t + 1) / 2 + (mp.exp(t) - 1) / 2
    return mp.mpf(0)


def _one_if(cond, value=1):
    return mp.mpf(value) if cond else mp.mpf(0)


REFERENCE_DERIVATIVE = {
    "identity": lambda t: mp.mpf(1),
    "sigmoid": _dsig,
    "tanh": lambda t: 1 - mp.tanh(t) ** 2,
    "relu": lambda t: _one_if(t > 0),
    "leaky_relu": lambda t: mp.mpf(1) if t > 0 else mp.mpf(1) / 100,
    "prelu": lambda t: mp.mpf(1) if t > 0 else mp.mpf(1) / 4,
    "elu": lambda t: mp.mpf(1) if t > 0 else mp.exp(t),
    "selu": lambda t: SELU_SCALE() * (1 if t > 0 else SELU_ALPHA() * mp.exp(t)),
    "celu": lambda t: mp.mpf(1) if t > 0 else mp.exp(t),
    "gelu": lambda t: mp.ncdf(t) + t * mp.npdf(t),
    "gelu_tanh": _gelu_tanh_d,
    "silu": lambda t: _sig(t) + t * _dsig(t),
    "mish": lambda t: mp.tanh(_softplus(t)) + t * mp.sech(_softplus(t)) ** 2 * _sig(t),
    "softplus": _sig,
    "softsign": lambda t: 1 / (1 + abs(t)) ** 2,
    "hard_sigmoid": lambda t: mp.mpf(1) / 6 if -3 < t < 3 else mp.mpf(0),
    "hard_tanh": lambda t: _one_if(-1 < t < 1),
    "relu6": lambda t: _one_if(0 < t < 6),
    "hardswish": lambda t: mp.mpf(0) if t < -3 else (mp.mpf(1) if t > 3 else (2 * t + 3) / 6),
    "log_sigmoid": lambda t: _sig(-t),
    "tanhshrink": lambda t: mp.tanh(t) ** 2,
    "softshrink": lambda t: _one_if(abs(t) > mp.mpf(1) / 2),
    "hardshrink": lambda t: _one_if(abs(t) > mp.mpf(1) / 2),
    "threshold": lambda t: _one_if(t > 0),
    "squareplus": lambda t: (1 + t / mp.sqrt(t * t + 4)) / 2,
    "sparse_plus": lambda t: mp.mpf(0) if t <= -1 else (mp.mpf(1) if t >= 1 else (t + 1) / 2),
    "sparse_sigmoid": lambda t: mp.mpf(1) / 2 if -1 < t < 1 else mp.mpf(0),
    "arctan": lambda t: 1 / (1 + t * t),
    "gaussian": lambda t: -2 * t * mp.exp(-t * t),
    "sin": mp.cos,
    "bent_identity": lambda t: t / (2 * mp.sqrt(t * t + 1)) + 1,
    "elish": lambda t: _sig(t) + t * _dsig(t) if t >= 0 else mp.exp(t) * _sig(t) + mp.expm1(t) * _dsig(t),
    "hard_elish": _hard_elish_d,
}

_KINKS = {
    "hard_sigmoid": (-3, 0, 3), "hard_tanh": (-1, 0, 1), "relu6": (0, 6), "hardswish": (-3, 0, 3),
    "softshrink": (-0.5, 0, 0.5), "hardshrink": (-0.5, 0, 0.5), "sparse_plus": (-1, 0, 1),
    "sparse_sigmoid": (-1, 0, 1), "hard_elish": (-1, 0, 1),
}


def kinks(name):
    """Points where the reference (or its derivative) switches formula: quadrature splits there."""
    return _KINKS.get(name, (0,))


def gauss_expect(f, q=1, name=None, dps=40):
    """E[f(sqrt(q) z)] by mpmath quadrature of f(t) N(t; 0, q), split at the kinks."""
    with mp.workdps(dps):
        q = mp.mpf(q)
        pts = [mp.ninf, *(mp.mpf(p) for p in kinks(name)), mp.inf]
        return mp.quad(lambda t: f(t) * mp.exp(-t * t / (2 * q)) / mp.sqrt(2 * mp.pi * q), pts)


# -- mean-field references, by plain mpmath root finding on quadratures ------------------

def mf_reference(name, weight_var, bias_var, q_start=1, dps=25):
    """(q*, chi_1, V'(q*)) for the catalogue entry ``name``: mpmath.findroot on V(q) - q.

    Variances are numbers or (numerator, denominator) pairs, evaluated at ``dps``.

    V'(q) is a central difference of the quadrature with step 1e-8 (error about 1e-16).
    """
    phi, dphi = REFERENCE[name], REFERENCE_DERIVATIVE[name]
    with mp.workdps(dps):
        sw, sb = (mp.mpf(v[0]) / v[1] if isinstance(v, tuple) else mp.mpf(v) for v in (weight_var, bias_var))

        def V(q):
            return sw * gauss_expect(lambda t: phi(t) ** 2, q, name, dps) + sb

        q = mp.findroot(lambda q: V(q) - q, mp.mpf(q_start))
        chi = sw * gauss_expect(lambda t: dphi(t) ** 2, q, name, dps)
        h = mp.mpf(10) ** -8
        slope = (V(q + h) - V(q - h)) / (2 * h)
        return q, chi, slope


def edge_reference(name, bias_var, guess, dps=20):
    """sigma_w^2 on the edge of chaos: q* solving q - E[phi^2]/E[phi'^2] = sigma_b^2, then 1/E[phi'^2]."""
    phi, dphi = REFERENCE[name], REFERENCE_DERIVATIVE[name]
    with mp.workdps(dps):
        sb = mp.mpf(bias_var)

        def G(q):
            return q - gauss_expect(lambda t: phi(t) ** 2, q, name, dps) / gauss_expect(lambda t: dphi(t) ** 2, q, name, dps) - sb

        q = mp.findroot(G, mp.mpf(guess))
        return 1 / gauss_expect(lambda t: dphi(t) ** 2, q, name, dps)


# Values produced by the two functions above (mf_reference at dps=34, edge_reference at dps=30,
# and a central difference of gauss_expect for V'(1) at sigma_w^2 = 1/E[phi^2]), pasted here so
# that the tests need not rerun minutes of quadrature; tests/test_meanfield.py recomputes one of
# them at low precision to tie them to the script.
MF_REFERENCE = {
    # (name, sigma_w^2, sigma_b^2): (q*, chi_1, V'(q*))
    ("gelu", "3/2", "1/20"): ("0.0876839046766197385496076067226", "0.446197386005855910306849528301",
                              "0.47751449607014001285"),
    ("silu", "3/2", "1/20"): ("0.0828946011093147822874318854014", "0.403732985678917553911123798174",
                              "0.41726950372897016273"),
    ("elu", "3/2", "1/20"): ("1.12183563765116720099610355908", "0.991448380502615967396777249839",
                             "0.85240202546031985281"),
}
#: V'(1) at the variance-preserving weight variance 1/E[phi(z)^2] (sigma_b^2 = 0): above 1, repelling.
SLOPE_AT_GAIN = {"gelu": "1.1440631968725837859", "silu": "1.1725940540987492908"}
#: Edge of chaos at sigma_b^2 = 0.05 (sigma_w^2).
EDGE_REFERENCE = {("gelu", "0.05"): "2.302519511692814109374411145"}


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
