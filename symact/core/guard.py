r"""One guard for every public entry point: a time budget and checked precision.

:func:`guarded` wraps a public function so that a call

- checks a ``dps=`` keyword (:func:`symact.core.precision.check_dps`) before
  any work starts, so ``dps=10**6`` or ``dps=-5`` is refused at once;
- runs under :func:`symact.core.budget.call_budget`: the caller's own budget
  if one is open, else :func:`symact.core.budget.default_budget` seconds
  (30 unless changed with :func:`symact.core.budget.set_default_budget`),
  on whichever thread it is called from;
- raises :class:`~symact.core.budget.BudgetExceeded` (a ``TimeoutError``)
  naming the function and the budget when that runs out;
- for the functions in :data:`RECOMPUTABLE` (they take ``dps=``), lets the
  certified results they return recompute themselves at a higher ``dps`` when asked for more digits
  than they hold (:func:`symact.core.recipes.attach_recipes`): ``r.evalf(50)`` and
  ``sympy.N(r, 50)`` then repeat the call, under the caller's budget.

``symact/__init__.py`` applies it to the functions it exports.

>>> @guarded
... def f(n, *, dps=30):
...     "Add one."
...     return n + 1
>>> f(1), f.__doc__
(2, 'Add one.')
>>> import pickle, symact
>>> pickle.loads(pickle.dumps(symact.sup)) is symact.sup
True
>>> f(1, dps=10**6)
Traceback (most recent call last):
...
ValueError: dps must be an integer from 10 to 2000 (decimal digits), got 1000000
"""

from __future__ import annotations

import functools
import inspect
import time
from collections.abc import Callable
from typing import Any, TypeVar

from .budget import BudgetExceeded, call_budget, default_budget, remaining
from .precision import DEFAULT_DPS, check_dps

__all__ = ["guarded"]

F = TypeVar("F", bound=Callable[..., Any])

#: Public functions whose certified results recompute themselves when asked for more digits
#: than they hold: those that honour ``dps=`` and take seconds at most at a few hundred
#: digits.  (Kernels, spectra, shaping and the catalogue analyses are left out: renderings
#: ask results for 20 digits, and a hidden minute-long recomputation there is worse than
#: showing the digits held; ``sympy.N`` of such a result shows only its certified digits.)
RECOMPUTABLE = frozenset({
    "chi1", "derivative_bounds", "edge_of_chaos", "expect", "gain", "gradient_bound", "inf",
    "mean_field", "q_map", "sup", "variance_map",
})


def guarded(func: F) -> F:
    """Wrap ``func`` with the public-call guard described in the module notes."""
    if getattr(func, "__symact_guarded__", False):
        return func

    default_dps = _dps_parameter(func) if func.__name__ in RECOMPUTABLE else None

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        dps = kwargs.get("dps")
        if dps is not None:
            check_dps(dps)
        own = remaining() is None
        start = time.monotonic()
        try:
            with call_budget():
                answer = func(*args, **kwargs)
            if default_dps is not None:
                from .recipes import attach_recipes

                attach_recipes(answer, functools.partial(_again, wrapper, args, kwargs),
                               int(dps) if dps is not None else default_dps)
            return answer
        except BudgetExceeded as exc:
            if own and time.monotonic() - start >= default_budget():
                raise BudgetExceeded(
                    f"{func.__name__}() did not finish within {default_budget():g} s, the default "
                    "budget of a symact call (change it with symact.set_default_budget)"
                ) from None
            raise exc from None

    wrapper.__symact_guarded__ = True  # type: ignore[attr-defined]
    # pickle finds the wrapper by reference as ``<module>.<func>.guarded``
    func.guarded = wrapper  # type: ignore[attr-defined]
    wrapper.__qualname__ = f"{func.__qualname__}.guarded"
    return wrapper  # type: ignore[return-value]


def _dps_parameter(func: Callable[..., Any]) -> int | None:
    """The default of ``func``'s keyword ``dps`` (``None`` if it has none)."""
    try:
        p = inspect.signature(func).parameters.get("dps")
    except (TypeError, ValueError):
        return None
    if p is None or p.kind not in (p.KEYWORD_ONLY, p.POSITIONAL_OR_KEYWORD):
        return None
    return p.default if isinstance(p.default, int) else DEFAULT_DPS


def _again(wrapper: Callable[..., Any], args: tuple, kwargs: dict, dps: int) -> Any:
    """The same public call at another ``dps``."""
    return wrapper(*args, **{**kwargs, "dps": dps})
