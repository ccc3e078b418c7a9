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
* ``test_truth_*.py``: one module per family (extrema and depth, expectations and
  gains, mean field and maps, kernels and spectra, verdicts and subdifferentials,
  numerics, invalid inputs), with Hypothesis properties that are derandomised and
  keep no example database.

Cases that fail on the code this suite was written against are marked
``xfail(strict=True, reason="issue 20 item N: ...")`` (or ``"new: ..."`` for a bug
the issue does not list): when a fix lands, the case XPASSes, the strict marker fails
the run, and the marker is removed.
"""
