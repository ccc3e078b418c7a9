"""
Defining a new activation
=========================

:func:`symact.define` turns a formula into an activation.  Text is read by a
restricted grammar (nothing is executed), and everything else follows from
the expression: the derivative, its exact supremum and infimum, the kinks,
and the gradient bound across depth.  Here: the "soft sign" style function
:math:`x / (1 + |x|)`, which has a kink in its second derivative at 0 and a
slope of exactly 1 there.
"""

import matplotlib.pyplot as plt

import symact as sa
from symact import plot

mine = sa.define("mine", "x/(1 + abs(x))")
print("phi'(x) =", mine.derivative())
bounds = sa.derivative_bounds(mine)
print(bounds.sup.describe())
print(bounds.inf.describe())
print(sa.gradient_bound(mine, 10).describe())

ax = plot.activation(mine)
plt.show()
