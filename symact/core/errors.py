"""The few exception types symact raises.

Each subclasses a builtin so that callers can catch the familiar type, and each
message says what was wrong and what is accepted instead.
"""

from __future__ import annotations

__all__ = [
    "CertificationError",
    "DomainError",
    "Undecided",
    "UnknownActivation",
    "UnsafeExpression",
    "UnsupportedExpression",
]


class UnknownActivation(KeyError):
    """An activation name that is not in the catalogue.

    The message lists the closest valid names.

    >>> raise UnknownActivation("no activation named 'sigmod'; did you mean 'sigmoid'?")
    Traceback (most recent call last):
    ...
    symact.core.errors.UnknownActivation: "no activation named 'sigmod'; did you mean 'sigmoid'?"
    """


class UnsafeExpression(ValueError):
    """User text that falls outside symact's restricted expression grammar.

    Raised for anything that is not a number, the variable ``x``, a declared
    parameter, arithmetic, or a whitelisted function call.  Nothing in the text
    is ever executed.

    >>> raise UnsafeExpression("attribute access is not allowed")
    Traceback (most recent call last):
    ...
    symact.core.errors.UnsafeExpression: attribute access is not allowed
    """


class UnsupportedExpression(ValueError):
    """A well-formed expression that an analysis cannot handle.

    For example a breakpoint that depends on an unspecified symbolic parameter,
    so that the pieces of a piecewise function cannot be ordered.

    >>> raise UnsupportedExpression("breakpoints must be real numbers")
    Traceback (most recent call last):
    ...
    symact.core.errors.UnsupportedExpression: breakpoints must be real numbers
    """


class DomainError(ValueError):
    """A number outside the range an analysis accepts, refused before any work starts.

    A negative variance, a correlation outside [-1, 1], a depth below 1: the
    message names the argument, the value given and the accepted range.

    >>> raise DomainError("c must lie in [-1, 1], got 3/2")
    Traceback (most recent call last):
    ...
    symact.core.errors.DomainError: c must lie in [-1, 1], got 3/2
    """


class CertificationError(ArithmeticError):
    """A certified computation could not reach the requested precision.

    Also raised when an exact closed form disagrees with its certified
    enclosure: that is a bug to report, never a result to return.

    >>> raise CertificationError("enclosure wider than 1e-30 after 200 bisections")
    Traceback (most recent call last):
    ...
    symact.core.errors.CertificationError: enclosure wider than 1e-30 after 200 bisections
    """


class Undecided(ArithmeticError):
    """A comparison that a result's enclosure cannot decide at its precision.

    Raised, for example, by ``sup < 0.25`` when the certified enclosure of
    ``sup`` contains 0.25.  Recompute with a larger ``dps`` or compare with a
    number farther away.

    >>> raise Undecided("the enclosure [0.2499, 0.2501] contains 0.25")
    Traceback (most recent call last):
    ...
    symact.core.errors.Undecided: the enclosure [0.2499, 0.2501] contains 0.25
    """


