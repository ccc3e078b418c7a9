r"""Derivations of NNGP/NTK kernels and of the Jacobian spectrum's moments.

``sa.derive(sa.ntk(...))`` writes the kernel recursion of Lee et al. (2018) and
Jacot et al. (2018) in neural-tangents' convention, the dual kernel and its
derivative in closed form (or how they were certified) and the kernel matrices
after ``depth`` layers; ``sa.derive(sa.jacobian_spectrum(...))`` writes the
free-probability argument of Pennington, Schoenholz & Ganguli (2017, 2018)
step by step -- the S-transform's first two coefficients, their
multiplicativity, the moments of each factor -- then
:math:`\mu_1`, :math:`\mu_2`, the mean and variance of the spectrum and the
dynamical-isometry verdict.  Every number is a protocol result with its level.

>>> import symact as sa
>>> d = sa.derive(sa.jacobian_spectrum("relu", 2, 0, 10, weights="orthogonal"))
>>> d.row("variance").value_text(), d.row("mu_2/mu_1^2").value_text()
('10', '2')
"""

from __future__ import annotations

from typing import Any

import sympy

from ..core.result import Quantity
from ..propagation.dual import dual_kernel
from ..propagation.kernels import KernelResult
from ..propagation.spectrum import JacobianSpectrum
from .cmap_steps import (
    KERNEL_REFERENCES,
    derived_quantity,
    integral_prose,
    relation_of,
    variances_notation,
)
from .derivation import Derivation, Notation, Row, Step
from .names import proper_name

__all__ = ["kernel_derivation", "spectrum_derivation"]

_LONG = 160
M = Notation  # longer exact entries are shown as decimals beside their level


def _matrix(entries: tuple[tuple[Quantity, ...], ...]) -> sympy.Matrix:
    """The kernel matrix with exact entries where short, else their certified digits."""
    def cell(q: Quantity) -> Any:
        if _written_out(q):
            return q.value
        return q.evalf(20)
    return sympy.Matrix([[cell(q) for q in row] for row in entries])


def kernel_derivation(kr: KernelResult) -> Derivation:
    r"""The derivation of an NNGP/NTK result: the recursion, the dual kernels, the matrices.

    Examples
    --------
    >>> import symact as sa
    >>> d = kernel_derivation(sa.ntk("relu", 1, 2, 0, q1=1, c=0))
    >>> d.row("ntk[0,1]").value_text(), d.row("nngp[0,0]").value_text()
    ('1/π', '1')
    """
    if kr.act is None:
        raise ValueError("this KernelResult does not record its problem (act, depth, variances); "
                         "compute it with symact.nngp or symact.ntk")
    act, dk = kr.act, kr.kernel
    name = proper_name(act.name)
    refs = ["lee2018", "jacot2018", "novak2020"]
    steps = [Step("section", "The kernel recursion", None, ""),
             Step("prose", None, None, "", (
                 f"A fully connected network of {kr.depth} layer{'' if kr.depth == 1 else 's'} "
                 f"Dense → {name}, with ",
                 variances_notation(kr.weight_var, kr.bias_var),
                 " in the NTK parameterisation (the convention of neural-tangents' stax.Dense; "
                 "Novak et al. 2020). In the infinite-width limit its outputs are a Gaussian "
                 "process (Lee et al. 2018) and gradient descent follows the neural tangent kernel "
                 "(Jacot et al. 2018). The inputs enter as the covariance of the first "
                 "pre-activations, and ", M(r"\Theta^1 = \Sigma^1", "Θ¹ = Σ¹"), ":")),
             Step("definition", Notation(r"\Sigma^{1} = \Theta^{1}", "Σ¹ = Θ¹"),
                  sympy.Matrix(kr.inputs), "="),
             Step("definition", Notation(r"\Sigma^{l+1}", "Σˡ⁺¹"), Notation(
                 r"\sigma_w^2\, \mathbb{E}[\varphi(u)\varphi(v)] + \sigma_b^2,\quad (u, v) \sim "
                 r"N(0, \Sigma^l)", "σ_w² E[φ(u)φ(v)] + σ_b²,  (u, v) ∼ N(0, Σˡ)"), "=",
                 "Each layer maps the kernels entrywise, for each pair of inputs,"),
             Step("definition", Notation(r"\Theta^{l+1}", "Θˡ⁺¹"), Notation(
                 r"\Sigma^{l+1} + \sigma_w^2\, \mathbb{E}[\varphi'(u)\varphi'(v)]\, \Theta^{l}",
                 "Σˡ⁺¹ + σ_w² E[φ'(u)φ'(v)] Θˡ"), "=")]
    steps.append(Step("section", "The dual kernels", None, ""))
    if dk is not None and dk.formula is not None:
        key = KERNEL_REFERENCES.get(dk.family)
        refs += [key] if key else []
        steps.append(Step("identity", Notation(r"\mathbb{E}[\varphi(u)\varphi(v)]", "E[φ(u)φ(v)]"),
                          dk.formula, "=", (
            f"The dual kernel of {name} has a proved closed form ({dk.reference}), with variances "
            "q₁, q₂ and covariance k,")))
        refs.append("price1958")
        steps.append(Step("identity", Notation(r"\mathbb{E}[\varphi'(u)\varphi'(v)]", "E[φ'(u)φ'(v)]"),
                          sympy.simplify(dk.closed(1)), "=",
                          "and by Price's theorem its derivative in k is the derivative kernel,"))
        if kr.level == "exact":
            steps.append(Step("prose", None, None, "", (
                f"Composing these closed forms through the {kr.depth} layer{'' if kr.depth == 1 else 's'} "
                "gives every entry exactly. The composition is kept as a recursion of named "
                "sub-expressions (each level refers only to the one before; expanded, the formula "
                "would grow threefold per layer), and its digits come from evaluating that same "
                "recursion in ball arithmetic.",)))
            if _named(kr):
                steps += _recursion_steps(kr)
        else:
            steps.append(Step("prose", None, None, "", (
                "The closed forms are evaluated in ball arithmetic layer by layer, so every entry "
                "is certified (the inputs of each layer are themselves balls).",)))
    else:
        refs.append("johansson2018")
        steps.append(Step("prose", None, None, "", (
            f"No closed form of the dual kernels of {name} is known to symact; both are certified "
            "Gaussian integrals, layer by layer. ",
            *integral_prose(next((r for r in kr.steps if r.kind == "integral"), None)))))
    steps.append(Step("section", f"After {kr.depth} layer{'' if kr.depth == 1 else 's'}", None, ""))
    lvl = "exact" if kr.level == "exact" else "certified"
    steps.append(Step("kernel", Notation(rf"\Sigma^{{{kr.depth + 1}}}", f"Σ^{kr.depth + 1}"),
                      _matrix(kr.nngp), "=" if lvl == "exact" and _all_short(kr.nngp) else "approx",
                      f"The NNGP kernel ({lvl}; decimals show only certified digits):"))
    steps.append(Step("kernel", Notation(rf"\Theta^{{{kr.depth + 1}}}", f"Θ^{kr.depth + 1}"),
                      _matrix(kr.ntk), "=" if lvl == "exact" and _all_short(kr.ntk) else "approx",
                      "and the neural tangent kernel:"))
    rows = []
    n = len(kr.nngp)
    long_forms = []
    for which, mat in (("nngp", kr.nngp), ("ntk", kr.ntk)):
        sym = r"\Sigma" if which == "nngp" else r"\Theta"
        for i in range(n):
            for j in range(i, n):
                q = mat[i][j]
                label = Notation(rf"{sym}^{{{kr.depth + 1}}}_{{{i + 1}{j + 1}}}", f"{which}[{i},{j}]")
                if q.level == "exact" and not _written_out(q) and q.value.is_number:
                    # a long closed form gets its own display; the table shows its digits
                    long_forms.append(Step("kernel", label, q.value, "="))
                    dec = q.evalf(20)
                    rows.append(Row(f"{which}[{i},{j}]", label, Notation(
                        rf"{sympy.latex(dec)}\ \text{{(closed form above)}}", f"{dec} (closed form above)"),
                        "exact"))
                elif q.level == "exact" and not q.value.is_number:  # named in the recursion
                    dec = q.evalf(20)
                    rows.append(Row(f"{which}[{i},{j}]", label, Notation(
                        rf"{sympy.latex(dec)}\ \text{{(exact: the recursion)}}", f"{dec} (exact: the recursion)"),
                        "exact"))
                else:
                    rows.append(Row(f"{which}[{i},{j}]", label, q, q.level))
    if long_forms:
        steps.append(Step("prose", None, None, "", ("The long entries in closed form:",)))
        steps += long_forms
    title = f"NNGP and NTK of a depth-{kr.depth} {name} network"
    return Derivation(title, tuple(steps), tuple(rows), tuple(refs), act.name)


def _recursion_steps(kr: KernelResult) -> list[Step]:
    """The named recursion for the pair (1, 2), from level l to l + 1 (l = 1, ..., depth)."""
    from ..propagation.dual import Q1, Q2, K

    sym = {nm: sympy.Symbol(f"{nm}^l_12", real=True) for nm in ("Sigma", "Theta")}
    s11, s22 = sympy.Symbol("Sigma^l_11", positive=True), sympy.Symbol("Sigma^l_22", positive=True)
    env = {Q1: s11, Q2: s22, K: sym["Sigma"]}
    w, b = kr.weight_var, kr.bias_var
    nxt = {nm: sympy.Symbol(f"{nm}^l+1_12", real=True) for nm in ("Sigma", "Theta")}
    rhs_s = w * kr.kernel.closed(0).subs(env) + b
    rhs_t = nxt["Sigma"] + w * kr.kernel.closed(1).subs(env) * sym["Theta"]
    return [Step("identity", Notation(r"\Sigma^{l+1}_{12}", "Σˡ⁺¹₁₂"), rhs_s, "=",
                 "so that, for the pair of inputs (1, 2) and l = 1, ..., depth,"),
            Step("identity", Notation(r"\Theta^{l+1}_{12}", "Θˡ⁺¹₁₂"), rhs_t, "="),
            Step("prose", None, None, "", (
                "with the diagonal entries from the same recursion at k = q₁ = q₂; "
                "KernelResult.recursion() lists every level.",))]


def _all_short(M: tuple[tuple[Quantity, ...], ...]) -> bool:
    return all(_written_out(q) for row in M for q in row)


def _written_out(q: Quantity) -> bool:
    """An exact entry given as a short explicit closed form (not a symbol of the recursion)."""
    return q.level == "exact" and q.value.is_number and len(sympy.latex(q.value)) <= _LONG


def _named(kr: KernelResult) -> bool:
    return any(q.level == "exact" and not q.value.is_number for M in (kr.nngp, kr.ntk) for row in M
               for q in row)


def spectrum_derivation(js: JacobianSpectrum) -> Derivation:
    r"""The derivation of the Jacobian spectrum's mean and variance, with the verdict.

    Examples
    --------
    >>> import symact as sa
    >>> d = spectrum_derivation(sa.jacobian_spectrum("relu", 2, 0, 10))
    >>> d.row("mean").value_text(), d.row("variance").value_text()
    ('1', '20')
    """
    if js.act is None:
        raise ValueError("this JacobianSpectrum does not record its problem (act, variances); "
                         "compute it with symact.jacobian_spectrum")
    name = proper_name(js.act.name)
    L, gaussian = js.depth, js.weights == "gaussian"
    # phi' piecewise constant and no bias: the moments do not depend on q (as the engine uses)
    homogeneous = dual_kernel(js.act).family == "arc-cosine" and js.bias_var == 0
    s1 = -1 if gaussian else 0
    dps = 30
    refs = ["pennington2017", "pennington2018"]
    steps = [Step("section", "The input-output Jacobian", None, ""),
             Step("definition", Notation("J", "J"), Notation(
                 r"\prod_{l=1}^{L} W_l D_l,\quad D_l = \operatorname{diag}\varphi'(h^l)",
                 "∏ₗ Wₗ Dₗ,  Dₗ = diag φ'(hˡ)"), "=", (
                 f"A network of L = {L} layers ", M(r"h^{l+1} = W_l\varphi(h^l) + b_l", "hˡ⁺¹ = Wₗφ(hˡ) + bₗ"),
                 f" with activation {name}, ",
                 variances_notation(js.weight_var, js.bias_var),
                 f" and {js.weights} weights, has the input-output Jacobian")),
             Step("prose", None, None, "", (
                 "At initialisation every pre-activation has the variance ", M("q^*", "q*"),
                 " of the length map's fixed point, so the diagonal factors have the moments ",
                 M(r"\mu_k = \mathbb{E}[\varphi'(\sqrt{q^*}z)^{2k}]", "μₖ = E[φ'(√q* z)^(2k)]"), ":"))]
    steps.append(Step("fixed_point", Notation("q^*", "q*"), js.q_star, relation_of(js.q_star), (
        "Here φ' is piecewise constant and σ_b² = 0, so every q gives the same moments; take"
        if homogeneous else
        "The fixed point of the length map, certified by interval Newton (Moore 1966), is")))
    if not homogeneous:
        refs.append("moore1966")
    for sym, k, q in ((r"\mu_1", 2, js.mu1), (r"\mu_2", 4, js.mu2)):
        steps.append(Step("expectation", Notation(
            rf"{sym} = \mathbb{{E}}\left[\varphi'(\sqrt{{q^*}} z)^{k}\right]",
            f"μ{'₁' if k == 2 else '₂'} = E[φ'(√q* z){'²' if k == 2 else '⁴'}]"), q, relation_of(q)))
    rec = next((r for r in js.steps if r.kind == "integral"), None)
    if rec is not None:
        refs.append("johansson2018")
        steps.append(Step("prose", None, None, "", (
            "Both moments are certified one-dimensional Gaussian integrals: Arb's rigorous "
            "Gauss–Legendre integration (Johansson 2018) on each analytic piece of a finite range, "
            f"at {rec['dps']} digits ({rec['bits']} bits), plus a proved bound on the tails from a "
            "growth bound of the integrand.",)))
    steps.append(Step("meanfield", Notation(r"\chi = \sigma_w^2 \mu_1", "χ = σ_w² μ₁"), js.chi,
                      relation_of(js.chi)))
    steps.append(Step("section", "Free probability: the mean and the variance", None, ""))
    steps.append(Step("prose", None, None, "", (
        "In the wide limit the factors ", M(r"W_lW_l^\top", "WₗWₗᵀ"), " and ", M("D_l^2", "Dₗ²"),
        " are asymptotically free (Pennington et al. 2017, 2018), and ", M(r"JJ^\top", "JJᵀ"),
        " has the spectrum of their free product. For a positive element X with moments ",
        M("m_1, m_2", "m₁, m₂"), ", invert ", M(r"\psi(z) = m_1 z + m_2 z^2 + \dots", "ψ(z) = m₁z + m₂z² + …"),
        " and set ", M(r"S(z) = \psi^{-1}(z)\,(1 + z)/z", "S(z) = ψ⁻¹(z)(1 + z)/z"),
        "; its first two coefficients give the mean and the normalised variance ",
        M("v = m_2/m_1^2 - 1", "v = m₂/m₁² − 1"), ":")))
    steps.append(Step("identity", Notation("S_X(z)", "S_X(z)"), Notation(
        r"\frac{1}{m_1(X)}\left(1 - v(X)\, z + O(z^2)\right)", "(1 − v(X) z + O(z²))/m₁(X)"), "="))
    steps.append(Step("identity", Notation(r"S_{XY} = S_X S_Y", "S_XY = S_X S_Y"), Notation(
        r"m_1(XY) = m_1(X)\, m_1(Y),\quad v(XY) = v(X) + v(Y)",
        "m₁(XY) = m₁(X) m₁(Y), v(XY) = v(X) + v(Y)"), "->", (
        "The S-transform of a free product is the product of the S-transforms (Voiculescu), so")))
    wv_why = (("For Gaussian weights ", M(r"WW^\top", "WWᵀ"), " is Marchenko–Pastur with ratio 1: ",
               M(r"m_1 = \sigma_w^2,\ m_2 = 2\sigma_w^4", "m₁ = σ_w², m₂ = 2σ_w⁴"), ", so") if gaussian
              else ("For orthogonal weights ", M(r"WW^\top = \sigma_w^2 I", "WWᵀ = σ_w² I"), ", so"))
    steps.append(Step("identity", Notation(r"v(WW^\top) = -s_1", "v(WWᵀ) = −s₁"), sympy.Integer(-s1),
                      "=", wv_why))
    steps.append(Step("identity", Notation(r"v(D^2)", "v(D²)"), Notation(
        r"\frac{\mu_2}{\mu_1^2} - 1", "μ₂/μ₁² − 1"), "=", (
        "The diagonal factor has ", M(r"m_1(D^2) = \mu_1", "m₁(D²) = μ₁"), " and ",
        M(r"m_2(D^2) = \mu_2", "m₂(D²) = μ₂"), ", so")))
    steps.append(Step("conclusion", Notation(r"\mathbb{E}[\lambda] = \chi^{L},\quad "
                                             r"\operatorname{Var}[\lambda]", "E[λ] = χᴸ, Var[λ]"),
                      Notation(r"\chi^{2L}\, L \left(\frac{\mu_2}{\mu_1^2} - 1 - s_1\right)",
                               "χ²ᴸ L (μ₂/μ₁² − 1 − s₁)"), "=", (
        "Multiplying L copies, the mean is the product of the means and the normalised variance "
        "the sum; the variance is the squared mean times it. At criticality (", M(r"\chi = 1", "χ = 1"),
        ") this is Pennington et al.'s ",
        M(r"\sigma^2_{JJ^\top} = L(\mu_2/\mu_1^2 - 1 - s_1)", "σ² = L(μ₂/μ₁² − 1 − s₁)"), ":")))
    ratio = derived_quantity(lambda a, b: b / (a * a), [js.mu1, js.mu2], name="mu2/mu1^2",
                             method="interval", dps=dps)
    spread = derived_quantity(lambda r: L * (r - 1 - s1), [ratio], name="normalised variance",
                              method="interval", dps=dps)
    steps.append(Step("section", f"At depth L = {L}", None, ""))
    steps.append(Step("value_at", Notation(r"\mu_2/\mu_1^2", "μ₂/μ₁²"), ratio, relation_of(ratio)))
    steps.append(Step("value_at", Notation(r"\mathbb{E}[\lambda]", "E[λ]"), js.mean,
                      relation_of(js.mean)))
    steps.append(Step("value_at", Notation(r"\operatorname{Var}[\lambda]", "Var[λ]"), js.variance,
                      relation_of(js.variance)))
    steps.append(Step("value_at", Notation(r"\operatorname{Var}[\lambda]/\mathbb{E}[\lambda]^2",
                                           "Var[λ]/E[λ]²"), spread, relation_of(spread)))
    verdict = _verdict(gaussian, ratio, L)
    steps.append(Step("prose", None, None, "", (verdict,)))
    rows = [Row("q*", Notation("q^*", "q*"), js.q_star, js.q_star.level),
            Row("mu_1", Notation(r"\mu_1", "μ₁"), js.mu1, js.mu1.level),
            Row("mu_2", Notation(r"\mu_2", "μ₂"), js.mu2, js.mu2.level),
            Row("chi", Notation(r"\chi = \sigma_w^2\mu_1", "χ"), js.chi, js.chi.level),
            Row("mu_2/mu_1^2", Notation(r"\mu_2/\mu_1^2", "μ₂/μ₁²"), ratio, ratio.level),
            Row("mean", Notation(r"\mathbb{E}[\lambda]", "E[λ]"), js.mean, js.mean.level),
            Row("variance", Notation(r"\operatorname{Var}[\lambda]", "Var[λ]"), js.variance,
                js.variance.level),
            Row("normalised variance", Notation(r"\operatorname{Var}/\mathbb{E}^2", "Var/E²"), spread,
                spread.level),
            Row("isometry", Notation(r"\text{dynamical isometry}", "dynamical isometry"),
                "no" if gaussian or not (ratio.level == "exact" and ratio.value == 1) else "yes",
                "exact" if gaussian else ratio.level)]
    title = f"Jacobian spectrum of a depth-{L} {name} network ({js.weights} weights)"
    return Derivation(title, tuple(steps), tuple(rows), tuple(refs), js.act.name)


def _verdict(gaussian: bool, ratio: Quantity, L: int) -> str:
    if gaussian:
        return (f"Verdict: no dynamical isometry. Gaussian weights contribute 1 per layer to the "
                f"normalised variance, so it is at least L = {L} whatever the activation "
                "(μ₂ ≥ μ₁² by Cauchy–Schwarz); orthogonal weights remove that term.")
    if ratio.level == "exact" and ratio.value == 1:
        return ("Verdict: dynamical isometry. With orthogonal weights and μ₂ = μ₁² the spectrum "
                "does not spread with depth.")
    return ("Verdict: no exact dynamical isometry at these variances. With orthogonal weights the "
            "normalised variance is L(μ₂/μ₁² − 1), growing linearly in depth; for sigmoid-like "
            "activations μ₂/μ₁² → 1 as q* → 0 along the critical line (Pennington et al. 2017), "
            "while for ReLU it is 2 at every q*.")
