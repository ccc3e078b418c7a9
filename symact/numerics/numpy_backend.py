r"""Vectorised float64 evaluation of SymPy expressions (see :mod:`symact.numerics.numeric`)."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import mpmath
import numpy as np
import sympy
from numpy.typing import ArrayLike
from sympy.printing.numpy import NumPyPrinter

from ..core.cache import cached
from ..core.precision import workprec
from .mpmath_backend import mp_compiled
from .validate import check_expression, rewrite_softplus

__all__ = ["numpy_function"]

# ---------------------------------------------------------------------------
# NumPy backend
# ---------------------------------------------------------------------------


def _fold_constants(expr: sympy.Basic, x: sympy.Symbol) -> sympy.Basic:
    """Evaluate every ``x``-free factor of a product or term of a sum to a Float.

    Integer exponents stay exact so that NumPy's fast ``x**2`` path is kept.
    """
    if not expr.args or expr.is_Relational or isinstance(expr, sympy.Piecewise | sympy.Heaviside):
        if isinstance(expr, sympy.Piecewise):
            return sympy.Piecewise(
                *[(_fold_constants(e, x), c) for e, c in expr.args], evaluate=False
            )
        if isinstance(expr, sympy.Heaviside):
            return sympy.Heaviside(_fold_constants(expr.args[0], x), *expr.args[1:])
        return expr
    if not expr.has(x):
        if isinstance(expr, sympy.Expr) and expr.is_number and not expr.is_Rational:
            value = expr.evalf(20)
            if value.is_real is not False and value.is_Number:
                return value
        return expr
    if isinstance(expr, sympy.Mul | sympy.Add):
        const = [a for a in expr.args if not a.has(x)]
        rest = [_fold_constants(a, x) for a in expr.args if a.has(x)]
        if const:
            c = expr.func(*const)
            c = c if c.is_Rational else c.evalf(20)
            if c.is_Number:
                if (expr.is_Mul and c == 1) or (expr.is_Add and c == 0):
                    return expr.func(*rest)
                rest.insert(0, c)
            else:
                rest.insert(0, expr.func(*const))
        return expr.func(*rest, evaluate=False)
    if isinstance(expr, sympy.Pow):
        base, e = expr.args
        if e.is_Integer:
            return sympy.Pow(_fold_constants(base, x), e, evaluate=False)
        return sympy.Pow(_fold_constants(base, x), _fold_constants(e, x), evaluate=False)
    return expr.func(*[_fold_constants(a, x) for a in expr.args])


def _pw_const(cond: np.ndarray, a: float, b: float) -> np.ndarray:
    # Two-branch Piecewise with constant values: cheaper than np.where on scalars.
    cond = np.asarray(cond)
    if a == 1.0 and b == 0.0:
        return cond.astype(np.float64)
    if b == 0.0:
        return cond * a
    return np.where(cond, a, b)


def _lambertw_real(z: np.ndarray, k: int = 0) -> np.ndarray:
    import scipy.special

    z = np.asarray(z, dtype=np.float64)
    w = scipy.special.lambertw(z, k)
    ok = z >= -math.exp(-1.0)
    if k == -1:
        ok &= z < 0
    elif k != 0:
        ok &= False
    return np.where(ok, w.real, np.nan)


class _Hypot(sympy.Function):
    """``sqrt(u**2 + c**2)`` for a constant ``c > 0``: printed as :func:`_hypot` (no overflow of ``u**2``)."""


class _PlusHypot(sympy.Function):
    """``u + sqrt(u**2 + c**2)``: printed without the cancellation at ``u << 0``."""


def _hypot(u: np.ndarray, c: float) -> np.ndarray:
    # sqrt(u**2 + c**2) without overflow; 5x faster than numpy.hypot where u*u stays finite
    s = np.sqrt(u * u + c * c)
    if np.isinf(s).any():  # u*u overflowed: |u| > 1e154, where c is below half an ulp of |u|
        s = np.where(np.isinf(s), np.abs(u), s)
    return s


def _plus_hypot(u: np.ndarray, c: float) -> np.ndarray:
    # u + hypot(u, c) = c**2 / (hypot(u, c) - u): the second form where u < 0 (no cancellation)
    t = _hypot(u, c) + np.abs(u)
    return np.where(u < 0, (c * c) / t, t)


def _hypot_base(base: sympy.Basic) -> tuple[sympy.Expr, sympy.Expr] | None:
    """``(u, c)`` when ``base`` is ``u**2 + b`` with a positive constant ``b = c**2``."""
    if not (base.is_Add and len(base.args) == 2):
        return None
    for sq, b in (base.args, base.args[::-1]):
        if sq.is_Pow and sq.exp == 2 and b.is_number and b.is_positive:
            return sq.base, sympy.sqrt(b)
    return None


def _stable_roots(expr: sympy.Basic) -> sympy.Basic:
    """Rewrite ``k*u + k*sqrt(u**2 + b)`` and ``sqrt(u**2 + b)`` (b > 0) into float-safe forms.

    ``squareplus = (x + sqrt(x**2 + 4))/2`` cancels to 0 at ``x = -1e10`` (truth ``1e-10``) and
    ``x/sqrt(x**2 + 4)`` is ``x/inf = 0`` at ``x = 1e300`` (truth 1): :class:`_PlusHypot` and
    :class:`_Hypot` print as the cancellation- and overflow-free ``c**2/(hypot(u, c) - u)`` and
    ``hypot(u, c)``.
    """

    def pair(e: sympy.Basic) -> bool:
        return e.is_Add and any(_root_of(t) is not None for t in e.args)

    def merge(e: sympy.Add) -> sympy.Basic:
        terms = list(e.args)
        for t in e.args:
            found = _root_of(t)
            if found is None:
                continue
            k, u, c, _ = found
            partner = k * u
            if t in terms and partner in terms:
                terms.remove(t)
                terms.remove(partner)
                terms.append(k * _PlusHypot(u, c))
        return sympy.Add(*terms)

    expr = expr.replace(pair, merge)

    def root(e: sympy.Basic) -> bool:
        return e.is_Pow and e.exp in (sympy.S.Half, -sympy.S.Half) and _hypot_base(e.base) is not None

    def to_hypot(e: sympy.Pow) -> sympy.Basic:
        u, c = _hypot_base(e.base)  # type: ignore[misc]
        h = _Hypot(u, c)
        return h if e.exp > 0 else 1 / h

    return expr.replace(root, to_hypot)


def _root_of(term: sympy.Basic) -> tuple | None:
    """``(k, u, c, root)`` when ``term`` is ``k * sqrt(u**2 + c**2)``."""
    for f in sympy.Mul.make_args(term):
        if f.is_Pow and f.exp == sympy.S.Half and (uc := _hypot_base(f.base)) is not None:
            return term / f, uc[0], uc[1], f
    return None


class _SymactNumPyPrinter(NumPyPrinter):
    """NumPy printer with SciPy special functions and symact's Piecewise rule."""

    def _print_Piecewise(self, expr: sympy.Piecewise) -> str:
        pieces = list(expr.args)
        if pieces[-1].cond == sympy.true:
            default = self._print(pieces.pop().expr)
        else:
            default = "numpy.nan"
        if (
            len(pieces) == 1
            and pieces[0].expr.is_Number
            and pieces[0].expr.is_real
            and expr.args[-1].expr.is_Number
            and expr.args[-1].cond == sympy.true
        ):
            return (
                f"_pw_const({self._print(pieces[0].cond)}, "
                f"{float(pieces[0].expr)!r}, {float(expr.args[-1].expr)!r})"
            )
        out = default
        for e, c in reversed(pieces):
            if c == sympy.true:
                out = self._print(e)
                continue
            out = f"numpy.where({self._print(c)}, {self._print(e)}, {out})"
        return out

    def _print_Heaviside(self, expr: sympy.Heaviside) -> str:
        h0 = expr.args[1] if len(expr.args) > 1 else sympy.S.Half
        return f"numpy.heaviside({self._print(expr.args[0])}, {float(h0)!r})"

    def _print_DiracDelta(self, expr: sympy.DiracDelta) -> str:
        return f"numpy.zeros(numpy.shape({self._print(expr.args[0])}))"

    def _print__Hypot(self, expr: sympy.Expr) -> str:
        return f"_hypot({self._print(expr.args[0])}, {float(expr.args[1])!r})"

    def _print__PlusHypot(self, expr: sympy.Expr) -> str:
        return f"_plus_hypot({self._print(expr.args[0])}, {float(expr.args[1])!r})"

    def _print_LogAddExp0(self, expr: sympy.Expr) -> str:
        return f"numpy.logaddexp(0, {self._print(expr.args[0])})"

    def _print_LambertW(self, expr: sympy.LambertW) -> str:
        args = ", ".join(self._print(a) for a in expr.args)
        return f"_lambertw_real({args})"

    def _scipy(self, name: str, expr: sympy.Expr) -> str:
        args = ", ".join(self._print(a) for a in expr.args)
        return f"_special.{name}({args})"

    def _print_erf(self, expr: sympy.Expr) -> str:
        return self._scipy("erf", expr)

    def _print_erfc(self, expr: sympy.Expr) -> str:
        return self._scipy("erfc", expr)

    def _print_erfinv(self, expr: sympy.Expr) -> str:
        return self._scipy("erfinv", expr)

    def _print_erfcinv(self, expr: sympy.Expr) -> str:
        return self._scipy("erfcinv", expr)

    def _print_erfi(self, expr: sympy.Expr) -> str:
        return self._scipy("erfi", expr)

    def _print_gamma(self, expr: sympy.Expr) -> str:
        return self._scipy("gamma", expr)

    def _print_loggamma(self, expr: sympy.Expr) -> str:
        return self._scipy("gammaln", expr)


@cached(maxsize=512)
def _numpy_raw(expr: sympy.Expr, x: sympy.Symbol) -> Callable[[np.ndarray], Any]:
    import scipy.special

    prepared = _fold_constants(_stable_roots(rewrite_softplus(expr)), x)
    printer = _SymactNumPyPrinter(
        {"fully_qualified_modules": False, "inline": True, "allow_unknown_functions": True}
    )
    namespace = {
        "_special": scipy.special,
        "_pw_const": _pw_const,
        "_lambertw_real": _lambertw_real,
        "_plus_hypot": _plus_hypot,
        "_hypot": _hypot,
    }
    return sympy.lambdify(x, prepared, modules=[namespace, "numpy"], printer=printer, cse=True)


def _mp_point(body: Callable[[Any], Any], value: float) -> float:
    """Evaluate at one point with mpmath, doubling the precision until two agree.

    Catastrophic cancellation (``sigmoid''`` at 700 is ``a - a**2`` with ``a``
    within ``e**-700`` of 1) needs far more than float64's 53 bits, so the
    precision grows from 128 to 8192 bits until successive results agree to
    ``2**-60`` relative, or are both exactly zero at 2048 bits or more (below
    float64's smallest subnormal either way).  Returns ``nan`` if mpmath cannot
    evaluate the expression there or the results never settle.
    """
    prev = None
    prec = 128
    while prec <= 8192:
        try:
            with workprec(prec, flint=False):
                r = body(mpmath.mpf(value))
                if isinstance(r, mpmath.mpc):
                    r = r.real if r.imag == 0 else mpmath.nan
                r = mpmath.mpf(r)
        except (ZeroDivisionError, ValueError, OverflowError):
            return math.nan
        if not mpmath.isfinite(r):
            return float(r)
        if prev is not None:
            if r == 0 and prev == 0:
                if prec >= 2048:
                    return 0.0
            elif abs(r - prev) <= abs(r) * mpmath.ldexp(1, -60):
                return float(r)
        prev = r
        prec *= 2
    return math.nan


_SAFE_FUNCS = (
    sympy.Piecewise,
    sympy.Heaviside,
    sympy.DiracDelta,
    sympy.sign,
    sympy.Abs,
    sympy.Max,
    sympy.Min,
    sympy.tanh,
    sympy.atan,
    sympy.sin,
    sympy.cos,
    sympy.erf,
    sympy.erfc,
)


def _cannot_overflow_spuriously(expr: sympy.Basic) -> bool:
    """True if float64 evaluation at finite inputs gives non-finite values only by true overflow.

    Such expressions (piecewise polynomials and bounded functions) skip the safety net.
    """
    for node in sympy.preorder_traversal(expr):
        if isinstance(node, sympy.Pow):
            if not (node.exp.is_Integer and node.exp >= 0):
                return False
        elif isinstance(node, sympy.Function) and not isinstance(node, _SAFE_FUNCS):
            return False
        elif isinstance(node, sympy.Expr) and node.is_number and not node.is_finite:
            return False
    return True


@cached(maxsize=512)
def _numpy_callable(expr: sympy.Expr, x: sympy.Symbol) -> Callable[[ArrayLike], Any]:
    raw = _numpy_raw(expr, x)
    safe = _cannot_overflow_spuriously(expr)

    def f(v: ArrayLike) -> np.ndarray | np.float64:
        arr = np.asarray(v, dtype=np.float64)
        with np.errstate(all="ignore"):
            out = raw(arr)
        out = np.asarray(out, dtype=np.float64)
        if out is arr:
            out = out.copy()
        if out.shape != arr.shape:
            out = np.array(np.broadcast_to(out, arr.shape))
        # Safety net: recompute non-finite values at finite inputs with mpmath.
        # A finite sum proves all entries finite, at a fraction of an isfinite pass.
        if safe:
            total = 0.0
        else:
            with np.errstate(all="ignore"):
                total = np.add.reduce(out, axis=None)
        if not np.isfinite(total):
            bad = np.flatnonzero(~np.isfinite(out) & np.isfinite(arr))
            if bad.size:
                if not out.flags.writeable:
                    out = out.copy()
                body = mp_compiled(expr, x)
                flat_out, flat_in = out.reshape(-1), arr.reshape(-1)
                for i in bad:
                    r = _mp_point(body, float(flat_in[i]))
                    if not math.isnan(r) or math.isnan(flat_out[i]):
                        flat_out[i] = r
        if out.ndim == 0:
            return np.float64(out[()])
        return out

    f.__doc__ = f"Vectorised float64 evaluation of {expr} (symact.numerics.numeric)."
    return f


def numpy_function(expr: sympy.Expr, x: sympy.Symbol) -> Callable[[ArrayLike], Any]:
    r"""Compile ``expr`` into a vectorised, warning-free float64 function of ``x``.

    Parameters
    ----------
    expr : sympy.Expr
        An expression in the single real variable ``x`` (numbers are accepted
        for constant expressions such as a vanishing derivative).
    x : sympy.Symbol
        The variable.

    Returns
    -------
    callable
        ``f(v)``: a scalar gives a ``numpy.float64`` (a ``float`` subclass); an
        array-like of any shape and numeric dtype gives a float64 array of the
        same shape.  Constant expressions broadcast to the input's shape.

    Notes
    -----
    Code is generated with :func:`sympy.lambdify` (common subexpressions
    eliminated, exact constants folded to float64) with ``erf``, ``erfc`` and
    the real branches of ``LambertW`` from :mod:`scipy.special`, and
    ``log(1 + exp(u))`` rewritten to ``numpy.logaddexp(0, u)``.  Floating-point
    warnings are suppressed; any non-finite result at a finite input is
    recomputed point-wise with :func:`mpmath_function` (so ``sigmoid'(-1000)``
    is 0, not ``nan``), and kept only if mpmath finds it non-finite too.

    **Kinks.** A ``Piecewise`` is evaluated with the same conditions as the
    SymPy object -- the first branch whose condition holds wins -- so the
    derivative at a kink follows PyTorch's autograd convention when the
    activation is written as PyTorch computes it: ``relu'(0) = 0``,
    ``hardswish'(-3) = -1/2``.  ``Heaviside(x, h0)`` is ``h0`` at 0, and
    ``DiracDelta`` is 0 everywhere.

    Compiled functions are cached by ``(expr, x)``; repeated calls are free.

    Examples
    --------
    >>> import sympy
    >>> x = sympy.Symbol("x", real=True)
    >>> relu = sympy.Piecewise((x, x > 0), (0, True))
    >>> d = numpy_function(sympy.diff(relu, x), x)
    >>> d([-1.0, 0.0, 2.0])
    array([0., 0., 1.])
    >>> softplus = numpy_function(sympy.log(1 + sympy.exp(x)), x)
    >>> float(softplus(1000))
    1000.0
    >>> gelu = x / 2 * (1 + sympy.erf(x / sympy.sqrt(2)))
    >>> round(float(numpy_function(gelu, x)(1.0)), 12)
    0.841344746069
    """
    expr = check_expression(expr, x)
    return _numpy_callable(expr, x)


