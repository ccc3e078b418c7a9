r"""Building the derivation of an activation from what the engines recorded.

:func:`derive` runs the analysis (derivatives, the extrema of
:math:`\varphi'`, the worst-case gradient bound, the mean field at the
variance-preserving gain) and turns it into an argument: the typed
:class:`~symact.core.steps.Record` values in :attr:`Extremum.steps` become the
proof that the candidate set is complete (critical points on each piece,
one-sided limits at the kinks and at :math:`\pm\infty`, tails, certified
enclosures); nothing here reads another module's prose.  Numbers come from
the result protocol (levels, enclosures), so only certified digits appear.

>>> d = derive("sigmoid")
>>> dict(d.numbers)["sup phi'"], dict(d.numbers)["depth to 1e-06"]
('1/4', '10')
>>> d.title
'Logistic sigmoid'
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import mpmath
import sympy

from ..core.budget import BudgetExceeded, run_isolated
from ..core.cache import cached
from ..core.precision import workdps
from ..core.result import Quantity, Result, honest_float
from ..core.steps import Record
from ..expressions.activation import Activation, x
from ..expressions.simplify import tidy
from .derivation import Derivation, Notation, Row, Step, math_latex, phi, unicode_math
from .identities import find_identities, rules
from .names import proper_name

__all__ = [
    "build_derivation", "candidate_steps", "conclusion_steps", "derive", "derive_many",
    "enclosure_notation", "level_of", "number", "resolve",
]

_BUDGET = 4.0
_LONG = 400  # characters of sstr above which a formula is described, not displayed
N = sympy.Symbol("n", positive=True, integer=True)
_XINF = Notation(r"x \to \pm\infty", "x → ±∞")
_N = Notation("n", "n")


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


PHI = sympy.Function("Phi")
SIGMA = sympy.Function("sigma")


def conventional(expr: sympy.Expr) -> tuple[sympy.Expr, str]:
    r"""``expr`` written with Φ (the standard normal CDF) and σ (the logistic sigmoid), if they occur.

    Returns the rewritten expression and a phrase naming the symbols introduced
    (``""`` when nothing was rewritten).

    >>> conventional(x * (1 + sympy.erf(x / sympy.sqrt(2))) / 2)
    (x*Phi(x), 'Φ the standard normal distribution function')
    """
    rep = {sympy.erf(sympy.sqrt(2) * x / 2): 2 * PHI(x) - 1, 1 / (1 + sympy.exp(-x)): SIGMA(x)}
    out = expr.xreplace(rep)
    if out == expr:
        return expr, ""
    out = sympy.factor_terms(sympy.expand(out))
    names = []
    if out.has(PHI):
        names.append("Φ the standard normal distribution function")
    if out.has(SIGMA):
        names.append("σ(x) = 1/(1 + e⁻ˣ) the logistic sigmoid")
    return out, " and ".join(names)


def _in_sentence(name: str) -> str:
    """A proper name inside a sentence: lower-case its first letter unless it is a proper noun."""
    first = name.split(" ")[0]
    if first in ("Gaussian", "Mish") or any(c.isupper() for c in first[1:]):
        return name
    return name[0].lower() + name[1:]


def _d(order: int = 1, at: Any = None) -> Notation:
    primes = "'" * order
    if at is None:
        return Notation(rf"\varphi{primes}(x)", f"φ{primes}(x)")
    return Notation(rf"\varphi{primes}\left({sympy.latex(at)}\right)", f"φ{primes}({unicode_math(at)})")


def _interval(lo: Any, hi: Any) -> sympy.Interval:
    return sympy.Interval.open(lo, hi)


def _short(expr: Any) -> bool:
    return len(sympy.sstr(expr)) <= _LONG


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

    return [Step(s.kind, piece(s.lhs), piece(s.rhs), s.relation, tuple(piece(p) for p in s.prose))
            for s in steps]


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
            out.append(Step("value", _d(1, r["point"]), r["value"], "=", ""))
        elif r.kind == "constant":
            out.append(Step("constant", _d(), r["value"], "=", ("On ", where, ", φ' is constant:")))
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
            side = "x > R" if r.get("side", "+") == "+" else "x < -R"
            out.append(Step("prose", None, None, "", (
                "Tail: for ", Notation(side.replace("R", sympy.latex(r.get("R", "R"))),
                                       side.replace("R", sympy.sstr(r.get("R", "R")))),
                r", the sign of the derivative is proved constant by interval arithmetic, so the "
                r"function is monotone there and its extremum on the tail is its value at the end "
                r"or its limit at infinity.")))
        elif r.kind == "certified":
            lo, hi = r["enclosure"]
            pts = [honest_float(a, b, 15) for a, b in r.get("points", ())]
            op = r"\sup" if r.get("kind", ext.kind) == "sup" else r"\inf"
            words: list[Any] = [
                "On ", where, ", the ", r"supremum" if op == r"\sup" else "infimum",
                " is enclosed with Arb ball arithmetic at ", str(r.get("dps", "")),
                " digits: the roots of ", Notation(r"\varphi''", "φ''"),
                " are isolated and refined by interval Newton, the tails are bounded by "
                "interval arithmetic, and every operation is rounded outwards."]
            if pts:
                words += [" It is attained near ", Notation(
                    r"x^* \approx " + ", ".join(sympy.latex(p) for p in pts),
                    "x* ≈ " + ", ".join(sympy.sstr(p) for p in pts)), "."]
            out.append(Step("certified", Notation(rf"{op}_{{x \in {math_latex(where)}}} \varphi'(x)",
                                                  f"{op[1:]} over {unicode_math(where)} of φ'(x)"),
                            enclosure_notation(lo, hi, 18), "in", tuple(words)))
    return out


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
        pts = [_cut(p) for p in ext.at]
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


def _cut(p: Any) -> Any:
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


# ---------------------------------------------------------------------------
def _rate(exts: dict[str, Any]) -> Any:
    """sup |φ'| as a value for rendering: exact, or a certified Quantity from an enclosure."""
    s, i = exts.get("sup"), exts.get("inf")
    if s is None or i is None:
        return None
    if s.exact and i.exact:
        return tidy(sympy.Max(sympy.Abs(s.value), sympy.Abs(i.value)), _BUDGET)
    with workdps(50):
        a = (max(abs(s.enclosure[0]), abs(s.enclosure[1])), s)
        b = (max(abs(i.enclosure[0]), abs(i.enclosure[1])), i)
        big = a[1] if a[0] >= b[0] else b[1]
        lo, hi = big.enclosure
        if lo < 0:
            lo, hi = -hi, -lo
    return Quantity.certified(lo, hi, method="arb", name="sup|phi'|")


def build_derivation(act: Activation, exts: dict[str, Any], gb: Any = None, depth: Any = None,
                     meanfield: tuple[Any, Any] | None = None, *, layers_eps: float = 1e-6,
                     failures: Sequence[str] = ()) -> Derivation:
    r"""The derivation of ``act`` from its computed results (pure: no analysis runs here).

    ``exts`` maps ``"sup"``/``"inf"`` to the extrema of :math:`\varphi'`;
    ``gb`` is the gradient bound through ``n`` layers, ``depth`` the depth at
    which it drops below ``layers_eps``, ``meanfield`` a ``(gain, MeanField)``
    pair.  ``failures`` are short reasons for parts that could not be computed.
    """
    name = proper_name(act.name)
    refs: list[str] = []
    steps: list[Step] = []
    params = [Notation(rf"{sympy.latex(k if isinstance(k, sympy.Symbol) else sympy.Symbol(str(k)))} = "
                       rf"{sympy.latex(v)}", f"{k} = {unicode_math(v)}")
              for k, v in act.params.items()]
    intro: list[Any] = [f"Let φ be the {_in_sentence(name)}"]
    for i, p in enumerate(params):
        intro += [", " if i else " with ", p]
    intro += [". We determine the supremum and infimum of its derivative over the real line, "
              "and from them the worst-case bound on the gradient through ", _N, " layers; then "
              "the mean-field slope ", Notation(r"\chi_1", "χ₁"),
              " at the variance-preserving initialisation. By definition,"]
    steps.append(Step("definition", phi(x), act.expr, "=", tuple(intro)))
    usual, what = conventional(act.expr)
    if what:
        steps.append(Step("definition", phi(x), usual, "=", f"that is, with {what},"))
    d = act.derivative(1)
    if len(act.pieces) > 1:
        why = "Differentiating each piece"
        if act.kinks:
            why += " (the derivative is undefined at the kinks " + ", ".join(sympy.sstr(k) for k in act.kinks) + ")"
        why += ","
    else:
        used = rules(act.expr)
        named = [f"the {u}" for u in used]
        listed = ", ".join(named[:-1]) + " and " + named[-1] if len(named) > 1 else "".join(named)
        why = "Differentiating" + (" with " + listed if used else "") + ","
    steps.append(Step("derivative", _d(), d, "=", why))
    if not d.has(sympy.Piecewise):
        simple = tidy(d, _BUDGET)
        if simple != d and _short(simple):
            steps.append(Step("derivative", _d(), simple, "=", "which simplifies to"))
    for p in act.pieces:
        for form in find_identities(p.expr, sympy.diff(p.expr, x)):
            on: tuple[Any, ...] = () if len(act.pieces) == 1 else (" on ", p.interval)
            steps.append(Step("identity", _d(), conventional(form)[0], "=",
                              ("In terms of φ itself", *on, " (verified symbolically):")))
    for b in act.breakpoints:
        steps.append(Step("one_sided", Notation(rf"\varphi'({sympy.latex(b.point)}^{{-}})",
                                                f"φ'({sympy.sstr(b.point)}⁻)"), b.left[1], "=",
                          ("At the breakpoint ", Notation(f"x = {sympy.latex(b.point)}", f"x = {sympy.sstr(b.point)}"),
                           ", the one-sided derivatives are")))
        steps.append(Step("one_sided", Notation(rf"\varphi'({sympy.latex(b.point)}^{{+}})",
                                                f"φ'({sympy.sstr(b.point)}⁺)"), b.right[1], "=", ""))
        if b.smoothness < 1:
            sub = act.subdifferential(b.point)
            steps.append(Step("subdifferential", Notation(rf"\partial\varphi({sympy.latex(b.point)})",
                                                          f"∂φ({sympy.sstr(b.point)})"), sub, "=",
                              "so the Clarke subdifferential there (the convex hull of the one-sided "
                              "derivatives) is" if b.smoothness == 0 else
                              "a jump: φ is not locally Lipschitz there, and"))
    d2 = act.derivative(2)
    if _short(d2):
        steps.append(Step("second_derivative", _d(2), tidy(d2, _BUDGET), "=",
                          "The critical points of φ' are the zeros of"))
    # the extrema: candidates once (sup and inf share them), then each conclusion
    first = exts.get("sup") or exts.get("inf")
    if first is not None:
        steps.append(Step("section", "The extrema of the derivative", None, ""))
        steps += _candidate_steps(first)
        other = exts.get("inf") if first is exts.get("sup") else None
        if other is not None and not other.exact and first.exact:
            steps += [s for s in _candidate_steps(other) if s.kind == "certified"]
        elif other is not None and not other.exact and not first.exact:
            steps += [s for s in _candidate_steps(other) if s.kind == "certified"]
        for ext in exts.values():
            steps += _conclusion(ext)
    rows: list[Row] = []
    for kind, ext in exts.items():
        rows.append(Row(f"{kind} phi'", Notation(rf"\{kind}_x \varphi'(x)", f"{kind} φ'"),
                        ext.value if ext.exact else ext, ext.level))
        if ext.attained and isinstance(ext.at, sympy.FiniteSet):
            at = ext.at if ext.exact else sympy.FiniteSet(*[_cut(p) for p in ext.at])
            rows.append(Row(f"{kind} attained at", Notation(rf"\text{{{kind} attained at}}\ x",
                                                            f"{kind} attained at x"),
                            at, ext.level))
    # depth
    rate = _rate(exts)
    if gb is not None and rate is not None:
        steps.append(Step("section", "Depth: the worst case", None, ""))
        grad = Notation(r"\left|\frac{\partial a_n}{\partial a_0}\right|", "|∂aₙ/∂a₀|")
        bound = (rate ** N) if not isinstance(rate, Result) else Notation(
            rf"\left({sympy.latex(rate.evalf(rate._display_digits))}\right)^{{n}}",
            f"({rate.evalf(rate._display_digits)})ⁿ")
        steps.append(Step("bound", grad, bound, "<=", (
            "For a chain of ", _N, " layers with unit weights, the chain rule makes the gradient a "
            "product of ", _N, " derivatives, each at most ", Notation(r"\sup_x |\varphi'(x)|", "sup|φ'|"),
            " in absolute value, so")))
        rows.append(Row("bound after n layers", Notation(r"\text{bound after } n \text{ layers}",
                                                         "bound after n layers"), bound,
                        level_of(rate)))
        rows.append(Row("regime", Notation(r"\text{regime}", "regime"), str(gb.regime)))
        if gb.dead_units:
            steps.append(Step("prose", None, None, "", (
                "Since φ' vanishes on a whole interval, a unit operating there passes no gradient "
                "at all (a dead unit).",)))
        if depth is not None:
            eps = sympy.Float(layers_eps, 3) if layers_eps != 1e-6 else sympy.Rational(1, 10**6)
            eps_tex = sympy.latex(eps) if layers_eps != 1e-6 else "10^{-6}"
            steps.append(Step("depth", Notation(rf"\min\{{n : \left(\sup_x|\varphi'(x)|\right)^n < {eps_tex}\}}",
                                                f"min{{n : (sup|φ'|)ⁿ < {mpmath.nstr(layers_eps, 3)}}}"),
                              sympy.Integer(depth), "=",
                              "The bound decays geometrically; by an exact integer search, the depth "
                              "at which it first drops below the threshold is"))
            rows.append(Row(f"depth to {mpmath.nstr(layers_eps, 3)}",
                            Notation(rf"\text{{depth to }} {eps_tex}", f"depth to {mpmath.nstr(layers_eps, 3)}"),
                            sympy.Integer(depth), level_of(rate)))
        else:
            eps_tex = "10^{-6}" if layers_eps == 1e-6 else sympy.latex(sympy.Float(layers_eps, 3))
            rows.append(Row(f"depth to {mpmath.nstr(layers_eps, 3)}",
                            Notation(rf"\text{{depth to }} {eps_tex}", f"depth to {mpmath.nstr(layers_eps, 3)}"),
                            sympy.oo, level_of(rate)))
    # mean field
    if meanfield is not None:
        g, mf = meanfield
        refs += ["poole2016", "schoenholz2017", "he2015"]
        if act.name == "selu":
            refs.append("klambauer2017")
        gv, chi = number(g), number(mf.chi1 if isinstance(mf.chi1, sympy.Basic | Result)
                                     else sympy.Float(mpmath.nstr(mf.chi1, 15), 15))
        steps.append(Step("section", "The average case: mean field", None, ""))
        steps.append(Step("gain", Notation(r"g", "g"), gv, "=", (
            "In the mean-field picture (Poole et al. 2016; Schoenholz et al. 2017), a wide layer "
            "with weight variance ", Notation(r"\sigma_w^2/N", "σ_w²/N"),
            " and unit-variance inputs preserves the variance when ",
            Notation(r"\sigma_w^2 = 1/\mathbb{E}[\varphi(z)^2]", "σ_w² = 1/E[φ(z)²]"), " with ",
            Notation(r"z \sim \mathcal{N}(0, 1)", "z ~ N(0, 1)"), " (He et al. 2015 for ReLU"
            + ("; Klambauer et al. 2017 for SELU" if act.name == "selu" else "")
            + "). The gain is")))
        steps.append(Step("meanfield", Notation(r"\chi_1", "χ₁"), chi,
                          "=" if level_of(chi) == "exact" else "approx", (
                              "At ", Notation(r"\sigma_w^2 = g^2,\ \sigma_b^2 = 0", "σ_w² = g², σ_b² = 0"),
                              ", the slope of the correlation map at 1 is ",
                              Notation(r"\chi_1 = \sigma_w^2\,\mathbb{E}[\varphi'(\sqrt{q^*} z)^2]",
                                       "χ₁ = σ_w² E[φ'(√q* z)²]"),
                              f"; the network is {mf.regime} ("
                              + {"ordered": "gradients shrink", "critical": "at the edge of chaos",
                                 "chaotic": "gradients grow"}.get(mf.regime, mf.regime) + "):")))
        if level_of(gv) == "sampled" or level_of(chi) == "sampled":
            steps.append(Step("prose", None, None, "", (
                "These two values come from numerical quadrature without a certified error bound; "
                "they are shown to 6 significant digits.",)))
        rows.append(Row("gain", Notation(r"\text{gain } g", "gain g"), gv, level_of(gv)))
        rows.append(Row("chi_1 at the gain", Notation(r"\chi_1 \text{ at the gain}", "χ₁ at the gain"),
                        chi, level_of(chi)))
        rows.append(Row("mean-field regime", Notation(r"\text{mean-field regime}", "mean-field regime"),
                        str(mf.regime)))
    for why in failures:
        steps.append(Step("prose", None, None, "", (why,)))
    steps.append(Step("section", "Conclusion", None, ""))
    steps.append(Step("prose", None, None, "", _summary_words(exts, gb, depth, rate)))
    return Derivation(name, tuple(steps), tuple(rows), tuple(refs), act.name)


def _summary_words(exts: dict[str, Any], gb: Any, depth: Any, rate: Any) -> tuple[Any, ...]:
    if "sup" not in exts or "inf" not in exts:
        return ("The extrema of φ' could not both be determined.",)
    s, i = exts["sup"], exts["inf"]
    out: list[Any] = ["Hence ", Notation(r"\inf_x \varphi'", "inf φ'"), " = " if i.exact else " ≈ ",
                      i.value if i.exact else i, " and ", Notation(r"\sup_x \varphi'", "sup φ'"),
                      " = " if s.exact else " ≈ ", s.value if s.exact else s, "."]
    if gb is not None:
        out += [f" The worst-case gradient regime is {gb.regime}"]
        out += [f", and the bound falls below the threshold after {depth} layers." if depth is not None else "."]
    return tuple(out)


def _gain_and_mean_field(act: Activation) -> tuple[Any, Any]:
    from ..propagation.gains import gain
    from ..propagation.meanfield import mean_field

    g = gain(act, dps=20)
    gv = g.value if isinstance(g, Result) else g
    return g, mean_field(act, weight_var=gv**2, bias_var=0, dps=20)


def _analysis(act: Activation, layers_eps: float, meanfield_budget: float) -> Derivation:
    from ..analysis.extrema import inf, sup
    from ..analysis.properties import derivative_bounds
    from ..propagation.depth import gradient_bound

    failures: list[str] = []
    exts: dict[str, Any] = {}
    try:
        b = derivative_bounds(act)
        exts = {"sup": b.sup, "inf": b.inf}
    except Exception:  # noqa: BLE001 - one side may still work
        for kind, fn in (("sup", sup), ("inf", inf)):
            try:
                exts[kind] = fn(act.derivative())
            except Exception as exc:  # noqa: BLE001 - record and go on
                failures.append(f"The {kind} of φ' could not be determined ({type(exc).__name__}).")
    gb = depth = None
    try:
        gb = gradient_bound(act, N)
        if gb.regime == "vanishing":
            depth = gradient_bound(act, 1).depth_below(layers_eps)
    except Exception as exc:  # noqa: BLE001
        failures.append(f"The gradient bound could not be computed ({type(exc).__name__}).")
    mf = None
    try:
        mf = run_isolated(meanfield_budget, _gain_and_mean_field, act)
    except BudgetExceeded:
        failures.append(f"The mean-field step was skipped: it exceeded its {meanfield_budget:g} s budget.")
    except Exception as exc:  # noqa: BLE001
        failures.append(f"The mean-field step was skipped ({type(exc).__name__}).")
    return build_derivation(act, exts, gb, depth, mf, layers_eps=layers_eps, failures=failures)


@cached(maxsize=256)
def _cached(act: Activation, layers_eps: float, meanfield_budget: float) -> Derivation:
    return _analysis(act, layers_eps, meanfield_budget)


def resolve(act: Any) -> Activation:
    """An Activation from any accepted input (see :func:`symact.expressions.coerce.as_activation`)."""
    from ..expressions.coerce import as_activation

    return as_activation(act, name="f" if isinstance(act, sympy.Basic) else None)


def derive(act: Activation | str | sympy.Expr, *, layers_eps: float = 1e-6,
           meanfield_budget: float = 6.0) -> Derivation:
    r"""Analyse an activation and write the argument down.

    Parameters
    ----------
    act : Activation, str or sympy.Expr
        An activation, a catalogue name, or an expression in :data:`symact.x`.
    layers_eps : float, keyword-only
        Threshold for the depth at which the worst-case bound drops below it.
    meanfield_budget : float, keyword-only
        Seconds allowed for the gain and :math:`\chi_1`; when exceeded the step is
        skipped and the document says so.

    Returns
    -------
    Derivation
        Cached per activation (a derivation whose mean-field step timed out is
        not kept).

    Examples
    --------
    >>> d = derive("relu")
    >>> d.title, dict(d.numbers)["regime"]
    ('Rectified linear unit (ReLU)', 'neutral')
    """
    a = resolve(act)
    out = _cached(a, float(layers_eps), float(meanfield_budget))
    return out


def derive_many(acts: Iterable[Activation | str], *, layers_eps: float = 1e-6) -> Derivation:
    r"""Derivations of several activations, one section each, with prefixed rows.

    >>> d = derive_many(["relu", "sigmoid"])
    >>> [s.lhs for s in d.steps if s.kind == "section"][:1]
    ['Rectified linear unit (ReLU)']
    """
    steps: list[Step] = []
    rows: list[Row] = []
    refs: list[str] = []
    names = []
    for a in acts:
        act = resolve(a)
        d = derive(act, layers_eps=layers_eps)
        names.append(act.name)
        steps.append(Step("section", d.title, None, ""))
        steps.extend(s for s in d.steps if s.kind != "section")
        rows.extend(Row(f"{act.name}: {r.key}", r.label, r.value, r.level) for r in d.rows)
        refs.extend(d.references)
    return Derivation("Comparison of " + ", ".join(names), tuple(steps), tuple(rows), tuple(refs))


