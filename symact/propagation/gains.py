r"""Initialisation gains, PyTorch's ``calculate_gain`` beside them, and SELU's constants.

:func:`gain` is the variance-preserving gain :math:`1/\sqrt{\mathbb{E}[\varphi(z)^2]}`
(certified, or exact when the expectation has a proved closed form);
:func:`torch_gain` and :func:`torch_gains` reproduce ``torch.nn.init.calculate_gain``
exactly; :func:`gain_table` puts both side by side with the :math:`\chi_1` each
gives; :func:`selu_constants` re-derives SELU's :math:`\lambda, \alpha`.

References
----------
.. [1] K. He, X. Zhang, S. Ren, J. Sun, "Delving deep into rectifiers", ICCV 2015.
.. [2] G. Klambauer, T. Unterthiner, A. Mayr, S. Hochreiter, "Self-normalizing
   neural networks", NeurIPS 2017.
.. [3] PyTorch, ``torch.nn.init.calculate_gain`` (tanh 5/3 and SELU 3/4 were chosen
   empirically, not derived).

>>> import symact as sa
>>> print(sa.gain("relu"))
sqrt(2)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import mpmath
import sympy

from ..core.budget import time_budget
from ..core.errors import CertificationError
from ..core.precision import DEFAULT_DPS, check_dps, workdps
from ..core.result import Quantity, honest_float
from ..expressions.coerce import as_activation, display_name
from ..expressions.simplify import tidy
from ..gaussian.expectation import X, expect
from ..numerics.gaussian import as_ball
from .fixedpoints import CertifiedMap, to_interval
from .meanfield import chi1, mean_field

__all__ = ["Gain", "GainRow", "GainTable", "gain", "gain_table", "selu_constants", "torch_gain", "torch_gains"]

#: The names ``torch.nn.init.calculate_gain`` accepts (PyTorch 2.x).
TORCH_NAMES = ("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
               "conv_transpose3d", "sigmoid", "tanh", "relu", "leaky_relu", "selu")
_LINEAR = TORCH_NAMES[:7]


@dataclass(frozen=True, eq=False, repr=False)
class Gain(Quantity):
    r"""A gain: a :class:`~symact.core.result.Quantity` whose square is the weight variance.

    ``g ** 2`` gives the SymPy value squared (exact when ``g`` is), so
    ``mean_field(act, g ** 2)`` works; :attr:`weight_var` keeps the level.

    >>> g = gain("relu")
    >>> g ** 2, g.weight_var.level
    (2, 'exact')
    """

    def __pow__(self, n: int) -> sympy.Expr:
        if self.level == "exact" or not isinstance(n, int) or n < 1:
            return sympy.sympify(self.value) ** n
        lo, hi = self.enclosure  # a positive enclosure: its n-th power holds the certified digits
        with workdps(60):
            return honest_float(lo**n, hi**n, DEFAULT_DPS + 5)

    @property
    def weight_var(self) -> Quantity:
        """:math:`\\sigma_w^2 = \\mathrm{gain}^2` as a Quantity with the same level."""
        if self.level == "exact":
            return Quantity(sympy.simplify(self.value**2), "exact", method=self.method, name="weight_var")
        lo, hi = self.enclosure
        with workdps(60):
            return Quantity.certified(lo * lo, hi * hi, method=self.method, name="weight_var")

    @property
    def repelling(self) -> bool | None:
        """Whether the fixed point :math:`q^* = 1` this gain creates repels (:math:`V'(1) > 1`; None: not known)."""
        return self.details.get("repelling")

    def mean_field(self) -> Any:
        r""":func:`~symact.propagation.meanfield.mean_field` at :math:`\sigma_w^2 = g^2, \sigma_b^2 = 0`,
        with ``escapes`` saying where a variance just above or below 1 goes when :math:`q^* = 1` repels.

        >>> [e.direction for e in gain("gelu").mean_field().escapes]
        ['up', 'down']
        """
        act = self.details.get("activation")
        if act is None:
            raise ValueError("this gain does not record its activation")
        return mean_field(act, self.weight_var, 0)

    def __repr__(self) -> str:
        extra = ", q*=1 repelling" if self.repelling else ""
        return f"Gain({self}, level={self.level!r}, method={self.method!r}{extra})"

    def __reduce__(self) -> Any:
        return (Gain, (self.value, self.level, self.enclosure, self.method, self.name, dict(self.details)))


def _resolve(nonlinearity: Any, param: Any) -> Any:
    if isinstance(nonlinearity, str) and nonlinearity in _LINEAR:
        return as_activation("identity")
    if isinstance(nonlinearity, str) and nonlinearity == "leaky_relu" and param is not None:
        from ..expressions.catalogue import activation

        return activation("leaky_relu", negative_slope=sympy.nsimplify(param))
    if param is not None:
        raise ValueError(f"param is only used with 'leaky_relu' (its negative slope), got {param!r}")
    return as_activation(nonlinearity)


def gain(nonlinearity: Any, param: Any = None, *, dps: int = DEFAULT_DPS) -> Gain:
    r"""Variance-preserving initialisation gain :math:`1/\sqrt{\mathbb{E}[\varphi(z)^2]}`.

    With :math:`\sigma_w^2 = \mathrm{gain}^2`, :math:`\sigma_b^2 = 0` and unit-variance
    inputs, one layer preserves the pre-activation variance (He et al. 2015 for ReLU).

    Parameters
    ----------
    nonlinearity : activation (any accepted form) or a ``calculate_gain`` name
        ``"linear"``, ``"conv1d"``, ... mean the identity, as in PyTorch.
    param : number, optional
        As ``calculate_gain``'s: the negative slope of ``"leaky_relu"`` (default 0.01).
    dps : int, keyword-only

    Returns
    -------
    Gain
        Exact when :math:`\mathbb{E}[\varphi(z)^2]` has a proved closed form
        (:math:`\sqrt 2` for ReLU, :math:`\sqrt{2/(1+a^2)}` for leaky ReLU, 1 for SELU),
        else certified (tanh: 1.5925374197…).  Note that for GELU and SiLU the
        fixed point :math:`q^* = 1` this gain creates is *repelling* (:math:`V'(1) > 1`):
        a variance slightly above 1 grows without bound, slightly below 1 decays to 0
        (``repelling`` says so; ``mean_field().escapes`` and :func:`gain_table` rows' ``fate()``; see
        :func:`symact.propagation.meanfield.mean_field` and ``MeanField.escapes``).

    References
    ----------
    .. [1] He et al. 2015; Klambauer et al. 2017 (SELU).

    Examples
    --------
    >>> from symact.propagation.gains import gain
    >>> print(gain("relu"), gain("leaky_relu", 0.2))
    sqrt(2) 5*sqrt(13)/13
    >>> gain("tanh").evalf(17)
    1.5925374197228314
    """
    dps = check_dps(dps)
    a = _resolve(nonlinearity, param)
    e = expect(a.expr**2, 1, dps=dps)
    if e.level == "exact":
        v = e.value
        if sympy.count_ops(v) > 40:  # SELU's E[selu^2] is a long expression equal to 1
            try:
                with time_budget(1.0, clock="cpu"):
                    c = sympy.cancel(sympy.together(v))
                v = c if sympy.count_ops(c) < sympy.count_ops(v) else v
            except Exception:  # noqa: BLE001 - simplification is best effort
                pass
        g = 1 / sympy.sqrt(v)
        if sympy.count_ops(g) < 40:
            g = tidy(g, 1.0)
        return Gain(g, "exact", method=f"1/sqrt(E[phi^2]), {e.method}", name="gain",
                    details=_stability(a, e.enclosure))
    lo, hi = e.enclosure
    with workdps(dps + 10):
        b = 1 / as_ball((lo, hi), dps).sqrt()
        glo, ghi = to_interval(b, dps)
    return Gain.certified(glo, ghi, method="1/sqrt(E[phi^2]), arb integral", name="gain", digits=dps,
                          details=_stability(a, e.enclosure))


def _stability(a: Any, e2: tuple) -> dict[str, Any]:
    r""":math:`V'(1)` at the gain (one certified integral, low precision) and whether :math:`q^* = 1` repels."""
    with workdps(30):
        sw = 1 / as_ball(e2, 20)  # sigma_w^2 = 1 / E[phi(z)^2], as a ball
        try:
            slope = sw * CertifiedMap(a.expr, sympy.S.One, sympy.S.Zero).dV(1, 12)
        except CertificationError:
            return {"activation": a}
    rep = True if slope > 1 else (False if slope < 1 else None)
    return {"activation": a, "repelling": rep}


def torch_gain(nonlinearity: str, param: Any = None) -> Quantity:
    r"""``torch.nn.init.calculate_gain(nonlinearity, param)``, exactly (PyTorch 2.x).

    sigmoid 1, tanh 5/3, relu :math:`\sqrt 2`, leaky_relu :math:`\sqrt{2/(1+a^2)}`
    (``param`` = a, default 0.01), selu 3/4, linear and convolutions 1.

    Raises
    ------
    ValueError
        For a name PyTorch does not know (as PyTorch does).

    Examples
    --------
    >>> torch_gain("tanh").value, torch_gain("leaky_relu", 0.2).value
    (5/3, 5*sqrt(13)/13)
    """
    if nonlinearity in _LINEAR or nonlinearity == "sigmoid":
        v: sympy.Expr = sympy.Integer(1)
    elif nonlinearity == "tanh":
        v = sympy.Rational(5, 3)
    elif nonlinearity == "relu":
        v = sympy.sqrt(2)
    elif nonlinearity == "leaky_relu":
        a = sympy.Rational(1, 100) if param is None else sympy.nsimplify(param)
        v = sympy.sqrt(2 / (1 + a**2))
    elif nonlinearity == "selu":
        v = sympy.Rational(3, 4)
    else:
        raise ValueError(f"Unsupported nonlinearity {nonlinearity!r}; torch.nn.init.calculate_gain knows "
                         + ", ".join(TORCH_NAMES))
    return Quantity(sympy.radsimp(v), "exact", method="torch.nn.init.calculate_gain", name="torch gain")


def torch_gains() -> dict[str, Quantity]:
    """Every ``calculate_gain`` value (default ``param``), by name.

    >>> {k: str(v) for k, v in torch_gains().items() if k in ("tanh", "selu")}
    {'tanh': '5/3', 'selu': '3/4'}
    """
    return {name: torch_gain(name) for name in TORCH_NAMES}


@dataclass(frozen=True)
class GainRow:
    r"""One row of :func:`gain_table`.

    ``ours`` is :func:`gain`; ``pytorch`` is ``calculate_gain`` (``None`` where PyTorch has
    no entry); ``chi1_ours`` and ``chi1_pytorch`` are :math:`\chi_1` at the fixed point
    reached from :math:`q_0 = 1` with :math:`\sigma_w^2` the squared gain and
    :math:`\sigma_b^2 = 0`; ``slope_ours`` is :math:`V'(1)` at our gain (above 1: the
    variance-preserving fixed point :math:`q^* = 1` repels).
    """

    name: str
    ours: Quantity
    pytorch: Quantity | None
    chi1_ours: Quantity
    chi1_pytorch: Quantity | None
    slope_ours: Quantity | None = None
    escapes: tuple = ()

    @property
    def repelling(self) -> bool:
        """Whether the gain's fixed point :math:`q^* = 1` is proved repelling (:math:`V'(1) > 1`)."""
        return self.slope_ours is not None and bool(self.slope_ours.enclosure[0] > 1)

    def fate(self) -> str:
        """Where the variance goes at this gain: ``""`` unless :math:`q^* = 1` repels.

        >>> gain_table(["relu"]).rows[0].fate()
        ''
        """
        if not self.repelling:
            return ""
        assert self.slope_ours is not None
        return (f"q* = 1 repels (V'(1) = {self.slope_ours.evalf(4)}): a network started at q0 = 1 stays there only "
                "if the variance is exactly 1; " + "; ".join(e.describe() for e in self.escapes))


def _fmt(v: Any, digits: int = 8) -> str:
    if v is None:
        return "-"
    if v.level == "exact" and v.value.is_Rational:
        return str(v.value)
    return str(v.evalf(digits))


@dataclass(frozen=True)
class GainTable:
    r"""Variance-preserving gains against ``torch.nn.init.calculate_gain``, with :math:`\chi_1`."""

    rows: tuple[GainRow, ...]

    def __repr__(self) -> str:
        lines = [f"{'activation':<14} {'gain':>12} {'torch':>12} {'chi1(gain)':>12} {'chi1(torch)':>12} {'V_prime(1)':>11}"]
        for r in self.rows:
            lines.append(f"{r.name:<14} {_fmt(r.ours):>12} {_fmt(r.pytorch):>12} {_fmt(r.chi1_ours):>12} "
                         f"{_fmt(r.chi1_pytorch):>12} {_fmt(r.slope_ours, 5):>11}")
        lines += [f"{r.name}: {r.fate()}" for r in self.rows if r.fate()]
        return "\n".join(lines)

    def latex(self) -> str:
        r"""A LaTeX ``array`` of the table (certified digits only)."""

        def f(v: Any) -> str:
            return "--" if v is None else v.latex()

        body = r" \\ ".join(
            rf"\text{{{r.name}}} & {f(r.ours)} & {f(r.pytorch)} & {f(r.chi1_ours)} & {f(r.chi1_pytorch)}" for r in self.rows
        )
        return (
            r"\begin{array}{lcccc} \text{activation} & \text{gain} & \text{PyTorch} & "
            r"\chi_1(\text{gain}) & \chi_1(\text{PyTorch}) \\ \hline " + body + r"\end{array}"
        )

    def _repr_latex_(self) -> str:
        return rf"$\displaystyle {self.latex()}$"


def _chi1_at_one(a: Any, g: Gain, dps: int) -> tuple[Quantity, Quantity]:
    """chi_1 and V'(1) at sigma_w^2 = g^2, where q = 1 is a fixed point by construction."""
    wv = g.weight_var  # its enclosure holds the exact gain^2: chi_1 is certified *at the gain*
    sw = wv.value if wv.level == "exact" else wv.enclosure
    c = chi1(a, wv, q=1, dps=dps)
    cmap = CertifiedMap(a.expr, sw, sympy.S.Zero)
    lo, hi = to_interval(cmap.dV(1, dps), dps)
    return c, Quantity.certified(lo, hi, method="arb integral", name="V'(1)", digits=dps)


def gain_table(acts: Any = ("identity", "sigmoid", "tanh", "relu", "leaky_relu", "selu"), *, dps: int = DEFAULT_DPS,
               torch: bool = True) -> GainTable:
    r"""Our gains beside PyTorch's ``calculate_gain``, with the :math:`\chi_1` each gives.

    Parameters
    ----------
    acts : iterable of activations (any accepted form), or ``"all"`` for the catalogue
    dps : int, keyword-only
    torch : bool, keyword-only
        Include PyTorch's column (and the mean field it gives).

    Returns
    -------
    GainTable

    References
    ----------
    .. [1] He et al. 2015; Klambauer et al. 2017; PyTorch ``torch.nn.init.calculate_gain``.

    Examples
    --------
    >>> from symact.propagation.gains import gain_table
    >>> r = gain_table(["relu"]).rows[0]
    >>> print(r.ours, r.pytorch, r.chi1_ours)
    sqrt(2) sqrt(2) 1
    """
    dps = check_dps(dps)
    if acts == "all":
        from ..expressions.catalogue import names

        acts = names()
    rows = []
    for item in acts:
        a = as_activation(item)
        name = display_name(item)
        ours = gain(a, dps=dps)
        c_ours, slope = _chi1_at_one(a, ours, dps)
        tg = c_t = None
        if torch and name in (*TORCH_NAMES, "identity"):
            slope_param = dict(getattr(a, "params", {}) or {})
            param = next(iter(slope_param.values())) if name == "leaky_relu" and slope_param else None
            tg = torch_gain("linear" if name == "identity" else name, param)
            c_t = mean_field(a, sympy.simplify(tg.value**2), 0, dps=dps).chi1
        escapes = mean_field(a, ours.weight_var, 0, dps=dps).escapes if slope.enclosure[0] > 1 else ()
        rows.append(GainRow(name, ours, tg, c_ours, c_t, slope, escapes))
    return GainTable(tuple(rows))


def selu_constants(*, dps: int = 50) -> tuple[sympy.Expr, sympy.Expr]:
    r"""Re-derive SELU's :math:`(\lambda, \alpha)` from :math:`\mathbb{E}[\mathrm{selu}(z)] = 0`, :math:`\mathbb{E}[\mathrm{selu}(z)^2] = 1`.

    With :math:`\mathrm{selu}(x) = \lambda x` for :math:`x > 0` and
    :math:`\lambda\alpha(e^x - 1)` otherwise, both expectations are integrated
    exactly (moment recursion) with symbolic :math:`\lambda, \alpha`, solved, and the
    solution is checked against certified enclosures at ``dps`` digits.

    Returns
    -------
    (sympy.Expr, sympy.Expr)
        :math:`\lambda = 1.0507009873554804934\ldots`, :math:`\alpha = 1.6732632423543772848\ldots`.

    Raises
    ------
    CertificationError
        If the closed forms fail the check.

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
    with time_budget(20, clock="cpu"):
        a_val = tidy(sympy.solve(sympy.Eq(m1, 0), alpha)[0], 2.0)
        l_sol = sympy.solve(sympy.Eq(m2.subs(alpha, a_val), 1), lam)
    l_val = tidy(next(s for s in l_sol if s.is_positive is not False), 2.0)
    act = selu.subs({lam: l_val, alpha: a_val})
    e1 = expect(act, dps=dps, closed_form=False).enclosure
    e2 = expect(act**2, dps=dps, closed_form=False).enclosure
    if not (e1[0] <= 0 <= e1[1] and e2[0] <= 1 <= e2[1]):
        with workdps(dps):
            raise CertificationError(f"SELU constants fail the check: E in [{mpmath.nstr(e1[0], 5)}, ...]")
    return l_val, a_val
