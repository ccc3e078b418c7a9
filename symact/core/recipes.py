r"""Recipes: how a certified result recomputes itself with more digits.

A public call that takes ``dps=`` (:data:`symact.core.guard.RECOMPUTABLE`) leaves a
:class:`Recipe` on every certified result it returns: the call itself, at another
``dps``, and the path from its answer to the result.
:meth:`symact.core.result.Result.refined` follows it when more digits are asked for
than the enclosure certifies (``r.evalf(50)``, ``sympy.N(r, 50)``).

>>> import symact as sa
>>> g = sa.gain("tanh")
>>> g.__dict__["_recipe"].path, g.digits
((), 34)
>>> g.evalf(45)   # recomputed at a higher dps
1.59253741972283142777043884601859817023626828
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .precision import DEFAULT_DPS
from .result import Enclosure, Result

__all__ = ["Recipe", "attach_recipes"]


@dataclass(frozen=True)
class Recipe:
    """How to recompute a result: ``compute(dps)`` repeats the public call that made it
    at another ``dps``; ``path`` leads from that call's answer to the result
    (``("attr", "chi1")``, ``("item", 0)``, ``("key", "x")``); ``dps`` is the precision
    the result was computed at."""

    compute: Any
    path: tuple[tuple[str, Any], ...] = ()
    dps: int = DEFAULT_DPS
    kind: type | None = None

    def enclosure(self, dps: int) -> Enclosure | None:
        """The recomputed result's enclosure (``None`` if it is not the same kind of result)."""
        obj = self.compute(dps)
        for how, key in self.path:
            obj = getattr(obj, key, None) if how == "attr" else _item(obj, key)
        if not isinstance(obj, Result) or (self.kind is not None and type(obj) is not self.kind):
            return None
        return obj.enclosure  # type: ignore[no-any-return]


def _item(obj: Any, key: Any) -> Any:
    try:
        return obj[key]
    except (KeyError, IndexError, TypeError):
        return None


_SKIP = frozenset({"steps", "candidates", "details", "record", "records"})


def attach_recipes(answer: Any, compute: Any, dps: int, *, _path: tuple = (), _depth: int = 0) -> None:
    """Let every certified result in ``answer`` recompute itself through ``compute(dps)``.

    ``answer`` is what a public call returned and ``compute`` repeats that call at
    another ``dps``; results nested in dataclass fields, tuples and mappings (three
    levels deep) get the path to themselves.  A result that already has a recipe
    keeps it.  Used by :func:`symact.core.guard.guarded`.
    """
    if isinstance(answer, Result) and answer.level != "exact" and dataclasses.is_dataclass(answer):
        if "_recipe" not in answer.__dict__:
            object.__setattr__(answer, "_recipe", Recipe(compute, _path, dps, type(answer)))
    if _depth >= 3:
        return
    if dataclasses.is_dataclass(answer) and not isinstance(answer, type):
        for f in dataclasses.fields(answer):
            if f.name not in _SKIP:
                attach_recipes(getattr(answer, f.name, None), compute, dps,
                               _path=(*_path, ("attr", f.name)), _depth=_depth + 1)
    elif isinstance(answer, tuple | list):
        for i, v in enumerate(answer):
            attach_recipes(v, compute, dps, _path=(*_path, ("item", i)), _depth=_depth + 1)
    elif isinstance(answer, Mapping):
        for k, v in answer.items():
            attach_recipes(v, compute, dps, _path=(*_path, ("key", k)), _depth=_depth + 1)
