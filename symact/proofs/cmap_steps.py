r"""Derivations of correlation maps and length maps (``sa.derive(sa.correlation_map(...))``).

The argument is written from the result's fields and the typed records its
engine kept (:mod:`symact.propagation.cmap`): the definitions with their
sources, the fixed point :math:`q^*` and how it was proved, the dual kernel in
closed form (or how each certified value was enclosed), :math:`C'(1) = \chi_1`,
:math:`C''(1)`, :math:`C(0)`, the fixed point :math:`c^*` with the reason for
its stability, and the depth scale :math:`\xi_c = -1/\ln C'(c^*)`.  Every number
is a protocol result, so no rendering shows a digit its enclosure does not
certify.

>>> import symact as sa
>>> d = sa.derive(sa.correlation_map("relu", 2))
>>> d.row("chi_1").value_text(), d.row("chi_1").level, d.row("c*").value_text()
('1', 'exact', '1')
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import mpmath
import sympy
from flint import arb

from ..core.errors import CertificationError, UnsupportedExpression
from ..core.precision import workdps
from ..core.result import Quantity, Result, weakest
from ..core.steps import Record
from ..gaussian.bivariate import METHODS
from ..propagation.cmap import CorrelationMap, QMap, to_quantity
from ..propagation.dual import Q1, Q2, K
from .derivation import Derivation, Notation, Row, Step
from .names import proper_name

__all__ = ["KERNEL_REFERENCES", "attempt", "cmap_derivation", "derived_quantity", "integral_prose", "methods_prose",
           "qmap_derivation", "relation_of", "variances_notation"]

#: The reference key of each dual-kernel family's closed form.
KERNEL_REFERENCES = {"arc-cosine": "cho2009", "erf": "williams1997", "sign": "williams1997",
                     "gelu": "tsuchida2021"}

_EPHI2 = r"\mathbb{E}\left[\varphi(\sqrt{q}\,z)^2\right]"


def relation_of(q: Result) -> str:
    """``"="`` for an exact result, ``"approx"`` for the others (their digits are certified)."""
    return "=" if q.level == "exact" else "approx"


def derived_quantity(fn: Any, args: Sequence[Result], *, name: str, method: str,
                     dps: int) -> Quantity:
    r"""A function of results, exact when they all are, else enclosed in Arb ball arithmetic.

    ``fn`` takes SymPy values (exact case) or Arb balls built exactly from the
    enclosures (otherwise) and must use operations both support.

    >>> a = Quantity.certified(mpmath.mpf(2), mpmath.mpf("2.000001"), method="m")
    >>> derived_quantity(lambda t: t * t, [a], name="a^2", method="m", dps=20).evalf(30)
    4.00000
    >>> derived_quantity(lambda t: t + 1, [Quantity(sympy.Integer(1), "exact")], name="b",
    ...                  method="m", dps=20).value
    2
    """
    if all(a.level == "exact" for a in args):
        return Quantity(sympy.simplify(fn(*[a.value for a in args])), "exact", method=method, name=name)
    with workdps(dps + 10):
        balls = [arb.union(_exact_ball(a.enclosure[0]), _exact_ball(a.enclosure[1])) for a in args]
        out = to_quantity(fn(*balls), name=name, method=method, dps=dps)
    if all(a.level in ("exact", "certified") for a in args):
        return out
    return Quantity(out.value, "identified", out.enclosure, method, name)


def _exact_ball(v: Any) -> arb:
    """The mpf ``v`` as an exact Arb ball (mantissa times a power of two)."""
    man, exp = mpmath.mpf(v).man_exp
    return arb(int(man)) * arb(2) ** int(exp)


def variances_notation(weight_var: sympy.Expr, bias_var: sympy.Expr) -> Notation:
    r"""``\sigma_w^2 = ..., \sigma_b^2 = ...`` as notation.

    >>> variances_notation(sympy.Integer(2), sympy.Integer(0)).text
    'σ_w² = 2, σ_b² = 0'
    """
    return Notation(rf"\sigma_w^2 = {sympy.latex(weight_var)},\ \sigma_b^2 = {sympy.latex(bias_var)}",
                    f"σ_w² = {weight_var}, σ_b² = {bias_var}")


def integral_prose(rec: Record | None) -> tuple[Any, ...]:
    """The sentence saying how a certified Gaussian integral was enclosed, from its record."""
    if rec is None:
        return ("Each value is a rigorous ball-arithmetic enclosure (python-flint).",)
    tail = {"growth bound": (" The mass outside the box is bounded from a proved growth bound "
                             "|φ(x)| ≤ A + B|x|ᵏ valid on the whole line and the Gaussian tail "
                             "moments, and added to the ball.")}.get(rec.get("tail", ""), "")
    return ("Each value is certified: the Gaussian pair is written ",
            Notation(r"u = \sqrt{q}\,z_1,\ v = \sqrt{q}\,(c z_1 + \sqrt{1 - c^2}\,z_2)",
                     "u = √q z₁, v = √q (c z₁ + √(1 − c²) z₂)"),
            " with independent standard normals, and the expectation is enclosed by the first of "
            "these rigorous methods that applies: at c = 0 or |c| = 1, one-dimensional Gaussian "
            "integrals; for an activation made of pieces c xⁿ e^{ax}, conditioning on u, which "
            "leaves a closed-form inner expectation (exp and erfc) and one 1-D integral; for an "
            "activation holomorphic in a strip around the real line, a trapezoidal rule on one "
            "1-D lattice with a proved finite-rectangle form of Trefethen and Weideman's error "
            "bound; otherwise a nested integral over a box [−T, T]². The 1-D integrals use Arb's "
            "rigorous Gauss–Legendre integration (Johansson 2018) on each analytic piece, at "
            f"{rec['dps']} digits ({rec['bits']} bits) of working precision.", tail)


def methods_prose(values: Sequence[tuple[str, Quantity | None]]) -> Step | None:
    """A paragraph naming, for each certified value shown, the method that enclosed it."""
    used = []
    for label, q in values:
        tag = q.method.rpartition(": ")[2] if q is not None and ": " in q.method else ""
        if tag in METHODS:
            used.append(f"{label} by {METHODS[tag]}")
    if not used:
        return None
    return Step("prose", None, None, "", ("Of the values above, " + "; ".join(used) + ".",))


def _fixed_point_record(steps: Sequence[Record]) -> Record | None:
    return next((r for r in steps if r.kind == "fixed_point"), None)


def _qstar_steps(act_name: str, q_star: Quantity, homogeneous: bool, wv: Any, bv: Any, dps: int,
                 steps: Sequence[Record], given: bool) -> tuple[list[Step], list[str]]:
    out: list[Step] = []
    refs: list[str] = []
    qn = Notation("q^*", "q*")
    if homogeneous and bv == 0:
        out.append(Step("prose", None, None, "", (
            f"{act_name} is positively homogeneous and σ_b² = 0, so the correlation map does not "
            "depend on the input variance; it is evaluated at ", Notation("q = 1", "q = 1"), ".")))
        return out, refs
    if given:
        out.append(Step("fixed_point", Notation("q", "q"), q_star, "=", (
            "The map is evaluated at the given input variance (not necessarily a fixed point of V), "
            "so every value below is normalised by V(q) instead of q*:")))
        return out, refs
    if q_star.level == "exact":
        out.append(Step("fixed_point", qn, q_star, "=", (
            "The activation is positively homogeneous, so ",
            Notation(r"V(q) = \sigma_w^2 m\, q + \sigma_b^2", "V(q) = σ_w² m q + σ_b²"),
            " is affine, with ", Notation(r"m = \mathbb{E}[\varphi(z)^2]", "m = E[φ(z)²]"),
            "; its fixed point is ", Notation(r"\sigma_b^2/(1 - \sigma_w^2 m)", "σ_b²/(1 − σ_w² m)"), ":")))
        return out, refs
    rec = _fixed_point_record(steps)
    out.append(Step("fixed_point", qn, q_star, relation_of(q_star), (
        "The fixed point of the length map, V(q*) = q*, is certified by interval Newton: the "
        "Newton image of a ball lies inside the ball, which proves that the ball holds exactly "
        "one fixed point (Moore 1966); each V(q) is a certified Gaussian integral.")))
    refs += ["moore1966", "johansson2018"]
    if rec is not None:
        slope = to_quantity(rec["slope"], name="V'(q*)", method="arb integral", dps=dps)
        out.append(Step("fixed_point", Notation(r"V'(q^*)", "V'(q*)"), slope, relation_of(slope), (
            "Its slope decides its stability (it attracts when the slope is below 1):")))
    return out, refs


def cmap_derivation(cm: CorrelationMap, *, at: Sequence[Any] = ()) -> Derivation:
    r"""The derivation of a correlation map: definitions, q*, closed form or method, chi_1, c*, xi_c.

    Parameters
    ----------
    cm : CorrelationMap
        From :func:`symact.correlation_map`.
    at : sequence of numbers, keyword-only
        Correlations :math:`c \in [-1, 1]` at which to show :math:`C(c)` as well.

    Examples
    --------
    >>> import symact as sa
    >>> d = cmap_derivation(sa.correlation_map("relu", 2), at=[sympy.Rational(1, 2)])
    >>> d.row("C(1/2)").value_text()
    '(√(3)/2 + π/3)/π'
    >>> "cho2009" in d.references
    True
    """
    act, wv, bv, dps = cm.act, cm.weight_var, cm.bias_var, cm.dps
    name = proper_name(act.name)
    kern = cm.kernel
    homogeneous = kern.family == "arc-cosine"
    given = cm.q_star.method == "given" and not (homogeneous and bv == 0)
    refs = ["poole2016", "schoenholz2017"]
    steps: list[Step] = [Step("section", "The layer, its length map and its correlation map", None, "")]
    steps.append(Step("prose", None, None, "", (
        "A fully connected layer ", Notation(r"h' = W\varphi(h) + b", "h' = W φ(h) + b"), " with ",
        Notation(r"\operatorname{Var} W_{ij} = \sigma_w^2/N,\ \operatorname{Var} b = \sigma_b^2",
                 "Var Wᵢⱼ = σ_w²/N, Var b = σ_b²"), ", here ",
        variances_notation(wv, bv), ". In the wide limit two inputs give a centred Gaussian pair "
        "of pre-activations (Poole et al. 2016; Schoenholz et al. 2017); the variance of each "
        "evolves by the length map, with z ∼ N(0, 1),")))
    steps.append(Step("definition", Notation("V(q)", "V(q)"),
                      Notation(rf"\sigma_w^2\, {_EPHI2} + \sigma_b^2", "σ_w² E[φ(√q z)²] + σ_b²"), "="))
    steps.append(Step("definition", Notation("C(c)", "C(c)"), Notation(
        r"\frac{\sigma_w^2\, \mathbb{E}[\varphi(u)\varphi(v)] + \sigma_b^2}{q^*},\quad "
        r"\operatorname{Var} u = \operatorname{Var} v = q^*,\ \operatorname{Cov}(u, v) = c\, q^*",
        "(σ_w² E[φ(u)φ(v)] + σ_b²)/q*,  Var u = Var v = q*, Cov(u, v) = c q*"), "=",
        "and their correlation by the correlation map at the fixed point q* of V,"))
    steps.append(Step("section", "The fixed point of the length map", None, ""))
    qs, qrefs = _qstar_steps(name, cm.q_star, homogeneous, wv, bv, dps, cm.steps, given)
    steps += qs
    refs += qrefs
    steps.append(Step("section", "The map", None, ""))
    if kern.formula is not None:
        key = KERNEL_REFERENCES.get(kern.family)
        refs += [key] if key else []
        steps.append(Step("identity", Notation(r"\mathbb{E}[\varphi(u)\varphi(v)]", "E[φ(u)φ(v)]"),
                          kern.formula, "=", (
            f"The dual kernel of {name} has a proved closed form ({kern.reference}): for a centred "
            "Gaussian pair with variances q₁, q₂ and covariance k,")))
        f = cm.formula
        if f is not None:
            steps.append(Step("identity", Notation("C(c)", "C(c)"), f, "=",
                              "With the exact q* the correlation map is, in closed form,"))
        else:
            steps.append(Step("prose", None, None, "", (
                "q* is certified rather than exact, so the values below evaluate this closed form "
                "in ball arithmetic at the certified q*: each is certified.",)))
    else:
        rec = next((r for r in cm.steps if r.kind == "integral"), None)
        refs.append("johansson2018")
        steps.append(Step("prose", None, None, "", (
            f"No closed form of the dual kernel of {name} is known to symact. ", *integral_prose(rec))))
    steps.append(Step("section", "Slope and curvature at c = 1", None, ""))
    refs.append("price1958")
    chi, chi_err = attempt(lambda: cm.chi1)
    at_fixed_point = not given and not (homogeneous and bv == 0 and
                                        wv * kern.formula.subs({Q1: 1, Q2: 1, K: 1}) != 1)
    price = ("Differentiating under the expectation (Price's theorem, ",
             Notation(r"\partial_k \mathbb{E}[\varphi(u)\varphi(v)] = \mathbb{E}[\varphi'(u)\varphi'(v)]",
                      "∂E[φ(u)φ(v)]/∂k = E[φ'(u)φ'(v)]"), ") gives ")
    if at_fixed_point:
        steps.append(Step("derivative", Notation(r"C'(1)", "C'(1)"), Notation(
            r"\sigma_w^2\, \mathbb{E}\left[\varphi'(\sqrt{q^*} z)^2\right] = \chi_1",
            "σ_w² E[φ'(√q* z)²] = χ₁"), "=", (*price,
            Notation(r"C'(c) = \sigma_w^2\, \mathbb{E}[\varphi'(u)\varphi'(v)]", "C'(c) = σ_w² E[φ'(u)φ'(v)]"),
            ", so at c = 1 the slope is Poole et al.'s ", Notation(r"\chi_1", "χ₁"), ":")))
        chi_key, chi_label = "chi_1", Notation(r"\chi_1 = C'(1)", "χ₁ = C'(1)")
    else:
        steps.append(Step("derivative", Notation(r"C'(1)", "C'(1)"), Notation(
            r"\sigma_w^2\, q\, \mathbb{E}\left[\varphi'(\sqrt{q} z)^2\right] / V(q)",
            "σ_w² q E[φ'(√q z)²]/V(q)"), "=", (*price,
            "the slope of the map normalised by V(q) (q is not a fixed point of V here)",
            "; for a positively homogeneous φ, E[φ(√q z)²] = q E[φ'(√q z)²], so this slope is 1 "
            "whatever σ_w² (χ₁ = σ_w² E[φ'(z)²] governs lengths and gradients, not correlations):"
            if homogeneous else ":")))
        chi_key, chi_label = "C'(1)", Notation("C'(1)", "C'(1)")
    rows = [Row("q*", Notation("q^*", "q*"), cm.q_star, cm.q_star.level)]
    steps.append(_shown("meanfield", chi_label, chi, chi_err))
    curv, curv_err = attempt(lambda: cm.curvature)
    if curv is not None and curv.level == "exact" and curv.value == sympy.oo:
        why: Any = ("φ' jumps, so E[φ'(u)φ'(v)] has an infinite slope as c → 1 (a √(1 − c²) term): ",)
    else:
        why = ("Once more, ", Notation(r"C''(c) = \sigma_w^2 q^*\, \mathbb{E}[\varphi''(u)\varphi''(v)]",
                                      "C''(c) = σ_w² q* E[φ''(u)φ''(v)]"), ", so ",
               Notation(r"C''(1) = \sigma_w^2 q^*\, \mathbb{E}[\varphi''(\sqrt{q^*} z)^2]",
                        "C''(1) = σ_w² q* E[φ''(√q* z)²]"), ":")
    steps.append(_shown("derivative", Notation(r"C''(1)", "C''(1)"), curv, curv_err, why))
    c0, c0_err = attempt(lambda: cm.at_zero)
    why0 = ("φ is odd and σ_b² = 0, so E[φ(u)φ(v)] = 0 for independent u, v:"
            if c0 is not None and c0.method == "odd activation" else "At c = 0 the pair is independent:")
    steps.append(_shown("value_at", Notation("C(0)", "C(0)"), c0, c0_err, why0))
    rows += [_row(chi_key, chi_label, chi),
             _row("C''(1)", Notation("C''(1)", "C''(1)"), curv),
             _row("C(0)", Notation("C(0)", "C(0)"), c0)]
    shown: list[tuple[str, Quantity | None]] = []
    for c in at:
        cv = sympy.nsimplify(c) if isinstance(c, float) else sympy.sympify(c)
        if cv == 0:
            continue  # C(0) is shown above
        val, err = attempt(lambda cv=cv: cm(cv))
        label = Notation(f"C({sympy.latex(cv)})", f"C({cv})")
        steps.append(_shown("value_at", label, val, err))
        rows.append(_row(f"C({cv})", label, val))
        shown.append((f"C({cv})", val))
    how = methods_prose([("C'(1)", chi), ("C''(1)", curv), ("C(0)", c0), *shown])
    if how is not None:
        steps.append(how)
    if chi is not None:
        steps += _fixed_point_steps(cm, chi, rows)
    else:
        steps.append(Step("prose", None, None, "", (
            "Without a finite C'(1) the fixed point c* and the depth scale are not determined here.",)))
    refs.append("schoenholz2017")
    title = f"Correlation map of {name}"
    return Derivation(title, tuple(steps), tuple(rows), tuple(refs), act.name)


def attempt(fn: Any) -> tuple[Any, Exception | None]:
    """``(fn(), None)``, or ``(None, error)`` when an engine says it cannot answer.

    >>> attempt(lambda: 1)
    (1, None)
    >>> attempt(lambda: sympy.Integer(1) / 0)  # not an engine's refusal: no exception either
    (zoo, None)
    """
    try:
        return fn(), None
    except (CertificationError, UnsupportedExpression) as exc:
        return None, exc


def _shown(kind: str, lhs: Notation, q: Quantity | None, err: Exception | None,
           why: Any = "") -> Step:
    if q is not None:
        return Step(kind, lhs, q, relation_of(q), why)
    return Step("prose", None, None, "", (
        *((why,) if isinstance(why, str) else tuple(why)), " ", lhs,
        f" has no finite certified enclosure here ({type(err).__name__}: {err}).",))


def _row(key: str, label: Notation, q: Quantity | None) -> Row:
    return Row(key, label, q, q.level) if q is not None else Row(key, label, "no finite enclosure", "")


def _fixed_point_steps(cm: CorrelationMap, chi: Quantity, rows: list[Row]) -> list[Step]:
    out = [Step("section", "The fixed point c* and the depth scale", None, "")]
    out.append(Step("prose", None, None, "", (
        "By Mehler's formula ", Notation(r"C(c) = \sum_n a_n c^n", "C(c) = Σₙ aₙ cⁿ"), " with ",
        Notation(r"a_n \ge 0", "aₙ ≥ 0"), ", so C is convex on [0, 1] with C(1) = 1: "
        "besides c = 1 the equation C(c) = c has at most one root c* in [0, 1), and it has one "
        "exactly when C'(1) > 1 (C'(1) = χ₁ at a fixed point of V).",)))
    cs = cm.fixed_point
    cn = Notation("c^*", "c*")
    xi = cm.depth_scale
    if cs.level == "exact" and cs.value == 1:
        if chi.level == "exact" and chi.value == 1:
            state, reason = "marginal", ("C'(1) = 1 exactly (at a fixed point of V: the edge of chaos, "
                                          "χ₁ = 1): c* = 1 is marginal, correlations approach 1 only "
                                          "polynomially and ξ_c is infinite.")
        else:
            state, reason = "stable", ("C'(1) < 1 (the ordered phase): c* = 1 attracts, and the "
                                        "distance 1 − c shrinks by the factor C'(1) per layer.")
        out.append(Step("fixed_point", cn, cs, "=", (reason,)))
        slope = chi
        xi_why = ("The depth scale of the correlations (Schoenholz et al. 2017) is ξ_c = −1/ln C'(c*):",)
    else:
        slope = cm.derivative(cs.value, 1) if cs.level == "exact" else _slope_at(cm, cs)
        stable = bool(slope < 1)
        state = "stable" if stable else "unstable"
        out.append(Step("fixed_point", cn, cs, relation_of(cs), (
            "C'(1) > 1 (the chaotic phase), so c = 1 repels and the root c* < 1 is the attractor. ",
            "It is 0 exactly because C(0) = 0." if cs.level == "exact" and cs.value == 0 else
            ("It was located by Newton's method and bracketed by certified signs of C(c) − c "
             "(unique by convexity)."))))
        out.append(Step("derivative", Notation(r"C'(c^*)", "C'(c*)"), slope, relation_of(slope), (
            "It is stable because C is convex with C(c*) = c* and C(1) = 1, which forces C'(c*) < 1;"
            " indeed,",)))
        rows.append(Row("C'(c*)", Notation(r"C'(c^*)", "C'(c*)"), slope, slope.level))
        # enclosed over the whole enclosure of c* (CorrelationMap.depth_scale uses its midpoint)
        xi = derived_quantity(lambda v: -1 / (v.log() if isinstance(v, arb) else sympy.log(v)), [slope],
                              name="xi_c", method="interval", dps=cm.dps)
        xi_why = ("The depth scale over which correlations approach c* (Schoenholz et al. 2017) is",)
    out.append(Step("depth", Notation(r"\xi_c", "ξ_c"), Notation(
        r"-1/\ln C'(c^*)", "−1/ln C'(c*)"), "=", xi_why))
    out.append(Step("depth", Notation(r"\xi_c", "ξ_c"), xi, relation_of(xi)))
    rows += [Row("c*", Notation("c^*", "c*"), cs, cs.level),
             Row("stability", Notation(r"c^*\ \text{is}", "c* is"), state, weakest(slope.level, cs.level)),
             Row("xi_c", Notation(r"\xi_c", "ξ_c"), xi, xi.level)]
    return out


def _slope_at(cm: CorrelationMap, cs: Quantity) -> Quantity:
    """C'(c*) over the whole certified enclosure of c* (C' is increasing on [0, 1])."""
    lo, hi = cs.enclosure
    a = cm.derivative(sympy.Float(lo, cm.dps + 10), 1)
    b = cm.derivative(sympy.Float(hi, cm.dps + 10), 1)
    return Quantity.certified(a.enclosure[0], b.enclosure[1], method=a.method, name="C'(c*)",
                              digits=cm.dps)


def qmap_derivation(qm: QMap) -> Derivation:
    r"""The derivation of a length map: the definition, q* by interval Newton, V'(q*) and xi_q.

    Examples
    --------
    >>> import symact as sa
    >>> d = qmap_derivation(sa.q_map("tanh", sympy.Rational(25, 9)))
    >>> d.row("q*").level, d.row("q*").value_text()[:8]
    ('certified', '1.178480')
    """
    name = proper_name(qm.act.name)
    steps = [Step("section", "The length map", None, ""),
             Step("definition", Notation("V(q)", "V(q)"),
                  Notation(rf"\sigma_w^2\, {_EPHI2} + \sigma_b^2", "σ_w² E[φ(√q z)²] + σ_b²"), "=", (
                      "A fully connected layer with ", variances_notation(qm.weight_var, qm.bias_var),
                      f" and activation {name} maps the variance q of its pre-activations to "
                      "(Poole et al. 2016), with z ∼ N(0, 1),"))]
    steps.append(Step("fixed_point", Notation("q^*", "q*"), qm.q_star, relation_of(qm.q_star), (
        "Its fixed point V(q*) = q* is certified by interval Newton: the Newton image of a ball lies "
        "inside the ball, so the ball holds exactly one fixed point (Moore 1966); each V(q) is a "
        "certified Gaussian integral (Johansson 2018).")))
    steps.append(Step("derivative", Notation(r"V'(q)", "V'(q)"), Notation(
        r"\frac{\sigma_w^2}{2q}\,\mathbb{E}\left[\varphi(\sqrt{q}z)^2 (z^2 - 1)\right]",
        "σ_w²/(2q) E[φ(√q z)² (z² − 1)]"), "=",
        "Differentiating the Gaussian density in q (Stein's lemma),"))
    s = qm.slope
    steps.append(Step("derivative", Notation(r"V'(q^*)", "V'(q*)"), s, relation_of(s), (
        "so at the fixed point the slope is below 1, and q* attracts:" if qm.stable else
        "so at the fixed point the slope is not below 1: q* does not attract.")))
    rows = [Row("q*", Notation("q^*", "q*"), qm.q_star, qm.q_star.level),
            Row("V'(q*)", Notation(r"V'(q^*)", "V'(q*)"), s, s.level),
            Row("stability", Notation(r"q^*\ \text{is}", "q* is"),
                "stable" if qm.stable else "unstable", s.level)]
    if qm.stable and s > 0:
        xi = derived_quantity(lambda v: -1 / (v.log() if isinstance(v, arb) else sympy.log(v)), [s], name="xi_q", method="interval",
                              dps=qm.dps)
        steps.append(Step("depth", Notation(r"\xi_q = -1/\ln V'(q^*)", "ξ_q = −1/ln V'(q*)"), xi,
                          relation_of(xi), "The length converges over the depth scale "
                          "(Schoenholz et al. 2017)"))
        rows.append(Row("xi_q", Notation(r"\xi_q", "ξ_q"), xi, xi.level))
    refs = ["poole2016", "moore1966", "johansson2018", "schoenholz2017"]
    return Derivation(f"Length map of {name}", tuple(steps), tuple(rows), tuple(refs), qm.act.name)

