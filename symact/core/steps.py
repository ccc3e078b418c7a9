r"""Typed records of what an engine did.

Engines (extrema, certification, expectations, mean field, verification)
append :class:`Record` values as they work; :mod:`symact.proofs.derivation`
renders them.  A record holds SymPy objects and numbers, never text meant to
be parsed: ``note`` is free prose for readers only, and rewording it changes
no derivation's mathematics.

>>> import sympy
>>> x = sympy.Symbol("x", real=True)
>>> r = Record("critical_points", {"expr": sympy.tanh(x), "points": ()}, note="none on the reals")
>>> r.kind, r.level, r["points"]
('critical_points', 'exact', ())
>>> Record("guess", {})
Traceback (most recent call last):
...
ValueError: unknown step kind 'guess'; known kinds: problem, split, ...
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = ["KINDS", "Record", "StepKind"]

StepKind = Literal[
    # extrema and certification
    "problem",  # {"kind": "sup"|"inf", "expr", "domain": sympy.Interval}
    "split",  # {"points": tuple of breakpoints}
    "critical_points",  # {"expr", "derivative", "lo", "hi", "points"}
    "solve_failed",  # {"equation", "lo", "hi", "reason": "budget"|"no closed form"}
    "limit",  # {"expr", "point", "side": "+"|"-"|None, "value"}
    "value_at",  # {"expr", "point", "value"}
    "constant",  # {"lo", "hi", "value"}
    "periodic",  # {"period"}
    "tail",  # {"side": "+"|"-", "R", "sign", "argument"}
    "certified",  # {"lo", "hi", "enclosure": (mpf, mpf), "method", "dps", "equation"?}
    "compare",  # {"kind", "value", "candidates": int, "chosen": Record-kind of the winner}
    "cross_check",  # {"value", "pieces": int}
    # Gaussian calculus and mean field
    "expectation",  # {"integrand", "q", "value", "enclosure", "method"}
    "fixed_point",  # {"q_star", "slope", "stable": bool, "enclosure"}
    "gain",  # {"gain", "weight_var", "enclosure"}
    "integral",  # {"method", "dps", "bits", "tail", "reference"}: how a certified integral was enclosed
    # depth, verification, anything else
    "bound",  # {"rate", "layers", "expr"}
    "identity",  # {"lhs", "rhs", "method"}
    "sample",  # {"points": int, "worst"}
    "counterexample",  # {"point", "lhs", "rhs"}
    "fact",  # {"statement": sympy.Basic, "reference": str}
    "convention",  # {"quantity": str, "derivative": "almost everywhere", "jumps": tuple, "distributional"}
]

#: Every step kind, in the order above.
KINDS: tuple[str, ...] = StepKind.__args__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Record:
    """One step an engine took.

    Parameters
    ----------
    kind : StepKind
        What sort of step (see :data:`KINDS`).
    data : mapping of str to object
        The SymPy objects and numbers involved (keys depend on ``kind``).
    level : {"exact", "certified", "identified", "sampled"}
        How strong the conclusion of this step is.
    note : str
        Prose for readers; never parsed.
    """

    kind: StepKind
    data: Mapping[str, Any] = field(default_factory=dict)
    level: str = "exact"
    note: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            shown = ", ".join(KINDS[:2])
            raise ValueError(f"unknown step kind {self.kind!r}; known kinds: {shown}, ...")
        if self.level not in ("exact", "certified", "identified", "sampled"):
            raise ValueError(f"unknown level {self.level!r}")
        object.__setattr__(self, "data", dict(self.data))

    def __getitem__(self, key: str) -> Any:
        return self.data[key]

    def get(self, key: str, default: Any = None) -> Any:
        """``data.get(key, default)``."""
        return self.data.get(key, default)

    def __hash__(self) -> int:
        return hash((self.kind, self.level, tuple(sorted(self.data))))
