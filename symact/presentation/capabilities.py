r"""Every public capability of symact: its command line and its documentation page.

:data:`CAPABILITIES` maps each public function of :mod:`symact` (and the ``plot``
module) to ``(command, reason, page)``: the ``symact`` command that reaches it (``None``
when there is none), the reason when there is none (or a note on how the command
reaches it), and the page of the user guide with a worked example.
``tests/test_capabilities.py`` fails when a public function is missing here, when a
command does not exist, or when a page does not show the function.

>>> CAPABILITIES["nngp"][0], CAPABILITIES["register"][0]
('symact nngp', None)
>>> print(table().splitlines()[2])
| `sa.activation` | `symact explain NAME`, `symact list` | guide/activations.md |
"""

from __future__ import annotations

__all__ = ["CAPABILITIES", "PYTHON_ONLY", "table"]

PYTHON_ONLY = "Python-only"

#: name -> (command or None, reason or note, doc page under docs/).
CAPABILITIES: dict[str, tuple[str | None, str, str]] = {
    # expressions
    "activation": ("symact explain NAME`, `symact list", "", "guide/activations.md"),
    "aliases": ("symact list", "", "guide/activations.md"),
    "define": ("symact bound --expr FORMULA", "every command that takes NAME takes --expr", "guide/activations.md"),
    "describe": ("symact list", "", "guide/activations.md"),
    "names": ("symact list", "", "guide/activations.md"),
    "register": (None, f"{PYTHON_ONLY}: adds to the catalogue of the running process "
                 "(the command line uses --expr)", "guide/activations.md"),
    # package-wide settings
    "clear_cache": (None, f"{PYTHON_ONLY}: each command is a fresh process", "conventions.md"),
    "default_budget": (None, f"{PYTHON_ONLY}: the command line runs under the default budget",
                       "conventions.md"),
    "set_default_budget": (None, f"{PYTHON_ONLY}: a setting of the running process", "conventions.md"),
    "time_budget": (None, f"{PYTHON_ONLY}: a context manager", "conventions.md"),
    # exact analysis
    "analyze": ("symact explain", "", "guide/extrema.md"),
    "derivative_bounds": ("symact explain", "", "guide/extrema.md"),
    "sup": ("symact check", "a claim 'max_x f(x) = c' checks a value; sup of any "
            "expression is Python-only", "guide/extrema.md"),
    "inf": ("symact check", "a claim 'min_x f(x) = c' checks a value; inf of any "
            "expression is Python-only", "guide/extrema.md"),
    "certified_extremum": ("symact check", "certified sup/inf behind 'symact check "
                           "\"max_x f(x) = c\"' and 'symact explain'", "guide/extrema.md"),
    "table": ("symact table", "", "guide/extrema.md"),
    # depth and mean field
    "gradient_bound": ("symact bound", "", "guide/depth.md"),
    "spectral_norm": (None, f"{PYTHON_ONLY}: takes a weight matrix (SymPy or NumPy)", "guide/depth.md"),
    "expect": ("symact identify \"E[f(z)]\"", "certified, then identified", "guide/identify.md"),
    "mean_field": ("symact meanfield", "", "guide/meanfield.md"),
    "chi1": ("symact meanfield", "", "guide/meanfield.md"),
    "edge_of_chaos": ("symact meanfield --edge", "", "guide/meanfield.md"),
    "variance_map": ("symact meanfield", "prints its fixed point q*; the map itself is Python-only",
                     "guide/meanfield.md"),
    "phase_diagram": ("symact plot --kind phase", "", "guide/meanfield.md"),
    "simulate_chain": ("symact plot --kind gradient", "the simulated band of the figure",
                       "guide/meanfield.md"),
    "simulate_mlp": (None, f"{PYTHON_ONLY}: sampled finite-width evidence returned as an array",
                     "guide/meanfield.md"),
    "gain": ("symact gain", "", "guide/gains.md"),
    "gain_table": ("symact gain", "", "guide/gains.md"),
    "torch_gain": ("symact gain --torch", "", "guide/gains.md"),
    "torch_gains": ("symact gain --torch", "", "guide/gains.md"),
    "selu_constants": ("symact list", "SELU's lambda and alpha are its parameters in the list",
                       "guide/gains.md"),
    # beyond the variance
    "nngp": ("symact nngp", "", "guide/kernels.md"),
    "ntk": ("symact ntk", "", "guide/kernels.md"),
    "correlation_map": ("symact kernel", "", "guide/kernels.md"),
    "q_map": ("symact kernel", "prints q*", "guide/kernels.md"),
    "jacobian_spectrum": ("symact spectrum", "", "guide/kernels.md"),
    "simulate_jacobian": (None, f"{PYTHON_ONLY}: sampled finite-width check of 'symact spectrum'",
                          "guide/kernels.md"),
    "kernel_table": (None, f"{PYTHON_ONLY}: the catalogue-wide table (minutes); 'symact kernel' "
                     "and 'symact isometry' give one row's entries", "guide/isometry.md"),
    "isometry": ("symact isometry", "", "guide/isometry.md"),
    "shape": ("symact shape", "", "guide/shaping.md"),
    # networks
    "propagate": ("symact stack", "", "guide/networks.md"),
    "init_report": ("symact init", "", "guide/networks.md"),
    "learning_rate": ("symact lr", "", "guide/networks.md"),
    "block_gain": ("symact init --block", "", "guide/networks.md"),
    "residual_bound": ("symact stack --block residual", "", "guide/networks.md"),
    "dyt_critical_alpha": (None, f"{PYTHON_ONLY}: a property of DyT blocks built in Python",
                           "guide/networks.md"),
    "conv_modes": (None, f"{PYTHON_ONLY}: per-Fourier-mode depth scales of a CNN", "guide/networks.md"),
    **{name: ("symact stack", "the command builds mlp, residual and pre-LN stacks of these",
              "guide/networks.md") for name in ("act", "dense", "layer_norm", "repeat", "residual",
                                                "serial")},
    **{name: (None, f"{PYTHON_ONLY}: a block for networks built in Python", "guide/networks.md")
       for name in ("conv", "dyt", "glu", "rms_norm")},
    # derivations and verification
    "derive": ("symact explain", "also 'symact latex', 'symact kernel --latex'", "guide/verification.md"),
    "derive_many": (None, f"{PYTHON_ONLY}: one 'symact latex NAME' per activation",
                    "guide/verification.md"),
    "comparison_document": (None, f"{PYTHON_ONLY}: a LaTeX string; 'symact latex' writes one "
                            "activation's document", "guide/verification.md"),
    **{name: ("symact check", "", "guide/verification.md")
       for name in ("check_claim", "check_bound", "check_identity", "check_derivative",
                    "check_limit", "check_maximum", "check_minimum")},
    "check_depth": ("symact bound --eps", "prints the depth at which the bound drops below eps",
                    "guide/verification.md"),
    "explain_four_sigmoid": (None, f"{PYTHON_ONLY}: a worked example; on the command line "
                             "'symact bound four --expr \"4*sigmoid(x)\"' and 'symact gain'",
                             "guide/verification.md"),
    "identify": ("symact identify", "", "guide/identify.md"),
    # activations on an interval (verification)
    "image": ("symact relax NAME LO HI", "the range is part of the relaxation's proof", "guide/intervals.md"),
    "slopes": ("symact relax NAME LO HI", "the slope sector bounds the relaxation's lines",
               "guide/intervals.md"),
    "relax": ("symact relax NAME LO HI", "", "guide/intervals.md"),
    "relax_table": (None, f"{PYTHON_ONLY}: NumPy arrays of intervals in, arrays out",
                    "guide/intervals.md"),
    "derivative_table": ("symact table --orders N NAME", "", "guide/intervals.md"),
    # presentation
    "plot": ("symact plot", "activation, gradient and phase figures; the others are Python-only",
             "guide/plotting.md"),
}


def table() -> str:
    """The Markdown table: capability, command (or reason), page."""
    rows = ["| capability | command | page |", "|---|---|---|"]
    for name, (command, reason, page) in CAPABILITIES.items():
        cell = f"`{command}`" if command else reason
        rows.append(f"| `sa.{name}` | {cell} | {page} |")
    return "\n".join(rows)
