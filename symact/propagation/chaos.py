r"""The edge of chaos (certified) and the phase diagram (fast float64 pictures).

:func:`edge_of_chaos` finds the weight variance at which :math:`\chi_1 = 1` at the
fixed point: on the critical line :math:`q^*` solves

.. math::

    G(q) = q - \frac{\mathbb E[\varphi(\sqrt q z)^2]}{\mathbb E[\varphi'(\sqrt q z)^2]} - \sigma_b^2 = 0,
    \qquad \sigma_w^2 = 1/\mathbb E[\varphi'(\sqrt{q^*} z)^2],

and the root is proved and tightened by interval Newton on Arb enclosures of the
expectations and their :math:`q`-derivatives.  :func:`phase_diagram` iterates the
variance map with Gauss--Hermite quadrature in float64 over a grid, for pictures:
its values are level ``"sampled"``.

Also here: the small exact helpers shared with :mod:`symact.propagation.meanfield`
(exact variances, positively homogeneous slopes, one-sided limits of
:math:`\varphi'^2`, the float64 iteration).

References
----------
.. [1] Poole et al. 2016, Fig. 2; Schoenholz et al. 2017, Fig. 1.
"""

from __future__ import annotations

import concurrent.futures
import math
from collections.abc import Callable
from fractions import Fraction
from typing import Any

import mpmath
import numpy as np
import sympy
from flint import arb

from ..core.budget import check_deadline, time_budget
from ..core.cache import cached
from ..core.errors import CertificationError, DomainError
from ..core.precision import DEFAULT_DPS, check_dps, workdps
from ..core.result import Quantity, Result
from ..expressions.activation import x as X
from ..expressions.coerce import as_activation, as_expression
from ..gaussian.expectation import gaussian_pieces
from ..numerics.gaussian import as_ball, gaussian_expectation
from .fixedpoints import square_pieces, to_interval

__all__ = [
    "check_variance",
    "edge_of_chaos",
    "exact_number",
    "gh_fixed_point",
    "homogeneous_slopes",
    "is_exact_source",
    "number_source",
    "phase_diagram",
    "side_limits_sq",
]


def number_source(v: Any) -> Any:
    """What to enclose for a variance: a certified result's rigorous ``(lo, hi)``, else the exact number.

    :func:`exact_number` gives a certified result's midpoint, which is fine for display but
    must never be treated as exact: every computation that needs the variance itself
    encloses this instead (see :func:`symact.numerics.gaussian.as_ball`).

    >>> number_source(2)
    2
    """
    if isinstance(v, Result) and v.level != "exact":
        return v.enclosure
    return exact_number(v)


def is_exact_source(src: Any) -> bool:
    """Whether :func:`number_source` gave an exact SymPy number (not an enclosure)."""
    return isinstance(src, sympy.Expr)


def exact_number(v: Any) -> sympy.Expr:
    """A variance as an exact SymPy number (floats read as the decimal they print as).

    >>> exact_number(0.05), exact_number(2)
    (1/20, 2)
    """
    if isinstance(v, bool):
        raise TypeError("expected a number, not a bool")
    if isinstance(v, Result):
        if v.level == "exact":
            return sympy.sympify(v.value)
        lo, hi = v.enclosure
        with workdps(60):
            return sympy.Float((lo + hi) / 2, 50)
    if isinstance(v, float):
        return sympy.Rational(repr(v))
    if isinstance(v, Fraction):
        return sympy.Rational(v.numerator, v.denominator)
    if isinstance(v, mpmath.mpf):
        return sympy.Float(v, max(mpmath.mp.dps, 15))
    s = sympy.sympify(v)
    if not isinstance(s, sympy.Expr) or not s.is_number or s.is_negative:
        raise ValueError(f"variances must be non-negative numbers, got {v!r}")
    return s


def check_variance(v: Any, name: str, *, positive: bool = False) -> None:
    """Raise :class:`~symact.core.errors.DomainError` unless ``v`` is a real number ``> 0`` (``positive``) or ``>= 0``.

    Called on every variance before any work, so that a negative ``bias_var`` gets this
    message and not an error from deep inside the mathematics.

    >>> check_variance(0.5, "bias_var")
    >>> check_variance(-0.5, "bias_var")
    Traceback (most recent call last):
    ...
    symact.core.errors.DomainError: bias_var must be a real number >= 0 (a variance), got -0.5
    >>> check_variance(0, "weight_var", positive=True)
    Traceback (most recent call last):
    ...
    symact.core.errors.DomainError: weight_var must be a real number > 0 (a variance), got 0
    """
    what = f"{name} must be a real number {'> 0' if positive else '>= 0'} (a variance), got {v!r}"
    if isinstance(v, bool) or (isinstance(v, float) and not math.isfinite(v)):
        raise DomainError(what)
    if isinstance(v, Result):
        if v.level == "exact":
            v = v.value
        else:
            lo = v.enclosure[0]
            if not (lo > 0 or (lo == 0 and not positive)):
                raise DomainError(f"{what}: its enclosure [{mpmath.nstr(lo, 5)}, ...] is not {'> 0' if positive else '>= 0'}")
            return
    try:
        s = sympy.sympify(v) if not isinstance(v, float) else sympy.Rational(repr(v))
    except (sympy.SympifyError, TypeError, ValueError):
        raise DomainError(what) from None
    if not isinstance(s, sympy.Expr) or not s.is_number or s.is_extended_real is False or s.is_finite is False:
        raise DomainError(what)
    neg = s.is_negative if not positive else s.is_nonpositive
    if neg is None:  # a closed form whose sign SymPy's assumptions leave open: decide at 30 digits
        val = sympy.N(s, 30)
        if not val.is_real:
            raise DomainError(what)
        neg = bool(val < 0) if not positive else bool(val <= 0)
    if neg:
        raise DomainError(what)


def homogeneous_slopes(expr: sympy.Expr) -> tuple[sympy.Expr, sympy.Expr] | None:
    """Slopes (a₊, a₋) if ``expr`` is a₊x on x>0 and a₋x on x<0, else None.

    >>> homogeneous_slopes(sympy.Max(0, X))
    (1, 0)
    """
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


@cached(maxsize=256)
def side_limits_sq(dexpr: sympy.Expr, point: sympy.Expr) -> sympy.Expr:
    """(g(p⁺)² + g(p⁻)²)/2 for the piecewise-smooth g = dexpr at p (0 or ±oo).

    >>> side_limits_sq(sympy.Piecewise((0, X < 0), (1, X > 0)), sympy.S.Zero)
    1/2
    """
    pieces = gaussian_pieces(dexpr)
    out = []
    if point.is_finite:
        for p, lo, hi in pieces:
            if lo == point or hi == point or (lo < point < hi):
                v = sympy.limit(p, X, point) if p.subs(X, point).has(sympy.nan, sympy.zoo) else p.subs(X, point)
                out.extend([v**2] * (2 if lo < point < hi else 1))
        if len(out) != 2:
            raise ValueError("could not resolve the one-sided limits")
    else:
        with time_budget(3.0, clock="cpu"):
            out = [_limit_sq(pieces[-1][0], sympy.oo), _limit_sq(pieces[0][0], -sympy.oo)]
    total = sum(out) / 2
    return sympy.nsimplify(total) if all(o.is_Rational for o in out) else total


def _limit_sq(f: sympy.Expr, point: sympy.Expr) -> sympy.Expr:
    """lim f^2 at ``point``: the square of lim f when that is a finite number (SymPy finds it faster), else lim f^2."""
    v = sympy.limit(f, X, point)
    if v.is_number and v.is_finite and v.is_extended_real:
        return v**2
    return sympy.limit(f**2, X, point)


@cached(maxsize=64)
def _numpy_fns(expr: sympy.Expr) -> tuple[Callable, Callable]:
    from ..numerics.numeric import numpy_function

    return numpy_function(expr, X), numpy_function(sympy.diff(expr, X), X)


@cached(maxsize=8)
def _hermite(n: int) -> tuple[np.ndarray, np.ndarray]:
    z, w = np.polynomial.hermite_e.hermegauss(n)
    return z, w / math.sqrt(2 * math.pi)


def _gh_iterate(expr: sympy.Expr, sw: Any, sb: Any, q0: float = 1.0, *, nodes: int = 100,
                maxiter: int = 2000) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
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
        with np.errstate(over="ignore", invalid="ignore"):
            new = sw[active] * (phi(np.sqrt(qa)[:, None] * z) ** 2 @ w) + sb[active]
        new = np.where(np.isfinite(new), new, np.inf)
        done = (np.abs(new - qa) <= 1e-13 * np.maximum(np.abs(qa), 1e-300)) | (new < 1e-30) | (new > 1e15)
        q[active] = new
        its[active] += 1
        idx = np.flatnonzero(active)
        active[idx[done]] = False
    q[q > 1e15] = np.inf
    qs = np.where(np.isfinite(q), q, 1e15)
    with np.errstate(over="ignore", invalid="ignore"):
        chi = sw * (dphi(np.sqrt(qs)[..., None] * z) ** 2 @ w)
    q = np.where(q < 1e-30, 0.0, q)
    return q, chi, its


def gh_fixed_point(expr: sympy.Expr, sw: Any, sb: Any, q0: float = 1.0) -> tuple[float, float, int]:
    """Float64 iteration of the variance map from ``q0`` (200-node Gauss–Hermite): (q, chi1, iterations).

    >>> q, chi, _ = gh_fixed_point(sympy.tanh(X), 25 / 9, 0.0)
    >>> round(q, 6), round(chi, 6)
    (1.17848, 1.209831)
    """
    q, chi, its = _gh_iterate(expr, np.array(float(sw)), np.array(float(sb)), float(q0), nodes=200, maxiter=1500)
    return float(q[0]), float(chi[0]), int(its[0])


def _phase_block(expr: sympy.Expr, weight_vars: np.ndarray, bias_vars: np.ndarray, nodes: int) -> tuple[np.ndarray, np.ndarray]:
    """Worker for :func:`phase_diagram`: a block of σ_w² rows (top level, so it pickles)."""
    sw, sb = np.meshgrid(np.asarray(weight_vars, float), np.asarray(bias_vars, float), indexing="ij")
    q, chi, _ = _gh_iterate(expr, sw.ravel(), sb.ravel(), nodes=nodes)
    return chi.reshape(sw.shape), q.reshape(sw.shape)


def phase_diagram(
    act: Any, weight_vars: Any, bias_vars: Any, *, executor: concurrent.futures.Executor | None = None,
    nodes: int = 100, return_q: bool = False,
) -> Any:
    r""":math:`\chi_1` at the fixed point over a grid of :math:`(\sigma_w^2, \sigma_b^2)` -- level ``"sampled"``.

    A fast float64 computation for pictures: each point iterates the variance map
    with ``nodes``-point Gauss–Hermite quadrature until the relative change is
    below 1e-13 (at most 2000 steps), vectorised over the grid (or, with an
    executor, over blocks of rows).  Nothing here is certified; use
    :func:`symact.propagation.meanfield.mean_field` for certified values at a point.

    Parameters
    ----------
    act : activation (any accepted form)
    weight_vars, bias_vars : array_like
    executor : concurrent.futures.Executor, optional, keyword-only
    nodes : int, keyword-only
        With 100 nodes :math:`\chi_1` for tanh agrees with the certified value to
        1e-8 or better for :math:`q^* \lesssim 2`, degrading to about 3e-5 at
        :math:`\sigma_w^2 = 4, \sigma_b^2 = 0.5` (``benchmarks/bench_meanfield.py``).
    return_q : bool, keyword-only

    Returns
    -------
    numpy.ndarray or tuple of numpy.ndarray
        ``chi1`` of shape ``(len(weight_vars), len(bias_vars))``; with ``return_q``,
        ``(chi1, q_star)`` (``inf`` where the variance diverges).

    Examples
    --------
    >>> chi = phase_diagram("tanh", [0.5, 25 / 9], [0.0])
    >>> chi.round(6).tolist()
    [[0.5], [1.209831]]
    """
    expr = as_expression(act)
    wv = np.asarray(weight_vars, float).ravel()
    bv = np.asarray(bias_vars, float).ravel()
    if executor is None:
        parts = [_phase_block(expr, c, bv, nodes) for c in np.array_split(wv, max(1, len(wv) // 10))]
    else:
        workers = max(1, int(getattr(executor, "_max_workers", 2) or 2))
        chunks = [c for c in np.array_split(wv, 2 * workers) if len(c)]
        parts = [f.result() for f in [executor.submit(_phase_block, expr, c, bv, nodes) for c in chunks]]
    chi = np.concatenate([p[0] for p in parts])
    q = np.concatenate([p[1] for p in parts])
    return (chi, q) if return_q else chi


# -- the edge of chaos --------------------------------------------------------------------


def _ratio_newton(sq: tuple, dsq: tuple, sb: arb, Xb: arb, dps: int) -> tuple[arb, arb]:
    """(G(m), G'(X)) for G(q) = q - A(q)/B(q) - sb, A = E[phi^2], B = E[phi'^2]."""
    m = arb(Xb.mid())
    A, B = gaussian_expectation(sq, m, x=X, dps=dps), gaussian_expectation(dsq, m, x=X, dps=dps)
    Gm = m - A / B - sb
    AX, BX = gaussian_expectation(sq, Xb, x=X, dps=dps), gaussian_expectation(dsq, Xb, x=X, dps=dps)
    dA = gaussian_expectation(sq, Xb, x=X, dps=dps, dq=1)
    dB = gaussian_expectation(dsq, Xb, x=X, dps=dps, dq=1)
    return Gm, 1 - (dA * BX - AX * dB) / (BX * BX)


def _certified_sign(sq: tuple, dsq: tuple, sb: arb, q: float) -> int:
    """The certified sign of G(q) (0 when the 12-digit enclosure contains 0)."""
    g = _ratio_newton(sq, dsq, sb, arb(q), 12)[0]
    return 1 if g > 0 else -1 if g < 0 else 0


def _certified_bracket(sq: tuple, dsq: tuple, sb: arb, lo: float, hi: float) -> arb:
    """A q-interval with certified opposite signs of G at its ends, near the float bracket.

    The float64 Gauss–Hermite scan is inaccurate where the activation has a kink (for
    ELU at q = 1.3578 it gives G < 0 where G > 0), so its sign change is checked in
    Arb and, if it is not confirmed, searched for on a geometric grid around it.
    """
    s_lo, s_hi = _certified_sign(sq, dsq, sb, lo), _certified_sign(sq, dsq, sb, hi)
    if s_lo * s_hi < 0:
        return arb(lo).union(arb(hi))
    grid = [lo * 1.05**k for k in range(-40, 41)]
    signs = []
    for q in grid:
        check_deadline()
        signs.append(_certified_sign(sq, dsq, sb, q))
        if len(signs) > 1 and signs[-1] * signs[-2] < 0:
            return arb(grid[len(signs) - 2]).union(arb(q))
    raise CertificationError("the float scan's sign change of q - E[phi^2]/E[phi'^2] - sigma_b^2 "
                             "is not confirmed by certified values near it")


def edge_of_chaos(act: Any, bias_var: Any = 0, *, dps: int = DEFAULT_DPS) -> Quantity:
    r"""The weight variance :math:`\sigma_w^2` at which :math:`\chi_1 = 1` at the fixed point.

    Parameters
    ----------
    act : activation (any accepted form)
    bias_var : number
        :math:`\sigma_b^2 \ge 0`.
    dps : int, keyword-only

    Returns
    -------
    Quantity
        Exact for positively homogeneous activations (:math:`2/(a_+^2+a_-^2)`) and,
        when :math:`\sigma_b^2 = 0`, :math:`\varphi(0) = 0` and no positive root
        exists, at :math:`q^* \to 0`: :math:`1/\varphi'(0)^2`.  Otherwise certified
        by interval Newton; ``details["q_star"]`` holds the critical :math:`q^*`.

    Raises
    ------
    CertificationError
        No critical point with :math:`10^{-4} \le q^* \le 100`, or Newton fails.

    Examples
    --------
    >>> from symact.propagation.chaos import edge_of_chaos
    >>> edge_of_chaos("tanh").value
    1
    >>> edge_of_chaos("tanh", 0.05).evalf(18)
    1.76095463960673913
    """
    dps = check_dps(dps)
    check_variance(bias_var, "bias_var")
    a = as_activation(act)
    expr, dexpr = a.expr, a.derivative(1)
    sb = exact_number(bias_var)
    slopes = homogeneous_slopes(expr)
    if slopes is not None:
        return Quantity(sympy.nsimplify(2 / (slopes[0] ** 2 + slopes[1] ** 2)), "exact",
                        method="positively homogeneous", name="edge of chaos")
    phi, dphi = _numpy_fns(expr)
    z, w = _hermite(200)
    qs = np.geomspace(1e-4, 1e2, 300)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        g = qs - (phi(np.sqrt(qs)[:, None] * z) ** 2 @ w) / (dphi(np.sqrt(qs)[:, None] * z) ** 2 @ w) - float(sb)
    change = np.flatnonzero(np.sign(g[:-1]) * np.sign(g[1:]) < 0)
    if len(change) == 0:
        if sb.is_zero and sympy.simplify(expr.subs(X, 0)) == 0:
            return Quantity(sympy.nsimplify(1 / side_limits_sq(dexpr, sympy.S.Zero)), "exact",
                            method="q* -> 0: 1/phi'(0)^2", name="edge of chaos")
        raise CertificationError(f"no critical point found for σ_b² = {bias_var} with 1e-4 ≤ q* ≤ 100")
    i = change[0]
    sq, dsq = square_pieces(expr), square_pieces(dexpr)
    with workdps(dps + 18):
        sbb = as_ball(sb, dps)
        Xb = _certified_bracket(sq, dsq, sbb, float(qs[i]), float(qs[i + 1]))
        proved = False
        for k in range(14):
            work = 12 if not proved else min(dps + 5, 12 * 2 ** (k - 1))
            Gm, dG = _ratio_newton(sq, dsq, sbb, Xb, work)
            if dG.contains(0):  # bisect towards the sign change
                mid, low = arb(Xb.mid()), arb(Xb.lower())
                g_low = _ratio_newton(sq, dsq, sbb, low, 12)[0]
                if not (Gm > 0 or Gm < 0) or not (g_low > 0 or g_low < 0):
                    raise CertificationError("could not bracket the critical point")
                Xb = low.union(mid) if (Gm > 0) != (g_low > 0) else mid.union(arb(Xb.upper()))
                continue
            m = arb(Xb.mid())
            N = m - Gm / dG
            if N.lower() > Xb.lower() and N.upper() < Xb.upper():
                proved = True
            if N.upper() < Xb.lower() or N.lower() > Xb.upper():
                raise CertificationError("interval Newton excluded the bracketed critical point")
            Xb = arb(max(N.lower(), Xb.lower())).union(arb(min(N.upper(), Xb.upper())))
            if proved and Xb.rad() < abs(Xb.mid()) * arb(10) ** (-(dps + 4)):
                break
        if not proved:
            raise CertificationError("interval Newton could not prove the critical point")
        sw = 1 / gaussian_expectation(dsq, Xb, x=X, dps=dps + 4)
        qlo, qhi = to_interval(Xb, dps)
        lo, hi = to_interval(sw, dps)
    q_star = Quantity.certified(qlo, qhi, method="interval newton", name="q* (critical)", digits=dps)
    return Quantity.certified(lo, hi, method="interval newton", name="edge of chaos", digits=dps,
                              details={"q_star": q_star, "bias_var": sb})
