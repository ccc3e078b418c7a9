r"""The results of :func:`symact.propagation.meanfield.mean_field`: fixed points and their statistics."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import sympy

from ..core.precision import DEFAULT_DPS
from ..core.result import LEVELS, Level, Quantity, Result, weakest
from ..core.steps import Record

__all__ = ["Escape", "FixedPoint", "MeanField", "Regime", "Status"]

Status = Literal["fixed point", "q -> 0", "diverges"]
Regime = Literal["ordered", "critical", "chaotic", "undecided"]

#: The range of q searched for fixed points when no proved range is available.
SEARCH = (1e-2, 1e2)


@dataclass(frozen=True)
class FixedPoint:
    r"""One fixed point :math:`q^* = V(q^*)` with its stability.

    Attributes
    ----------
    q : Quantity
        The fixed point (exact or a certified enclosure).
    slope : Quantity
        :math:`V'(q^*)`; the fixed point attracts when :math:`|V'(q^*)| < 1`.
    stable : bool or None
        Attracting (True), repelling (False), or undecided at this precision.
    chi1 : Quantity
        :math:`\chi_1` at this fixed point.
    """

    q: Quantity
    slope: Quantity
    stable: bool | None
    chi1: Quantity


@dataclass(frozen=True)
class Escape:
    r"""Where the variance goes from just above (``"up"``) or below (``"down"``) a repelling fixed point.

    Attributes
    ----------
    direction : {"up", "down"}
    q : Quantity or None
        The fixed point reached (``None``: the variance grows without bound).
    chi1 : Quantity
        :math:`\chi_1` there (as :math:`q \to \infty` when ``q`` is None).
    level : str
        How strongly that destination is shown (as ``MeanField.reached_level``).
    """

    direction: str
    q: Quantity | None
    chi1: Quantity
    level: str

    def describe(self) -> str:
        """One phrase, e.g. ``'above it q grows without bound (chi_1 -> 1.176)'``."""
        side = "above" if self.direction == "up" else "below"
        if self.q is None:
            return f"{side} it q grows without bound (chi_1 -> {self.chi1.evalf(4)}, {self.level})"
        return f"{side} it q -> {self.q} (chi_1 = {self.chi1.evalf(4)}, {self.level})"


@dataclass(frozen=True, eq=False, repr=False)
class MeanField(Result):
    r"""Mean-field statistics of one activation at one initialisation.

    A ``MeanField`` converts and compares as its :math:`\chi_1` (the number that
    decides the regime); its ``level`` is the weakest level of its numbers.

    Attributes
    ----------
    activation_name : str
    weight_var, bias_var : sympy.Expr
        :math:`\sigma_w^2` and :math:`\sigma_b^2`.
    q_star : Quantity or None
        The fixed point a network started at ``q0`` reaches (0 for ordered collapse;
        ``None`` when the variance grows without bound).
    status : {"fixed point", "q -> 0", "diverges"}
    chi1 : Quantity
        :math:`\sigma_w^2 \mathbb{E}[\varphi'(\sqrt{q^*}z)^2]` (for "diverges", its
        limit as :math:`q \to \infty`).
    regime : {"ordered", "critical", "chaotic", "undecided"}
        Decided from the enclosure of :math:`\chi_1` ("undecided" when it contains 1).
    depth_scale_q, depth_scale_c : Quantity or None
        :math:`\xi_q = 1/|\log V'(q^*)|` and :math:`\xi_c = 1/|\log \chi_1|` (``inf`` at 1).
    fixed_points : tuple of FixedPoint
        Every fixed point found in the searched range (and :math:`q = 0` when it is one).
    complete : bool
        Whether the rest of the searched range was proved free of fixed points.
    reached_level : str
        How strongly it is shown that ``q0`` flows to ``q_star``: ``"certified"``
        (monotone convergence proved on certified cells) or ``"sampled"``.
    note : str
        Warnings such as a repelling variance-preserving fixed point.
    escapes : tuple of Escape
        When ``q_star`` is a *repelling* fixed point (``q0`` sits exactly on it, as at a
        variance-preserving gain): where a variance slightly above and slightly below it goes
        (only the directions for which that is proved).
    range_proof : str
        Why no fixed point lies outside the searched range ``search`` (the proved sign of
        :math:`V(q) - q` below and above it; see :mod:`symact.propagation.searchrange`).
    """

    activation_name: str
    weight_var: sympy.Expr
    bias_var: sympy.Expr
    q_star: Quantity | None
    status: Status
    chi1: Quantity
    regime: Regime
    depth_scale_q: Quantity | None
    depth_scale_c: Quantity | None
    iterations: int = 0
    degenerate: bool = False
    dps: int = DEFAULT_DPS
    fixed_points: tuple[FixedPoint, ...] = ()
    complete: bool = True
    reached_level: str = "exact"
    search: tuple[float, float] = SEARCH
    note: str = ""
    steps: tuple[Record, ...] = field(default=(), compare=False)
    range_proof: str = ""
    escapes: tuple[Escape, ...] = ()

    def __post_init__(self) -> None:
        if self.status not in ("fixed point", "q -> 0", "diverges"):
            raise ValueError(f"unknown status {self.status!r}")
        if self.regime not in ("ordered", "critical", "chaotic", "undecided"):
            raise ValueError(f"unknown regime {self.regime!r}")

    # -- protocol: the numbers -------------------------------------------------------
    @property
    def value(self) -> sympy.Expr:  # type: ignore[override]
        return self.chi1.value

    @property
    def enclosure(self) -> Any:  # type: ignore[override]
        return self.chi1.enclosure

    @property
    def level(self) -> Level:  # type: ignore[override]
        levels = [self.chi1.level] + ([self.q_star.level] if self.q_star is not None else [])
        if self.reached_level in LEVELS:  # which fixed point q0 reaches is part of the answer
            levels.append(self.reached_level)  # type: ignore[arg-type]
        return weakest(*levels)

    @property
    def method(self) -> str:  # type: ignore[override]
        return self.chi1.method

    @property
    def exact(self) -> bool:
        """Whether ``q_star`` and ``chi1`` are proved closed forms."""
        return self.level == "exact"

    def expected_gradient(self, layers: int | sympy.Expr) -> sympy.Expr:
        r"""Mean squared gradient gain over ``layers`` layers, :math:`\chi_1^{n}` (SymPy).

        Examples
        --------
        >>> import sympy
        >>> from symact.propagation.meanfield import mean_field
        >>> mean_field("relu", 1).expected_gradient(3)
        1/8
        """
        return self.chi1.value ** sympy.sympify(layers)

    def latex(self) -> str:
        r"""LaTeX summary: :math:`q^*`, :math:`\chi_1` and the regime.

        >>> import sympy
        >>> from symact.propagation.meanfield import mean_field
        >>> print(mean_field("identity", sympy.Rational(1, 2), 1).latex())
        q^* = 2,\quad \chi_1 = \frac{1}{2}\ \text{(ordered)}
        """
        qs = r"q \to \infty" if self.q_star is None else "q^* = " + self.q_star.latex()
        return rf"{qs},\quad \chi_1 = {self.chi1.latex()}\ \text{{({self.regime})}}"

    def describe(self) -> str:
        r"""A few lines in words: the fixed point, :math:`\chi_1`, the regime and the notes.

        >>> from symact.propagation.meanfield import mean_field
        >>> print(mean_field("relu", 2).describe())
        relu at sigma_w^2 = 2, sigma_b^2 = 0: q* = 1 (fixed point)
        chi_1 = 1 (critical), level exact
        note: every q > 0 is a fixed point
        """
        qs = "q -> oo" if self.q_star is None else f"q* = {self.q_star}"
        lines = [f"{self.activation_name} at sigma_w^2 = {self.weight_var}, sigma_b^2 = {self.bias_var}: "
                 f"{qs} ({self.status})",
                 f"chi_1 = {self.chi1} ({self.regime}), level {self.level}"]
        lines += [f"note: {self.note}"] if self.note else []
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (
            f"MeanField({self.activation_name}, σ_w²={self.weight_var}, σ_b²={self.bias_var}: "
            f"q*={self.q_star if self.q_star is not None else '∞'} ({self.status}), "
            f"χ₁={self.chi1} ({self.regime}), ξ_q={self.depth_scale_q}, ξ_c={self.depth_scale_c}, "
            f"level={self.level!r})"
        )
