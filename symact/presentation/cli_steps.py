r"""Derivation steps, typed step records and verdicts as JSON (``explain``, ``check``).

A step's sides are plain text (:func:`~symact.presentation.serialize.plain` for
formulas, the text of notation, the certified digits of results), its
justification the derivation's own prose; numbers are the objects of
:data:`~symact.presentation.serialize.NUMBER_SCHEMA`.

>>> import sympy
>>> from symact.core.steps import Record
>>> r = record_json(Record("critical_points", {"points": (sympy.Integer(0),)}))
>>> r["kind"], r["data"]["points"][0]["text"]
('critical_points', '0')
"""

from __future__ import annotations

from typing import Any

import sympy

from .serialize import number, plain

__all__ = ["check_json", "record_json", "steps_json"]


def _piece(p: Any) -> str:
    """One side or prose piece of a step as plain text.

    A string is itself; a result shows only its certified digits (its ``str``);
    notation its Unicode text; a SymPy object is :func:`plain`.
    """
    from ..core.result import Result

    if isinstance(p, str):
        return p
    if isinstance(p, Result):
        return str(p)
    if isinstance(p, sympy.Basic):
        return plain(p)
    text = getattr(p, "text", None)  # proofs.derivation.Notation
    return text if isinstance(text, str) else str(p)


def steps_json(derivation: Any) -> list[dict[str, Any]]:
    """The derivation's steps as a list of structured objects.

    Each step is rendered from the derivation's :class:`~symact.proofs.derivation.Step`
    values: its sides as plain text (:func:`plain` for formulas, the text of
    notation, the certified digits of results), its justification as the
    derivation's own prose, and the whole step as LaTeX.  When a step carries a typed
    :class:`~symact.core.steps.Record` (``record``), its kind, level and data
    come along as ``record``.
    """
    if derivation is None:
        return []
    from ..proofs.derivation import inline_text

    steps = []
    for i, s in enumerate(getattr(derivation, "steps", ()), 1):
        lhs, rhs = getattr(s, "lhs", None), getattr(s, "rhs", None)
        why = getattr(s, "justification", "")
        why = (why,) if isinstance(why, str) else tuple(why)
        item: dict[str, Any] = {
            "index": i,
            "kind": getattr(s, "kind", "step"),
            "lhs": None if lhs is None else _piece(lhs),
            "relation": getattr(s, "relation", "="),
            "rhs": None if rhs is None else _piece(rhs),
            "justification": "".join(inline_text(p) for p in why),  # the derivation's prose
        }
        try:
            item["latex"] = s.latex()
        except (AttributeError, TypeError, ValueError):
            item["latex"] = None
        level = getattr(s, "level", None)
        if level is not None:
            item["level"] = level
        record = getattr(s, "record", None)
        if record is not None:
            item["record"] = record_json(record)
        steps.append(item)
    return steps


def _value_json(v: Any) -> Any:
    from ..core.result import Result

    if isinstance(v, bool | str) or v is None:
        return v
    if isinstance(v, Result):  # brings its own level, enclosure and method
        return number(v)
    if isinstance(v, int):
        return v
    if isinstance(v, sympy.Expr) and v.is_number:
        return number(v)
    if isinstance(v, tuple | list):
        return [_value_json(u) for u in v]
    if isinstance(v, sympy.Basic):
        return plain(v)
    try:
        return number(v)
    except (TypeError, ValueError):
        return str(v)


def record_json(record: Any) -> dict[str, Any]:
    """A typed step record (:class:`~symact.core.steps.Record`) as JSON."""
    return {"kind": record.kind, "level": record.level, "note": record.note,
            "data": {str(k): _value_json(v) for k, v in dict(record.data).items()}}


def check_json(claim: str, verdict: Any) -> dict[str, Any]:
    """``symact check --format json``."""
    ce = verdict.counterexample
    if ce is not None:  # numbers (results with their levels), sets, text such as "level"
        ce = {str(k): _value_json(v) for k, v in ce.items()}
    return {
        "claim": claim,
        "holds": verdict.holds,
        "method": verdict.method,
        "summary": verdict.summary,
        "counterexample": ce,
        "steps": steps_json(verdict.derivation),
    }
