r"""Which derivation a result gets: the table behind ``sa.derive(result)``.

:func:`symact.derive` accepts an activation (the worst-case and mean-field
argument) or a result of the propagation layer; for a result it looks the
result's type up in :data:`DERIVERS` and calls the builder with the result and
the options that builder accepts.  A new result type is registered with one
entry in :data:`DERIVERS` (or one call of :func:`register`), for example::

    DERIVERS[Shaping] = shape_derivation          # from .shape_steps

>>> import symact as sa
>>> deriver_for(sa.q_map("tanh", 2, 1)) is qmap_derivation
True
>>> deriver_for("relu") is None
True
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..networks.propagate import Propagation
from ..networks.reports import InitReport
from ..propagation.cmap import CorrelationMap, QMap
from ..propagation.isometry import Isometry
from ..propagation.kernels import KernelResult
from ..propagation.shaping import Shaping
from ..propagation.spectrum import JacobianSpectrum
from .cmap_steps import cmap_derivation, qmap_derivation
from .derivation import Derivation
from .kernel_steps import kernel_derivation, spectrum_derivation
from .network_steps import init_derivation, network_derivation
from .shape_steps import isometry_derivation, shape_derivation

__all__ = ["DERIVERS", "deriver_for", "register"]

#: Result type -> the function that writes its derivation (first argument: the result).
DERIVERS: dict[type, Callable[..., Derivation]] = {
    CorrelationMap: cmap_derivation,
    QMap: qmap_derivation,
    KernelResult: kernel_derivation,
    JacobianSpectrum: spectrum_derivation,
    Shaping: shape_derivation,
    Isometry: isometry_derivation,
    Propagation: network_derivation,
    InitReport: init_derivation,
}


def register(cls: type, builder: Callable[..., Derivation]) -> None:
    """Register the derivation builder of a result type (replacing any earlier one).

    >>> class Demo: pass
    >>> register(Demo, lambda r: Derivation("demo", ()))
    >>> deriver_for(Demo()).__name__
    '<lambda>'
    >>> del DERIVERS[Demo]
    """
    if not isinstance(cls, type) or not callable(builder):
        raise TypeError("register(cls, builder): a class and a callable taking the result")
    DERIVERS[cls] = builder


def deriver_for(obj: Any) -> Callable[..., Derivation] | None:
    """The builder for ``obj``'s type (or a base class's), or None when it is not a known result."""
    for cls in type(obj).__mro__:
        if cls in DERIVERS:
            return DERIVERS[cls]
    return None
