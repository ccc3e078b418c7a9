"""
The catalogue at a glance
=========================

Every built-in activation (solid) and its derivative (dashed) on
:math:`[-4, 4]`, one small panel each, from :func:`symact.plot.catalogue`.
Dotted vertical lines are kinks, where the derivative is undefined: the
dashed curve leaves a gap there instead of drawing autograd's value.
"""

import matplotlib.pyplot as plt

import symact as sa
from symact import plot

print(len(sa.names()), "built-in activations")
axes = plot.catalogue(ncols=6)
plt.show()
