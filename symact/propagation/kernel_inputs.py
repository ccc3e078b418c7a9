r"""Checked inputs of the kernel, C-map and spectrum engines: numbers, variances, correlations, depths.

Every check happens before any work, and a refusal is a
:class:`~symact.core.errors.DomainError` (a ``ValueError``) naming the argument, the
value given and the accepted range.  A float is the exact binary number it stands for
(``sympy.Rational(0.1)`` is 3602879701896397/36028797018963968), so nothing built from
a float is labelled exact unless it is; a certified result passed as a number enters
as its enclosure (and the answer is then at most certified).

>>> real_number(0.5, "c"), real_number("1/20", "bias_var")
(1/2, 1/20)
>>> check_depth(-1)
Traceback (most recent call last):
...
symact.core.errors.DomainError: depth must be an integer >= 1, got -1
>>> variance(-2, "weight_var", positive=True)
Traceback (most recent call last):
...
symact.core.errors.DomainError: weight_var must be a positive number (a variance), got -2
"""

from __future__ import annotations

import decimal
import fractions
import math
import numbers
from dataclasses import dataclass
from typing import Any

import mpmath
import sympy

from ..core.errors import DomainError, UnsafeExpression
from ..core.precision import workdps
from ..core.result import Result, enclose
from ..expressions.activation import Activation
from ..expressions.coerce import as_activation
from ..numerics.gaussian import as_ball
from .dual import DualKernel, dual_kernel, is_odd

__all__ = ["KernelProblem", "Number", "check_depth", "correlation", "is_exact", "kernel_problem",
           "real_number", "sign_of", "variance", "variance_arg"]

#: An input number: an exact SymPy number, or the ``(lo, hi)`` enclosure of a certified result.
Number = Any


def is_exact(v: Number) -> bool:
    """Whether ``v`` is an exact SymPy number (not an enclosure)."""
    return isinstance(v, sympy.Expr)


def _show(v: Any) -> str:
    text = str(v) if not isinstance(v, tuple) else f"[{mpmath.nstr(v[0], 8)}, {mpmath.nstr(v[1], 8)}]"
    return text if len(text) <= 60 else text[:57] + "..."


def real_number(v: Any, what: str) -> Number:
    """``v`` as an exact real SymPy number (floats exactly), or a certified result's enclosure.

    >>> real_number(0.1, "q1") == sympy.Rational(3602879701896397, 36028797018963968)
    True
    """
    bad = f"{what} must be a finite real number"
    if isinstance(v, bool):
        raise DomainError(f"{bad}, got the bool {v!r}")
    if isinstance(v, Result):
        if v.level == "exact" and sympy.sympify(v.value).is_number:
            return real_number(v.value, what)
        if v.enclosure is None:
            raise DomainError(f"{bad}; {v} is only sampled (no enclosure): pass an exact number or a "
                              "certified result")
        lo, hi = (mpmath.mpf(t) for t in v.enclosure)
        if not (mpmath.isfinite(lo) and mpmath.isfinite(hi)):
            raise DomainError(f"{bad}, got {v}")
        return (lo, hi)
    if isinstance(v, numbers.Integral):
        return sympy.Integer(int(v))
    if isinstance(v, float | numbers.Real) and not isinstance(v, fractions.Fraction | decimal.Decimal
                                                             | sympy.Basic | mpmath.mpf):
        f = float(v)
        if not math.isfinite(f):
            raise DomainError(f"{bad}, got {v!r}")
        return sympy.Rational(f)
    if isinstance(v, fractions.Fraction):
        return sympy.Rational(v.numerator, v.denominator)
    if isinstance(v, decimal.Decimal):
        if not v.is_finite():
            raise DomainError(f"{bad}, got {v!r}")
        return sympy.Rational(str(v))
    if isinstance(v, mpmath.mpf):
        if not mpmath.isfinite(v):
            raise DomainError(f"{bad}, got {v!r}")
        sign, man, exp, _ = v._mpf_
        return sympy.Integer(0) if not man else sympy.Integer((-1) ** sign * int(man)) * sympy.Integer(2) ** int(exp)
    if isinstance(v, str):
        from ..expressions.parsing import parse_text

        try:
            e = parse_text(v, variables={})
        except (UnsafeExpression, ValueError, SyntaxError, TypeError) as exc:
            raise DomainError(f"{bad}, got {v!r} ({exc})") from None
    else:
        try:
            e = sympy.sympify(v, strict=True)
        except (sympy.SympifyError, TypeError, ValueError):
            raise DomainError(f"{bad}, got {v!r}") from None
    if not isinstance(e, sympy.Expr) or not e.is_number:
        raise DomainError(f"{bad}, got {_show(v)}")
    e = e.xreplace({f: sympy.Rational(f) for f in e.atoms(sympy.Float)})  # a Float is its binary value
    if e.has(sympy.oo, -sympy.oo, sympy.zoo, sympy.nan) or e.is_extended_real is False:
        raise DomainError(f"{bad}, got {_show(v)}")
    if e.is_extended_real is None:
        re, im = sympy.N(e, 30).as_real_imag()
        if im != 0 or not re.is_finite:
            raise DomainError(f"{bad}, got {_show(v)}")
    return e


def sign_of(v: Number, what: str) -> int:
    """The proved sign (-1, 0, 1) of an input number; refuses when it cannot be decided."""
    if is_exact(v):
        if v.is_zero:
            return 0
        if v.is_positive:
            return 1
        if v.is_negative:
            return -1
        lo, hi = enclose(v, 40)
    else:
        lo, hi = v
    if lo > 0:
        return 1
    if hi < 0:
        return -1
    if lo == hi == 0:
        return 0
    raise DomainError(f"cannot decide the sign of {what} = {_show(v)}; pass an exact number")


def _minus(v: Number, t: int) -> Number:
    if is_exact(v):
        return v - t
    return (v[0] - t, v[1] - t)


def variance(v: Any, what: str, *, positive: bool) -> Number:
    """A variance: ``> 0`` when ``positive`` (weights, input variances), else ``>= 0`` (biases)."""
    n = real_number(v, what)
    s = sign_of(n, what)
    if s < 0 or (positive and s == 0):
        kind = "positive number" if positive else "non-negative number"
        raise DomainError(f"{what} must be a {kind} (a variance), got {_show(n)}")
    return n


def correlation(v: Any, what: str = "c") -> Number:
    """A correlation in [-1, 1] (the ends included)."""
    n = real_number(v, what)
    if sign_of(_minus(n, 1), what) > 0 or sign_of(_minus(n, -1), what) < 0:
        raise DomainError(f"{what} must lie in [-1, 1], got {_show(n)}")
    return n


def check_depth(depth: Any, what: str = "depth") -> int:
    """A depth: an integer ``>= 1`` (bools and floats refused)."""
    if isinstance(depth, bool) or not isinstance(depth, numbers.Integral) or int(depth) < 1:
        raise DomainError(f"{what} must be an integer >= 1, got {depth!r}")
    return int(depth)


def variance_arg(v: Any, what: str, *, positive: bool) -> Any:
    """:func:`variance` for engines that take a SymPy number or a result: the checked exact
    number, or the result itself (its enclosure checked) when it is not exact.

    >>> variance_arg(0.5, "weight_var", positive=True)
    1/2
    """
    n = variance(v, what, positive=positive)
    return n if is_exact(n) else v


# -- the NNGP/NTK problem ---------------------------------------------------------------------

@dataclass(frozen=True)
class KernelProblem:
    """A checked NNGP/NTK problem: the dual kernel, depth, variances and the inputs' relations."""

    act: Activation
    dk: DualKernel
    depth: int
    w: Number
    b: Number
    var: tuple[Number, ...]
    cov: dict[tuple[int, int], Number | None]  # k_ij when given (a Gram matrix) or exact
    corr: dict[tuple[int, int], Number | None]  # c_ij when given or exact
    rel: dict[tuple[int, int], str | None]  # "same" (identical inputs), "+1", "-1" (exact), None
    equal_q: dict[tuple[int, int], bool]
    odd: bool

    @property
    def exact_inputs(self) -> bool:
        return all(is_exact(v) for v in (self.w, self.b, *self.var)) and all(
            v is None or is_exact(v) for v in (*self.cov.values(), *self.corr.values()))

    @property
    def n(self) -> int:
        return len(self.var)

    def pairs(self) -> list[tuple[int, int]]:
        return [(i, j) for i in range(self.n) for j in range(i + 1, self.n)]

    def next_rel(self, p: tuple[int, int]) -> str | None:
        """How the exact relation of a pair propagates through one layer (None: |rho| < 1)."""
        st, fam = self.rel[p], self.dk.family
        zero_bias = is_exact(self.b) and self.b == 0
        if st == "same":
            return "same"
        if st == "+1":
            return "+1" if fam == "sign" or (fam == "arc-cosine" and zero_bias) else None
        if st == "-1" and zero_bias:
            linear = fam == "arc-cosine" and sympy.simplify(self.dk.params[0] - self.dk.params[1]) == 0
            if fam == "sign" or linear or (self.odd and self.equal_q[p]):
                return "-1"
        return None


def _equal(a: Number, b: Number) -> bool:
    return is_exact(a) and is_exact(b) and (a == b or sympy.simplify(a - b) == 0)


def kernel_problem(act: Any, depth: Any, weight_var: Any, bias_var: Any, q1: Any, q2: Any, c: Any,
             gram: Any) -> KernelProblem:
    depth = check_depth(depth)
    w = variance(weight_var, "weight_var", positive=True)
    b = variance(bias_var, "bias_var", positive=False)
    cov: dict[tuple[int, int], Any] = {}
    corr: dict[tuple[int, int], Any] = {}
    if gram is not None:
        if q1 is not None or q2 is not None or c is not None:
            raise DomainError("give the inputs either as q1, q2, c or as gram=[[...], ...], not both")
        try:
            rows = [list(r) for r in gram]
        except TypeError:
            raise DomainError(f"gram must be a square matrix (a list of rows), got {gram!r}") from None
        n = len(rows)
        if n == 0 or any(len(r) != n for r in rows):
            raise DomainError("gram must be a non-empty square matrix (a list of rows of equal length)")
        G = [[real_number(v, f"gram[{i}][{j}]") for j, v in enumerate(r)] for i, r in enumerate(rows)]
        var = tuple(variance(G[i][i], f"gram[{i}][{i}]", positive=True) for i in range(n))
        for i in range(n):
            for j in range(i + 1, n):
                if not (G[i][j] == G[j][i] or _equal(G[i][j], G[j][i])):
                    raise DomainError(f"gram must be symmetric: gram[{i}][{j}] = {G[i][j]} but "
                                      f"gram[{j}][{i}] = {G[j][i]}")
                k = G[i][j]
                cov[(i, j)] = k
                what = f"gram[{i}][{j}]/sqrt(gram[{i}][{i}]*gram[{j}][{j}])"
                if all(map(is_exact, (k, var[i], var[j]))):
                    corr[(i, j)] = correlation(k / sympy.sqrt(var[i] * var[j]), what)
                else:  # a certified entry: refuse only what is surely outside [-1, 1]
                    with workdps(40):
                        r = as_ball(k, 40) / (as_ball(var[i], 40) * as_ball(var[j], 40)).sqrt()
                        if r > 1 or r < -1:
                            raise DomainError(f"{what} must lie in [-1, 1], got {r}")
                    corr[(i, j)] = None
    else:
        if q1 is None:
            raise DomainError("give the inputs as q1, q2, c or as gram=[[...], ...]")
        qa = variance(q1, "q1", positive=True)
        if q2 is None and c is None:
            var = (qa,)
        else:
            if c is None:
                raise DomainError("give the correlation c (in [-1, 1]) of the two inputs")
            qb = qa if q2 is None else variance(q2, "q2", positive=True)
            cc = correlation(c, "c")
            var = (qa, qb)
            corr[(0, 1)] = cc
            cov[(0, 1)] = cc * sympy.sqrt(qa * qb) if all(map(is_exact, (qa, qb, cc))) else None
    rel, equal_q = {}, {}
    for (i, j), cij in corr.items():
        equal_q[(i, j)] = _equal(var[i], var[j])
        st = None
        if cij is not None and is_exact(cij):
            if _equal(cij, sympy.Integer(1)):
                st = "same" if equal_q[(i, j)] else "+1"
            elif _equal(cij, sympy.Integer(-1)):
                st = "-1"
        rel[(i, j)] = st
    a = as_activation(act)
    dk = dual_kernel(a)
    return KernelProblem(a, dk, depth, w, b, var, cov, corr, rel, equal_q, is_odd(a.expr))
