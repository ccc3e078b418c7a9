r"""Worst-case bounds on the gradient through ``n`` layers.

For a chain :math:`a_k = \varphi(w_k a_{k-1})` the backpropagated gradient is

.. math::

    \frac{\partial a_n}{\partial a_0} = \prod_{k=1}^{n} w_k\,\varphi'(z_k),
    \qquad
    \Bigl|\frac{\partial a_n}{\partial a_0}\Bigr| \le \prod_{k=1}^n |w_k| \sup_x|\varphi'(x)|,

and where :math:`\inf_x|\varphi'(x)| > 0` (leaky ReLU) the matching lower
bound holds with the infimum.  For matrix weights the same holds for the
Jacobian of an MLP with the spectral norm :math:`\|W_k\|_2` in place of
:math:`|w_k|`, since :math:`\|W D\|_2 \le \|W\|_2 \max|D_{ii}|`.

The slope :math:`\sup|\varphi'|` comes from :func:`symact.derivative_bounds`:
exact where a closed form exists, otherwise the upper end of a certified
enclosure (so the bound stays a bound).

>>> import symact as sa
>>> g = sa.gradient_bound(sa.activation("sigmoid"), 10)
>>> g.expr, g.regime, sa.gradient_bound("sigmoid", 1).depth_below(1e-6)
(1/1048576, 'vanishing', 10)
"""

from __future__ import annotations

import decimal
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import mpmath
import sympy
from mpmath import libmp

from ..analysis.properties import derivative_bounds
from ..core.limits import compare_with_one, exact_power, is_huge, log_depth
from ..core.precision import DEFAULT_DPS, MAX_DPS, check_dps, workdps
from ..core.result import Quantity, Result, certified_digits, enclose, honest_float, outward_float
from ..expressions.activation import Activation, as_parameter_value
from ..expressions.coerce import as_activation as _resolve

__all__ = ["GradientBound", "Rate", "gradient_bound", "spectral_norm"]


def _top_eigenvalue(gram: sympy.MatrixBase) -> sympy.Expr:
    """The largest eigenvalue of a symmetric positive semidefinite matrix, exactly.

    With rational entries it is the largest real root of the characteristic polynomial, which
    :func:`sympy.real_roots` isolates rigorously (radicals for factors of degree <= 2, else a
    ``CRootOf``): no comparison of Cardano forms whose imaginary parts only cancel symbolically.
    Otherwise the eigenvalues (real, the matrix being symmetric) are compared by real part.
    """
    if all(v.is_Rational for v in gram):
        return sympy.real_roots(gram.charpoly())[-1]
    eigs = list(gram.eigenvals())
    top = max(eigs, key=lambda e: sympy.re(sympy.N(e, 50)))
    return sympy.nsimplify(top) if top.is_Float else top


def spectral_norm(weight: Any) -> tuple[sympy.Expr, bool]:
    r"""The operator 2-norm of a weight: ``(value, exact)``.

    Scalars give :math:`|w|`; a SymPy ``Matrix`` gives the exact
    :math:`\sqrt{\lambda_{\max}(W^\top W)}`; a NumPy array gives a float
    (marked inexact).

    >>> import sympy
    >>> spectral_norm(sympy.Matrix([[3, 0], [0, -4]]))
    (4, True)
    >>> spectral_norm(-2)
    (2, True)
    >>> spectral_norm(sympy.Matrix([[1, 2, 0], [3, 4, -1], [0, sympy.Rational(1, 2), 5]]))[0]
    sqrt(CRootOf(4*x**3 - 225*x**2 + 3127*x - 361, 2))
    """
    if isinstance(weight, sympy.MatrixBase):
        return sympy.sqrtdenest(sympy.sqrt(_top_eigenvalue(weight.T * weight))), True
    if hasattr(weight, "shape") and getattr(weight, "ndim", 0) >= 1:
        import numpy as np

        arr = np.asarray(weight, dtype=float)
        return sympy.Float(float(np.linalg.norm(arr, 2)), 17), False
    w = as_parameter_value(weight)
    return (sympy.Abs(w) if not w.is_number else abs(w)), True


def _regime(rate: sympy.Expr) -> tuple[str, dict[str, sympy.Basic]]:
    if rate.is_Rational:  # exact for any size (10**-999999 weights): no evalf of huge numbers
        return {-1: "vanishing", 0: "neutral", 1: "exploding"}[compare_with_one(rate)], {}
    if rate.is_number:
        diff = sympy.N(rate - 1, 50)
        if rate == 1 or sympy.simplify(rate - 1) == 0:
            return "neutral", {}
        return ("vanishing" if diff < 0 else "exploding"), {}
    return "depends", {
        "vanishing": sympy.simplify(rate < 1),
        "neutral": sympy.Eq(rate, 1),
        "exploding": sympy.simplify(rate > 1),
    }


def _shown_digits(lo: Any, hi: Any) -> int:
    """How many digits ``[lo, hi]`` certifies (at least 1: a bound shows one digit)."""
    text = certified_digits(lo, hi, MAX_DPS)
    return 1 if text is None else max(len(decimal.Decimal(text).as_tuple().digits), 1)


def _bound_float(q: Quantity, up: bool) -> sympy.Expr:
    """A rigorous bound of a certified quantity with no more digits than it certifies."""
    lo, hi = q.enclosure
    return outward_float(hi if up else lo, _shown_digits(lo, hi), up=up)


def _power_bound(slope: Quantity, norm: sympy.Expr, base: sympy.Expr, n: sympy.Expr, up: bool,
                 dps: int = DEFAULT_DPS) -> sympy.Expr:
    """``(slope * norm)**n`` for a certified slope: built from the slope's enclosure and
    rounded outward to the digits that enclosure certifies for the power (``base**n``,
    ``base`` the rounded rate, when ``n`` is not an integer or the power is enormous)."""
    if slope.exact or slope.enclosure is None or not n.is_Integer or is_huge(base, n):
        return exact_power(base, n)
    k = int(n)
    if k > 10**5:  # few digits of the power would be certified: the rounded rate to the n-th power
        return sympy.Pow(base, n, evaluate=False)
    with workdps(dps + 30):
        lo, hi = slope.enclosure
        rest = sympy.Integer(1)
        if norm.is_number:
            n_lo, n_hi = enclose(norm, dps + 30)
            lo, hi = lo * n_lo, hi * n_hi
        else:
            rest = exact_power(norm, n)
        p = (hi if up else lo) ** k
        p = p * (1 + mpmath.mpf(10) ** -(dps + 25)) if up else p * (1 - mpmath.mpf(10) ** -(dps + 25))
        return outward_float(p, _shown_digits(lo**k, hi**k), up=up) * rest


@dataclass(frozen=True, eq=False, repr=False)
class Rate(Result):
    r"""The per-layer factor :math:`\|w\| \sup|\varphi'|` of a uniform chain.

    A result (:class:`~symact.core.result.Result`): ``value`` is the closed form (exact)
    or the certified digits; ``enclosure`` rigorous bounds when the weight is a number;
    ``bound`` the rigorous upper bound used in :attr:`GradientBound.expr`.
    """

    value: sympy.Expr
    level: str
    enclosure: tuple[mpmath.mpf, mpmath.mpf] | None
    method: str
    bound: sympy.Expr

    def evalf(self, digits: int = 15) -> sympy.Expr:
        """Certified digits (symbolic rates evaluate their numbers only)."""
        if not self.value.is_number:
            return self.value
        return super().evalf(digits)

    def _sympy_(self) -> sympy.Expr:
        if not self.value.is_number:
            return self.value
        return super()._sympy_()

    def __repr__(self) -> str:
        return f"Rate({self}, level={self.level!r})"

    def __reduce__(self) -> Any:
        return (Rate, (self.value, self.level, self.enclosure, self.method, self.bound))


def _rate(slope: Quantity, norm: sympy.Expr, exact_w: bool, up: bool = True, dps: int = DEFAULT_DPS) -> Rate:
    if slope.exact:
        v = sympy.simplify(slope.value * norm)
        level = "exact" if exact_w else "certified"
        enc = enclose(v) if v.is_number and v.is_finite is not False else None
        if v in (sympy.oo, -sympy.oo):
            enc = None
        return Rate(v, level, enc, "closed form", v)
    if norm.is_number:
        n_lo, n_hi = enclose(norm, dps + 30)
        lo, hi = slope.enclosure
        with workdps(dps + 30):
            enc = (lo * n_lo, hi * n_hi)
        bound = outward_float(enc[1] if up else enc[0], _shown_digits(*enc), up=up)
        return Rate(honest_float(*enc, MAX_DPS), "certified", enc, "certified enclosure", bound)
    bound = _bound_float(slope, up) * norm
    return Rate(slope.value * norm, "certified", None, "certified enclosure", bound)


@dataclass(frozen=True, eq=False, repr=False)
class GradientBound(Result):
    r"""Worst-case bounds on :math:`|\partial a_n / \partial a_0|` across layers.

    It follows the result protocol: ``value`` is :attr:`expr`, ``level`` is ``"exact"``
    (closed-form slopes and weights) or ``"certified"``, ``enclosure`` encloses
    :attr:`expr` when it is a number and otherwise the per-layer rate (see
    :attr:`rate`, which carries its own enclosure), ``method`` says how the slope was
    found.

    Attributes
    ----------
    expr : sympy.Expr
        The upper bound :math:`\prod_k \|w_k\| \sup|\varphi_k'|`, symbolic in
        ``layers`` and ``weight`` when they are symbols.  With a certified slope it is
        built from a rigorous upper bound of the slope (``rate.bound``).
    lower : sympy.Expr
        The matching lower bound :math:`\prod_k \|w_k\|\inf|\varphi_k'|`
        (0 when some :math:`\varphi_k'` vanishes somewhere).
    rate : Rate or None
        Per-layer factor of a uniform chain (``None`` for mixed layers), with only
        certified digits.
    regime : str
        ``"vanishing"``, ``"neutral"``, ``"exploding"``, or ``"depends"``
        (see :attr:`conditions`).
    exact : bool
        Whether the slopes are closed forms (else certified upper ends).
    assumptions : tuple
        Assumptions on symbolic parameters of the activation.
    """

    expr: sympy.Expr
    lower: sympy.Expr
    rate: Rate | None
    layers: sympy.Expr
    regime: str
    conditions: dict[str, sympy.Basic] = field(default_factory=dict)
    exact: bool = True
    names: tuple[str, ...] = ()
    dead_units: bool = False
    slopes: tuple[sympy.Expr, ...] = ()
    method: str = "closed form"
    assumptions: tuple[sympy.Basic, ...] = ()

    @property
    def value(self) -> sympy.Expr:
        """The bound :attr:`expr`."""
        return self.expr

    @property
    def level(self) -> str:
        """``"exact"`` or ``"certified"``."""
        return "exact" if self.exact else "certified"

    @property
    def enclosure(self) -> tuple[mpmath.mpf, mpmath.mpf] | None:
        """Rigorous bounds of :attr:`expr` (a number) or else of the rate."""
        if self.expr.is_number and self.expr.is_finite is not False:
            if self.exact:
                return enclose(self.expr)
            if self.rate is not None and self.rate.enclosure is not None and self.layers.is_Integer:
                lo, hi = self.rate.enclosure
                n = int(self.layers)
                bits = max(lo._mpf_[3], hi._mpf_[3], 200) + 64
                with workdps(int(bits / 3.3) + 10):  # holds the true worst case and the bound shown
                    low = mpmath.mp.make_mpf(libmp.mpf_pow_int(lo._mpf_, n, bits, libmp.round_floor))
                    high = mpmath.mp.make_mpf(libmp.mpf_pow_int(hi._mpf_, n, bits, libmp.round_ceiling))
                    return (low, max(high, _upper_value(self.expr, bits)))
            with workdps(60):
                v = mpmath.mpf(sympy.N(self.expr, 60))
            return (mpmath.mpf(0), v)  # expr is a rigorous upper bound
        return self.rate.enclosure if self.rate is not None else None

    def _digits_lost(self) -> int:
        """A power through ``n`` layers certifies about ``log10(n)`` digits fewer than its rate."""
        n = self.layers
        return len(str(int(n))) if n.is_Integer and n > 0 else 0

    def evalf(self, digits: int = 15) -> sympy.Expr:
        """Certified digits of a numeric bound; a symbolic bound is returned as it is."""
        if not self.expr.is_number:
            return self.expr
        return super().evalf(digits)

    def _sympy_(self) -> sympy.Expr:
        return self.expr

    def __float__(self) -> float:
        return float(sympy.N(self.expr, 20))

    def __repr__(self) -> str:
        return f"GradientBound({sympy.sstr(self.expr)}, regime={self.regime!r}, level={self.level!r})"

    @property
    def _rate_value(self) -> sympy.Expr | None:
        return None if self.rate is None else self.rate.bound

    def depth_below(self, eps: Any) -> sympy.Expr | int:
        r"""The smallest number of layers with bound :math:`< \varepsilon`.

        Exact integer arithmetic when the rate is a number; a SymPy
        expression when the weight is symbolic.

        >>> import symact as sa
        >>> sa.gradient_bound("sigmoid", 1).depth_below(1e-6)
        10
        >>> import sympy
        >>> w = sympy.Symbol("w", positive=True)
        >>> sa.gradient_bound("sigmoid", 1, weight=w).depth_below(1e-6)
        floor(-log(1000000)/log(w/4)) + 1
        """
        return self._depth(eps, below=True)

    def depth_above(self, big: Any) -> sympy.Expr | int:
        r"""The smallest number of layers whose *lower* bound exceeds ``big``.

        Only meaningful for chains whose gradient provably grows (the lower
        bound's rate is above 1).

        >>> import symact as sa
        >>> sa.gradient_bound("leaky_relu", 1, weight=200).depth_above(10**6)  # 2**20 > 10**6
        20
        """
        return self._depth(big, below=False)

    def _depth(self, target: Any, *, below: bool) -> sympy.Expr | int:
        t = as_parameter_value(target)
        if self.rate is None:
            raise ValueError("depth is defined for a uniform chain (one activation and weight)")
        rate = self._rate_value if below else self._lower_rate
        if rate is None or rate == 0:
            raise ValueError("the lower bound is 0 (the derivative vanishes somewhere), so no depth guarantees growth")
        n = sympy.Symbol("n", positive=True, integer=True)
        if not rate.is_number:
            return sympy.floor(sympy.log(t) / sympy.log(rate)) + 1
        r = compare_with_one(rate)  # exact and fast for rationals of any size
        if below and r >= 0:
            raise ValueError(f"the bound never drops below {t}: the per-layer factor is {rate} >= 1 ({self.regime})")
        if not below and r <= 0:
            raise ValueError(f"the lower bound never exceeds {t}: its per-layer factor is {rate} <= 1")
        del n
        return log_depth(rate, t)  # logarithms, never rate**k: k may be 10**9

    @property
    def _lower_rate(self) -> sympy.Expr | None:
        if self.rate is None or not self.slopes:
            return None
        return self.slopes[1] * (self.rate.bound / self.slopes[0]) if self.slopes[0] != 0 else None

    def describe(self) -> str:
        """A few lines in words."""
        what = " -> ".join(self.names) if len(set(self.names)) > 1 else (self.names[0] if self.names else "")
        lines = [f"|d a_n / d a_0| <= {sympy.sstr(self.expr)}  ({what}, {sympy.sstr(self.layers)} layers)"]
        if self.lower != 0:
            lines.append(f"|d a_n / d a_0| >= {sympy.sstr(self.lower)}")
        lines.append(f"regime: {self.regime}" + "".join(f"; {k} when {sympy.sstr(v)}" for k, v in self.conditions.items()))
        if self.dead_units:
            lines.append("the derivative is 0 on a whole stretch: a path through an inactive unit contributes exactly 0")
        if not self.exact:
            lines.append(f"slope certified (rate {self.rate}; the bound uses a rigorous upper end), not a closed form"
                         if self.rate is not None else "slopes certified (rigorous upper ends), not closed forms")
        if self.assumptions:
            lines.append("assuming " + ", ".join(sympy.sstr(a) for a in self.assumptions))
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.describe()

    def latex(self) -> str:
        r"""The bound as LaTeX."""
        return rf"\left|\frac{{\partial a_n}}{{\partial a_0}}\right| \le {sympy.latex(self.expr)}"

    def _repr_latex_(self) -> str:
        return f"$\\displaystyle {self.latex()}$"



def _upper_value(expr: sympy.Expr, bits: int) -> mpmath.mpf:
    """An upper bound (within a few ulps of ``bits``) of a positive number shown as a bound:
    a Float exactly, ``Float**n`` with directed rounding (SymPy's evalf of a power with
    ``n = 10**30`` keeps only a few digits)."""
    if expr.is_Float:
        return mpmath.mp.make_mpf(expr._mpf_)
    if expr.is_Pow and expr.base.is_Float and expr.exp.is_Integer and expr.exp > 0:
        return mpmath.mp.make_mpf(libmp.mpf_pow_int(expr.base._mpf_, int(expr.exp), bits, libmp.round_ceiling))
    with workdps(int(bits / 3.3) + 10):
        return mpmath.mpf(sympy.N(expr, int(bits / 3.3))) * (1 + mpmath.mpf(2) ** (40 - bits))


def _num(v: sympy.Expr) -> mpmath.mpf:
    with workdps(60):
        return mpmath.mpf(sympy.N(v, 60))


def _slopes(act: Activation, dps: int = DEFAULT_DPS) -> tuple[Quantity, Quantity, bool, bool, tuple[sympy.Basic, ...]]:
    """(sup|phi'|, inf|phi'|, exact, dead, assumptions) as results with enclosures."""
    b = derivative_bounds(act, dps=dps)
    hi_e, lo_e = b.sup, b.inf
    top = b.lipschitz
    if b.exact:
        bottom_v = sympy.simplify(sympy.Max(0, lo_e.value) + sympy.Max(0, -hi_e.value))
        bottom = Quantity(bottom_v, "exact", method="closed form", name="inf |phi'|")
    else:
        with workdps(60):
            l0, l1 = lo_e.enclosure
            h0, h1 = hi_e.enclosure
            if l0 > 0:
                bottom = Quantity.certified(l0, l1, method="certified enclosure", name="inf |phi'|")
            elif h1 < 0:
                bottom = Quantity.certified(-h1, -h0, method="certified enclosure", name="inf |phi'|")
            else:
                bottom = Quantity(sympy.Integer(0), "exact", method="closed form", name="inf |phi'|")
    dead = bool(lo_e.exact and lo_e.value == 0 and lo_e.attained and not isinstance(lo_e.at, sympy.FiniteSet))
    return top, bottom, top.exact and bottom.exact, dead, b.assumptions


def _regime_of(rate: Rate) -> tuple[str, dict[str, sympy.Basic]]:
    if rate.level == "exact" or not rate.value.is_number or rate.enclosure is None:
        return _regime(rate.value if rate.level == "exact" else rate.bound)
    lo, hi = rate.enclosure
    if hi < 1:
        return "vanishing", {}
    if lo > 1:
        return "exploding", {}
    return "neutral", {}  # 1 lies in the enclosure (cannot be split further)


def gradient_bound(
    act: Activation | str | Sequence[tuple[Activation | str, Any]],
    layers: Any = None,
    weight: Any = 1,
    *,
    dps: int = DEFAULT_DPS,
) -> GradientBound:
    r"""Worst-case upper (and lower) bound on the gradient through ``layers`` layers.

    Parameters
    ----------
    act : Activation, str, or sequence of (activation, weight) pairs
        One activation for a uniform chain, or the layers one by one
        (weights may be numbers, symbols, SymPy matrices or NumPy arrays).
    layers : int or sympy.Symbol
        Depth of a uniform chain (ignored for a list of layers).
    weight : number, sympy.Expr, matrix or array
        The weight of every layer of a uniform chain.
    dps : int, keyword-only
        Digits wanted.  Through :math:`n` layers about :math:`\log_{10} n` digits of a
        certified slope :math:`\sup|\varphi'|` are lost, so the slope is computed with
        that many more (up to 100 more: beyond :math:`10^{100}` layers pass a larger
        ``dps``, or ask ``evalf(n)``, which recomputes).

    Returns
    -------
    GradientBound

    Examples
    --------
    >>> import symact as sa, sympy
    >>> n, w = sympy.symbols("n w", positive=True)
    >>> sa.gradient_bound("sigmoid", n, weight=w).expr
    (w/4)**n
    >>> sa.gradient_bound("relu", n).expr, sa.gradient_bound("relu", n).regime
    (1, 'neutral')
    >>> sa.gradient_bound("leaky_relu", 3).lower
    1/1000000
    >>> sa.gradient_bound(4 * sa.activation("sigmoid"), n).regime
    'neutral'
    >>> sa.gradient_bound([("sigmoid", 2), ("tanh", sympy.Matrix([[1, 1], [0, 1]]))]).expr
    1/4 + sqrt(5)/4
    """
    dps = check_dps(dps)
    if isinstance(act, Sequence) and not isinstance(act, str):
        return _mixed(list(act), dps)
    a = _resolve(act)
    if layers is None:
        raise TypeError("gradient_bound(act, layers, weight=1) needs the number of layers")
    n = as_parameter_value(layers)
    if n.is_number and (not n.is_integer or n < 0):
        raise ValueError(f"layers must be a non-negative integer or a symbol, got {layers!r}")
    # through n layers about log10(n) digits of the slope are lost: work with that many more
    # (up to 100; beyond 10**100 layers ask for them with dps=)
    lost = min(len(str(int(n))), 100) if n.is_Integer and n > 0 else 0
    dps = min(dps + lost, MAX_DPS)
    top, bottom, exact, dead, assumptions = _slopes(a, dps)
    norm, exact_w = spectral_norm(weight)
    rate = _rate(top, norm, exact_w, dps=dps)
    low = _rate(bottom, norm, exact_w, up=False, dps=dps)
    lower_rate = low.bound
    regime, cond = _regime_of(rate)
    expr = _power_bound(top, norm, rate.bound, n, up=True, dps=dps)
    lower = sympy.Integer(0) if bottom.value == 0 else _power_bound(bottom, norm, lower_rate, n, up=False, dps=dps)
    return GradientBound(
        expr=expr,
        lower=lower,
        rate=rate,
        layers=n,
        regime=regime,
        conditions=cond,
        exact=exact and exact_w,
        names=(a.name,),
        dead_units=dead,
        slopes=(_rate(top, sympy.Integer(1), True).bound, _rate(bottom, sympy.Integer(1), True, up=False).bound),
        method="closed form" if exact else "certified enclosure",
        assumptions=assumptions,
    )


def _mixed(spec: list[tuple[Activation | str, Any]], dps: int = DEFAULT_DPS) -> GradientBound:
    if not spec:
        raise ValueError("a list of layers needs at least one (activation, weight) pair")
    up, down, exact, names, dead = sympy.Integer(1), sympy.Integer(1), True, [], False
    ups: list[Rate] = []
    downs: list[Rate] = []
    for item in spec:
        if not (isinstance(item, tuple) and len(item) == 2):
            raise TypeError(f"each layer must be an (activation, weight) pair, got {item!r}")
        a = _resolve(item[0])
        top, bottom, ex, d, _ = _slopes(a, dps)
        norm, ex_w = spectral_norm(item[1])
        ups.append(_rate(top, norm, ex_w, dps=dps))
        downs.append(_rate(bottom, norm, ex_w, up=False, dps=dps))
        up *= ups[-1].bound
        down *= downs[-1].bound
        exact = exact and ex and ex_w
        dead = dead or d
        names.append(a.name)
    up = sympy.expand(sympy.simplify(up))
    if not exact:  # products of certified Floats: outward rounding to the digits certified
        up = _product_bound(ups, up, up=True, dps=dps)
        down = _product_bound(downs, down, up=False, dps=dps) if down != 0 else down
    regime, cond = _regime(up)
    return GradientBound(up, sympy.simplify(down), None, sympy.Integer(len(spec)), regime, cond, exact,
                         tuple(names), dead, method="closed form" if exact else "certified enclosure")


def _product_bound(rates: list[Rate], plain: sympy.Expr, *, up: bool, dps: int = DEFAULT_DPS) -> sympy.Expr:
    """The product of per-layer rates, rounded outward to the digits their enclosures certify."""
    if not plain.is_number or any(r.enclosure is None or not r.bound.is_number for r in rates):
        return plain
    with workdps(dps + 30):
        lo, hi = mpmath.mpf(1), mpmath.mpf(1)
        for r in rates:
            lo, hi = lo * r.enclosure[0], hi * r.enclosure[1]
        p = hi if up else lo  # from the enclosures, not the rounded rates: no rounding piles up
        if p == 0:
            return sympy.Integer(0)
        p = p * (1 + mpmath.mpf(10) ** -(dps + 25)) if up else p * (1 - mpmath.mpf(10) ** -(dps + 25))
        return outward_float(p, _shown_digits(lo, hi), up=up)
