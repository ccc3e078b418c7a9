r"""Derivations for activation shaping (DKS/TAT) and for the dynamical-isometry search.

:func:`shape_derivation` renders a :class:`~symact.propagation.shaping.Shaping`: the
transformed activation, the four conditions, how two of them fix the output shift and
scale, the two equations solved for the input scale and shift, and -- from the
``certified`` Krawczyk record -- the box, :math:`K(X)` and the conclusion (exactly one
solution in the box).  :func:`isometry_derivation` renders an
:class:`~symact.propagation.isometry.Isometry`.  Both read only typed records and the
results' own fields, and show only certified digits.

>>> import symact as sa
>>> from symact.propagation.shaping import shape
>>> d = shape_derivation(shape("tanh", dps=15))
>>> d.row("unique").value
'yes (Krawczyk)'
"""

from __future__ import annotations

from typing import Any

import mpmath
import sympy

from ..core.precision import workdps
from ..core.result import Quantity
from .derivation import Derivation, Notation, Row, Step, phi

__all__ = ["isometry_derivation", "shape_derivation"]

_a, _b, _g, _d, _z = sympy.symbols("alpha beta gamma delta z", real=True)


def _outward(v: Any, up: bool, digits: int = 12) -> str:
    """``v`` rounded outward (down for a lower end, up for an upper end) to ``digits`` digits."""
    with workdps(digits + 30):
        v = mpmath.mpf(v)
        if v == 0:
            return "0"
        e = int(mpmath.floor(mpmath.log10(abs(v))))
        scale = mpmath.mpf(10) ** (digits - 1 - e)
        r = (mpmath.ceil(v * scale) if up else mpmath.floor(v * scale)) / scale
        return mpmath.nstr(r, digits, strip_zeros=False)


def _box_notation(ends: tuple[Any, Any], tex: str, txt: str) -> Notation:
    lo_t, hi_t = _outward(ends[0], False), _outward(ends[1], True)
    return Notation(rf"{tex} \in [{lo_t},\ {hi_t}]", f"{txt} ∈ [{lo_t}, {hi_t}]")


_Y = r"\varphi(\alpha z + \beta)"
_V = rf"E[{_Y}^2] - E[{_Y}]^2"


def shape_derivation(s: Any) -> Derivation:
    r"""The argument behind a :func:`~symact.propagation.shaping.shape` result.

    Register with the derivation dispatch as ``Shaping: shape_derivation``.

    Examples
    --------
    >>> from symact.propagation.shaping import shape
    >>> d = shape_derivation(shape("tanh", dps=15))
    >>> d.document().startswith(r"\documentclass")
    True
    """
    n = 1 if s.method == "dks" else 2
    name = "C'(1)" if n == 1 else "C''(1)"
    target = sympy.Symbol("zeta" if n == 1 else "tau")
    y = _a * _z + _b
    hat = _g * (phi(y) + _d)
    steps = [
        Step("prose", None, None, "", (
            f"Activation shaping ({s.method.upper()}; Martens et al. 2021, Zhang et al. 2022) "
            "replaces the activation by its transform with input scale and shift and output "
            "shift and scale; all local maps are taken at input variance q = 1, with z standard normal.")),
        Step("definition", Notation(r"\hat\varphi(z)", "φ̂(z)"), hat, "=", "The transformed activation is"),
        Step("definition", _d, Notation(rf"-E[{_Y}]", "-E[φ(αz + β)]"), "=",
             "The condition C(0) = 0 fixes the output shift:"),
        Step("definition", _g, Notation(rf"\left({_V}\right)^{{-1/2}}", "(E[φ(αz + β)²] - E[φ(αz + β)]²)^(-1/2)"),
             "=", "and Q(1) = 1 fixes the output scale:"),
        Step("identity", Notation(r"Q'(1)", "Q'(1)"), Notation(
            rf"\frac{{\alpha\,(E[z\,{_Y}\,\varphi'(\alpha z + \beta)] - E[{_Y}]\,E[z\,\varphi'(\alpha z + \beta)])}}{{{_V}}}",
            "α (E[z φ(αz + β) φ'(αz + β)] - E[φ(αz + β)] E[z φ'(αz + β)]) / (E[φ(αz + β)²] - E[φ(αz + β)]²)"), "=",
             "The remaining two conditions are equations in the input scale and shift: Q'(1) = 1 with"),
        Step("identity", Notation(rf"C^{{({n})}}(1)", name), Notation(
            rf"\frac{{\alpha^{{{2 * n}}}\,E[\varphi^{{({n})}}(\alpha z + \beta)^2]}}{{{_V}}}",
            f"α^{2 * n} E[φ^({n})(αz + β)²] / (E[φ(αz + β)²] - E[φ(αz + β)]²)"), "=",
             (f"and {name} = ", target, " with")),
    ]
    proof = getattr(s, "proof", None)
    od, og = s.output_shift, s.output_scale
    if proof is not None and proof.proved and proof.output_shift is not None:
        od, og = proof.output_shift, proof.output_scale
    ab = [Row("input_scale", Notation(r"\alpha", "α"), s.input_scale, s.input_scale.level),
          Row("input_shift", Notation(r"\beta", "β"), s.input_shift, s.input_shift.level)]
    rows = [*ab,
            Row("output_shift", Notation(r"\delta", "δ"), od, od.level),
            Row("output_scale", Notation(r"\gamma", "γ"), og, og.level)]
    for key, q in s.residuals.items():
        rows.append(Row(f"residual {key}", Notation(r"\text{residual } " + key.replace("'", "'"), f"residual {key}"),
                        q, q.level))
    if proof is not None:
        rec = proof.record
        steps.append(Step("prose", None, None, "", (
            "Newton's method gives an approximate solution m. Every expectation above and every entry "
            "of the Jacobian of F = (Q'(1) - 1, C(1)-slope - target) is enclosed for all parameters in "
            "a box X around m at once (Arb integrals with ball-valued scale and shift, plus a proved "
            "Gaussian tail bound). Krawczyk's operator K(X) = m - Y F(m) + (I - Y J(X))(X - m), with Y "
            "the inverse of the midpoint Jacobian, gives")))
        steps.append(Step("prose", None, None, "", (
            "(In the summary the scales and shifts enclose the exact solution, over K(X); the "
            "residuals are certified at the printed decimal parameters.)",)))
        box, kk = rec["box"], rec["krawczyk"]
        steps.append(Step("certified", _box_notation(box[0], r"\alpha", "α"), None, "", "the box X (ends rounded outward):"))
        steps.append(Step("certified", _box_notation(box[1], r"\beta", "β"), None, "", ""))
        steps.append(Step("certified", _box_notation(kk[0], r"K_\alpha", "K_α"), None, "", "and K(X):"))
        steps.append(Step("certified", _box_notation(kk[1], r"K_\beta", "K_β"), None, "", ""))
        if proof.proved:
            steps.append(Step("conclusion", None, None, "", (
                "K(X) lies in the interior of X, so F has exactly one zero in X, and it lies in K(X) "
                "(Krawczyk 1969; Moore 1977): the shaping parameters exist and are unique in this box "
                "(level certified; solutions outside the box are not excluded).")))
        else:
            steps.append(Step("conclusion", None, None, "", (
                "K(X) is not inside X: existence and uniqueness are not proved here.")))
        rows.append(Row("unique", Notation(r"\text{unique in } X", "unique in X"),
                        "yes (Krawczyk)" if proof.proved else "not proved", rec.level))
    else:
        steps.append(Step("conclusion", None, None, "", (
            "Krawczyk's test did not pass; the scale and shift are a refined Newton point, at "
            "which only the output shift, output scale and residuals are certified.")))
        rows.append(Row("unique", Notation(r"\text{unique in } X", "unique in X"), "not proved", "sampled"))
    return Derivation(f"Activation shaping ({s.method.upper()}) of {s.act.name}", tuple(steps), tuple(rows),
                      (("zhang2022",) if s.method == "tat" else ("martens2021",))
                      + ("johansson2018", "krawczyk1969"), s.act.name)


def isometry_derivation(r: Any) -> Derivation:
    r"""The argument behind an :func:`~symact.propagation.isometry.isometry` result.

    Examples
    --------
    >>> from symact.propagation.isometry import isometry
    >>> isometry_derivation(isometry("relu", 10)).row("spread").value
    10
    """
    L = sympy.Symbol("L")
    mu1, mu2, s1 = sympy.symbols("mu_1 mu_2 s_1")
    steps = [
        Step("prose", None, None, "", (
            "For the input-output Jacobian J of a deep network at initialisation, free probability "
            "(Pennington, Schoenholz and Ganguli 2017, 2018) gives the normalised spread of the "
            "spectrum of J J^T, with mu_k the Gaussian mean of the 2k-th power of the derivative at "
            "the fixed point and s_1 = -1 for Gaussian, 0 for orthogonal weights:")),
        Step("identity", Notation(r"\operatorname{Var}[\lambda]/E[\lambda]^2", "Var[λ]/E[λ]²"),
             L * (mu2 / mu1**2 - 1 - s1), "=", ""),
        Step("bound", Notation(r"\mu_2", "μ₂"), mu1**2, ">=",
             "By the Cauchy-Schwarz inequality the spread is at least -L s_1 everywhere:"),
    ]
    for rec in r.steps:
        if rec.kind == "limit" and rec.get("value") is not None:
            steps.append(Step("limit", Notation(str(rec["expr"]), str(rec["expr"])), rec["value"], "approx",
                              "As q* -> 0 along the edge of chaos (series in q):"))
    steps.append(Step("conclusion", None, None, "", (r.verdict,)))
    rows = [Row("spread", Notation(r"\text{spread}", "spread"), r if r.level != "exact" else r.value, r.level),
            Row("weight_var", Notation(r"\sigma_w^2", "σ_w²"), r.weight_var, r.weight_var.level),
            Row("bias_var", Notation(r"\sigma_b^2", "σ_b²"), r.bias_var, "exact"),
            Row("infimum", Notation(r"\inf \text{spread}", "inf spread"),
                r.infimum if isinstance(r.infimum, Quantity) and r.infimum.level != "exact" else r.infimum.value,
                r.infimum.level)]
    return Derivation(f"Dynamical isometry of {r.act.name} at depth {r.depth} ({r.weights} weights)",
                      tuple(steps), tuple(rows), ("pennington2017", "pennington2018"), r.act.name)


