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
from ..core.result import Quantity, Result, outward_float
from ..expressions.activation import Activation, x
from ..expressions.simplify import tidy
from .derivation import Derivation, Notation, Row, Step, phi, unicode_math
from .extremum_steps import (
    candidate_steps,
    conclusion_steps,
    d_notation,
    level_of,
    number,
    short_point,
)
from .identities import find_identities, rules
from .names import proper_name
from .result_steps import deriver_for

__all__ = ["build_derivation", "conventional", "conventional_derivative", "derive", "derive_many", "resolve",
           "tanh_abbreviation"]

_BUDGET = 4.0
_LONG = 400  # characters of sstr above which a formula is described, not displayed
N = sympy.Symbol("n", positive=True, integer=True)
_N = Notation("n", "n")


PHI = sympy.Function("Phi")
TANH = sympy.Function("T")  # an abbreviation in the display of gelu_tanh
PHI_N = sympy.Function("phi_N")  # the standard normal density (φ is the activation here)
SIGMA = sympy.Function("sigma")


def conventional(expr: sympy.Expr) -> tuple[sympy.Expr, str]:
    r"""``expr`` written with Φ (the standard normal CDF) and σ (the logistic sigmoid), if they occur.

    Returns the rewritten expression and a phrase naming the symbols introduced
    (``""`` when nothing was rewritten).

    >>> conventional(x * (1 + sympy.erf(x / sympy.sqrt(2))) / 2)
    (x*Phi(x), 'Φ the standard normal distribution function')
    >>> conventional(1 / (1 + sympy.exp(-x)))[1]
    ''
    """
    rep = {sympy.erf(sympy.sqrt(2) * x / 2): 2 * PHI(x) - 1, 1 / (1 + sympy.exp(-x)): SIGMA(x)}
    out = expr.xreplace(rep)
    if out == expr:
        return expr, ""
    out = sympy.factor_terms(sympy.expand(out))
    if out in (PHI(x), SIGMA(x)):
        return expr, ""  # the function itself: nothing gained by renaming it
    names = []
    if out.has(PHI):
        names.append("Φ the standard normal distribution function")
    if out.has(SIGMA):
        names.append("σ the logistic sigmoid")
    return out, " and ".join(names)


def conventional_derivative(d: sympy.Expr) -> tuple[sympy.Expr, str]:
    r"""``d`` written with Φ and the standard normal density :math:`\varphi_N(x) = e^{-x^2/2}/\sqrt{2\pi}`.

    A display-only rewrite (``d`` itself is unchanged): it is returned only when
    substituting the definitions back simplifies to ``d`` exactly, so the formula shown
    is proved equal; else ``(d, "")``.

    >>> d = sympy.diff(x * (1 + sympy.erf(x / sympy.sqrt(2))) / 2, x)
    >>> conventional_derivative(d)[0]
    x*phi_N(x) + Phi(x)
    >>> conventional_derivative(sympy.tanh(x))
    (tanh(x), '')
    """
    rep = {sympy.erf(sympy.sqrt(2) * x / 2): 2 * PHI(x) - 1,
           sympy.exp(-x**2 / 2): sympy.sqrt(2 * sympy.pi) * PHI_N(x)}
    out = d.xreplace(rep)
    if out == d or not out.has(PHI_N):
        return d, ""
    out = sympy.factor_terms(sympy.expand(out))
    back = out.xreplace({PHI(x): (1 + sympy.erf(x / sympy.sqrt(2))) / 2,
                         PHI_N(x): sympy.exp(-x**2 / 2) / sympy.sqrt(2 * sympy.pi)})
    if sympy.simplify(back - d) != 0:  # never show a formula not proved equal
        return d, ""
    what = "phi_N the standard normal density"
    return out, ("Φ the standard normal distribution function and " + what) if out.has(PHI) else what


def tanh_abbreviation(d: sympy.Expr) -> tuple[sympy.Expr, sympy.Expr | None]:
    r"""``d`` with its one ``tanh`` of a polynomial of degree > 1 written :math:`T(x)`.

    Returns ``(d written with T, the tanh it stands for)``, or ``(d, None)`` when there is
    no such single ``tanh``; display only, and checked: putting the ``tanh`` back gives ``d``.

    >>> tanh_abbreviation(sympy.diff(x * sympy.tanh(x + x**3), x))
    (x*(1 - T(x)**2)*(3*x**2 + 1) + T(x), tanh(x**3 + x))
    >>> tanh_abbreviation(sympy.diff(sympy.tanh(x), x))[1] is None
    True
    """
    atoms = [t for t in d.atoms(sympy.tanh) if t.args[0].is_polynomial(x)
             and sympy.degree(t.args[0], x) > 1]
    if len(atoms) != 1 or len(d.atoms(sympy.tanh)) != 1:
        return d, None
    t = atoms[0]
    out = d.xreplace({t: TANH(x)})
    if sympy.expand(out.xreplace({TANH(x): t}) - d) != 0:
        return d, None
    return out, t


def _in_sentence(name: str) -> str:
    """A proper name inside a sentence: lower-case its first letter unless it is a proper noun."""
    first = name.split(" ")[0]
    if first in ("Gaussian", "Mish") or any(c.isupper() for c in first[1:]):
        return name
    return name[0].lower() + name[1:]


def _short(expr: Any) -> bool:
    return len(sympy.sstr(expr)) <= _LONG


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
    params = [Notation(rf"\texttt{{{str(k).replace('_', chr(92) + '_')}}} = {sympy.latex(v)}",
                       f"{k} = {unicode_math(v)}")
              for k, v in act.params.items()]
    intro: list[Any] = [f"Let φ be the {_in_sentence(name)}"]
    for i, p in enumerate(params):
        intro += [", " if i else " with ", p]
    intro += [". We determine the supremum and infimum of its derivative over the real line, "
              "and from them the worst-case bound on the gradient through ", _N, " layers; then "
              "the mean-field slope ", Notation(r"\chi_1", "χ₁"),
              " at the variance-preserving initialisation. By definition,"]
    steps.append(Step("definition", phi(x), act.expr, "=", tuple(intro)))
    if act.name == "selu":
        refs.append("klambauer2017")
        steps.append(Step("prose", None, None, "", (
            "Its constants λ and α are the closed-form solutions of the self-normalising "
            "fixed-point conditions of Klambauer et al. (2017).",)))
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
    steps.append(Step("derivative", d_notation(), d, "=", why))
    usual_d, what_d = conventional_derivative(d)
    if what_d:
        steps.append(Step("derivative", d_notation(), usual_d, "=", (
            "that is, with " + ("Φ the standard normal distribution function and " if usual_d.has(PHI) else ""),
            Notation(r"\phi_{N}(x) = e^{-x^2/2}/\sqrt{2\pi}", "phi_N(x) = exp(-x²/2)/√(2π)"),
            " the standard normal density (substituting back simplifies to the derivative above),")))
    short_d, tanh_of = tanh_abbreviation(d) if not what_d else (d, None)
    if tanh_of is not None:
        steps.append(Step("derivative", d_notation(), short_d, "=", (
            "that is, writing ", Notation(rf"T(x) = {sympy.latex(tanh_of)}", f"T(x) = {unicode_math(tanh_of)}"),
            ",")))
    elif not d.has(sympy.Piecewise):
        simple = tidy(d, _BUDGET)
        if simple != d and _short(simple):
            steps.append(Step("derivative", d_notation(), simple, "=", "which simplifies to"))
    for p in act.pieces:
        for form in find_identities(p.expr, sympy.diff(p.expr, x)):
            on: tuple[Any, ...] = () if len(act.pieces) == 1 else (" on ", p.interval)
            steps.append(Step("identity", d_notation(), conventional(form)[0], "=",
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
    flat = d2 == 0 or (isinstance(d2, sympy.Piecewise) and all(e == 0 for e, _ in d2.args))
    if _short(d2) and not flat:
        steps.append(Step("second_derivative", d_notation(2), tidy(d2, _BUDGET), "=",
                          "The critical points of φ' are the zeros of"))
    # the extrema: candidates once (sup and inf share them), then each conclusion
    first = exts.get("sup") or exts.get("inf")
    if first is not None:
        steps.append(Step("section", "The extrema of the derivative", None, ""))
        steps += candidate_steps(first)
        other = exts.get("inf") if first is exts.get("sup") else None
        if other is not None and not other.exact:
            shown = {s.text() for s in steps}
            steps += [s for s in candidate_steps(other)
                      if s.kind == "certified" or (s.kind == "tail" and s.text() not in shown)]
        for ext in exts.values():
            steps += conclusion_steps(ext)
    rows: list[Row] = []
    for kind, ext in exts.items():
        rows.append(Row(f"{kind} phi'", Notation(rf"\{kind}_x \varphi'(x)", f"{kind} φ'"),
                        ext.value if ext.exact else ext, ext.level))
        if ext.attained and isinstance(ext.at, sympy.FiniteSet):
            at = ext.at if ext.exact else sympy.FiniteSet(*[short_point(p) for p in ext.at])
            rows.append(Row(f"{kind} attained at", Notation(rf"\text{{{kind} attained at}}\ x",
                                                            f"{kind} attained at x"),
                            at, ext.level))
    # depth
    rate = _rate(exts)
    if gb is not None and rate is not None:
        steps.append(Step("section", "Depth: the worst case", None, ""))
        grad = Notation(r"\left|\frac{\partial a_n}{\partial a_0}\right|", "|∂aₙ/∂a₀|")
        if isinstance(rate, Result):  # a "<=" bound: the certified digits rounded up, never below sup|phi'|
            up = outward_float(rate.enclosure[1], min(rate.digits or 1, rate._display_digits), up=True)
            bound = Notation(rf"\left({sympy.latex(up)}\right)^{{n}}", f"({up})ⁿ")
        else:
            bound = rate ** N
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
        q_star = getattr(mf, "q_star", None)
        if q_star is not None:
            qv = number(q_star if isinstance(q_star, sympy.Basic | Result)
                        else sympy.Float(mpmath.nstr(q_star, 15), 15))
            status = str(getattr(mf, "status", ""))
            escapes = tuple(getattr(mf, "escapes", ()))
            steps.append(Step("fixed_point", Notation("q^*", "q*"), qv, "=" if level_of(qv) == "exact" else "approx", (
                "Starting from unit variance, the variance map ",
                Notation(r"V(q) = \sigma_w^2\,\mathbb{E}[\varphi(\sqrt{q} z)^2]", "V(q) = σ_w² E[φ(√q z)²]"),
                (" has the fixed point" if escapes else " settles at") if status != "q -> 0"
                else " drives the variance to 0:")))
            if escapes:
                steps.extend(_repelling_steps(mf, escapes))
        steps.append(Step("meanfield", Notation(r"\chi_1", "χ₁"), chi,
                          "=" if level_of(chi) == "exact" else "approx", (
                              "At ", Notation(r"\sigma_w^2 = g^2,\ \sigma_b^2 = 0", "σ_w² = g², σ_b² = 0"),
                              ", the slope of the correlation map at 1 is ",
                              Notation(r"\chi_1 = \sigma_w^2\,\mathbb{E}[\varphi'(\sqrt{q^*} z)^2]",
                                       "χ₁ = σ_w² E[φ'(√q* z)²]"),
                              f"; the network is {mf.regime} ("
                              + {"ordered": "gradients shrink", "critical": "at the edge of chaos",
                                 "chaotic": "gradients grow"}.get(mf.regime, mf.regime) + "):")))
        for rec in getattr(mf, "steps", ()):
            if rec.kind == "convention":  # an activation that jumps: say which chi_1 this is
                steps.append(Step("prose", None, None, "", (
                    "Here φ' is the almost-everywhere derivative (what autograd back-propagates). φ jumps at ",
                    Notation(", ".join(sympy.latex(j) for j in rec["jumps"]), ", ".join(map(str, rec["jumps"]))),
                    ", so its distributional derivative has Dirac masses there, and the distributional ",
                    Notation(r"\chi_1", "χ₁"), " is infinite.")))
        if level_of(gv) == "sampled" or level_of(chi) == "sampled":
            steps.append(Step("prose", None, None, "", (
                "These two values come from numerical quadrature without a certified error bound; "
                "they are shown to 6 significant digits.",)))
        rows.append(Row("gain", Notation(r"\text{gain } g", "gain g"), gv, level_of(gv)))
        rows.append(Row("chi_1 at the gain", Notation(r"\chi_1 \text{ at the gain}", "χ₁ at the gain"),
                        chi, level_of(chi)))
        rows.append(Row("mean-field regime", Notation(r"\text{mean-field regime}", "mean-field regime"),
                        str(mf.regime)))
    kinds = {st.kind for st in steps}
    if "limit" in kinds:
        refs.insert(0, "gruntz1996")
    if "certified" in kinds:
        refs.insert(0, "johansson2017")
    if meanfield is not None and "certified" in (level_of(gv), level_of(chi)):
        refs.append("johansson2018")
    for why in failures:
        steps.append(Step("prose", None, None, "", (why,)))
    steps.append(Step("section", "Conclusion", None, ""))
    steps.append(Step("prose", None, None, "", _summary_words(exts, gb, depth, rate)))
    return Derivation(name, tuple(steps), tuple(rows), tuple(refs), act.name)


def _repelling_steps(mf: Any, escapes: tuple) -> list[Step]:
    """The gain's fixed point repels: say so, and where a variance just above or below it goes."""
    p = next((fp for fp in mf.fixed_points if fp.q is mf.q_star), None)
    slope = number(p.slope) if p is not None else None
    out: list[Any] = ["This fixed point repels: ", Notation(r"V'(q^*)", "V'(q*)"), " = "
                      if slope is not None and level_of(slope) == "exact" else " ≈ ", slope, " > 1",
                      ". A network started at exactly unit variance stays there, but the smallest deviation grows."]
    for e in escapes:
        side = "Above " if e.direction == "up" else "Below "
        if e.q is None:
            rel, val = _inline(e.chi1)
            out += [f" {side}it the variance grows without bound and ", Notation(r"\chi_1", "χ₁"),
                    " tends to " if rel == "=" else " tends to ≈ ", val, "."]
        else:
            rel, val = _inline(e.chi1)
            out += [f" {side}it the variance goes to the attracting fixed point ", Notation("q", "q"), " = ",
                    number(e.q), ", where ", Notation(r"\chi_1", "χ₁"), f" {rel} ", val, "."]
    if any(e.level == "sampled" for e in escapes):
        out.append(" (Where the variance goes is shown by float64 iteration only, not certified.)")
    out.append(" The value of χ₁ below is the one at the repelling fixed point itself.")
    return [Step("prose", None, None, "", tuple(out))]


def _inline(value: Any) -> tuple[str, Any]:
    """A number for a sentence: a short closed form as it is, a long one by its certified digits."""
    n = number(value)
    if level_of(n) == "exact" and len(sympy.latex(getattr(n, "value", n))) > 60:
        return "≈", n.evalf(15)
    return ("=" if level_of(n) == "exact" else "≈"), n


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

    g = gain(act)
    # the gain's weight_var keeps its enclosure, which holds the exact gain^2: the mean
    # field is then certified at the gain itself, not at a rounded decimal near it
    return g, mean_field(act, weight_var=g.weight_var, bias_var=0)


# What an engine raises when it cannot answer (a certification that fails, an expression it
# does not support, a budget that runs out); anything else is a bug and propagates.
_EXPECTED = (ArithmeticError, ValueError, TypeError, NotImplementedError, BudgetExceeded)


def _analysis(act: Activation, layers_eps: float, meanfield_budget: float) -> Derivation:
    from ..analysis.extrema import inf, sup
    from ..analysis.properties import derivative_bounds
    from ..propagation.depth import gradient_bound

    failures: list[str] = []
    exts: dict[str, Any] = {}
    try:
        b = derivative_bounds(act)
        exts = {"sup": b.sup, "inf": b.inf}
    except _EXPECTED:  # one side may still work
        for kind, fn in (("sup", sup), ("inf", inf)):
            try:
                exts[kind] = fn(act.derivative())
            except _EXPECTED as exc:  # record and go on
                failures.append(f"The {kind} of φ' could not be determined ({type(exc).__name__}).")
    gb = depth = None
    try:
        gb = gradient_bound(act, N)
        if gb.regime == "vanishing":
            depth = gradient_bound(act, 1).depth_below(layers_eps)
    except _EXPECTED as exc:
        failures.append(f"The gradient bound could not be computed ({type(exc).__name__}).")
    mf = None
    try:
        mf = run_isolated(meanfield_budget, _gain_and_mean_field, act, clock="cpu")
    except BudgetExceeded:
        failures.append(f"The mean-field step was skipped: it exceeded its {meanfield_budget:g} s CPU-time budget.")
    except Exception as exc:  # noqa: BLE001 - the isolated child may return any error, wrapped
        failures.append(f"The mean-field step was skipped ({type(exc).__name__}).")
    return build_derivation(act, exts, gb, depth, mf, layers_eps=layers_eps, failures=failures)


@cached(maxsize=256)
def _cached(act: Activation, layers_eps: float, meanfield_budget: float) -> Derivation:
    return _analysis(act, layers_eps, meanfield_budget)


def resolve(act: Any) -> Activation:
    """An Activation from any accepted input (see :func:`symact.expressions.coerce.as_activation`)."""
    from ..expressions.coerce import as_activation

    return as_activation(act, name="f" if isinstance(act, sympy.Basic) else None)


def derive(act: Any, *, layers_eps: float = 1e-6,
           budget: float = 6.0, meanfield_budget: float | None = None,
           at: Sequence[Any] = ()) -> Derivation:
    r"""Analyse an activation, or derive a propagation result, and write the argument down.

    Parameters
    ----------
    act : Activation, str, sympy.Expr or a result
        An activation, a catalogue name, or an expression in :data:`symact.x`; or a
        result of :func:`symact.correlation_map`, :func:`symact.q_map`,
        :func:`symact.nngp`/:func:`symact.ntk` or :func:`symact.jacobian_spectrum`,
        whose derivation is written from its fields and records (see
        :mod:`symact.proofs.result_steps` for the table of result types).
    layers_eps : float, keyword-only
        Threshold for the depth at which the worst-case bound drops below it.
    budget : float, keyword-only
        CPU seconds (of the isolated child, so the same on a busy machine) for the
        gain and :math:`\chi_1`; when exceeded the step is skipped and the document
        says so.
    meanfield_budget : float, keyword-only, deprecated
        The old name of ``budget``.
    at : sequence of numbers, keyword-only
        For a correlation map: the correlations c at which to show C(c) as well.

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
    >>> from symact.propagation.cmap import correlation_map
    >>> derive(correlation_map("relu", 2)).row("C(0)").value_text()
    '1/π'
    """
    builder = deriver_for(act)
    if builder is not None:
        return builder(act, at=at) if at else builder(act)
    if at:
        raise TypeError("derive(..., at=...) applies to correlation maps only")
    if meanfield_budget is not None:
        import warnings

        warnings.warn("derive(meanfield_budget=...) is deprecated; use budget=...", DeprecationWarning,
                      stacklevel=2)
        budget = meanfield_budget
    a = resolve(act)
    return _cached(a, float(layers_eps), float(budget))


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


