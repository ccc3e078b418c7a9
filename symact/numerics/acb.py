r"""Translation of SymPy expressions to complex (Arb ``acb``) ball arithmetic.

:func:`acb_evaluator` compiles a SymPy expression in one variable into a
function ``F(z, analytic) -> acb`` of the form python-flint's rigorous
integrator :meth:`flint.acb.integral` expects: for a complex ball ``z`` it
returns a ball containing :math:`f(w)` for every :math:`w` in ``z`` (the
inclusion property), and when ``analytic`` is true it returns a non-finite ball
wherever ``z`` touches a point at which :math:`f` is not holomorphic -- a branch
cut of ``log``, ``sqrt``, non-integer powers, ``atan``, ``asin``, ... or a kink
of ``Abs``, ``Max``, ``Min``, ``sign`` and ``Heaviside`` (through Arb's
``real_abs``/``real_max``/... extensions).  Poles need no flag: evaluating at a
pole already gives a non-finite ball.

The real-ball compiler for the same expressions is
:func:`symact.numerics.arb.arb_evaluator`.  As there, a SymPy ``Float`` is taken as its
exact binary value: callers pass inexact numbers as balls (evaluate ``f(a*z + b)`` with
ball-valued ``a``, ``b``), never as Floats substituted into the expression, where SymPy
would fold them with rounding.

References
----------
.. [1] F. Johansson, "Numerical integration in arbitrary-precision ball
   arithmetic", ICMS 2018, LNCS 10931 (the ``analytic`` protocol).

>>> import sympy, flint
>>> x = sympy.Symbol("x", real=True)
>>> f = acb_evaluator(sympy.sqrt(x), x)
>>> f(flint.acb(4), False)
2.00000000000000
>>> f(flint.acb(-1, 0.5).union(flint.acb(-1, -0.5)), True).is_finite()
False
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import flint
import sympy
from flint import acb, arb

from ..core.cache import cached
from ..core.errors import UnsupportedExpression

__all__ = ["acb_evaluator", "acb_functions", "integral", "unwrapped"]

Evaluator = Callable[[acb, bool], acb]


def integral(f: Evaluator, a: Any, b: Any, **options: Any) -> acb:
    """:meth:`flint.acb.integral`, re-raising what the integrand raised.

    python-flint cannot pass an exception out of an integrand: it raises
    ``SystemError("... returned a result with an exception set")`` with the real
    exception as its context.  That real exception is re-raised here -- in particular
    the budget's interruption, which the watchdog may deliver while the integrand runs,
    so that an expired budget surfaces as ``BudgetExceeded`` and never as a SystemError.

    >>> def bad(z, analytic):
    ...     raise ZeroDivisionError("in the integrand")
    >>> integral(bad, 0, 1)
    Traceback (most recent call last):
    ...
    ZeroDivisionError: in the integrand
    """
    try:
        return acb.integral(f, a, b, **options)
    except SystemError as exc:
        raise unwrapped(exc) from None


def unwrapped(exc: SystemError) -> BaseException:
    """The exception a python-flint ``SystemError`` carries (through nested ones), else ``exc``.

    An exception raised in Python code that python-flint called back (an integrand, a
    conversion) -- the budget's interruption included -- reaches the caller as a
    ``SystemError`` whose context is the real exception; re-raise this instead::

        except SystemError as exc:
            raise unwrapped(exc) from None

    >>> try:
    ...     raise SystemError("returned a result with an exception set") from KeyError("k")
    ... except SystemError as exc:
    ...     unwrapped(exc)
    KeyError('k')
    """
    inner: BaseException = exc
    while isinstance(inner, SystemError) and (inner.__cause__ or inner.__context__) is not None:
        inner = inner.__cause__ or inner.__context__  # type: ignore[assignment]
    return inner

def _nan() -> acb:
    return acb(arb("nan"), arb("nan"))


def _touches_real_ray(w: acb, below: arb | None, above: arb | None) -> bool:
    """Whether ``w`` may meet the real axis at a point ``<= below`` or ``>= above``."""
    if not w.imag.contains(0):
        return False
    re = w.real
    if below is not None and not (re > below):
        return True
    return above is not None and not (re < above)


def _touches_imag_ray(w: acb, bound: int) -> bool:
    """Whether ``w`` may meet the imaginary axis where ``|Im| >= bound``."""
    if not w.real.contains(0):
        return False
    im = w.imag
    return not (im < bound and im > -bound)


def _guard(f: Callable[[acb], acb], cut: Callable[[acb], bool]) -> Callable[[acb, bool], acb]:
    def g(w: acb, analytic: bool) -> acb:
        if analytic and cut(w):
            return _nan()
        return f(w)

    return g


_ONE = arb(1)


def _lambertw_cut(w: acb) -> bool:
    return _touches_real_ray(w, -arb(-1).exp(), None)


# SymPy function -> (value, analytic-aware value).  Entire and meromorphic functions ignore the flag.
_FUNCS: dict[Any, Callable[[acb, bool], acb]] = {
    sympy.exp: lambda w, a: w.exp(),
    sympy.log: lambda w, a: w.log(analytic=a),
    sympy.tanh: lambda w, a: w.tanh(),
    sympy.sinh: lambda w, a: w.sinh(),
    sympy.cosh: lambda w, a: w.cosh(),
    sympy.sech: lambda w, a: w.sech(),
    sympy.csch: lambda w, a: w.csch(),
    sympy.coth: lambda w, a: w.coth(),
    sympy.sin: lambda w, a: w.sin(),
    sympy.cos: lambda w, a: w.cos(),
    sympy.tan: lambda w, a: w.tan(),
    sympy.sec: lambda w, a: w.sec(),
    sympy.csc: lambda w, a: w.csc(),
    sympy.cot: lambda w, a: w.cot(),
    sympy.erf: lambda w, a: w.erf(),
    sympy.erfc: lambda w, a: w.erfc(),
    sympy.atan: _guard(acb.atan, lambda w: _touches_imag_ray(w, 1)),
    sympy.asinh: _guard(acb.asinh, lambda w: _touches_imag_ray(w, 1)),
    sympy.asin: _guard(acb.asin, lambda w: _touches_real_ray(w, -_ONE, _ONE)),
    sympy.acos: _guard(acb.acos, lambda w: _touches_real_ray(w, -_ONE, _ONE)),
    sympy.atanh: _guard(acb.atanh, lambda w: _touches_real_ray(w, -_ONE, _ONE)),
    sympy.acosh: _guard(acb.acosh, lambda w: _touches_real_ray(w, _ONE, None)),
    sympy.LambertW: _guard(acb.lambertw, _lambertw_cut),
    sympy.Abs: lambda w, a: w.real_abs(analytic=a),
    sympy.sign: lambda w, a: w.real_sgn(analytic=a),
    sympy.Heaviside: lambda w, a: w.real_heaviside(analytic=a),
}

_CONSTANTS: dict[Any, Callable[[], acb]] = {
    sympy.pi: lambda: acb(arb.pi()),
    sympy.E: lambda: acb(arb(1).exp()),
    sympy.EulerGamma: lambda: acb(arb.const_euler()),
    sympy.Catalan: lambda: acb(arb.const_catalan()),
    sympy.GoldenRatio: lambda: acb((arb(5).sqrt() + 1) / 2),
}


def acb_functions() -> tuple[str, ...]:
    """Names of the SymPy functions :func:`acb_evaluator` translates.

    >>> "log" in acb_functions() and "Abs" in acb_functions()
    True
    """
    return tuple(sorted({f.__name__ for f in _FUNCS} | {"Max", "Min"}))


def _exact_arb(value: sympy.Float) -> arb:
    sign, man, exp, _ = value._mpf_
    return arb(((-1) ** sign * man, exp)) if man else arb(0)


def _softplus_argument(w: sympy.Expr) -> sympy.Expr | None:
    """``u`` when ``w`` is ``1 + exp(u)`` (the argument of a softplus ``log(1 + exp(u))``), else None."""
    if w.is_Add and len(w.args) == 2 and sympy.S.One in w.args:
        other = w.args[0] if w.args[1] == 1 else w.args[1]
        if isinstance(other, sympy.exp):
            return other.args[0]
    return None


def _softplus(inner: Evaluator) -> Evaluator:
    r"""``log(1 + exp(u))`` as ``u + log1p(exp(-u))`` where ``Re u > 0``.

    Both forms are the same holomorphic function on the balls they are used on: the direct form
    has a branch cut along :math:`\operatorname{Im} u = \pm\pi`, :math:`\operatorname{Re} u > 0`,
    which would force the integrator into subintervals of width about :math:`\pi` along the whole
    positive axis (and out of its evaluation budget for large variances); the shifted form is
    holomorphic on the half-plane :math:`\operatorname{Re} u > 0`, where :math:`|e^{-u}| < 1` keeps
    :math:`1 + e^{-u}` off the negative real axis.
    """

    def softplus(z: acb, a: bool) -> acb:
        w = inner(z, a)
        if w.real > 0:
            return w + (-w).exp().log1p()
        return (1 + w.exp()).log(analytic=a)

    return softplus


def _compile(e: sympy.Expr, x: sympy.Symbol) -> Evaluator:
    if e.args and not e.has(x):  # a constant subexpression: evaluate once per precision
        inner = _compile_node(e, x)
        memo: dict[int, acb] = {}

        def const(z: acb, a: bool) -> acb:
            p = flint.ctx.prec
            v = memo.get(p)
            if v is None:
                v = memo[p] = inner(z, False)
            return v

        return const
    return _compile_node(e, x)


def _compile_node(e: sympy.Expr, x: sympy.Symbol) -> Evaluator:
    if e == x:
        return lambda z, a: z
    if e.is_Integer:
        n = int(e)
        return lambda z, a: acb(n)
    if e.is_Rational:
        p, q = int(e.p), int(e.q)
        return lambda z, a: acb(p) / q
    if e.is_Float:
        c = acb(_exact_arb(e))
        return lambda z, a: c
    if e in _CONSTANTS:
        make = _CONSTANTS[e]
        return lambda z, a: make()
    if e == sympy.I:
        return lambda z, a: acb(0, 1)
    if e.is_Add or e.is_Mul:
        parts = [_compile(t, x) for t in e.args]
        first, rest = parts[0], parts[1:]
        if e.is_Add:
            def add(z: acb, a: bool) -> acb:
                s = first(z, a)
                for p in rest:
                    s = s + p(z, a)
                return s

            return add

        def mul(z: acb, a: bool) -> acb:
            s = first(z, a)
            for p in rest:
                s = s * p(z, a)
            return s

        return mul
    if e.is_Pow:
        base, ex = e.args
        b = _compile(base, x)
        if ex.is_Integer:
            n = int(ex)
            if n < 0:
                return lambda z, a: 1 / b(z, a) ** (-n)
            return lambda z, a: b(z, a) ** n
        if ex == sympy.S.Half:
            return lambda z, a: b(z, a).sqrt(analytic=a)
        if ex == -sympy.S.Half:
            return lambda z, a: 1 / b(z, a).sqrt(analytic=a)
        if ex.is_Rational:
            p, q = int(ex.p), int(ex.q)
            return lambda z, a: b(z, a).pow(acb(p) / q, analytic=a)
        if base == sympy.E:
            ev = _compile(ex, x)
            return lambda z, a: ev(z, a).exp()
        ev = _compile(ex, x)
        return lambda z, a: b(z, a).pow(ev(z, a), analytic=a)
    if isinstance(e, sympy.Max | sympy.Min):
        parts = [_compile(t, x) for t in e.args]
        is_max = isinstance(e, sympy.Max)

        def extremum(z: acb, a: bool) -> acb:
            s = parts[0](z, a)
            for p in parts[1:]:
                s = s.real_max(p(z, a), analytic=a) if is_max else s.real_min(p(z, a), analytic=a)
            return s

        return extremum
    if isinstance(e, sympy.log) and (u := _softplus_argument(e.args[0])) is not None:
        return _softplus(_compile(u, x))
    if isinstance(e, sympy.Function):
        func = type(e)
        if func is sympy.LambertW and len(e.args) == 2 and e.args[1] != 0:
            raise UnsupportedExpression(f"LambertW branch {e.args[1]} is not supported; only k = 0")
        if func not in _FUNCS or len(e.args) != 1:
            raise UnsupportedExpression(
                f"function {func.__name__!r} has no certified complex-ball (acb) evaluation; "
                "supported: " + ", ".join(acb_functions())
            )
        g, inner = _FUNCS[func], _compile(e.args[0], x)
        return lambda z, a: g(inner(z, a), a)
    if isinstance(e, sympy.Piecewise):
        raise UnsupportedExpression(
            "Piecewise has no complex-ball form: split it into analytic pieces first "
            "(symact.expressions.pieces.split)"
        )
    if e.is_Symbol:
        raise UnsupportedExpression(
            f"free symbol {e} besides {x}: substitute numeric values for parameters first"
        )
    raise UnsupportedExpression(
        f"cannot evaluate {e!r} ({type(e).__name__}) in complex ball arithmetic; expected +, *, "
        "powers, numbers and the functions " + ", ".join(acb_functions())
    )


@cached(maxsize=1024)
def acb_evaluator(expr: sympy.Expr, x: sympy.Symbol) -> Evaluator:
    r"""Compile a SymPy expression in ``x`` into ``F(z, analytic) -> acb``.

    Parameters
    ----------
    expr : sympy.Expr
        Built from numbers, ``x``, ``+``, ``*``, powers and the functions listed
        by :func:`acb_functions` (``Piecewise`` must be split first).
    x : sympy.Symbol
        The variable.

    Returns
    -------
    callable
        ``F(z, analytic)``: a ball containing :math:`f(w)` for every ``w`` in the
        complex ball ``z``; when ``analytic`` is true, a non-finite ball if ``z``
        may touch a branch cut or kink.  Precision is the current ``flint.ctx``.

    Raises
    ------
    UnsupportedExpression
        For functions without an Arb counterpart, ``Piecewise``, or other free symbols.

    Examples
    --------
    >>> import sympy, flint
    >>> x = sympy.Symbol("x", real=True)
    >>> F = acb_evaluator(sympy.log(1 + sympy.exp(x)), x)
    >>> F(flint.acb(0), True).real.overlaps(flint.arb(2).log())
    True
    """
    return _compile(sympy.sympify(expr), x)
