r"""Mean-field (average-case) signal propagation at initialisation.

For a deep fully-connected network with weights :math:`W_{ij} \sim \mathcal{N}(0,
\sigma_w^2/N)` and biases :math:`b_i \sim \mathcal{N}(0, \sigma_b^2)`, the variance
:math:`q` of a pre-activation evolves by the *variance map*

.. math::

    q^{(l+1)} = V(q^{(l)}) = \sigma_w^2\,\mathbb{E}\big[\varphi(\sqrt{q^{(l)}} z)^2\big] + \sigma_b^2,

and a small perturbation (equivalently the squared norm of a back-propagated
gradient) is multiplied per layer, on average, by

.. math::

    \chi_1 = \sigma_w^2\,\mathbb{E}\big[\varphi'(\sqrt{q^*} z)^2\big]

at the fixed point :math:`q^* = V(q^*)`: ordered (vanishing) when
:math:`\chi_1 < 1`, chaotic (exploding) when :math:`\chi_1 > 1`, critical at
the *edge of chaos* :math:`\chi_1 = 1`.  Positively homogeneous activations (ReLU,
leaky ReLU, identity) are handled exactly; everything else numerically with
mpmath quadrature at ``dps`` digits, starting from a NumPy Gauss–Hermite iteration.

References
----------
.. [1] B. Poole, S. Lahiri, M. Raghu, J. Sohl-Dickstein, S. Ganguli, "Exponential
   expressivity in deep neural networks through transient chaos", NeurIPS 2016.
.. [2] S. S. Schoenholz, J. Gilmer, S. Ganguli, J. Sohl-Dickstein, "Deep information
   propagation", ICLR 2017.
.. [3] G. Klambauer, T. Unterthiner, A. Mayr, S. Hochreiter, "Self-normalizing neural
   networks", NeurIPS 2017.
.. [4] K. He, X. Zhang, S. Ren, J. Sun, "Delving deep into rectifiers", ICCV 2015.
"""

from __future__ import annotations

import concurrent.futures
import math
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Literal

import mpmath
import numpy as np
import sympy

from ..core.budget import BudgetExceeded, time_budget
from ..core.cache import cached
from ..core.precision import workdps
from ..expressions.coerce import as_expression, display_name
from ..expressions.simplify import lighten
from .expectation import X, expect, gaussian_pieces, quadrature

__all__ = [
    "MeanField",
    "chi1",
    "edge_of_chaos",
    "mean_field",
    "phase_diagram",
    "variance_map",
]

Status = Literal["fixed point", "q -> 0", "diverges"]
Regime = Literal["ordered", "critical", "chaotic"]


def _exact_number(v: Any) -> sympy.Expr:
    if isinstance(v, bool):
        raise TypeError("expected a number, not a bool")
    if isinstance(v, float):
        return sympy.Rational(repr(v))
    if isinstance(v, Fraction):
        return sympy.Rational(v.numerator, v.denominator)
    if isinstance(v, mpmath.mpf):
        return sympy.Float(v, max(mpmath.mp.dps, 15))
    s = sympy.sympify(v) if isinstance(v, int) else v
    if not isinstance(s, sympy.Expr) or not s.is_number or s.is_negative:
        raise ValueError(f"variances must be non-negative numbers, got {v!r}")
    return s


def mp_number(v: Any, dps: int) -> Any:
    with workdps(dps + 10):
        if isinstance(v, sympy.Expr):
            return mpmath.mpf(sympy.Float(sympy.N(v, dps + 10), dps + 10))
        return mpmath.mpf(v)


def _derivative(expr: sympy.Expr) -> sympy.Expr:
    return sympy.diff(expr, X)


def _homogeneous_slopes(expr: sympy.Expr) -> tuple[sympy.Expr, sympy.Expr] | None:
    """Slopes (a₊, a₋) if ``expr`` is a₊x on x>0 and a₋x on x<0, else None."""
    try:
        pieces = gaussian_pieces(expr)
    except Exception:  # noqa: BLE001 - not splittable means not homogeneous
        return None
    plus = minus = None
    for p, lo, hi in pieces:
        if p.diff(X, 2) != 0 or p.subs(X, 0) != 0:
            return None
        if (lo.is_finite and lo != 0) or (hi.is_finite and hi != 0):
            return None
        slope = p.diff(X)
        if hi.is_extended_positive:
            plus = slope
        if lo.is_extended_negative:
            minus = slope
    if plus is None or minus is None:
        return None
    return plus, minus


def _side_limits_sq(dexpr: sympy.Expr, point: sympy.Expr) -> sympy.Expr:
    """(g(p⁺)² + g(p⁻)²)/2 for the piecewise-smooth g = dexpr at p (0 or ±oo)."""
    pieces = gaussian_pieces(dexpr)
    vals = []
    for p, lo, hi in pieces:
        if point.is_finite:
            if lo == point or hi == point or (lo < point < hi):
                vals.append((p, lo, hi))
        elif (point is sympy.S.Infinity and hi is sympy.S.Infinity) or (
            point is sympy.S.NegativeInfinity and lo is sympy.S.NegativeInfinity
        ):
            vals.append((p, lo, hi))
    out = []
    for p, lo, hi in vals:
        if point.is_finite:
            v = p.subs(X, point)
            sides = 2 if lo < point < hi else 1
            out.extend([v**2] * sides)
        else:
            with time_budget(3.0):
                v = sympy.limit(p**2, X, point)
            out.extend([v] * (2 if len(pieces) == 1 else 1))
    if point.is_finite and len(out) != 2:
        raise ValueError("could not resolve the one-sided limits")
    if not point.is_finite and len(pieces) == 1:
        with time_budget(3.0):
            other = sympy.limit(pieces[0][0] ** 2, X, -point)
        out = [out[0], other]
    return sympy.nsimplify(sum(out) / 2) if all(o.is_Rational for o in out) else sum(out) / 2


@cached(maxsize=64)
def _numpy_fns(expr: sympy.Expr) -> tuple[Callable, Callable]:
    from ..numerics.numeric import numpy_function

    return numpy_function(expr, X), numpy_function(_derivative(expr), X)


@cached(maxsize=8)
def _hermite(n: int) -> tuple[np.ndarray, np.ndarray]:
    z, w = np.polynomial.hermite_e.hermegauss(n)
    return z, w / math.sqrt(2 * math.pi)


def _gh_fixed_point(
    expr: sympy.Expr, sw: np.ndarray, sb: np.ndarray, q0: float = 1.0, *, nodes: int = 100, maxiter: int = 2000
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Vectorised Gauss–Hermite iteration of the variance map. Returns (q, chi1, iterations)."""
    phi, dphi = _numpy_fns(expr)
    z, w = _hermite(nodes)
    sw, sb = (a.copy() for a in np.broadcast_arrays(np.atleast_1d(np.asarray(sw, float)), np.atleast_1d(np.asarray(sb, float))))
    q = np.full(sw.shape, float(q0))
    its = np.zeros(sw.shape, int)
    active = np.ones(sw.shape, bool)
    for _ in range(maxiter):
        if not active.any():
            break
        qa = q[active]
        new = sw[active] * (phi(np.sqrt(qa)[:, None] * z) ** 2 @ w) + sb[active]
        done = (np.abs(new - qa) <= 1e-13 * np.maximum(np.abs(qa), 1e-300)) | (new < 1e-30) | (new > 1e15)
        q[active] = new
        its[active] += 1
        idx = np.flatnonzero(active)
        active[idx[done]] = False
    q[q > 1e15] = np.inf
    qs = np.where(np.isfinite(q), q, 1e15)
    chi = sw * (dphi(np.sqrt(qs)[..., None] * z) ** 2 @ w)
    q = np.where(q < 1e-30, 0.0, q)
    return q, chi, its


def _phase_block(expr: sympy.Expr, weight_vars: np.ndarray, bias_vars: np.ndarray, nodes: int) -> tuple[np.ndarray, np.ndarray]:
    """Worker for :func:`phase_diagram`: a block of σ_w² rows, vectorised (top level, so it pickles)."""
    sw, sb = np.meshgrid(np.asarray(weight_vars, float), np.asarray(bias_vars, float), indexing="ij")
    q, chi, _ = _gh_fixed_point(expr, sw.ravel(), sb.ravel(), nodes=nodes)
    return chi.reshape(sw.shape), q.reshape(sw.shape)


@dataclass(frozen=True)
class MeanField:
    r"""Mean-field statistics of one activation at one initialisation.

    Attributes
    ----------
    activation_name : str
    weight_var, bias_var : sympy.Expr
        :math:`\sigma_w^2` and :math:`\sigma_b^2`.
    q_star : sympy.Expr or mpmath.mpf or None
        The fixed point of the variance map (exact when known; 0 for ordered
        collapse; ``None`` when the variance diverges).
    status : {"fixed point", "q -> 0", "diverges"}
    chi1 : sympy.Expr or mpmath.mpf
        :math:`\sigma_w^2 \mathbb{E}[\varphi'(\sqrt{q^*}z)^2]` (for "diverges", its
        limit as :math:`q \to \infty`).
    regime : {"ordered", "critical", "chaotic"}
    depth_scale_q, depth_scale_c : mpmath.mpf
        :math:`\xi_q = -1/\log V'(q^*)` and :math:`\xi_c = 1/|\log \chi_1|`
        (``inf`` at criticality).  In the chaotic phase :math:`\xi_c` is the
        depth over which nearby inputs decorrelate.
    exact : bool
        Whether ``q_star`` and ``chi1`` are exact closed forms.
    iterations : int
        Variance-map iterations used before root refinement.
    degenerate : bool
        Every :math:`q > 0` is a fixed point (e.g. ReLU at :math:`\sigma_w^2 = 2`,
        :math:`\sigma_b^2 = 0`); ``q_star`` then reports the starting ``q0``.

    Examples
    --------
    >>> import sympy
    >>> from symact.propagation.meanfield import mean_field
    >>> from symact.propagation.expectation import X
    >>> mf = mean_field(sympy.Piecewise((X, X > 0), (0, True)), 2)
    >>> mf.chi1, mf.regime, mf.degenerate
    (1, 'critical', True)
    >>> mf.expected_gradient(sympy.Symbol("n"))
    1
    """

    activation_name: str
    weight_var: sympy.Expr
    bias_var: sympy.Expr
    q_star: Any
    status: Status
    chi1: Any
    regime: Regime
    depth_scale_q: Any
    depth_scale_c: Any
    exact: bool
    iterations: int
    degenerate: bool = False
    dps: int = 30

    def __post_init__(self) -> None:
        if self.status not in ("fixed point", "q -> 0", "diverges"):
            raise ValueError(f"unknown status {self.status!r}")
        if self.regime not in ("ordered", "critical", "chaotic"):
            raise ValueError(f"unknown regime {self.regime!r}")

    def _chi_sym(self) -> sympy.Expr:
        if isinstance(self.chi1, sympy.Expr):
            return self.chi1
        with workdps(self.dps):
            return sympy.Float(mpmath.nstr(self.chi1, self.dps), self.dps)

    def expected_gradient(self, layers: int | sympy.Expr) -> sympy.Expr:
        r"""Mean squared gradient gain over ``layers`` layers, :math:`\chi_1^{n}`.

        Parameters
        ----------
        layers : int or sympy.Expr
            Depth :math:`n`; may be symbolic.

        Examples
        --------
        >>> import sympy
        >>> from symact.propagation.meanfield import mean_field
        >>> from symact.propagation.expectation import X
        >>> mean_field(sympy.Piecewise((X, X > 0), (0, True)), 1).expected_gradient(3)
        1/8
        """
        return self._chi_sym() ** sympy.sympify(layers)

    def latex(self) -> str:
        r"""LaTeX summary: :math:`q^*`, :math:`\chi_1` and the regime.

        >>> import sympy
        >>> from symact.propagation.meanfield import mean_field
        >>> from symact.propagation.expectation import X
        >>> print(mean_field(X, sympy.Rational(1, 2), 1).latex())
        q^* = 2,\quad \chi_1 = \frac{1}{2}\ \text{(ordered)}
        """
        if self.q_star is None:
            qs = r"q \to \infty"
        else:
            qv = self.q_star if isinstance(self.q_star, sympy.Expr) else sympy.Float(self.q_star, 12)
            qs = "q^* = " + sympy.latex(qv)
        chi = self.chi1 if isinstance(self.chi1, sympy.Expr) else sympy.Float(self.chi1, 12)
        return rf"{qs},\quad \chi_1 = {sympy.latex(chi)}\ \text{{({self.regime})}}"

    def _repr_latex_(self) -> str:
        return rf"$\displaystyle {self.latex()}$"

    def __repr__(self) -> str:
        def fmt(v: Any) -> str:
            return mpmath.nstr(v, 12) if isinstance(v, mpmath.mpf) else str(v)

        return (
            f"MeanField({self.activation_name}, σ_w²={self.weight_var}, σ_b²={self.bias_var}: "
            f"q*={fmt(self.q_star)} ({self.status}), χ₁={fmt(self.chi1)} ({self.regime}), "
            f"ξ_q={fmt(self.depth_scale_q)}, ξ_c={fmt(self.depth_scale_c)}, exact={self.exact})"
        )


def variance_map(act: Any, weight_var: Any, bias_var: Any = 0, *, dps: int = 30) -> Callable[[Any], Any]:
    r"""The variance map :math:`V(q) = \sigma_w^2\,\mathbb{E}[\varphi(\sqrt{q}z)^2] + \sigma_b^2`.

    Parameters
    ----------
    act : Activation or sympy.Expr
    weight_var, bias_var : number
        :math:`\sigma_w^2`, :math:`\sigma_b^2`.
    dps : int, keyword-only
        Digits of the quadrature behind each evaluation.

    Returns
    -------
    callable
        ``V(q) -> mpmath.mpf`` for ``q > 0`` (``V(0) = σ_w² φ(0)² + σ_b²``).

    References
    ----------
    .. [1] Poole et al. 2016, eq. (3); Schoenholz et al. 2017, eq. (3).

    Examples
    --------
    >>> import sympy
    >>> from symact.propagation.meanfield import variance_map
    >>> from symact.propagation.expectation import X
    >>> V = variance_map(sympy.tanh(X), 2, 0.1)
    >>> print(V(1))
    0.888588980795682...
    """
    expr = as_expression(act)
    pieces = [(p**2, lo, hi) for p, lo, hi in gaussian_pieces(expr)]
    sw, sb = mp_number(_exact_number(weight_var), dps), mp_number(_exact_number(bias_var), dps)
    at0 = expr.subs(X, 0)

    def V(q: Any) -> Any:
        with workdps(dps + 10):
            qm = mpmath.mpf(q)
            if qm == 0:
                return sw * mp_number(at0, dps) ** 2 + sb
            return sw * quadrature(pieces, qm, dps)[0] + sb

    return V


def chi1(act: Any, weight_var: Any, q: Any, *, dps: int = 30, budget: float = 2.0) -> sympy.Expr:
    r""":math:`\chi_1 = \sigma_w^2\,\mathbb{E}[\varphi'(\sqrt{q}z)^2]` at variance ``q``.

    Parameters
    ----------
    act : Activation or sympy.Expr
    weight_var : number
    q : positive number
        Usually the fixed point :math:`q^*` (see :func:`mean_field`).
    dps, budget : keyword-only
        Passed to :func:`symact.propagation.expectation.expect`.

    Returns
    -------
    sympy.Expr
        Exact when :func:`~symact.propagation.expectation.expect` finds a verified closed form,
        else a ``Float`` with ``dps`` digits.

    References
    ----------
    .. [1] Poole et al. 2016; Schoenholz et al. 2017, eq. (5).

    Examples
    --------
    >>> import sympy
    >>> from symact.propagation.meanfield import chi1
    >>> from symact.propagation.expectation import X
    >>> chi1(sympy.Piecewise((X, X > 0), (0, True)), 2, 1)
    1
    """
    e = expect(_derivative(as_expression(act)) ** 2, q, dps=dps, budget=budget)
    return lighten(_exact_number(weight_var) * e.value, 1.0)


def _regime(chi: Any, dps: int) -> Regime:
    if isinstance(chi, sympy.Expr) and chi.is_number and not isinstance(chi, sympy.Float):
        d = sympy.sign(sympy.N(chi - 1, dps)) if (chi - 1).is_zero is None else sympy.sign(chi - 1)
        return "critical" if d == 0 else ("ordered" if d < 0 else "chaotic")
    c = mp_number(chi, dps)
    if abs(c - 1) < mpmath.mpf(10) ** (-(dps - 5)):
        return "critical"
    return "ordered" if c < 1 else "chaotic"


def _depth(rate: Any, dps: int) -> Any:
    r = mp_number(rate, dps)
    if r <= 0:
        return mpmath.mpf(0)
    if abs(r - 1) < mpmath.mpf(10) ** (-(dps - 5)):
        return mpmath.inf
    with workdps(dps):
        return 1 / abs(mpmath.log(r))


def mean_field(act: Any, weight_var: Any, bias_var: Any = 0, *, dps: int = 30, q0: Any = 1) -> MeanField:
    r"""Fixed point of the variance map, :math:`\chi_1` and the depth scales.

    Parameters
    ----------
    act : Activation or sympy.Expr
    weight_var, bias_var : number
        :math:`\sigma_w^2 > 0` and :math:`\sigma_b^2 \ge 0` (exact numbers keep exact results).
    dps : int, keyword-only
        Digits for the quadrature and root refinement.
    q0 : number, keyword-only
        Input variance the iteration starts from.

    Returns
    -------
    MeanField

    Notes
    -----
    Positively homogeneous activations (:math:`\varphi(x) = a_+ x` for :math:`x>0`,
    :math:`a_- x` for :math:`x<0`) give :math:`V(q) = \sigma_w^2 (a_+^2+a_-^2) q/2 + \sigma_b^2`
    and a :math:`q`-independent :math:`\chi_1 = \sigma_w^2 (a_+^2+a_-^2)/2`: all exact.
    Otherwise the map is iterated with 200-node Gauss–Hermite quadrature in NumPy and
    the fixed point refined with :func:`mpmath.findroot` on mpmath quadrature.  A
    fixed point within :math:`10^{5-\mathrm{dps}}` of a rational with denominator
    at most 100 is checked exactly with SymPy (SELU at :math:`\sigma_w^2=1` gives
    :math:`q^* = 1`).

    References
    ----------
    .. [1] Poole et al. 2016; Schoenholz et al. 2017; Klambauer et al. 2017 (SELU).

    Examples
    --------
    >>> import sympy
    >>> from symact.propagation.meanfield import mean_field
    >>> from symact.propagation.expectation import X
    >>> mf = mean_field(sympy.tanh(X), sympy.Rational(25, 9), dps=20)
    >>> print(mpmath.nstr(mf.q_star, 8), mpmath.nstr(mf.chi1, 8), mf.regime)
    1.1784805 1.2098313 chaotic
    >>> mean_field(sympy.tanh(X), sympy.Rational(1, 2)).status
    'q -> 0'
    """
    expr = as_expression(act)
    name = display_name(act)
    sw, sb = _exact_number(weight_var), _exact_number(bias_var)
    if not (sw.is_positive or (sw.is_positive is None and sympy.N(sw, 30) > 0)):
        raise ValueError(f"weight_var must be positive, got {weight_var!r}")
    dexpr = _derivative(expr)
    slopes = _homogeneous_slopes(expr)
    if slopes is not None:
        m = sympy.nsimplify(sw * (slopes[0] ** 2 + slopes[1] ** 2) / 2) if sw.is_Rational else sw * (
            slopes[0] ** 2 + slopes[1] ** 2
        ) / 2
        degenerate = False
        if (m - 1).is_negative:
            qs, status = (sb / (1 - m), "fixed point") if not sb.is_zero else (sympy.S.Zero, "q -> 0")
        elif (m - 1).is_zero and sb.is_zero:
            qs, status, degenerate = _exact_number(q0), "fixed point", True
        else:
            qs, status = None, "diverges"
        xi_q = None if status == "diverges" else _depth(m, dps)
        return MeanField(name, sw, sb, qs, status, m, _regime(m, dps), xi_q, _depth(m, dps), True, 0, degenerate, dps)

    q_gh, _, its = _gh_fixed_point(expr, np.array(float(sw)), np.array(float(sb)), float(q0), nodes=200, maxiter=5000)
    q_gh, its = float(q_gh[0]), int(its[0])
    odd_zero = bool(sb.is_zero) and bool(expr.subs(X, 0).is_zero)
    exact = False
    q_star: Any
    if not math.isfinite(q_gh):
        status = "diverges"
        try:
            chi = sw * _side_limits_sq(dexpr, sympy.S.Infinity)
            exact = True
        except (BudgetExceeded, ValueError, NotImplementedError):
            chi = sw * mp_number(expect(dexpr**2, sympy.Float(1e12), dps=dps).numeric, dps)
        return MeanField(name, sw, sb, None, status, chi, _regime(chi, dps), None, _depth(chi, dps), exact, its, False, dps)

    V = variance_map(expr, sw, sb, dps=dps)
    q_star = None
    if q_gh > 1e-6 or not odd_zero:
        with workdps(dps + 5):
            try:
                root = mpmath.findroot(lambda q: V(q) - q, mpmath.mpf(q_gh), verify=False)
                if root > mpmath.mpf(10) ** (-(dps // 2)) and abs(V(root) - root) < mpmath.mpf(10) ** (-(dps - 3)):
                    q_star = root
            except (ZeroDivisionError, ValueError):
                pass
        if q_star is None and not odd_zero:
            raise ArithmeticError(f"could not refine the fixed point near q = {q_gh:g}")
    if q_star is None:
        chi = sw * _side_limits_sq(dexpr, sympy.S.Zero)
        chi = lighten(chi, 1.0)
        return MeanField(name, sw, sb, sympy.S.Zero, "q -> 0", chi, _regime(chi, dps), _depth(chi, dps), _depth(chi, dps), True, its, False, dps)

    chi: Any = None
    cand = Fraction(float(q_star)).limit_denominator(100)
    r = sympy.Rational(cand.numerator, cand.denominator)
    if abs(q_star - mp_number(r, dps)) < mpmath.mpf(10) ** (-(dps - 5)) and (sw.is_Rational or not isinstance(sw, sympy.Float)):
        e2 = expect(expr**2, r, dps=dps)
        if e2.exact and lighten(sw * e2.value + sb - r, 2.0) == 0:
            q_star, exact = r, True
            d2 = expect(dexpr**2, r, dps=dps)
            if d2.exact:
                chi = lighten(sw * d2.value, 2.0)
            else:
                exact = False
    if chi is None:
        with workdps(dps + 10):
            chi = mp_number(sw, dps) * quadrature([(p**2, lo, hi) for p, lo, hi in gaussian_pieces(dexpr)], mp_number(q_star, dps), dps)[0]
    qm = mp_number(q_star, dps)
    with workdps(dps + 10):
        score = lambda t, q: (t * t / q - 1) / (2 * q)  # noqa: E731 - d/dq of the Gaussian density
        dV = mp_number(sw, dps) * quadrature([(p**2, lo, hi) for p, lo, hi in gaussian_pieces(expr)], qm, dps, score)[0]
    with workdps(dps):
        chi = chi if isinstance(chi, sympy.Expr) else +chi
        return MeanField(
            name, sw, sb, q_star if exact else +q_star, "fixed point", chi, _regime(chi, dps),
            _depth(dV, dps), _depth(chi, dps), exact, its, False, dps,
        )


def edge_of_chaos(act: Any, bias_var: Any = 0, *, dps: int = 20) -> sympy.Expr:
    r"""The weight variance :math:`\sigma_w^2` at which :math:`\chi_1 = 1` at the fixed point.

    On the critical line both :math:`q^* = \sigma_w^2 \mathbb{E}[\varphi(\sqrt{q^*}z)^2] +
    \sigma_b^2` and :math:`\sigma_w^2 \mathbb{E}[\varphi'(\sqrt{q^*}z)^2] = 1` hold, so
    :math:`q^*` solves :math:`q - \mathbb{E}[\varphi^2]/\mathbb{E}[\varphi'^2] = \sigma_b^2`
    and :math:`\sigma_w^2 = 1/\mathbb{E}[\varphi'(\sqrt{q^*}z)^2]`.

    Parameters
    ----------
    act : Activation or sympy.Expr
    bias_var : number
        :math:`\sigma_b^2 \ge 0`.
    dps : int, keyword-only

    Returns
    -------
    sympy.Expr
        Exact for positively homogeneous activations (:math:`2/(a_+^2+a_-^2)`, for any
        :math:`\sigma_b^2`, although :math:`q^*` then diverges when :math:`\sigma_b^2>0`)
        and, when :math:`\sigma_b^2 = 0`, :math:`\varphi(0) = 0` and no positive root
        exists, at :math:`q^* \to 0`: :math:`1/\varphi'(0)^2`.  Otherwise a ``Float``.

    References
    ----------
    .. [1] Poole et al. 2016, Fig. 2; Schoenholz et al. 2017, Fig. 1.

    Examples
    --------
    >>> import sympy
    >>> from symact.propagation.meanfield import edge_of_chaos
    >>> from symact.propagation.expectation import X
    >>> edge_of_chaos(sympy.tanh(X))
    1
    >>> edge_of_chaos(sympy.tanh(X), 0.05)
    1.76095463960...
    """
    expr = as_expression(act)
    sb = _exact_number(bias_var)
    slopes = _homogeneous_slopes(expr)
    if slopes is not None:
        return sympy.nsimplify(2 / (slopes[0] ** 2 + slopes[1] ** 2))
    dexpr = _derivative(expr)
    phi, dphi = _numpy_fns(expr)
    z, w = _hermite(200)
    qs = np.geomspace(1e-4, 1e2, 300)  # GH loses accuracy for saturating φ beyond q ~ 1e2
    e2 = phi(np.sqrt(qs)[:, None] * z) ** 2 @ w
    d2 = dphi(np.sqrt(qs)[:, None] * z) ** 2 @ w
    g = qs - e2 / d2 - float(sb)
    sign_change = np.flatnonzero(np.sign(g[:-1]) * np.sign(g[1:]) < 0)
    if len(sign_change) == 0:
        if sb.is_zero and expr.subs(X, 0).is_zero:
            return lighten(1 / _side_limits_sq(dexpr, sympy.S.Zero), 1.0)
        raise ArithmeticError(f"no critical point found for σ_b² = {bias_var} with 1e-4 ≤ q* ≤ 100")
    i = sign_change[0]
    p2 = [(p**2, lo, hi) for p, lo, hi in gaussian_pieces(expr)]
    d2p = [(p**2, lo, hi) for p, lo, hi in gaussian_pieces(dexpr)]
    sbm = mp_number(sb, dps)
    with workdps(dps + 5):

        def G(q: Any) -> Any:
            return q - quadrature(p2, q, dps)[0] / quadrature(d2p, q, dps)[0] - sbm

        q = mpmath.findroot(G, (mpmath.mpf(qs[i]), mpmath.mpf(qs[i + 1])), solver="illinois")
        sw = 1 / quadrature(d2p, q, dps)[0]
        return sympy.Float(mpmath.nstr(sw, dps + 3), dps)


def phase_diagram(
    act: Any,
    weight_vars: Any,
    bias_vars: Any,
    *,
    executor: concurrent.futures.Executor | None = None,
    nodes: int = 100,
    return_q: bool = False,
) -> Any:
    r""":math:`\chi_1` at the fixed point over a grid of :math:`(\sigma_w^2, \sigma_b^2)`.

    Each point iterates the variance map with ``nodes``-point Gauss–Hermite quadrature
    in float64 NumPy until the relative change is below 1e-13 (at most 2000 steps),
    vectorised over the whole grid (or, with an executor, over blocks of rows).

    Parameters
    ----------
    act : Activation or sympy.Expr
    weight_vars, bias_vars : array_like
        Grid axes.
    executor : concurrent.futures.Executor, optional, keyword-only
        Run the rows on it (e.g. ``ProcessPoolExecutor``; tasks send only the SymPy
        expression and numbers); serial when ``None``.
    nodes : int, keyword-only
        Gauss–Hermite nodes.  With 100 nodes, :math:`\chi_1` for tanh agrees with
        30-digit :func:`mean_field` to 1e-8 or better for :math:`q^* \lesssim 2`,
        degrading to about 3e-5 at :math:`\sigma_w^2 = 4, \sigma_b^2 = 0.5`
        (measured in ``benchmarks/bench_meanfield.py``); near the critical line at
        :math:`\sigma_b^2 = 0` the slow algebraic collapse of :math:`q` also limits it.
    return_q : bool, keyword-only
        Also return the fixed points.

    Returns
    -------
    numpy.ndarray or tuple of numpy.ndarray
        ``chi1`` of shape ``(len(weight_vars), len(bias_vars))``; with ``return_q``,
        ``(chi1, q_star)`` (``q_star`` is ``inf`` where the variance diverges).

    References
    ----------
    .. [1] Poole et al. 2016, Fig. 2; Schoenholz et al. 2017, Fig. 1.

    Examples
    --------
    >>> import sympy
    >>> from symact.propagation.meanfield import phase_diagram
    >>> from symact.propagation.expectation import X
    >>> chi = phase_diagram(sympy.tanh(X), [0.5, 25 / 9], [0.0])
    >>> chi.round(6).tolist()
    [[0.5], [1.209831]]
    """
    expr = as_expression(act)
    wv = np.asarray(weight_vars, float).ravel()
    bv = np.asarray(bias_vars, float).ravel()
    if executor is None:
        parts = [_phase_block(expr, c, bv, nodes) for c in np.array_split(wv, max(1, len(wv) // 10))]
        chi = np.concatenate([p[0] for p in parts])
        q = np.concatenate([p[1] for p in parts])
    else:
        workers = max(1, int(getattr(executor, "_max_workers", 2) or 2))
        chunks = [c for c in np.array_split(wv, 2 * workers) if len(c)]
        futures = [executor.submit(_phase_block, expr, c, bv, nodes) for c in chunks]
        parts = [f.result() for f in futures]
        chi = np.concatenate([p[0] for p in parts])
        q = np.concatenate([p[1] for p in parts])
    return (chi, q) if return_q else chi
