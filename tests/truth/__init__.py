"""The truth suite (issue 20): symact's answers against independent references.

Every public mathematical function of symact is checked here against a reference
written in this folder from the definitions and the literature, never from symact's
own code or output:

* ``ref.py``: the catalogue as plain mpmath functions (with hand-written derivatives,
  SELU's constants from the closed forms of Klambauer et al. 2017), Gaussian
  expectations by mpmath quadrature at 45 digits with a convergence check, fixed
  points by ``mpmath.findroot``, and closed-form kernels (arc-cosine kernels for
  ReLU and leaky ReLU, the arcsine kernel of erf, the sine and Gaussian kernels);
  every reference is computed lazily and cached in a module-level dict;
* ``checks.py``: the two rules every result must keep -- an ``exact`` or
  ``certified`` result *contains* its reference (the reference's own error being
  far below the enclosure's width), and an invalid input gets exactly one clean
  error (a ``ValueError``/``TypeError``/``KeyError`` subclass with a message: no
  ``ArithmeticError``, ``ZeroDivisionError``, ``SystemError``, ``AttributeError``,
  no ``nan`` result, no hang);
* ``test_truth_*.py``: one module per family -- ``extrema`` (sup/inf, derivative
  bounds of every catalogue entry, gradient bounds and depth_below up to 10^9 layers),
  ``expect`` (Gaussian moments over variances 1e-6..1e6, gains), ``meanfield`` (q*,
  chi_1, regime, edge of chaos, q_map, correlation_map, variance_map), ``kernels``
  (NNGP/NTK, Jacobian spectrum), ``verify`` (check_bound/identity/claim,
  subdifferentials, numeric), ``doors`` (float, sympy.N, latex digits), ``invalid``
  (one clean error per invalid input) and ``shaping`` (marked slow) -- with Hypothesis
  properties that are derandomised, keep no example database and run few examples.

Run it alone with ``python -m pytest tests/truth -q -p no:cacheprovider`` (about a
minute of CPU; ``-m "not slow"`` skips the shaping solves).

Cases that fail on the code this suite was written against are marked
``xfail(strict=True, reason="issue 20 item N: ...")`` (or ``"new: ..."`` for a bug
the issue does not list): when a fix lands, the case XPASSes, the strict marker fails
the run, and the marker is removed.
"""
