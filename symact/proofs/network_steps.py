r"""Derivations of network propagation (``sa.propagate``) and of init reports.

``sa.derive(sa.propagate(net, ...))`` writes the state each block maps -- second moments,
correlation, NTK and mean squared Jacobian -- with the rule of each block kind that the
network uses (the formulas of :mod:`symact.networks.blocks`), the values after the last
block with their levels, and, for residual stacks, the growth law and how strongly it is
shown.  ``sa.derive(sa.init_report(...))`` reads a framework's init as mean field.

>>> import symact as sa
>>> d = sa.derive(sa.propagate(sa.repeat(sa.serial(sa.dense(2), "relu"), 3), 1))
>>> d.row("q").value_text(), d.row("chi").value_text()
('1', '1')
"""

from __future__ import annotations

from ..networks.blocks import Block
from ..networks.propagate import Propagation
from ..networks.reports import InitReport
from .derivation import Derivation, Notation, Row, Step

__all__ = ["init_derivation", "network_derivation"]

M = Notation

_RULES: dict[str, tuple[str, Notation]] = {
    "dense": ("A dense layer with weight variance w per fan-in and bias variance b maps",
              M(r"K \mapsto wK + b,\quad \Theta \mapsto w\Theta + (wK + b),\quad \chi \mapsto w\chi",
                "K ↦ wK + b,  Θ ↦ wΘ + (wK + b),  χ ↦ wχ")),
    "act": ("A pointwise activation maps, with (u, v) centred Gaussian with the state's moments,",
            M(r"K \mapsto \mathbb{E}[\varphi(u)\varphi(v)],\quad \Theta \mapsto "
              r"\mathbb{E}[\varphi'(u)\varphi'(v)]\,\Theta,\quad \chi \mapsto \mathbb{E}[\varphi'(u)^2]\chi",
              "K ↦ E[φ(u)φ(v)],  Θ ↦ E[φ'(u)φ'(v)] Θ,  χ ↦ E[φ'(u)²] χ")),
    "layer_norm": ("LayerNorm at infinite width divides by the state's centred moments:",
                   M(r"K_{12} \mapsto \frac{K_{12} - \mu_1\mu_2}{\sqrt{(q_1-\mu_1^2)(q_2-\mu_2^2)}},"
                     r"\quad \chi \mapsto \chi/(q_1 - \mu_1^2)",
                     "K₁₂ ↦ (K₁₂ − μ₁μ₂)/√((q₁−μ₁²)(q₂−μ₂²)),  χ ↦ χ/(q₁ − μ₁²)")),
    "rms_norm": ("RMSNorm divides by the raw second moments:",
                 M(r"K_{12} \mapsto K_{12}/\sqrt{q_1 q_2},\quad \chi \mapsto \chi/q_1",
                   "K₁₂ ↦ K₁₂/√(q₁q₂),  χ ↦ χ/q₁")),
    "residual": ("A residual block y = s x + a f(x) whose branch holds independent zero-mean "
                 "weights adds the branch's maps (the cross terms are products of means):",
                 M(r"K \mapsto s^2 K + a^2 K_f + sa(\mu\mu_f + \mu_f\mu),\quad "
                   r"\chi \mapsto (s^2 + a^2\chi_f + 2sa\,m_f)\chi",
                   "K ↦ s²K + a²K_f + sa(μμ_f + μ_fμ),  χ ↦ (s² + a²χ_f + 2sa m_f)χ")),
    "glu": ("A gated unit φ(u)⊙v with u, v independent dense maps of the input maps",
            M(r"K \mapsto \mathbb{E}[\varphi(u)\varphi(u')]K_u,\quad \chi \mapsto "
              r"w(\mathbb{E}[\varphi'(u)^2]q_u + \mathbb{E}[\varphi(u)^2])\chi",
              "K ↦ E[φ(u)φ(u')] K_u,  χ ↦ w(E[φ'(u)²] q_u + E[φ(u)²]) χ")),
}


def _kinds(b: Block) -> list[str]:
    out: list[str] = []
    for leaf in b.flatten():
        kind = "dense" if leaf.kind == "conv" else leaf.kind
        if kind not in out:
            out.append(kind)
        if leaf.kind == "residual":
            out += [k for k in _kinds(leaf.children[0]) if k not in out]
    return out


def network_derivation(r: Propagation) -> Derivation:
    """The derivation of a :class:`~symact.networks.propagate.Propagation`."""
    refs = ["novak2020", "jacot2018", "doshi2023"]
    n_leaves = len(r.profile)
    steps = [Step("section", "The network and its infinite-width state", None, ""),
             Step("prose", None, None, "", (
                 f"The network {r.net!r} has {n_leaves} block{'s' if n_leaves != 1 else ''}. "
                 "At infinite width each block maps the state of two inputs: second moments ",
                 M("q_1, q_2", "q₁, q₂"), ", covariance ", M("K_{12}", "K₁₂"), ", the neural "
                 "tangent kernel Θ (NTK parameterisation, as neural-tangents' stax) and the mean "
                 "squared input-output Jacobian ", M(r"\chi = \frac1n\mathbb{E}\operatorname{tr}JJ^\top",
                                                     "χ = E tr(JJᵀ)/n"), " (Doshi et al. 2023)."))]
    for kind in _kinds(r.net):
        if kind in _RULES:
            words, formula = _RULES[kind]
            steps.append(Step("definition", formula, None, "=", words))
    if "residual" in _kinds(r.net):
        refs.append("yang2017")
    how = ("every block has a closed form (dense, normalisation, piecewise-linear activations), "
           "so the recursion is run exactly in SymPy and each value is checked against its Arb "
           "enclosure" if r.level == "exact" else
           "each Gaussian moment is a proved closed form evaluated in ball arithmetic or a "
           "certified integral (Arb), block by block, so every value is a rigorous enclosure "
           "and shows only certified digits")
    steps.append(Step("prose", None, None, "", (f"Here {how}.",)))
    steps.append(Step("section", "After the last block", None, ""))
    rows = [Row("q", M("q_1", "q₁"), r.q1, r.q1.level)]
    if r.c is not None:
        rows.append(Row("c", M("c", "c"), r.c, r.c.level))
    rows += [Row("ntk", M(r"\Theta_{11}", "Θ₁₁"), r.ntk[0][0], r.ntk[0][0].level),
             Row("chi", M(r"\chi", "χ"), r.chi, r.chi.level)]
    for row in rows:
        steps.append(Step("meanfield", row.label, row.value, "=" if row.level == "exact" else "approx"))
    if r.growth is not None:
        steps.append(Step("section", "Growth with depth", None, ""))
        strength = {"exact": "proved", "bound": "a proved bound and an asymptotic law",
                    "asymptotic": "asymptotic"}.get(r.growth.level, r.growth.level)
        steps.append(Step("prose", None, None, "", (f"{r.growth.statement} ({strength}).",)))
    return Derivation(f"Signal propagation through {r.net!r}", tuple(steps), tuple(rows),
                      tuple(refs), "")


def init_derivation(rep: InitReport) -> Derivation:
    """The derivation of an :class:`~symact.networks.reports.InitReport`."""
    refs = ["poole2016", "schoenholz2017"]
    steps = [Step("section", "From the framework's init to mean field", None, ""),
             Step("definition", M(r"\sigma_w^2", "σ_w²"), rep.weight_var, "=", (
                 f"Weights drawn from N(0, std²) with std = {rep.std} and fan-in {rep.width} have "
                 "variance σ_w²/fan-in with")),
             ]
    rows = [Row("weight_var", M(r"\sigma_w^2", "σ_w²"), rep.weight_var, "exact")]
    if rep.q_star is not None:
        steps.append(Step("meanfield", M("q^*", "q*"), rep.q_star,
                          "=" if rep.q_star.level == "exact" else "approx",
                          "The variance map's fixed point reached from q = 1 is"))
        steps.append(Step("meanfield", M(r"\chi_1", "χ₁"), rep.chi1,
                          "=" if rep.chi1.level == "exact" else "approx",
                          "and the gradient factor per layer there is"))
        rows += [Row("q_star", M("q^*", "q*"), rep.q_star, rep.q_star.level),
                 Row("chi1", M(r"\chi_1", "χ₁"), rep.chi1, rep.chi1.level)]
    else:
        refs.append("yang2017")
    steps.append(Step("meanfield", M(r"\chi_{\text{total}}", "χ_total"), rep.chi,
                      "=" if rep.chi.level == "exact" else "approx",
                      f"Through all {rep.depth} blocks the mean squared input-output Jacobian is"))
    rows.append(Row("chi", M(r"\chi_{\text{total}}", "χ_total"), rep.chi, rep.chi.level))
    if rep.critical_std is not None:
        rows.append(Row("critical_std", M(r"\text{std}_{\text{crit}}", "std_crit"),
                        rep.critical_std, rep.critical_std.level))
        steps.append(Step("meanfield", M(r"\text{std}_{\text{crit}}", "std_crit"), rep.critical_std,
                          "=" if rep.critical_std.level == "exact" else "approx",
                          "The std that would put the network at the edge of chaos (χ₁ = 1) is"))
    steps.append(Step("prose", None, None, "", (f"Verdict: {rep.verdict}.",)))
    title = f"The init of a {rep.activation} {rep.block} network: width {rep.width}, std {rep.std}"
    return Derivation(title, tuple(steps), tuple(rows), tuple(refs), rep.activation)
