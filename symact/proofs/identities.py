r"""Identities a derivation can state: derivative rules used, and phi' in terms of phi.

>>> from symact.expressions.activation import x
>>> rules(x * sympy.exp(-x))
['product rule', 'chain rule']
>>> s = 1 / (1 + sympy.exp(-x))
>>> find_identities(s, sympy.diff(s, x))
[(1 - varphi(x))*varphi(x)]
"""

from __future__ import annotations

import mpmath
import sympy

from ..core.budget import BudgetExceeded, time_budget
from ..core.precision import workdps
from ..expressions.activation import x
from ..expressions.simplify import tidy

__all__ = ["find_identities", "is_zero", "rules"]

_BUDGET = 4.0
# ---------------------------------------------------------------------------
def is_zero(expr: sympy.Expr, *, seconds: float = _BUDGET) -> bool:
    r"""Whether SymPy proves ``expr == 0`` (simplify, then after rewriting to ``exp``;
    with Lambert W also after :math:`e^{W(z)} = z/W(z)`, which ``simplify`` does not know).

    >>> is_zero(sympy.tanh(x) - (1 - 2 / (1 + sympy.exp(2 * x))))
    True
    >>> is_zero(sympy.sin(x))
    False
    >>> is_zero(sympy.LambertW(x) * sympy.exp(sympy.LambertW(x)) - x)
    True
    """
    try:
        with time_budget(seconds, clock="cpu"):
            if expr == 0 or sympy.simplify(expr) == 0:
                return True
            if expr.has(sympy.LambertW) and tidy(expr, seconds) == 0:
                return True
            rewritten = expr.rewrite(sympy.exp)
            if sympy.simplify(rewritten) == 0:
                return True
            return sympy.simplify(sympy.expand(sympy.together(rewritten))) == 0
    except (BudgetExceeded, Exception):  # noqa: BLE001
        return False


def rules(expr: sympy.Expr) -> list[str]:
    """The differentiation rules the expression's structure calls for."""
    rules: list[str] = []
    for node in sympy.preorder_traversal(expr):
        if x not in getattr(node, "free_symbols", ()):
            continue
        if isinstance(node, sympy.Pow) and node.exp.is_negative and x in node.base.free_symbols:
            rules.append("quotient rule")
        elif isinstance(node, sympy.Mul) and sum(x in a.free_symbols for a in node.args) > 1:
            rules.append("product rule")
        elif isinstance(node, sympy.Function) and node.args and node.args[0] != x:
            rules.append("chain rule")
        elif isinstance(node, sympy.Pow) and x in node.exp.free_symbols:
            rules.append("chain rule")
    seen: list[str] = []
    for r in rules:
        if r not in seen:
            seen.append(r)
    return seen


def _num(v: sympy.Expr, dps: int = 30) -> mpmath.mpf | None:
    try:
        with workdps(dps):
            val = sympy.N(v, dps)
            if not val.is_real:
                return None
            return mpmath.mpf(val)
    except (TypeError, ValueError):
        return None


_U = sympy.Symbol("varphi")


def _identity_candidates() -> list[tuple[sympy.Expr, str]]:
    u, s = _U, 1 / (1 + sympy.exp(-x))
    return [
        (u * (1 - u), "φ(1 − φ)"),
        (1 - u**2, "1 − φ²"),
        (1 + u**2, "1 + φ²"),
        (u + s * (1 - u), "φ + σ(x)(1 − φ)"),
        (1 - sympy.exp(-u), "1 − exp(−φ)"),
        (sympy.exp(u), "exp(φ)"),
        (u + 1, "φ + 1"),
    ]


def _quadratic_fit(y: sympy.Expr, d: sympy.Expr) -> sympy.Expr | None:
    """Coefficients of d = a + b y + c y**2 solved from three points, then rationalised."""
    pts = [sympy.Rational(-3, 7), sympy.Rational(2, 5), sympy.Rational(9, 7), sympy.Rational(-11, 5)]
    with workdps(40):
        ys, ds = [_num(y.subs(x, p), 40) for p in pts], [_num(d.subs(x, p), 40) for p in pts]
        if any(v is None for v in ys + ds):
            return None
        try:
            sol = mpmath.lu_solve(mpmath.matrix([[1, v, v * v] for v in ys[:3]]), mpmath.matrix(ds[:3]))
        except (ZeroDivisionError, ValueError):
            return None
        coeffs = []
        for c in sol:
            q = sympy.nsimplify(sympy.Float(mpmath.nstr(c, 30), 30), rational=True, tolerance=1e-25)
            if not isinstance(q, sympy.Rational) or q.q > 1000:
                return None
            coeffs.append(q)
        if abs(ds[3] - (coeffs[0] + coeffs[1] * ys[3] + coeffs[2] * ys[3] ** 2)) > mpmath.mpf(10) ** -25:
            return None
    if coeffs[2] == 0 and coeffs[1] == 0:
        return None  # a constant derivative needs no identity
    return sympy.factor(coeffs[0] + coeffs[1] * _U + coeffs[2] * _U**2)


def find_identities(y: sympy.Expr, d: sympy.Expr) -> list[sympy.Expr]:
    """Forms of ``d`` in terms of ``y`` = :math:`\\varphi(x)` that SymPy proves equal to ``d``."""
    if x not in y.free_symbols or x not in d.free_symbols:
        return []
    cands = _identity_candidates()
    fit = _quadratic_fit(y, d)
    if fit is not None:
        named = [f for f, _ in cands if sympy.expand(f - fit) == 0]
        cands.insert(0, (named[0] if named else fit, "quadratic fit"))
    probes = [sympy.Rational(1, 3), sympy.Rational(-5, 4), sympy.Rational(7, 3)]
    for form, _how in cands:
        cand = form.subs(_U, y)
        diffs = [_num((d - cand).subs(x, p)) for p in probes]
        if any(v is None or abs(v) > mpmath.mpf(10) ** -20 for v in diffs):
            continue
        if is_zero(d - cand):
            return [form.subs(_U, sympy.Function("varphi")(x))]
    return []


