r"""Certified :math:`E[\varphi(u)\varphi(v)]` for piecewise :math:`\sum c\,x^n e^{ax}` activations, as ONE 1-D integral.

ReLU, leaky ReLU, ELU, CELU, SELU, hard-tanh, hard-swish, ReLU6, the shrinkage
functions, ... and their derivatives are, piece by piece, finite sums of
:math:`c\,x^n e^{ax}`.  Conditioning the second variable on the first,
:math:`u = \sqrt q z_1`, :math:`v = m + \sigma z_2` with :math:`m = \sqrt q\,c\,z_1`,
:math:`\sigma = \sqrt{q(1-c^2)}`,

.. math:: E[\varphi(u)\varphi(v)] = \int \phi(z_1)\,\varphi(\sqrt q z_1)\,G(z_1)\,dz_1,\qquad
          G(z_1) = E_{z_2}[\varphi(m + \sigma z_2)],

and :math:`G` is a closed form: completing the square,

.. math:: \int_{lo}^{hi} y^n e^{ay}\,\tfrac1\sigma\phi\big(\tfrac{y-m}{\sigma}\big)\,dy
          = e^{am + a^2\sigma^2/2}\sum_{i\le n}\binom{n}{i} m'^{\,n-i}\sigma^i\int_\ell^\eta w^i\phi(w)\,dw,

:math:`m' = m + a\sigma^2`, :math:`\ell, \eta = (lo - m')/\sigma, (hi - m')/\sigma`, and the
incomplete moments follow from :math:`\int_L^\infty w^i\phi = L^{i-1}\phi(L) + (i-1)\int_L^\infty
w^{i-2}\phi` with :math:`\int_L^\infty\phi = \operatorname{erfc}(L/\sqrt2)/2` (lower-unbounded
pieces by the reflection :math:`w \to -w`, so nothing cancels).  ``G`` is entire in
:math:`z_1`, so the outer integral is python-flint's rigorous ``acb.integral`` on each
analytic piece of :math:`\varphi(\sqrt q z_1)`; the mass beyond :math:`|z_1| > T` is bounded
with the real growth bounds (:func:`symact.gaussian.lattice.real_bound`).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import Any

import flint
import sympy
from flint import acb, arb

from ..core.budget import check_deadline
from ..core.cache import cached
from ..core.errors import CertificationError, UnsupportedExpression
from ..core.precision import workprec
from ..expressions.pieces import split
from ..numerics.acb import acb_evaluator, integral
from ..numerics.gaussian import as_ball
from .lattice import (
    full_measure,
    merge_bounds,
    product_moment,
    real_bound,
    tail_measure,
    upper_tail_moments,
)

__all__ = ["conditioned_expectation", "poly_exp_pieces"]

Term = tuple[arb, int, arb]  # coef * x**n * exp(a x)
Piece = tuple[Any, Any, tuple[Term, ...]]  # (lo, hi, terms); lo/hi arb or None for -oo/oo


def _term(t: sympy.Expr, x: sympy.Symbol, dps: int) -> tuple | None:
    coef, n, a = sympy.Integer(1), 0, sympy.Integer(0)
    for f in sympy.Mul.make_args(t):
        if not f.has(x):
            coef *= f
        elif f == x:
            n += 1
        elif f.is_Pow and f.base == x and f.exp.is_Integer and f.exp > 0:
            n += int(f.exp)
        elif isinstance(f, sympy.exp) or (f.is_Pow and f.base == sympy.E):
            arg = sympy.expand(f.args[0] if isinstance(f, sympy.exp) else f.exp)
            p = sympy.Poly(arg, x) if arg.is_polynomial(x) else None
            if p is None or p.degree() > 1:
                return None
            cs = p.all_coeffs()
            slope, const = (cs[0], cs[1]) if len(cs) == 2 else (sympy.Integer(0), cs[0])
            a += slope
            coef *= sympy.exp(const)
        else:
            return None
    if not coef.is_number or not a.is_number or coef.has(sympy.I) or a.has(sympy.I):
        return None
    return coef, n, None, a


def _is_zero(v: sympy.Expr) -> bool:
    """Whether a constant is 0 (a zero coefficient only costs time if kept, so a cheap test)."""
    if v == 0:
        return True
    if abs(sympy.N(v, 30)) > sympy.Float(10) ** -20:
        return False
    return sympy.simplify(v) == 0


def poly_exp_pieces(expr: sympy.Expr, x: sympy.Symbol, dps: int) -> tuple[Piece, ...] | None:
    r"""The pieces of ``expr`` as sums of :math:`c\,x^n e^{ax}` (balls), or None if it is not of that form.

    >>> x = sympy.Symbol("x", real=True)
    >>> ps = poly_exp_pieces(sympy.Piecewise((x, x > 0), (sympy.exp(x) - 1, True)), x, 20)
    >>> len(ps), [len(p[2]) for p in ps]
    (2, [2, 1])
    """
    prec = flint.ctx.prec
    return _pieces(sympy.sympify(expr), x, max(dps, int(prec / 3.32) + 1), prec)


@cached(maxsize=256)
def _pieces(expr: sympy.Expr, x: sympy.Symbol, dps: int, prec: int) -> tuple[Piece, ...] | None:
    with workprec(prec):
        return _make_pieces(expr, x, dps)


def _make_pieces(expr: sympy.Expr, x: sympy.Symbol, dps: int) -> tuple[Piece, ...] | None:
    # Floats as their exact binary values before any expand: SymPy would fold exp(x + Float) into
    # exp(x) times a rounded Float, which the ball code would then take as exact
    expr = sympy.sympify(expr)
    expr = expr.xreplace({f: sympy.Rational(f) for f in expr.atoms(sympy.Float)})
    try:
        pcs = split(expr, x)
    except (UnsupportedExpression, ValueError, TypeError):
        return None
    out = []
    for p in pcs:
        grouped: dict[tuple[int, sympy.Expr], sympy.Expr] = {}
        for t in sympy.Add.make_args(sympy.expand(p.expr)):
            if t == 0:
                continue
            r = _term(t, x, dps)
            if r is None:
                return None
            key = (r[1], r[3])
            grouped[key] = grouped.get(key, sympy.Integer(0)) + r[0]
        terms = [(as_ball(cf, dps), n, as_ball(a, dps)) for (n, a), cf in grouped.items()
                 if not _is_zero(cf)]
        lo = None if p.lo == -sympy.oo else as_ball(p.lo, dps)
        hi = None if p.hi == sympy.oo else as_ball(p.hi, dps)
        out.append((lo, hi, tuple(terms)))
    return tuple(out)


def _window(lo: acb | None, hi: acb | None, n: int) -> list[acb]:
    """int_lo^hi w^i phi(w) dw for i <= n (None = infinite end), without cancellation."""
    if lo is None and hi is None:
        return [acb(math.prod(range(i - 1, 0, -2)) if i % 2 == 0 else 0) for i in range(n + 1)]
    if lo is None:  # int_-oo^hi w^i phi = (-1)^i int_{-hi}^oo w^i phi
        return [(-1) ** i * v for i, v in enumerate(upper_tail_moments(-hi, n))]
    if hi is None:
        return upper_tail_moments(lo, n)
    if hi.real < 0:  # both ends left of 0: reflect so that the tails subtracted are small
        a, b = upper_tail_moments(-hi, n), upper_tail_moments(-lo, n)
        return [(-1) ** i * (u - v) for i, (u, v) in enumerate(zip(a, b, strict=True))]
    a, b = upper_tail_moments(lo, n), upper_tail_moments(hi, n)
    return [u - v for u, v in zip(a, b, strict=True)]


def _G(pieces: Sequence[Piece], m: acb, sigma: arb) -> acb:
    """E_z[phi(m + sigma z)] in closed form."""
    total = acb(0)
    for lo, hi, terms in pieces:
        for coef, n, a in terms:
            mp = m + a * sigma * sigma
            ell = None if lo is None else (lo - mp) / sigma
            eta = None if hi is None else (hi - mp) / sigma
            W = _window(ell, eta, n)
            s = sum((math.comb(n, i) * mp ** (n - i) * sigma**i * W[i] for i in range(n + 1)), acb(0))
            total += coef * (a * m + a * a * sigma * sigma / 2).exp() * s
    return total


def conditioned_expectation(f: sympy.Expr, g: sympy.Expr, x: sympy.Symbol, q1: arb, q2: arb, c: arb, *,
                            dps: int) -> arb | None:
    r"""A ball containing :math:`E[f(u) g(v)]` (variances q1, q2, correlation c, :math:`|c| < 1`), or None.

    None when ``g`` is not piecewise :math:`\sum c\,x^n e^{ax}`, or no polynomial growth bound
    is proved for ``f`` or ``g`` (``f`` only needs analytic pieces).

    >>> from symact.core.precision import workdps
    >>> x = sympy.Symbol("x", real=True)
    >>> relu = sympy.Piecewise((x, x > 0), (0, True))
    >>> with workdps(25):
    ...     one = flint.arb(1)
    ...     b = conditioned_expectation(relu, relu, x, one, one, flint.arb(0.5), dps=20)
    ...     ref = ((1 - flint.arb(0.25)).sqrt() + (flint.arb.pi() - flint.arb(0.5).acos()) / 2) / (2 * flint.arb.pi())
    >>> b.overlaps(ref), b.rad() < 1e-19
    (True, True)
    """
    pieces = poly_exp_pieces(g, x, dps)
    if pieces is None:
        return None
    try:
        rb = real_bound(f, x) if f == g else merge_bounds(real_bound(f, x), real_bound(g, x))
    except UnsupportedExpression:
        return None
    goal = arb(10) ** (-(dps + 3))
    sq, sq2 = q1.sqrt(), q2.sqrt()
    s = (1 - c * c).sqrt()
    sigma = sq2 * s
    csq = sq2 * c
    top = arb(max(sq, sq2).upper())
    T = 6
    while True:
        tail = product_moment(rb, top, top * s, tail_measure(arb(T)), full_measure)
        if tail < goal / 2:
            break
        T += 1
        if T > 80:
            return None
    Tb = arb(T)
    fpieces = split(sympy.sympify(f), x)
    cuts = [as_ball(p.lo, dps) / sq for p in fpieces[1:]]
    if c != 0 and float(sigma.mid()) < 0.7:  # G turns on a scale sigma around each kink of v
        for k in [p[0] for p in pieces if p[0] is not None]:
            for j in (-6, -3, -1, 1, 3, 6):
                cuts.append((k + j * sigma) / csq)
    cuts.sort(key=lambda v: float(v.mid()))
    ends = [-Tb, *[v for v in cuts if -Tb < v < Tb], Tb]
    norm = 1 / (2 * arb.pi()).sqrt()
    bits = int((dps + 4) * 3.33)
    total = acb(0)
    for a, b in itertools.pairwise(ends):
        check_deadline()
        mid = float(((a + b) / 2 * sq).mid())
        expr_p = next(p.expr for p in fpieces
                      if (p.lo == -sympy.oo or float(p.lo) < mid) and (p.hi == sympy.oo or mid < float(p.hi)))
        F = acb_evaluator(expr_p, x)

        def integrand(z: acb, an: bool, F: Any = F) -> acb:
            fv = F(z * sq, an)
            if not fv.is_finite():
                return fv
            return fv * (-(z * z) / 2).exp() * _G(pieces, z * csq, sigma)

        tol = arb(2) ** (-bits)
        total += integral(integrand, a, b, rel_tol=tol, abs_tol=tol)
    out = total.real * norm
    if not out.is_finite():
        raise CertificationError("the conditioned Gaussian integral was not enclosed")
    return out + arb(0, tail.upper())
