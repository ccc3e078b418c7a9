r"""The :class:`Activation` value object.

An activation is a name, the real variable :data:`x`, a SymPy expression and
its parameters.  Everything symact computes starts from the expression.

>>> import sympy
>>> from symact.expressions.activation import Activation, x
>>> relu = Activation("relu", sympy.Piecewise((x, x > 0), (0, True)))
>>> relu.kinks
(0,)
>>> relu.subdifferential(0)
Interval(0, 1)
>>> relu.one_sided_derivative(0, "-"), relu.one_sided_derivative(0, "+")
(0, 1)
"""

from __future__ import annotations

import itertools
import types
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal

import sympy

from ..core.budget import BudgetExceeded, call_budget, check_deadline
from ..core.errors import UnsupportedExpression
from ..core.texsafe import is_safe_name
from .pieces import Piece, differs_numerically, one_sided_limit, split
from .values import (
    MAX_DERIVATIVE_ORDER,
    as_parameter_value,
    check_order,
    check_real_expression,
)

__all__ = [
    "MAX_DERIVATIVE_ORDER",
    "Activation",
    "Breakpoint",
    "as_parameter_value",
    "check_order",
    "check_real_expression",
    "x",
]

#: The real variable of every activation expression.
x = sympy.Symbol("x", real=True)

Side = Literal["-", "+"]


@dataclass(frozen=True)
class Breakpoint:
    r"""What happens to an activation at one of its breakpoints.

    ``left``/``right`` hold the one-sided limits of the function and its first
    two derivatives (index 0, 1, 2); ``value`` is the function's value there.
    ``smoothness`` is the largest ``k`` such that derivatives up to order
    ``k`` match from both sides (``-1`` for a jump).
    """

    point: sympy.Expr
    value: sympy.Expr
    left: tuple[sympy.Expr, ...]
    right: tuple[sympy.Expr, ...]

    @cached_property
    def smoothness(self) -> int:
        """Largest order whose one-sided limits agree (-1: a jump in the value)."""
        k = -1
        for lo, hi in zip(self.left, self.right, strict=True):
            if not _equal(lo, hi):
                break
            k += 1
        if k >= 0 and not _equal(self.value, self.left[0]):
            return -1
        return k


def _equal(a: sympy.Expr, b: sympy.Expr) -> bool:
    """``a == b`` for one-sided limits: a plain numeric difference first, then ``simplify``."""
    d = a - b
    return d == 0 or (not differs_numerically(d, x) and sympy.simplify(d) == 0)


@dataclass(frozen=True, eq=False)
class Activation:
    r"""An activation function: a name and a SymPy expression in :data:`x`.

    Instances are immutable and hashable; two activations are equal when
    their names and expressions are.  Build them with
    :func:`symact.expressions.activation` (the catalogue) or :func:`symact.define`.

    Parameters
    ----------
    name : str
        Display name, e.g. ``"leaky_relu"``.
    expr : sympy.Expr
        The function of :data:`x`, with parameter values substituted.
    params : mapping of sympy.Symbol to sympy.Expr, optional
        The parameters' values (numbers, or symbols for symbolic analysis).
    template : sympy.Expr, optional
        The expression with the parameter symbols left free; defaults to ``expr``.
    description : str, optional
        One line saying what the function is and where it comes from.

    Examples
    --------
    >>> import sympy
    >>> a = sympy.Symbol("negative_slope", real=True)
    >>> leaky = Activation("leaky_relu", sympy.Piecewise((x, x > 0), (x / 100, True)),
    ...                    params={a: sympy.Rational(1, 100)},
    ...                    template=sympy.Piecewise((x, x > 0), (a * x, True)))
    >>> leaky.derivative()
    Piecewise((1/100, x < 0), (1, x > 0))
    >>> leaky.with_params(negative_slope=2).expr
    Piecewise((x, x > 0), (2*x, True))
    """

    name: str
    expr: sympy.Expr
    params: Mapping[sympy.Symbol, sympy.Expr] = field(default_factory=dict)
    template: sympy.Expr | None = None
    description: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise TypeError(f"an activation needs a non-empty string name, got {self.name!r}")
        expr = sympy.sympify(self.expr) if not isinstance(self.expr, sympy.Basic) else self.expr
        if not isinstance(expr, sympy.Expr):
            raise TypeError(f"expr must be a SymPy expression in x, got {type(expr).__name__}")
        params = types.MappingProxyType({k: as_parameter_value(v) for k, v in dict(self.params).items()})
        template = expr if self.template is None else self.template
        named = expr.free_symbols | {v for val in params.values() for v in val.free_symbols}
        named |= {k for k in params if isinstance(k, sympy.Symbol)}
        if isinstance(template, sympy.Basic):
            named |= template.free_symbols
        for sym in named:
            if not is_safe_name(sym.name):
                raise UnsupportedExpression(
                    f"the symbol name {sym.name[:40]!r} in {self.name[:40]!r} is not a plain "
                    "identifier; accepted: names such as a, alpha, w_1 (letters and digits, "
                    "one '_' subscript)"
                )
        extra = expr.free_symbols - {x} - {v for val in params.values() for v in val.free_symbols}
        if extra:
            names = ", ".join(sorted(str(s) for s in extra))
            raise UnsupportedExpression(
                f"the expression of {self.name!r} has unknown symbols {names}; an activation "
                "depends on x only (declare parameters with define(..., name=value))"
            )
        object.__setattr__(self, "expr", expr)
        object.__setattr__(self, "params", params)
        object.__setattr__(self, "template", template)

    # -- value semantics ---------------------------------------------------
    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Activation):
            return NotImplemented
        return self.name == other.name and self.expr == other.expr

    def __hash__(self) -> int:
        return hash((Activation, self.name, self.expr))

    def __reduce__(self) -> Any:
        # the read-only parameter mapping does not pickle; rebuild from plain values
        return (Activation, (self.name, self.expr, dict(self.params), self.template, self.description))

    def __repr__(self) -> str:
        args = "".join(f", {k}={v}" for k, v in self.params.items())
        return f"Activation({self.name!r}{args}: {sympy.sstr(self.expr)})"

    def latex(self) -> str:
        r"""The definition as a LaTeX equation body.

        >>> import sympy
        >>> Activation("sigmoid", 1 / (1 + sympy.exp(-x))).latex()
        '\\operatorname{sigmoid}(x) = \\frac{1}{1 + e^{- x}}'
        """
        name = self.name.replace("_", r"\_")
        return rf"\operatorname{{{name}}}(x) = {sympy.latex(self.expr)}"

    def _repr_latex_(self) -> str:
        return f"$\\displaystyle {self.latex()}$"

    @property
    def x(self) -> sympy.Symbol:
        """The variable, :data:`symact.x`."""
        return x

    # -- parameters and composition ----------------------------------------
    def with_params(self, **values: Any) -> Activation:
        """The same family with other parameter values (numbers or symbols).

        >>> import sympy
        >>> a = sympy.Symbol("alpha", real=True)
        >>> elu = Activation("elu", sympy.Piecewise((x, x > 0), (sympy.exp(x) - 1, True)),
        ...                  params={a: 1},
        ...                  template=sympy.Piecewise((x, x > 0), (a * (sympy.exp(x) - 1), True)))
        >>> elu.with_params(alpha=sympy.Symbol("alpha", positive=True)).expr
        Piecewise((x, x > 0), (alpha*(exp(x) - 1), True))
        """
        by_name = {s.name: s for s in self.params}
        unknown = sorted(set(values) - set(by_name))
        if unknown:
            accepted = ", ".join(sorted(by_name)) or "none"
            raise TypeError(
                f"{self.name} has no parameter(s) {', '.join(unknown)}; accepted: {accepted}"
            )
        new = dict(self.params)
        for key, val in values.items():
            new[by_name[key]] = as_parameter_value(val)
        expr = self.template.subs(new) if new else self.template  # type: ignore[union-attr]
        return Activation(self.name, expr, new, self.template, self.description)

    def _derived(self, name: str, expr: sympy.Expr) -> Activation:
        return Activation(name, expr, {}, None, f"derived from {self.name}")

    def __call__(self, arg: Any) -> Any:
        """Compose with an expression in x (an Activation results) or evaluate at a number.

        >>> import sympy
        >>> s = Activation("sigmoid", 1 / (1 + sympy.exp(-x)))
        >>> s(0)
        1/2
        >>> (2 * s(2 * x) - 1).expr
        -1 + 2/(1 + exp(-2*x))
        """
        inner = arg.expr if isinstance(arg, Activation) else as_parameter_value(arg)
        expr = self.expr.subs(x, inner)
        if x in inner.free_symbols:
            label = arg.name if isinstance(arg, Activation) else sympy.sstr(inner)
            return self._derived(f"{self.name}({label})", expr)
        return expr

    def __mul__(self, other: Any) -> Activation:
        c = as_parameter_value(other)
        return self._derived(f"{sympy.sstr(c)}*{self.name}", c * self.expr)

    __rmul__ = __mul__

    def __truediv__(self, other: Any) -> Activation:
        c = as_parameter_value(other)
        return self._derived(f"{self.name}/{sympy.sstr(c)}", self.expr / c)

    def __add__(self, other: Any) -> Activation:
        if isinstance(other, Activation):
            return self._derived(f"{self.name} + {other.name}", self.expr + other.expr)
        c = as_parameter_value(other)
        return self._derived(f"{self.name} + {sympy.sstr(c)}", self.expr + c)

    __radd__ = __add__

    def __sub__(self, other: Any) -> Activation:
        if isinstance(other, Activation):
            return self._derived(f"{self.name} - {other.name}", self.expr - other.expr)
        c = as_parameter_value(other)
        return self._derived(f"{self.name} - {sympy.sstr(c)}", self.expr - c)

    def __rsub__(self, other: Any) -> Activation:
        c = as_parameter_value(other)
        return self._derived(f"{sympy.sstr(c)} - {self.name}", c - self.expr)

    def __neg__(self) -> Activation:
        return self._derived(f"-{self.name}", -self.expr)

    # -- structure -----------------------------------------------------------
    @cached_property
    def pieces(self) -> tuple[Piece, ...]:
        """The analytic pieces between breakpoints (see :func:`symact.expressions.pieces.split`)."""
        return split(self.expr, x)

    @cached_property
    def breakpoints(self) -> tuple[Breakpoint, ...]:
        """Every point where the formula switches, with one-sided limits of orders 0-2."""
        out = []
        pieces = self.pieces
        for left, right in itertools.pairwise(pieces):
            c = left.hi
            lefts = tuple(one_sided_limit(sympy.diff(left.expr, x, k), x, c, "-") for k in range(3))
            rights = tuple(
                one_sided_limit(sympy.diff(right.expr, x, k), x, c, "+") for k in range(3)
            )
            out.append(Breakpoint(c, self.expr.subs(x, c), lefts, rights))
        # breakpoints that merged away (same formula on both sides) are smooth points
        return tuple(out)

    @cached_property
    def kinks(self) -> tuple[sympy.Expr, ...]:
        """The points where the activation is not differentiable (kinks and jumps)."""
        return tuple(b.point for b in self.breakpoints if b.smoothness < 1)

    @cached_property
    def jumps(self) -> tuple[sympy.Expr, ...]:
        """The points where the activation itself is discontinuous."""
        return tuple(b.point for b in self.breakpoints if b.smoothness < 0)

    @cached_property
    def smoothness(self) -> int | float:
        r"""Smoothness class: ``k`` for :math:`C^k` (``-1`` if discontinuous), ``inf`` for :math:`C^\infty`.

        Only breakpoints are inspected: each analytic piece is :math:`C^\infty`
        on its open interval.  Orders above 2 are not inspected at
        breakpoints, so a function that is :math:`C^2` at its breakpoints is
        reported as 2.
        """
        if not self.breakpoints:
            return float("inf")
        return min(b.smoothness for b in self.breakpoints)

    # -- calculus ------------------------------------------------------------
    def _piece_at(self, point: sympy.Expr, side: Side) -> Piece:
        for piece in self.pieces:
            lo_ok = (point > piece.lo) == sympy.true or (side == "+" and point == piece.lo)
            hi_ok = (point < piece.hi) == sympy.true or (side == "-" and point == piece.hi)
            if lo_ok and hi_ok:
                return piece
        raise ValueError(f"no piece of {self.name} reaches x = {point} from the {side} side")

    def one_sided_derivative(self, point: Any, side: Side, order: int = 1) -> sympy.Expr:
        r"""The derivative of the formula on one side of ``point``, taken at ``point``.

        ``side`` is ``"-"`` (from the left) or ``"+"`` (from the right).  At a
        kink this is the one-sided limit of the derivative, which plain SymPy
        gets wrong for ``Piecewise`` (it returns the branch containing the point).

        >>> import sympy
        >>> leaky = Activation("leaky", sympy.Piecewise((x, x > 0), (x / 100, True)))
        >>> leaky.one_sided_derivative(0, "-")
        1/100
        """
        if side not in ("-", "+"):
            raise ValueError(f"side must be '-' or '+', got {side!r}")
        p = as_parameter_value(point)
        piece = self._piece_at(p, side)
        return one_sided_limit(sympy.diff(piece.expr, x, check_order(order)), x, p, side)

    def derivative(self, order: int = 1, *, budget: float | None = None) -> sympy.Expr:
        r"""The exact derivative of the given order as a SymPy expression.

        For a piecewise activation the result is a ``Piecewise`` whose
        conditions leave out the points where the derivative does not exist,
        so it evaluates to ``nan`` there (use :meth:`subdifferential` for the
        set of generalised gradients, and :meth:`numeric` for PyTorch's
        convention).

        >>> import sympy
        >>> Activation("relu", sympy.Piecewise((x, x > 0), (0, True))).derivative()
        Piecewise((0, x < 0), (1, x > 0))
        >>> Activation("sigmoid", 1 / (1 + sympy.exp(-x))).derivative()
        exp(-x)/(1 + exp(-x))**2

        At a kink there is no derivative, so substituting the point gives ``nan``;
        the set of generalised gradients is :meth:`subdifferential` and the one-sided
        values are :meth:`one_sided_derivative`:

        >>> relu = Activation("relu", sympy.Piecewise((x, x > 0), (0, True)))
        >>> relu.derivative().subs(x, 0), relu.subdifferential(0), relu.one_sided_derivative(0, "+")
        (nan, Interval(0, 1), 1)

        ``order`` is at most :data:`MAX_DERIVATIVE_ORDER` (checked before any
        work); the computation runs under ``budget`` seconds (default: the
        enclosing budget, else :func:`symact.core.budget.default_budget`) and
        raises :class:`~symact.core.budget.BudgetExceeded` past it.
        """
        order = check_order(order)
        if order == 0:
            return self.expr
        try:
            with call_budget(budget):
                return _piecewise_derivative(self, order)
        except BudgetExceeded as exc:
            raise BudgetExceeded(
                f"the derivative of order {order} of {self.name!r} did not finish within its "
                f"budget ({exc}); lower orders finish sooner"
            ) from None

    def subdifferential(self, point: Any) -> sympy.Set:
        r"""Clarke's generalised gradient at ``point`` as a SymPy set.

        The convex hull of the one-sided derivatives: a single point where the
        activation is differentiable, an interval at a kink, and the empty set
        at a jump (where the function is not locally Lipschitz).

        >>> import sympy
        >>> relu = Activation("relu", sympy.Piecewise((x, x > 0), (0, True)))
        >>> relu.subdifferential(0), relu.subdifferential(2)
        (Interval(0, 1), {1})
        """
        p = as_parameter_value(point)
        for b in self.breakpoints:
            if sympy.simplify(b.point - p) == 0:
                if b.smoothness < 0:
                    return sympy.EmptySet
                lo, hi = b.left[1], b.right[1]
                if sympy.simplify(lo - hi) == 0:
                    return sympy.FiniteSet(lo)
                if (lo > hi) == sympy.true:
                    lo, hi = hi, lo
                return sympy.Interval(lo, hi)
        return sympy.FiniteSet(self.one_sided_derivative(p, "+"))

    def numeric(
        self, order: int = 0, backend: Literal["numpy", "mpmath"] = "numpy"
    ) -> Callable[..., Any]:
        r"""A fast callable for the ``order``-th derivative.

        ``backend="numpy"`` gives a vectorised float64 function;
        ``backend="mpmath"`` evaluates at the caller's precision (inside
        ``mpmath.workdps`` or with ``dps=``).  At a kink the derivative follows
        PyTorch autograd's convention: the branch of the definition whose
        condition contains the point wins, so ReLU'(0) = 0 and leaky ReLU'(0)
        is the negative slope.  (Symbolically there is no derivative at a kink:
        :meth:`derivative` gives ``nan`` there and :meth:`subdifferential` the set
        of generalised gradients, ``[0, 1]`` for ReLU at 0.)

        >>> import sympy
        >>> relu = Activation("relu", sympy.Piecewise((x, x > 0), (0, True)))
        >>> relu.numeric(1)([-1.0, 0.0, 2.0]).tolist()
        [0.0, 0.0, 1.0]
        """
        from ..numerics.numeric import mpmath_function, numpy_function

        if backend not in ("numpy", "mpmath"):
            raise ValueError(f"backend must be 'numpy' or 'mpmath', got {backend!r}")
        expr = sympy.diff(self.expr, x, check_order(order)) if order else self.expr
        return numpy_function(expr, x) if backend == "numpy" else mpmath_function(expr, x)


def _piecewise_derivative(act: Activation, order: int) -> sympy.Expr:
    pieces = act.pieces
    if len(pieces) == 1:
        return sympy.diff(act.expr, x, order)
    # the derivative of this order exists at a breakpoint iff orders 0..order agree
    smooth = [b.smoothness >= order for b in act.breakpoints]
    branches: list[tuple[sympy.Expr, sympy.Basic]] = []
    for i, piece in enumerate(pieces):
        check_deadline()
        conds = []
        if i > 0:
            # strict: a smooth lower end went to the branch before, a kink to none
            conds.append(x > piece.lo)
        if i < len(pieces) - 1:
            conds.append(x <= piece.hi if smooth[i] else x < piece.hi)
        branches.append((sympy.diff(piece.expr, x, order), sympy.And(*conds)))
    # Piecewise takes the first true branch: a smooth breakpoint belongs to the
    # piece on its left, a kink to no branch at all (the value there is nan).
    return sympy.Piecewise(*branches)
