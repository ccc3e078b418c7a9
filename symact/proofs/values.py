r"""Claimed extreme values and limits: ``max f = c``, ``sup f <= c``, ``lim f = c``.

A decimal ``c`` is read twice -- as the exact decimal written and as
"correctly rounded to the digits given" -- and the verdict states both.

>>> check_maximum("sigmoid'(x)", "1/4", at=0).holds
True
>>> check_limit("tanh(x)", sympy.oo, 1).holds
True
"""

from __future__ import annotations

import re
from typing import Any

import mpmath
import sympy

from ..core.budget import BudgetExceeded, time_budget
from ..core.precision import workdps
from ..core.result import enclose
from ..expressions.activation import x
from .derivation import Notation, Row, Step
from .extremum_steps import candidate_steps, conclusion_steps
from .identities import is_zero
from .verify import DF, F, Method, Verdict, make_verdict, rigorous_value, to_expr

__all__ = ["check_extreme_value", "check_limit", "check_maximum", "check_minimum", "decimal_reading", "word"]

_DECIMAL = re.compile(r"[+-]?(\d+\.\d*|\.\d+)([eE][+-]?\d+)?")
_OPS = {"=": "=", "<=": r"\le", "<": "<", ">=": r"\ge", ">": ">"}

def decimal_reading(raw: Any) -> tuple[sympy.Rational, sympy.Rational] | None:
    """``(value, half a unit in the last place)`` when ``raw`` is a decimal written out, else None.

    >>> decimal_reading("1.0998393")
    (10998393/10000000, 1/20000000)
    >>> decimal_reading("1/4") is None
    True
    """
    if isinstance(raw, float):
        raw = repr(raw)
    if not isinstance(raw, str):
        return None
    text = raw.strip()
    m = _DECIMAL.fullmatch(text)
    if m is None:
        return None
    mant, expo = m.group(1), int(m.group(2)[1:]) if m.group(2) else 0
    places = len(mant.split(".")[1]) - expo
    return sympy.Rational(text.lower()), sympy.Rational(1, 2) * sympy.Rational(10) ** (-places)


def _decide(enc: tuple[Any, Any], op: str, v: Any) -> bool | None:
    """Decide ``[lo, hi] op v`` for an exact rational v, or None."""
    lo, hi = enc
    with workdps(60):
        vv = mpmath.mpf(v.p) / v.q
    if op == "=":
        if hi < vv or lo > vv:
            return False
        return True if lo == hi == vv else None
    table = {"<=": (hi <= vv, lo > vv), "<": (hi < vv, lo >= vv), ">=": (lo >= vv, hi < vv),
             ">": (lo > vv, hi <= vv)}
    yes, no = table[op]
    return True if yes else (False if no else None)


def check_extreme_value(f: Any, kind: str, op: str, value: Any, *, at: Any = None) -> Verdict:
    r"""Check ``max f op value`` (``kind`` one of ``"max"``, ``"min"``, ``"sup"``, ``"inf"``).

    ``max``/``min`` also require the extremum to be attained; ``at`` claims where.
    A decimal ``value`` is read exactly and as correctly rounded (see the module notes).

    >>> check_extreme_value("sigmoid'(x)", "sup", "<=", "1/4").holds
    True
    """
    from ..analysis.extrema import inf, sup

    if kind not in ("max", "min", "sup", "inf"):
        raise ValueError(f"kind must be max, min, sup or inf, got {kind!r}")
    if op not in _OPS:
        raise ValueError(f"op must be one of {list(_OPS)}, got {op!r}")
    fx = to_expr(f)
    val = to_expr(value, what=f"claimed {kind}")
    if x in val.free_symbols:
        raise ValueError(f"the claimed {kind} must be a constant, got {val}")
    dec = decimal_reading(value)
    side = "sup" if kind in ("max", "sup") else "inf"
    ext = (sup if side == "sup" else inf)(fx)
    op_tex = rf"\{kind}_x f(x)" if kind in ("sup", "inf", "max", "min") else kind
    shown = str(value).strip() if dec is not None else None
    claim = Notation(f"{op_tex} {_OPS[op]} {shown or sympy.latex(val)}",
                     f"{kind}_x f(x) {op} {shown or sympy.sstr(val)}")
    steps: list[Step] = [Step("claim", Notation("f(x)", "f(x)"), fx, "=", "Let")]
    steps += candidate_steps(ext, f=F, df=DF) + conclusion_steps(ext, f=F, df=DF)
    title = f"Checking a claimed {'maximum' if kind == 'max' else 'minimum' if kind == 'min' else kind}"
    method: Method = "symbolic" if ext.exact else "certified"
    # the claim read exactly
    if ext.exact and ext.value.is_infinite:
        holds: bool | None = {"=": False, "<=": ext.value == -sympy.oo, "<": ext.value == -sympy.oo,
                              ">=": ext.value == sympy.oo, ">": ext.value == sympy.oo}[op]
    elif ext.exact:
        gap = ext.value - val
        if is_zero(gap):
            holds = op in ("=", "<=", ">=")
        else:
            g = enclose(gap, 40)
            holds = _decide(g, op if op != "=" else "=", sympy.Integer(0))
            method = "symbolic" if holds is not None else "certified"
    else:
        holds = _decide(ext.enclosure, op, val) if val.is_Rational else _decide_expr(ext.enclosure, op, val)
    readings: dict[str, bool | None] = {"exact": holds}
    words = []
    if dec is not None:
        v, h = dec
        enc = ext.enclosure if not ext.exact else enclose(ext.value, 40)
        with workdps(60):
            lo_ok = _decide(enc, ">=", v - h)
            hi_ok = _decide(enc, "<=", v + h)
        if op == "=":
            rounded = True if (lo_ok and hi_ok) else (False if lo_ok is False or hi_ok is False else None)
        elif op in ("<=", "<"):
            rounded = _decide(enc, op, v + h)
        else:
            rounded = _decide(enc, op, v - h)
        readings["rounded"] = rounded
        with workdps(40):
            diff = (enc[0] + enc[1]) / 2 - mpmath.mpf(v.p) / v.q
        words = [f"Read as the exact decimal {str(value).strip()}, the claim is {word(holds)} "
                 f"(the {side} differs from it by about ", _sci(diff),
                 "); read as correctly rounded to the digits given (within ",
                 _sci(mpmath.mpf(h.p) / h.q), f"), it is {word(rounded)}."]
        steps.append(Step("prose", None, None, "", tuple(words)))
    # attainment and location
    if kind in ("max", "min") and holds and not ext.attained:
        steps.append(Step("prose", None, None, "", (
            f"The {side} is approached but not attained, so f has no {'maximum' if kind == 'max' else 'minimum'}.",)))
        holds = False
        readings["exact"] = False
    if at is not None and holds is not False:
        pt = to_expr(at, what="claimed location")
        if ext.exact and ext.attained and ext.at.contains(pt) != sympy.true:
            holds = False
            steps.append(Step("prose", None, None, "", ("The extremum is attained at ", ext.at, ", not at ",
                                                         Notation(f"x = {sympy.latex(pt)}", f"x = {sympy.sstr(pt)}"),
                                                         ".")))
        elif not ext.exact:
            enc = rigorous_value(fx - (ext.enclosure[1] if side == "sup" else ext.enclosure[0]), pt)
            if enc is not None and ((side == "sup" and enc[1] < 0) or (side == "inf" and enc[0] > 0)):
                holds = False
    rows = [Row(kind, Notation(rf"\{side}_x f(x)", f"{side} f"), ext.value if ext.exact else ext, ext.level)]
    cex = None
    if holds is False and ext.attained and isinstance(ext.at, sympy.FiniteSet):
        cex = {"point": next(iter(ext.at)), "lhs": ext.value, "rhs": val, "role": "attained"}
    show = sympy.sstr(ext.value) if ext.exact else str(ext.evalf(15))
    base = {True: "proved", False: "refuted", None: "undecided"}[holds]
    shown_claim = str(value).strip() if dec is not None else sympy.sstr(val)
    summary = f"{base} ({method}): {side} f = {show}; claimed {kind} {op} {shown_claim}"
    if dec is not None:
        summary += (f"; as an exact decimal the claim is {word(readings['exact'])}, as correctly rounded "
                    f"to the digits given it is {word(readings.get('rounded'))}")
    return make_verdict(title, steps, holds, method, summary, cex, rows,
                    {"sup" if side == "sup" else "inf": ext, "readings": readings}, claim)


def _sci(v: Any) -> Notation:
    """A small number as typeset scientific notation with two digits."""
    text = mpmath.nstr(v, 2, min_fixed=1, max_fixed=0)
    if "e" not in text:
        return Notation(text, text)
    m, e = text.split("e")
    e = str(int(e))
    return Notation(rf"{m} \cdot 10^{{{e}}}", f"{m}·10^{e}")


def _decide_expr(enc: tuple[Any, Any], op: str, val: sympy.Expr) -> bool | None:
    try:
        lo, hi = enclose(val, 50)
    except ValueError:
        return None
    if op == "=":
        return False if (enc[1] < lo or enc[0] > hi) else None
    table = {"<=": (enc[1] <= lo, enc[0] > hi), "<": (enc[1] < lo, enc[0] >= hi),
             ">=": (enc[0] >= hi, enc[1] < lo), ">": (enc[0] > hi, enc[1] <= lo)}
    yes, no = table[op]
    return True if yes else (False if no else None)


def word(v: bool | None) -> str:
    """``true``, ``false`` or ``undecided``."""
    return {True: "true", False: "false", None: "undecided"}[v]


def check_maximum(f: Any, value: Any, at: Any = None) -> Verdict:
    r"""Check a claimed maximum ``value`` of ``f`` (and, optionally, where it is attained).

    >>> check_maximum("sigmoid'(x)", "1/4", at=0).holds
    True
    >>> check_maximum("sigmoid'(x)", "1/4", at=1).holds
    False
    """
    return check_extreme_value(f, "max", "=", value, at=at)


def check_minimum(f: Any, value: Any, at: Any = None) -> Verdict:
    r"""Check a claimed minimum ``value`` of ``f``; see :func:`check_maximum`.

    >>> check_minimum("x*sigmoid(x)", "-W(1/e)").holds
    True
    """
    return check_extreme_value(f, "min", "=", value, at=at)


def check_limit(f: Any, point: Any, value: Any, *, side: str | None = None, budget: float = 4.0) -> Verdict:
    r"""Check :math:`\lim_{x\to a} f(x) = c` with Gruntz's algorithm (SymPy's ``limit``).

    >>> check_limit("tanh(x)", sympy.oo, 1).holds
    True
    """
    fx, c = to_expr(f), to_expr(value, what="claimed limit")
    a = point if isinstance(point, sympy.Basic) else to_expr(point, what="limit point")
    arrow = sympy.latex(a) + (f"^{{{side}}}" if side else "")
    lhs = Notation(rf"\lim_{{x \to {arrow}}} f(x)", f"lim_(x→{sympy.sstr(a)}{side or ''}) f(x)")
    claim = Notation(f"{lhs.latex} = {sympy.latex(c)}", f"{lhs.text} = {sympy.sstr(c)}")
    try:
        with time_budget(budget, clock="cpu"):
            if a.is_finite and side is None:
                left, right = _piece_limit(fx, a, "-"), _piece_limit(fx, a, "+")
                lim = left if (left == right or is_zero(left - right)) else sympy.nan
            else:
                lim = _piece_limit(fx, a, side or ("-" if a == sympy.oo else "+"))
    except BudgetExceeded:
        return make_verdict("Checking a limit", [], None, "sampled",
                            f"undecided: SymPy's limit did not finish within its {budget:g} s CPU-time "
                            "budget", claim=claim)
    except (NotImplementedError, ValueError) as exc:
        return make_verdict("Checking a limit", [], None, "sampled",
                        f"undecided: SymPy could not compute the limit ({type(exc).__name__})", claim=claim)
    steps = [Step("claim", Notation("f(x)", "f(x)"), fx, "=", "Let"),
             Step("limit", lhs, lim, "=", "By Gruntz's algorithm (SymPy's limit),")]
    if lim.has(sympy.AccumBounds) or lim is sympy.nan:
        return make_verdict("Checking a limit", steps, False, "symbolic",
                        f"refuted: the limit does not exist ({sympy.sstr(lim)})", claim=claim)
    holds = bool(lim == c) if (lim.is_infinite or c.is_infinite) else is_zero(lim - c)
    if not holds and not (lim.is_infinite or c.is_infinite) and not _differs(lim - c):
        return make_verdict("Checking a limit", steps, None, "symbolic",
                        f"undecided: the limit is {sympy.sstr(lim)}; SymPy cannot decide whether it equals "
                        f"{sympy.sstr(c)}", claim=claim)
    return make_verdict("Checking a limit", steps, holds, "symbolic",
                    f"{'proved' if holds else 'refuted'} (symbolic): the limit is {sympy.sstr(lim)}",
                    claim=claim, details={"limit": lim})


def _piece_limit(f: sympy.Expr, a: sympy.Expr, side: str) -> sympy.Expr:
    """The one-sided limit of f at a, taken on the analytic piece next to a on that side."""
    from ..expressions.pieces import one_sided_limit, split

    for p in split(f, x):
        if (a == sympy.oo and p.hi == sympy.oo) or (a == -sympy.oo and p.lo == -sympy.oo):
            return one_sided_limit(p.expr, x, a, side)
        if a.is_finite and ((side == "+" and (p.lo <= a) == sympy.true and (a < p.hi) == sympy.true)
                            or (side == "-" and (p.lo < a) == sympy.true and (a <= p.hi) == sympy.true)):
            return one_sided_limit(p.expr, x, a, side)
    raise ValueError(f"no piece of {f} borders {a} from the {side} side")


def _differs(e: sympy.Expr) -> bool:
    try:
        lo, hi = enclose(e, 30)
    except ValueError:
        return False
    return bool(lo > 0 or hi < 0)
