r"""The ``symact`` command line.

Subcommands (``--format`` on every one; ``json`` everywhere)::

    symact list      [--format text|markdown|json]
    symact explain   NAME [--format text|latex|markdown|json]
    symact table     [NAME ...] [--format text|markdown|latex|json]
    symact bound     NAME --layers N [--weight W] [--eps E] [--format text|latex|json]
    symact meanfield NAME [--weight-var V] [--bias-var B] [--edge] [--format text|json]
    symact gain      [NAME ...] [--torch] [--expr F] [--format text|markdown|latex|json]
    symact check     "CLAIM" [--format text|markdown|json]
    symact latex     NAME -o FILE.tex [--pdf] [--format text|json]
    symact plot      NAME [NAME ...] -o FILE.png|svg|pdf [--kind activation|gradient|phase] [--format text|json]
    symact kernel    NAME [--weight-var V] [--bias-var B] [--c C ...] [--latex [-o FILE.tex [--pdf]] | --markdown]
    symact spectrum  NAME [--weight-var V] [--bias-var B] [--depth L] [--weights gaussian|orthogonal] [--q Q] [--latex ...]
    symact nngp|ntk  NAME [--depth L] [--weight-var V] [--bias-var B] [--q1 Q] [--q2 Q] [--c C]
    symact shape     NAME [--method dks|tat] [--zeta Z] [--tau T]
    symact isometry  NAME [--depth L] [--weights orthogonal|gaussian] [--bias-var B]
    symact identify  VALUE; init, lr, stack (networks); see 'symact --help'
    symact schema    [COMMAND]        the JSON Schema of --format json output

Wherever ``NAME`` is accepted, ``--expr "x/(1 + abs(x))"`` defines an activation
from a formula instead (safely parsed, never executed), and ``--param name=value``
sets a parameter (``--param negative_slope=0.2``).

Exit status, the same for every command:

====  ==========================================================
0     an answer (for ``check``: the claim holds)
1     a refuted claim (``check`` found a counterexample)
2     bad input: unknown name, malformed number or formula, ...
3     undecided, or over the time budget
====  ==========================================================

Errors are one line on stderr, ``symact: error: ...`` (with ``--format json``
also a JSON object ``{"error": {...}}`` on stdout); nothing prints a traceback.

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
import sys
from collections.abc import Callable, Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any

import sympy

from ..core.budget import BudgetExceeded
from ..core.errors import CertificationError, Undecided
from . import cli_output as out
from .cli_parser import build_parser, option_number

__all__ = ["EXIT_ANSWER", "EXIT_BAD_INPUT", "EXIT_REFUTED", "EXIT_UNDECIDED", "main"]

_PROG = "symact"
#: An answer (``check``: the claim holds).
EXIT_ANSWER = 0
#: ``check`` refuted the claim.
EXIT_REFUTED = 1
#: Bad input (unknown name, malformed number or formula, unusable file name).
EXIT_BAD_INPUT = 2
#: Undecided, or the time budget ran out.
EXIT_UNDECIDED = 3


class _Usage(ValueError):
    """Bad command-line input (reported like any other error)."""


def _number(text: str) -> sympy.Rational:
    """An exact number from ``"2"``, ``"0.01"``, ``"1/100"`` or ``"1e-6"``.

    Decimal literals go through :func:`symact.core.limits.parse_number`, which keeps
    ``1e-999999`` or ``1e999`` cheap (never a million-digit integer).
    """
    from ..core.limits import parse_number

    text = text.strip()
    if "/" in text:
        try:
            f = Fraction(text)
        except (ValueError, ZeroDivisionError):
            raise _Usage(f"{text!r} is not a number (accepted: 2, 0.01, 1/100, 1e-6)") from None
        return sympy.Rational(f.numerator, f.denominator)
    try:
        return parse_number(text)
    except ValueError as exc:
        raise _Usage(f"{text!r} is not a number: {exc}") from None


def _params(items: Sequence[str] | None) -> dict[str, sympy.Rational]:
    params: dict[str, sympy.Rational] = {}
    for item in items or ():
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or not key.isidentifier():
            raise _Usage(f"--param takes name=value (e.g. --param negative_slope=0.2), got {item!r}")
        params[key] = _number(value)
    return params


def _resolve(args: argparse.Namespace) -> Any:
    import symact as sa

    params = _params(getattr(args, "param", None))
    if getattr(args, "expr", None):
        return sa.define(args.name or "custom", args.expr, **params)
    if not args.name:
        raise _Usage("give an activation NAME (see 'symact list') or --expr \"formula in x\"")
    return sa.activation(args.name, **params)


def _emit(args: argparse.Namespace, data: dict[str, Any], text: Callable[[], str] | str,
          code: int = 0) -> None:
    """Print ``data`` as JSON or the rendering for ``args.format``."""
    if args.format == "json":
        print(json.dumps(out.envelope(args.command, data, code), indent=2, ensure_ascii=False))
    else:
        print(text() if callable(text) else text)


# -- subcommands -------------------------------------------------------------------
def _cmd_list(args: argparse.Namespace) -> int:
    data = out.catalogue_json()
    _emit(args, data, lambda: out.catalogue_text(data, markdown=args.format == "markdown"))
    return EXIT_ANSWER


def _cmd_explain(args: argparse.Namespace) -> int:
    import symact as sa

    act = _resolve(args)
    b = sa.derivative_bounds(act)
    try:
        from ..proofs.analysis_steps import derive

        d = derive(act)
    except ImportError:  # pragma: no cover - the proofs layer is part of the package
        d = None
    if args.format == "json":
        _emit(args, out.explain_json(act, b, d), "")
    elif d is None:
        print(sa.analyze(act).describe())
    else:
        print({"text": d.text, "latex": d.latex, "markdown": d.markdown}[args.format]())
    return EXIT_ANSWER


def _cmd_table(args: argparse.Namespace) -> int:
    import symact as sa

    if getattr(args, "orders", None):  # certified derivative tables (symact.derivative_table)
        from .cli_local import cmd_orders_table

        return cmd_orders_table(args)

    t = sa.table(args.names or None, progress=None)  # progress only when stderr is a TTY
    data = out.table_json(t.profiles)
    _emit(args, data, lambda: out.table_text(data, args.format))
    return EXIT_ANSWER


def _cmd_bound(args: argparse.Namespace) -> int:
    import symact as sa

    act = _resolve(args)
    w = _number(args.weight)
    gb = sa.gradient_bound(act, args.layers, weight=w)
    eps = None
    if args.eps is not None:
        eps = _number(args.eps)
        if eps <= 0:
            raise _Usage(f"--eps must be positive, got {args.eps}")
    data = out.bound_json(act, gb, args.layers, w, eps, args.eps)
    _emit(args, data, lambda: out.bound_text(gb, data, args.format))
    return EXIT_ANSWER


def _cmd_meanfield(args: argparse.Namespace) -> int:
    from ..propagation.meanfield import edge_of_chaos, mean_field

    act = _resolve(args)
    wv = option_number(args.weight_var, "--weight-var", "variance")
    bv = option_number(args.bias_var, "--bias-var", "bias")
    mf = mean_field(act, wv, bv)
    edge = edge_of_chaos(act, bv) if args.edge else None
    data = out.meanfield_json(act, mf, wv, bv, edge, args.edge)
    _emit(args, data, lambda: out.meanfield_text(data))
    return EXIT_ANSWER


def _cmd_gain(args: argparse.Namespace) -> int:
    import symact as sa

    names = list(args.names) or None
    params = _params(args.param)
    if args.expr:
        if names is not None and len(names) > 1:
            raise _Usage("with --expr give at most one NAME (the display name of the formula)")
        table = sa.gain_table([sa.define(names[0] if names else "custom", args.expr, **params)])
    elif args.torch and names is None and not params:
        table = sa.gain_table("all", torch=True)
    else:
        if not names:
            raise _Usage("give activation names (e.g. 'symact gain relu tanh') or --torch")
        table = sa.gain_table([sa.activation(n, **params) for n in names])
    data = out.gain_json(table)
    _emit(args, data, lambda: out.gain_text(data, args.format))
    return EXIT_ANSWER


def _cmd_check(args: argparse.Namespace) -> int:
    from ..proofs.claims import check_claim

    verdict = check_claim(args.claim)
    code = {True: EXIT_ANSWER, False: EXIT_REFUTED}.get(verdict.holds, EXIT_UNDECIDED)
    data = out.check_json(args.claim, verdict)
    if args.format == "markdown":
        print(verdict._repr_markdown_())
    else:
        _emit(args, data, lambda: str(verdict), code)
    return code


def _pdflatex(tex: Path) -> Path:
    """Compile ``tex`` safely (no shell escape, restricted file access, a time limit)."""
    try:
        from .pdf import compile_pdf  # branch 'safety': the one safe pdflatex runner
    except ImportError:
        compile_pdf = None
    if compile_pdf is not None:
        import re

        name = tex.stem if re.fullmatch(r"[A-Za-z0-9_-]+", tex.stem) else "document"
        pdf = Path(compile_pdf(tex.read_text(encoding="utf-8"), tex.parent, name=name, budget=120))
        if pdf != tex.with_suffix(".pdf"):
            pdf = pdf.replace(tex.with_suffix(".pdf"))
        return pdf
    import os
    import shutil
    import subprocess
    import tempfile

    exe = shutil.which("pdflatex")
    if exe is None:
        raise _Usage("--pdf needs pdflatex on PATH (e.g. apt-get install texlive-latex-base)")
    with tempfile.TemporaryDirectory(prefix="symact-latex-") as tmp:
        work = Path(tmp) / "document.tex"
        work.write_text(tex.read_text(encoding="utf-8"), encoding="utf-8")
        env = {**os.environ, "openin_any": "p", "openout_any": "p", "shell_escape": "f"}
        cmd = [exe, "-no-shell-escape", "-interaction=nonstopmode", "-halt-on-error", work.name]
        try:
            run = subprocess.run(cmd, cwd=tmp, capture_output=True, text=True, timeout=120,
                                 check=False, env=env, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            raise BudgetExceeded("pdflatex did not finish within 120 s") from None
        if run.returncode != 0:
            tail = [ln for ln in run.stdout.splitlines() if ln.startswith("!")][:1]
            raise _Usage(f"pdflatex failed on {tex}: {tail[0] if tail else 'see its log'}")
        pdf = tex.with_suffix(".pdf")
        shutil.copyfile(work.with_suffix(".pdf"), pdf)
    return pdf


def _cmd_latex(args: argparse.Namespace) -> int:
    from ..proofs.analysis_steps import derive

    act = _resolve(args)
    tex = Path(args.output)
    if tex.suffix != ".tex":
        raise _Usage(f"-o must name a .tex file, got {args.output!r}")
    tex.write_text(derive(act).document(), encoding="utf-8")
    pdf = _pdflatex(tex) if args.pdf else None
    data = {"activation": out.activation_json(act), "tex": str(tex), "pdf": str(pdf) if pdf else None}
    _emit(args, data, lambda: "\n".join(f"wrote {p}" for p in (tex, pdf) if p))
    return EXIT_ANSWER


def _cmd_plot(args: argparse.Namespace) -> int:
    target = Path(args.output)
    fmt = target.suffix.lower().lstrip(".")
    if fmt not in ("png", "svg", "pdf"):
        raise _Usage(f"-o must end in .png, .svg or .pdf, got {args.output!r}")
    act = _resolve(args)
    acts = [act] + [_resolve(argparse.Namespace(name=n, expr=None, param=args.param)) for n in args.more]
    if len(acts) > 1 and args.kind == "phase":
        raise _Usage("--kind phase draws one activation; give one NAME")
    try:
        import matplotlib
    except ImportError:
        raise _Usage("'symact plot' needs matplotlib: pip install 'symact[plot]'") from None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from . import plot

    ax: Any  # an Axes, or an array of them (several activations)
    if args.kind == "gradient":
        ax = plot.gradient_product(acts, args.layers, weight=float(option_number(args.weight, "--weight", "weight")))
    elif args.kind == "phase":
        ax = plot.phase(act)
    elif len(acts) > 1:
        ax = plot.catalogue(acts)
    else:
        ax = plot.activation(act)
    fig: Any = (ax.flat[0] if hasattr(ax, "flat") else ax).figure  # catalogue: an array of axes
    try:
        fig.savefig(target, format=fmt, bbox_inches="tight")
    finally:
        plt.close(fig)
    data = {"activation": out.activation_json(act), "file": str(target), "kind": args.kind,
            "activations": [a.name for a in acts]}
    _emit(args, data, f"wrote {target}")
    return EXIT_ANSWER


def _cmd_schema(args: argparse.Namespace) -> int:
    from .schema import schema

    print(json.dumps(schema(args.which), indent=2, ensure_ascii=False))
    return EXIT_ANSWER


#: Modules of :mod:`symact.presentation` that add subcommands (see :func:`_add_plugins`).
PLUGINS = ("cli_kernels", "cli_local", "cli_identify", "cli_networks", "cli_more")


def _add_plugins(sub: Any) -> None:
    """Hook for subcommands defined in the modules named by :data:`PLUGINS`.

    Each plugin module provides ``add_parsers(subparsers)``, returning
    ``{name: function}``: a function of the parsed arguments returning the exit status
    (every command takes ``--format`` with ``json``).  Its errors are reported like those
    of the built-in commands.
    """
    from importlib import import_module

    for name in PLUGINS:
        plugin = import_module(f"{__package__}.{name}")
        handlers = plugin.add_parsers(sub) or {}
        for command, function in handlers.items():
            sub.choices[command].set_defaults(handler=function)


_COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "list": _cmd_list,
    "explain": _cmd_explain,
    "table": _cmd_table,
    "bound": _cmd_bound,
    "meanfield": _cmd_meanfield,
    "gain": _cmd_gain,
    "check": _cmd_check,
    "latex": _cmd_latex,
    "plot": _cmd_plot,
    "schema": _cmd_schema,
}


def _message(exc: BaseException) -> str:
    if isinstance(exc, KeyError) and exc.args:
        return str(exc.args[0])
    if isinstance(exc, ImportError):
        return f"this command needs a module that is not available ({exc.name or exc})"
    return str(exc) or type(exc).__name__


def _exit_code(exc: BaseException) -> int:
    if isinstance(exc, Undecided | CertificationError | BudgetExceeded | TimeoutError):
        return EXIT_UNDECIDED
    return EXIT_BAD_INPUT


_NUMERIC = {"--weight", "--weight-var", "--bias-var", "--q", "--c", "--eps"}


def _join_negative(argv: list[str]) -> list[str]:
    # argparse takes "-inf" or "-1e999" after an option for another option ("expected one
    # argument" plus the usage); joined as --weight=-inf it reaches the number check.
    out: list[str] = []
    for item in argv:
        if out and out[-1] in _NUMERIC and item[:2] in {"-i", "-n", "-I", "-N", "-."} | {
            f"-{d}" for d in "0123456789"
        }:
            out[-1] = f"{out[-1]}={item}"
        else:
            out.append(item)
    return out


def main(argv: Sequence[str] | None = None) -> int:
    r"""Run the ``symact`` command line and return its exit status.

    Parameters
    ----------
    argv : sequence of str, optional
        The arguments (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        0 an answer (``check``: the claim holds), 1 a refuted claim, 2 bad
        input, 3 undecided or over budget.  Errors are reported as one line
        ``symact: error: ...`` on stderr.

    Examples
    --------
    >>> main(["bound", "relu", "--layers", "50"])
    |d a_n / d a_0| <= 1  (relu, 50 layers)
    regime: neutral
    the derivative is 0 on a whole stretch: a path through an inactive unit contributes exactly 0
    0
    >>> main(["bound", "sigmoid", "--layers", "5", "--eps", "1e-6"])
    |d a_n / d a_0| <= 1/1024  (sigmoid, 5 layers)
    regime: vanishing
    depth at which the bound drops below 1e-6: 10 layers
    0
    >>> main(["bound", "sigmoid", "--layers", "2", "--weight", "8", "--eps", "1e-6"])
    |d a_n / d a_0| <= 4  (sigmoid, 2 layers)
    regime: exploding
    the bound never drops below 1e-6: its per-layer factor 2 is >= 1
    0
    """
    parser = build_parser(_add_plugins)
    try:
        args = parser.parse_args(_join_negative(list(sys.argv[1:] if argv is None else argv)))
    except SystemExit as exit_:  # --help, --version, usage errors (already printed)
        return int(exit_.code or 0) if not isinstance(exit_.code, str) else EXIT_BAD_INPUT
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_BAD_INPUT
    command = _COMMANDS.get(args.command) or getattr(args, "handler", None)
    try:
        return command(args)
    except BrokenPipeError:  # e.g. `symact list | head`: stop quietly
        import os

        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_ANSWER
    except (ValueError, TypeError, KeyError, ArithmeticError, ImportError, OSError,
            RuntimeError, BudgetExceeded) as exc:  # RuntimeError: pdflatex failed
        code = _exit_code(exc)
        hint = ""
        if isinstance(exc, KeyError) and "did you mean" not in _message(exc):
            hint = " (see 'symact list')"
        message = " ".join(f"{_message(exc)}{hint}".split())  # one line
        if getattr(args, "format", None) == "json":
            print(json.dumps(out.envelope(args.command, {"error": {
                "type": type(exc).__name__, "message": message}}, code), indent=2))
        print(f"{_PROG}: error: {message}", file=sys.stderr)
        return code
    except KeyboardInterrupt:
        print(f"{_PROG}: interrupted", file=sys.stderr)
        return 130
