r"""Certified :math:`E[\varphi(u)\varphi(v)]` for analytic activations by a lattice trapezoidal rule.

For a centred Gaussian pair with :math:`\operatorname{Var} u = \operatorname{Var} v = q`,
:math:`\operatorname{Cov}(u, v) = cq`, write :math:`u = \sqrt q(\alpha z_1 + \beta z_2)`,
:math:`v = \sqrt q(\alpha z_1 - \beta z_2)` with :math:`\alpha = \sqrt{(1+c)/2}`,
:math:`\beta = \sqrt{(1-c)/2}` and independent standard normals :math:`z_1, z_2`.  The
double trapezoidal sum with steps :math:`h_1, h_2` chosen so that
:math:`\alpha h_1 = k_1\delta`, :math:`\beta h_2 = k_2\delta` (integers :math:`k_1, k_2`)
evaluates :math:`\varphi` only on the 1-D lattice :math:`\sqrt q\,\delta\,\mathbb Z`:

.. math:: S = h_1 h_2 \sum_{|ih_1| < X_1} \sum_{|jh_2| < X_2} \phi(ih_1)\phi(jh_2)\,
          \varphi(\sqrt q\delta(k_1 i + k_2 j))\,\varphi(\sqrt q\delta(k_1 i - k_2 j)),

a few hundred evaluations of :math:`\varphi` and a double sum done in exact integer
fixed-point arithmetic with a proved rounding bound.

Error bound (proved here, a finite-rectangle form of Trefethen & Weideman 2014, Thm 5.1).
For :math:`f` holomorphic on the closed rectangle :math:`R = [-X, X]\times[-a, a]` with
:math:`X = (K + \tfrac12)h`, the residue theorem for :math:`f(z)\cot(\pi z/h)/(2i)` gives

.. math:: h\sum_{|kh|<X} f(kh) - \int_{-X}^{X} f = \frac{1}{2i}\Big[\int_{\Gamma_+} f\,(\cot + i)
          + \int_{\Gamma_-} f\,(\cot - i)\Big]

with :math:`\Gamma_\pm` the upper and lower halves of :math:`\partial R`.  On
:math:`\operatorname{Im} z = \pm a`, :math:`|\cot(\pi z/h) \pm i| \le 2/(e^{2\pi a/h} - 1)`;
on the vertical sides (:math:`\cot(\pi(K+\frac12) + it) = -i\tanh t`) it is at most 1.  Hence

.. math:: \Big|h\sum f(kh) - \int_{-X}^X f\Big| \le \frac{\int_{-X}^X |f(x+ia)| + |f(x-ia)|\,dx}
          {e^{2\pi a/h} - 1} + \tfrac12\int_{-a}^{a} |f(X+iy)| + |f(-X+iy)|\,dy .

Applied in :math:`z_1` (for every real :math:`z_2`) and then in :math:`z_2` (to the
:math:`z_1`-sum), with :math:`|\phi(x+iy)| = \phi(x)e^{y^2/2}` and a bound
:math:`|\varphi(w)| \le A + B|\operatorname{Re} w|^k e^{\gamma|\operatorname{Re} w|}` on the
strip :math:`|\operatorname{Im} w| \le d` (proved on a covering by complex balls, which also
proves holomorphy: Arb returns a non-finite ball on a pole or a branch cut), every term is a
closed-form Gaussian moment.  The mass outside :math:`[-X_1, X_1]\times[-X_2, X_2]` is bounded
with the real-line growth bounds of :mod:`symact.numerics.growth`.

References
----------
.. [1] L. N. Trefethen, J. A. C. Weideman, "The exponentially convergent trapezoidal rule",
   SIAM Review 56(3), 2014, 385-458.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from fractions import Fraction

import flint  # noqa: F401 - the doctests use flint.arb
import sympy
from flint import acb, arb

from ..core.budget import check_deadline
from ..core.cache import cached
from ..core.errors import CertificationError, UnsupportedExpression
from ..core.precision import workprec
from ..expressions.pieces import split
from ..numerics.acb import acb_evaluator
from ..numerics.arb import arb_evaluator
from ..numerics.gaussian import as_ball, gaussian_expectation
from ..numerics.growth import growth_bound

__all__ = ["Bound", "full_measure", "lattice_expectation", "merge_bounds", "moment", "product_moment", "real_bound", "strip_bound", "tail_measure", "upper_tail_moments"]

_STRIPS = (1.5, 1.2, 0.9, 0.6, 0.4)  # half-widths d tried for the strip of holomorphy
_BOX = Fraction(1, 4)  # side of the covering boxes
_R = 2  # the growth bounds hold for |x| >= _R; [-_R, _R] is covered by boxes

Bound = tuple[arb, arb, int, Fraction]  # |f| <= A + B |Re w|^k e^{g |Re w|}
Measure = Callable[[int, arb], arb]  # (j, gamma) -> E[|z|^j e^{gamma |z|}] under some measure


def _frac(v: Fraction) -> arb:
    return arb(v.numerator) / v.denominator


# -- Gaussian moments -------------------------------------------------------------------

def upper_tail_moments(L: arb | acb, n: int) -> list[arb | acb]:
    """J_i(L) = int_L^oo w^i phi(w) dw for i <= n (any real L, or a complex ball: the same recursion).

    >>> [round(float(v.mid()), 6) for v in upper_tail_moments(flint.arb(0), 2)]
    [0.5, 0.398942, 0.5]
    """
    dens = (-(L * L) / 2).exp() / (2 * arb.pi()).sqrt()
    J = [(L / arb(2).sqrt()).erfc() / 2, dens]
    for i in range(2, n + 1):
        J.append(L ** (i - 1) * dens + (i - 1) * J[i - 2])
    return J[: n + 1]


def moment(j: int, gamma: arb, X: arb | int = 0) -> arb:
    r""":math:`E[|z|^j e^{\gamma|z|};\ |z| > X] = 2\int_X^\infty t^j e^{\gamma t}\phi(t)\,dt`, exactly.

    >>> m = moment(2, flint.arb(0))
    >>> m.contains(1) and m.rad() < 1e-10
    True
    """
    X = arb(X) if not isinstance(X, arb) else X
    J = upper_tail_moments(X - gamma, j)
    s = sum((math.comb(j, i) * gamma ** (j - i) * J[i] for i in range(j + 1)), arb(0))
    return 2 * (gamma * gamma / 2).exp() * s


def full_measure(j: int, g: arb) -> arb:
    """:math:`E[|z|^j e^{g|z|}]` for a standard normal z."""
    return moment(j, g)


def product_moment(bound: Bound, p: arb, r: arb, mu1: Measure, mu2: Measure) -> arb:
    r""":math:`E[(A + B s^k e^{\gamma s})^2]`, :math:`s = p|z_1| + r|z_2|`, for measures ``mu1``, ``mu2``.

    >>> b = (flint.arb(1), flint.arb(0), 0, Fraction(0))
    >>> product_moment(b, flint.arb(1), flint.arb(1), full_measure, full_measure).contains(1)
    True
    """
    A, B, k, g = bound
    gb = _frac(g)
    total = A * A * mu1(0, arb(0)) * mu2(0, arb(0))
    for coef, n, gam in ((2 * A * B, k, gb), (B * B, 2 * k, 2 * gb)):
        if coef == 0:
            continue
        acc = arb(0)
        for i in range(n + 1):
            acc += math.comb(n, i) * p**i * r ** (n - i) * mu1(i, gam * p) * mu2(n - i, gam * r)
        total += coef * acc
    return total


def _point(t: arb) -> Measure:
    return lambda j, g: t**j * (g * t).exp()


def tail_measure(X: arb) -> Measure:
    """The measure functional of the two-sided standard normal tail beyond X."""
    return lambda j, g: moment(j, g, X)


def _discrete(h: arb, K: int) -> Measure:
    nodes = [(abs(i * h), (-(i * h) ** 2 / 2).exp() * h / (2 * arb.pi()).sqrt()) for i in range(-K, K + 1)]

    def mu(j: int, g: arb) -> arb:
        return sum((w * t**j * (g * t).exp() for t, w in nodes), arb(0))

    return mu


# -- bounds of |phi| on the real line and on a strip --------------------------------------

def _box_sup(f: Callable[[acb, bool], acb], cx: Fraction, rx: Fraction, cy: Fraction, ry: Fraction,
             depth: int) -> arb | None:
    """sup |f| over a box, bisecting where a wide ball overestimates into a non-finite one."""
    v = f(acb(arb(_frac(cx), _frac(rx)), arb(_frac(cy), _frac(ry))), True)
    if v.is_finite():
        return abs(v).upper()
    if depth == 0:
        return None  # a pole, a branch cut, or an enclosure too crude to tell: not proved holomorphic
    best = arb(0)
    for sx in (-1, 1):
        for sy in (-1, 1):
            r = _box_sup(f, cx + sx * rx / 2, rx / 2, cy + sy * ry / 2, ry / 2, depth - 1)
            if r is None:
                return None
            best = max(best, r)
    return best


def _column_sup(f: Callable[[acb, bool], acb], lo: Fraction, hi: Fraction, d: Fraction) -> arb | None:
    """sup |f| over the box [lo, hi] x [-d, d] (covered by small boxes), or None if not holomorphic."""
    best = arb(0)
    ny = max(1, math.ceil(2 * d / _BOX))
    hy = d / ny
    for iy in range(ny):
        s = _box_sup(f, (lo + hi) / 2, (hi - lo) / 2, -d + hy * (2 * iy + 1), hy, 3)
        if s is None:
            return None
        best = max(best, s)
    return arb(best.upper())


@cached(maxsize=256)
def _strip_columns(expr: sympy.Expr, x: sympy.Symbol, d: Fraction, n: int) -> tuple[arb, ...] | None:
    """sup |f| on the columns [j/4, (j+1)/4] x [-d, d] for -n <= j < n, or None."""
    f = acb_evaluator(expr, x)
    out = []
    with workprec(64):
        for j in range(-n, n):
            check_deadline()
            s = _column_sup(f, _BOX * j, _BOX * (j + 1), d)
            if s is None:
                return None
            out.append(s)
    return tuple(out)


@cached(maxsize=256)
def real_bound(expr: sympy.Expr, x: sympy.Symbol) -> Bound:
    r"""Constants with :math:`|f(x)| \le A + B|x|^k e^{\gamma|x|}` for every real x, proved.

    >>> x = sympy.Symbol("x", real=True)
    >>> A, B, k, g = real_bound(sympy.tanh(x), x)
    >>> bool(A <= 2), k, g
    (True, 0, Fraction(0, 1))
    """
    pcs = split(sympy.sympify(expr), x)
    inner = [float(b) for p in pcs for b in (p.lo, p.hi) if b.is_finite]
    R = max([_R, *(math.ceil(abs(b)) + 1 for b in inner)])
    right = growth_bound(pcs[-1].expr, x, R)
    left = growth_bound(pcs[0].expr.subs(x, -x), x, R)
    k, g = max(right.k, left.k), max(right.c, left.c)
    with workprec(64):
        B = arb(0)
        for gr in (right, left):  # t^kj e^{cj t} <= R^{kj-k} e^{(cj-c)R} t^k e^{ct} for t >= R
            B = max(B, gr.M * arb(R) ** (gr.k - k) * ((_frac(gr.c) - _frac(g)) * R).exp())
        A = arb(0)
        steps = 64
        for p in pcs:
            F = arb_evaluator(p.expr, x)
            plo = -R if p.lo == -sympy.oo else max(-R, float(p.lo))
            phi = R if p.hi == sympy.oo else min(R, float(p.hi))
            lo_b = arb(-R) if p.lo == -sympy.oo else as_ball(p.lo)
            hi_b = arb(R) if p.hi == sympy.oo else as_ball(p.hi)
            for i in range(math.floor(plo * steps), math.ceil(phi * steps)):
                a, b = max(arb(i) / steps, lo_b), min(arb(i + 1) / steps, hi_b)
                if not a <= b:
                    continue
                v = F(a.union(b))
                if not v.is_finite():
                    raise UnsupportedExpression(f"cannot bound {p.expr} near {i / steps}")
                A = max(A, abs(v).upper())
        return (arb(A.upper()), arb(B.upper()), k, g)


def strip_bound(expr: sympy.Expr, x: sympy.Symbol, W: float, k: int, g: Fraction,
                dmax: Fraction | None = None) -> tuple[Fraction, Bound] | None:
    r"""``(d, (A, B, k, g))`` with f holomorphic and :math:`|f(w)| \le A + B|\operatorname{Re} w|^k
    e^{g|\operatorname{Re} w|}` on :math:`|\operatorname{Re} w| \le W`, :math:`|\operatorname{Im} w| \le d`.

    The widest strip of the tried half-widths (at most ``dmax``) is returned; None when f is
    not holomorphic on any.

    >>> x = sympy.Symbol("x", real=True)
    >>> d, (A, B, k, g) = strip_bound(sympy.tanh(x), x, 10, 0, Fraction(0))
    >>> d, bool(A < 200)  # the poles of tanh are at +-i pi/2
    (Fraction(3, 2), True)
    """
    n = max(4, math.ceil(W / _BOX))
    for dv in _STRIPS:
        d = Fraction(dv).limit_denominator(64)
        if dmax is not None and d > dmax:
            continue
        cols = _strip_columns(expr, x, d, n)
        if cols is None:
            continue
        with workprec(64):
            A, B = arb(0), arb(0)
            for j, s in zip(range(-n, n), cols, strict=True):
                tmin = min(abs(_BOX * j), abs(_BOX * (j + 1))) if j != -1 and j != 0 else Fraction(0)
                if tmin < 1:
                    A = max(A, s)
                else:
                    t = _frac(tmin)
                    B = max(B, s / (t**k * (_frac(g) * t).exp()))
            return d, (arb(A.upper()), arb(B.upper()), k, g)
    return None


def merge_bounds(b1: Bound, b2: Bound) -> Bound:
    """One bound A + B|t|^k e^{g|t|} above both (|t|^j <= 1 + |t|^k for j <= k)."""
    k, g = max(b1[2], b2[2]), max(b1[3], b2[3])
    A, B = arb(0), arb(0)
    for a, b, kk, _ in (b1, b2):
        A = max(A, a + (b if kk < k else 0))
        B = max(B, b)
    return (arb(A.upper()), arb(B.upper()), k, g)


# -- the lattice sum ----------------------------------------------------------------------

def _fixed(b: arb, P: int) -> tuple[int, arb]:
    """An integer n with |b - n 2^-P| <= err (returned as an upper-bound ball)."""
    man, ex = b.mid().man_exp()
    man, ex = int(man), int(ex)
    sh = ex + P
    n = man << sh if sh >= 0 else man >> (-sh)
    return n, arb(b.rad().upper()) + arb(2) ** (-P)


def lattice_expectation(f: sympy.Expr, g: sympy.Expr, x: sympy.Symbol, q1: arb, q2: arb, c: arb, *,
                        dps: int) -> arb | None:
    r"""A ball containing :math:`E[f(u) g(v)]` (variances q1, q2, correlation c, :math:`|c| < 1`), or None.

    None when the method does not apply: f not holomorphic in a strip around the real line
    (pieces, kinks, ``Abs``), or no growth bound with polynomial-times-exponential form.

    >>> from symact.core.precision import workdps
    >>> x = sympy.Symbol("x", real=True)
    >>> with workdps(25):
    ...     one = flint.arb(1)
    ...     b = lattice_expectation(sympy.erf(x), sympy.erf(x), x, one, one, flint.arb(0.5), dps=20)
    >>> b.overlaps(2 / flint.arb.pi() * (flint.arb(1) / 3).asin()), b.rad() < 1e-20
    (True, True)
    """
    try:
        if len(split(sympy.sympify(f), x)) > 1 or len(split(sympy.sympify(g), x)) > 1:
            return None  # pieces: not holomorphic across the breakpoints
    except (UnsupportedExpression, ValueError, TypeError):
        return None
    if c.rad() > 0:
        # the weights are sensitive to the radius of c, the sum is not: evaluate at the midpoint
        # and widen by |dK/dc| <= sqrt(q1 q2 E[f'(u)^2] E[g'(v)^2]) (Price, Cauchy-Schwarz)
        c0 = arb(c.mid())
        if not (c0 < 1 and c0 > -1):
            return None
        r = lattice_expectation(f, g, x, q1, q2, c0, dps=dps)
        if r is None:
            return None
        try:
            with workprec(64):
                ef = gaussian_expectation(sympy.diff(f, x) ** 2, q1, x=x, dps=10, goal=6)
                eg = ef if f == g and q1 is q2 else gaussian_expectation(sympy.diff(g, x) ** 2, q2, x=x,
                                                                        dps=10, goal=6)
                lip = (q1 * q2 * ef * eg).sqrt()
        except (UnsupportedExpression, CertificationError):
            return None
        if not lip.is_finite():
            return None
        return r + arb(0, (lip * c.rad()).upper())
    # one table (and the j -> -j symmetry) when both factors are the same function of the same ball
    same = f == g and q1.mid() == q2.mid() and q1.rad() == q2.rad()
    try:
        rb = real_bound(f, x) if f == g else merge_bounds(real_bound(f, x), real_bound(g, x))
    except UnsupportedExpression:
        return None
    _, _, k, gr = rb
    goal = arb(10) ** (-(dps + 3))
    L = (dps + 3) * math.log(10)
    sq = arb(max(q1, q2).upper()).sqrt()  # for the bounds: |Re u|, |Re v| <= sq (alpha|z1| + beta|z2|)
    alpha, beta = ((1 + c) / 2).sqrt(), ((1 - c) / 2).sqrt()
    fa, fb, fs = float(alpha.mid()), float(beta.mid()), float(sq.mid())
    # real tail: grow X until the mass outside the box is below goal/4
    Xt = 4.0
    while True:
        Xb = arb(Xt)
        tail = product_moment(rb, sq * alpha, sq * beta, tail_measure(Xb), full_measure) + \
            product_moment(rb, sq * alpha, sq * beta, full_measure, tail_measure(Xb))
        if tail < goal / 4 or Xt > 80:
            break
        Xt += 1.0
    if not tail < goal / 4:
        return None
    a_opt = math.sqrt(2 * (L + 5))
    W = fs * (fa + fb) * (math.sqrt(Xt**2 + 2 * (L + 10) + a_opt**2) + 5) + 1
    try:
        sb = strip_bound(f, x, W, k, gr)
        sg = strip_bound(g, x, W, k, gr, dmax=sb[0]) if sb is not None and f != g else None
    except UnsupportedExpression:
        return None
    if sb is None:
        return None
    d, ps = sb
    if f != g:
        if sg is None:
            return None
        if sg[0] < d:
            d, ps = sg[0], strip_bound(f, x, W, k, gr, dmax=sg[0])[1]
        ps = merge_bounds(ps, sg[1])
    df = float(d)
    a1f = min(df / (fs * fa) * 0.999, a_opt)
    a2f = min(df / (fs * fb) * 0.999, a_opt)
    X1f = max(Xt, math.sqrt(a1f**2 + 2 * (L + 10)))
    X2f = max(Xt, math.sqrt(a2f**2 + 2 * (L + 10)))
    a1, a2 = arb(a1f), arb(a2f)
    # step 1 (z1 direction)
    M1 = (a1 * a1 / 2).exp() * product_moment(ps, sq * alpha, sq * beta, full_measure, full_measure)
    h1f = 2 * math.pi * a1f / math.log1p(16 * float(M1.upper()) / float(goal.upper()))
    h1 = arb(math.floor(h1f * 4096) / 4096)
    two_pi = 2 * arb.pi()
    e1 = (a1 * a1 / 2).exp()
    for _ in range(40):  # the vertical sides of the rectangle: grow X1 until they are negligible
        K1 = math.ceil(X1f / float(h1.mid()) - 0.5)
        X1 = (K1 + arb(0.5)) * h1
        side1 = 2 * a1 * e1 * (-(X1 * X1) / 2).exp() / two_pi.sqrt() * \
            product_moment(ps, sq * alpha, sq * beta, _point(X1), full_measure)
        if side1 < goal / 16:
            break
        X1f += 0.5
    disc = _discrete(h1, K1)
    M2 = (a2 * a2 / 2).exp() * product_moment(ps, sq * alpha, sq * beta, disc, full_measure)
    h2maxf = 2 * math.pi * a2f / math.log1p(16 * float(M2.upper()) / float(goal.upper()))
    ah1 = alpha * h1
    if float(ah1.mid()) >= fb * h2maxf:
        k1, k2 = math.ceil(float(ah1.mid()) / (fb * h2maxf) * (1 + 1e-12)), 1
    else:
        k1, k2 = 1, max(1, math.floor(fb * h2maxf / float(ah1.mid()) * (1 - 1e-12)))
    delta = ah1 / k1
    h2 = k2 * delta / beta
    e2 = (a2 * a2 / 2).exp()
    for _ in range(40):
        K2 = math.ceil(X2f / float(h2.mid()) - 0.5)
        X2 = (K2 + arb(0.5)) * h2
        side2 = 2 * a2 * e2 * (-(X2 * X2) / 2).exp() / two_pi.sqrt() * \
            product_moment(ps, sq * alpha, sq * beta, disc, _point(X2))
        if side2 < goal / 16:
            break
        X2f += 0.5
    if fs * (fa * float(X1.mid()) + fb * float(X2.mid())) > W:
        return None  # the strip bound does not reach that far
    err1 = 2 * M1 / ((two_pi * a1 / h1).exp() - 1) + side1
    err2 = 2 * M2 / ((two_pi * a2 / h2).exp() - 1) + side2
    tail = product_moment(rb, sq * alpha, sq * beta, tail_measure(X1), full_measure) + \
        product_moment(rb, sq * alpha, sq * beta, full_measure, tail_measure(X2))
    # the lattice values and the fixed-point double sum
    mmax = k1 * K1 + k2 * K2
    P = int((dps + 12) * 3.33) + 2 * max(mmax, 1).bit_length() + 16
    rA, amax = arb(0), arb(0)
    tables: list[list[int]] = []
    radii: list[list[int]] = []
    for expr, qq in ((f, q1), (g, q2)) if not same else ((f, q1),):
        F = arb_evaluator(expr, x)
        step = qq.sqrt() * delta
        vals, rads = [], []
        for m in range(-mmax, mmax + 1):
            if m % 64 == 0:
                check_deadline()
            v = F(step * m)
            if not v.is_finite():
                return None
            n, e = _fixed(v, P)
            vals.append(n)
            rads.append(int((e * arb(2) ** P).upper().floor().unique_fmpz()) + 1)
            rA = max(rA, e)
            amax = max(amax, abs(v).upper())
        tables.append(vals)
        radii.append(rads)
    vf, vg = tables[0], tables[-1]
    Rf, Rg = radii[0], radii[-1]
    W1, r1 = [], arb(0)
    norm = 1 / two_pi.sqrt()
    for i in range(-K1, K1 + 1):
        n, e = _fixed(h1 * norm * (-(i * h1) ** 2 / 2).exp(), P)
        W1.append(n)
        r1 = max(r1, e)
    W2, r2 = [], arb(0)
    jlo = 0 if same else -K2  # same f, q: the summand is symmetric in j -> -j
    for j in range(jlo, K2 + 1):
        n, e = _fixed((2 if same and j else 1) * h2 * norm * (-(j * h2) ** 2 / 2).exp(), P)
        W2.append(n)
        r2 = max(r2, e)
    total = 0
    mul = operator.mul
    for idx, i in enumerate(range(-K1, K1 + 1)):
        base = mmax + k1 * i  # vf[base + k2 j] = f(u_ij), vg[base - k2 j] = g(v_ij)
        up = vf[base + k2 * jlo: base + k2 * K2 + 1: k2]
        end = base - k2 * K2 - 1
        down = vg[base - k2 * jlo: end if end >= 0 else None: -k2]
        total += W1[idx] * sum(map(mul, map(mul, W2, up), down))
    S = arb((total, -4 * P))
    sumW1 = arb(sum(abs(w) for w in W1)) * arb(2) ** (-P) + (2 * K1 + 1) * r1
    sumW2 = arb(sum(abs(w) for w in W2)) * arb(2) ** (-P) + len(W2) * r2
    BA = amax + rA
    # |prod of perturbed - prod| <= |dW1 W2 + W1 dW2| |a||b| + |W1 W2| (Ra |b| + |a| Rb + Ra Rb)
    rounding = (r1 * (2 * K1 + 1) * sumW2 + sumW1 * r2 * len(W2)) * BA * BA
    part_a = sumW1 * sumW2 * (2 * BA * rA + rA * rA)
    if not part_a < goal / 8:  # the crude bound is too weak (an inexact q): sum the radii exactly
        w1p = [abs(w) + int((r1 * arb(2) ** P).upper().floor().unique_fmpz()) + 1 for w in W1]
        w2p = [abs(w) + int((r2 * arb(2) ** P).upper().floor().unique_fmpz()) + 1 for w in W2]
        Af = [abs(v) for v in vf]
        Bg = [abs(v) + r for v, r in zip(vg, Rg, strict=True)]
        acc = 0
        for idx, i in enumerate(range(-K1, K1 + 1)):
            base = mmax + k1 * i
            sl_up = slice(base + k2 * jlo, base + k2 * K2 + 1, k2)
            end = base - k2 * K2 - 1
            sl_dn = slice(base - k2 * jlo, end if end >= 0 else None, -k2)
            ra, aa, bb, rb_ = Rf[sl_up], Af[sl_up], Bg[sl_dn], Rg[sl_dn]
            t = sum(map(mul, w2p, map(operator.add, map(mul, ra, bb), map(mul, map(operator.add, aa, ra), rb_))))
            acc += w1p[idx] * t
        part_a = arb((acc, -4 * P))
    rounding += part_a
    err = err1 + err2 + tail + rounding
    if not err.is_finite() or not err < goal * 10:
        return None
    return S + arb(0, err.upper())
