r"""The derivation behind a :func:`symact.relax` result: why each line is sound and optimal.

:func:`relax_derivation` renders a :class:`~symact.analysis.relax.Relaxation` from its own
fields: the two inequalities with their exact rational coefficients; for each analytic piece
the certified lower bound of :math:`\varphi - L` (resp. :math:`U - \varphi`) obtained by Arb
branch and bound (how many boxes); the area argument (the area-optimal sound line is the
tangent of the convex, resp. concave, envelope at the midpoint) with the certified areas and
ratios.  Only certified digits are shown (lower bounds rounded down).

>>> import symact as sa
>>> d = relax_derivation(sa.relax("relu", -1, 1))
>>> d.row("lower slope").value, d.row("upper intercept").value
(1/2, 1/2)
>>> "sound" in d.text()
True
"""

from __future__ import annotations

from typing import Any

import mpmath
import sympy

from ..core.precision import workdps
from .derivation import Derivation, Notation, Row, Step

__all__ = ["relax_derivation"]


def _down(v: Any, digits: int = 6) -> str:
    """``v`` rounded down to ``digits`` significant digits (a lower bound stays a lower bound)."""
    with workdps(digits + 30):
        v = mpmath.mpf(v)
        if v == 0:
            return "0"
        e = int(mpmath.floor(mpmath.log10(abs(v))))
        scale = mpmath.mpf(10) ** (digits - 1 - e)
        return mpmath.nstr(mpmath.floor(v * scale) / scale, digits)


def _line_steps(line: Any, name: str) -> list[Step]:
    x = sympy.Symbol("x", real=True)
    lower = line.side == "lower"
    gap = Notation(r"\varphi(x) - L(x)", "φ(x) − L(x)") if lower else Notation(r"U(x) - \varphi(x)", "U(x) − φ(x)")
    lhs = Notation(r"\varphi(x)", "φ(x)")
    steps = [
        Step("section", Notation(f"The {line.side} bound", f"The {line.side} bound"), None),
        Step("bound", lhs, line.slope * x + line.intercept, ">=" if lower else "<=",
             f"The {line.side} line of {name} has exact rational coefficients:"),
    ]
    for c in line.certificate:
        how = ("an exact comparison at the ends of a linear piece" if c.boxes == 0
               else f"Arb branch and bound over {c.boxes} boxes (interval, mean-value, monotonicity "
                    "and convexity tests)")
        steps.append(Step("certified", gap, Notation(_down(c.lower), _down(c.lower)), ">=",
                          (f"On the piece [{sympy.sstr(c.p)}, {sympy.sstr(c.q)}], by {how}:",)))
    steps.append(Step("conclusion", None, None, "", (
        f"Every piece gives a non-negative lower bound, so the line is sound on the whole interval "
        f"(its intercept was moved outward by {sympy.sstr(line.margin)} before the proof).",)))
    ratio = "not defined (the optimal area is 0)" if line.ratio is None else \
        f"at most 1 + {mpmath.nstr(line.ratio.enclosure[1] - 1, 2)}"
    steps.append(Step("prose", None, None, "", (
        f"Its area is {line.area.evalf(12)} (certified); the optimal sound line's area lies in "
        f"[{_down(line.optimum.enclosure[0], 12)}, {mpmath.nstr(line.optimum.enclosure[1], 12)}], "
        f"so the ratio to the optimum is {ratio}.",)))
    return steps


def relax_derivation(r: Any) -> Derivation:
    r"""The argument behind a :class:`~symact.analysis.relax.Relaxation`.

    Examples
    --------
    >>> import symact as sa
    >>> d = relax_derivation(sa.relax("sigmoid", -1, 2))
    >>> d.document().startswith(r"\documentclass")
    True
    """
    name = r.activation.name
    where = "the midpoint" if r.at is None else f"x = {sympy.sstr(r.at)}"
    steps = [
        Step("prose", None, None, "", (
            f"We bound {name} on [{sympy.sstr(r.lo)}, {sympy.sstr(r.hi)}] by two lines L ≤ φ ≤ U, as "
            "neural-network verifiers (CROWN, auto_LiRPA) do. For a sound lower line L the area "
            "between φ and L is the integral of φ minus (u − l) L(m), m the midpoint, so the sound "
            "line of least area is the one highest at m: the tangent at m of the convex envelope of φ "
            "on the interval (for U, of the concave envelope).",)),
        Step("prose", None, None, "", (
            f"The lines below are the envelopes' tangents at {where}, found numerically, rounded to "
            "rationals and moved outward by a small margin; their soundness is then proved, piece by "
            "piece, in ball arithmetic.",)),
    ]
    steps += _line_steps(r.lower, name)
    steps += _line_steps(r.upper, name)
    rows = []
    for line in (r.lower, r.upper):
        s = line.side
        rows += [Row(f"{s} slope", Notation(rf"\text{{{s} slope}}", f"{s} slope"), line.slope, "exact"),
                 Row(f"{s} intercept", Notation(rf"\text{{{s} intercept}}", f"{s} intercept"), line.intercept,
                     "exact"),
                 Row(f"{s} area", Notation(rf"\text{{{s} area}}", f"{s} area"), line.area, line.area.level)]
    return Derivation(f"Linear relaxation of {name} on [{sympy.sstr(r.lo)}, {sympy.sstr(r.hi)}]", tuple(steps),
                      tuple(rows), ("moore1966", "johansson2018"), name)
