r"""Gaussian expectations :math:`\mathbb{E}[f(\sqrt{q}\,z)]`, :math:`z \sim \mathcal{N}(0, 1)`.

The average-case (mean-field) analysis of a deep network is built from such
expectations: the variance map needs :math:`\mathbb{E}[\varphi(\sqrt{q} z)^2]`,
the slope :math:`\chi_1` needs :math:`\mathbb{E}[\varphi'(\sqrt{q} z)^2]`.

:func:`expect` first tries an exact closed form: the expression is split at the
breakpoints of its ``Piecewise`` pieces (``Max``, ``Min``, ``Abs``, ``Heaviside``
and ``sign`` are rewritten to ``Piecewise`` first) and every piece is integrated
against the Gaussian density with SymPy, under a time budget.  A closed form is
*never* trusted on its own: it is compared with an mpmath quadrature (split at
the same breakpoints, at ``dps + 10`` digits) and kept only when the two agree to
``dps - 5`` digits.  Otherwise -- no closed form, budget exceeded, or SymPy
returned a wrong one (it does for :math:`\mathbb{E}[\mathrm{GELU}'(z)^2]`) -- the
result is the quadrature value, flagged ``exact=False``, with the reason in
``method``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import mpmath
import sympy

from ..core.budget import BudgetExceeded, time_budget
from ..core.cache import cached
from ..core.errors import UnsupportedExpression
from ..core.precision import workdps
from ..expressions.activation import x as X
from ..expressions.coerce import as_expression
from ..expressions.pieces import split
from ..expressions.simplify import lighten

__all__ = ["Expectation", "expect", "gaussian_pieces"]

_SAMPLES = (sympy.Rational(3, 7), sympy.Rational(5, 3))


@dataclass(frozen=True)
class Expectation:
    r"""The value of a Gaussian expectation and how it was obtained.

    Attributes
    ----------
    value : sympy.Expr
        Exact closed form when ``exact``, else a ``Float`` at the requested precision.
    exact : bool
        Whether ``value`` is a closed form verified against quadrature.
    numeric : mpmath.mpf
        High-precision quadrature value (always computed; ``nan`` when the
        expression has free parameters other than ``x``).
    error : mpmath.mpf
        Estimated absolute error of ``numeric``; for exact results,
        :math:`|\text{closed form} - \text{quadrature}|` (for symbolic parameters,
        the largest such difference over the sample values that were checked).
    method : str
        How the value was obtained, and why a closed form was rejected if it was.
    expr, q : sympy.Expr
        The integrand :math:`f(x)` and the variance :math:`q`.

    Examples
    --------
    >>> import sympy
    >>> from symact.propagation.expectation import expect, X
    >>> e = expect(X**2, sympy.Rational(3, 2))
    >>> e.value, e.exact
    (3/2, True)
    >>> e.evalf(5)
    1.5000
    """

    value: sympy.Expr
    exact: bool
    numeric: Any
    error: Any
    method: str
    expr: sympy.Expr = field(default=sympy.S.NaN, compare=False)
    q: sympy.Expr = field(default=sympy.S.One, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.value, sympy.Expr):
            raise TypeError("Expectation.value must be a SymPy expression")
        if self.exact is False and not (self.value.is_Number or self.value is sympy.S.NaN):
            raise ValueError("a non-exact Expectation must hold a numeric value")

    def evalf(self, digits: int = 15) -> sympy.Expr:
        r"""Return the value as a SymPy ``Float`` with ``digits`` significant digits.

        >>> from symact.propagation.expectation import expect, X
        >>> expect(X**4).evalf(3)
        3.00
        """
        return sympy.N(self.value, digits)

    def latex(self) -> str:
        r"""LaTeX for :math:`\mathbb{E}[f(\sqrt{q} z)] = \text{value}`.

        >>> from symact.propagation.expectation import expect, X
        >>> expect(X**2).latex()
        '\\mathbb{E}_{z \\sim \\mathcal{N}(0,1)}\\left[z^{2}\\right] = 1'
        """
        arg = sympy.sqrt(self.q) * sympy.Symbol("z")
        lhs = sympy.latex(self.expr.subs(X, arg)) if self.expr is not sympy.S.NaN else "f"
        rel = "=" if self.exact else r"\approx"
        return rf"\mathbb{{E}}_{{z \sim \mathcal{{N}}(0,1)}}\left[{lhs}\right] {rel} {sympy.latex(self.value)}"

    def _repr_latex_(self) -> str:
        return rf"$\displaystyle {self.latex()}$"

    def __repr__(self) -> str:
        approx = mpmath.nstr(self.numeric, 15) if self.numeric == self.numeric else "-"
        return (
            f"Expectation(value={self.value}, exact={self.exact}, numeric≈{approx}, "
            f"error≤{mpmath.nstr(self.error, 3)}, method={self.method!r})"
        )


def _as_q(q: Any) -> tuple[sympy.Expr, bool]:
    """Return (q as SymPy, whether the exact route makes sense)."""
    if isinstance(q, bool):
        raise UnsupportedExpression("q must be a positive number, not a bool")
    if isinstance(q, int | Fraction):
        qs: sympy.Expr = sympy.Rational(q.numerator, q.denominator) if isinstance(q, Fraction) else sympy.Integer(q)
        exact_ok = True
    elif isinstance(q, float):
        qs, exact_ok = sympy.Rational(repr(q)), True
    elif isinstance(q, mpmath.mpf):
        qs, exact_ok = sympy.Float(q, max(mpmath.mp.dps, 15)), False
    elif isinstance(q, sympy.Expr):
        qs, exact_ok = q, not isinstance(q, sympy.Float)
    else:
        raise UnsupportedExpression(f"q must be a positive number or SymPy expression, got {q!r}")
    if qs.is_positive is False or (qs.is_number and not qs.is_positive):
        raise UnsupportedExpression(f"q must be positive, got {q!r}")
    return qs, exact_ok


def _endpoint(b: sympy.Expr) -> sympy.Expr:
    if b.free_symbols or not b.is_extended_real:
        raise UnsupportedExpression(
            f"breakpoint {b} is not a real number; give numeric values to the parameters it depends on"
        )
    return b


def gaussian_pieces(expr: sympy.Expr, x: sympy.Symbol = X) -> list[tuple[sympy.Expr, sympy.Expr, sympy.Expr]]:
    r"""Split ``expr`` into smooth pieces ``(f_i, lo_i, hi_i)`` ordered along the real line.

    The pieces are those of :func:`symact.expressions.pieces.split` (``Piecewise``, ``Max``,
    ``Min``, ``Abs``, ``Heaviside`` and ``sign`` resolved between breakpoints),
    with numeric breakpoints required for quadrature.

    Raises
    ------
    UnsupportedExpression
        If a breakpoint depends on a free parameter.

    Examples
    --------
    >>> import sympy
    >>> from symact.propagation.expectation import gaussian_pieces, X
    >>> gaussian_pieces(sympy.Max(0, X))
    [(0, -oo, 0), (x, 0, oo)]
    """
    return [(p.expr, _endpoint(p.lo), _endpoint(p.hi)) for p in split(expr, x)]


@cached(maxsize=512)
def _mp_callable(e: sympy.Expr) -> Any:
    return sympy.lambdify(X, e, modules="mpmath")


def quadrature(pieces: list, q: Any, dps: int, weight: Any = None) -> tuple[Any, Any]:
    """mpmath quadrature of sum_i ∫_{lo_i}^{hi_i} f_i(t) w(t) N(t; 0, q) dt at ``dps + 10`` digits.

    ``q`` is a SymPy number or an mpmath number; ``weight(t, q)`` (default 1) multiplies
    the integrand, e.g. the score ``(t²/q - 1)/(2q)`` that gives ``d/dq E[f(√q z)]``.
    """
    with workdps(dps + 10):
        qm = mpmath.mpf(q) if isinstance(q, mpmath.mpf) else mpmath.mpf(sympy.Float(sympy.N(q, dps + 15), dps + 15))
        norm = 1 / mpmath.sqrt(2 * mpmath.pi * qm)
        total, err = mpmath.mpf(0), mpmath.mpf(0)
        for piece, lo, hi in pieces:
            f = _mp_callable(piece)
            a = mpmath.mpf(sympy.Float(lo, dps + 15)) if lo.is_finite else mpmath.ninf
            b = mpmath.mpf(sympy.Float(hi, dps + 15)) if hi.is_finite else mpmath.inf
            pts = [a, b]
            if a < 0 < b:
                pts = [a, mpmath.mpf(0), b]

            def integrand(t: Any, f: Any = f) -> Any:
                w = 1 if weight is None else weight(t, qm)
                return f(t) * w * mpmath.exp(-t * t / (2 * qm))

            val, e = mpmath.quad(integrand, pts, error=True, maxdegree=10)
            total += val * norm
            err += abs(e) * norm
        return +total, +err


def _closed_form(pieces: list, q: sympy.Expr) -> sympy.Expr:
    """Integrate every piece against N(0, q) with SymPy; raise ValueError if it cannot."""
    density = sympy.exp(-(X**2) / (2 * q)) / sympy.sqrt(2 * sympy.pi * q)
    total = sympy.S.Zero
    for piece, lo, hi in pieces:
        const, g = piece.as_independent(X, as_Add=False)
        if not g.has(X):
            const, g = piece, sympy.S.One
        if lo is sympy.S.NegativeInfinity and hi is sympy.S.Infinity and g.has(X):
            even = g + g.subs(X, -X)
            with time_budget(1.0):
                even = sympy.simplify(even / 2)
            if not even.has(X):  # the odd part integrates to zero
                total += const * even
                continue
        if not g.has(X):
            r = g * (sympy.erf(hi / sympy.sqrt(2 * q)) - sympy.erf(lo / sympy.sqrt(2 * q))) / 2
        else:
            r = sympy.integrate(sympy.expand(g) * density, (X, lo, hi), conds="none")
        if r.has(sympy.Integral) or r.has(sympy.S.NaN) or r.has(sympy.zoo):
            raise ValueError("SymPy left an unevaluated integral")
        total += const * r
    return lighten(total, 2.0)


def _mpf_of(e: sympy.Expr, dps: int) -> Any:
    v = sympy.N(e, dps + 10)
    re, im = v.as_real_imag()
    if im != 0 and abs(im) > sympy.Float(10) ** (-(dps + 5)):
        raise ValueError(f"closed form has imaginary part {im}")
    if not re.is_Number:
        raise ValueError(f"closed form {e} does not evaluate to a number")
    with workdps(dps + 10):
        return mpmath.mpf(sympy.Float(re, dps + 10))


def _sample_substitutions(syms: list[sympy.Symbol]) -> list[dict]:
    subs = []
    for k, base in enumerate(_SAMPLES):
        d = {}
        for j, s in enumerate(syms):
            v = base + sympy.Rational(j, 11)
            if s.is_positive is False or s.is_negative:
                v = -v
            d[s] = v
        subs.append(d)
        if not syms and k == 0:
            break
    return subs


def expect(
    expr_or_act: Any,
    q: Any = 1,
    *,
    dps: int = 30,
    exact: bool = True,
    budget: float = 5.0,
) -> Expectation:
    r"""Gaussian expectation :math:`\mathbb{E}[f(\sqrt{q}\,z)]` with :math:`z \sim \mathcal{N}(0,1)`.

    .. math::

        \mathbb{E}[f(\sqrt{q}\,z)] = \int_{-\infty}^{\infty} f(t)\,
        \frac{e^{-t^2/(2q)}}{\sqrt{2\pi q}}\,dt .

    Parameters
    ----------
    expr_or_act : sympy.Expr or Activation
        The integrand :math:`f(x)` in the real symbol ``x``; an ``Activation`` is
        used through its ``.expr``.  Other free symbols are treated as parameters.
    q : positive number or sympy.Expr, default 1
        Variance of the argument.  Integers, fractions, floats (read as the decimal
        they print as) and exact SymPy numbers allow a closed form; ``mpmath.mpf``
        and SymPy ``Float`` go straight to quadrature.
    dps : int, keyword-only
        Decimal digits of the result; the quadrature runs at ``dps + 10``.
    exact : bool, keyword-only
        Try the SymPy closed form first (default).  ``False`` gives quadrature only.
    budget : float, keyword-only
        Seconds allowed for the symbolic integration before falling back.

    Returns
    -------
    Expectation
        ``value`` exact only when the closed form agrees with quadrature to
        ``dps - 5`` digits (with free parameters: at two sets of sample values).

    Notes
    -----
    SymPy 1.14 returns a wrong closed form for :math:`\mathbb{E}[\mathrm{GELU}'(z)^2]`
    (true value :math:`1/3 + 2/(3\sqrt{3}\pi)`); the quadrature check rejects it.

    References
    ----------
    .. [1] B. Poole et al., "Exponential expressivity in deep neural networks through
       transient chaos", NeurIPS 2016.
    .. [2] S. S. Schoenholz et al., "Deep information propagation", ICLR 2017.

    Examples
    --------
    >>> import sympy
    >>> from symact.propagation.expectation import expect, X
    >>> relu = sympy.Piecewise((X, X > 0), (0, True))
    >>> expect(relu).value
    sqrt(2)/(2*sqrt(pi))
    >>> expect(relu**2, 3).value
    3/2
    >>> r = expect(sympy.tanh(X)**2, dps=20)
    >>> r.exact, r.evalf(10)
    (False, 0.3942944904)
    """
    expr = as_expression(expr_or_act)
    qs, exact_ok = _as_q(q)
    if dps < 10:
        raise ValueError(f"dps must be at least 10, got {dps}")
    pieces = gaussian_pieces(expr)
    params = sorted((expr.free_symbols | qs.free_symbols) - {X}, key=lambda s: s.name)
    note = ""
    if exact and exact_ok:
        try:
            with time_budget(budget):
                closed = _closed_form(pieces, qs)
            tol = mpmath.mpf(10) ** (-(dps - 5))
            worst = mpmath.mpf(0)
            numeric = mpmath.nan
            for sub in _sample_substitutions(params):
                pcs = [(p.subs(sub), lo, hi) for p, lo, hi in pieces]
                num, qerr = quadrature(pcs, qs.subs(sub), dps)
                cf = _mpf_of(closed.subs(sub), dps)
                diff = abs(cf - num)
                if diff > tol * max(1, abs(num)) or qerr > tol * max(1, abs(num)):
                    raise ArithmeticError(
                        f"SymPy's closed form {closed} disagrees with quadrature "
                        f"(difference {mpmath.nstr(diff, 3)})"
                    )
                worst = max(worst, diff)
                if not params:
                    numeric = num
            method = f"exact (SymPy integral, checked against quadrature to {dps - 5} digits"
            method += ")" if not params else f" at {len(_SAMPLES)} sample parameter values)"
            return Expectation(closed, True, numeric, worst, method, expr, qs)
        except BudgetExceeded:
            note = f"; no closed form within the {budget:g} s budget"
        except ArithmeticError as exc:
            note = f"; rejected: {exc}"
        except (ValueError, TypeError, NotImplementedError) as exc:
            note = f"; no closed form ({type(exc).__name__})"
    if params:
        raise UnsupportedExpression(
            f"no verified closed form for an expression with free parameters {params}{note}; "
            "substitute numeric values for them"
        )
    num, qerr = quadrature(pieces, qs, dps)
    with workdps(dps + 10):
        value = sympy.Float(mpmath.nstr(num, dps + 5, strip_zeros=False), dps)
    method = "numeric (tanh-sinh quadrature at dps + 10, split at breakpoints)" + note
    return Expectation(value, False, num, qerr, method, expr, qs)
