r"""Translation of SymPy expressions to Arb ball arithmetic, and extended-real intervals.

Two evaluators live here, both rigorous:

* :func:`arb_evaluator` compiles a SymPy expression in one real variable into a Python
  closure over :class:`flint.arb` balls.  Every operation is Arb's, so the ball returned
  for an input ball contains the image of every point of the input ball (the
  *inclusion property*).  Precision is whatever ``flint.ctx.prec`` is at call time;
  callers set it with ``symact.core.precision.workprec``.  A SymPy ``Float`` in the
  expression is taken as its exact binary value, so no caller may let SymPy *produce* one
  by folding (``exp(a*x + b).subs`` with Float ``b`` gives a rounded Float coefficient for
  :math:`e^b`): pass numbers that are not exact as balls into the compiled function, or
  substitute exact ``Rational`` values.
* :class:`XInterval` and :func:`xenclose` evaluate an expression on an interval with
  possibly infinite ends, such as :math:`[R, \infty]`, which Arb balls cannot represent.
  Ends are mpmath raw floats rounded outward (``libmp`` with floor/ceiling rounding);
  an elementary function is applied to a half-infinite interval through its
  monotonicity and its exact limit at infinity (for example
  :math:`\tanh([a, \infty]) = [\tanh(a), 1]`), and to a finite interval through Arb.

References
----------
.. [1] F. Johansson, "Arb: efficient arbitrary-precision midpoint-radius interval
   arithmetic", IEEE Transactions on Computers 66(8), 2017.
.. [2] R. E. Moore, R. B. Kearfott, M. J. Cloud, *Introduction to Interval Analysis*,
   SIAM, 2009, ch. 4-5 (interval extensions and the inclusion property).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import flint  # noqa: F401 - the doctests use it
import mpmath
import sympy
from flint import arb
from mpmath import libmp

from ..core.errors import UnsupportedExpression
from ..core.precision import workprec

__all__ = [
    "XInterval",
    "erfcx",
    "arb_evaluator",
    "arb_from_raw",
    "ball",
    "raw_bounds",
    "supported_functions",
    "to_mpf",
    "xenclose",
]

_FINF, _FNINF, _FZERO, _FNAN = libmp.finf, libmp.fninf, libmp.fzero, libmp.fnan

class erfcx(sympy.Function):  # named like scipy.special.erfcx
    r"""The scaled complementary error function :math:`e^{u^2}\operatorname{erfc}(u)`.

    Used by tail proofs: :math:`e^{u^2}\operatorname{erfc}(u)` is positive, decreasing on
    the reals and tends to 0 at :math:`+\infty`, so a Gaussian tail such as
    :math:`e^{x^2/2}(1 - \operatorname{erf}(x/\sqrt2))` stays bounded in interval
    arithmetic instead of becoming :math:`\infty \cdot 0`.

    >>> u = sympy.Symbol("u", real=True)
    >>> erfcx(u).rewrite(sympy.erfc)
    exp(u**2)*erfc(u)
    """

    nargs = 1

    def _eval_rewrite_as_erfc(self, u: sympy.Expr, **kwargs: Any) -> sympy.Expr:
        return sympy.exp(u**2) * sympy.erfc(u)

    def fdiff(self, argindex: int = 1) -> sympy.Expr:
        u = self.args[0]
        return 2 * u * erfcx(u) - 2 / sympy.sqrt(sympy.pi)


def _arb_erfcx(a: arb) -> arb:
    return (a * a).exp() * a.erfc()


# SymPy function class -> Arb method.
_ARB_FUNCS: dict[Any, Callable[[arb], arb]] = {
    sympy.exp: arb.exp,
    sympy.log: arb.log,
    sympy.tanh: arb.tanh,
    sympy.sinh: arb.sinh,
    sympy.cosh: arb.cosh,
    sympy.sech: arb.sech,
    sympy.csch: arb.csch,
    sympy.coth: arb.coth,
    sympy.asinh: arb.asinh,
    sympy.acosh: arb.acosh,
    sympy.atanh: arb.atanh,
    sympy.atan: arb.atan,
    sympy.asin: arb.asin,
    sympy.acos: arb.acos,
    sympy.sin: arb.sin,
    sympy.cos: arb.cos,
    sympy.tan: arb.tan,
    sympy.sec: arb.sec,
    sympy.csc: arb.csc,
    sympy.cot: arb.cot,
    sympy.erf: arb.erf,
    sympy.erfc: arb.erfc,
    sympy.LambertW: arb.lambertw,
    sympy.Abs: lambda a: abs(a),
    erfcx: _arb_erfcx,
}

_CONSTANTS: dict[Any, Callable[[], arb]] = {
    sympy.pi: arb.pi,
    sympy.E: lambda: arb(1).exp(),
    sympy.EulerGamma: arb.const_euler,
    sympy.Catalan: arb.const_catalan,
    sympy.GoldenRatio: lambda: (arb(5).sqrt() + 1) / 2,
}


def supported_functions() -> tuple[str, ...]:
    """Names of the SymPy functions that :func:`arb_evaluator` translates.

    >>> "erf" in supported_functions() and "LambertW" in supported_functions()
    True
    """
    return tuple(sorted(f.__name__ for f in _ARB_FUNCS))


def _exact_arb(value: sympy.Expr) -> arb:
    # Exact binary value of a SymPy Float.
    sign, man, exp, _ = value._mpf_
    return arb(((-1) ** sign * man, exp)) if man else arb(0)


def _compile(e: sympy.Expr, x: sympy.Symbol) -> Callable[[arb], arb]:
    if e == x:
        return lambda v: v
    if e.is_Integer:
        n = int(e)
        return lambda v: arb(n)
    if e.is_Rational:
        p, q = int(e.p), int(e.q)
        return lambda v: arb(p) / q
    if e.is_Float:
        c = _exact_arb(e)
        return lambda v: c
    if e in _CONSTANTS:
        make = _CONSTANTS[e]
        return lambda v: make()
    if e.is_Add:
        parts = [_compile(a, x) for a in e.args]
        first, rest = parts[0], parts[1:]

        def add(v: arb) -> arb:
            s = first(v)
            for p in rest:
                s = s + p(v)
            return s

        return add
    if e.is_Mul:
        parts = [_compile(a, x) for a in e.args]
        first, rest = parts[0], parts[1:]

        def mul(v: arb) -> arb:
            s = first(v)
            for p in rest:
                s = s * p(v)
            return s

        return mul
    if e.is_Pow:
        base, ex = e.args
        b = _compile(base, x)
        if ex.is_Integer:
            n = int(ex)
            if n == -1:
                return lambda v: 1 / b(v)
            if n < 0:
                return lambda v: 1 / b(v) ** (-n)
            return lambda v: b(v) ** n
        if ex == sympy.S.Half:
            return lambda v: b(v).sqrt()
        if ex == -sympy.S.Half:
            return lambda v: b(v).rsqrt()
        if ex.is_Rational and ex.q == 2:
            p = int(ex.p)
            return lambda v: b(v).sqrt() ** p
        ev = _compile(ex, x)
        # Real powers with non-integer exponent: defined for positive base (principal branch);
        # Arb returns NaN otherwise, which callers treat as "not enclosed".
        return lambda v: b(v) ** ev(v)
    if isinstance(e, sympy.Function):
        func = type(e)
        if func is sympy.LambertW and len(e.args) == 2 and e.args[1] != 0:
            raise UnsupportedExpression(
                f"LambertW branch {e.args[1]} is not supported; only the principal branch k=0"
            )
        if func not in _ARB_FUNCS:
            raise UnsupportedExpression(
                f"function {func.__name__!r} has no certified (Arb) evaluation; supported: "
                + ", ".join(supported_functions())
            )
        g, inner = _ARB_FUNCS[func], _compile(e.args[0], x)
        return lambda v: g(inner(v))
    if e.is_Symbol:
        raise UnsupportedExpression(
            f"free symbol {e} besides {x}: substitute numeric values for parameters first"
        )
    raise UnsupportedExpression(
        f"cannot evaluate {e!r} ({type(e).__name__}) in real ball arithmetic; "
        "expected +, *, powers, numbers and the functions " + ", ".join(supported_functions())
    )


def arb_evaluator(expr: sympy.Expr, x: sympy.Symbol) -> Callable[[arb], arb]:
    r"""Compile a SymPy expression in ``x`` into a function of an Arb ball.

    Parameters
    ----------
    expr : sympy.Expr
        Built from numbers, ``x``, ``+``, ``*``, powers and the functions listed by
        :func:`supported_functions`.
    x : sympy.Symbol
        The variable.

    Returns
    -------
    callable
        ``F(ball) -> ball`` with the inclusion property: for every real :math:`t` in the
        input ball, :math:`f(t)` lies in the output ball.  Precision is the current
        ``flint.ctx.prec``.  A result that is NaN or infinite means "not enclosed".

    Raises
    ------
    UnsupportedExpression
        For functions without an Arb counterpart, or other free symbols.

    References
    ----------
    .. [1] F. Johansson, "Arb: efficient arbitrary-precision midpoint-radius interval
       arithmetic", IEEE Transactions on Computers 66(8), 2017.

    Examples
    --------
    >>> import sympy, flint
    >>> x = sympy.Symbol("x", real=True)
    >>> f = arb_evaluator(x * sympy.exp(-x**2), x)
    >>> f(flint.arb(1)).overlaps(flint.arb(1).exp() ** -1)
    True
    >>> arb_evaluator(sympy.gamma(x), x)
    Traceback (most recent call last):
    ...
    symact.core.errors.UnsupportedExpression: function 'gamma' has no certified (Arb) evaluation; ...
    """
    return _compile(sympy.sympify(expr), x)


# ---------------------------------------------------------------------------------------
# Conversions between Arb balls and mpmath raw floats / mpf.


def _raw_of_exact(a: arb) -> tuple:
    man, exp = a.man_exp()
    return libmp.from_man_exp(int(man), int(exp))


def raw_bounds(b: arb) -> tuple[tuple, tuple]:
    """Exact lower and upper ends of a ball as mpmath raw floats (infinite if not finite).

    >>> lo, hi = raw_bounds(flint.arb(3))
    >>> lo == hi == mpmath.mpf(3)._mpf_
    True
    """
    if not b.is_finite():
        return _FNINF, _FINF
    return _raw_of_exact(b.lower()), _raw_of_exact(b.upper())


def arb_from_raw(r: tuple) -> arb:
    """The exact Arb value of a finite mpmath raw float.

    >>> arb_from_raw(mpmath.mpf(0.75)._mpf_)
    0.750000000000000
    """
    sign, man, exp, _ = r
    if not man:
        if r != _FZERO:
            raise ValueError("infinite or NaN value has no exact Arb ball")
        return arb(0)
    return arb(((-1) ** sign * man, exp))


def ball(lo: arb, hi: arb) -> arb:
    """Smallest-ish ball containing the exact points ``lo`` and ``hi``.

    >>> ball(flint.arb(1), flint.arb(3)).contains(flint.arb(2))
    True
    """
    return lo.union(hi)


def to_mpf(b: arb, end: Literal["lower", "upper"], prec: int) -> mpmath.mpf:
    """Lower (``end='lower'``) or upper (``end='upper'``) end of a ball as an mpf of ``prec`` bits, rounded outward.

    >>> to_mpf(flint.arb(1) / 3, "lower", 20) < mpmath.mpf(1) / 3 < to_mpf(flint.arb(1) / 3, "upper", 20)
    True
    >>> to_mpf(flint.arb(1), "lo", 20)
    Traceback (most recent call last):
    ...
    ValueError: end must be 'lower' or 'upper', got 'lo'
    """
    if end not in ("lower", "upper"):
        raise ValueError(f"end must be 'lower' or 'upper', got {end!r}")
    lo, hi = raw_bounds(b)
    if end == "lower":
        return mpmath.mp.make_mpf(libmp.mpf_pos(lo, prec, libmp.round_floor))
    return mpmath.mp.make_mpf(libmp.mpf_pos(hi, prec, libmp.round_ceiling))


# ---------------------------------------------------------------------------------------
# Extended-real interval arithmetic (ends may be +-inf), outward rounded.

_P = 64  # bits; tail proofs only need signs, not digits
_RF, _RC = libmp.round_floor, libmp.round_ceiling


def _lt(a: tuple, b: tuple) -> bool:
    return libmp.mpf_lt(a, b)


@dataclass(frozen=True)
class XInterval:
    """A closed interval ``[lo, hi]`` of extended reals with mpmath raw-float ends.

    >>> i = XInterval.point(2) * XInterval(mpmath.mpf(1)._mpf_, libmp.finf)
    >>> i.lo == mpmath.mpf(2)._mpf_ and i.hi == libmp.finf
    True
    """

    lo: tuple
    hi: tuple

    @staticmethod
    def point(v: int) -> XInterval:
        r = libmp.from_int(v)
        return XInterval(r, r)

    @staticmethod
    def whole() -> XInterval:
        return XInterval(_FNINF, _FINF)

    @staticmethod
    def of_ball(b: arb) -> XInterval:
        return XInterval(*raw_bounds(b))

    def finite(self) -> bool:
        return self.lo not in (_FNINF, _FINF) and self.hi not in (_FNINF, _FINF)

    def to_ball(self) -> arb:
        return ball(arb_from_raw(self.lo), arb_from_raw(self.hi))

    def sign(self) -> int | None:
        """+1 if every element is >= 0, -1 if every element is <= 0, else None."""
        if not _lt(self.lo, _FZERO):
            return 1
        if not _lt(_FZERO, self.hi):
            return -1
        return None

    def __add__(self, o: XInterval) -> XInterval:
        lo = libmp.mpf_add(self.lo, o.lo, _P, _RF)
        hi = libmp.mpf_add(self.hi, o.hi, _P, _RC)
        return XInterval(_FNINF if lo == _FNAN else lo, _FINF if hi == _FNAN else hi)

    def __neg__(self) -> XInterval:
        return XInterval(libmp.mpf_neg(self.hi), libmp.mpf_neg(self.lo))

    def __sub__(self, o: XInterval) -> XInterval:
        return self + (-o)

    def __mul__(self, o: XInterval) -> XInterval:
        los, his = [], []
        for a in (self.lo, self.hi):
            for b in (o.lo, o.hi):
                if a == _FZERO or b == _FZERO:  # 0 * inf = 0 for interval products
                    los.append(_FZERO)
                    his.append(_FZERO)
                else:
                    los.append(libmp.mpf_mul(a, b, _P, _RF))
                    his.append(libmp.mpf_mul(a, b, _P, _RC))
        return XInterval(_min(los), _max(his))

    def reciprocal(self) -> XInterval:
        if not (_lt(_FZERO, self.lo) or _lt(self.hi, _FZERO)):
            return XInterval.whole()
        lo = _FZERO if self.hi in (_FINF, _FNINF) else libmp.mpf_div(libmp.fone, self.hi, _P, _RF)
        hi = _FZERO if self.lo in (_FINF, _FNINF) else libmp.mpf_div(libmp.fone, self.lo, _P, _RC)
        return XInterval(lo, hi)

    def __truediv__(self, o: XInterval) -> XInterval:
        return self * o.reciprocal()

    def __pow__(self, n: int) -> XInterval:
        if n < 0:
            return (self ** (-n)).reciprocal()
        if n == 0:
            return XInterval.point(1)

        def pw(a: tuple, rnd: str) -> tuple:
            if a == _FINF:
                return _FINF
            if a == _FNINF:
                return _FINF if n % 2 == 0 else _FNINF
            return libmp.mpf_pow_int(a, n, _P, rnd)

        if n % 2 == 1 or not _lt(self.lo, _FZERO):
            return XInterval(pw(self.lo, _RF), pw(self.hi, _RC))
        if not _lt(_FZERO, self.hi):
            return XInterval(pw(self.hi, _RF), pw(self.lo, _RC))
        return XInterval(_FZERO, _max([pw(self.lo, _RC), pw(self.hi, _RC)]))


def _min(v: list[tuple]) -> tuple:
    m = v[0]
    for a in v[1:]:
        if _lt(a, m):
            m = a
    return m


def _max(v: list[tuple]) -> tuple:
    m = v[0]
    for a in v[1:]:
        if _lt(m, a):
            m = a
    return m


def _half_pi() -> arb:
    return arb.pi() / 2


# Monotone functions: (direction, value at -inf, value at +inf) as ball factories or inf.
_INC, _DEC = 1, -1
_MONO: dict[Any, tuple[int, Any, Any]] = {
    sympy.exp: (_INC, lambda: arb(0), None),
    sympy.log: (_INC, None, None),
    sympy.sqrt: (_INC, None, None),
    sympy.tanh: (_INC, lambda: arb(-1), lambda: arb(1)),
    sympy.erf: (_INC, lambda: arb(-1), lambda: arb(1)),
    sympy.erfc: (_DEC, lambda: arb(2), lambda: arb(0)),
    erfcx: (_DEC, None, lambda: arb(0)),
    sympy.atan: (_INC, lambda: -_half_pi(), _half_pi),
    sympy.sinh: (_INC, None, None),
    sympy.asinh: (_INC, None, None),
    sympy.LambertW: (_INC, None, None),
}
_BOUNDED = {sympy.sin: (-1, 1), sympy.cos: (-1, 1)}


def _apply(func: Any, xi: XInterval) -> XInterval:
    if xi.finite():
        with workprec(_P, mpmath=False):
            return XInterval.of_ball(_ARB_FUNCS[func](xi.to_ball()))
    if func in _BOUNDED:
        lo, hi = _BOUNDED[func]
        return XInterval(libmp.from_int(lo), libmp.from_int(hi))
    if func is sympy.cosh:
        if not _lt(xi.lo, _FZERO):
            return _apply_mono(_INC, arb.cosh, None, None, xi)
        if not _lt(_FZERO, xi.hi):
            return _apply_mono(_DEC, arb.cosh, None, None, xi)
        return XInterval(libmp.fone, _FINF)
    if func is sympy.sech:
        return _apply(sympy.cosh, xi).reciprocal()
    if func in _MONO:
        d, at_minf, at_inf = _MONO[func]
        return _apply_mono(d, _ARB_FUNCS[func], at_minf, at_inf, xi)
    return XInterval.whole()


def _apply_mono(d: int, f: Callable, at_minf: Any, at_inf: Any, xi: XInterval) -> XInterval:
    def end(a: tuple, want_low: bool) -> tuple:
        if a in (_FINF, _FNINF):
            lim = at_inf if a == _FINF else at_minf
            if lim is None:  # the function tends to +-inf there
                return _FINF if (a == _FINF) == (d == _INC) else _FNINF
            b = lim()
        else:
            b = f(arb_from_raw(a))
        lo, hi = raw_bounds(b)
        return lo if want_low else hi

    with workprec(_P, mpmath=False):
        if d == _INC:
            lo, hi = end(xi.lo, True), end(xi.hi, False)
        else:
            lo, hi = end(xi.hi, True), end(xi.lo, False)
    if lo == _FNAN or hi == _FNAN:
        return XInterval.whole()
    return XInterval(lo, hi)


def xenclose(expr: sympy.Expr, x: sympy.Symbol, xi: XInterval) -> XInterval:
    r"""Enclose ``expr`` for ``x`` ranging over an extended-real interval.

    Naive (natural) interval extension: each node is enclosed from its children's
    enclosures, so dependency between subexpressions is lost (for instance
    :math:`x e^{-x}` on :math:`[1, \infty]` gives :math:`[0, \infty]`).  The result is
    nevertheless always a valid enclosure.

    References
    ----------
    .. [1] R. E. Moore, R. B. Kearfott, M. J. Cloud, *Introduction to Interval Analysis*,
       SIAM, 2009.

    Examples
    --------
    >>> x = sympy.Symbol("x")
    >>> tail = XInterval(libmp.from_int(8), libmp.finf)
    >>> r = xenclose(sympy.tanh(x) - 1, x, tail)
    >>> r.sign()
    -1
    """
    e = sympy.sympify(expr)
    if e == x:
        return xi
    if not e.has(x):
        with workprec(_P, mpmath=False):
            return XInterval.of_ball(arb_evaluator(e, x)(arb(0)))
    if e.is_Add:
        acc = xenclose(e.args[0], x, xi)
        for a in e.args[1:]:
            acc = acc + xenclose(a, x, xi)
        return acc
    if e.is_Mul:
        acc = xenclose(e.args[0], x, xi)
        for a in e.args[1:]:
            acc = acc * xenclose(a, x, xi)
        return acc
    if e.is_Pow:
        base, ex = e.args
        b = xenclose(base, x, xi)
        if ex.is_Integer:
            return b ** int(ex)
        if ex.is_Rational and not ex.has(x):
            if _lt(b.lo, _FZERO):
                return XInterval.whole()
            if b.finite():
                with workprec(_P, mpmath=False):
                    return XInterval.of_ball(b.to_ball() ** (arb(int(ex.p)) / int(ex.q)))
            d = _INC if ex > 0 else _DEC

            def pw(v: arb, p: int = int(ex.p), q: int = int(ex.q)) -> arb:
                return v ** (arb(p) / q)

            return _apply_mono(d, pw, None, (lambda: arb(0)) if d == _DEC else None, b)
        return xenclose(sympy.exp(ex * sympy.log(base)), x, xi)
    if isinstance(e, sympy.Function) and type(e) in _ARB_FUNCS and len(e.args) == 1:
        return _apply(type(e), xenclose(e.args[0], x, xi))
    arb_evaluator(e, x)  # raises UnsupportedExpression where appropriate
    return XInterval.whole()


# -- small ball helpers shared by the branch-and-bound engines ---------------------------
#: Where boxes are split: near the middle, but not at a dyadic point (where roots and
#: kinks of activations like to sit).
SPLIT_RATIO = (arb(1) / 2 + (arb(5).sqrt() - 2) / 64).mid()


def finite_ball(b: arb) -> bool:
    """Whether a ball is finite (neither infinite nor NaN)."""
    return b.is_finite() and not b.is_nan()


def may_vanish(b: arb) -> bool:
    """Whether a ball may contain 0 (an infinite or NaN ball may)."""
    return not finite_ball(b) or b.contains(0)


def split_point(p: arb, q: arb) -> arb:
    """The exact point at which ``[p, q]`` is split (see :data:`SPLIT_RATIO`)."""
    return (p + (q - p) * SPLIT_RATIO).mid()


def ball_width(b: arb) -> arb:
    """The diameter of a ball."""
    return 2 * b.rad()

