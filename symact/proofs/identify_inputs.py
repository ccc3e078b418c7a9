r"""What :func:`~symact.proofs.identify.identify` reads: the number, its uncertainty, the bases.

A number arrives as a symact result (its rigorous enclosure, and a way to recompute it
at a higher precision where symact knows one), a float (the double it is, give or take
4 units in its last place), a decimal string (one unit of its last digit), a fraction,
an mpmath interval or a SymPy constant; :func:`target` turns each into a :class:`Target`.
:func:`default_basis` lists the constants tried by default.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import mpmath
import sympy

from ..core.precision import workdps, workprec
from ..core.result import Result

__all__ = ["Target", "default_basis", "exact_mpf", "refined", "target", "user_basis"]

_PI, _E = sympy.pi, sympy.E


@dataclass(frozen=True)
class Target:
    """A number known to lie in ``[lo, hi]``, where it came from, and how to refine it."""

    lo: mpmath.mpf
    hi: mpmath.mpf
    source: str
    exact: sympy.Expr | None = None
    refine: Callable[[int], tuple[mpmath.mpf, mpmath.mpf]] | None = None
    constants: tuple[sympy.Expr, ...] = ()

    @property
    def digits(self) -> float:
        """Decimal digits known (relative), from the enclosure's width."""
        with workdps(40):
            mid = abs(self.lo + self.hi) / 2
            width = self.hi - self.lo
            if width == 0:
                return math.inf
            scale = max(mid, mpmath.mpf(10) ** -30)
            return float(-mpmath.log10(width / scale))


def _decimal_string(text: str, tol: Any) -> Target:
    t = text.strip()
    try:
        value = sympy.Rational(t) if "/" in t else None
    except (TypeError, ValueError, SyntaxError):
        value = None
    if value is not None:
        return _rationaltarget(value, tol, "rational string")
    import decimal

    try:
        d = decimal.Decimal(t)
    except decimal.InvalidOperation:
        raise ValueError(
            f"cannot read {t[:40]!r} as a number: give a decimal such as '1.4669422069' "
            "(its last digit sets the uncertainty), a fraction 'p/q', a float, an mpmath "
            "interval or a symact result"
        ) from None
    if not d.is_finite():
        raise ValueError(f"identify needs a finite number, got {t[:40]!r}")
    exact = sympy.Rational(str(d))
    unit = sympy.Rational(10) ** d.as_tuple().exponent  # one unit of the last digit
    half = sympy.Rational(_tolerance(tol)) if tol is not None else unit
    with workdps(len(d.as_tuple().digits) + 30):
        lo = mpmath.mpf(exact.p) / exact.q - mpmath.mpf(half.p) / half.q
        hi = mpmath.mpf(exact.p) / exact.q + mpmath.mpf(half.p) / half.q
    return Target(lo, hi, "decimal string")


def _tolerance(tol: Any) -> sympy.Rational:
    try:
        t = sympy.Rational(tol)
    except (TypeError, ValueError):
        raise ValueError(f"tol must be a positive number, got {tol!r}") from None
    if not t > 0:
        raise ValueError(f"tol must be a positive number, got {tol!r}")
    return t


def _rationaltarget(value: sympy.Rational, tol: Any, source: str) -> Target:
    with workdps(60):
        v = mpmath.mpf(value.p) / value.q
        if tol is None:
            return Target(v, v, source, exact=value)
        t = _tolerance(tol)
        w = mpmath.mpf(t.p) / t.q
        return Target(v - w, v + w, source)


def _floattarget(value: float, tol: Any) -> Target:
    if not math.isfinite(value):
        raise ValueError(f"identify needs a finite number, got {value!r}")
    if tol is None:
        w = sympy.Rational(4 * math.ulp(value)) if value else sympy.Rational(1, 10**300)
        source = "float64 (+-4 ulp)"
    else:
        w, source = _tolerance(tol), "float64 (+-tol)"
    with workdps(60):
        v = mpmath.mpf(value)
        return Target(v - mpmath.mpf(w.p) / w.q, v + mpmath.mpf(w.p) / w.q, source)


def _resulttarget(value: Result, tol: Any) -> Target:
    if value.enclosure is None:
        raise ValueError(
            f"a {value.level} result has no rigorous enclosure to identify; "
            "pass a float or a decimal string with tol= instead"
        )
    lo, hi = value.enclosure
    exact = value.value if value.level == "exact" and value.value.is_number else None
    refine = _refiner(value)
    constants = _constants_of(value)
    if tol is not None:
        t = _tolerance(tol)
        with workdps(60):
            mid = (mpmath.mpf(lo) + mpmath.mpf(hi)) / 2
            w = mpmath.mpf(t.p) / t.q
            return Target(mid - w, mid + w, f"{type(value).__name__} (+-tol)",
                           constants=constants)
    return Target(exact_mpf(lo), exact_mpf(hi), type(value).__name__, exact, refine, constants)


def _refiner(value: Result) -> Callable[[int], tuple[mpmath.mpf, mpmath.mpf]] | None:
    """How to recompute ``value`` at a higher precision, where symact knows how."""
    if value.level == "exact" and value.value.is_number:
        from ..core.result import enclose

        form = value.value
        return lambda dps: enclose(form, dps)
    recompute = getattr(value, "recompute", None)
    if callable(recompute):
        return lambda dps: recompute(dps=dps).enclosure
    expr, q = getattr(value, "expr", None), getattr(value, "q", None)
    if type(value).__name__ == "Expectation" and isinstance(expr, sympy.Expr) and q is not None:
        from ..gaussian.expectation import expect

        return lambda dps: expect(expr, q, dps=dps, closed_form=False).enclosure
    return None


def _constants_of(value: Result) -> tuple[sympy.Expr, ...]:
    expr = getattr(value, "expr", None)
    if not isinstance(expr, sympy.Expr):
        return ()
    found: list[sympy.Expr] = []
    for a in sympy.preorder_traversal(expr):
        if isinstance(a, sympy.Expr) and a.is_number and not a.is_Rational and a.is_real \
                and len(sympy.srepr(a)) < 80:
            found.append(a)
    return tuple(dict.fromkeys(found))


def target(value: Any, tol: Any) -> Target:
    """The number ``value`` and its uncertainty, from any input :func:`~symact.proofs.identify.identify` accepts.

    >>> t = target("0.125", None)
    >>> float(t.lo), float(t.hi)
    (0.124, 0.126)
    """
    if isinstance(value, Result):
        return _resulttarget(value, tol)
    if isinstance(value, bool):
        raise TypeError("identify takes a number, not a bool")
    if isinstance(value, str):
        return _decimal_string(value, tol)
    if isinstance(value, float):
        return _floattarget(value, tol)
    if isinstance(value, numbers.Integral | Fraction):
        return _rationaltarget(sympy.Rational(value), tol, "rational")
    if isinstance(value, mpmath.ctx_iv.ivmpf):
        with workprec(max(mpmath.iv.prec, 53)):
            lo, hi = +mpmath.mpf(value.a), +mpmath.mpf(value.b)
        if not (mpmath.isfinite(lo) and mpmath.isfinite(hi)):
            raise ValueError("identify needs a finite interval")
        return Target(lo, hi, "mpmath interval")
    if isinstance(value, sympy.Expr) and value.is_number:
        if value.is_Rational:
            return _rationaltarget(value, tol, "rational")
        if value.has(sympy.Float):
            raise TypeError(
                f"{value} holds a SymPy Float of unknown accuracy; pass a Python float, a "
                "decimal string or tol="
            )
        from ..core.result import enclose

        lo, hi = enclose(value, 60)
        return Target(lo, hi, "closed form", exact=value, refine=lambda d: enclose(value, d))
    raise TypeError(
        f"identify takes a symact result, a float, a decimal string, a fraction, an mpmath "
        f"interval or a SymPy number, got {type(value).__name__}"
    )


def default_basis(constants: Iterable[sympy.Expr] = ()) -> tuple[sympy.Expr, ...]:
    r"""The constants :func:`identify` tries by default, those of ``constants`` first.

    For every constant :math:`c` of the activation's definition it adds :math:`1/c`,
    :math:`c/\pi` and :math:`1/(c\pi)`; then the constants of Gaussian calculus,
    kernels and critical-point equations.

    >>> b = default_basis([sympy.sqrt(2)])
    >>> b[:3]
    (sqrt(2), sqrt(2)/2, sqrt(2)/pi)
    >>> sympy.asin(sympy.Rational(2, 3)) / sympy.pi in b, sympy.LambertW(sympy.exp(-1)) in b
    (True, True)
    """
    out: list[sympy.Expr] = []
    for c in constants:
        c = sympy.nsimplify(c) if c.has(sympy.Float) else c
        out += [c, 1 / c, c / _PI, 1 / (c * _PI)]
    s2, s3, s5 = sympy.sqrt(2), sympy.sqrt(3), sympy.sqrt(5)
    half = sympy.S.Half
    # the constants that Gaussian integrals, kernels and critical points of this field
    # produce most often come first (a quick search uses only the first ones)
    out += [1 / _PI, 1 / sympy.sqrt(2 * _PI), 1 / sympy.sqrt(_PI), s2, s3, 1 / (s3 * _PI),
            s3 / _PI, s2 / _PI, sympy.asin(sympy.Rational(2, 3)) / _PI,
            sympy.asin(sympy.Rational(1, 3)) / _PI, sympy.LambertW(sympy.exp(-1)),
            sympy.erf(1), sympy.exp(-1) / sympy.sqrt(_PI), sympy.erf(1 / s2),
            sympy.exp(half) * sympy.erfc(1 / s2), sympy.exp(2) * sympy.erfc(s2),
            _E, 1 / _E, sympy.exp(-half) / sympy.sqrt(2 * _PI), _PI, sympy.sqrt(_PI),
            sympy.log(2), 1 / (s5 * _PI), s5, sympy.sqrt(6), sympy.sqrt(_PI / 2), _PI**2,
            1 / _PI**2, sympy.exp(2), sympy.exp(-2), sympy.exp(half), sympy.exp(-half),
            sympy.log(3), sympy.exp(-2) / sympy.sqrt(2 * _PI), sympy.exp(-half) / sympy.sqrt(_PI)]
    for a in (half, s2, 2, sympy.Rational(1, 4)):
        out.append(sympy.erf(a))
    out.append(sympy.exp(sympy.Rational(9, 2)) * sympy.erfc(3 / s2))
    for p, q in ((1, 4), (3, 4), (1, 5), (2, 5), (3, 5), (4, 5), (1, 7), (2, 7)):
        out.append(sympy.asin(sympy.Rational(p, q)) / _PI)
    out += [sympy.atan(s2) / _PI, sympy.atan(half) / _PI]
    out += [sympy.LambertW(1), sympy.LambertW(2), sympy.LambertW(2 * sympy.exp(-2)),
            sympy.LambertW(sympy.exp(-2))]
    unique: list[sympy.Expr] = []
    for c in out:
        if c.is_Rational or c in unique:
            continue
        unique.append(c)
    return tuple(unique)




def exact_mpf(v: Any) -> mpmath.mpf:
    """An mpf holding ``v`` exactly (never rounded to the global precision)."""
    if isinstance(v, mpmath.mpf):
        return v
    with workprec(4000):
        return +mpmath.mpf(v)


def refined(t: Target, dps: int) -> Target:
    """``t`` recomputed to ``dps`` digits where its source allows (else ``t`` itself)."""
    if t.refine is None or t.digits >= dps:
        return t
    lo, hi = t.refine(dps)
    return Target(exact_mpf(lo), exact_mpf(hi), t.source, t.exact, t.refine, t.constants)


def user_basis(basis: Sequence[Any]) -> tuple[sympy.Expr, ...]:
    """The exact constants of a user's basis (``1`` dropped: it is always included).

    >>> user_basis(["pi", sympy.sqrt(2), 1])
    (pi, sqrt(2))
    """
    out: list[sympy.Expr] = []
    for b in basis:
        if isinstance(b, str):
            from ..expressions.coerce import as_expression

            e = as_expression(b, allow_parameters=False)
        else:
            e = sympy.sympify(b, strict=True) if isinstance(b, int | sympy.Basic) else b
        if not isinstance(e, sympy.Expr) or not e.is_number or e.has(sympy.Float) \
                or e.is_real is False:
            raise ValueError(
                f"basis entries must be exact real constants such as pi, sqrt(2), "
                f"erf(1), log(2); got {b!r}")
        if e == 0 or e.is_Rational:
            continue  # 1 is always in the basis
        out.append(e)
    if not out:
        raise ValueError("basis needs at least one irrational constant (1 is always included)")
    return tuple(dict.fromkeys(out))
