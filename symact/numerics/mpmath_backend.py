r"""Arbitrary-precision evaluation of SymPy expressions (see :mod:`symact.numerics.numeric`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import mpmath
import numpy as np
import sympy

from ..core.cache import cached
from ..core.errors import UnsupportedExpression
from ..core.precision import precision_lock, workdps, workprec
from .validate import LogAddExp0, check_expression

__all__ = ["mp_compiled", "mpmath_function"]

# ---------------------------------------------------------------------------
# mpmath backend
# ---------------------------------------------------------------------------

_MpFn = Callable[[Any], Any]


def _lambertw_mp(z: Any, k: Any = 0) -> Any:
    w = mpmath.lambertw(z, int(k))
    if isinstance(w, mpmath.mpc):
        return w.real if w.imag == 0 else mpmath.nan
    return w


def _heaviside_mp(v: Any, h0: Any) -> Any:
    if v > 0:
        return mpmath.mpf(1)
    if v < 0:
        return mpmath.mpf(0)
    return h0


_MP_FUNCS: dict[type, Callable[..., Any]] = {
    sympy.exp: mpmath.exp,
    sympy.log: mpmath.log,
    sympy.sin: mpmath.sin,
    sympy.cos: mpmath.cos,
    sympy.tan: mpmath.tan,
    sympy.sinh: mpmath.sinh,
    sympy.cosh: mpmath.cosh,
    sympy.tanh: mpmath.tanh,
    sympy.asinh: mpmath.asinh,
    sympy.acosh: mpmath.acosh,
    sympy.atanh: mpmath.atanh,
    sympy.asin: mpmath.asin,
    sympy.acos: mpmath.acos,
    sympy.atan: mpmath.atan,
    sympy.sech: mpmath.sech,
    sympy.csch: mpmath.csch,
    sympy.coth: mpmath.coth,
    sympy.sec: mpmath.sec,
    sympy.csc: mpmath.csc,
    sympy.cot: mpmath.cot,
    sympy.erf: mpmath.erf,
    sympy.erfc: mpmath.erfc,
    sympy.erfi: mpmath.erfi,
    sympy.erfinv: mpmath.erfinv,
    sympy.gamma: mpmath.gamma,
    sympy.loggamma: mpmath.loggamma,
    sympy.Abs: mpmath.fabs,
    sympy.sign: mpmath.sign,
    sympy.LambertW: _lambertw_mp,
    sympy.Max: lambda *a: max(a),
    sympy.Min: lambda *a: min(a),
    sympy.floor: mpmath.floor,
    sympy.ceiling: mpmath.ceil,
}

_MP_CONSTANTS: dict[sympy.Basic, Callable[[], Any]] = {
    sympy.pi: lambda: +mpmath.pi,
    sympy.E: lambda: +mpmath.e,
    sympy.EulerGamma: lambda: +mpmath.euler,
    sympy.Catalan: lambda: +mpmath.catalan,
    sympy.GoldenRatio: lambda: +mpmath.phi,
    sympy.oo: lambda: mpmath.inf,
    -sympy.oo: lambda: -mpmath.inf,
    sympy.nan: lambda: mpmath.nan,
}

_RELATIONS: dict[type, Callable[[Any, Any], bool]] = {
    sympy.StrictGreaterThan: lambda a, b: a > b,
    sympy.GreaterThan: lambda a, b: a >= b,
    sympy.StrictLessThan: lambda a, b: a < b,
    sympy.LessThan: lambda a, b: a <= b,
    sympy.Equality: lambda a, b: a == b,
    sympy.Unequality: lambda a, b: a != b,
}


def _mp_compile(e: sympy.Basic, x: sympy.Symbol) -> _MpFn:
    """Translate ``e`` into a closure ``v -> mpmath value`` at the working precision."""
    if e == x:
        return lambda v: v
    if e in _MP_CONSTANTS:
        c = _MP_CONSTANTS[e]
        return lambda v: c()
    if e.is_Integer:
        n = int(e)
        return lambda v: mpmath.mpf(n)
    if e.is_Rational:
        p, q = int(e.p), int(e.q)
        return lambda v: mpmath.mpf(p) / q
    if e.is_Float:
        m = e._mpf_
        return lambda v: mpmath.mpf(m)
    if e is sympy.true or e is sympy.false:
        b = bool(e)
        return lambda v: b
    if isinstance(e, sympy.Add):
        fs = [_mp_compile(a, x) for a in e.args]
        return lambda v: mpmath.fsum(f(v) for f in fs)
    if isinstance(e, sympy.Mul):
        fs = [_mp_compile(a, x) for a in e.args]
        return lambda v: mpmath.fprod(f(v) for f in fs)
    if isinstance(e, sympy.Pow):
        base, ex = e.args
        fb = _mp_compile(base, x)
        if ex == sympy.S.Half:
            return lambda v: mpmath.sqrt(fb(v))
        if ex == -sympy.S.Half:
            return lambda v: 1 / mpmath.sqrt(fb(v))
        if ex.is_Integer:
            n = int(ex)
            return lambda v: fb(v) ** n
        fe = _mp_compile(ex, x)
        return lambda v: mpmath.power(fb(v), fe(v))
    if isinstance(e, sympy.Piecewise):
        pieces = [(_mp_compile(c, x), _mp_compile(p, x)) for p, c in e.args]

        def piecewise(v: Any) -> Any:
            for cond, val in pieces:
                if cond(v):
                    return val(v)
            return mpmath.nan

        return piecewise
    if isinstance(e, sympy.Heaviside):
        fa = _mp_compile(e.args[0], x)
        fh = _mp_compile(e.args[1] if len(e.args) > 1 else sympy.S.Half, x)
        return lambda v: _heaviside_mp(fa(v), fh(v))
    if isinstance(e, sympy.DiracDelta):
        return lambda v: mpmath.mpf(0)
    if type(e) in _RELATIONS:
        rel = _RELATIONS[type(e)]
        fl, fr = _mp_compile(e.lhs, x), _mp_compile(e.rhs, x)
        return lambda v: bool(rel(fl(v), fr(v)))
    if isinstance(e, sympy.And | sympy.Or | sympy.Not):
        fs = [_mp_compile(a, x) for a in e.args]
        if isinstance(e, sympy.And):
            return lambda v: all(f(v) for f in fs)
        if isinstance(e, sympy.Or):
            return lambda v: any(f(v) for f in fs)
        return lambda v: not fs[0](v)
    if isinstance(e, LogAddExp0):
        fu = _mp_compile(e.args[0], x)
        return lambda v: mpmath.log1p(mpmath.exp(fu(v)))
    if type(e) in _MP_FUNCS:
        fn = _MP_FUNCS[type(e)]
        fs = [_mp_compile(a, x) for a in e.args]
        return lambda v: fn(*(f(v) for f in fs))
    if isinstance(e, sympy.Expr) and e.is_number:
        # Any other exact constant: let SymPy evaluate it at the working precision.
        def constant(v: Any) -> Any:
            r = sympy.N(e, mpmath.mp.dps + 5)
            return mpmath.mpf(r._mpf_) if r.is_Float else mpmath.mpmathify(complex(r))

        return constant
    raise UnsupportedExpression(
        f"cannot evaluate {type(e).__name__} ({e}) with mpmath; supported are arithmetic, "
        f"Piecewise, relations, Heaviside, DiracDelta and the functions "
        + ", ".join(sorted(f.__name__ for f in _MP_FUNCS))
    )


def _to_mpf(v: Any) -> Any:
    if isinstance(v, sympy.Basic):
        v = sympy.sympify(v)
        if not v.is_number:
            raise TypeError(f"cannot evaluate at the non-numeric value {v}")
        return mpmath.mpf(sympy.N(v, mpmath.mp.dps)._mpf_)
    if isinstance(v, np.generic):
        v = v.item()
    return mpmath.mpf(v)


@cached(maxsize=512)
def mp_compiled(expr: sympy.Expr, x: sympy.Symbol) -> _MpFn:
    return _mp_compile(expr, x)


@cached(maxsize=512)
def _mpmath_callable(expr: sympy.Expr, x: sympy.Symbol) -> Callable[..., Any]:
    body = mp_compiled(expr, x)

    def f(v: Any, *, dps: int | None = None) -> Any:
        if dps is not None:
            with workdps(dps):
                return f(v)
        with precision_lock(), workprec(mpmath.mp.prec + 20, flint=False):  # read under the lock
            r = body(_to_mpf(v))
        if isinstance(r, bool | int):
            r = mpmath.mpf(r)
        if isinstance(r, mpmath.mpc):
            r = r.real if r.imag == 0 else mpmath.nan
        return +r

    f.__doc__ = f"Arbitrary-precision evaluation of {expr} (symact.numerics.numeric)."
    return f


def mpmath_function(expr: sympy.Expr, x: sympy.Symbol) -> Callable[..., mpmath.mpf]:
    r"""Compile ``expr`` into a function evaluated with mpmath at any precision.

    Parameters
    ----------
    expr : sympy.Expr
        An expression in the single real variable ``x``.
    x : sympy.Symbol
        The variable.

    Returns
    -------
    callable
        ``f(v, *, dps=None)`` returning an ``mpmath.mpf``.  Without ``dps`` it
        works at the caller's precision (``with workdps(50): f(v)`` gives
        50 digits); ``dps=50`` does the same for one call.  ``v`` may be an int,
        float, string, mpmath number or exact SymPy number.

    Notes
    -----
    The expression is translated node by node into mpmath calls, so exact
    constants -- ``sqrt(pi)``, ``erfc(1/sqrt(2))``, ``E`` -- are computed at
    the working precision (plus 20 guard bits), never taken from 17-digit
    floats.  ``Piecewise`` uses the same rule as :func:`numpy_function`: the
    first branch whose condition holds wins (PyTorch's autograd convention at
    kinks, e.g. ``relu'(0) = 0``).  ``LambertW`` takes its real branch and gives
    ``nan`` where that is not real.  ``mpmath.mp.dps`` is never changed.

    The evaluation carries 20 guard bits but is not error-controlled: a
    cancellation larger than that (``sigmoid''(700)`` subtracts two numbers
    within ``e**-700`` of 1) loses digits, as in any fixed-precision
    arithmetic; raise ``dps`` there.  (The safety net of :func:`numpy_function`
    raises the precision until the result settles.)

    Examples
    --------
    >>> import mpmath, sympy
    >>> x = sympy.Symbol("x", real=True)
    >>> f = mpmath_function(sympy.sqrt(sympy.pi) * x, x)
    >>> mpmath.nstr(f(1, dps=30), 30)
    '1.77245385090551602729816748334'
    >>> with workdps(20):
    ...     print(f(2))
    3.5449077018110320546
    >>> relu_d = mpmath_function(sympy.diff(sympy.Piecewise((x, x > 0), (0, True)), x), x)
    >>> relu_d(0)
    mpf('0.0')
    """
    expr = check_expression(expr, x)
    return _mpmath_callable(expr, x)

