r"""Certified per-layer rates: the regime decided by :math:`\chi_1` and the depth scales.

The regime of a fixed point is ordered when :math:`\chi_1 < 1`, chaotic when
:math:`\chi_1 > 1` and critical when :math:`\chi_1 = 1`, decided rigorously from
the enclosure (``"undecided"`` when it contains 1).  A per-layer rate :math:`r`
gives the depth scale :math:`\xi = 1/|\log r|` (Schoenholz et al. 2017):
:math:`\xi_q` from :math:`V'(q^*)`, :math:`\xi_c` from :math:`\chi_1`.

>>> import sympy
>>> r = Quantity(sympy.Rational(1, 2), "exact", method="closed form")
>>> regime_of(r), depth_scale(r).value
('ordered', 1/log(2))
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import mpmath
import sympy
from flint import arb

from ..core.precision import workdps
from ..core.result import Quantity
from ..core.steps import Record
from ..numerics.arb import to_mpf
from ..numerics.gaussian import as_ball

__all__ = ["certified_quantity", "depth_scale", "derivative_convention", "mark_convention", "regime_of"]


def certified_quantity(bounds: Callable[[int], tuple], dps: int, method: str, name: str) -> Quantity:
    """A certified :class:`Quantity` from ``bounds(dps) -> (lo, hi)``, retried with 10 more digits if too wide.

    >>> import mpmath
    >>> q = certified_quantity(lambda d: (mpmath.mpf(1), mpmath.mpf(1)), 30, "test", "one")
    >>> q.level, q.name
    ('certified', 'one')
    """
    lo, hi = bounds(dps)
    with workdps(dps + 10):
        scale = max(abs(lo), abs(hi), mpmath.mpf(10) ** -dps)
        if (hi - lo) / scale > mpmath.mpf(10) ** (5 - dps):
            lo, hi = bounds(dps + 10)
    return Quantity.certified(lo, hi, method=method, name=name, digits=dps)


def regime_of(chi: Quantity) -> str:
    """``"ordered"``, ``"critical"``, ``"chaotic"`` or ``"undecided"`` from a certified or exact χ₁.

    >>> regime_of(Quantity(sympy.Integer(1), "exact", method="x"))
    'critical'
    """
    if chi.level == "exact":
        if chi.value == 1:
            return "critical"
        if chi.enclosure is not None:  # rigorous: decides without SymPy evaluating a long closed form again
            lo, hi = chi.enclosure
            if hi < 1:
                return "ordered"
            if lo > 1:
                return "chaotic"
        d = sympy.sympify(chi.value - 1)
        if d.is_zero:
            return "critical"
        if d.is_negative:
            return "ordered"
        if d.is_positive:
            return "chaotic"
    lo, hi = chi.enclosure
    if hi < 1:
        return "ordered"
    if lo > 1:
        return "chaotic"
    if lo == hi == 1:
        return "critical"
    return "undecided"


def depth_scale(rate: Quantity) -> Quantity:
    r""":math:`\xi = 1/|\log r|` as a Quantity (``oo`` when :math:`r = 1`, 0 when :math:`r = 0`).

    >>> depth_scale(Quantity(sympy.Integer(1), "exact", method="x")).value
    oo
    """
    if rate.level == "exact":
        r = sympy.sympify(rate.value)
        if r == 1:
            return Quantity(sympy.oo, "exact", (mpmath.inf, mpmath.inf), method="1/|log 1|", name="xi")
        if r == 0:
            return Quantity(sympy.Integer(0), "exact", method="rate 0", name="xi")
        L = sympy.log(r)
        enc = rate.enclosure
        if enc is not None and enc[0] > 0 and (enc[1] < 1 or enc[0] > 1):
            # the sign of log r and the enclosure of xi from r's enclosure: no second evalf of r
            v = -1 / L if enc[1] < 1 else 1 / L
            return Quantity(v, "exact", _xi_bounds(*enc), method="1/|log rate|", name="xi")
        v = -1 / L if L.is_negative else (1 / L if L.is_positive else 1 / sympy.Abs(L))
        return Quantity(v, "exact", method="1/|log rate|", name="xi")
    lo, hi = rate.enclosure
    dps = 30
    with workdps(dps + 10):
        b = as_ball((lo, hi), dps)
        if not b > 0:
            return Quantity(sympy.oo, "certified", (mpmath.mpf(0), mpmath.inf), method="1/|log rate|", name="xi")
        L = abs(b.log())
        if L.contains(0) or not L > 0:
            low = arb(1) / arb(L.upper())
            with workdps(dps + 10):
                lo_x = mpmath.mpf(low.lower().str(dps + 5, radius=False)) * (1 - mpmath.mpf(10) ** -(dps + 3))
            return Quantity(sympy.oo, "certified", (lo_x, mpmath.inf), method="1/|log rate|", name="xi")
        xi = 1 / L
    bits = int((dps + 10) * 3.33)
    with workdps(dps + 10):
        return Quantity.certified(to_mpf(xi, "lower", bits), to_mpf(xi, "upper", bits), method="1/|log rate|",
                                  name="xi", digits=dps)


def _xi_bounds(lo: Any, hi: Any, dps: int = 30) -> tuple[mpmath.mpf, mpmath.mpf]:
    """Rigorous bounds of ``1/|log r|`` for ``r`` in ``[lo, hi]`` (positive, not containing 1)."""
    bits = int((dps + 10) * 3.33)
    with workdps(dps + 10):
        xi = 1 / abs(as_ball((lo, hi), dps).log())
        return to_mpf(xi, "lower", bits), to_mpf(xi, "upper", bits)


def derivative_convention(act: Any) -> Record | None:
    r"""The convention behind :math:`\chi_1` of an activation that jumps (``None`` when continuous).

    :math:`\chi_1 = \sigma_w^2\,\mathbb{E}[\varphi'(\sqrt{q}z)^2]` is computed from the
    almost-everywhere derivative, which is what autograd back-propagates.  Where
    :math:`\varphi` jumps, its distributional derivative has a Dirac mass, whose
    square has no finite expectation: the distributional :math:`\chi_1` is infinite.

    >>> from symact.expressions.catalogue import activation
    >>> rec = derivative_convention(activation("hardshrink"))
    >>> rec.kind, rec["derivative"], rec["jumps"], rec["distributional"]
    ('convention', 'almost everywhere', (-1/2, 1/2), oo)
    >>> derivative_convention(activation("relu")) is None
    True
    """
    jumps = tuple(act.jumps)
    if not jumps:
        return None
    where = ", ".join(sympy.sstr(j) for j in jumps)
    note = (f"chi_1 uses the almost-everywhere derivative phi' (what autograd back-propagates); phi jumps "
            f"at x = {where}, so its distributional derivative has Dirac masses there and the distributional "
            "chi_1 = sigma_w^2 E[phi'(sqrt(q*) z)^2] is infinite")
    return Record("convention", {"quantity": "chi_1", "derivative": "almost everywhere", "jumps": jumps,
                                 "distributional": sympy.oo}, "exact", note)


def mark_convention(q: Quantity, rec: Record) -> Quantity:
    """``q`` with ``details["derivative"]`` and ``details["jumps"]`` from a :func:`derivative_convention`."""
    return dataclasses.replace(q, details={**q.details, "derivative": rec["derivative"], "jumps": rec["jumps"]})
