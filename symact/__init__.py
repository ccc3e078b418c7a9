r"""symact: exact mathematics of neural-network activation functions.

>>> import symact as sa
>>> sa.activation("sigmoid").derivative()
exp(-x)/(1 + exp(-x))**2
"""

from importlib.metadata import PackageNotFoundError, version

from .activation import Activation, x
from .catalogue import activation, aliases, define, describe, names, register
from .depth import GradientBound, gradient_bound, spectral_norm
from .extrema import Extremum, inf, sup
from .properties import DerivativeBounds, Profile, Table, analyze, derivative_bounds, table
from .errors import CertificationError, UnknownActivation, UnsafeExpression, UnsupportedExpression
from . import plot

try:
    __version__ = version("symact")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0+unknown"

__all__ = [
    # expressions
    "Activation",
    "CertificationError",
    "UnknownActivation",
    "UnsafeExpression",
    "UnsupportedExpression",
    "__version__",
    "activation",
    "aliases",
    "define",
    "describe",
    "names",
    "register",
    "x",
    # depth
    "GradientBound",
    "gradient_bound",
    "spectral_norm",
    # exact analysis
    "DerivativeBounds",
    "Extremum",
    "Profile",
    "Table",
    "analyze",
    "derivative_bounds",
    "inf",
    "sup",
    "table",
]
