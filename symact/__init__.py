r"""symact: exact mathematics of neural-network activation functions.

An activation is a SymPy expression; symact derives its exact derivatives,
their sup/inf (closed form where one exists, a certified enclosure where
not), bounds on the gradient product across layers, mean-field statistics,
LaTeX derivations and verdicts on hand-derived claims.

>>> import symact as sa
>>> sa.activation("sigmoid").derivative()
exp(-x)/(1 + exp(-x))**2
>>> sa.derivative_bounds("sigmoid").sup.value
1/4
"""

from importlib import import_module
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from .analysis.extrema import Extremum, inf, sup
from .analysis.properties import (
    DerivativeBounds,
    Profile,
    Table,
    analyze,
    derivative_bounds,
    table,
)
from .core.budget import BudgetExceeded, default_budget, set_default_budget, time_budget
from .core.cache import clear_caches as clear_cache
from .core.errors import (
    CertificationError,
    Undecided,
    UnknownActivation,
    UnsafeExpression,
    UnsupportedExpression,
)
from .core.precision import DEFAULT_DPS
from .core.result import LEVELS, Quantity, Result
from .expressions.activation import Activation, x
from .expressions.catalogue import activation, aliases, define, describe, names, register
from .propagation.depth import GradientBound, gradient_bound, spectral_norm

# Heavier layers (NumPy, python-flint, matplotlib) load on first use, so that
# ``import symact`` costs little more than ``import sympy``.
_LAZY = {
    "plot": ("symact.presentation.plot", None),
    "CertifiedExtremum": ("symact.analysis.certify", "CertifiedExtremum"),
    "certified_extremum": ("symact.analysis.certify", "certified_extremum"),
    "Expectation": ("symact.propagation.expectation", "Expectation"),
    "expect": ("symact.propagation.expectation", "expect"),
    **{
        name: ("symact.propagation.meanfield", name)
        for name in (
            "FixedPoint", "MeanField", "chi1", "edge_of_chaos", "mean_field", "phase_diagram", "variance_map",
        )
    },
    **{name: ("symact.proofs.derivation", name) for name in ("Derivation", "Step")},
    **{name: ("symact.proofs.analysis_steps", name) for name in ("derive", "derive_many")},
    "comparison_document": ("symact.proofs.documents", "comparison_document"),
    **{
        name: ("symact.proofs.verify", name)
        for name in ("Verdict", "check_bound", "check_derivative", "check_identity")
    },
    **{
        name: ("symact.proofs.claims", name)
        for name in ("check_claim", "check_depth", "explain_four_sigmoid")
    },
    **{
        name: ("symact.proofs.values", name)
        for name in ("check_limit", "check_maximum", "check_minimum")
    },
    **{
        name: ("symact.propagation.gains", name)
        for name in ("Gain", "GainTable", "gain_table", "selu_constants", "torch_gain", "torch_gains")
    },
    **{name: ("symact.propagation.cmap", name)
       for name in ("CorrelationMap", "QMap", "correlation_map", "q_map")},
    **{name: ("symact.propagation.kernels", name) for name in ("KernelResult", "nngp", "ntk")},
    **{name: ("symact.propagation.spectrum", name)
       for name in ("JacobianSpectrum", "JacobianSimulation", "jacobian_spectrum", "simulate_jacobian")},
    **{name: ("symact.propagation.shaping", name) for name in ("Shaping", "shape")},
    **{name: ("symact.propagation.isometry", name) for name in ("Isometry", "isometry")},
    **{name: ("symact.propagation.kernel_table", name) for name in ("KernelRow", "KernelTable", "kernel_table")},
    **{name: ("symact.proofs.identify", name)
       for name in ("Exclusion", "Identification", "identify")},
    **{name: ("symact.networks.blocks", name)
       for name in ("act", "conv", "dense", "dyt", "glu", "layer_norm", "repeat", "residual",
                    "rms_norm", "serial")},
    **{name: ("symact.networks.propagate", name) for name in ("Propagation", "propagate")},
    **{name: ("symact.networks.conv", name) for name in ("ConvModes", "conv_modes")},
    **{name: ("symact.networks.reports", name)
       for name in ("InitReport", "LearningRate", "ResidualBound", "block_gain",
                    "dyt_critical_alpha", "gain", "init_report", "learning_rate", "residual_bound")},
    "simulate_chain": ("symact.propagation.simulate", "simulate_chain"),
    "simulate_mlp": ("symact.propagation.simulate", "simulate_mlp"),
}


# Every exported function runs under the default time budget and checks dps= first
# (symact.core.guard); batch functions are bounded per item by the engines they call.
_UNGUARDED = {"derive_many", "comparison_document", "table", "gain_table", "phase_diagram", "kernel_table"}


def _guard(name: str, value: Any) -> Any:
    from inspect import isfunction

    from .core.guard import guarded

    if isfunction(value) and name not in _UNGUARDED and not name.endswith("budget"):
        return guarded(value)
    return value


def __getattr__(name: str) -> Any:
    try:
        module, attr = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'symact' has no attribute {name!r}") from None
    value = import_module(module) if attr is None else getattr(import_module(module), attr)
    value = _guard(name, value)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


for _name in ("inf", "sup", "analyze", "derivative_bounds", "activation", "define",
              "describe", "gradient_bound", "spectral_norm"):  # fmt: skip
    globals()[_name] = _guard(_name, globals()[_name])
del _name

try:
    __version__ = version("symact")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0+unknown"

__all__ = [
    "__version__",
    # the result protocol and package-wide settings
    "DEFAULT_DPS",
    "LEVELS",
    "Quantity",
    "Result",
    "clear_cache",
    "BudgetExceeded",
    "default_budget",
    "set_default_budget",
    "time_budget",
    # layer 1: expressions
    "Activation",
    "x",
    "activation",
    "aliases",
    "define",
    "describe",
    "names",
    "register",
    # layer 2: exact analysis
    "CertifiedExtremum",
    "DerivativeBounds",
    "Extremum",
    "Profile",
    "Table",
    "analyze",
    "certified_extremum",
    "derivative_bounds",
    "inf",
    "sup",
    "table",
    # layer 3: depth and mean field
    "Expectation",
    "FixedPoint",
    "Gain",
    "GainTable",
    "GradientBound",
    "MeanField",
    "chi1",
    "edge_of_chaos",
    "expect",
    "gain",
    "gain_table",
    "gradient_bound",
    "mean_field",
    "phase_diagram",
    "selu_constants",
    "simulate_chain",
    "simulate_mlp",
    "spectral_norm",
    "torch_gain",
    "torch_gains",
    "variance_map",
    # layer 3: beyond the variance
    "CorrelationMap",
    "Isometry",
    "JacobianSimulation",
    "JacobianSpectrum",
    "KernelResult",
    "KernelRow",
    "KernelTable",
    "QMap",
    "Shaping",
    "correlation_map",
    "isometry",
    "jacobian_spectrum",
    "kernel_table",
    "nngp",
    "ntk",
    "q_map",
    "shape",
    "simulate_jacobian",
    # networks: infinite-width blocks
    "ConvModes",
    "InitReport",
    "LearningRate",
    "Propagation",
    "ResidualBound",
    "block_gain",
    "conv_modes",
    "dyt_critical_alpha",
    "init_report",
    "learning_rate",
    "residual_bound",
    "act",
    "conv",
    "dense",
    "dyt",
    "glu",
    "layer_norm",
    "propagate",
    "repeat",
    "residual",
    "rms_norm",
    "serial",
    # layer 4: derivations and verification
    "Derivation",
    "Step",
    "Verdict",
    "check_bound",
    "check_claim",
    "check_depth",
    "check_derivative",
    "check_identity",
    "check_limit",
    "check_maximum",
    "check_minimum",
    "comparison_document",
    "derive",
    "derive_many",
    "explain_four_sigmoid",
    # layer 4: discovery (closed forms from certified numbers)
    "Exclusion",
    "Identification",
    "identify",
    # layer 5: presentation
    "plot",
    # errors
    "CertificationError",
    "Undecided",
    "UnknownActivation",
    "UnsafeExpression",
    "UnsupportedExpression",
]
