r"""The argument about one extremum, rendered from the engine's typed records.

:func:`candidate_steps` says why the candidate set is complete (critical points
on each piece, one-sided limits at the kinks and at :math:`\pm\infty`, values at
breakpoints, tails, certified enclosures); :func:`conclusion_steps` states the
value, where it is attained, and its enclosure.  Both read only the
:class:`~symact.core.steps.Record` values in ``Extremum.steps`` and the
extremum's own fields (never its prose), and show only certified digits.

>>> import symact as sa
>>> e = sa.sup(sa.activation("sigmoid").derivative())
>>> [s.kind for s in candidate_steps(e)][:3]
['prose', 'critical_points', 'value']
"""

from __future__ import annotations

import re
from typing import Any

import mpmath
import sympy

from ..core.precision import workdps
from ..core.result import Result, honest_float, outward_float
from ..core.steps import Record
from .derivation import Notation, Step, math_latex, unicode_math

__all__ = [
    "XINF", "candidate_steps", "conclusion_steps", "d_notation", "enclosure_notation", "level_of", "number",
    "short_point",
]

XINF = Notation(r"x \to \pm\infty", "x → ±∞")
_XINF = XINF

def number(value: Any, *, digits: int = 20) -> sympy.Expr | Result:
    r"""A value ready to render honestly: results as they are, bare floats cut to 6 digits.

    A bare SymPy ``Float`` (from a source that gave no enclosure) cannot show
    certified digits; it is shown to 6 significant digits and its row says
    ``sampled``.

    >>> number(sympy.Float("1.53353044119558035"))
    1.53353
    >>> number(sympy.sqrt(2))
    sqrt(2)
    """
    if isinstance(value, Result):
        return value
    value = sympy.sympify(value)
    if value.has(sympy.Float):
        return value.xreplace({f: sympy.Float(f, 6) for f in value.atoms(sympy.Float)})
    return value


def level_of(value: Any) -> str:
    """The protocol level of a value: its own, ``exact`` for closed forms, else ``sampled``."""
    if isinstance(value, Result):
        return str(value.level)
    if isinstance(value, sympy.Basic) and value.has(sympy.Float):
        return "sampled"
    return "exact"


def _outward(v: mpmath.mpf, n: int, up: bool) -> str:
    if mpmath.isinf(v):
        return r"\infty" if v > 0 else r"-\infty"
    if v == 0:
        return "0"
    with workdps(n + 30):
        e = int(mpmath.floor(mpmath.log10(abs(v))))
        scale = mpmath.mpf(10) ** (n - 1 - e)
        m = mpmath.ceil(v * scale) if up else mpmath.floor(v * scale)
        return mpmath.nstr(m / scale, n, strip_zeros=False)


def enclosure_notation(lo: Any, hi: Any, digits: int = 12) -> Notation:
    r"""An enclosure ``[lo, hi]`` rounded outwards to ``digits`` significant digits.

    >>> with mpmath.workdps(30):
    ...     enclosure_notation(mpmath.mpf("0.123456789012345"), mpmath.mpf("0.123456789012346"), 6).text
    '[0.123456, 0.123457]'
    """
    a, b = _outward(lo, digits, False), _outward(hi, digits, True)
    return Notation(rf"\left[{a},\ {b}\right]", f"[{a}, {b}]".replace(r"\infty", "∞"))


def d_notation(order: int = 1, at: Any = None) -> Notation:
    """φ', φ'', ... at x or at a point, as notation."""
    primes = "'" * order
    if at is None:
        return Notation(rf"\varphi{primes}(x)", f"φ{primes}(x)")
    return Notation(rf"\varphi{primes}\left({sympy.latex(at)}\right)", f"φ{primes}({unicode_math(at)})")


def _interval(lo: Any, hi: Any) -> sympy.Interval:
    return sympy.Interval.open(lo, hi)


# ---------------------------------------------------------------------------
def candidate_steps(ext: Any, *, f: Notation | None = None, df: Notation | None = None) -> list[Step]:
    """Why the candidate set is complete, from the extremum's typed records.

    The function is called φ' (its derivative φ'') unless ``f``/``df`` name it
    otherwise (their LaTeX and text forms replace φ' and φ'').
    """
    return _rename(_candidate_steps(ext), f, df)


def conclusion_steps(ext: Any, *, f: Notation | None = None, df: Notation | None = None) -> list[Step]:
    """The conclusion about one extremum (value, where attained, enclosure), see :func:`candidate_steps`."""
    return _rename(_conclusion(ext), f, df)


def _rename(steps: list[Step], f: Notation | None, df: Notation | None) -> list[Step]:
    if f is None:
        return steps
    df = df or Notation(f.latex + "'", f.text + "'")
    pairs_tex = ((r"\varphi''", df.latex), (r"\varphi'", f.latex))
    pairs_txt = (("φ''", df.text), ("φ'", f.text))

    def tex(t: str) -> str:
        for a, b in pairs_tex:
            t = t.replace(a, b)
        return t

    def txt(t: str) -> str:
        for a, b in pairs_txt:
            t = t.replace(a, b)
        return t

    def piece(p: Any) -> Any:
        if isinstance(p, Notation):
            return Notation(tex(p.latex), txt(p.text))
        return txt(p) if isinstance(p, str) else p

    def pieces(p: Any) -> list[Any]:
        """Prose text: each φ' / φ'' becomes the new name as mathematics."""
        if not isinstance(p, str):
            return [piece(p)]
        out: list[Any] = []
        for i, part in enumerate(re.split(r"(φ'+)", p)):
            if i % 2:
                out.append(df if part == "φ''" else f)
            elif part:
                out.append(part)
        return out

    return [Step(s.kind, piece(s.lhs), piece(s.rhs), s.relation,
                 tuple(q for p in s.prose for q in pieces(p))) for s in steps]


def _candidate_steps(ext: Any) -> list[Step]:
    out: list[Step] = []
    recs = [r for r in ext.steps if isinstance(r, Record)]
    split = next((r for r in recs if r.kind == "split"), None)
    if any(r.kind == "periodic" for r in recs):
        per = next(r for r in recs if r.kind == "periodic")
        out.append(Step("prose", None, None, "", (
            "φ' is periodic with period ", per["period"],
            ", so its extrema over the reals are its extrema over one closed period.")))
    if split is not None:
        out.append(Step("prose", None, None, "", (
            "The formula of φ' changes at ", sympy.FiniteSet(*split["points"]),
            ". On each open piece φ' is analytic, so its supremum and infimum are among: "
            "its values at critical points inside a piece, its one-sided limits at the ends of "
            "each piece (the breakpoints and ±∞), and its values at the breakpoints.")))
    else:
        out.append(Step("prose", None, None, "", (
            "φ' is analytic on the whole line, so its supremum and infimum are among its "
            "values at the critical points and its limits as ", _XINF, ".")))
    for r in recs:
        where = _interval(r["lo"], r["hi"]) if "lo" in r.data and "hi" in r.data else None
        if r.kind == "critical_points":
            eq = Notation(r"\varphi''(x) = 0", "φ''(x) = 0")
            pts = sympy.FiniteSet(*r["points"])
            out.append(Step("critical_points", Notation(
                rf"\{{x \in {math_latex(where)} : \varphi''(x) = 0\}}",
                f"{{x ∈ {unicode_math(where)} : φ''(x) = 0}}"), pts, "=",
                ("On ", where, ", SymPy's solveset finds every real solution of ", eq, ":")))
        elif r.kind == "solve_failed":
            eq = r["equation"]
            out.append(Step("solve_failed", eq.lhs if isinstance(eq, sympy.Eq) else eq,
                            eq.rhs if isinstance(eq, sympy.Eq) else sympy.Integer(0), "=", (
                "On ", where, ", SymPy finds no closed-form solution" +
                (" within the time allowed" if r.get("reason") == "budget" else "") +
                " of the critical-point equation")))
            out.append(Step("prose", None, None, "", ("so the extremum there is enclosed rigorously, as follows.",)))
        elif r.kind == "value_at":
            out.append(Step("value", d_notation(1, r["point"]), r["value"], "=", ""))
        elif r.kind == "constant":
            out.append(Step("constant", d_notation(), r["value"], "=", ("On ", where, ", φ' is constant:")))
        elif r.kind == "limit":
            pt, side = r["point"], r.get("side")
            arrow = sympy.latex(pt) + (f"^{{{side}}}" if side else "")
            txt = sympy.sstr(pt).replace("oo", "∞") + (side or "")
            first_limit = not any(s.kind == "limit" for s in out)
            out.append(Step("limit", Notation(rf"\lim_{{x \to {arrow}}} \varphi'(x)",
                                              f"lim_(x→{txt}) φ'(x)"), r["value"], "=",
                            "At the ends of the pieces, the one-sided limits (Gruntz's algorithm) are"
                            if first_limit else ""))
        elif r.kind == "tail":
            out.append(Step("tail", None, None, "", _tail_words(r)))
        elif r.kind == "certified":
            lo, hi = r["enclosure"]
            pts = [honest_float(a, b, 15) for a, b in r.get("points", ())]
            op = r"\sup" if r.get("kind", ext.kind) == "sup" else r"\inf"
            method = str(r.get("method", "interval Newton")).replace("interval newton", "interval Newton")
            words: list[Any] = [
                "On ", where, ", the ", "supremum" if op == r"\sup" else "infimum",
                " is enclosed with Arb ball arithmetic"]
            if r.get("dps"):
                words += [f" at {r['dps']} digits"]
            if r.get("bits"):
                words += [f" ({r['bits']}-bit balls)"]
            window = r.get("window")
            words += [": the roots of ", Notation(r"\varphi''", "φ''"), f" are isolated and refined by {method}"]
            if window is not None and all(mpmath.isfinite(w) for w in window):
                wl, wh = (sympy.Integer(int(w)) if w == int(w) else sympy.Float(w, 6) for w in window)
                words += [" on ", sympy.Interval(wl, wh), " (the tails beyond are treated above)"]
            words += [", and every operation is rounded outwards."]
            if pts:
                words += [" It is attained near ", Notation(
                    r"x^* \approx " + ", ".join(sympy.latex(p) for p in pts),
                    "x* ≈ " + ", ".join(sympy.sstr(p) for p in pts)), "."]
            out.append(Step("certified", Notation(rf"{op}_{{x \in {math_latex(where)}}} \varphi'(x)",
                                                  f"{op[1:]} over {unicode_math(where)} of φ'(x)"),
                            enclosure_notation(lo, hi, 18), "in", tuple(words)))
    return out


def _tail_words(r: Record) -> tuple[Any, ...]:
    """The tail argument of a ``tail`` record: where, and why the tail cannot hold the extremum."""
    R = r.get("R", sympy.Symbol("R"))
    side = r.get("side", "+")
    where = Notation((r"x > " if side == "+" else r"x < ") + sympy.latex(R),
                     ("x > " if side == "+" else "x < ") + unicode_math(R))
    methods = r.get("methods") or ()
    names = {"interval": "interval arithmetic", "exp-polynomial": "dominant-term bounds",
             "erfcx": "bounds on the scaled complementary error function", "arb": "ball arithmetic"}
    how = (" (by " + " and ".join(names.get(str(m), str(m)) for m in methods) + ")") if methods else ""
    argument = r.get("argument")
    if argument == "monotone":
        return ("On the tail ", where, ", the sign of the derivative of φ' is proved constant" + how +
                ", so φ' is monotone there and its extremum on the tail is its limit at the end, "
                "already among the candidates.")
    if argument == "enclosure":
        bound = r.get("bound")
        words: list[Any] = ["On the tail ", where, ", an enclosure of φ' over the whole tail" + how]
        if bound is not None:
            words += [" (its bound there is ", outward_float(bound, 4, up=True), ")"]
        words += [" shows that the tail cannot hold the extremum."]
        return tuple(words)
    return ("On the tail ", where, ", the behaviour of φ' is bounded rigorously" + how +
            " (" + str(argument or "proved") + "), so the tail cannot hold the extremum.")


def _conclusion(ext: Any) -> list[Step]:
    op = r"\sup" if ext.kind == "sup" else r"\inf"
    lhs = Notation(rf"{op}_{{x \in \mathbb{{R}}}} \varphi'(x)", f"{ext.kind}_x φ'(x)")
    recs = [r for r in ext.steps if isinstance(r, Record)]
    cmp_ = next((r for r in recs if r.kind == "compare"), None)
    n = cmp_["candidates"] if cmp_ is not None else None
    which = "largest" if ext.kind == "sup" else "smallest"
    words: list[Any] = [f"Comparing the {n} candidates exactly, the {which} gives"
                        if ext.exact and n else f"The {which} candidate gives"]
    if ext.attained and isinstance(ext.at, sympy.FiniteSet) and ext.at.is_finite_set:
        pts = [short_point(p) for p in ext.at]
        words += [" the value, attained at ", Notation(
            "x = " + ", ".join(sympy.latex(p) for p in pts), "x = " + ", ".join(sympy.sstr(p) for p in pts)), ":"]
    elif ext.attained:
        words += [" the value, attained on ", ext.at, ":"]
    else:
        lims = [r for r in recs if r.kind == "limit" and _same(r["value"], ext)]
        where = ", ".join(sympy.latex(r["point"]) + (f"^{{{r['side']}}}" if r.get("side") else "")
                          for r in lims)
        words += [" the value, approached but not attained" + (" (as " if where else "")]
        where_txt = ", ".join(sympy.sstr(r["point"]).replace("oo", "∞") + (r.get("side") or "") for r in lims)
        if where:
            words += [Notation(rf"x \to {where}", f"x → {where_txt}"), ")"]
        words += [":"]
    steps = [Step("conclusion", lhs, ext if not ext.exact else ext.value,
                  "=" if ext.exact else "approx", tuple(words))]
    if ext.exact and ext.kind == "inf" and any(r.kind == "cross_check" for r in recs):
        steps.append(Step("prose", None, None, "", (
            "As a check, certified Arb enclosures of the extrema on each piece agree with these "
            "closed forms, so no critical point was missed.",)))
    if not ext.exact:
        lo, hi = ext.enclosure
        steps.append(Step("prose", None, None, "", (
            "The enclosure is ", enclosure_notation(lo, hi, 18),
            "; every digit shown is certified (both ends of the enclosure round to it).")))
    return steps


def short_point(p: Any) -> Any:
    """A certified point shown to at most 15 significant digits."""
    return sympy.Float(p, 15) if isinstance(p, sympy.Float) and p._prec > 53 else p


def _same(value: Any, ext: Any) -> bool:
    try:
        if ext.exact:
            return bool(sympy.simplify(value - ext.value) == 0) if value.is_finite else value == ext.value
        lo, hi = ext.enclosure
        with workdps(40):
            v = mpmath.mpf(sympy.N(value, 40)) if value.is_finite else None
        return v is not None and lo - abs(hi - lo) <= v <= hi + abs(hi - lo)
    except (TypeError, ValueError):
        return False
