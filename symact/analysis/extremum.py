r"""The :class:`Extremum` result: a supremum or infimum with where and how it was found.

>>> import symact as sa
>>> e = sa.sup(sa.activation("sigmoid").derivative())
>>> e.level, e.method, [r.kind for r in e.steps][:2]
('exact', 'exact', ['problem', 'critical_points'])
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import mpmath
import sympy

from ..core.precision import workdps
from ..core.result import Level, Result
from ..core.steps import Record
from .candidates import Candidate

__all__ = ["Extremum", "approach_text", "enclosure_of"]

Kind = Literal["sup", "inf"]


@dataclass(frozen=True, eq=False, repr=False)
class Extremum(Result):
    r"""The supremum or infimum of an expression, and how it was obtained.

    Attributes
    ----------
    kind : {"sup", "inf"}
    value : sympy.Expr
        Exact when :attr:`exact`; otherwise a SymPy ``Float`` carrying the
        certified digits (the midpoint of :attr:`enclosure`).
    exact : bool
        Whether :attr:`value` is a proved closed form.
    at : sympy.Set
        Where the value is attained: points, a stretch (``Interval``) for a
        flat piece, or ``EmptySet`` when it is only approached.
    attained : bool
    approached : tuple of str
        Where the value is approached without being attained, e.g.
        ``("x -> oo",)`` or ``("x -> 3-",)``.
    enclosure : (mpmath.mpf, mpmath.mpf)
        Rigorous lower and upper bounds on the value.
    method : {"exact", "certified"}
    equation : sympy.Basic or None
        For a certified extremum, the equation whose root is the extremal point.
    assumptions : tuple of sympy.Basic
        For symbolic parameters, the assumptions the answer relies on (``alpha > 0``).
    steps : tuple of Record
        What the engine did, in order (kinds ``"problem"``, ``"split"``,
        ``"critical_points"``, ``"solve_failed"``, ``"certified"``, ``"tail"``,
        ``"periodic"``, ``"compare"``, ``"cross_check"``; see :mod:`symact.core.steps`),
        rendered by :mod:`symact.proofs.derivation`.
    candidates : tuple of Candidate
        Every candidate compared, each with its typed ``source``.

    Examples
    --------
    >>> import symact as sa
    >>> e = sa.sup(sa.activation("hardswish").derivative())
    >>> e.value, e.attained, e.approached
    (3/2, False, ('x -> 3-',))
    """

    kind: Kind
    value: sympy.Expr
    exact: bool
    at: sympy.Set
    attained: bool
    approached: tuple[str, ...]
    enclosure: tuple[mpmath.mpf, mpmath.mpf]
    method: str
    equation: sympy.Basic | None = None
    steps: tuple[Record, ...] = field(default=(), repr=False)
    candidates: tuple[Candidate, ...] = field(default=(), repr=False)
    assumptions: tuple[sympy.Basic, ...] = field(default=())

    def __post_init__(self) -> None:
        if self.kind not in ("sup", "inf"):
            raise ValueError(f"kind must be 'sup' or 'inf', got {self.kind!r}")
        lo, hi = self.enclosure
        if lo > hi:
            raise ValueError(f"empty enclosure [{lo}, {hi}]")

    @property
    def level(self) -> Level:
        """``"exact"`` (a proved closed form) or ``"certified"`` (an Arb enclosure)."""
        return "exact" if self.exact else "certified"

    @property
    def width(self) -> mpmath.mpf:
        """Width of the enclosure."""
        return self.enclosure[1] - self.enclosure[0]

    def describe(self) -> str:
        """One line in words.

        >>> import symact as sa
        >>> sa.sup(sa.activation("sigmoid").derivative()).describe()
        'sup = 1/4, attained at x = 0 (exact)'
        """
        where = _where_text(self)
        tag = "exact" if self.exact else f"certified, enclosure width {mpmath.nstr(self.width, 3)}"
        value = sympy.sstr(self.value) if self.exact else str(self._shown(self._display_digits))
        return f"{self.kind} = {value}, {where} ({tag})"

    def __str__(self) -> str:
        return self.describe()

    def __repr__(self) -> str:
        return f"Extremum({self.describe()})"

    def latex(self) -> str:
        r"""A LaTeX statement such as ``\sup_x f = \frac{1}{4}``."""
        op = r"\sup" if self.kind == "sup" else r"\inf"
        val = sympy.latex(self.value) if self.exact else sympy.latex(self._shown(self._display_digits))
        rel = "=" if self.exact else r"\approx"
        return rf"{op}_{{x}} f(x) {rel} {val}"



def _where_text(e: Extremum) -> str:
    if e.attained:
        if isinstance(e.at, sympy.FiniteSet):
            pts = ", ".join(sympy.sstr(p) for p in e.at)
            return f"attained at x = {pts}"
        return f"attained on {sympy.sstr(e.at)}"
    return "not attained, approached as " + ", ".join(e.approached)


# ---------------------------------------------------------------------------


def approach_text(c: Candidate) -> str:
    """Where a candidate is approached, e.g. ``"x -> oo"`` or ``"x -> 3-"`` (for display)."""
    src = c.source
    if src is not None and src.kind == "limit":
        pt, side = src["point"], src.get("side")
        return "x -> " + sympy.sstr(pt) + (side or "")
    return c.how


def enclosure_of(value: sympy.Expr, dps: int) -> tuple[mpmath.mpf, mpmath.mpf]:
    """A rigorous enclosure of an exact value at ``dps`` digits (infinities stay infinite)."""
    if value == sympy.oo:
        return (mpmath.inf, mpmath.inf)
    if value == -sympy.oo:
        return (-mpmath.inf, -mpmath.inf)
    with workdps(dps + 10):
        v = mpmath.mpf(sympy.N(value, dps + 10))
    eps = abs(v) * mpmath.mpf(10) ** (-dps) + mpmath.mpf(10) ** (-dps - 5)
    return (v - eps, v + eps)
