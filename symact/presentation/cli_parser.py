r"""The argument parser of the ``symact`` command line (see :mod:`symact.presentation.cli`).

>>> p = build_parser(lambda sub: None)
>>> p.parse_args(["bound", "relu", "--layers", "3"]).layers
3
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

import sympy

__all__ = ["EPILOG", "MAX_OPTION", "MIN_OPTION", "build_parser", "option_number", "positive_int"]

#: Variances, input lengths and plot weights on the command line lie in
#: [MIN_OPTION, MAX_OPTION] (bias variances may also be 0): outside it the
#: engines' float stages overflow or underflow, so it is refused before work.
MIN_OPTION = sympy.Rational(1, 10**6)
MAX_OPTION = sympy.Integer(10**6)
_RANGES = {
    "variance": "a number from 1e-6 to 1e6",
    "bias": "0 or a number from 1e-6 to 1e6",
    "correlation": "a number from -1 to 1",
    "weight": "a number from -1e6 to 1e6",
}


def option_number(text: str, option: str, kind: str) -> sympy.Rational:
    """The exact value of a numeric option, refused with one line saying what is accepted.

    ``kind`` is ``"variance"``, ``"bias"``, ``"correlation"`` or ``"weight"``.

    >>> option_number("1/2", "--weight-var", "variance")
    1/2
    >>> option_number("1e999", "--weight-var", "variance")
    Traceback (most recent call last):
    ...
    ValueError: --weight-var must be a number from 1e-6 to 1e6, got '1e999'
    """
    from ..core.limits import parse_number

    accepted = _RANGES[kind]
    bad = ValueError(f"{option} must be {accepted}, got {text.strip()[:40]!r}")
    t = text.strip()
    try:
        if "/" in t:
            num, _, den = t.partition("/")
            value = parse_number(num) / parse_number(den)
        else:
            value = parse_number(t)
    except (ValueError, ZeroDivisionError):
        raise bad from None
    if not value.is_finite or not value.is_real:
        raise bad
    if kind == "correlation":
        ok = -1 <= value <= 1
    elif kind == "weight":
        ok = abs(value) <= MAX_OPTION
    else:
        ok = MIN_OPTION <= value <= MAX_OPTION or (kind == "bias" and value == 0)
    if not ok:
        raise bad
    return sympy.Rational(value) if value.is_Rational else value


def positive_int(text: str) -> int:
    """A positive integer from the command line (argparse ``type=``)."""
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {n}")
    return n


def _add_activation(p: argparse.ArgumentParser) -> None:
    p.add_argument("name", nargs="?", help="a built-in name or alias (see 'symact list'); "
                   "with --expr, the display name of the new activation")
    p.add_argument("--expr", metavar="FORMULA",
                   help='define the activation from a formula in x, e.g. "x/(1 + abs(x))"')
    p.add_argument("--param", action="append", metavar="NAME=VALUE",
                   help="a parameter value, e.g. negative_slope=0.2 (repeatable)")


def _add_format(p: argparse.ArgumentParser, *choices: str) -> None:
    p.add_argument("--format", choices=(*choices, "json"), default=choices[0],
                   help="output format; json follows 'symact schema' (default: %(default)s)")


EPILOG = ("Exit status: 0 an answer, 1 a refuted claim, 2 bad input, 3 undecided or over "
           "budget. Run 'symact COMMAND --help' for the options of a command.")


def build_parser(add_plugins: Callable[[Any], None]) -> argparse.ArgumentParser:
    """The ``symact`` parser; ``add_plugins(subparsers)`` may add more subcommands."""
    from .. import __version__

    top = argparse.ArgumentParser(
        prog="symact", description="Exact mathematics of neural-network activation functions.",
        epilog=EPILOG)
    top.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = top.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("list", help="built-in activations, aliases and descriptions",
                       description="List the built-in activations with aliases and descriptions.")
    _add_format(p, "text", "markdown")

    p = sub.add_parser("explain", help="derivation of the derivative bounds",
                       description="Show how symact derives the bounds on phi'.")
    _add_activation(p)
    _add_format(p, "text", "latex", "markdown")

    p = sub.add_parser("table", help="derivative bounds of the whole catalogue",
                       description="Tabulate sup/inf of phi', range, Lipschitz constant, ... "
                       "(progress on stderr when it is a terminal). The text output ends "
                       "with a legend of its markers.")
    p.add_argument("names", nargs="*", help="only these activations (default: all)")
    p.add_argument("--orders", type=positive_int, default=None, metavar="N",
                   help="instead: certified sup/inf of the derivatives of orders 1..N")
    _add_format(p, "text", "markdown", "latex")

    p = sub.add_parser("bound", help="worst-case gradient bound through N layers",
                       description="Bound |d a_n / d a_0| <= (|w| sup|phi'|)^n.")
    _add_activation(p)
    p.add_argument("--layers", type=positive_int, required=True, metavar="N")
    p.add_argument("--weight", default="1", metavar="W", help="scalar weight (default 1)")
    p.add_argument("--eps", metavar="E", help="also print the depth at which the bound drops below E")
    _add_format(p, "text", "latex")

    p = sub.add_parser("meanfield", help="mean-field fixed point, chi_1 and regime",
                       description="Average-case gradient propagation at initialisation.")
    _add_activation(p)
    p.add_argument("--weight-var", default="1", metavar="V", help="sigma_w^2 (default 1)")
    p.add_argument("--bias-var", default="0", metavar="B", help="sigma_b^2 (default 0)")
    p.add_argument("--edge", action="store_true", help="also print the edge-of-chaos sigma_w^2")
    _add_format(p, "text")

    p = sub.add_parser("gain", help="initialisation gains, beside torch.nn.init.calculate_gain",
                       description="Variance-preserving gains 1/sqrt(E[phi(z)^2]) and the chi_1 "
                       "they give, beside PyTorch's calculate_gain values and theirs.")
    p.add_argument("names", nargs="*", help="activations (default with --torch: PyTorch's list)")
    p.add_argument("--torch", action="store_true",
                   help="the nonlinearities of torch.nn.init.calculate_gain")
    p.add_argument("--param", action="append", metavar="NAME=VALUE",
                   help="a parameter of the named activations, e.g. negative_slope=0.2 "
                   "(calculate_gain's param)")
    p.add_argument("--expr", metavar="FORMULA", help="an activation from a formula in x (its "
                   "display name: the one NAME given, else 'custom')")
    _add_format(p, "text", "markdown", "latex")

    p = sub.add_parser("check", help="verify a hand-derived claim",
                       description="Check a claim such as \"sigmoid'(x) <= 1/4\". "
                       "Exit status 0: holds, 1: refuted, 2: bad input, 3: undecided.")
    p.add_argument("claim")
    _add_format(p, "text", "markdown")

    p = sub.add_parser("latex", help="write the derivation as a LaTeX document",
                       description="Write a standalone LaTeX document (optionally compile it).")
    _add_activation(p)
    p.add_argument("-o", "--output", required=True, metavar="FILE.tex")
    p.add_argument("--pdf", action="store_true", help="also run pdflatex (no shell escape)")
    _add_format(p, "text")

    p = sub.add_parser("plot", help="draw a figure to a file (needs symact[plot])",
                       description="Plot an activation, its gradient product across depth, "
                       "or its mean-field phase diagram.")
    _add_activation(p)
    p.add_argument("more", nargs="*", metavar="NAME", help="more activations (--kind activation|gradient)")
    p.add_argument("-o", "--output", required=True, metavar="FILE")
    p.add_argument("--kind", choices=("activation", "gradient", "phase"), default="activation")
    p.add_argument("--layers", type=positive_int, default=30, metavar="N")
    p.add_argument("--weight", default="1", metavar="W")
    _add_format(p, "text")

    p = sub.add_parser("schema", help="the JSON Schema of --format json output",
                       description="Print the JSON Schema (draft 2020-12) of the JSON output.")
    p.add_argument("which", nargs="?", default=None, metavar="COMMAND",
                   help="one command's schema (default: all of them)")

    add_plugins(sub)
    return top
