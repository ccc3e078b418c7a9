r"""Plain-text and JSON renderings of symact's values, for the command line.

:func:`plain` prints a SymPy object on one line the way people write it:
sets as ``(0, oo)``, ``[0, 1]``, ``{0}``, ``∅``, ``(-oo, 0) ∪ (0, oo)`` and
piecewise expressions as ``{x if x > 0; 0 otherwise}`` -- never SymPy's
constructor text (``Interval.open(0, oo)``, ``EmptySet``, ``Piecewise(...)``).

:func:`number` turns any number symact returns (a result with a level, a
SymPy number, an mpmath number) into the JSON object documented in
:data:`NUMBER_SCHEMA`: a JSON number for programs, the exact text and LaTeX
for people and computer algebra, the level, and the rigorous enclosure.

Examples
--------
>>> import sympy
>>> x = sympy.Symbol("x", real=True)
>>> plain(sympy.Interval.open(0, sympy.oo)), plain(sympy.S.EmptySet), plain(sympy.FiniteSet(0))
('(0, oo)', '∅', '{0}')
>>> plain(sympy.Piecewise((x, x > 0), (0, True)))
'{x if x > 0; 0 otherwise}'
>>> n = sympy.Dummy("n")
>>> plain(sympy.ImageSet(sympy.Lambda(n, 2*n*sympy.pi), sympy.S.Integers))
'{2*n*pi : n ∈ ℤ}'
>>> n = number(sympy.Rational(1, 4))
>>> n["float"], n["text"], n["level"], n["enclosure"]
(0.25, '1/4', 'exact', [0.25, 0.25])
"""

from __future__ import annotations

import math
from typing import Any

import mpmath
import sympy
from sympy.printing.str import StrPrinter

from ..core.precision import workdps
from ..core.result import Result, certified_digits, enclose, outward_float, radius_text

__all__ = ["NUMBER_SCHEMA", "extremum", "interval", "number", "plain", "set_json"]


class _PlainPrinter(StrPrinter):
    """SymPy's str printer with sets and piecewise expressions written as people write them."""

    def _print_Interval(self, i: sympy.Interval) -> str:
        lo, hi = self._print(i.start), self._print(i.end)
        return f"{'(' if i.left_open else '['}{lo}, {hi}{')' if i.right_open else ']'}"

    def _print_EmptySet(self, _: Any) -> str:
        return "∅"

    def _print_Reals(self, _: Any) -> str:
        return "(-oo, oo)"

    def _print_Union(self, u: sympy.Union) -> str:
        return " ∪ ".join(self._print(a) for a in u.args)

    def _print_Intersection(self, u: sympy.Intersection) -> str:
        return " ∩ ".join(self._print(a) for a in u.args)

    def _print_Complement(self, c: sympy.Complement) -> str:
        return f"{self._print(c.args[0])} \\ {self._print(c.args[1])}"

    def _print_Integers(self, _: Any) -> str:
        return "ℤ"

    def _print_Naturals(self, _: Any) -> str:
        return "ℕ"

    def _print_Naturals0(self, _: Any) -> str:
        return "ℕ₀"

    def _print_Rationals(self, _: Any) -> str:
        return "ℚ"

    def _print_Dummy(self, d: sympy.Dummy) -> str:
        return str(d.name)

    def _print_ImageSet(self, s: Any) -> str:
        lam = s.lamda
        var = ", ".join(self._print(v) for v in lam.variables)
        base = ", ".join(self._print(b) for b in s.base_sets)
        return f"{{{self._print(lam.expr)} : {var} ∈ {base}}}"

    def _print_ConditionSet(self, s: Any) -> str:
        return f"{{{self._print(s.sym)} ∈ {self._print(s.base_set)} : {self._print(s.condition)}}}"

    def _print_Piecewise(self, p: sympy.Piecewise) -> str:
        parts = []
        for e, c in p.args:
            cond = "otherwise" if c == sympy.true else f"if {self._print(c)}"
            parts.append(f"{self._print(e)} {cond}")
        return "{" + "; ".join(parts) + "}"


_PRINTER = _PlainPrinter()


def plain(obj: Any) -> str:
    """One line of readable text for a SymPy object (sets and piecewise included).

    >>> plain(sympy.Union(sympy.Interval.open(-sympy.oo, 0), sympy.Interval.open(0, sympy.oo)))
    '(-oo, 0) ∪ (0, oo)'
    """
    if isinstance(obj, sympy.Basic):
        return str(_PRINTER.doprint(obj))
    if isinstance(obj, mpmath.mpf):
        return mpmath.nstr(obj, 15)
    return str(obj)


def _float_down(v: mpmath.mpf) -> float:
    f = float(v)
    return math.nextafter(f, -math.inf) if mpmath.mpf(f) > v else f


def _float_up(v: mpmath.mpf) -> float:
    f = float(v)
    return math.nextafter(f, math.inf) if mpmath.mpf(f) < v else f


def _finite(v: Any) -> bool:
    return not (mpmath.isinf(v) or mpmath.isnan(v))


def number(v: Any, *, level: str | None = None, method: str = "") -> dict[str, Any] | None:
    r"""The JSON object of one number (see :data:`NUMBER_SCHEMA`); ``None`` for ``None``.

    A :class:`~symact.core.result.Result` brings its own level, enclosure and
    method.  A SymPy number that is not a ``Float`` is exact.  Floats (SymPy or
    mpmath) without a level are reported as ``"sampled"``: no enclosure, at
    most 15 digits.

    >>> n = number(sympy.sqrt(2))
    >>> n["text"], n["float"], n["digits"]
    ('sqrt(2)', 1.4142135623730951, '1.41421356237309504880')
    >>> number(sympy.oo)["float"] is None
    True
    """
    if v is None:
        return None
    if isinstance(v, Result):
        lv, value, enc, meth = v.level, v.value, v.enclosure, v.method
        text = plain(value) if lv in ("exact", "identified") else None
        if enc is not None and (lv != "exact" or not value.is_number):
            # only the digits the enclosure certifies (an exact value that is a named
            # recursion, such as a deep kernel entry, is shown by its enclosure's digits)
            shown = v.evalf(v._display_digits)
        else:
            shown = sympy.sympify(v)  # the protocol's value
    elif isinstance(v, bool):
        raise TypeError("a bool is not a number")
    elif isinstance(v, int | sympy.Integer | sympy.Rational) or (
        isinstance(v, sympy.Expr) and v.is_number and not v.has(sympy.Float)
    ):
        value = sympy.sympify(v)
        lv, meth = level or "exact", method or "closed form"
        text = plain(value)
        enc = enclose(value, 30) if lv != "sampled" else None
        shown = value
    else:
        with workdps(30):
            mp = v if isinstance(v, mpmath.mpf) else mpmath.mpf(sympy.Float(v)._mpf_) if isinstance(v, sympy.Float) else mpmath.mpf(v)
        value = sympy.Float(mp._mpf_, 15) if _finite(mp) else (sympy.oo if mp > 0 else -sympy.oo)
        lv, meth, text = level or "sampled", method, None
        enc = (mp, mp) if lv != "sampled" and _finite(mp) else None
        shown = value
    with workdps(40):
        out: dict[str, Any] = {"float": None, "text": text, "latex": sympy.latex(shown), "level": lv,
                               "digits": None, "enclosure": None, "enclosure_text": None, "method": meth}
        if value in (sympy.oo, -sympy.oo):
            out["text"] = plain(value)
            return out
        if enc is not None and _finite(enc[0]) and _finite(enc[1]):
            lo, hi = mpmath.mpf(enc[0]), mpmath.mpf(enc[1])
            out["enclosure"] = [_float_down(lo), _float_up(hi)]
            out["enclosure_text"] = [str(outward_float(lo, 30, up=False)), str(outward_float(hi, 30, up=True))]
            if lv == "exact" and value.is_number:
                out["digits"] = str(sympy.N(value, 21)) if not value.is_Rational or value.q != 1 else str(value)
                out["float"] = float(sympy.N(value, 20))
            else:
                out["digits"] = certified_digits(lo, hi, 30)
                out["float"] = float((lo + hi) / 2)
            if out["text"] is None:  # no digit certified (around 0): "0 ± r"
                out["text"] = out["digits"] if out["digits"] is not None else radius_text(lo, hi)
        else:
            try:
                f = float(value)
            except (TypeError, ValueError):
                f = math.nan
            out["float"] = f if math.isfinite(f) else None
            out["digits"] = mpmath.nstr(mpmath.mpf(f), 15) if math.isfinite(f) else None
            out["text"] = out["text"] or out["digits"]
        if out["digits"] is not None and out["digits"].endswith(".0"):
            out["digits"] = out["digits"][:-2]
    return out


def set_json(s: Any) -> dict[str, Any]:
    """A SymPy set as ``{"text", "latex", "points"}`` (``points`` for a finite set of numbers)."""
    points = None
    if isinstance(s, sympy.FiniteSet) and all(p.is_number for p in s):
        points = [number(p) for p in s]
    return {"text": plain(s), "latex": sympy.latex(s), "points": points}


def interval(r: Any) -> dict[str, Any] | None:
    """A range (a SymPy interval) with numeric ends, or ``None``."""
    if r is None:
        return None
    out = set_json(r)
    if isinstance(r, sympy.Interval):
        out.update(lower=number(r.start), upper=number(r.end),
                   left_open=bool(r.left_open), right_open=bool(r.right_open))
    return out


def extremum(e: Any) -> dict[str, Any]:
    """An :class:`~symact.analysis.extrema.Extremum` as JSON."""
    return {
        "kind": e.kind,
        "value": number(e),
        "attained": bool(e.attained),
        "at": set_json(e.at),
        "approached": list(e.approached),
    }


#: JSON Schema (draft 2020-12) of one number in ``--format json`` output.
NUMBER_SCHEMA: dict[str, Any] = {
    "type": ["object", "null"],
    "required": ["float", "text", "latex", "level", "digits", "enclosure", "enclosure_text", "method"],
    "properties": {
        "float": {"type": ["number", "null"],
                  "description": "nearest double (null for an infinity); the midpoint of the enclosure for a certified value"},
        "text": {"type": ["string", "null"],
                 "description": "exact SymPy text for exact/identified values (e.g. '1/4', 'sqrt(2)'), else the certified digits"},
        "latex": {"type": "string"},
        "level": {"enum": ["exact", "certified", "identified", "sampled"]},
        "digits": {"type": ["string", "null"], "description": "decimal digits, every one of them certified"},
        "enclosure": {"type": ["array", "null"], "items": {"type": "number"}, "minItems": 2, "maxItems": 2,
                      "description": "rigorous [lo, hi], rounded outwards to doubles; null when sampled"},
        "enclosure_text": {"type": ["array", "null"], "items": {"type": "string"}, "minItems": 2, "maxItems": 2,
                           "description": "the enclosure's ends to 30 digits"},
        "method": {"type": "string"},
    },
}
