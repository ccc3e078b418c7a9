r"""Verification of hand-derived claims about activations, and how strongly they hold.

Every check returns a :class:`Verdict`: ``holds`` is ``True`` only when the claim
was *proved* -- symbolically (SymPy shows a difference is 0, or compares exact
extrema) or with certified enclosures (Arb ball arithmetic).  A refutation
comes with a counterexample point; its violation is confirmed with an Arb
ball at the exact point (``certified``), and only where Arb cannot evaluate the
expression is the confirmation a high-precision evaluation, then labelled
``sampled``.  Sampling alone never proves anything: it answers ``holds=None``.

A verdict follows the result protocol where it applies (``value``, ``level``,
``method``, ``latex()``, ``_repr_latex_``) and renders as a document: the
claim, the verdict, then the proof or the counterexample
(:meth:`Verdict.document`).

>>> v = check_identity("tanh(x)", "2*sigmoid(2*x) - 1")
>>> v.holds, v.level
(True, 'exact')
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import mpmath
import sympy

from ..core.precision import workdps, workprec
from ..core.steps import Record
from ..expressions.activation import Activation, x
from ..expressions.coerce import as_expression
from ..expressions.values import check_finite_number
from .derivation import Derivation, Notation, Row, Step
from .extremum_steps import candidate_steps, conclusion_steps, enclosure_notation
from .identities import is_zero
from .verdict import RANK as _RANK
from .verdict import Method, Verdict

__all__ = [
    "DF",
    "F",
    "Verdict",
    "check_bound",
    "check_derivative",
    "check_identity",
    "make_verdict",
    "rigorous_value",
    "to_expr",
]

F = Notation("f", "f")
DF = Notation("f'", "f'")

# ---------------------------------------------------------------------------
def to_expr(obj: Any, *, what: str = "expression") -> sympy.Expr:
    r"""An expression in :data:`symact.x` from an activation, SymPy, plain text or LaTeX.

    Strings may use the catalogue's names and ``W`` for the Lambert W function.

    >>> to_expr("x/(1 + exp(-x))")
    x/(1 + exp(-x))
    >>> to_expr(r"\frac{1}{1+e^{-x}}")
    1/(1 + exp(-x))
    >>> to_expr("-W(1/e)")
    -LambertW(exp(-1))
    >>> to_expr("__import__('os')")
    Traceback (most recent call last):
    ...
    symact.core.errors.UnsafeExpression: ...
    """
    if isinstance(obj, Activation):
        return obj.expr
    if isinstance(obj, bool):
        raise TypeError(f"the {what} must be a number, an expression or a string, not a bool")
    if isinstance(obj, int):
        return sympy.Integer(obj)
    if isinstance(obj, float):
        check_finite_number(obj, f"the {what}", "a finite real number, a SymPy expression or a formula string")
        return sympy.Rational(repr(obj))
    if isinstance(obj, sympy.Basic):
        check_finite_number(obj, f"the {what}", "a finite real number, a SymPy expression or a formula string")
        if not isinstance(obj, sympy.Expr):
            raise TypeError(f"the {what} must be a SymPy expression, got {type(obj).__name__}")
        stray = {s for s in obj.free_symbols if s != x}
        obj = obj.xreplace({s: x for s in stray if s.name == "x"})
        stray = obj.free_symbols - {x}
        if stray:
            raise ValueError(f"the {what} {obj} depends on {', '.join(sorted(map(str, stray)))} besides x; "
                             "substitute numbers for them")
        return obj
    if isinstance(obj, str):
        from ..expressions.catalogue import function_table
        from ..expressions.reading import parse_expression

        return parse_expression(obj, variables={"x": x}, functions=claim_functions(function_table()))
    if isinstance(obj, sympy.Lambda):
        return as_expression(obj)
    raise TypeError(f"the {what} must be an Activation, a SymPy expression, plain text or LaTeX; "
                    f"got {type(obj).__name__}")


def claim_functions(table: Mapping[str, Any]) -> dict[str, Any]:
    """The catalogue's function table plus ``W`` (Lambert W), the names claims may use."""
    return {**table, "W": sympy.LambertW}


def rigorous_value(expr: sympy.Expr, point: sympy.Expr, dps: int = 40
                   ) -> tuple[mpmath.mpf, mpmath.mpf, str] | None:
    """An enclosure of ``expr`` at the exact ``point`` and its level, or None.

    Arb ball arithmetic gives a rigorous enclosure (level ``"certified"``);
    where Arb cannot evaluate the expression, SymPy's evaluation at two
    precisions gives an estimate that is *not* rigorous (level ``"sampled"``).

    >>> lo, hi, level = rigorous_value(sympy.exp(x), sympy.Integer(1))
    >>> with mpmath.workdps(60):
    ...     level, lo < +mpmath.e < hi
    ('certified', True)
    """
    value = expr.subs(x, point)
    if value.has(sympy.nan, sympy.zoo) or not value.is_number:
        return None
    try:
        import flint

        from ..numerics.arb import arb_evaluator, to_mpf

        prec = int(dps * 3.33) + 20
        with workprec(prec):
            ball = arb_evaluator(value, x)(flint.arb(0))
            if not ball.is_finite():
                return None
            return to_mpf(ball, "lower", prec), to_mpf(ball, "upper", prec), "certified"
    except Exception:  # noqa: BLE001 - fall back to evalf, labelled as sampled
        a, b = sympy.N(value, dps), sympy.N(value, 2 * dps)
        if not (a.is_real and b.is_real) or abs(a - b) > 10 ** (-dps // 2) * max(1, abs(b)):
            return None
        with workdps(2 * dps):
            v = mpmath.mpf(b)
            eps = abs(v) * mpmath.mpf(10) ** (-dps) + mpmath.mpf(10) ** (-2 * dps)
            return v - eps, v + eps, "sampled"


def mp_value(v: sympy.Expr, dps: int = 30) -> mpmath.mpf | None:
    """A finite real value of a SymPy number at ``dps`` digits (a float estimate), or None."""
    try:
        val = sympy.N(v, dps)
    except (TypeError, ValueError):
        return None
    if val.has(sympy.nan, sympy.zoo) or not val.is_real or not val.is_finite:
        return None
    with workdps(dps):
        return mpmath.mpf(val)


def _sample_points(expr: sympy.Expr, interval: sympy.Interval | None, n: int = 200) -> list[sympy.Rational]:
    from ..expressions.pieces import breakpoints

    lo = interval.start if interval is not None else -sympy.oo
    hi = interval.end if interval is not None else sympy.oo
    pts: set[sympy.Rational] = set()
    try:
        bps = [b for b in breakpoints(expr, x) if b.is_number]
    except Exception:  # noqa: BLE001
        bps = []
    for b in bps:
        r = sympy.nsimplify(sympy.N(b, 20), rational=True) if not b.is_Rational else b
        for off in (0, sympy.Rational(1, 10**6), -sympy.Rational(1, 10**6), sympy.Rational(1, 100),
                    -sympy.Rational(1, 100)):
            pts.add(r + off)
    fin_lo = lo if lo.is_finite else sympy.Integer(-60)
    fin_hi = hi if hi.is_finite else sympy.Integer(60)
    # rational grid points (an irrational end such as pi is replaced by a nearby decimal)
    fin_lo, fin_hi = (e if e.is_Rational else sympy.Rational(str(sympy.N(e, 20))) for e in (fin_lo, fin_hi))
    span = fin_hi - fin_lo
    m = n - len(pts) - 40
    for i in range(max(m, 20)):
        pts.add(fin_lo + span * sympy.Rational(2 * i + 1, 2 * max(m, 20)) + sympy.Rational(1, 977))
    for k in range(-10, 10):  # logarithmic probes around 0 and towards infinity
        v = sympy.Rational(3, 2) ** k
        pts.update({v, -v})
    pts.update(sympy.Integer(k) for k in range(-5, 6))
    pts.update(sympy.Rational(k, 2) for k in (-3, -1, 1, 3))
    keep = [p for p in pts if (interval is None or interval.contains(p) == sympy.true)]
    # integers and halves first, then small denominators and small |x|: readable counterexamples
    def readable(p: sympy.Expr) -> tuple:
        q = p.q if p.is_Rational else 10**6
        return (q > 2, min(q, 100), abs(p), -p)

    return sorted(keep, key=readable)


def make_verdict(title: str, steps: list[Step], holds: bool | None, method: Method, summary: str,
                 cex: dict | None = None, rows: list[Row] | None = None,
                 details: Mapping[str, Any] | None = None, claim: Notation | None = None) -> Verdict:
    """A Verdict whose derivation has this title, these steps and summary rows."""
    deriv = Derivation(title, tuple(steps), tuple(rows or ()))
    return Verdict(holds, method, cex, deriv, summary, dict(details or {}), claim)


def relation_notation(lhs: Any, op: str, rhs: Any) -> Notation:
    """A claim ``lhs op rhs`` as typeset mathematics."""
    from .derivation import math_latex, unicode_math

    tex = {"=": "=", "<=": r"\le", "<": "<", ">=": r"\ge", ">": ">"}[op]
    txt = {"=": "=", "<=": "≤", "<": "<", ">=": "≥", ">": ">"}[op]
    return Notation(f"{math_latex(lhs)} {tex} {math_latex(rhs)}",
                    f"{unicode_math(lhs)} {txt} {unicode_math(rhs)}")


# ---------------------------------------------------------------------------
def check_identity(lhs: Any, rhs: Any, *, interval: sympy.Interval | None = None) -> Verdict:
    r"""Check ``lhs == rhs`` for every real ``x`` (or every ``x`` in ``interval``).

    Symbolic first (the difference simplifies to 0, also after rewriting to
    ``exp``, and piece by piece for piecewise expressions); otherwise a scan at
    about 200 points (breakpoints included) at 30 digits, and a difference
    found there is confirmed with an Arb enclosure at the exact point.

    Examples
    --------
    >>> v = check_identity("sigmoid'(x)", "sigmoid(x)*(1 - sigmoid(x))")
    >>> v.holds, v.method
    (True, 'symbolic')
    >>> v = check_identity("tanh(x)", "2*sigmoid(x) - 1")
    >>> v.holds, v.method
    (False, 'certified')
    """
    from ..expressions.pieces import breakpoints, split

    a, b = to_expr(lhs, what="left-hand side"), to_expr(rhs, what="right-hand side")
    diff = a - b
    claim = relation_notation(a, "=", b)
    title = "Checking an identity"
    delta = Notation(r"\Delta(x)", "Δ(x)")
    from .derivation import math_latex, unicode_math

    shown: Any = diff if diff != 0 else Notation(rf"{math_latex(a)} - \left({math_latex(b)}\right)",
                                                 f"{unicode_math(a)} - ({unicode_math(b)})")
    steps = [Step("difference", delta, shown, "=", ("Let ", Notation(r"\Delta", "Δ"),
                                                   " be the difference of the two sides:"))]
    if not diff.has(sympy.Piecewise, sympy.Abs, sympy.Max, sympy.Min, sympy.Heaviside, sympy.sign):
        if is_zero(diff):
            steps.append(Step("symbolic", delta, sympy.Integer(0), "=",
                              "SymPy simplifies it (after rewriting in terms of exp where needed) to"))
            return make_verdict(title, steps, True, "symbolic",
                            "proved: the difference simplifies to 0 (symbolic)", claim=claim)
    else:
        try:
            pieces = split(diff, x)
        except Exception:  # noqa: BLE001
            pieces = ()
        pieces = tuple(p for p in pieces if interval is None or
                       sympy.Interval.open(p.lo, p.hi).intersect(interval) != sympy.EmptySet)
        if pieces and all(is_zero(p.expr) for p in pieces):
            bad = []
            points = set(breakpoints(a, x)) | set(breakpoints(b, x)) | {p.lo for p in pieces[1:]}
            for pt in sorted(points, key=lambda t: sympy.N(t, 30)):
                if interval is not None and interval.contains(pt) != sympy.true:
                    continue
                va, vb = a.subs(x, pt), b.subs(x, pt)
                if va.has(sympy.nan) and vb.has(sympy.nan):
                    continue  # both undefined there (e.g. a derivative at a kink)
                if va.has(sympy.nan) or vb.has(sympy.nan) or not is_zero(va - vb):
                    bad.append(pt)
            for p in pieces:
                steps.append(Step("symbolic", Notation(rf"\Delta(x),\ x \in {sympy.latex(p.interval)}",
                                                       f"Δ(x), x ∈ {sympy.sstr(p.interval)}"),
                                  sympy.Integer(0), "=", ("On the piece ", p.interval, " it simplifies to")))
            if not bad:
                return make_verdict(title, steps, True, "symbolic",
                                "proved piece by piece: every piece and breakpoint value gives 0 (symbolic)",
                                claim=claim)
            p = bad[0]
            va, vb = a.subs(x, p), b.subs(x, p)
            missing = [side for side, v in (("left", va), ("right", vb)) if v.has(sympy.nan)]
            if missing:
                why = (f"the {missing[0]} side is not defined there (a derivative that does not exist at a kink)"
                       if len(missing) == 1 else "the two sides are not defined there")
                steps.append(Step("prose", None, None, "", (
                    "The pieces agree, but at the breakpoint ", Notation(f"x = {sympy.latex(p)}", f"x = {sympy.sstr(p)}"),
                    f" {why}.")))
                summary = f"refuted at the breakpoint x = {sympy.sstr(p)}: {why}; the two sides agree elsewhere"
            else:
                steps.append(Step("counterexample", Notation(rf"\Delta({sympy.latex(p)})", f"Δ({sympy.sstr(p)})"),
                                  sympy.simplify(va - vb), "=",
                                  "The pieces agree, but at the breakpoint the two sides differ:"))
                summary = f"refuted at the breakpoint x = {sympy.sstr(p)} (the pieces agree elsewhere)"
            cex = {"point": p, "lhs": "undefined" if va.has(sympy.nan) else va,
                   "rhs": "undefined" if vb.has(sympy.nan) else vb}
            return make_verdict(title, steps, False, "symbolic", summary, cex, claim=claim)

    pts = _sample_points(diff, interval)
    for p in pts:
        lv, rv = mp_value(a.subs(x, p)), mp_value(b.subs(x, p))
        if lv is None or rv is None or abs(lv - rv) <= mpmath.mpf(10) ** -20 * max(1, abs(lv), abs(rv)):
            continue
        enc = rigorous_value(diff, p)
        if enc is None or not (enc[0] > 0 or enc[1] < 0):
            continue
        lo, hi, level = enc
        method: Method = "certified" if level == "certified" else "sampled"
        cex = {"point": p, "lhs": sympy.N(a.subs(x, p), 25), "rhs": sympy.N(b.subs(x, p), 25)}
        steps.append(Step("counterexample", Notation(rf"\Delta({sympy.latex(p)})", f"Δ({sympy.sstr(p)})"),
                          enclosure_notation(lo, hi, 12), "in", (
                              "At the exact point ", Notation(f"x = {sympy.latex(p)}", f"x = {sympy.sstr(p)}"),
                              ", " + ("an Arb ball enclosure" if level == "certified"
                                      else "an evaluation at two precisions (not rigorous)")
                              + " of the difference excludes 0:")))
        return make_verdict(title, steps, False, method,
                        f"refuted at x = {sympy.sstr(p)}: the difference lies in "
                        f"{enclosure_notation(lo, hi, 8).text} ({method})", cex, claim=claim)
    steps.append(Step("prose", None, None, "", (
        "SymPy could not prove that ", Notation(r"\Delta", "Δ"), f" is 0, and no difference was found at "
        f"{len(pts)} points (30 digits); this is evidence, not a proof.")))
    return make_verdict(title, steps, None, "sampled",
                    f"undecided: no counterexample found at {len(pts)} points (sampled)", claim=claim)


# ---------------------------------------------------------------------------
def approach_points(ext: Any) -> list[tuple[sympy.Expr, str | None]]:
    """Where an extremum is approached: ``(point, side)`` from its typed limit records."""
    out = []
    for r in ext.steps:
        if isinstance(r, Record) and r.kind == "limit":
            v = r["value"]
            try:
                same = (v == ext.value) or (ext.exact and v.is_finite and is_zero(v - ext.value))
            except TypeError:
                same = False
            if not same and not ext.exact and v.is_finite:
                lo, hi = ext.enclosure
                val = mp_value(v, 40)
                same = val is not None and lo - (hi - lo) <= val <= hi + (hi - lo)
            if same:
                out.append((r["point"], r.get("side")))
    return out


def witness(expr: sympy.Expr, ext: Any, bound: sympy.Expr, kind: str, strict: bool) -> dict | None:
    """A point where ``expr`` violates the bound, confirmed with an enclosure (level in ``"level"``)."""
    sign = 1 if kind == "sup" else -1
    cands: list[sympy.Expr] = []
    if ext.attained and isinstance(ext.at, sympy.FiniteSet):
        for p in ext.at:
            if isinstance(p, sympy.Float):  # short decimals first, more digits if needed
                cands += [sympy.Rational(mpmath.nstr(mpmath.mpf(p), k)) for k in (6, 12, 20, 30)]
            else:
                cands.append(p)
    elif ext.attained and isinstance(ext.at, sympy.Interval):
        s, e = ext.at.start, ext.at.end
        cands.append(sympy.Integer(0) if ext.at.contains(0) == sympy.true else
                     (s + 1 if e.is_infinite else (e - 1 if s.is_infinite else (s + e) / 2)))
    for point, side in approach_points(ext):
        if point.is_infinite:
            sgn = 1 if point == sympy.oo else -1
            cands += [sgn * sympy.Integer(2) ** k for k in range(1, 12)]
        else:
            sgn = -1 if side == "-" else 1
            cands += [point + sgn * sympy.Rational(1, 2**k) for k in range(1, 60, 3)]
    for p in cands:
        enc = rigorous_value(expr - bound, p)
        if enc is None:
            continue
        lo, hi, level = enc
        if (sign * (lo if sign == 1 else hi) > 0) or (strict and lo == hi == 0) or \
                (strict and is_zero(expr.subs(x, p) - bound)):
            return {"point": p, "lhs": sympy.N(expr.subs(x, p), 20), "rhs": bound, "level": level}
    return None


def _one_side(expr: sympy.Expr, bound: sympy.Expr, kind: str, strict: bool, interval: Any,
              steps: list[Step]) -> tuple[bool | None, Method, dict | None, Any]:
    from ..analysis.extrema import inf, sup

    ext = (sup if kind == "sup" else inf)(expr, interval)
    steps += candidate_steps(ext, f=F, df=DF)
    steps += conclusion_steps(ext, f=F, df=DF)
    op = r"\sup" if kind == "sup" else r"\inf"
    lhs = Notation(rf"{op}_x f(x)", f"{kind}_x f(x)")
    rel = ("<" if strict else "<=") if kind == "sup" else (">" if strict else ">=")
    if ext.exact:
        gap = sympy.simplify(ext.value - bound) if not ext.value.is_infinite else ext.value
        s = 1 if kind == "sup" else -1
        genc = _bound_enclosure(gap) if not gap.is_infinite else None
        if gap == 0 or is_zero(gap):
            holds: bool | None = not (strict and ext.attained)
        elif gap.is_infinite:
            holds = s * (1 if gap == sympy.oo else -1) < 0
        elif genc is None or genc[0] <= 0 <= genc[1]:
            return None, "symbolic", None, ext  # the sign of the gap is not decided rigorously
        else:
            holds = s * (1 if genc[0] > 0 else -1) < 0
        method: Method = "symbolic"
    else:
        lo, hi = ext.enclosure
        benc = _bound_enclosure(bound)
        method = "certified"
        if benc is None:
            holds = None
        elif kind == "sup":
            holds = True if (hi < benc[0] or (not strict and hi <= benc[0])) else (False if lo > benc[1] else None)
        else:
            holds = True if (lo > benc[1] or (not strict and lo >= benc[1])) else (False if hi < benc[0] else None)
    word = {True: "so the bound holds", False: "so the bound fails", None: "which does not decide the bound"}[holds]
    steps.append(Step("compare", lhs, bound, rel if holds else ("" if holds is None else rel),
                      ("Comparing with the claimed bound, ", word,
                       (":" if holds else " (the enclosure straddles it)." if holds is None else ".")))
                 if holds is not False else Step("prose", None, None, "", ("The claimed bound is ",
                                                                           bound, "; ", word, ".")))
    cex = witness(expr, ext, bound, kind, strict) if holds is False else None
    if cex is not None and cex["level"] != "certified":
        method = "sampled"
    return holds, method, cex, ext


def _bound_enclosure(bound: sympy.Expr) -> tuple[mpmath.mpf, mpmath.mpf] | None:
    """A rigorous enclosure of a constant bound (exact when it is a rational)."""
    from ..core.result import enclose

    try:
        return enclose(bound, 50)
    except (ValueError, TypeError):
        return None


def check_bound(expr: Any, lower: Any = None, upper: Any = None, *, strict: bool = False,
                interval: sympy.Interval | None = None) -> Verdict:
    r"""Check ``lower <= expr(x) <= upper`` for all ``x`` (``<`` with ``strict=True``).

    Decided by :func:`symact.sup`/:func:`symact.inf`: exact extrema are compared
    exactly (method ``"symbolic"``), certified ones through their enclosures
    (``"certified"``; undecided when the enclosure straddles the bound).  A
    refutation carries the point where the extremum is attained (or a point
    near where it is approached), with the violation confirmed by an enclosure.

    Examples
    --------
    >>> import symact as sa
    >>> d = sa.activation("sigmoid").derivative()
    >>> check_bound(d, upper=sympy.Rational(1, 4)).holds
    True
    >>> check_bound(d, upper=sympy.Rational(1, 4), strict=True).counterexample["point"]
    0
    """
    if lower is None and upper is None:
        raise ValueError("check_bound needs a lower or an upper bound (or both)")
    f = to_expr(expr)
    steps: list[Step] = [Step("claim", Notation("f(x)", "f(x)"), f, "=", "Let")]
    results = []
    for kind, raw in (("sup", upper), ("inf", lower)):
        if raw is None:
            continue
        bnd = to_expr(raw, what="bound")
        if x in bnd.free_symbols:
            raise ValueError(f"a bound must be a constant; got {bnd} (use check_bound(lhs - rhs, upper=0))")
        results.append((kind, bnd, *_one_side(f, bnd, kind, strict, interval, steps)))
    parts = []
    for kind, bnd, *_ in results:
        parts.append(relation_notation(Notation("f(x)", "f(x)"), ("<" if strict else "<=") if kind == "sup" else
                                       (">" if strict else ">="), bnd))
    claim = Notation(r",\quad ".join(p.latex for p in parts) + r" \quad \text{for all } x",
                     ", ".join(p.text for p in parts) + " for all x")
    title = "Checking a bound"
    holds_all = [r[2] for r in results]
    method: Method = max((r[3] for r in results), key=_RANK.__getitem__)
    if False in holds_all:
        kind, bnd, _, meth, cex, ext = next(r for r in results if r[2] is False)
        what = "above" if kind == "sup" else "below"
        if cex:
            steps.append(Step("counterexample", Notation(f"f\\left({sympy.latex(cex['point'])}\\right)",
                                                         f"f({sympy.sstr(cex['point'])})"),
                              _honest_lhs(f, cex["point"]), "approx",
                              ("At the point ", Notation(f"x = {sympy.latex(cex['point'])}",
                                                         f"x = {sympy.sstr(cex['point'])}"),
                               " the bound fails (confirmed with " +
                               ("an Arb enclosure" if cex["level"] == "certified" else "a non-rigorous evaluation")
                               + "):")))
        where = f"at x = {sympy.sstr(cex['point'])}" if cex else "(no explicit point found)"
        if ext.exact and is_zero(ext.value - bnd):
            reason = f"{kind} = {_show(ext)} is attained, so the strict bound {sympy.sstr(bnd)} fails"
        else:
            reason = f"{kind} = {_show(ext)} is {what} the bound {sympy.sstr(bnd)}"
        summary = f"refuted ({meth}): {reason}; counterexample {where}"
        return make_verdict(title, steps, False, meth, summary, cex, details={"extremum": ext}, claim=claim)
    if None in holds_all:
        return make_verdict(title, steps, None, method, "undecided: a certified enclosure straddles the bound",
                        details={r[0]: r[5] for r in results}, claim=claim)
    text = "; ".join(f"{k} = {_show(e)}" for k, _, _, _, _, e in results)
    return make_verdict(title, steps, True, method, f"proved ({method}): {text}",
                    details={r[0]: r[5] for r in results}, claim=claim)


def _honest_lhs(f: sympy.Expr, p: sympy.Expr) -> sympy.Expr:
    from ..core.result import honest_float

    enc = rigorous_value(f, p)
    if enc is None:
        return sympy.Float(sympy.N(f.subs(x, p), 6), 6)
    return honest_float(enc[0], enc[1], 15)


def _show(ext: Any) -> str:
    return sympy.sstr(ext.value) if ext.exact else str(ext.evalf(15))


# ---------------------------------------------------------------------------
def check_derivative(f: Any, claimed_df: Any) -> Verdict:
    r"""Check that ``claimed_df`` is the derivative of ``f``.

    >>> check_derivative("tanh(x)", "1 - tanh(x)**2").holds
    True
    >>> check_derivative("x*sigmoid(x)", "sigmoid(x)").holds
    False
    """
    act = f if isinstance(f, Activation) else Activation("f", to_expr(f))
    claimed = to_expr(claimed_df, what="claimed derivative")
    v = check_identity(act.derivative(), claimed)
    steps = (Step("derivative", Notation(r"f'(x)", "f'(x)"), act.derivative(), "=",
                  ("Differentiating ", Notation("f(x)", "f(x)"), " = ", act.expr, ",")), *v.derivation.steps)
    claim = Notation(rf"\frac{{d}}{{dx}}\left({sympy.latex(act.expr)}\right) = {sympy.latex(claimed)}",
                     f"d/dx ({sympy.sstr(act.expr)}) = {sympy.sstr(claimed)}")
    return Verdict(v.holds, v.method, v.counterexample,
                   Derivation("Checking a derivative", steps, v.derivation.rows), v.summary, {}, claim)
