r"""A workaround for a SymPy 1.14 bug that turns some exact arithmetic into a ValueError.

SymPy 1.14's ``factorint`` may, when called with a ``limit`` (as ``Rational``
powers such as ``sqrt(4 + 10**-600)`` do), hand a composite number to its
prime-factor cache, which then raises ``ValueError: ... is not a prime factor
of ...`` (sympy/sympy#28621, fixed upstream by sympy/sympy#28624, which
stops caching results that are not known to be prime).  The cache is only an
optimisation: :func:`install` makes ``factor_cache.add`` keep the factors it
can verify as prime and skip the rest, which is what the upstream fix does.
Nothing else in SymPy changes, and SymPy versions without the cache are left
alone.

>>> import sympy
>>> install()
>>> r = sympy.Rational(1, 10**300)
>>> sympy.sqrt(r**2 + 4).is_positive     # raised ValueError without the workaround
True
"""

from __future__ import annotations

from typing import Any

__all__ = ["install"]


def _add_primes_only(cache: Any, n: int, factors: Any) -> None:
    """``FactorCache.add`` that skips a factor the cache refuses (a composite one)."""
    from sympy.ntheory.factor_ import remove

    for p in sorted(factors, reverse=True):
        try:
            cache[n] = p
        except ValueError:
            continue  # not a verified prime factor of n: not cached (sympy/sympy#28624)
        n = int(remove(n, p)[0])


def install() -> None:
    """Make SymPy's prime-factor cache skip composite factors (idempotent)."""
    try:
        from sympy.ntheory.factor_ import factor_cache
    except ImportError:  # a SymPy without the cache has no such bug
        return
    if getattr(factor_cache, "_primes_only_patch", False):
        return
    factor_cache.add = lambda n, factors: _add_primes_only(factor_cache, n, factors)
    factor_cache._primes_only_patch = True
