r"""Numeric evaluation of SymPy activation expressions: vectorised NumPy and mpmath.

Two backends turn an expression in one real variable into a callable:

* :func:`numpy_function` -- vectorised float64 evaluation over arrays of any shape,
  robust at large arguments (``softplus(1000) == 1000``) and without leaking
  floating-point warnings;
* :func:`mpmath_function` -- evaluation at any precision, at the caller's working
  precision (``mpmath.workdps``) or at an explicit keyword-only ``dps=``.

Convention at kinks
-------------------
A piecewise expression is evaluated with exactly the conditions SymPy keeps in
its :class:`~sympy.functions.elementary.piecewise.Piecewise`: the first branch
whose condition holds at the point wins.  Because the built-in activations are
written the way PyTorch implements them (ReLU is ``Piecewise((x, x > 0), (0,
True))``), the derivative at a kink follows PyTorch's autograd convention,
e.g. ``relu'(0) = 0``.  ``Heaviside(x, h0)`` takes the value ``h0`` at 0 (SymPy's
default is 1/2), ``sign(0) = 0``, and ``DiracDelta`` -- the distributional part
of a derivative at a kink -- evaluates to 0 everywhere, as autograd does.
"""

from __future__ import annotations

from .mpmath_backend import mpmath_function
from .numpy_backend import numpy_function

__all__ = ["mpmath_function", "numpy_function"]
