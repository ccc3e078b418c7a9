r"""The ``symact`` command line.

Subcommands::

    symact list                               names, aliases, one-line descriptions
    symact explain NAME [--format F]          derivation of the derivative bounds
    symact table [--format text|markdown]     the catalogue's derivative bounds
    symact bound NAME --layers N [--weight W] [--eps E]
    symact meanfield NAME --weight-var V [--bias-var B]
    symact check "CLAIM"                      exit 0 holds, 1 refuted, 2 undecided
    symact latex NAME -o FILE.tex [--pdf]
    symact plot NAME -o FILE.png|svg|pdf [--kind activation|gradient|phase]

Wherever ``NAME`` is accepted, ``--expr "x/(1 + abs(x))"`` defines an activation
from a formula instead (safely parsed, never executed), and ``--param name=value``
sets a parameter (``--param negative_slope=0.2``).

Errors are one line on stderr, ``symact: error: ...``, and exit status 2; nothing
prints a traceback.

Examples
--------
>>> from symact.presentation.cli import main
>>> main(["bound", "sigmoid", "--layers", "10"])
|d a_n / d a_0| <= 1/1048576  (sigmoid, 10 layers)
regime: vanishing
0
>>> main(["bound", "sigmod", "--layers", "3"])
2
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any

import sympy

__all__ = ["main"]

_PROG = "symact"


class _Usage(ValueError):
    """Bad command-line input (reported like any other error)."""


def _number(text: str) -> sympy.Rational:
    """An exact rational from ``"2"``, ``"0.01"``, ``"1/100"`` or ``"1e-6"``."""
    try:
        f = Fraction(text.strip())
    except (ValueError, ZeroDivisionError):
        raise _Usage(f"{text!r} is not a number (accepted: 2, 0.01, 1/100, 1e-6)") from None
    return sympy.Rational(f.numerator, f.denominator)


def _positive_int(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {n}")
    return n


def _params(items: Sequence[str] | None) -> dict[str, sympy.Rational]:
    out: dict[str, sympy.Rational] = {}
    for item in items or ():
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or not key.isidentifier():
            raise _Usage(f"--param takes name=value (e.g. --param negative_slope=0.2), got {item!r}")
        out[key] = _number(value)
    return out


def _resolve(args: argparse.Namespace) -> Any:
    import symact as sa

    params = _params(getattr(args, "param", None))
    if getattr(args, "expr", None):
        return sa.define(args.name or "custom", args.expr, **params)
    if not args.name:
        raise _Usage("give an activation NAME (see 'symact list') or --expr \"formula in x\"")
    return sa.activation(args.name, **params)


# -- subcommands -------------------------------------------------------------------
def _cmd_list(args: argparse.Namespace) -> int:
    import symact as sa

    by_name: dict[str, list[str]] = {}
    for alias, name in sa.aliases().items():
        by_name.setdefault(name, []).append(alias)
    width = max(len(n) for n in sa.names())
    for name in sa.names():
        extra = f" (alias: {', '.join(by_name[name])})" if name in by_name else ""
        print(f"{name:<{width}}  {sa.describe(name)}{extra}")
    return 0


def _explain_json(act: Any) -> str:
    import symact as sa

    b = sa.derivative_bounds(act)

    def ext(e: Any) -> dict[str, Any]:
        return {
            "value": sympy.sstr(e.value),
            "latex": sympy.latex(e.value),
            "decimal": str(e.evalf(15)),
            "exact": bool(e.exact),
            "attained": bool(e.attained),
            "at": sympy.sstr(e.at),
            "approached": list(e.approached),
            "enclosure": [str(e.enclosure[0]), str(e.enclosure[1])],
        }

    data: dict[str, Any] = {
        "name": act.name,
        "expr": sympy.sstr(act.expr),
        "latex": act.latex(),
        "derivative": sympy.sstr(act.derivative()),
        "kinks": [sympy.sstr(k) for k in act.kinks],
        "jumps": [sympy.sstr(k) for k in act.jumps],
        "smoothness": str(act.smoothness),
        "sup_derivative": ext(b.sup),
        "inf_derivative": ext(b.inf),
        "lipschitz": sympy.sstr(b.lipschitz),
    }
    try:
        from ..proofs.analysis_steps import derive

        data["derivation"] = derive(act).text()
    except ImportError:
        pass
    return json.dumps(data, indent=2, ensure_ascii=False)


def _cmd_explain(args: argparse.Namespace) -> int:
    act = _resolve(args)
    if args.format == "json":
        print(_explain_json(act))
        return 0
    try:
        from ..proofs.analysis_steps import derive
    except ImportError:
        if args.format != "text":
            raise _Usage(f"--format {args.format} needs symact.proofs.derivation, which is not installed") from None
        import symact as sa

        print(sa.analyze(act).describe())
        return 0
    d = derive(act)
    print({"text": d.text, "latex": d.latex, "markdown": d.markdown}[args.format]())
    return 0


def _cmd_table(args: argparse.Namespace) -> int:
    import symact as sa

    t = sa.table(args.names or None, progress=None)  # progress only when stderr is a TTY
    print(t.markdown() if args.format == "markdown" else t.text())
    return 0


def _cmd_bound(args: argparse.Namespace) -> int:
    import symact as sa

    act = _resolve(args)
    gb = sa.gradient_bound(act, args.layers, weight=_number(args.weight))
    print(gb.describe())
    if args.eps is not None:
        eps = _number(args.eps)
        if eps <= 0:
            raise _Usage(f"--eps must be positive, got {args.eps}")
        print(f"depth at which the bound drops below {args.eps}: {gb.depth_below(eps)} layers")
    return 0


def _fmt(v: Any) -> str:
    import mpmath

    if v is None:
        return "diverges"
    if isinstance(v, mpmath.mpf):
        return mpmath.nstr(v, 12)
    if isinstance(v, sympy.Expr) and not v.is_Rational and v.is_number:
        return f"{sympy.sstr(v)} ≈ {sympy.N(v, 12)}"
    return sympy.sstr(v) if isinstance(v, sympy.Basic) else str(v)


def _cmd_meanfield(args: argparse.Namespace) -> int:
    from ..propagation.meanfield import mean_field

    act = _resolve(args)
    wv, bv = _number(args.weight_var), _number(args.bias_var)
    if wv <= 0 or bv < 0:
        raise _Usage("--weight-var must be positive and --bias-var non-negative")
    mf = mean_field(act, wv, bv)
    print(f"mean field of {act.name} at sigma_w^2 = {wv}, sigma_b^2 = {bv}")
    print(f"  q*      = {_fmt(mf.q_star)}  ({mf.status})")
    print(f"  chi_1   = {_fmt(mf.chi1)}  ({mf.regime})")
    print(f"  xi_q    = {_fmt(mf.depth_scale_q)}   xi_c = {_fmt(mf.depth_scale_c)}")
    print(f"  exact   = {'yes' if mf.exact else 'no (numerical quadrature)'}")
    if args.edge:
        from ..propagation.meanfield import edge_of_chaos

        print(f"  edge of chaos at sigma_b^2 = {bv}: sigma_w^2 = {_fmt(edge_of_chaos(act, bv))}")
    return 0


def _cmd_check(args: argparse.Namespace) -> int:
    from ..proofs.claims import check_claim

    verdict = check_claim(args.claim)
    print(str(verdict))
    return {True: 0, False: 1}.get(verdict.holds, 2)


def _cmd_latex(args: argparse.Namespace) -> int:
    from ..proofs.analysis_steps import derive

    act = _resolve(args)
    out = Path(args.output)
    if out.suffix != ".tex":
        raise _Usage(f"-o must name a .tex file, got {args.output!r}")
    out.write_text(derive(act).document(), encoding="utf-8")
    print(f"wrote {out}")
    if args.pdf:
        exe = shutil.which("pdflatex")
        if exe is None:
            raise _Usage("--pdf needs pdflatex on PATH (e.g. apt-get install texlive-latex-base)")
        cmd = [exe, "-interaction=nonstopmode", "-halt-on-error", out.name]
        try:
            run = subprocess.run(cmd, cwd=out.parent.resolve(), capture_output=True, text=True,
                                 timeout=120, check=False)
        except subprocess.TimeoutExpired:
            raise _Usage("pdflatex did not finish within 120 s") from None
        if run.returncode != 0:
            tail = [ln for ln in run.stdout.splitlines() if ln.startswith("!")][:1]
            raise _Usage(f"pdflatex failed on {out}: {tail[0] if tail else 'see the .log file'}")
        print(f"wrote {out.with_suffix('.pdf')}")
    return 0


def _cmd_plot(args: argparse.Namespace) -> int:
    out = Path(args.output)
    fmt = out.suffix.lower().lstrip(".")
    if fmt not in ("png", "svg", "pdf"):
        raise _Usage(f"-o must end in .png, .svg or .pdf, got {args.output!r}")
    act = _resolve(args)
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from . import plot

    if args.kind == "gradient":
        fig = plot.gradient_product(act, args.layers, weight=float(_number(args.weight)))
    elif args.kind == "phase":
        fig = plot.phase(act)
    else:
        fig = plot.activation(act)
    try:
        fig.savefig(out, format=fmt, bbox_inches="tight")
    finally:
        plt.close(fig)
    print(f"wrote {out}")
    return 0


# -- parser ------------------------------------------------------------------------
def _add_activation(p: argparse.ArgumentParser) -> None:
    p.add_argument("name", nargs="?", help="a built-in name or alias (see 'symact list'); "
                   "with --expr, the display name of the new activation")
    p.add_argument("--expr", metavar="FORMULA",
                   help='define the activation from a formula in x, e.g. "x/(1 + abs(x))"')
    p.add_argument("--param", action="append", metavar="NAME=VALUE",
                   help="a parameter value, e.g. negative_slope=0.2 (repeatable)")


def _parser() -> argparse.ArgumentParser:
    from .. import __version__

    top = argparse.ArgumentParser(
        prog=_PROG,
        description="Exact mathematics of neural-network activation functions.",
        epilog="Run 'symact COMMAND --help' for the options of a command.",
    )
    top.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = top.add_subparsers(dest="command", metavar="COMMAND")

    sub.add_parser("list", help="built-in activations, aliases and descriptions",
                   description="List the built-in activations with aliases and descriptions.")

    p = sub.add_parser("explain", help="derivation of the derivative bounds",
                       description="Show how symact derives the bounds on phi'.")
    _add_activation(p)
    p.add_argument("--format", choices=("text", "latex", "markdown", "json"), default="text")

    p = sub.add_parser("table", help="derivative bounds of the whole catalogue",
                       description="Tabulate sup/inf of phi', range, Lipschitz constant, ... "
                       "(progress on stderr when it is a terminal).")
    p.add_argument("names", nargs="*", help="only these activations (default: all)")
    p.add_argument("--format", choices=("text", "markdown"), default="text")

    p = sub.add_parser("bound", help="worst-case gradient bound through N layers",
                       description="Bound |d a_n / d a_0| <= (|w| sup|phi'|)^n.")
    _add_activation(p)
    p.add_argument("--layers", type=_positive_int, required=True, metavar="N")
    p.add_argument("--weight", default="1", metavar="W", help="scalar weight (default 1)")
    p.add_argument("--eps", metavar="E", help="also print the depth at which the bound drops below E")

    p = sub.add_parser("meanfield", help="mean-field fixed point, chi_1 and regime",
                       description="Average-case gradient propagation at initialisation.")
    _add_activation(p)
    p.add_argument("--weight-var", default="1", metavar="V", help="sigma_w^2 (default 1)")
    p.add_argument("--bias-var", default="0", metavar="B", help="sigma_b^2 (default 0)")
    p.add_argument("--edge", action="store_true", help="also print the edge-of-chaos sigma_w^2")

    p = sub.add_parser("check", help="verify a hand-derived claim",
                       description="Check a claim such as \"sigmoid'(x) <= 1/4\". "
                       "Exit status 0: holds, 1: refuted, 2: undecided or bad input.")
    p.add_argument("claim")

    p = sub.add_parser("latex", help="write the derivation as a LaTeX document",
                       description="Write a standalone LaTeX document (optionally compile it).")
    _add_activation(p)
    p.add_argument("-o", "--output", required=True, metavar="FILE.tex")
    p.add_argument("--pdf", action="store_true", help="also run pdflatex")

    p = sub.add_parser("plot", help="draw a figure to a file",
                       description="Plot an activation, its gradient product across depth, "
                       "or its mean-field phase diagram.")
    _add_activation(p)
    p.add_argument("-o", "--output", required=True, metavar="FILE")
    p.add_argument("--kind", choices=("activation", "gradient", "phase"), default="activation")
    p.add_argument("--layers", type=_positive_int, default=30, metavar="N")
    p.add_argument("--weight", default="1", metavar="W")
    return top


_COMMANDS = {
    "list": _cmd_list,
    "explain": _cmd_explain,
    "table": _cmd_table,
    "bound": _cmd_bound,
    "meanfield": _cmd_meanfield,
    "check": _cmd_check,
    "latex": _cmd_latex,
    "plot": _cmd_plot,
}


def _message(exc: BaseException) -> str:
    if isinstance(exc, KeyError) and exc.args:
        return str(exc.args[0])
    if isinstance(exc, ImportError):
        return f"this command needs a module that is not available ({exc.name or exc})"
    return str(exc) or type(exc).__name__


def main(argv: Sequence[str] | None = None) -> int:
    r"""Run the ``symact`` command line and return its exit status.

    Parameters
    ----------
    argv : sequence of str, optional
        The arguments (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        0 on success; for ``check``, 0 holds, 1 refuted, 2 undecided; 2 for any
        error, reported as one line ``symact: error: ...`` on stderr.

    Examples
    --------
    >>> main(["bound", "relu", "--layers", "50"])
    |d a_n / d a_0| <= 1  (relu, 50 layers)
    regime: neutral
    the derivative is 0 on a whole stretch: a path through an inactive unit contributes exactly 0
    0
    >>> main(["bound", "sigmoid", "--layers", "5", "--eps", "1e-6"])  # doctest: +ELLIPSIS
    |d a_n / d a_0| <= 1/1024  (sigmoid, 5 layers)
    regime: vanishing
    depth at which the bound drops below 1e-6: 10 layers
    0
    """
    parser = _parser()
    try:
        args = parser.parse_args(list(argv) if argv is not None else None)
    except SystemExit as exit_:  # --help, --version, usage errors (already printed)
        return int(exit_.code or 0) if not isinstance(exit_.code, str) else 2
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    try:
        return _COMMANDS[args.command](args)
    except BrokenPipeError:  # e.g. `symact list | head`: stop quietly
        import os

        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except (ValueError, TypeError, KeyError, ArithmeticError, ImportError, OSError) as exc:
        hint = ""
        if isinstance(exc, KeyError) and "did you mean" not in _message(exc):
            hint = " (see 'symact list')"
        print(f"{_PROG}: error: {_message(exc)}{hint}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{_PROG}: interrupted", file=sys.stderr)
        return 130
