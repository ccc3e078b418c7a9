r"""``symact identify VALUE``: a closed form for a number, or a rigorous exclusion.

``VALUE`` is a decimal (its last digit sets the uncertainty unless ``--tol`` is
given), a fraction ``p/q``, or a Gaussian expectation written ``E[f(z)]`` with
``z ~ N(0, 1)`` (certified by symact, then identified).

>>> import argparse
>>> top = argparse.ArgumentParser(prog="symact")
>>> cmds = add_parsers(top.add_subparsers(dest="command"))
>>> args = top.parse_args(["identify", "1.466942206924260361", "--tol", "1e-15"])
>>> cmds[args.command](args)
1.466942206924260361 = pi/(-1 + pi)  (identified: matches the enclosure, not proved)
  integer relation: (1)*1/x + (-1)*1 + (1)*1/pi = 0
0
"""

from __future__ import annotations

import argparse
import json
import re
from typing import Any

import sympy

__all__ = ["add_parsers", "cmd_identify", "identify_json"]

_EXPECTATION = re.compile(r"^\s*E\s*\[(?P<inner>.+)\]\s*$", re.S)


def _value(text: str, dps: int | None) -> Any:
    match = _EXPECTATION.match(text)
    if match is None:
        return text
    import symact as sa

    from ..expressions.coerce import as_expression

    inner = re.sub(r"\bz\b", "x", match.group("inner"))
    expr = as_expression(inner, allow_parameters=False)
    return sa.expect(expr, dps=dps or 30)


def _basis(text: str | None) -> list[str] | None:
    if text is None:
        return None
    items = [t.strip() for t in text.split(",") if t.strip()]
    if not items:
        raise ValueError("--basis takes a comma-separated list of constants, e.g. 'pi, sqrt(2)'")
    return items


def identify_json(r: Any) -> dict[str, Any]:
    """The JSON object of an :class:`~symact.proofs.identify.Identification`."""
    from .serialize import number, plain

    excluded = None
    if r.excluded is not None:
        excluded = {"basis": [plain(b) for b in r.excluded.basis], "bound": str(r.excluded.bound),
                    "statement": r.excluded.statement(), "method": r.excluded.method}
    return {
        "value": number(r),
        "closed_form": None if r.closed_form is None else plain(r.closed_form),
        "latex": None if r.closed_form is None else sympy.latex(r.closed_form),
        "level": r.level,
        "relation": None if r.relation is None else [int(a) for a in r.relation],
        "terms": [plain(t) for t in r.terms],
        "spare_digits": r.spare_digits,
        "excluded": excluded,
        "proof": list(r.proof),
        "source": r.source,
    }


def _text(label: str, r: Any) -> str:
    if r.closed_form is None:
        lines = [f"{label}: no closed form found ({r.evalf(20)} certified)"]
        if r.excluded is not None:
            lines.append(f"  certified: {r.excluded.statement()}")
        return "\n".join(lines)
    how = ("exact: proved" if r.level == "exact"
           else "identified: matches the enclosure, not proved")
    lines = [f"{label} = {sympy.sstr(r.closed_form)}  ({how})"]
    if r.relation is not None:
        rel = " + ".join(f"({a})*{sympy.sstr(t)}" for a, t in zip(r.relation, r.terms, strict=True))
        lines.append(f"  integer relation: {rel} = 0")
    return "\n".join(lines)


def cmd_identify(args: argparse.Namespace) -> int:
    """Run ``symact identify``; the exit status is 0 (found or excluded) or 3 (neither)."""
    import symact as sa

    from .cli_output import envelope

    value = _value(args.value, args.dps)
    r = sa.identify(value, basis=_basis(args.basis), max_norm=args.max_norm, dps=args.dps,
                    tol=args.tol)
    code = 0 if r.closed_form is not None or r.excluded is not None else 3
    if args.format == "json":
        print(json.dumps(envelope("identify", identify_json(r), code), indent=2,
                         ensure_ascii=False))
    else:
        print(_text(args.value.strip(), r))
    return code


def _max_norm(text: str) -> int:
    try:
        value = int(float(text)) if "e" in text.lower() else int(text)
    except (ValueError, OverflowError):
        raise argparse.ArgumentTypeError(f"expected a positive integer such as 1e12, got {text!r}") from None
    if not 1 <= value <= 10**100:
        raise argparse.ArgumentTypeError(f"expected a positive integer up to 1e100, got {text!r}")
    return value


def add_parsers(sub: Any) -> dict[str, Any]:
    """Add the ``identify`` subcommand; returns ``{name: function}``."""
    p = sub.add_parser(
        "identify", help="closed form of a number, or a certified exclusion",
        description="Find a closed form matching a number (a decimal, p/q, or E[f(z)]), "
                    "or certify that no integer relation with small coefficients exists.")
    p.add_argument("value", help="a decimal, p/q, or E[f(z)] such as \"E[tanh'(z)^2]\"")
    p.add_argument("--tol", default=None, help="half-width of the value's uncertainty")
    p.add_argument("--basis", default=None, help="comma-separated constants, e.g. 'pi, sqrt(2)'")
    p.add_argument("--max-norm", type=_max_norm, default=10**6, metavar="M")
    p.add_argument("--dps", type=int, default=None)
    p.add_argument("--format", choices=("text", "json"), default="text")
    return {"identify": cmd_identify}
