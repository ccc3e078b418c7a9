r"""``symact kernel NAME`` and ``symact spectrum NAME``: C-maps and Jacobian spectra on the command line.

Wire into :mod:`symact.presentation.cli` with ``COMMANDS.update(add_parsers(sub))``.
Only certified digits are printed.  ``--latex`` prints the derivation as a standalone
LaTeX document (``-o FILE.tex`` writes it, ``--pdf`` also compiles it), ``--markdown``
as Markdown.

>>> import argparse
>>> top = argparse.ArgumentParser(prog="symact")
>>> cmds = add_parsers(top.add_subparsers(dest="command"))
>>> args = top.parse_args(["kernel", "relu", "--weight-var", "2", "--c", "0"])
>>> cmds[args.command](args)
C-map of relu at sigma_w^2 = 2, sigma_b^2 = 0 (q* = 1, exact; closed form (Cho & Saul 2009))
  C(0) = 1/pi  [0.31830988618379067154]
  C'(1) = chi_1 = 1
  C''(1) = oo
  c* = 1 (marginal)
  xi_c = oo
0
"""

from __future__ import annotations

import argparse
import json
from typing import Any

import sympy

from .cli_parser import option_number

__all__ = ["add_parsers", "cmd_kernel", "cmd_spectrum"]


def _variances(args: argparse.Namespace) -> tuple[sympy.Expr, sympy.Expr]:
    return (option_number(args.weight_var, "--weight-var", "variance"),
            option_number(args.bias_var, "--bias-var", "bias"))


def _show(q: Any) -> str:
    if q.level == "exact":
        v = q.value
        return str(v) if v.is_Rational or v in (sympy.oo, -sympy.oo) else f"{v}  [{q.evalf(20)}]"
    return str(q.evalf(30))


def add_parsers(sub: Any) -> dict[str, Any]:
    """Add the ``kernel`` and ``spectrum`` subcommands; returns ``{name: function}``."""
    p = sub.add_parser("kernel", help="correlation map (C-map) at the fixed point",
                       description="C(c), C'(1) = chi_1, C''(1), the fixed point c* and xi_c.")
    p.add_argument("name")
    p.add_argument("--weight-var", default="1", metavar="V")
    p.add_argument("--bias-var", default="0", metavar="B")
    p.add_argument("--q", default=None, metavar="Q", help="input variance instead of q*")
    p.add_argument("--c", action="append", default=None, metavar="C")
    p.add_argument("--dps", type=int, default=30)
    p.add_argument("--format", choices=("text", "json"), default="text")
    _add_document(p)
    p = sub.add_parser("spectrum", help="moments of the Jacobian's singular-value spectrum",
                       description="Mean and variance of the spectrum of J J^T (Pennington et al.).")
    p.add_argument("name")
    p.add_argument("--weight-var", default="1", metavar="V")
    p.add_argument("--bias-var", default="0", metavar="B")
    p.add_argument("--depth", type=int, default=10)
    p.add_argument("--weights", choices=("gaussian", "orthogonal"), default="gaussian")
    p.add_argument("--dps", type=int, default=30)
    p.add_argument("--format", choices=("text", "json"), default="text")
    _add_document(p)
    return {"kernel": cmd_kernel, "spectrum": cmd_spectrum}


def _add_document(p: argparse.ArgumentParser) -> None:
    g = p.add_mutually_exclusive_group()
    g.add_argument("--latex", action="store_true",
                   help="print the derivation as a standalone LaTeX document (or write it with -o)")
    g.add_argument("--markdown", action="store_true", help="print the derivation as Markdown")
    p.add_argument("-o", "--output", default=None, metavar="FILE.tex",
                   help="with --latex: write the document here instead of printing it")
    p.add_argument("--pdf", action="store_true", help="with --latex -o FILE.tex: also run pdflatex")


def _document(args: argparse.Namespace, result: Any, **options: Any) -> int | None:
    """Write the derivation of ``result`` when --latex/--markdown was given; else None."""
    if args.pdf and not (args.latex and args.output):
        raise ValueError("--pdf needs --latex and -o FILE.tex")
    if args.output and not args.latex:
        raise ValueError("-o FILE.tex needs --latex")
    if not (args.latex or args.markdown):
        return None
    from pathlib import Path

    from ..proofs.analysis_steps import derive

    d = derive(result, **options)
    if args.markdown:
        print(d.markdown())
        return 0
    tex = d.document()
    if args.output is None:
        print(tex, end="")
        return 0
    out = Path(args.output)
    if out.suffix != ".tex":
        raise ValueError(f"-o must end in .tex, got {args.output!r}")
    out.write_text(tex, encoding="utf-8")
    print(f"wrote {out}")
    if args.pdf:
        from .pdf import compile_pdf

        pdf = Path(compile_pdf(tex, out.parent, name=out.stem, budget=120))
        print(f"wrote {pdf}")
    return 0


def cmd_kernel(args: argparse.Namespace) -> int:
    """Print the C-map summary."""
    from ..propagation.cmap import correlation_map

    cs = [option_number(c, "--c", "correlation") for c in (args.c or ["0", "1/2"])]
    cm = correlation_map(args.name, *_variances(args),
                         q=None if args.q is None else option_number(args.q, "--q", "variance"),
                         dps=args.dps)
    done = _document(args, cm, at=cs)
    if done is not None:
        return done
    vals = [(c, cm(c)) for c in cs]
    fp = cm.fixed_point
    if args.format == "json":
        out = {"activation": cm.act.name, "level": cm.level, "method": cm.method,
               "q_star": str(cm.q_star), "C": {str(c): str(v) for c, v in vals},
               "chi1": str(cm.chi1), "C2_at_1": str(cm.curvature), "c_star": str(fp),
               "xi_c": str(cm.depth_scale)}
        print(json.dumps(out, indent=2))
        return 0
    print(f"C-map of {cm.act.name} at sigma_w^2 = {cm.weight_var}, sigma_b^2 = {cm.bias_var} "
          f"(q* = {_show(cm.q_star)}, {cm.level}; {cm.method})")
    for c, v in vals:
        print(f"  C({c}) = {_show(v)}")
    print(f"  C'(1) = chi_1 = {_show(cm.chi1)}")
    print(f"  C''(1) = {_show(cm.curvature)}")
    state = "marginal" if fp.value == 1 and cm.chi1.level == "exact" and cm.chi1.value == 1 else (
        "stable" if cm.stable else "unstable")
    print(f"  c* = {_show(fp)} ({state})")
    print(f"  xi_c = {_show(cm.depth_scale)}")
    return 0


def cmd_spectrum(args: argparse.Namespace) -> int:
    """Print the Jacobian spectrum's moments and the dynamical-isometry verdict."""
    from ..propagation.spectrum import jacobian_spectrum

    s = jacobian_spectrum(args.name, *_variances(args), args.depth,
                          weights=args.weights, dps=args.dps)
    done = _document(args, s)
    if done is not None:
        return done
    if args.format == "json":
        print(json.dumps({"mean": str(s.mean), "variance": str(s.variance), "mu1": str(s.mu1),
                          "mu2": str(s.mu2), "chi": str(s.chi), "level": s.level,
                          "verdict": s.verdict}, indent=2))
        return 0
    print(f"spectrum of J J^T: {args.name}, depth {args.depth}, {args.weights} weights ({s.level})")
    print(f"  mu_1 = {_show(s.mu1)}, mu_2 = {_show(s.mu2)}, chi = {_show(s.chi)}")
    print(f"  mean = {_show(s.mean)}, variance = {_show(s.variance)}")
    print(f"  {s.verdict}")
    return 0
