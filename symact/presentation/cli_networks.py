r"""``symact init``, ``symact lr`` and ``symact stack``: networks on the command line.

* ``symact init gelu --width 768 --std 0.02 --depth 12 --block residual``: what a
  framework's initialisation means (:func:`symact.init_report`).
* ``symact lr sigmoid relu --depth 10``: the largest stable gradient-descent step in the
  NTK regime for each activation at its gain, and their ratio (:func:`symact.learning_rate`).
* ``symact stack tanh --depth 20 --block residual --weight-var 1.5``: propagate one or two
  inputs through a uniform stack (:func:`symact.propagate`).

>>> import argparse
>>> top = argparse.ArgumentParser(prog="symact")
>>> cmds = add_parsers(top.add_subparsers(dest="command"))
>>> args = top.parse_args(["stack", "relu", "--depth", "10", "--weight-var", "2"])
>>> cmds[args.command](args)
relu, mlp stack of 10 blocks, sigma_w^2 = 2, sigma_b^2 = 0 (exact)
  q = 1
  ntk[0,0] = 10
  chi = 1
0
"""

from __future__ import annotations

import argparse
import json
from typing import Any

import sympy

from .cli_parser import option_number, positive_int

__all__ = ["add_parsers", "cmd_init", "cmd_lr", "cmd_stack"]


def _show(q: Any, digits: int = 12) -> str:
    if q is None:
        return "n/a"
    if q.level == "exact":
        v = q.value
        return sympy.sstr(v) if v.is_Rational or sympy.count_ops(v) < 8 else f"{v} [{q.evalf(digits)}]"
    return str(q.evalf(digits))


def _num(q: Any) -> Any:
    from .serialize import number

    return number(q)


def _emit(args: argparse.Namespace, data: dict[str, Any], text: str) -> None:
    from .cli_output import envelope

    if args.format == "json":
        print(json.dumps(envelope(args.command, data, 0), indent=2, ensure_ascii=False))
    else:
        print(text)


def _activation(args: argparse.Namespace, name: str | None) -> Any:
    import symact as sa

    if getattr(args, "expr", None):
        return sa.define(name or "custom", args.expr)
    if not name:
        raise ValueError("give an activation NAME (see 'symact list') or --expr \"formula in x\"")
    return sa.activation(name)


def cmd_init(args: argparse.Namespace) -> int:
    """Run ``symact init``."""
    import symact as sa

    a = _activation(args, args.name)
    r = sa.init_report(a, args.width, args.std, args.depth, bias_std=args.bias_std,
                       block=args.block, mlp_ratio=args.mlp_ratio)
    data = {"activation": a.name, "block": r.block, "width": r.width, "std": str(r.std),
            "depth": r.depth, "weight_var": _num(r.weight_var), "q": _num(r.q), "chi": _num(r.chi),
            "chi_per_block": _num(r.chi_per_block), "c_out": _num(r.c_out),
            "q_star": _num(r.q_star), "chi1": _num(r.chi1),
            "critical_std": _num(r.critical_std), "regime": r.regime, "verdict": r.verdict,
            "level": r.level}
    _emit(args, data, r.text())
    return 0


def _net_at_gain(name: str, depth: int) -> tuple[Any, Any]:
    import symact as sa

    g = sa.gain(name)
    wv = g.value**2 if g.level == "exact" else sympy.Rational(str(g.weight_var.evalf(30)))
    net = sa.serial(sa.repeat(sa.serial(sa.dense(wv), name), depth), sa.dense(1))
    return net, g


def cmd_lr(args: argparse.Namespace) -> int:
    """Run ``symact lr``."""
    import symact as sa

    rows, lines = [], []
    for name in args.names:
        net, g = _net_at_gain(name, args.depth)
        lr = sa.learning_rate(net, n_inputs=args.inputs, c=args.c)
        rows.append({"activation": name, "gain": _num(g), "lambda_max": _num(lr.lambda_max),
                     "eta_max": _num(lr.eta_max), "level": lr.level})
        lines.append(f"{name}: at its gain {_show(g, 8)}, lambda_max(NTK) = {_show(lr.lambda_max)}, "
                     f"eta < {_show(lr.eta_max)}  ({lr.level})")
    data: dict[str, Any] = {"depth": args.depth, "n_inputs": args.inputs, "rows": rows}
    if len(args.names) == 2:
        a, b = (float(r["eta_max"]["float"]) for r in rows)
        data["ratio"] = a / b
        lines.append(f"ratio eta_max({args.names[0]}) / eta_max({args.names[1]}) = {a / b:.6g}")
    lines.insert(0, f"largest stable gradient-descent step, squared loss, NTK regime, depth "
                    f"{args.depth}, {args.inputs} input(s) (eta < 2/lambda_max):")
    _emit(args, data, "\n".join(lines))
    return 0


def cmd_stack(args: argparse.Namespace) -> int:
    """Run ``symact stack``."""
    import symact as sa

    a = _activation(args, args.name)
    wv = option_number(args.weight_var, "--weight-var", "variance")
    bv = option_number(args.bias_var, "--bias-var", "bias")
    if args.block == "mlp":
        block = sa.serial(sa.dense(wv, bv), a)
    elif args.block == "residual":
        block = sa.residual(sa.serial(sa.dense(wv, bv), a, sa.dense(1)),
                            branch_weight=option_number(args.branch_weight, "--branch-weight", "weight"))
    else:
        block = sa.residual(sa.serial(sa.layer_norm(), sa.dense(wv, bv), a, sa.dense(1)),
                            branch_weight=option_number(args.branch_weight, "--branch-weight", "weight"))
    net = sa.repeat(block, args.depth)
    q = option_number(args.q, "--q", "variance")
    if args.c is None:
        r = sa.propagate(net, q)
    else:
        r = sa.propagate(net, q, q, option_number(args.c, "--c", "correlation"))
    data = {"activation": a.name, "block": args.block, "depth": args.depth,
            "q": _num(r.q1), "c": _num(r.c), "ntk": [[_num(v) for v in row] for row in r.ntk],
            "chi": _num(r.chi), "level": r.level,
            "profile": [{"block": p.block, "q": p.q, "c": p.c, "ntk": p.ntk, "chi": p.chi}
                        for p in r.profile]}
    lines = [f"{a.name}, {args.block} stack of {args.depth} blocks, sigma_w^2 = {wv}, "
             f"sigma_b^2 = {bv} ({r.level})", f"  q = {_show(r.q1)}"]
    if r.c is not None:
        lines.append(f"  c = {_show(r.c)}")
    lines += [f"  ntk[0,0] = {_show(r.ntk[0][0])}", f"  chi = {_show(r.chi)}"]
    _emit(args, data, "\n".join(lines))
    return 0


def add_parsers(sub: Any) -> dict[str, Any]:
    """Add the ``init``, ``lr`` and ``stack`` subcommands; returns ``{name: function}``."""
    p = sub.add_parser("init", help="what a framework's init (width, std, depth) means",
                       description="sigma_w^2 = width * std^2, q*, chi_1, depth scales and a verdict.")
    p.add_argument("name", nargs="?")
    p.add_argument("--expr", default=None)
    p.add_argument("--width", type=positive_int, required=True)
    p.add_argument("--std", required=True)
    p.add_argument("--depth", type=positive_int, required=True)
    p.add_argument("--bias-std", default="0")
    p.add_argument("--block", choices=("mlp", "residual", "glu"), default="mlp")
    p.add_argument("--mlp-ratio", type=positive_int, default=4)
    p.add_argument("--format", choices=("text", "json"), default="text")
    p = sub.add_parser("lr", help="largest stable learning rate in the NTK regime",
                       description="eta < 2/lambda_max of the NTK Gram matrix, each activation at its gain.")
    p.add_argument("names", nargs="+")
    p.add_argument("--depth", type=positive_int, default=10)
    p.add_argument("--inputs", type=positive_int, default=1)
    p.add_argument("--c", default="0")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p = sub.add_parser("stack", help="propagate inputs through a uniform stack of blocks",
                       description="q, c, NTK and the mean squared Jacobian after DEPTH blocks.")
    p.add_argument("name", nargs="?")
    p.add_argument("--expr", default=None)
    p.add_argument("--depth", type=positive_int, default=10)
    p.add_argument("--block", choices=("mlp", "residual", "preln"), default="mlp")
    p.add_argument("--weight-var", default="1", metavar="V")
    p.add_argument("--bias-var", default="0", metavar="B")
    p.add_argument("--branch-weight", default="1")
    p.add_argument("--q", default="1")
    p.add_argument("--c", default=None)
    p.add_argument("--format", choices=("text", "json"), default="text")
    return {"init": cmd_init, "lr": cmd_lr, "stack": cmd_stack}
