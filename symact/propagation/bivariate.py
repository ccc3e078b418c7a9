r"""Certified Gaussian expectations in one and two variables, in Arb ball arithmetic.

:func:`gauss1` encloses :math:`E[\prod_i f_i(\sigma z)]` for :math:`z \sim N(0, 1)`;
:func:`gauss2` encloses :math:`E[f(u)\, g(v)]` for a centred Gaussian pair with
:math:`\operatorname{Var} u = q_1`, :math:`\operatorname{Var} v = q_2`,
:math:`\operatorname{Cov}(u, v) = c\sqrt{q_1 q_2}`.

Method.  The pair is written :math:`u = \sqrt{q_1} z_1`,
:math:`v = \sqrt{q_2}(c z_1 + \sqrt{1-c^2} z_2)` with independent standard
normals, and the expectation is the nested integral

.. math:: \int_{-T}^{T} f(\sqrt{q_1} z_1)\, \varphi(z_1)
          \int_{-T}^{T} g(\sqrt{q_2}(c z_1 + s z_2))\, \varphi(z_2)\, dz_2\, dz_1

computed with python-flint's rigorous Gauss--Legendre integrator
``acb.integral`` (Johansson 2018) on each analytic piece (the kinks of ``f``
and ``g`` split the ranges; the inner split points depend on :math:`z_1`, and
their exits from :math:`[-T, T]` split the outer range), plus a proved bound on
the mass outside the box: from growth bounds :math:`|f(x)| \le A + B|x|^k`
valid for every real ``x`` (proved in interval arithmetic on a grid of balls
and, beyond it, on half-infinite intervals) and the Gaussian tail moments
:math:`E[|z|^j; |z| > T] = T^{j-1} 2\varphi(T) + (j-1) E[|z|^{j-2}; |z|>T]`.
The inner integral is evaluated for complex :math:`z_1` when the outer
integrator bounds its integrand on a complex ball; every piece is analytic
there, so the nesting is rigorous.

References
----------
.. [1] F. Johansson, "Numerical integration in arbitrary-precision ball arithmetic",
   ICMS 2018, LNCS 10931, pp. 255-263.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from typing import Any

import flint
import mpmath
import sympy
from flint import acb, arb

from ..core.cache import cached
from ..core.errors import CertificationError, UnsupportedExpression
from ..expressions.pieces import split
from ..numerics.arb import XInterval, xenclose

__all__ = ["Growth", "ball_eval", "ball_function", "gauss1", "gauss2", "growth_bound", "tail_moments"]

_METHODS: dict[Any, str] = {
    sympy.exp: "exp", sympy.tanh: "tanh", sympy.sinh: "sinh", sympy.cosh: "cosh",
    sympy.sin: "sin", sympy.cos: "cos", sympy.tan: "tan", sympy.atan: "atan",
    sympy.erf: "erf", sympy.erfc: "erfc", sympy.asinh: "asinh", sympy.sech: "sech",
    sympy.coth: "coth", sympy.asin: "asin", sympy.acos: "acos",
}
_BRANCHED: dict[Any, str] = {sympy.log: "log", sympy.LambertW: "lambertw"}

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
        return _compile(e, sympy.Dummy())(arb(0), False)
    raise UnsupportedExpression(f"not a number: {e}")


def _compile(e: sympy.Expr, x: sympy.Symbol) -> Fn:
    if e == x:
        return lambda v, an: v
    if e.is_number and not e.has(sympy.I) and (e.is_Rational or e.is_Float or e in (sympy.pi, sympy.E)):
        c = _num(e)
        return lambda v, an: c
    if e.is_Add or e.is_Mul:
        parts = [_compile(a, x) for a in e.args]
        add = e.is_Add

        def op(v: Any, an: bool) -> Any:
            s = parts[0](v, an)
            for p in parts[1:]:
                s = s + p(v, an) if add else s * p(v, an)
            return s

        return op
    if e.is_Pow:
        base, ex = e.args
        b = _compile(base, x)
        if ex.is_Integer:
            n = int(ex)
            return (lambda v, an: b(v, an) ** n) if n >= 0 else (lambda v, an: 1 / b(v, an) ** (-n))
        if ex == sympy.S.Half:
            return lambda v, an: _sqrt(b(v, an), an)
        ev = _compile(ex, x)
        return lambda v, an: (ev(v, an) * _log(b(v, an), an)).exp()
    if isinstance(e, sympy.Function) and len(e.args) == 1:
        inner = _compile(e.args[0], x)
        if type(e) in _METHODS:
            name = _METHODS[type(e)]
            return lambda v, an: getattr(inner(v, an), name)()
        if type(e) is sympy.log:
            return lambda v, an: _log(inner(v, an), an)
    raise UnsupportedExpression(f"cannot evaluate {e} in complex ball arithmetic")


def _sqrt(w: Any, an: bool) -> Any:
    return w.sqrt(analytic=an) if isinstance(w, acb) else w.sqrt()


def _log(w: Any, an: bool) -> Any:
    return w.log(analytic=an) if isinstance(w, acb) else w.log()


@cached(maxsize=512)
def ball_function(expr: sympy.Expr, x: sympy.Symbol) -> Fn:
    """Compile an analytic SymPy expression into ``F(ball, analytic)`` for arb and acb balls.

    Functions with branch cuts (``log``, non-integer powers) honour the ``analytic``
    flag of ``acb.integral``: they return a non-finite ball on a cut.

    >>> import sympy
    >>> x = sympy.Symbol("x")
    >>> f = ball_function(sympy.log(1 + sympy.exp(x)), x)
    >>> f(flint.arb(0), False).overlaps(flint.arb(2).log())
    True
    """
    return _compile(sympy.sympify(expr), x)


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
        return _num(e) if not isinstance(e, sympy.Function) else _compile(e, sympy.Dummy())(arb(0), False)
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


# -- growth bounds -----------------------------------------------------------------------

Growth = tuple[arb, arb, int]  # |f(x)| <= A + B |x|**k for every real x


def _tail_growth(e: sympy.Expr, x: sympy.Symbol, side: int, R: int) -> Growth | None:
    if side > 0:
        xi = XInterval(mpmath.mpf(R)._mpf_, mpmath.libmp.finf)
    else:
        xi = XInterval(mpmath.libmp.fninf, mpmath.mpf(-R)._mpf_)

    def bound(h: sympy.Expr) -> arb | None:
        try:
            r = xenclose(h, x, xi)
        except (UnsupportedExpression, ValueError, TypeError, ZeroDivisionError):
            return None
        if not r.finite():
            return None
        b = r.to_ball()
        return abs(b).upper() if b.is_finite() else None

    m = bound(e)
    if m is not None:
        return (m, arb(0), 0)
    num, den = sympy.fraction(sympy.together(e))
    for p in (1, 2, 3):  # divide numerator and denominator by exp(p x) on the +side (exp(-p x) on -)
        u = sympy.exp(-side * p * x)
        h = sympy.expand(num * u) / sympy.expand(den * u)
        m = bound(h)
        if m is not None:
            return (m, arb(0), 0)
    # log(... exp(+-x) ...) = +-x + log(... * exp(-+x)): peel the linear growth off logs
    peeled = e.replace(
        lambda t: isinstance(t, sympy.log) and t.args[0].has(sympy.exp(side * x)),
        lambda t: side * x + sympy.log(sympy.expand(t.args[0] * sympy.exp(-side * x))),
    )
    for k in (1, 2, 3):
        for h in (e / x**k, sympy.expand(peeled / x**k), sympy.cancel(e / x**k)):
            m = bound(h)
            if m is not None:
                return (arb(0), m, k)
    m = bound(sympy.diff(e, x))  # Lipschitz: |f(x)| <= |f(+-R)| + L |x|
    if m is not None:
        f0 = abs(ball_function(e, x)(arb(side * R), False)).upper()
        return (f0, m, 1)
    return None


@cached(maxsize=512)
def growth_bound(expr: sympy.Expr, x: sympy.Symbol, R: int = 8) -> Growth:
    r"""Constants with :math:`|f(x)| \le A + B|x|^k` for every real ``x``, proved in Arb.

    >>> import sympy
    >>> x = sympy.Symbol("x", real=True)
    >>> A, B, k = growth_bound(x / (1 + sympy.exp(-x)), x)
    >>> k, bool(B < 2)
    (1, True)
    """
    pieces = split(sympy.sympify(expr), x)
    A, B, K = arb(0), arb(0), 0
    with flint.ctx.workprec(64):
        for p in pieces:
            lo = -R if p.lo == -sympy.oo else max(-R, int(sympy.floor(p.lo)))
            hi = R if p.hi == sympy.oo else min(R, int(sympy.ceiling(p.hi)))
            f = ball_function(p.expr, x)
            steps = 64
            for i in range(steps * (hi - lo)):
                a = arb(lo) + arb(i) / steps
                b = a + arb(1) / steps
                if (p.lo != -sympy.oo and b <= _num(p.lo)) or (p.hi != sympy.oo and a >= _num(p.hi)):
                    continue
                v = f(arb.union(a, b), False)
                if not v.is_finite():
                    raise CertificationError(f"cannot bound {p.expr} near {a.mid()}")
                A = arb.union(A, abs(v).upper()).upper()
            for side, end in ((1, p.hi), (-1, p.lo)):
                if end in (sympy.oo, -sympy.oo):
                    g = _tail_growth(p.expr, x, side, R)
                    if g is None:
                        raise CertificationError(
                            f"no growth bound |f| <= A + B|x|^k proved for {p.expr} at "
                            f"{'+' if side > 0 else '-'}infinity"
                        )
                    A = arb.union(A, g[0]).upper()
                    if g[2] > K:
                        B, K = g[1], g[2]
                    elif g[2] == K:
                        B = arb.union(B, g[1]).upper()
    if K == 0:
        A, B = A + B, arb(0)
    return (A, B, K)


def tail_moments(T: arb, jmax: int) -> tuple[list[arb], list[arb]]:
    r"""``(m, t)``: :math:`m_j = E|z|^j` and :math:`t_j = E[|z|^j; |z| > T]` for j <= jmax.

    >>> m, t = tail_moments(flint.arb(2), 2)
    >>> [round(float(v.mid()), 12) for v in m], round(float(t[0].mid()), 6)
    ([1.0, 0.797884560803, 1.0], 0.0455)
    """
    phi = (-(T * T) / 2).exp() / (2 * arb.pi()).sqrt()
    t = [(T / arb(2).sqrt()).erfc(), 2 * phi]
    m = [arb(1), (2 / arb.pi()).sqrt()]
    for j in range(2, jmax + 1):
        t.append(T ** (j - 1) * 2 * phi + (j - 1) * t[j - 2])
        m.append((j - 1) * m[j - 2])
    return m[: jmax + 1], t[: jmax + 1]


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


def _choose_T(growths: Sequence[Growth], scale: Sequence[arb], dps: int) -> tuple[arb, arb]:
    """Half-width T and a rigorous bound on the product's expectation outside [-T, T]."""
    goal = arb(10) ** (-(dps + 4))
    T = 6
    while True:
        # |prod f_i(s_i z)| <= prod (A_i + B_i s_i^k_i |z|^k_i): a polynomial in |z|
        poly = {0: arb(1)}
        for (A, B, k), s in zip(growths, scale, strict=True):
            new: dict[int, arb] = {}
            for j, cj in poly.items():
                new[j] = new.get(j, arb(0)) + cj * A
                if k:
                    new[j + k] = new.get(j + k, arb(0)) + cj * B * s**k
            poly = new
        _, t = tail_moments(arb(T), max(poly))
        tail = sum((cj * t[j] for j, cj in poly.items()), arb(0))
        if tail < goal or T > 60:
            return arb(T), tail
        T += 1


def gauss1(terms: Sequence[tuple[sympy.Expr, arb]], x: sympy.Symbol, *, dps: int) -> arb:
    r"""Enclose :math:`E[\prod_i f_i(s_i z)]`, z standard normal, for ``terms = [(f_i, s_i)]``.

    Call inside :func:`symact.core.precision.workdps`; each ``s_i`` is a nonzero Arb ball.

    >>> import sympy
    >>> from symact.core.precision import workdps
    >>> x = sympy.Symbol("x", real=True)
    >>> d = sympy.tanh(x).diff(x)
    >>> with workdps(30):
    ...     r = gauss1([(d, flint.arb(1)), (d, flint.arb(1))], x, dps=30)
    >>> r.overlaps(flint.arb("0.464402902448268241972021461115654"))
    True
    """
    exprs = [sympy.sympify(e) for e, _ in terms]
    scales = [s if isinstance(s, arb) else arb(s) for _, s in terms]
    growths = [growth_bound(e, x) for e in exprs]
    T, tail = _choose_T(growths, [abs(s) for s in scales], dps)
    cuts = sorted({_num(b) / s for e, s in zip(exprs, scales, strict=True)
                   for b in _breaks((e,), x)}, key=lambda v: float(v.mid()))
    ends = [-T, *[c for c in cuts if -T < c < T], T]
    total = arb(0)
    for a, b in itertools.pairwise(ends):
        zm = float(((a + b) / 2).mid())
        fs = [(ball_function(_piece_at(e, x, zm * float(s.mid())), x), s)
              for e, s in zip(exprs, scales, strict=True)]

        def integrand(z: acb, an: bool, fs: list = fs) -> acb:
            r = _gauss_weight(z)
            for f, s in fs:
                r = r * f(z * s, an)
            return r

        total += _real(acb.integral(integrand, a, b))
    return total / (2 * arb.pi()).sqrt() + arb(0, tail.upper())


def gauss2(
    f: sympy.Expr, g: sympy.Expr, x: sympy.Symbol, q1: arb, q2: arb, c: arb, *, dps: int
) -> arb:
    r"""Enclose :math:`E[f(u) g(v)]` for the Gaussian pair described in the module notes.

    >>> import sympy
    >>> from symact.core.precision import workdps
    >>> x = sympy.Symbol("x", real=True)
    >>> with workdps(20):
    ...     r = gauss2(sympy.erf(x), sympy.erf(x), x, flint.arb(1), flint.arb(1), flint.arb(0.5), dps=20)
    >>> r.overlaps(2 / flint.arb.pi() * (flint.arb(1) / 3).asin())
    True
    """
    f, g = sympy.sympify(f), sympy.sympify(g)
    a, b = q1.sqrt(), q2.sqrt()
    if c == 1 or c == -1:
        return gauss1([(f, a), (g, b if c == 1 else -b)], x, dps=dps)
    if c == 0:
        return gauss1([(f, a)], x, dps=dps) * gauss1([(g, b)], x, dps=dps)
    return _gauss2_box(f, g, x, q1, q2, c, dps)


def _gauss2_box(f: sympy.Expr, g: sympy.Expr, x: sympy.Symbol, q1: arb, q2: arb, c: arb,
                dps: int) -> arb:
    a, b = q1.sqrt(), q2.sqrt()
    s = (1 - c * c).sqrt()
    (Af, Bf, kf), (Ag, Bg, kg) = growth_bound(f, x), growth_bound(g, x)
    goal = arb(10) ** (-(dps + 4))
    T = 6
    while True:  # P(|z1|,|z2|) >= |f(u) g(v)|; |v| <= b(|z1| + |z2|)
        m, t = tail_moments(arb(T), 2 * max(kf, kg, 1))
        # bound E[(Af + Bf a^kf |z1|^kf)(Ag + Bg b^kg 2^(kg-1)(|z1|^kg + |z2|^kg)) ; outside box]
        two = arb(2) ** max(kg - 1, 0)
        terms = [(Af * Ag, 0, 0)]
        if kg:
            terms += [(Af * Bg * b**kg * two, 0, kg), (Af * Bg * b**kg * two, kg, 0)]
        if kf:
            terms += [(Bf * a**kf * Ag, kf, 0)]
            if kg:
                terms += [(Bf * a**kf * Bg * b**kg * two, kf + kg, 0),
                          (Bf * a**kf * Bg * b**kg * two, kf, kg)]
        tail = sum((w * (t[i] * m[j] + m[i] * t[j]) for w, i, j in terms), arb(0))
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
    gfun = [ball_function(p.expr, x) for p in gpieces]
    for lo, hi in itertools.pairwise(ends):
        zmid = (lo + hi) / 2
        ff = ball_function(_piece_at(f, x, float((zmid * a).mid())), x)
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
                        mid, rr = u0 + du * (j + arb(0.5)), (abs(du) / 2).upper()
                        tb = acb(mid.real + arb(0, rr), mid.imag + arb(0, rr))
                        r = arb(0, (abs(h(tb, True)) * abs(du)).upper())
                        acc += acb(r, r)
                        if not acc.is_finite():
                            return acc
                else:
                    acc += acb.integral(h, u0, u1)
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
                errors.append(exc)
                return acb("nan")

        val = acb.integral(outer, lo, hi, use_heap=True)
        if not val.is_finite() and errors:
            raise CertificationError(f"2-D integral not enclosed: {errors[0]!r}") from errors[0]
        total += _real(val)
    return total / (2 * arb.pi()) + arb(0, tail.upper())
