"""Independent references for the truth suite: plain mpmath, written from the definitions.

Nothing here imports symact.  The catalogue is written from PyTorch's and JAX's
documentation; derivatives by hand; SELU's constants from the two moment conditions of
Klambauer et al. (2017), E[selu(z)] = 0 and E[selu(z)^2] = 1, in closed form with Phi.
Every quantity is computed at ``DPS`` digits; expensive ones are cached in module-level
dicts keyed by their exact inputs (strings or Fractions), so each is computed once per
session and only when a test asks for it.
"""

from __future__ import annotations

from fractions import Fraction

import mpmath as mp

#: Working precision of every reference (digits); enclosures are at most ~1e-30 wide.
DPS = 45


def num(v):
    """An exact input (int, Fraction, decimal string such as "1e-6") as an mpf at the current precision."""
    if isinstance(v, str) and "/" in v:
        v = Fraction(v)
    if isinstance(v, Fraction):
        return mp.mpf(v.numerator) / v.denominator
    return mp.mpf(v)


# -- the catalogue -------------------------------------------------------------------------

def _ncdf(t):
    """Phi(t); mpmath's erfc overflows a float for |t| > 1e154: there Phi is 0 or 1 to any precision."""
    if abs(t) > 10**100:
        return mp.mpf(t > 0) if t > 0 else mp.npdf(t) / -t  # relative error 1/t^2 < 1e-200
    return mp.ncdf(t)


def _sig(t):
    return 1 / (1 + mp.exp(-t))


def _dsig(t):
    s = _sig(t)
    return s * (1 - s)


def _sp(t):
    return mp.log1p(mp.exp(t)) if t < 30 else t + mp.log1p(mp.exp(-t))


def selu_constants():
    """(lambda, alpha) from E[selu(z)] = 0 and E[selu(z)^2] = 1 (closed-form Gaussian moments)."""
    key = ("selu", mp.mp.dps)
    if key not in _CACHE:
        e1 = mp.exp(mp.mpf(1) / 2) * mp.ncdf(-1)  # E[e^z 1{z<0}]
        e2 = mp.exp(2) * mp.ncdf(-2)  # E[e^{2z} 1{z<0}]
        alpha = (1 / mp.sqrt(2 * mp.pi)) / (mp.mpf(1) / 2 - e1)
        lam = 1 / mp.sqrt(mp.mpf(1) / 2 + alpha**2 * (e2 - 2 * e1 + mp.mpf(1) / 2))
        _CACHE[key] = (lam, alpha)
    return _CACHE[key]


def _selu(t):
    lam, alpha = selu_constants()
    return lam * t if t > 0 else lam * alpha * mp.expm1(t)


def _dselu(t):
    lam, alpha = selu_constants()
    return lam if t > 0 else lam * alpha * mp.exp(t)


def _gelu_tanh(t):
    k = mp.sqrt(2 / mp.pi) * (t + mp.mpf(44715) / 10**6 * t**3)
    return t / 2 * (1 + mp.tanh(k))


def _dgelu_tanh(t):
    a, b = mp.sqrt(2 / mp.pi), mp.mpf(44715) / 10**6
    k = a * (t + b * t**3)
    return (1 + mp.tanh(k)) / 2 + t / 2 * mp.sech(k) ** 2 * a * (1 + 3 * b * t * t)


def _hswish(t):
    return mp.mpf(0) if t < -3 else (t if t > 3 else t * (t + 3) / 6)


def _clip(v, lo, hi):
    return min(max(v, mp.mpf(lo)), mp.mpf(hi))


HALF = Fraction(1, 2)

#: name -> (phi, phi', kinks): phi' is the derivative where it exists (any one-sided
#: value at a kink: the references only use it inside pieces or under an integral).
CATALOGUE = {
    "identity": (lambda t: t, lambda t: mp.mpf(1), ()),
    "sigmoid": (_sig, _dsig, ()),
    "tanh": (mp.tanh, lambda t: mp.sech(t) ** 2, ()),
    "relu": (lambda t: max(t, 0), lambda t: mp.mpf(t > 0), (0,)),
    "threshold": (lambda t: max(t, 0), lambda t: mp.mpf(t > 0), (0,)),
    "leaky_relu": (lambda t: t if t > 0 else t / 100, lambda t: mp.mpf(1) if t > 0 else mp.mpf(1) / 100, (0,)),
    "prelu": (lambda t: t if t > 0 else t / 4, lambda t: mp.mpf(1) if t > 0 else mp.mpf(1) / 4, (0,)),
    "elu": (lambda t: t if t > 0 else mp.expm1(t), lambda t: mp.mpf(1) if t > 0 else mp.exp(t), (0,)),
    "celu": (lambda t: t if t > 0 else mp.expm1(t), lambda t: mp.mpf(1) if t > 0 else mp.exp(t), (0,)),
    "selu": (_selu, _dselu, (0,)),
    "gelu": (lambda t: t * _ncdf(t), lambda t: _ncdf(t) + t * mp.npdf(t), ()),
    "gelu_tanh": (_gelu_tanh, _dgelu_tanh, ()),
    "silu": (lambda t: t * _sig(t), lambda t: _sig(t) + t * _dsig(t), ()),
    "mish": (lambda t: t * mp.tanh(_sp(t)), lambda t: mp.tanh(_sp(t)) + t * mp.sech(_sp(t)) ** 2 * _sig(t), ()),
    "softplus": (_sp, _sig, ()),
    "softsign": (lambda t: t / (1 + abs(t)), lambda t: 1 / (1 + abs(t)) ** 2, (0,)),
    "hard_sigmoid": (lambda t: _clip(t / 6 + mp.mpf(1) / 2, 0, 1), lambda t: mp.mpf(1) / 6 if -3 < t < 3 else mp.mpf(0), (-3, 3)),
    "hard_tanh": (lambda t: _clip(t, -1, 1), lambda t: mp.mpf(-1 < t < 1), (-1, 1)),
    "relu6": (lambda t: _clip(t, 0, 6), lambda t: mp.mpf(0 < t < 6), (0, 6)),
    "hardswish": (_hswish, lambda t: mp.mpf(0) if t < -3 else (mp.mpf(1) if t > 3 else (2 * t + 3) / 6), (-3, 3)),
    "log_sigmoid": (lambda t: -_sp(-t), lambda t: _sig(-t), ()),
    "tanhshrink": (lambda t: t - mp.tanh(t), lambda t: mp.tanh(t) ** 2, ()),
    "softshrink": (lambda t: t - mp.sign(t) / 2 if abs(t) > mp.mpf(1) / 2 else mp.mpf(0),
                   lambda t: mp.mpf(abs(t) > mp.mpf(1) / 2), (-HALF, HALF)),
    "hardshrink": (lambda t: t if abs(t) > mp.mpf(1) / 2 else mp.mpf(0), lambda t: mp.mpf(abs(t) > mp.mpf(1) / 2), (-HALF, HALF)),
    "squareplus": (lambda t: (t + mp.sqrt(t * t + 4)) / 2, lambda t: (1 + t / mp.sqrt(t * t + 4)) / 2, ()),
    "sparse_plus": (lambda t: mp.mpf(0) if t <= -1 else (t if t >= 1 else (t + 1) ** 2 / 4),
                    lambda t: mp.mpf(0) if t <= -1 else (mp.mpf(1) if t >= 1 else (t + 1) / 2), (-1, 1)),
    "sparse_sigmoid": (lambda t: _clip((t + 1) / 2, 0, 1), lambda t: mp.mpf(1) / 2 if -1 < t < 1 else mp.mpf(0), (-1, 1)),
    "arctan": (mp.atan, lambda t: 1 / (1 + t * t), ()),
    "gaussian": (lambda t: mp.exp(-t * t), lambda t: -2 * t * mp.exp(-t * t), ()),
    "sin": (mp.sin, mp.cos, ()),
    "bent_identity": (lambda t: (mp.sqrt(t * t + 1) - 1) / 2 + t, lambda t: t / (2 * mp.sqrt(t * t + 1)) + 1, ()),
    "elish": (lambda t: t * _sig(t) if t >= 0 else mp.expm1(t) * _sig(t),
              lambda t: _sig(t) + t * _dsig(t) if t >= 0 else mp.exp(t) * _sig(t) + mp.expm1(t) * _dsig(t), (0,)),
    "hard_elish": (lambda t: (t if t >= 0 else mp.expm1(t)) * _clip((t + 1) / 2, 0, 1),
                   lambda t: (mp.mpf(1) if t >= 1 else (t + mp.mpf(1) / 2 if t >= 0 else
                              (mp.exp(t) * (t + 1) / 2 + mp.expm1(t) / 2 if t >= -1 else mp.mpf(0)))), (-1, 0, 1)),
}

_CACHE: dict = {}


def cached(key, compute):
    """``compute()`` once per key for the whole session."""
    if key not in _CACHE:
        _CACHE[key] = compute()
    return _CACHE[key]


# -- Gaussian expectations -------------------------------------------------------------------

def gauss(f, q, kinks=(), dps=DPS):
    """E[f(sqrt(q) z)], z ~ N(0, 1), by tanh-sinh quadrature in z split at the kinks.

    Also split at +-4 in z and, for q > 4, at +-1, 4, 16 in t = sqrt(q) z, so that a
    transition of width 1/sqrt(q) (tanh at q = 1e6) sits at a split point.  Raises
    AssertionError unless quadrature's own error estimate is below 10^-(dps - 5).
    """
    with mp.workdps(dps + 6):
        q = num(q)
        s = mp.sqrt(q)
        pts = {mp.mpf(0), mp.mpf(4), mp.mpf(-4)}
        if s > 2:  # a transition of width 1/s in z
            for k in (1, 4, 16):
                pts |= {k / s, -k / s}
        pts |= {num(k) / s for k in kinks}
        pts = [mp.ninf, *sorted(pts), mp.inf]
        val, err = mp.quad(lambda z: f(s * z) * mp.exp(-z * z / 2), pts, error=True)
        if err > mp.mpf(10) ** (-(dps - 5)) * abs(val):
            # quad's error criterion is absolute: rescale a tiny integral (tanhshrink at q = 1e-6) to about 1
            m = abs(val) or mp.mpf(1)
            val, err = mp.quad(lambda z: f(s * z) * mp.exp(-z * z / 2) / m, pts, error=True)
            val, err = val * m, err * m
        val /= mp.sqrt(2 * mp.pi)
        assert err <= mp.mpf(10) ** (-(dps - 5)) * abs(val) + mp.mpf(10) ** (-2 * dps), f"quadrature did not converge ({err})"
        return +val


def expect(name, q, power=2, deriv=False, dps=DPS):
    """E[phi(sqrt(q) z)^power] (or of phi'), cached by (name, q, power, deriv, dps)."""
    phi, dphi, kinks = CATALOGUE[name]
    f = dphi if deriv else phi
    if name == "sin" and power == 2:  # E[sin^2] = (1 - e^{-2q})/2, E[cos^2] = (1 + e^{-2q})/2: no oscillatory quadrature
        with mp.workdps(dps):
            return (1 + (1 if deriv else -1) * mp.exp(-2 * num(q))) / 2
    return cached(("E", name, q, power, deriv, dps), lambda: gauss(lambda t: f(t) ** power, q, kinks, dps))


def gain(name):
    """1 / sqrt(E[phi(z)^2])."""
    with mp.workdps(DPS):
        return cached(("gain", name), lambda: 1 / mp.sqrt(expect(name, 1)))


# -- mean field ------------------------------------------------------------------------------

def fixed_point(name, sw, sb, start, dps=DPS):
    """(q*, chi_1, V'(q*)): the root of V(q) = sw E[phi(sqrt q z)^2] + sb = q near ``start``.

    findroot at 15 digits, then Newton at ``dps`` with V'(q) = sw/q E[phi(t) phi'(t) t],
    t = sqrt(q) z (differentiating under the integral), until the step is below
    10^-(dps-3) q: quadratic convergence from 15 digits takes two or three steps.
    """
    def compute():
        phi, dphi, kinks = CATALOGUE[name]

        def V(q, d):
            return num(sw) * gauss(lambda t: phi(t) ** 2, q, kinks, d) + num(sb)

        def dV(q, d):
            return num(sw) / q * gauss(lambda t: phi(t) * dphi(t) * t, q, kinks, d)

        with mp.workdps(15):
            q = mp.findroot(lambda q: V(q, 12) - q, num(start))
        with mp.workdps(30):  # one Newton step at 30 digits: 13 -> ~26 correct digits
            q = mp.mpf(q)
            q -= (V(q, 30) - q) / (dV(q, 30) - 1)
        with mp.workdps(dps):
            q = mp.mpf(q)
            for _ in range(6):
                step = (V(q, dps) - q) / (dV(q, dps) - 1)
                q -= step
                if abs(step) < mp.mpf(10) ** (-(dps - 3)) * abs(q):
                    break
            else:
                raise AssertionError(f"Newton did not converge for {name} at ({sw}, {sb})")
            chi = num(sw) * gauss(lambda t: dphi(t) ** 2, q, kinks, dps)
            return q, chi, dV(q, dps)

    return cached(("fp", name, sw, sb, start, dps), compute)


def start_point(name, sw, sb, q0=1, steps=80):
    """Where the length map goes from ``q0``: float iteration with 120-point Gauss-Hermite."""
    import numpy as np

    def compute():
        nodes, weights = np.polynomial.hermite_e.hermegauss(120)
        weights = weights / weights.sum()
        phi = CATALOGUE[name][0]
        w, b, q = float(num(sw)), float(num(sb)), float(q0)
        for _ in range(steps):
            s = q ** 0.5
            q = w * sum(float(phi(mp.mpf(s * z))) ** 2 * c for z, c in zip(nodes, weights, strict=False)) + b
        return repr(float(q))

    return cached(("start", name, sw, sb, q0), compute)


# -- closed-form two-point kernels ------------------------------------------------------------

def arccos_pair(s11, s22, s12):
    """(E[relu(u) relu(v)], E[1{u>0} 1{v>0}]) for (u, v) ~ N(0, [[s11, s12], [s12, s22]]) (Cho & Saul 2009)."""
    # theta = acos(s12/sqrt(s11 s22)) computed as atan2(sqrt(det), s12): acos is ill-conditioned near c = 1
    mp.sqrt(s11 * s22)
    th = mp.atan2(mp.sqrt(max(s11 * s22 - s12 * s12, 0)), s12)
    return (mp.sqrt(max(s11 * s22 - s12 * s12, 0)) + (mp.pi - th) * s12) / (2 * mp.pi), (mp.pi - th) / (2 * mp.pi)


def leaky_pair(a):
    """Kernel pair of phi(x) = x for x > 0, a x otherwise: relu(u) - a relu(-u)."""
    def pair(s11, s22, s12):
        a_ = num(a)  # at the caller's precision, not at import
        k, kd = arccos_pair(s11, s22, s12)
        km, kdm = arccos_pair(s11, s22, -s12)
        return (1 + a_ * a_) * k - 2 * a_ * km, (1 + a_ * a_) * kd + 2 * a_ * kdm

    return pair


def erf_pair(s11, s22, s12):
    """E[erf(u) erf(v)] = 2/pi asin(2 s12 / sqrt((1 + 2 s11)(1 + 2 s22))) (Williams 1998); erf' = 2/sqrt(pi) e^{-x^2}."""
    d = (1 + 2 * s11) * (1 + 2 * s22)
    return 2 / mp.pi * mp.asin(2 * s12 / mp.sqrt(d)), 4 / mp.pi / mp.sqrt(d - 4 * s12 * s12)


def sin_pair(s11, s22, s12):
    """E[sin u sin v] = e^{-(s11+s22)/2} sinh(s12); E[cos u cos v] = e^{-(s11+s22)/2} cosh(s12)."""
    e = mp.exp(-(s11 + s22) / 2)
    return e * mp.sinh(s12), e * mp.cosh(s12)


def identity_pair(s11, s22, s12):
    return s12, mp.mpf(1)


def gaussian_pair(s11, s22, s12):
    """phi = exp(-x^2): E[phi phi] = det(I + 2S)^(-1/2); E[phi' phi'] = 4 E[u v e^{-u^2-v^2}] = 4 det^(-1/2) (S (I+2S)^-1)_12."""
    d = (1 + 2 * s11) * (1 + 2 * s22) - 4 * s12 * s12
    return 1 / mp.sqrt(d), 4 / mp.sqrt(d) * s12 / d


PAIRS = {
    "relu": arccos_pair, "threshold": arccos_pair, "leaky_relu": leaky_pair(Fraction(1, 100)),
    "prelu": leaky_pair(Fraction(1, 4)), "identity": identity_pair, "sin": sin_pair,
    "gaussian": gaussian_pair, "erf(x)": erf_pair,
}


def kernels(name, depth, sw, sb, q1, q2, c):
    """(NNGP, NTK) 2x2 matrices after ``depth`` layers, by the recursion of Lee et al. / Jacot et al."""
    def compute():
        pair = PAIRS[name]
        with mp.workdps(DPS):
            w, b = num(sw), num(sb)
            a, d = num(q1), num(q2)
            s = [[a, num(c) * mp.sqrt(a * d)], [None, d]]
            s[1][0] = s[0][1]
            th = [row[:] for row in s]
            for _ in range(depth):
                ns, nd = [[0, 0], [0, 0]], [[0, 0], [0, 0]]
                for i in range(2):
                    for j in range(2):
                        k, kd = pair(s[i][i], s[j][j], s[i][j])
                        ns[i][j], nd[i][j] = w * k + b, w * kd
                th = [[ns[i][j] + nd[i][j] * th[i][j] for j in range(2)] for i in range(2)]
                s = ns
            return s, th

    return cached(("K", name, depth, sw, sb, q1, q2, c), compute)


# -- extrema of phi' ---------------------------------------------------------------------------

def critical_value(f, guess, dps=DPS):
    """f at the zero of f' near ``guess`` (f' by mpmath's numerical differentiation), checked at two precisions."""
    vals = []
    for d in (dps, dps + 15):
        with mp.workdps(d):
            r = mp.findroot(lambda t: mp.diff(f, t), mp.mpf(guess))
            vals.append(f(r))
    with mp.workdps(dps):
        assert abs(vals[0] - vals[1]) < mp.mpf(10) ** (-(dps - 5)), "critical value did not converge"
        return +vals[1]


def shaped_conditions(name, alpha, beta, dps=DPS):
    """For phi_hat(x) = gamma (phi(alpha x + beta) + delta) with C(0) = 0 and Q(1) = 1 imposed:
    (delta, gamma, Q'(1), C'(1)) = (-E[phi(u)], 1/sqrt(Var phi(u)), gamma^2 alpha E[(phi(u) + delta) phi'(u) z],
    gamma^2 alpha^2 E[phi'(u)^2]) with u = alpha z + beta, z ~ N(0, 1), by quadrature.
    """
    def compute():
        phi, dphi, kinks = CATALOGUE[name]
        with mp.workdps(dps):
            a, b = num(alpha), num(beta)
            ks = tuple((num(k) - b) / a for k in kinks)
            delta = -gauss(lambda z: phi(a * z + b), 1, ks, dps)
            gamma = 1 / mp.sqrt(gauss(lambda z: (phi(a * z + b) + delta) ** 2, 1, ks, dps))
            q1 = gamma**2 * a * gauss(lambda z: (phi(a * z + b) + delta) * dphi(a * z + b) * z, 1, ks, dps)
            c1 = gamma**2 * a**2 * gauss(lambda z: dphi(a * z + b) ** 2, 1, ks, dps)
            return delta, gamma, q1, c1

    return cached(("shape", name, alpha, beta, dps), compute)
