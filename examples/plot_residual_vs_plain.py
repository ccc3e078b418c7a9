"""
Plain versus residual stacks: why deep ReLU and tanh networks train with skips
==============================================================================

Twelve tanh blocks at :math:`\\sigma_w^2 = 1.5` (chaotic), a plain chain against a
residual stack :math:`x + \\tfrac12 W_2\\tanh(W_1 x)`, and a pre-LayerNorm ReLU stack:
the second moment :math:`q`, the correlation :math:`c` of two inputs that start at
:math:`1/2`, and the mean squared Jacobian :math:`\\chi` after each block, all certified
(Arb).  The plain chain forgets its inputs (c goes to its fixed point within a few
layers); the residual stacks keep them apart for far longer, at the price of a
polynomially (pre-LN) or sub-exponentially (tanh) growing signal (Yang & Schoenholz
2017).  The growth laws are printed as symact proves them.
"""

import matplotlib.pyplot as plt

import symact as sa
from symact import plot

depth = 12
nets = {
    "plain tanh": sa.repeat(sa.serial(sa.dense("1.5"), "tanh"), depth),
    "residual tanh": sa.repeat(sa.residual(sa.serial(sa.dense("1.5"), "tanh", sa.dense(1)),
                                           branch_weight="0.5"), depth),
    "pre-LN residual relu": sa.repeat(sa.residual(sa.serial(sa.layer_norm(), sa.dense(2), "relu",
                                                            sa.dense(1))), depth),
}
for label, net in nets.items():
    r = sa.propagate(net, 1, 1, "0.5", dps=15)
    growth = r.growth.statement if r.growth else "plain chain"
    print(f"{label}: q = {r.q1.evalf(8)}, c = {r.c.evalf(8)}, chi = {r.chi.evalf(8)} ({r.level}); {growth}")

axes = plot.depth_profile(nets)
plt.tight_layout()
plt.show()
