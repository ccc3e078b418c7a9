"""
Why 4σ does and does not help
=============================

A common suggestion: multiply the sigmoid by 4 so that its slope at 0 is 1.
Then :math:`\\sup (4\\sigma)' = 1` exactly, and the worst-case bound across
depth no longer shrinks: the regime becomes *neutral*.  But the slope is 1
only at :math:`x = 0`; everywhere else it is smaller, and a forward pass
through :math:`4\\sigma` pushes activations away from 0 (its outputs lie in
(0, 4)), so typical gradients still vanish, as the simulated chains show.
"""

import matplotlib.pyplot as plt

import symact as sa
from symact import plot

four = sa.define("four_sigmoid", "4*sigmoid(x)")
print("sup of (4 sigma)':", sa.derivative_bounds(four).sup.describe())
print("worst case over 20 layers:", sa.gradient_bound(four, 20).expr, sa.gradient_bound(four, 20).regime)

fig, (left, right) = plt.subplots(1, 2, figsize=(14, 4.4), layout="constrained")
plot.activation(four, orders=(0, 1), ax=left)
plot.gradient_product([sa.activation("sigmoid"), four], 20, ax=right, trials=300)
plt.show()
