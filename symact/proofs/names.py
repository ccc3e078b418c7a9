r"""Proper names of the catalogue's activations, as a paper would write them.

>>> proper_name("gelu")
'Gaussian error linear unit (GELU)'
>>> proper_name("my_act")
'my_act'
"""

from __future__ import annotations

__all__ = ["PROPER_NAMES", "proper_name"]

#: Catalogue identifier -> the name a mathematician would use in a title.
PROPER_NAMES: dict[str, str] = {
    "arctan": "Arctangent activation",
    "bent_identity": "Bent identity",
    "celu": "Continuously differentiable exponential linear unit (CELU)",
    "elish": "Exponential linear squashing function (ELiSH)",
    "elu": "Exponential linear unit (ELU)",
    "gaussian": "Gaussian activation",
    "gelu": "Gaussian error linear unit (GELU)",
    "gelu_tanh": "Gaussian error linear unit, tanh approximation (GELU-tanh)",
    "hard_elish": "Hard exponential linear squashing function (HardELiSH)",
    "hard_sigmoid": "Hard sigmoid",
    "hard_tanh": "Hard hyperbolic tangent (HardTanh)",
    "hardshrink": "Hard shrinkage (Hardshrink)",
    "hardswish": "Hard swish (Hardswish)",
    "identity": "Identity activation",
    "leaky_relu": "Leaky rectified linear unit (leaky ReLU)",
    "log_sigmoid": "Logarithm of the logistic sigmoid (log-sigmoid)",
    "mish": "Mish",
    "prelu": "Parametric rectified linear unit (PReLU)",
    "relu": "Rectified linear unit (ReLU)",
    "relu6": "Rectified linear unit capped at 6 (ReLU6)",
    "selu": "Scaled exponential linear unit (SELU)",
    "sigmoid": "Logistic sigmoid",
    "silu": "Sigmoid linear unit (SiLU, swish)",
    "sin": "Sine activation",
    "softplus": "Softplus",
    "softshrink": "Soft shrinkage (Softshrink)",
    "softsign": "Softsign",
    "sparse_plus": "Sparse plus",
    "sparse_sigmoid": "Sparse sigmoid",
    "squareplus": "Squareplus",
    "tanh": "Hyperbolic tangent",
    "tanhshrink": "Tanh shrinkage (Tanhshrink)",
    "threshold": "Threshold activation",
}


def proper_name(name: str) -> str:
    """The proper name of a catalogue entry (plain text), else the identifier itself."""
    return PROPER_NAMES.get(name, name)
