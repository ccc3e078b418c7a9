r"""Caches that cannot lock in an answer a timeout made weaker.

:func:`cached` is :func:`functools.lru_cache` with one difference: a call
during which any time budget ran out (see :func:`symact.core.budget.expired_budgets`)
returns its answer without storing it, so a later call on a less loaded
machine may do better.  Every cache made here is registered, and
:func:`clear_caches` (``symact.clear_cache()``) empties them all.

>>> calls = []
>>> @cached(maxsize=8)
... def square(n):
...     calls.append(n)
...     return n * n
>>> square(3), square(3), calls
(9, 9, [3])
>>> clear_caches()
>>> square(3), calls
(9, [3, 3])
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from .budget import expired_budgets

__all__ = ["cached", "clear_caches", "register_cache"]

F = TypeVar("F", bound=Callable[..., Any])

_REGISTRY: list[Callable[[], None]] = []
_MISSING = object()


def register_cache(clear: Callable[[], None]) -> Callable[[], None]:
    """Register a function that empties some cache; :func:`clear_caches` calls it."""
    _REGISTRY.append(clear)
    return clear


def clear_caches() -> None:
    """Empty every cache symact keeps (the catalogue, extrema, derivations, ...)."""
    for clear in _REGISTRY:
        clear()


def cached(maxsize: int = 256) -> Callable[[F], F]:
    """Memoise a function of hashable arguments, skipping answers shaped by a timeout."""

    def deco(func: F) -> F:
        store: dict[Any, Any] = {}

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            key = (args, tuple(sorted(kwargs.items())))
            hit = store.get(key, _MISSING)
            if hit is not _MISSING:
                return hit
            before = expired_budgets()
            value = func(*args, **kwargs)
            if expired_budgets() == before:
                if len(store) >= maxsize:
                    try:  # another thread may evict the same entry meanwhile
                        store.pop(next(iter(store)), None)
                    except (StopIteration, RuntimeError):
                        pass
                store[key] = value
            return value

        wrapper.cache_clear = store.clear  # type: ignore[attr-defined]
        register_cache(store.clear)
        return wrapper  # type: ignore[return-value]

    return deco
