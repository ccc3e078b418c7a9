r"""Networks: a block algebra for infinite-width signal propagation, in the style of ``stax``.

Blocks (:mod:`symact.networks.blocks`) map the infinite-width state of two inputs -- their
second moments and correlation, the NTK, the mean squared input-output Jacobian -- and
:func:`~symact.networks.propagate.propagate` runs a network of them in Arb ball
arithmetic.  :mod:`symact.networks.reports` turns a framework's initialisation into a
verdict, gives block gains, the NTK-regime learning rate and worst-case bounds for
residual stacks.
"""
