"""Best-effort simplification shared by the analysis and the derivations."""

from __future__ import annotations

import sympy

from ..core.budget import BudgetExceeded, time_budget

__all__ = ["tidy"]


def _lambert_rewrite(value: sympy.Expr) -> sympy.Expr:
    # exp(W(z) + c) = e^c * z / W(z), which SymPy's simplify does not know
    value = value.replace(
        lambda e: isinstance(e, sympy.exp) and e.args[0].has(sympy.LambertW),
        lambda e: sympy.expand_power_exp(sympy.exp(sympy.expand(e.args[0]))),
    )
    return value.replace(
        lambda e: isinstance(e, sympy.exp) and isinstance(e.args[0], sympy.LambertW),
        lambda e: e.args[0].args[0] / e.args[0],
    )


def tidy(value: sympy.Expr, seconds: float = 2.0) -> sympy.Expr:
    r"""``simplify`` under a time budget, kept only when it makes the expression shorter.

    Best effort: on timeout or any SymPy failure the input comes back
    unchanged.  Knows :math:`e^{W(z)} = z / W(z)`, which ``simplify`` does not.

    >>> import sympy
    >>> w = sympy.LambertW(sympy.exp(-1))
    >>> tidy((-1 - w) / (1 + sympy.exp(w + 1)))
    -LambertW(exp(-1))
    """
    if value.has(sympy.LambertW):
        value = _lambert_rewrite(value)
    try:
        with time_budget(seconds, clock="cpu"):
            simpler = sympy.simplify(value)
    except (BudgetExceeded, Exception):  # noqa: BLE001 - simplification is best effort
        return value
    return simpler if sympy.count_ops(simpler) < sympy.count_ops(value) else value


def lighten(e: sympy.Expr, seconds: float) -> sympy.Expr:
    """Cheap simplification: erf -> erfc, cancel as a rational function of the atoms."""
    best = e
    candidates = []
    try:
        with time_budget(seconds, clock="cpu"):
            c = e.rewrite(sympy.erfc) if e.has(sympy.erf) else e
            candidates.append(sympy.cancel(sympy.together(c)))
            if not candidates[-1].is_Number:
                candidates.append(sympy.simplify(best))
    except (BudgetExceeded, sympy.PolynomialError, NotImplementedError):
        pass
    for c in candidates:
        if sympy.count_ops(c) < sympy.count_ops(best):
            best = c
    return best
