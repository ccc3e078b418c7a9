r"""The JSON Schema of ``symact ... --format json`` (draft 2020-12).

Every command prints one JSON object with ``command``, ``symact`` (the
version) and ``exit_code`` (0 an answer, 1 a refuted claim, 2 bad input, 3
undecided or over budget), followed by the command's own fields.  An error
prints ``{"command", "symact", "exit_code", "error": {"type", "message"}}``.

Every number is an object (``$defs/number``): ``float`` (a JSON number, the
nearest double; ``null`` for an infinity), ``text`` (SymPy's exact text such
as ``"1/4"`` or ``"sqrt(2)"`` for exact values, else the certified digits),
``latex``, ``level`` (``exact`` | ``certified`` | ``identified`` |
``sampled``), ``digits`` (only certified digits), ``enclosure`` (rigorous
``[lo, hi]`` rounded outwards to doubles, ``null`` when sampled),
``enclosure_text`` and ``method``.  Derivations are ``steps``: a list of
``{index, kind, lhs, relation, rhs, justification, latex}``.

>>> s = schema("bound")
>>> s["properties"]["bound"]["$ref"], "layers" in s["required"]
('#/$defs/number', True)
>>> sorted(schema()["properties"])[:3]
['bound', 'check', 'error']
"""

from __future__ import annotations

import copy
from typing import Any

from .serialize import NUMBER_SCHEMA

__all__ = ["COMMANDS", "schema"]

_NUM = {"$ref": "#/$defs/number"}
_NUM_OR_NULL = {"anyOf": [{"$ref": "#/$defs/number"}, {"type": "null"}]}
_STR = {"type": "string"}
_BOOL = {"type": "boolean"}
_MATRIX = {"type": "array", "items": {"type": "array", "items": {"$ref": "#/$defs/number"}}}

_DEFS: dict[str, Any] = {
    "number": NUMBER_SCHEMA,
    "set": {"type": "object", "required": ["text", "latex", "points"],
            "properties": {"text": _STR, "latex": _STR,
                           "points": {"type": ["array", "null"], "items": _NUM}}},
    "extremum": {"type": "object", "required": ["kind", "value", "attained", "at", "approached"],
                 "properties": {"kind": {"enum": ["sup", "inf"]}, "value": _NUM,
                                "attained": _BOOL, "at": {"$ref": "#/$defs/set"},
                                "approached": {"type": "array", "items": _STR}}},
    "activation": {"type": "object", "required": ["name", "expr", "latex", "params", "kinks", "jumps"],
                   "properties": {"name": _STR, "expr": _STR, "latex": _STR,
                                  "params": {"type": "object"},
                                  "kinks": {"type": "array", "items": _STR},
                                  "jumps": {"type": "array", "items": _STR}}},
    "step": {"type": "object", "required": ["index", "kind", "lhs", "relation", "rhs", "justification"],
             "properties": {"index": {"type": "integer"}, "kind": _STR,
                            "lhs": {"type": ["string", "null"]}, "relation": _STR,
                            "rhs": {"type": ["string", "null"]}, "justification": _STR,
                            "latex": {"type": ["string", "null"]},
                            "record": {"type": "object", "required": ["kind", "level", "note", "data"],
                                       "properties": {"kind": _STR, "level": {"$ref": "#/$defs/level"},
                                                      "note": _STR, "data": {"type": "object"}}}}},
    "steps": {"type": "array", "items": {"$ref": "#/$defs/step"}},
    "level": {"enum": ["exact", "certified", "identified", "sampled"]},
}


def _obj(props: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    base = {"command": _STR, "symact": _STR, "exit_code": {"enum": [0, 1, 2, 3]}}
    return {"type": "object", "required": ["command", "symact", "exit_code", *(required or list(props))],
            "properties": {**base, **props}}


COMMANDS: dict[str, dict[str, Any]] = {
    "list": _obj({"activations": {"type": "array", "items": {"allOf": [
        {"$ref": "#/$defs/activation"},
        {"type": "object", "required": ["aliases", "description"],
         "properties": {"aliases": {"type": "array", "items": _STR}, "description": _STR}}]}}}),
    "explain": _obj({
        "activation": {"$ref": "#/$defs/activation"},
        "derivative": {"type": "object", "required": ["expr", "latex"]},
        "smoothness": {"type": ["integer", "string"]},
        "sup_derivative": {"$ref": "#/$defs/extremum"},
        "inf_derivative": {"$ref": "#/$defs/extremum"},
        "lipschitz": _NUM,
        "level": {"$ref": "#/$defs/level"},
        "steps": {"$ref": "#/$defs/steps"},
        "numbers": {"type": "array", "items": {"type": "object", "required": ["label", "value"]}},
    }),
    "table": _obj({
        "rows": {"type": "array", "items": {"type": "object", "required": [
            "name", "sup_derivative", "inf_derivative", "range", "lipschitz", "monotone",
            "zero_centred", "smoothness", "level", "certified_entries"], "properties": {
            "name": _STR, "sup_derivative": {"$ref": "#/$defs/extremum"},
            "inf_derivative": {"$ref": "#/$defs/extremum"},
            "range": {"anyOf": [{"type": "null"}, {"type": "object", "required": ["text", "latex"]}]},
            "lipschitz": _NUM, "monotone": _STR, "zero_centred": _BOOL,
            "smoothness": {"type": ["integer", "string"]}, "level": {"$ref": "#/$defs/level"},
            "certified_entries": {"type": "array", "items": _STR}}}},
        "legend": _STR,
    }),
    "bound": _obj({
        "activation": {"$ref": "#/$defs/activation"},
        "layers": {"type": "integer", "minimum": 1},
        "weight": _NUM, "bound": _NUM, "lower_bound": _NUM, "per_layer": _NUM_OR_NULL,
        "regime": {"enum": ["vanishing", "neutral", "exploding", "depends"]},
        "dead_units": _BOOL, "level": {"$ref": "#/$defs/level"},
        "eps": _NUM_OR_NULL, "depth_below": {"type": ["integer", "null"]},
        "never_below": {"type": ["boolean", "null"]},
    }),
    "meanfield": _obj({
        "activation": {"$ref": "#/$defs/activation"},
        "weight_var": _NUM, "bias_var": _NUM, "q_star": _NUM_OR_NULL,
        "status": {"enum": ["fixed point", "q -> 0", "diverges"]},
        "chi1": _NUM, "regime": {"enum": ["ordered", "critical", "chaotic", "undecided"]},
        "depth_scale_q": _NUM_OR_NULL, "depth_scale_c": _NUM_OR_NULL,
        "level": {"$ref": "#/$defs/level"}, "edge_of_chaos_weight_var": _NUM_OR_NULL,
        "fixed_points": {"type": "array", "items": {"type": "object", "required": ["q", "slope", "stable"],
                         "properties": {"q": _NUM, "slope": _NUM,
                                        "stable": {"type": ["boolean", "null"]}}}},
        "reached_level": {"anyOf": [{"$ref": "#/$defs/level"}, {"type": "null"}]},
        "complete": _BOOL, "note": _STR,
    }),
    "gain": _obj({
        "rows": {"type": "array", "items": {"type": "object", "required": [
            "name", "gain", "torch_gain", "chi1_at_gain", "chi1_at_torch_gain"], "properties": {
            "name": _STR, "param": _NUM_OR_NULL, "gain": _NUM, "torch_gain": _NUM_OR_NULL,
            "chi1_at_gain": _NUM, "chi1_at_torch_gain": _NUM_OR_NULL}}},
        "note": _STR,
    }),
    "check": _obj({
        "claim": _STR, "holds": {"type": ["boolean", "null"]},
        "method": {"enum": ["symbolic", "certified", "sampled"]}, "summary": _STR,
        "counterexample": {"type": ["object", "null"]}, "steps": {"$ref": "#/$defs/steps"},
    }),
    "latex": _obj({"activation": {"$ref": "#/$defs/activation"}, "tex": _STR,
                   "pdf": {"type": ["string", "null"]}}),
    "plot": _obj({"activation": {"$ref": "#/$defs/activation"}, "file": _STR,
                  "kind": {"enum": ["activation", "gradient", "phase"]},
                  "activations": {"type": "array", "items": _STR}}, ["activation", "file", "kind"]),
    "identify": _obj({
        "value": _NUM, "closed_form": {"type": ["string", "null"]},
        "latex": {"type": ["string", "null"]}, "level": {"$ref": "#/$defs/level"},
        "relation": {"type": ["array", "null"], "items": {"type": "integer"}},
        "terms": {"type": "array", "items": _STR},
        "spare_digits": {"type": ["number", "null"]},
        "excluded": {"anyOf": [{"type": "null"}, {"type": "object", "required": [
            "basis", "bound", "statement", "method"], "properties": {
            "basis": {"type": "array", "items": _STR}, "bound": _STR, "statement": _STR,
            "method": _STR}}]},
        "proof": {"type": "array", "items": _STR}, "source": _STR,
    }),
    "init": _obj({
        "activation": _STR, "block": {"enum": ["mlp", "residual", "postln", "glu"]},
        "width": {"type": "integer"}, "std": _STR, "depth": {"type": "integer"},
        "weight_var": _NUM, "q": _NUM, "chi": _NUM, "chi_per_block": _NUM, "c_out": _NUM,
        "q_star": _NUM_OR_NULL, "chi1": _NUM_OR_NULL, "critical_std": _NUM_OR_NULL,
        "regime": _STR, "verdict": _STR, "level": {"$ref": "#/$defs/level"},
    }),
    "lr": _obj({
        "depth": {"type": "integer"}, "n_inputs": {"type": "integer"},
        "rows": {"type": "array", "items": {"type": "object", "required": [
            "activation", "gain", "lambda_max", "eta_max", "level"], "properties": {
            "activation": _STR, "gain": _NUM, "lambda_max": _NUM, "eta_max": _NUM,
            "level": {"$ref": "#/$defs/level"}}}},
        "ratio": {"type": "number"},
    }, ["depth", "n_inputs", "rows"]),
    "stack": _obj({
        "activation": _STR, "block": {"enum": ["mlp", "residual", "preln"]},
        "depth": {"type": "integer"}, "q": _NUM, "c": _NUM_OR_NULL,
        "ntk": {"type": "array", "items": {"type": "array", "items": _NUM}},
        "chi": _NUM, "level": {"$ref": "#/$defs/level"},
        "profile": {"type": "array", "items": {"type": "object", "required": ["block", "q", "c", "ntk", "chi"]}},
    }),
    "nngp": _obj({
        "activation": _STR, "depth": {"type": "integer", "minimum": 1},
        "weight_var": _NUM, "bias_var": _NUM, "q1": _NUM, "q2": _NUM, "c": _NUM,
        "level": {"$ref": "#/$defs/level"}, "method": _STR, "nngp": _MATRIX,
    }),
    "ntk": _obj({
        "activation": _STR, "depth": {"type": "integer", "minimum": 1},
        "weight_var": _NUM, "bias_var": _NUM, "q1": _NUM, "q2": _NUM, "c": _NUM,
        "level": {"$ref": "#/$defs/level"}, "method": _STR, "nngp": _MATRIX, "ntk": _MATRIX,
    }),
    "shape": _obj({
        "activation": _STR, "method": {"enum": ["dks", "tat"]}, "level": {"$ref": "#/$defs/level"},
        "input_scale": _NUM, "input_shift": _NUM, "output_shift": _NUM, "output_scale": _NUM,
        "residuals": {"type": "object", "additionalProperties": _NUM}, "unique": _BOOL,
    }),
    "isometry": _obj({
        "activation": _STR, "depth": {"type": "integer", "minimum": 1},
        "weights": {"enum": ["orthogonal", "gaussian"]}, "spread": _NUM, "weight_var": _NUM,
        "bias_var": _NUM, "q_star": _NUM, "ratio": _NUM, "infimum": _NUM, "lower_bound": _NUM,
        "attained": _BOOL, "level": {"$ref": "#/$defs/level"}, "verdict": _STR,
    }),
    # kernel and spectrum print their fields without the envelope (strings, certified digits)
    "kernel": {"type": "object", "required": ["activation", "level", "method", "q_star", "C", "chi1",
                                              "C2_at_1", "c_star", "xi_c"],
               "properties": {"activation": _STR, "level": {"$ref": "#/$defs/level"}, "method": _STR,
                              "q_star": _STR, "C": {"type": "object", "additionalProperties": _STR},
                              "chi1": _STR, "C2_at_1": _STR, "c_star": _STR, "xi_c": _STR}},
    "spectrum": {"type": "object", "required": ["mean", "variance", "mu1", "mu2", "chi", "level", "verdict"],
                 "properties": {"mean": _STR, "variance": _STR, "mu1": _STR, "mu2": _STR, "chi": _STR,
                                "level": {"$ref": "#/$defs/level"}, "verdict": _STR,
                                "q": {"type": "string", "description": "with --q: the input variance"}}},
    "relax": _obj({
        "activation": _STR, "lo": _STR, "hi": _STR, "at": {"type": ["string", "null"]},
        **{side: {"type": "object", "required": [
            "slope", "intercept", "slope_float", "intercept_float", "margin", "area",
            "optimal_area", "ratio_upper", "certificate"], "properties": {
            "slope": _STR, "intercept": _STR, "slope_float": {"type": "number"},
            "intercept_float": {"type": "number"}, "margin": _STR,
            "area": {"type": "array", "items": _STR}, "optimal_area": {"type": "array", "items": _STR},
            "ratio_upper": _STR, "touches": {"type": "array", "items": {"type": "number"}},
            "certificate": {"type": "array", "items": {"type": "object", "required": [
                "lo", "hi", "min_gap_lower_bound", "method"]}}}}
           for side in ("lower", "upper")},
    }),
    "error": _obj({"error": {"type": "object", "required": ["type", "message"],
                             "properties": {"type": _STR, "message": _STR}}}),
}


def schema(command: str | None = None) -> dict[str, Any]:
    """The JSON Schema of one command's output, or of all of them (keyed by command).

    Raises
    ------
    ValueError
        For a command that has no JSON output.
    """
    head = {"$schema": "https://json-schema.org/draft/2020-12/schema", "$defs": copy.deepcopy(_DEFS)}
    if command is None:
        return {**head, "title": "symact --format json", "type": "object",
                "properties": copy.deepcopy(COMMANDS)}
    if command not in COMMANDS:
        raise ValueError(f"no JSON schema for {command!r}; commands: {', '.join(COMMANDS)}")
    return {**head, "title": f"symact {command} --format json", **copy.deepcopy(COMMANDS[command])}
