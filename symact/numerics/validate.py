"""What the numeric backends share: validation (one real variable) and the softplus rewrite."""

from __future__ import annotations

from typing import Any

import sympy

from ..core.errors import UnsupportedExpression

__all__ = ["LogAddExp0", "check_expression", "rewrite_softplus"]

# ---------------------------------------------------------------------------
# validation
# ---------------------------------------------------------------------------


def check_expression(expr: Any, x: sympy.Symbol) -> sympy.Expr:
    if not isinstance(x, sympy.Symbol):
        raise TypeError(f"x must be a sympy.Symbol, got {type(x).__name__}")
    if not isinstance(expr, sympy.Basic):
        if isinstance(expr, bool | int | float):
            expr = sympy.sympify(expr)
        else:
            raise TypeError(
                f"expr must be a SymPy expression (or a number), got {type(expr).__name__}; "
                "parse user text with symact's safe parser first"
            )
    extra = expr.free_symbols - {x}
    if extra:
        names = ", ".join(sorted(str(s) for s in extra))
        raise UnsupportedExpression(
            f"expression has free symbols other than {x}: {names}; "
            "substitute numeric values for the parameters first"
        )
    return expr


class LogAddExp0(sympy.Function):
    """``log(1 + exp(u))`` evaluated as ``numpy.logaddexp(0, u)``."""

    nargs = 1


def rewrite_softplus(expr: sympy.Expr) -> sympy.Expr:
    def is_softplus(e: sympy.Basic) -> bool:
        if not isinstance(e, sympy.log):
            return False
        arg = e.args[0]
        return (
            isinstance(arg, sympy.Add)
            and len(arg.args) == 2
            and sympy.S.One in arg.args
            and any(isinstance(a, sympy.exp) for a in arg.args)
        )

    def to_logaddexp(e: sympy.Basic) -> sympy.Basic:
        (u,) = next(a for a in e.args[0].args if isinstance(a, sympy.exp)).args
        return LogAddExp0(u)

    return expr.replace(is_softplus, to_logaddexp)
