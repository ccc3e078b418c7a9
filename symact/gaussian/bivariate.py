r"""Certified Gaussian expectations in one and two variables, in Arb ball arithmetic.

:func:`gauss1` encloses :math:`E[\prod_i f_i(\sigma_i z)]` for :math:`z \sim N(0, 1)`
(through :mod:`symact.numerics.gaussian`); :func:`gauss2` encloses :math:`E[f(u)\, g(v)]`
for a centred Gaussian pair with :math:`\operatorname{Var} u = q_1`,
:math:`\operatorname{Var} v = q_2`, :math:`\operatorname{Cov}(u, v) = c\sqrt{q_1 q_2}`.

:func:`gauss2` takes the first method that applies, each rigorous:

1. :math:`c = \pm 1` and :math:`c = 0`: 1-D integrals (:func:`gauss1`);
2. ``g`` (or ``f``) piecewise :math:`\sum c\,x^n e^{ax}` (ReLU family, ELU, SELU, hard-tanh, ...):
   condition :math:`v` on :math:`u`, the inner expectation is a closed form and the answer
   ONE certified 1-D integral (:mod:`symact.gaussian.conditioned`);
3. ``f`` and ``g`` holomorphic in a strip around the real line (tanh, SiLU, Mish, softplus,
   GELU, ...): the trapezoidal rule on one 1-D lattice with a proved error bound
   (:mod:`symact.gaussian.lattice`);
4. otherwise the nested integral below.

Fallback method.  The pair is written :math:`u = \sqrt{q_1} z_1`,
:math:`v = \sqrt{q_2}(c z_1 + \sqrt{1-c^2} z_2)` with independent standard
normals, and the expectation is the nested integral

.. math:: \int_{-T}^{T} f(\sqrt{q_1} z_1)\, \varphi(z_1)
          \int_{-T}^{T} g(\sqrt{q_2}(c z_1 + s z_2))\, \varphi(z_2)\, dz_2\, dz_1

computed with python-flint's rigorous Gauss--Legendre integrator
``acb.integral`` (Johansson 2018) on each analytic piece (the kinks of ``f``
and ``g`` split the ranges; the inner split points depend on :math:`z_1`, and
their exits from :math:`[-T, T]` split the outer range), plus a proved bound on
the mass outside the box from the real growth bounds
(:func:`symact.gaussian.lattice.real_bound`).  The inner integral is evaluated
for complex :math:`z_1` when the outer integrator bounds its integrand on a complex
ball; every piece is analytic there, so the nesting is rigorous.

References
----------
.. [1] F. Johansson, "Numerical integration in arbitrary-precision ball arithmetic",
   ICMS 2018, LNCS 10931, pp. 255-263.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from typing import Any

import flint
import sympy
from flint import acb, arb

from ..core.errors import CertificationError, UnsupportedExpression
from ..core.precision import workprec
from ..expressions.pieces import split
from ..numerics.acb import acb_evaluator, integral, unwrapped
from ..numerics.gaussian import as_ball, gaussian_expectation, integrate_gaussian
from .conditioned import conditioned_expectation
from .lattice import (
    full_measure,
    lattice_expectation,
    merge_bounds,
    moment,
    product_moment,
    real_bound,
    tail_measure,
)

__all__ = ["METHOD", "METHODS", "gauss2_traced", "ball_eval", "ball_evaluator", "gauss1", "gauss2"]

_METHODS: dict[Any, str] = {
    sympy.exp: "exp", sympy.tanh: "tanh", sympy.sinh: "sinh", sympy.cosh: "cosh",
    sympy.sin: "sin", sympy.cos: "cos", sympy.tan: "tan", sympy.atan: "atan",
    sympy.erf: "erf", sympy.erfc: "erfc", sympy.asinh: "asinh", sympy.sech: "sech",
    sympy.coth: "coth", sympy.asin: "asin", sympy.acos: "acos",
}
Fn = Callable[[Any, bool], Any]


def _num(e: sympy.Expr) -> arb:
    if e.is_Integer:
        return arb(int(e))
    if e.is_Rational:
        return arb(int(e.p)) / int(e.q)
    if e == sympy.pi:
        return arb.pi()
    if e == sympy.E:
        return arb(1).exp()
    if e.is_Float:
        s, m, ex, _ = e._mpf_
        return arb(((-1) ** s * m, ex)) if m else arb(0)
    if e.is_number:
        return as_ball(e, flint.ctx.dps)
    raise UnsupportedExpression(f"not a number: {e}")


def ball_eval(expr: sympy.Expr, env: dict[sympy.Symbol, Any]) -> Any:
    """Evaluate a SymPy expression of several symbols at Arb balls (``env``), rigorously.

    >>> import sympy
    >>> a, b = sympy.symbols("a b")
    >>> ball_eval(sympy.asin(a / b) + sympy.Rational(1, 3), {a: arb(1), b: arb(2)}).overlaps(
    ...     arb.pi() / 6 + arb(1) / 3)
    True
    """
    e = sympy.sympify(expr)
    if e in env:
        return env[e]
    if e.is_number:
        return _num(e)
    if e.is_Add or e.is_Mul:
        vals = [ball_eval(t, env) for t in e.args]
        out = vals[0]
        for v in vals[1:]:
            out = out + v if e.is_Add else out * v
        return out
    if e.is_Pow:
        base, ex = e.args
        bv = ball_eval(base, env)
        if ex.is_Integer:
            n = int(ex)
            return bv**n if n >= 0 else 1 / bv ** (-n)
        if ex == sympy.S.Half:
            return bv.sqrt()
        if ex == -sympy.S.Half:
            return 1 / bv.sqrt()
        return (ball_eval(ex, env) * bv.log()).exp()
    if isinstance(e, sympy.Function) and len(e.args) == 1:
        v = ball_eval(e.args[0], env)
        if type(e) in _METHODS:
            return getattr(v, _METHODS[type(e)])()
        if type(e) is sympy.log:
            return v.log()
        if type(e) is sympy.Abs:
            return abs(v)
    raise UnsupportedExpression(f"cannot evaluate {e} in ball arithmetic")


def ball_evaluator(expr: sympy.Expr, symbols: tuple[sympy.Symbol, ...]) -> Callable[..., Any]:
    """:func:`ball_eval` compiled once: a function of Arb balls for ``symbols``, in that order.

    Constants are enclosed at the precision current when the function is called.

    >>> import sympy
    >>> a, b = sympy.symbols("a b")
    >>> f = ball_evaluator(sympy.asin(a / b) + sympy.Rational(1, 3), (a, b))
    >>> f(arb(1), arb(2)).overlaps(arb.pi() / 6 + arb(1) / 3)
    True
    """
    index = {s: i for i, s in enumerate(symbols)}
    node = _compile_ball(sympy.sympify(expr), index)
    return lambda *vals: node(vals)


def _compile_ball(e: sympy.Expr, index: dict) -> Callable[[tuple], Any]:
    if e in index:
        i = index[e]
        return lambda v: v[i]
    if e.is_number:
        memo: dict[int, arb] = {}

        def const(v: tuple) -> arb:
            p = flint.ctx.prec
            if p not in memo:
                memo[p] = _num(e)
            return memo[p]

        return const
    if e.is_Add or e.is_Mul:
        parts = [_compile_ball(t, index) for t in e.args]
        add = e.is_Add

        def combine(v: tuple) -> Any:
            out = parts[0](v)
            for p in parts[1:]:
                out = out + p(v) if add else out * p(v)
            return out

        return combine
    if e.is_Pow:
        base, ex = e.args
        bf = _compile_ball(base, index)
        if ex.is_Integer:
            n = int(ex)
            return (lambda v: bf(v) ** n) if n >= 0 else (lambda v: 1 / bf(v) ** (-n))
        if ex == sympy.S.Half:
            return lambda v: bf(v).sqrt()
        if ex == -sympy.S.Half:
            return lambda v: 1 / bf(v).sqrt()
        ef = _compile_ball(ex, index)
        return lambda v: (ef(v) * bf(v).log()).exp()
    if isinstance(e, sympy.Function) and len(e.args) == 1:
        af = _compile_ball(e.args[0], index)
        if type(e) in _METHODS:
            name = _METHODS[type(e)]
            return lambda v: getattr(af(v), name)()
        if type(e) is sympy.log:
            return lambda v: af(v).log()
        if type(e) is sympy.Abs:
            return lambda v: abs(af(v))
    raise UnsupportedExpression(f"cannot evaluate {e} in ball arithmetic")


# -- integrals ---------------------------------------------------------------------------

def _gauss_weight(z: Any) -> Any:
    return (-(z * z) / 2).exp()


def _real(b: acb) -> arb:
    if (not b.imag.contains(0) and b.imag.rad() > 0) or not b.is_finite():
        raise CertificationError(f"integral not enclosed: {b}")
    return b.real


def _breaks(exprs: Sequence[sympy.Expr], x: sympy.Symbol) -> list[sympy.Expr]:
    pts: set[sympy.Expr] = set()
    for e in exprs:
        for p in split(e, x)[1:]:
            pts.add(p.lo)
    return sorted(pts, key=lambda v: float(v))


def _piece_at(e: sympy.Expr, x: sympy.Symbol, point: float) -> sympy.Expr:
    for p in split(e, x):
        if (p.lo == -sympy.oo or float(p.lo) < point) and (p.hi == sympy.oo or point < float(p.hi)):
            return p.expr
    raise CertificationError(f"no piece of {e} contains {point}")


def _scale_sign(s: arb) -> int:
    if s > 0:
        return 1
    if s < 0:
        return -1
    raise ValueError(f"a scale must be a nonzero ball of known sign, got {s}")


def gauss1(terms: Sequence[tuple[sympy.Expr, arb]], x: sympy.Symbol, *, dps: int) -> arb:
    r"""Enclose :math:`E[\prod_i f_i(s_i z)]`, z standard normal, for ``terms = [(f_i, s_i)]``.

    Call inside :func:`symact.core.precision.workdps`; each ``s_i`` is a nonzero Arb ball.
    Terms of one scale up to sign go to :func:`symact.numerics.gaussian.gaussian_expectation`;
    mixed scales to :func:`symact.numerics.gaussian.integrate_gaussian` with a proved tail.

    >>> import sympy
    >>> from symact.core.precision import workdps
    >>> x = sympy.Symbol("x", real=True)
    >>> d = sympy.tanh(x).diff(x)
    >>> with workdps(30):
    ...     r = gauss1([(d, flint.arb(1)), (d, flint.arb(1))], x, dps=30)
    >>> r.overlaps(flint.arb("0.464402902448268241972021461115654"))
    True
    >>> with workdps(30):
    ...     r = gauss1([(x**2, flint.arb(1)), (x**2, flint.arb(2))], x, dps=30)
    >>> r.overlaps(flint.arb(12))  # 4 E[z^4]
    True
    """
    exprs = [sympy.sympify(e) for e, _ in terms]
    scales = [s if isinstance(s, arb) else arb(s) for _, s in terms]
    signs = [_scale_sign(s) for s in scales]
    mags = [abs(s) for s in scales]
    if all(m.mid() == mags[0].mid() and m.rad() == mags[0].rad() for m in mags):
        prod = sympy.Mul(*[e.subs(x, sg * x) if sg < 0 else e for e, sg in zip(exprs, signs, strict=True)])
        return gaussian_expectation(split(prod, x), mags[0] ** 2, x=x, dps=dps)
    return _gauss1_mixed(exprs, scales, x, dps)


def _gauss1_mixed(exprs: list[sympy.Expr], scales: list[arb], x: sympy.Symbol, dps: int) -> arb:
    bound = real_bound(exprs[0], x)
    for e in exprs[1:]:
        bound = merge_bounds(bound, real_bound(e, x))
    A, B, k, g = bound
    sig = arb(max(abs(s) for s in scales).upper())
    n = len(exprs)
    gb = arb(g.numerator) / g.denominator
    goal = arb(10) ** (-(dps + 4))
    T = 6
    while True:  # prod |f_i(s_i z)| <= (A + B (sig|z|)^k e^{g sig |z|})^n, expanded
        tail = sum((math.comb(n, j) * A ** (n - j) * B**j * sig ** (k * j) * moment(k * j, j * gb * sig, T)
                    for j in range(n + 1)), arb(0))
        if tail < goal or T > 80:
            break
        T += 1
    cuts: list[arb] = []  # the kinks in z (a list: python-flint does not hash inexact balls)
    for e, s in zip(exprs, scales, strict=True):
        for p in split(e, x)[1:]:
            v = as_ball(p.lo, dps) / s
            if not any(v.mid() == u.mid() and v.rad() == u.rad() for u in cuts):
                cuts.append(v)
    cuts.sort(key=lambda v: float(v.mid()))
    ends = [arb(-T), *[v for v in cuts if -T < v < T], arb(T)]
    parts = []
    for a, b in itertools.pairwise(ends):
        zm = float(((a + b) / 2).mid())
        fs = [(acb_evaluator(_piece_at(e, x, zm * float(s.mid())), x), s)
              for e, s in zip(exprs, scales, strict=True)]

        def integrand(z: acb, an: bool, fs: list = fs) -> acb:
            r = acb(1)
            for f, s in fs:
                r = r * f(z * s, an)
            return r

        parts.append((integrand, a, b))
    return integrate_gaussian(parts, 1, tail=tail, dps=dps)


#: The method label of a value enclosed by :func:`gauss2` (whichever of :data:`METHODS` applied).
METHOD = "certified Gaussian integral"

#: What :func:`gauss2_traced` reports, by tag: how the value was enclosed.
METHODS = {
    "one-dimensional": "one-dimensional certified Gaussian integrals (c = 0 or |c| = 1)",
    "conditioned": "conditioning on u: a closed-form inner expectation (exp and erfc), then one "
                   "certified 1-D integral",
    "lattice": "a trapezoidal rule on one 1-D lattice with a proved finite-rectangle "
               "Trefethen–Weideman error bound",
    "nested": "a nested 2-D acb.integral on [−T, T]² plus a proved tail bound",
}


def gauss2(
    f: sympy.Expr, g: sympy.Expr, x: sympy.Symbol, q1: arb, q2: arb, c: arb, *, dps: int
) -> arb:
    r"""Enclose :math:`E[f(u) g(v)]` for the Gaussian pair described in the module notes.

    See :func:`gauss2_traced` for the same ball with the tag of the method that gave it.

    >>> import sympy
    >>> from symact.core.precision import workdps
    >>> x = sympy.Symbol("x", real=True)
    >>> with workdps(20):
    ...     r = gauss2(sympy.erf(x), sympy.erf(x), x, flint.arb(1), flint.arb(1), flint.arb(0.5), dps=20)
    >>> r.overlaps(2 / flint.arb.pi() * (flint.arb(1) / 3).asin())
    True
    """
    return gauss2_traced(f, g, x, q1, q2, c, dps=dps)[0]


def gauss2_traced(
    f: sympy.Expr, g: sympy.Expr, x: sympy.Symbol, q1: arb, q2: arb, c: arb, *, dps: int
) -> tuple[arb, str]:
    r""":func:`gauss2`'s ball and the key in :data:`METHODS` of the method that enclosed it.

    The first method that applies is used: one-dimensional integrals at :math:`c \in
    \{0, \pm 1\}`, conditioning for piecewise :math:`x^n e^{ax}` activations, the lattice
    rule for activations holomorphic in a strip, else the nested integral.

    >>> import sympy
    >>> from symact.core.precision import workdps
    >>> x = sympy.Symbol("x", real=True)
    >>> with workdps(20):
    ...     r, how = gauss2_traced(sympy.tanh(x), sympy.tanh(x), x, flint.arb(1), flint.arb(1),
    ...                            flint.arb(0.5), dps=20)
    >>> how
    'lattice'
    """
    f, g = sympy.sympify(f), sympy.sympify(g)
    a, b = q1.sqrt(), q2.sqrt()
    if c == 1 or c == -1:
        return gauss1([(f, a), (g, b if c == 1 else -b)], x, dps=dps), "one-dimensional"
    if c == 0:
        return gauss1([(f, a)], x, dps=dps) * gauss1([(g, b)], x, dps=dps), "one-dimensional"
    if not (c < 1 and c > -1):
        raise ValueError(f"the correlation must lie in [-1, 1], got {c}")
    how = "conditioned"
    # guard digits: the sums and cancellations of the fast methods lose a few
    with workprec(max(flint.ctx.prec, int(dps * 3.33)) + 24):
        r = conditioned_expectation(f, g, x, q1, q2, c, dps=dps)
        if r is None and f != g:
            r = conditioned_expectation(g, f, x, q2, q1, c, dps=dps)
        if r is None:
            r, how = lattice_expectation(f, g, x, q1, q2, c, dps=dps), "lattice"
    if r is None:
        r, how = _gauss2_box(f, g, x, q1, q2, c, dps), "nested"
    return +r, how


_SPLITS = 5  # a crude bound of the inner integral bisects a box at most this often


def _crude_bound(h: Fn, u0: Any, u1: Any, splits: int) -> acb:
    """A ball containing the integral of ``h`` from ``u0`` to ``u1`` (a segment of the complex
    plane): the length times ``|h|`` on a box around the segment, the box bisected (up to
    ``splits`` times) where that bound is not finite -- a wide box can make a denominator
    such as 1 + exp(-x) contain 0 although it has no zero nearby (elish' at its gain)."""
    du = u1 - u0
    mid, rr = (u0 + u1) / 2, (abs(du) / 2).upper()
    v = h(acb(mid.real + arb(0, rr), mid.imag + arb(0, rr)), True)
    if v.is_finite() or splits == 0:
        r = arb(0, (abs(v) * abs(du)).upper())
        return acb(r, r)
    return _crude_bound(h, u0, mid, splits - 1) + _crude_bound(h, mid, u1, splits - 1)


def _gauss2_box(f: sympy.Expr, g: sympy.Expr, x: sympy.Symbol, q1: arb, q2: arb, c: arb,
                dps: int) -> arb:
    a, b = q1.sqrt(), q2.sqrt()
    s = (1 - c * c).sqrt()
    bound = real_bound(f, x) if f == g else merge_bounds(real_bound(f, x), real_bound(g, x))
    top = arb(max(a, b).upper())
    goal = arb(10) ** (-(dps + 4))
    T = 6
    while True:  # |u|, |v| <= top (|z1| + s|z2|): the mass outside [-T, T]^2
        tail = product_moment(bound, top, top * s, tail_measure(arb(T)), full_measure) + \
            product_moment(bound, top, top * s, full_measure, tail_measure(arb(T)))
        if tail < goal or T > 60:
            break
        T += 1
    Tb = arb(T)
    fcuts = [_num(p) / a for p in _breaks((f,), x)]
    gcuts = [_num(p) for p in _breaks((g,), x)]  # kinks of g in its own argument
    gpieces = split(g, x)
    outer_pts = [v for v in fcuts if -Tb < v < Tb]
    for k in gcuts:  # inner split t(z1) = (k/b - c z1)/s meets +-T
        for sgn in (1, -1):
            z = (k / b - sgn * s * Tb) / c
            if -Tb < z < Tb:
                outer_pts.append(z)
    outer_pts.sort(key=lambda v: float(v.mid()))
    ends = [-Tb, *outer_pts, Tb]
    total = arb(0)
    gfun = [acb_evaluator(p.expr, x) for p in gpieces]
    for lo, hi in itertools.pairwise(ends):
        zmid = (lo + hi) / 2
        ff = acb_evaluator(_piece_at(f, x, float((zmid * a).mid())), x)
        # which inner split points lie inside (-T, T) on this outer piece
        ks = [k for k in gcuts if -Tb < (k / b - c * zmid) / s < Tb]
        # the g-piece of each inner segment, decided once at the real midpoint of the outer piece
        below = sum(1 for k in gcuts if (k / b - c * zmid) / s <= -Tb)
        seg_pieces = list(range(below, below + len(ks) + 1))

        def inner(z1: Any, wide: bool, ks: list = ks, seg_pieces: list = seg_pieces) -> Any:
            y = c * z1
            seg = 0
            pts = [-Tb, *[(k / b - y) / s for k in ks], Tb]  # ascending: gcuts ascend
            acc = acb(0)
            for u0, u1 in itertools.pairwise(pts):
                gf = gfun[seg_pieces[seg]]  # fixed per outer piece: the analytic continuation
                seg += 1

                def h(t: acb, an: bool, gf: Fn = gf) -> acb:
                    return gf(b * (y + s * t), an) * _gauss_weight(t)

                if wide:  # a crude rigorous bound of |integral| suffices here
                    n = 24
                    du = (u1 - u0) / n
                    for j in range(n):
                        acc += _crude_bound(h, u0 + du * j, u0 + du * (j + 1), _SPLITS)
                        if not acc.is_finite():
                            return acc
                else:
                    acc += integral(h, u0, u1)
            return acc

        errors: list[Exception] = []

        def outer(z: acb, an: bool, ff: Fn = ff, inner: Callable = inner,
                  errors: list = errors) -> acb:
            try:
                wide = bool(z.rad() > 2.0**-40)
                fv = ff(a * z, an)
                if not fv.is_finite():
                    return fv
                return fv * _gauss_weight(z) * inner(z, wide)
            except Exception as exc:  # noqa: BLE001 - a callback must not raise inside Arb
                real = unwrapped(exc) if isinstance(exc, SystemError) else exc
                if not isinstance(real, Exception):  # the budget's interruption: let it through
                    raise real from None  # (integral() re-raises it from python-flint's SystemError)
                errors.append(real)
                return acb("nan")

        val = integral(outer, lo, hi, use_heap=True)
        if not val.is_finite() and errors:
            raise CertificationError(f"2-D integral not enclosed: {errors[0]!r}") from errors[0]
        total += _real(val)
    return total / (2 * arb.pi()) + arb(0, tail.upper())
