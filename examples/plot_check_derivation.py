"""
Checking your own derivation
============================

You derived by hand that :math:`\\sigma'(x) = \\sigma(x)(1 - \\sigma(x))` and that
therefore :math:`\\sigma'(x) \\le 1/4`.  :func:`symact.proofs.verify.check_claim` checks
each claim and says how strongly: proved symbolically, certified numerically,
only sampled, or refuted with a counterexample.  A wrong claim
(:math:`\\tanh'(x) \\le 1/2`) is refuted.  The figure shows the claim being
checked: the exact supremum :math:`1/4` of :math:`\\sigma'`, marked where it is
attained.
"""

import matplotlib.pyplot as plt

import symact as sa
from symact import plot
from symact.proofs.claims import check_claim

for claim in (
    "sigmoid'(x) = sigmoid(x)*(1 - sigmoid(x))",
    "sigmoid'(x) <= 1/4",
    "tanh'(x) <= 1/2",
):
    verdict = check_claim(claim)
    print(f"{claim:45s} -> holds={verdict.holds}  [{verdict.method}]")

ax = plot.activation(sa.activation("sigmoid"), orders=(1,))
plt.show()
