"""
The edge of chaos for tanh
==========================

For a wide tanh network with weights of variance :math:`\\sigma_w^2/N` and
biases of variance :math:`\\sigma_b^2`, the mean-field factor :math:`\\chi_1`
decides whether gradients vanish (:math:`\\chi_1 < 1`, ordered) or explode
(:math:`\\chi_1 > 1`, chaotic).  The black curve :math:`\\chi_1 = 1` is the edge
of chaos (Poole et al. 2016; Schoenholz et al. 2017); at :math:`\\sigma_b^2 = 0`
it sits exactly at :math:`\\sigma_w^2 = 1`.
"""

import matplotlib.pyplot as plt

import symact as sa
from symact import plot
from symact.propagation.meanfield import edge_of_chaos

tanh = sa.activation("tanh")
print("edge of chaos at sigma_b^2 = 0:  sigma_w^2 =", edge_of_chaos(tanh, 0))

ax = plot.phase(tanh)
plt.show()
