r"""Gaussian expectations :math:`\mathbb{E}[f(\sqrt{q}\,z)]`, :math:`z \sim \mathcal{N}(0, 1)`, certified.

The average-case (mean-field) analysis of a deep network is built from such
expectations: the variance map needs :math:`\mathbb{E}[\varphi(\sqrt{q} z)^2]`,
the slope :math:`\chi_1` needs :math:`\mathbb{E}[\varphi'(\sqrt{q} z)^2]`.

:func:`expect` always computes a **certified enclosure**: the expression is cut
at its breakpoints (:func:`symact.expressions.pieces.split`) and every analytic
piece is integrated in Arb ball arithmetic with a proved Gaussian tail bound
(:func:`symact.numerics.gaussian.gaussian_expectation`).  On top of it:

* pieces that are polynomials times :math:`e^{ax}` (ReLU, leaky ReLU, ELU, SELU,
  hard tanh, ...) get an **exact** closed form from the incomplete-moment
  recursion (:mod:`symact.gaussian.moments`), in milliseconds;
* an expression with :math:`f(x) + f(-x)` constant (sigmoid, tanh, erf, ...) gets
  the exact value by symmetry when SymPy proves that constant within a short budget;
* with ``closed_form=True`` SymPy's ``integrate`` is tried on the remaining
  pieces under ``budget`` seconds.

A closed form is accepted only when it lies inside the certified enclosure (SymPy
1.14 returns a wrong closed form for :math:`\mathbb{E}[\mathrm{GELU}'(z)^2]`; the
enclosure rejects it).  Otherwise the result is ``"certified"``, its value holding
only the digits the enclosure proves.
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
from ..core.precision import DEFAULT_DPS, check_dps, workdps
from ..core.result import Level, Result, enclose, honest_float
from ..core.steps import Record
from ..expressions.activation import x as X
from ..expressions.coerce import as_expression
from ..expressions.pieces import split
from ..expressions.values import check_finite_number
from ..numerics.gaussian import gaussian_enclosure
from .moments import piece_integral

__all__ = ["Expectation", "expect", "gaussian_pieces"]

_SAMPLES = (sympy.Rational(3, 7), sympy.Rational(5, 3))


@dataclass(frozen=True, eq=False, repr=False)
class Expectation(Result):
    r"""The value of a Gaussian expectation, its level and its rigorous enclosure.

    Attributes
    ----------
    value : sympy.Expr
        The closed form (``"exact"``/``"identified"``) or a ``Float`` holding only
        the certified digits (``"certified"``).
    level : {"exact", "certified", "identified"}
    enclosure : (mpmath.mpf, mpmath.mpf)
        Rigorous bounds (``None`` only for a closed form with free parameters).
    method : str
        ``"moment recursion"``, ``"symmetry"``, ``"SymPy integral"`` (each checked
        inside the enclosure) or ``"arb integral"``.
    expr, q : sympy.Expr
        The integrand :math:`f(x)` and the variance :math:`q`.
    steps : tuple of Record
        What was done (``expectation`` records).

    ``exact`` (``level == "exact"``), ``numeric`` (the enclosure's midpoint) and
    ``error`` (its half-width) are derived properties.

    Examples
    --------
    >>> import sympy
    >>> from symact.gaussian.expectation import expect, X
    >>> e = expect(X**2, sympy.Rational(3, 2))
    >>> e.value, e.exact, e.level
    (3/2, True, 'exact')
    >>> e.evalf(5)
    1.5000
    """

    value: sympy.Expr
    level: Level
    enclosure: Any
    method: str
    expr: sympy.Expr = field(default=sympy.S.NaN, compare=False)
    q: sympy.Expr = field(default=sympy.S.One, compare=False)
    steps: tuple[Record, ...] = field(default=(), compare=False)
    note: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.value, sympy.Expr):
            raise TypeError("Expectation.value must be a SymPy expression")
        if self.level not in ("exact", "certified", "identified"):
            raise ValueError(f"unknown level {self.level!r}")
        if self.level == "certified" and self.enclosure is None:
            raise ValueError("a certified Expectation needs its enclosure")

    @property
    def exact(self) -> bool:
        """Whether ``value`` is a proved closed form."""
        return self.level == "exact"

    @property
    def numeric(self) -> Any:
        """The midpoint of the enclosure (``nan`` without one)."""
        if self.enclosure is None:
            return mpmath.nan
        lo, hi = self.enclosure
        with workdps(60):
            return (lo + hi) / 2

    @property
    def error(self) -> Any:
        """Half the width of the enclosure: a rigorous bound on ``|value - numeric|``."""
        if self.enclosure is None:
            return mpmath.nan
        lo, hi = self.enclosure
        with workdps(60):
            return (hi - lo) / 2

    def latex(self) -> str:
        r"""LaTeX for :math:`\mathbb{E}[f(\sqrt{q} z)] = \text{value}`.

        >>> from symact.gaussian.expectation import expect, X
        >>> expect(X**2).latex()
        '\\mathbb{E}_{z \\sim \\mathcal{N}(0,1)}\\left[z^{2}\\right] = 1'
        """
        arg = sympy.sqrt(self.q) * sympy.Symbol("z")
        lhs = sympy.latex(self.expr.subs(X, arg)) if self.expr is not sympy.S.NaN else "f"
        rel = "=" if self.level in ("exact", "identified") else r"\in"
        rhs = sympy.latex(self.value) if rel == "=" else (
            rf"\left[{self.evalf(self._display_digits)} \pm 10^{{{_exponent(self)}}}\right]")
        return rf"\mathbb{{E}}_{{z \sim \mathcal{{N}}(0,1)}}\left[{lhs}\right] {rel} {rhs}"

    def __repr__(self) -> str:
        return f"Expectation({self}, level={self.level!r}, method={self.method!r})"


def _exponent(e: Expectation) -> int:
    err = e.error
    with workdps(30):
        return int(mpmath.floor(mpmath.log10(err))) + 1 if err > 0 else -999


def _refuse_doubly_exponential(expr: sympy.Expr) -> None:
    r"""Refuse, before any work, ``c * exp(h)`` with ``h / x**2 -> oo`` at either end.

    Then :math:`f(\sqrt q z)\,\varphi(z) \to \infty` there for every ``q > 0``, so
    the expectation diverges (``exp(exp(x))``, ``exp(x**3)``).
    """
    coeff, rest = expr.as_independent(X, as_Add=False)
    if not (isinstance(rest, sympy.exp) and coeff.is_positive):
        return
    t = sympy.Dummy("t", positive=True)
    for side, sign in (("+oo", 1), ("-oo", -1)):
        h = rest.args[0].subs(X, sign * t)
        try:
            with time_budget(0.5, clock="cpu"):
                grows = sympy.limit(h / t**2, t, sympy.oo) is sympy.oo
        except (BudgetExceeded, ValueError, TypeError, NotImplementedError, ArithmeticError):
            grows = False
        if grows:
            raise UnsupportedExpression(
                f"the Gaussian expectation of {expr} diverges: it grows faster than exp(x**2) "
                f"as x -> {side}; accepted: functions with |f(x)| <= M |x|^k e^(c|x|)"
            )


def _as_q(q: Any) -> tuple[sympy.Expr, Any]:
    """Return (q as SymPy, q for the ball integrator).

    A result (for example a certified fixed point ``q*``) enters as its enclosure, so the
    expectation encloses its value at every point of it: at the true ``q*`` itself.
    """
    if isinstance(q, Result):
        if q.level == "exact":
            q = q.value
        elif q.enclosure is None or not q.enclosure[0] > 0:
            raise UnsupportedExpression(f"q must be positive with a rigorous enclosure, got {q!r}")
        else:
            lo, hi = q.enclosure
            with workdps(DEFAULT_DPS + 10):
                mid = (lo + hi) / 2
            return sympy.Float(mid, DEFAULT_DPS), (lo, hi)
    if isinstance(q, bool):
        raise UnsupportedExpression("q must be a positive number, not a bool")
    check_finite_number(q, "q (the variance)", "a positive finite number or SymPy expression")
    if isinstance(q, int | Fraction):
        qs: sympy.Expr = sympy.Rational(q.numerator, q.denominator)
    elif isinstance(q, float):
        qs = sympy.Rational(repr(q))  # the decimal it prints as
    elif isinstance(q, mpmath.mpf):
        if not q > 0:
            raise UnsupportedExpression(f"q must be positive, got {q!r}")
        return sympy.Float(q, 30), q  # the ball integrator uses the mpf exactly
    elif isinstance(q, sympy.Expr):
        qs = q
    else:
        raise UnsupportedExpression(f"q must be a positive number or SymPy expression, got {q!r}")
    if qs.is_positive is False or (qs.is_number and not qs.is_positive):
        raise UnsupportedExpression(f"q must be positive, got {q!r}")
    return qs, qs


def _endpoint(b: sympy.Expr) -> sympy.Expr:
    if b.free_symbols or not b.is_extended_real:
        raise UnsupportedExpression(
            f"breakpoint {b} is not a real number; give numeric values to the parameters it depends on"
        )
    return b


def gaussian_pieces(expr: sympy.Expr, x: sympy.Symbol = X) -> list[tuple[sympy.Expr, sympy.Expr, sympy.Expr]]:
    r"""Split ``expr`` into analytic pieces ``(f_i, lo_i, hi_i)`` ordered along the real line.

    The pieces are those of :func:`symact.expressions.pieces.split` (``Piecewise``,
    ``Max``, ``Min``, ``Abs``, ``Heaviside`` and ``sign`` resolved between
    breakpoints), with numeric breakpoints required for integration.

    Raises
    ------
    UnsupportedExpression
        If a breakpoint depends on a free parameter.

    Examples
    --------
    >>> import sympy
    >>> from symact.gaussian.expectation import gaussian_pieces, X
    >>> gaussian_pieces(sympy.Max(0, X))
    [(0, -oo, 0), (x, 0, oo)]
    """
    if expr.is_Pow and expr.exp.is_Integer and expr.exp > 0 and expr.base.has(x):
        # a power of a piecewise function: split the base only (splitting is SymPy work)
        return [(p.expr**expr.exp, _endpoint(p.lo), _endpoint(p.hi)) for p in split(expr.base, x)]
    return [(p.expr, _endpoint(p.lo), _endpoint(p.hi)) for p in split(expr, x)]


def _check_supported(expr: sympy.Expr) -> None:
    if expr.has(sympy.DiracDelta):
        raise UnsupportedExpression(
            f"{expr} contains DiracDelta (a derivative taken across a kink): use the almost-everywhere "
            "derivative, e.g. Activation.derivative(order), which is piecewise"
        )


# -- closed forms -------------------------------------------------------------------------


@cached(maxsize=1024)
def _fast_closed_form(pieces: tuple, q: sympy.Expr) -> tuple[sympy.Expr, str] | None:
    """An exact value by the moment recursion (every piece) or by symmetry, or None."""
    total = sympy.S.Zero
    for e, lo, hi in pieces:
        part = piece_integral(e, lo, hi, q, X)
        if part is None:
            break
        total += part
    else:
        return _tidy(total), "moment recursion"
    if len(pieces) == 1:
        sym = _symmetric_constant(pieces[0][0])
        if sym is not None:
            return sym, "symmetry"
    return None


def _tidy(e: sympy.Expr) -> sympy.Expr:
    if e.is_Rational or sympy.count_ops(e) > 60:
        return e
    try:
        with time_budget(0.3, clock="cpu"):
            simpler = sympy.simplify(e)
    except (BudgetExceeded, Exception):  # noqa: BLE001 - tidying is best effort
        return e
    return simpler if sympy.count_ops(simpler) <= sympy.count_ops(e) else e


def _symmetric_constant(f: sympy.Expr) -> sympy.Expr | None:
    """(f(x) + f(-x))/2 when SymPy proves it constant quickly (then E[f] is that constant)."""
    if sympy.count_ops(f) > 40 or f.free_symbols - {X}:
        return None
    g = f + f.subs(X, -X)
    with workdps(20):
        try:
            a, b = (complex(sympy.N(g.subs(X, v), 20)) for v in (sympy.Rational(7, 10), sympy.Rational(19, 10)))
        except (TypeError, ValueError):
            return None
    if abs(a - b) > 1e-12 * (1 + abs(a)):
        return None
    try:
        with time_budget(0.5, clock="cpu"):
            c = sympy.simplify(g.rewrite(sympy.exp))
    except (BudgetExceeded, Exception):  # noqa: BLE001 - an optional shortcut
        return None
    return c / 2 if not c.has(X) else None


def _sympy_integral(pieces: tuple, q: sympy.Expr) -> sympy.Expr:
    """Integrate every piece against N(0, q) with SymPy; raise ValueError if it cannot."""
    density = sympy.exp(-(X**2) / (2 * q)) / sympy.sqrt(2 * sympy.pi * q)
    total = sympy.S.Zero
    for piece, lo, hi in pieces:
        part = piece_integral(piece, lo, hi, q, X)
        if part is None:
            part = sympy.integrate(sympy.expand(piece) * density, (X, lo, hi), conds="none")
        if part.has(sympy.Integral) or part.has(sympy.S.NaN) or part.has(sympy.zoo):
            raise ValueError("SymPy left an unevaluated integral")
        total += part
    return total


def _inside(closed: sympy.Expr, enc: tuple, dps: int) -> bool:
    try:
        lo, hi = enclose(closed, dps + 15)
    except (ValueError, TypeError):
        return False
    return bool(enc[0] <= lo and hi <= enc[1])


def _sample_substitutions(syms: list[sympy.Symbol]) -> list[dict]:
    subs = []
    for base in _SAMPLES:
        d = {}
        for j, s in enumerate(syms):
            v = base + sympy.Rational(j, 11)
            d[s] = -v if (s.is_positive is False or s.is_negative) else v
        subs.append(d)
    return subs


def _certified(pieces: tuple, q_ball: Any, dps: int) -> tuple:
    return gaussian_enclosure(pieces, q_ball, x=X, dps=dps)


# -- the entry point ----------------------------------------------------------------------


def expect(
    expr_or_act: Any,
    q: Any = 1,
    *,
    dps: int = DEFAULT_DPS,
    closed_form: bool | None = None,
    budget: float = 5.0,
    exact: bool | None = None,
) -> Expectation:
    r"""Gaussian expectation :math:`\mathbb{E}[f(\sqrt{q}\,z)]` with :math:`z \sim \mathcal{N}(0,1)`, certified.

    .. math::

        \mathbb{E}[f(\sqrt{q}\,z)] = \int_{-\infty}^{\infty} f(t)\,
        \frac{e^{-t^2/(2q)}}{\sqrt{2\pi q}}\,dt .

    Parameters
    ----------
    expr_or_act : Activation, catalogue name, SymPy expression, Lambda or formula string
        The integrand :math:`f(x)`.  Other free symbols are parameters (a closed
        form is then required; it is checked at sample parameter values).
    q : positive number or sympy.Expr, default 1
        Variance of the argument.  Floats are read as the decimal they print as;
        ``mpmath.mpf`` values are used exactly.
    dps : int, keyword-only
        Decimal digits certified (the enclosure is narrower than about
        :math:`10^{-\mathrm{dps}-5}`).
    closed_form : bool or None, keyword-only
        ``None`` (default): exact closed forms only where they are fast (the
        moment recursion, symmetry).  ``True``: also try SymPy's ``integrate``
        under ``budget`` seconds.  ``False``: the certified enclosure only.
    budget : float, keyword-only
        CPU seconds (of the calling thread, so the same on a busy machine) for
        SymPy's ``integrate`` with ``closed_form=True``.
    exact : bool, keyword-only
        Old name: ``exact=False`` is ``closed_form=False``.

    Returns
    -------
    Expectation
        Level ``"exact"`` (a closed form inside the certified enclosure),
        ``"certified"`` or, with free parameters, ``"identified"`` for a SymPy
        integral checked at sample values.

    Raises
    ------
    UnsupportedExpression
        No growth bound (e.g. :math:`e^{e^x}`: the expectation may not exist),
        a breakpoint depending on a parameter, a ``DiracDelta``, bad ``q``.

    References
    ----------
    .. [1] B. Poole et al., "Exponential expressivity in deep neural networks through
       transient chaos", NeurIPS 2016.
    .. [2] F. Johansson, "Numerical integration in arbitrary-precision ball arithmetic",
       ICMS 2018.

    Examples
    --------
    >>> import sympy
    >>> from symact.gaussian.expectation import expect, X
    >>> relu = sympy.Piecewise((X, X > 0), (0, True))
    >>> expect(relu).value
    sqrt(2)/(2*sqrt(pi))
    >>> expect(relu**2, 3).value
    3/2
    >>> r = expect(sympy.tanh(X)**2)
    >>> r.level, r.evalf(25)
    ('certified', 0.3942944903978411744164598)
    >>> expect("sigmoid").value
    1/2
    """
    dps = check_dps(dps)
    if exact is not None and closed_form is None:
        closed_form = None if exact else False
    expr = as_expression(expr_or_act)
    _check_supported(expr)
    _refuse_doubly_exponential(expr)
    qs, q_ball = _as_q(q)
    pieces = tuple(gaussian_pieces(expr))
    params = sorted((expr.free_symbols | qs.free_symbols) - {X}, key=lambda s: s.name)
    if params:
        return _parametric(expr, pieces, qs, params, dps, closed_form, budget)
    enc = _certified(pieces, q_ball, dps)
    steps = [Record("expectation", {"integrand": expr, "q": qs, "value": None, "enclosure": enc,
                                    "method": "arb integral"}, "certified",
                    note="acb.integral on each analytic piece plus a proved Gaussian tail bound")]
    note = ""
    if closed_form is not False and not isinstance(qs, sympy.Float):
        found = _fast_closed_form(pieces, qs)
        if found is None and closed_form:
            try:
                with time_budget(budget, clock="cpu"):
                    found = (_sympy_integral(pieces, qs), "SymPy integral")
            except BudgetExceeded:
                note = f"SymPy's integrate did not finish within {budget:g} s of CPU time"
            except (ValueError, TypeError, NotImplementedError) as exc:
                note = f"no closed form ({type(exc).__name__})"
        if found is not None:
            closed, how = found
            if _inside(closed, enc, dps):
                tight = enclose(closed, dps + 10)
                steps.append(Record("expectation", {"integrand": expr, "q": qs, "value": closed,
                                                    "enclosure": tight, "method": how}, "exact",
                                    note="closed form, inside the certified enclosure"))
                return Expectation(closed, "exact", tight, how, expr, qs, tuple(steps))
            note = f"{how} gave {closed}, outside the certified enclosure: rejected"
    value = honest_float(enc[0], enc[1], dps)
    return Expectation(value, "certified", enc, "arb integral", expr, qs, tuple(steps), note)


def _parametric(expr: sympy.Expr, pieces: tuple, qs: sympy.Expr, params: list, dps: int,
                closed_form: bool | None, budget: float) -> Expectation:
    """A closed form with free parameters: exact from the moment recursion, else a checked SymPy integral."""
    total = sympy.S.Zero
    for e, lo, hi in pieces:
        part = piece_integral(e, lo, hi, qs, X)
        if part is None:
            break
        total += part
    else:
        closed = _tidy(total)
        return Expectation(closed, "exact", None, "moment recursion", expr, qs,
                           (Record("expectation", {"integrand": expr, "q": qs, "value": closed,
                                                   "enclosure": None, "method": "moment recursion"}),))
    if closed_form is False:
        raise UnsupportedExpression(
            f"no closed form for an expression with free parameters {params}; substitute numeric values"
        )
    try:
        with time_budget(budget, clock="cpu"):
            closed = _sympy_integral(pieces, qs)
    except (BudgetExceeded, ValueError, TypeError, NotImplementedError) as exc:
        why = (f"SymPy's integrate did not finish within {budget:g} s of CPU time"
               if isinstance(exc, BudgetExceeded) else f"no closed form ({type(exc).__name__})")
        raise UnsupportedExpression(
            f"{why} for an expression with free parameters {params}; "
            "substitute numeric values for them"
        ) from None
    for sub in _sample_substitutions(params):
        pcs = tuple((p.subs(sub), lo, hi) for p, lo, hi in pieces)
        q_sub = qs.subs(sub)
        if not _inside(closed.subs(sub), _certified(pcs, q_sub, dps), dps):
            raise UnsupportedExpression(
                f"SymPy's closed form {closed} lies outside the certified enclosure at {sub}; "
                "substitute numeric values for the parameters"
            )
    return Expectation(closed, "identified", None, "SymPy integral", expr, qs,
                       (Record("expectation", {"integrand": expr, "q": qs, "value": closed, "enclosure": None,
                                               "method": "SymPy integral"}, "identified",
                               note=f"checked inside certified enclosures at {len(_SAMPLES)} parameter values"),))
