r"""Gaussian calculus: certified one- and two-dimensional Gaussian integrals.

The engines every single-layer map and network block uses, layered between the numerics
(Arb balls, certified 1-D integration) and the maps of :mod:`symact.propagation`:

* :mod:`~symact.gaussian.expectation` -- :math:`E[f(\sqrt q z)]`: exact closed forms
  (moment recursions, SymPy integrals checked inside the enclosure) or certified Arb
  integrals with proved tails;
* :mod:`~symact.gaussian.moments` -- exact Gaussian integrals of piecewise
  :math:`c\,x^n e^{ax + bx^2}` terms;
* :mod:`~symact.gaussian.bivariate` -- :math:`E[f(u)g(v)]` for a correlated pair, dispatching
  to :mod:`~symact.gaussian.conditioned` (closed-form inner expectations for piecewise
  exponential-polynomial activations), :mod:`~symact.gaussian.lattice` (a trapezoidal rule
  with a proved error bound for activations holomorphic in a strip) or a nested certified
  2-D integral.
"""
