"""
Sigmoid vs ReLU vs GELU across depth
====================================

The original question: why does a deep stack of sigmoid layers lose its
gradient while ReLU does not?  Because :math:`\\sigma'(x) \\le 1/4`, the gradient
through :math:`n` sigmoid layers with weight 1 is at most :math:`(1/4)^n`, while
ReLU's derivative is exactly 0 or 1.  GELU sits in between: its slope can exceed
1 (its supremum is a closed form about 1.129), so its worst-case bound grows.

The figure shows the exact worst-case bound (solid), the mean-field
root-mean-square gradient :math:`\\chi_1^{n/2}` (dashed) and simulated gradient
products along random chains (dotted median, shaded 10-90 % band), with the
:math:`10^{-6}` line.
"""

import matplotlib.pyplot as plt

import symact as sa
from symact import plot

for name in ("sigmoid", "relu"):
    gb = sa.gradient_bound(name, 30)
    print(f"{name:8s} bound over 30 layers: {gb.expr}  ({gb.regime})")
print("sigmoid drops below 1e-6 after", sa.gradient_bound("sigmoid", 1).depth_below(1e-6), "layers")

ax = plot.gradient_product(["sigmoid", "relu", "gelu"], 30, trials=300)
plt.show()
