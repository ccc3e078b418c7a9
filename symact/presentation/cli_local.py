r"""``symact relax NAME LO HI`` and ``symact table --orders N NAME``: activations on an interval.

``relax`` prints the proved area-optimal linear bounds of :func:`symact.relax` (exact
rational slope and intercept, their certified areas and ratio to the optimum), ``--at T``
the envelope tangents at ``T``; ``table --orders N`` prints :func:`symact.derivative_table`
(sup, inf and sup|.| of the first N derivatives, certified digits only).  Both take
``--format json``.

>>> import argparse
>>> top = argparse.ArgumentParser(prog="symact")
>>> cmds = add_parsers(top.add_subparsers(dest="command"))
>>> args = top.parse_args(["relax", "relu", "-1", "1"])
>>> cmds[args.command](args)
relu on [-1, 1]:
  lower: y = 1/2*x  (proved; area 0.5; ratio to the optimum <= 1 + 0.0)
  upper: y = 1/2*x + 1/2  (proved; area 0.5; ratio to the optimum <= 1 + 0.0)
0
"""

from __future__ import annotations

import argparse
import json
from typing import Any

import mpmath
import sympy

__all__ = ["add_parsers", "cmd_orders_table", "cmd_relax"]


def add_parsers(sub: Any) -> dict[str, Any]:
    """Add the ``relax`` subcommand; returns ``{name: function}``."""
    p = sub.add_parser("relax", help="proved optimal linear bounds of an activation on [LO, HI]",
                       description="Linear lower and upper bounds of phi on [LO, HI] with exact "
                       "rational coefficients, proved sound (Arb) and area-optimal (the tangents "
                       "of the convex and concave envelopes at the midpoint, or at --at T).")
    p.add_argument("name")
    p.add_argument("lo", help="left end (read exactly: -1.45 is -29/20)")
    p.add_argument("hi", help="right end")
    p.add_argument("--at", default=None, metavar="T", help="tangents of the envelopes at T instead")
    p.add_argument("--dps", type=int, default=30)
    p.add_argument("--format", choices=("text", "json"), default="text")
    return {"relax": cmd_relax}


def _q(v: Any, digits: int = 12) -> str:
    lo, hi = v.enclosure
    return mpmath.nstr((lo + hi) / 2, digits)


def _n(v: Any) -> str:
    return mpmath.nstr(v, 30)


def _line_json(line: Any) -> dict[str, Any]:
    return {
        "slope": str(line.slope), "intercept": str(line.intercept),
        "slope_float": float(line.slope), "intercept_float": float(line.intercept),
        "margin": str(line.margin),
        "area": [_n(line.area.enclosure[0]), _n(line.area.enclosure[1])],
        "optimal_area": [_n(line.optimum.enclosure[0]), _n(line.optimum.enclosure[1])],
        "ratio_upper": None if line.ratio is None else _n(line.ratio.enclosure[1]),
        "touches": list(line.touches),
        "certificate": [{"lo": str(c.p), "hi": str(c.q), "min_gap_lower_bound": _n(c.lower),
                         "boxes": c.boxes, "method": c.method} for c in line.certificate],
    }


def _line_text(line: Any) -> str:
    s, b = line.slope, line.intercept
    short = len(str(s)) + len(str(b)) < 40
    if short:
        eq = f"{s}*x" + ("" if b == 0 else f" {'+' if b > 0 else '-'} {abs(b)}")
    else:
        eq = f"{mpmath.nstr(mpmath.mpf(s.p) / s.q, 17)}*x {'+' if b >= 0 else '-'} " \
             f"{mpmath.nstr(abs(mpmath.mpf(b.p) / b.q), 17)}  (exact rationals in --format json)"
    ratio = "n/a" if line.ratio is None else f"<= 1 + {mpmath.nstr(line.ratio.enclosure[1] - 1, 2)}"
    return f"  {line.side}: y = {eq}  (proved; area {_q(line.area, 8)}; ratio to the optimum {ratio})"


def cmd_relax(args: argparse.Namespace) -> int:
    """Run ``symact relax``."""
    import symact as sa

    r = sa.relax(args.name, args.lo, args.hi, at=args.at, dps=args.dps)
    if args.format == "json":
        from .cli_output import envelope

        data = {"activation": r.activation.name, "lo": str(r.lo), "hi": str(r.hi),
                "at": None if r.at is None else str(r.at),
                "lower": _line_json(r.lower), "upper": _line_json(r.upper)}
        print(json.dumps(envelope("relax", data), indent=2))
        return 0
    where = "" if r.at is None else f", envelope tangents at {sympy.sstr(r.at)}"
    print(f"{r.activation.name} on [{sympy.sstr(r.lo)}, {sympy.sstr(r.hi)}]{where}:")
    print(_line_text(r.lower))
    print(_line_text(r.upper))
    return 0


def _ext_json(e: Any) -> dict[str, Any]:
    return {"value": str(e.value), "level": e.level,
            "enclosure": [_n(e.enclosure[0]), _n(e.enclosure[1])],
            "attained_at": [str(p) for p in e.at] if e.attained and hasattr(e.at, "__iter__") else [],
            "approached": list(e.approached)}


def cmd_orders_table(args: argparse.Namespace) -> int:
    """Run ``symact table --orders N NAME ...``: certified derivative tables."""
    import symact as sa

    names = args.names or ["gelu", "silu", "mish", "softplus", "tanh", "sigmoid"]
    tables = [sa.derivative_table(n, args.orders) for n in names]
    if args.format == "json":
        from .cli_output import envelope

        data = {"tables": [{"activation": t.activation.name, "rows": [
            {"order": r.order, "sup": _ext_json(r.sup), "inf": _ext_json(r.inf),
             "sup_abs": {"value": str(r.sup_abs.value), "level": r.sup_abs.level,
                         "enclosure": [_n(v) for v in r.sup_abs.enclosure]}}
            for r in t.rows]} for t in tables]}
        print(json.dumps(envelope("table", data), indent=2))
        return 0
    for t in tables:
        print(t.describe())
    return 0
