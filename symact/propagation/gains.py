r"""Initialisation gains and SELU's constants, derived from the Gaussian expectations.

:func:`gain` is the variance-preserving gain :math:`1/\sqrt{\mathbb{E}[\varphi(z)^2]}`,
:func:`gain_table` compares it with PyTorch's ``calculate_gain`` through the
mean-field :math:`\chi_1` each choice gives (:mod:`symact.propagation.meanfield`), and
:func:`selu_constants` re-derives SELU's :math:`\lambda, \alpha` from its
self-normalising conditions.

References
----------
.. [1] K. He, X. Zhang, S. Ren, J. Sun, "Delving deep into rectifiers", ICCV 2015.
.. [2] G. Klambauer, T. Unterthiner, A. Mayr, S. Hochreiter, "Self-normalizing
   neural networks", NeurIPS 2017.

>>> import symact as sa
>>> sa.gain(sa.activation("relu"))
sqrt(2)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import mpmath
import sympy

from ..core.budget import time_budget
from ..core.errors import CertificationError
from ..core.precision import workdps
from ..expressions.coerce import as_activation, as_expression, display_name
from ..expressions.simplify import lighten
from .expectation import X, expect
from .meanfield import mean_field, mp_number

__all__ = ["GainRow", "GainTable", "gain", "gain_table", "selu_constants"]


def gain(act: Any, *, dps: int = 30, budget: float = 2.0) -> sympy.Expr:
    r"""Variance-preserving initialisation gain :math:`1/\sqrt{\mathbb{E}[\varphi(z)^2]}`.

    With :math:`\sigma_w^2 = \mathrm{gain}^2` and unit-variance inputs the
    pre-activation variance is preserved by one layer (He et al. 2015 for ReLU).

    Parameters
    ----------
    act : Activation or sympy.Expr
    dps : int, keyword-only
    budget : float, keyword-only
        Seconds for SymPy's attempt at a closed form of :math:`\mathbb{E}[\varphi(z)^2]`.

    Returns
    -------
    sympy.Expr
        Exact when :math:`\mathbb{E}[\varphi(z)^2]` has a verified closed form
        (:math:`\sqrt 2` for ReLU, :math:`\sqrt{2/(1+a^2)}` for leaky ReLU, 1 for SELU),
        else a ``Float`` (tanh: 1.5925374197…).

    References
    ----------
    .. [1] He et al. 2015; Klambauer et al. 2017 (SELU).

    Examples
    --------
    >>> import sympy
    >>> from symact.propagation.gains import gain
    >>> from symact.propagation.expectation import X
    >>> gain(sympy.Piecewise((X, X > 0), (0, True)))
    sqrt(2)
    >>> gain(sympy.tanh(X), dps=15)
    1.59253741972...
    """
    e = expect(as_expression(act) ** 2, 1, dps=dps, budget=budget)
    if e.exact:
        return lighten(1 / sympy.sqrt(e.value), 2.0)
    with workdps(dps + 5):
        return sympy.Float(mpmath.nstr(1 / mpmath.sqrt(e.numeric), dps + 3), dps)


def _pytorch_gain(name: str, params: dict) -> sympy.Expr | None:
    """``torch.nn.init.calculate_gain`` (PyTorch 2.x), exactly."""
    if name in ("identity", "linear", "conv1d", "conv2d", "conv3d", "sigmoid"):
        return sympy.S.One
    if name == "tanh":
        return sympy.Rational(5, 3)
    if name == "relu":
        return sympy.sqrt(2)
    if name == "leaky_relu":
        a = sympy.sympify(params.get("negative_slope", sympy.Rational(1, 100)))
        return sympy.sqrt(2 / (1 + a**2))
    if name == "selu":
        return sympy.Rational(3, 4)
    return None


@dataclass(frozen=True)
class GainRow:
    r"""One row of :func:`gain_table`: our gain and PyTorch's, with :math:`\chi_1` for each."""

    name: str
    ours: sympy.Expr
    pytorch: sympy.Expr | None
    chi1_ours: Any
    chi1_pytorch: Any


@dataclass(frozen=True)
class GainTable:
    r"""Variance-preserving gains against ``torch.nn.init.calculate_gain``.

    ``chi1_*`` is :math:`\chi_1` at the fixed point with :math:`\sigma_w^2 = \mathrm{gain}^2`,
    :math:`\sigma_b^2 = 0`.
    """

    rows: tuple[GainRow, ...]

    def __repr__(self) -> str:
        def f(v: Any) -> str:
            if v is None:
                return "-"
            return mpmath.nstr(mp_number(v, 15), 8) if not (isinstance(v, sympy.Expr) and v.is_Rational) else str(v)

        lines = [f"{'activation':<12} {'gain':>12} {'torch':>12} {'chi1(gain)':>12} {'chi1(torch)':>12}"]
        for r in self.rows:
            lines.append(f"{r.name:<12} {f(r.ours):>12} {f(r.pytorch):>12} {f(r.chi1_ours):>12} {f(r.chi1_pytorch):>12}")
        return "\n".join(lines)

    def latex(self) -> str:
        r"""A LaTeX ``tabular`` of the table."""

        def f(v: Any) -> str:
            if v is None:
                return "--"
            return sympy.latex(v if isinstance(v, sympy.Expr) and not isinstance(v, sympy.Float) else sympy.Float(mp_number(v, 15), 8))

        body = r" \\ ".join(
            rf"\text{{{r.name}}} & {f(r.ours)} & {f(r.pytorch)} & {f(r.chi1_ours)} & {f(r.chi1_pytorch)}" for r in self.rows
        )
        return (
            r"\begin{array}{lcccc} \text{activation} & \text{gain} & \text{PyTorch} & "
            r"\chi_1(\text{gain}) & \chi_1(\text{PyTorch}) \\ \hline " + body + r"\end{array}"
        )

    def _repr_latex_(self) -> str:
        return rf"$\displaystyle {self.latex()}$"


def gain_table(acts: Any = ("identity", "sigmoid", "tanh", "relu", "leaky_relu", "selu"), *, dps: int = 20) -> GainTable:
    r"""Compare :func:`gain` with PyTorch's ``calculate_gain`` and the resulting :math:`\chi_1`.

    Parameters
    ----------
    acts : iterable of str or Activation
        Catalogue names (resolved with :func:`symact.expressions.catalogue.activation`) or activations.
    dps : int, keyword-only

    Returns
    -------
    GainTable
        PyTorch's gains are heuristics (tanh 5/3, SELU 3/4) rather than
        variance-preserving values; the :math:`\chi_1` columns show the effect.

    References
    ----------
    .. [1] He et al. 2015; Klambauer et al. 2017; PyTorch ``torch.nn.init.calculate_gain``.

    Examples
    --------
    >>> from symact.propagation.gains import gain_table
    >>> t = gain_table(["relu"])
    >>> t.rows[0].ours, t.rows[0].pytorch, t.rows[0].chi1_ours
    (sqrt(2), sqrt(2), 1)
    """
    rows = []
    for a in acts:
        if isinstance(a, str):
            a = as_activation(a)
        name = display_name(a)
        params = {str(k): v for k, v in dict(getattr(a, "params", {}) or {}).items()}
        ours = gain(a, dps=dps, budget=1.0)
        torch = _pytorch_gain(name, params)
        c_ours = mean_field(a, sympy.nsimplify(ours**2) if not isinstance(ours, sympy.Float) else ours**2, dps=dps).chi1
        c_torch = mean_field(a, torch**2, dps=dps).chi1 if torch is not None else None
        rows.append(GainRow(name, ours, torch, c_ours, c_torch))
    return GainTable(tuple(rows))


def selu_constants(*, dps: int = 50) -> tuple[sympy.Expr, sympy.Expr]:
    r"""Re-derive SELU's :math:`(\lambda, \alpha)` from :math:`\mathbb{E}[\mathrm{selu}(z)] = 0`, :math:`\mathbb{E}[\mathrm{selu}(z)^2] = 1`.

    With :math:`\mathrm{selu}(x) = \lambda x` for :math:`x > 0` and
    :math:`\lambda\alpha(e^x - 1)` otherwise, both expectations are integrated
    exactly with symbolic :math:`\lambda, \alpha`, solved, and the solution is
    checked by quadrature at ``dps`` digits.

    Returns
    -------
    (sympy.Expr, sympy.Expr)
        :math:`\lambda = 1.0507009873554804934\ldots`, :math:`\alpha = 1.6732632423543772848\ldots`.

    Raises
    ------
    CertificationError
        If the closed forms fail the numerical check.

    References
    ----------
    .. [1] Klambauer et al. 2017, "Self-normalizing neural networks", eq. (14).

    Examples
    --------
    >>> from symact.propagation.gains import selu_constants
    >>> lam, alpha = selu_constants(dps=20)
    >>> lam.evalf(20), alpha.evalf(20)
    (1.0507009873554804934, 1.6732632423543772848)
    """
    lam, alpha = sympy.symbols("lambda alpha", positive=True)
    selu = lam * sympy.Piecewise((X, X > 0), (alpha * (sympy.exp(X) - 1), True))
    m1 = expect(selu, dps=dps).value
    m2 = expect(selu**2, dps=dps).value
    with time_budget(20):
        a_sol = sympy.solve(sympy.Eq(m1, 0), alpha)
        a_val = lighten(a_sol[0], 2.0)
        l_sol = sympy.solve(sympy.Eq(m2.subs(alpha, a_val), 1), lam)
    l_val = lighten(next(s for s in l_sol if s.is_positive is not False), 2.0)
    act = selu.subs({lam: l_val, alpha: a_val})
    tol = mpmath.mpf(10) ** (-(dps - 5))
    e1 = expect(act, dps=dps, exact=False).numeric
    e2 = expect(act**2, dps=dps, exact=False).numeric
    if abs(e1) > tol or abs(e2 - 1) > tol:
        raise CertificationError(f"SELU constants fail the check: E = {e1}, E² = {e2}")
    return l_val, a_val
