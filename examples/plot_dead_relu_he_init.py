"""
Dead ReLUs and He initialisation
================================

ReLU's worst-case bound is exactly 1 for every depth, but that is not the
whole story.  Its derivative is 0 on the whole half-line :math:`x < 0`: a
path through an inactive unit contributes exactly 0 ("dead" units).  On
average at initialisation, the mean-field gradient factor is
:math:`\\chi_1 = \\sigma_w^2 / 2`, so with :math:`\\sigma_w^2 = 1` the expected
squared gradient halves per layer, and He initialisation
:math:`\\sigma_w^2 = 2` makes it exactly critical.
"""

import matplotlib.pyplot as plt

import symact as sa
from symact import plot
from symact.propagation.gains import gain
from symact.propagation.meanfield import mean_field

relu = sa.activation("relu")
print(sa.gradient_bound(relu, 10).describe())
for wv in (1, 2):
    mf = mean_field(relu, wv, 0)
    print(f"sigma_w^2 = {wv}: chi_1 = {mf.chi1} ({mf.regime})")
print("variance-preserving gain:", gain(relu))

fig, (left, right) = plt.subplots(1, 2, figsize=(14, 4.4), layout="constrained")
plot.gradient_product(relu, 30, weight=1.0, ax=left, trials=300)
left.set_title("ReLU, $\\sigma_w^2 = 1$")
plot.gradient_product(relu, 30, weight=2**0.5, ax=right, trials=300)
right.set_title("ReLU, He initialisation $\\sigma_w^2 = 2$")
plt.show()
