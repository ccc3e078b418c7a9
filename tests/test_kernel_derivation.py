"""Derivations of C-maps, Q-maps, NNGP/NTK kernels and Jacobian spectra (``sa.derive(result)``).

Independent references: closed forms written here (the arc-cosine kernel of Cho & Saul
2009, Williams' erf kernel and its derivative, neural-tangents' ReLU NTK step), and mpmath
quadrature at 40 digits for tanh (the fixed point by ``findroot``, the Gaussian means by
``quad``).  Every decimal shown in a summary row must be the reference correctly rounded
to the digits shown; a widened enclosure must shrink the digits shown.
"""

from __future__ import annotations

import dataclasses
import re

import mpmath
import pytest
import sympy
from hypothesis import example, given, settings
from hypothesis import strategies as st
from test_derivation import _assert_correctly_rounded, _text_groups, compile_all

import symact as sa
from symact.core.result import Quantity, Result, certified_digits
from symact.proofs.derivation import Derivation
from symact.proofs.documents import combined_document
from symact.proofs.result_steps import DERIVERS, deriver_for, register

R = sympy.Rational
c = sympy.Symbol("c")


# -- references ---------------------------------------------------------------------------
def _gauss(f, q, dps=40):
    with mpmath.workdps(dps):
        s = mpmath.sqrt(q)
        return mpmath.quad(lambda t: f(s * t) * mpmath.exp(-t * t / 2), [-mpmath.inf, 0, mpmath.inf]) \
            / mpmath.sqrt(2 * mpmath.pi)


def _tanh_reference(wv, bv):
    """q*, chi_1, C''(1), C(0), mu_2 for tanh, by mpmath at 40 digits."""
    with mpmath.workdps(40):
        wv, bv = mpmath.mpf(wv.p) / wv.q, mpmath.mpf(bv.p) / bv.q
        q = mpmath.findroot(lambda q: wv * _gauss(lambda t: mpmath.tanh(t) ** 2, q) + bv - q, 0.3)
        d1 = lambda t: mpmath.sech(t) ** 2  # noqa: E731
        d2 = lambda t: -2 * mpmath.tanh(t) * mpmath.sech(t) ** 2  # noqa: E731
        chi = wv * _gauss(lambda t: d1(t) ** 2, q)
        return {"q*": q, "chi_1": chi, "C''(1)": wv * q * _gauss(lambda t: d2(t) ** 2, q),
                "C(0)": bv / q,  # E[tanh(u)] = 0, so E[tanh(u) tanh(v)] = 0 for independent u, v
                "xi_c": -1 / mpmath.log(chi), "mu_1": _gauss(lambda t: d1(t) ** 2, q),
                "mu_2": _gauss(lambda t: d1(t) ** 4, q)}


def _erf_reference(wv, bv):
    """erf (Williams 1997): K = (2/pi) asin(2k/sqrt((1+2q1)(1+2q2))), Kdot = (4/pi)/sqrt(...)."""
    with mpmath.workdps(40):
        wv, bv = mpmath.mpf(wv.p) / wv.q, mpmath.mpf(bv.p) / bv.q
        Kf = lambda k, q: 2 / mpmath.pi * mpmath.asin(2 * k / (1 + 2 * q))  # noqa: E731
        Kd = lambda k, q: 4 / mpmath.pi / mpmath.sqrt((1 + 2 * q) ** 2 - 4 * k * k)  # noqa: E731
        q = mpmath.findroot(lambda q: wv * Kf(q, q) + bv - q, 1)
        C = lambda x: (wv * Kf(x * q, q) + bv) / q  # noqa: E731
        cstar = mpmath.findroot(lambda x: C(x) - x, 0.6)
        d2 = lambda t: -4 * t / mpmath.sqrt(mpmath.pi) * mpmath.exp(-t * t)  # noqa: E731
        slope = wv * Kd(cstar * q, q)
        return {"q*": q, "chi_1": wv * Kd(q, q), "C''(1)": wv * q * _gauss(lambda t: d2(t) ** 2, q),
                "C(0)": bv / q, "c*": cstar, "C'(c*)": slope, "xi_c": -1 / mpmath.log(slope)}


def _check_rows(d, ref):
    """Every decimal row with a reference is that reference correctly rounded; returns the count."""
    n = 0
    for row in d.rows:
        shown = row.value_text()
        if row.key in ref and re.fullmatch(r"-?\d+\.\d+(e[+-]?\d+)?", shown):
            try:
                _assert_correctly_rounded(shown, ref[row.key])
            except AssertionError as exc:
                raise AssertionError(f"{d.title}, {row.key}: {exc}") from None
            n += 1
    return n


# -- C-maps -------------------------------------------------------------------------------
def test_relu_cmap_derivation_is_the_arc_cosine_kernel():
    d = sa.derive(sa.correlation_map("relu", 2), at=[R(1, 2), R(-9, 10)])
    arc = lambda t: (sympy.sqrt(1 - t**2) + (sympy.pi - sympy.acos(t)) * t) / sympy.pi  # noqa: E731
    for key, t in (("C(1/2)", R(1, 2)), ("C(-9/10)", R(-9, 10)), ("C(0)", 0)):
        row = d.row(key)
        assert row.level == "exact"
        assert sympy.simplify(row.value.value - arc(sympy.sympify(t))) == 0, key
    assert d.row("chi_1").value.value == 1 and d.row("C''(1)").value.value == sympy.oo
    assert d.row("c*").value.value == 1 and d.row("stability").value == "marginal"
    assert d.row("xi_c").value.value == sympy.oo
    assert {"cho2009", "poole2016", "schoenholz2017", "price1958"} <= set(d.references)
    # the closed form of the map itself is displayed
    shown = [s for s in d.steps if s.kind == "identity" and getattr(s.lhs, "text", "") == "C(c)"]
    assert shown and sympy.simplify(shown[0].rhs.subs(shown[0].rhs.free_symbols.pop(), c) - arc(c)) == 0


def test_erf_cmap_chaotic_fixed_point_against_williams():
    wv, bv = R(2), R(1, 10)
    d = sa.derive(sa.correlation_map(sympy.erf(sa.x), wv, bv))
    assert _check_rows(d, _erf_reference(wv, bv)) == 7
    assert d.row("stability").value == "stable" and "williams1997" in d.references
    assert d.row("q*").level == "certified" and d.row("c*").level == "certified"


def test_tanh_cmap_certified_against_mpmath():
    wv, bv = R(1), R(1, 10)
    d = sa.derive(sa.correlation_map("tanh", wv, bv))
    ref = _tanh_reference(wv, bv)
    assert _check_rows(d, ref) == 5
    assert d.row("c*").value.value == 1 and d.row("stability").value == "stable"
    # how the enclosure was obtained: the engine's record, rendered
    text = d.text()
    assert "Gauss–Legendre" in text and "bits" in text and "tail" not in d.row("q*").label.text
    assert "johansson2018" in d.references and "moore1966" in d.references


def test_qmap_derivation():
    wv, bv = R(1), R(1, 10)
    d = sa.derive(sa.q_map("tanh", wv, bv))
    ref = _tanh_reference(wv, bv)
    with mpmath.workdps(40):
        slope = wv * _gauss(lambda t: mpmath.tanh(t) ** 2 * (t * t / ref["q*"] - 1), ref["q*"]) / (2 * ref["q*"])
        ref = {"q*": ref["q*"], "V'(q*)": slope, "xi_q": -1 / mpmath.log(slope)}
    assert _check_rows(d, ref) == 3
    assert d.row("stability").value == "stable"


# -- kernels ------------------------------------------------------------------------------
def test_relu_ntk_derivation_against_neural_tangents_step():
    wv, bv, cc = R(2), R(1, 10), R(1, 2)
    d = sa.derive(sa.ntk("relu", 1, wv, bv, q1=1, c=cc))
    # neural-tangents' stax.Relu on (q, q, c q) followed by Dense: closed forms written here
    K = (sympy.sqrt(1 - cc**2) + (sympy.pi - sympy.acos(cc)) * cc) / (2 * sympy.pi)
    Kd = (sympy.pi - sympy.acos(cc)) / (2 * sympy.pi)
    nngp = wv * K + bv
    ntk = nngp + wv * Kd * cc
    assert sympy.simplify(d.row("nngp[0,1]").value.value - nngp) == 0
    assert sympy.simplify(d.row("ntk[0,1]").value.value - ntk) == 0
    assert d.row("ntk[0,0]").value.value == wv / 2 + bv + wv / 2 * 1
    assert {"lee2018", "jacot2018", "novak2020", "cho2009"} <= set(d.references)


def test_tanh_nngp_certified_against_mpmath():
    d = sa.derive(sa.nngp("tanh", 1, 1, R(1, 10), q1=1, c=0))
    with mpmath.workdps(40):
        diag = _gauss(lambda t: mpmath.tanh(t) ** 2, 1) + mpmath.mpf(1) / 10
        # the NTK adds E[tanh'(u)^2] Theta^1 = E[sech^4(z)] on the diagonal; off it, c = 0
        ref = {"nngp[0,0]": diag, "ntk[0,0]": diag + _gauss(lambda t: mpmath.sech(t) ** 4, 1),
               "nngp[0,1]": mpmath.mpf(1) / 10, "ntk[0,1]": mpmath.mpf(1) / 10}
    assert _check_rows(d, ref) == 4
    assert d.row("nngp[0,0]").level == "certified"


# -- spectra ------------------------------------------------------------------------------
@pytest.mark.parametrize("weights,variance", [("gaussian", 20), ("orthogonal", 10)])
def test_relu_spectrum_derivation(weights, variance):
    d = sa.derive(sa.jacobian_spectrum("relu", 2, 0, 10, weights=weights))
    # mu_1 = mu_2 = 1/2 (phi' is 0 or 1 with probability 1/2), chi = 1, var = L (2 - 1 - s1)
    assert d.row("mu_1").value.value == R(1, 2) and d.row("mu_2").value.value == R(1, 2)
    assert d.row("mean").value.value == 1 and d.row("variance").value.value == variance
    assert d.row("isometry").value == "no"
    assert {"pennington2017", "pennington2018"} <= set(d.references)


def test_tanh_spectrum_against_mpmath():
    wv, bv, L = R(1), R(1, 10), 20
    d = sa.derive(sa.jacobian_spectrum("tanh", wv, bv, L, weights="orthogonal"))
    ref = _tanh_reference(wv, bv)
    with mpmath.workdps(40):
        m1, m2 = ref["mu_1"], ref["mu_2"]
        ref |= {"chi": m1, "mu_2/mu_1^2": m2 / m1**2, "mean": m1**L,
                "variance": m1 ** (2 * L) * L * (m2 / m1**2 - 1), "normalised variance": L * (m2 / m1**2 - 1)}
    assert _check_rows(d, ref) == 8


# -- honesty: no digit beyond the enclosure -----------------------------------------------
def _decimals(s):
    return re.findall(r"\d+\.\d+", s)


def test_wide_enclosure_shows_fewer_digits():
    js = sa.jacobian_spectrum("tanh", 1, R(1, 10), 20, weights="orthogonal")
    lo, hi = js.mu1.enclosure
    with mpmath.workdps(40):
        wide = Quantity.certified(lo - mpmath.mpf(10) ** -7, hi + mpmath.mpf(10) ** -7,
                                  method="test", name="mu_1")
    d = sa.derive(dataclasses.replace(js, mu1=wide, chi=wide))  # sigma_w^2 = 1: chi = mu_1
    allowed = certified_digits(*wide.enclosure, 30)
    full = certified_digits(*js.mu1.enclosure, 30)
    assert len(allowed) < 12 < len(full)
    for text in (d.text(), d.latex(), d.markdown()):
        assert full[:14] not in text  # the narrow digits must not leak through
        assert allowed in text
    # the derived ratio is enclosed from the wide mu_1 too
    assert d.row("mu_2/mu_1^2").value.digits <= 9


def test_every_certified_row_shows_only_certified_digits():
    ds = [sa.derive(sa.correlation_map("tanh", 1, R(1, 10))),
          sa.derive(sa.correlation_map(sympy.erf(sa.x), 2, R(1, 10))),
          sa.derive(sa.jacobian_spectrum("tanh", 1, R(1, 10), 20, weights="orthogonal"))]
    checked = 0
    for d in ds:
        for row in d.rows:
            v = row.value
            if isinstance(v, Result) and v.level == "certified":
                allowed = certified_digits(*v.enclosure, 60)
                shown = row.value_text()
                digits = len(re.sub(r"\D", "", shown.split("e")[0]).lstrip("0"))
                assert digits <= len(re.sub(r"\D", "", allowed.split("e")[0]).lstrip("0")), (row.key, shown)
                checked += 1
    assert checked >= 15


# -- dispatch -----------------------------------------------------------------------------
def test_dispatch_table_and_registration():
    cm = sa.correlation_map("relu", 2)
    assert deriver_for(cm) is DERIVERS[type(cm)]

    @dataclasses.dataclass(frozen=True)
    class Shaped:
        gamma: int

    register(Shaped, lambda r: Derivation("shaped", (), ((("gamma", r.gamma)),)))
    try:
        assert sa.derive(Shaped(3)).row("gamma").value_text() == "3"
    finally:
        del DERIVERS[Shaped]
    with pytest.raises(TypeError):
        sa.derive("relu", at=[0])


# -- LaTeX --------------------------------------------------------------------------------
def test_documents_typeset_cleanly():
    results = [sa.correlation_map("relu", 2), sa.correlation_map("tanh", 1, R(1, 10)),
               sa.correlation_map(sympy.erf(sa.x), 2, R(1, 10)), sa.q_map("tanh", 1, R(1, 10)),
               sa.ntk("relu", 2, 2, R(1, 10), q1=1, c=R(1, 2)), sa.nngp("tanh", 1, 1, R(1, 10), q1=1, c=0),
               sa.jacobian_spectrum("tanh", 1, R(1, 10), 20, weights="orthogonal"),
               sa.jacobian_spectrum("relu", 2, 0, 10)]
    ds = [sa.derive(r, at=[R(1, 2)]) if isinstance(r, type(results[0])) else sa.derive(r)
          for r in results]
    docs = {"kernels": combined_document(ds, title="Kernels, maps and spectra")}
    for name, tex in docs.items():
        assert "?" not in re.sub(r"\\item .*|\\url\{.*?\}", "", tex.split(r"\begin{document}")[1]), name
        assert "sqrt(" not in tex and "**" not in tex and "Matrix(" not in tex, name
        assert not [t for t in _text_groups(tex) if re.search(r"[=^]", t)], name
    for name, log in compile_all(docs).items():
        over = [ln for ln in log.splitlines() if ln.startswith("Overfull \\hbox")]
        assert not over, f"{name}: {over}"
    assert ds[1].document().startswith(r"\documentclass")
    md = ds[1].markdown()
    assert "$$" in md and "| quantity | value | level |" in md


# -- command line -------------------------------------------------------------------------
def test_cli_latex_markdown_and_pdf(capsys, tmp_path):
    from symact.presentation.cli import main

    assert main(["kernel", "relu", "--weight-var", "2", "--c", "1/2", "--latex"]) == 0
    tex = capsys.readouterr().out
    assert tex.startswith(r"\documentclass") and r"\end{document}" in tex
    assert r"\frac{1}{\pi}" in tex and "Cho" in tex  # C(0) = 1/pi, the arc-cosine kernel's source
    assert main(["spectrum", "relu", "--weight-var", "2", "--depth", "10", "--weights", "orthogonal",
                 "--markdown"]) == 0
    md = capsys.readouterr().out
    assert md.startswith("## Jacobian spectrum") and "| $\\operatorname{Var}[\\lambda]$ | $10$ | exact |" in md
    out = tmp_path / "spec.tex"
    assert main(["spectrum", "relu", "--weight-var", "2", "--depth", "10", "--latex", "-o", str(out),
                 "--pdf"]) == 0
    assert (tmp_path / "spec.pdf").read_bytes()[:4] == b"%PDF"
    assert main(["kernel", "relu", "--pdf"]) == 2
    assert "--pdf needs --latex" in capsys.readouterr().err


def test_leaky_relu_cmap_matches_dks_formula_and_is_normalised():
    a = R(1, 100)
    d = sa.derive(sa.correlation_map("leaky_relu", 2), at=[R(1, 2), R(-9, 10)])

    def dks(t):  # google-deepmind/dks _leaky_relu_cmap, written out here
        return ((1 - a) ** 2 * (sympy.sqrt(1 - t**2) + (sympy.pi - sympy.acos(t)) * t) / sympy.pi
                + 2 * a * t) / (1 + a**2)
    for key, t in (("C(0)", 0), ("C(1/2)", R(1, 2)), ("C(-9/10)", R(-9, 10))):
        assert abs(sympy.N(d.row(key).value.value - dks(sympy.sympify(t)), 50)) < 1e-45, key
    # sigma_w^2 = 2 is not a fixed point for slope 1/100 (chi_1 = 1.0001), so the row is
    # the normalised map's slope C'(1) = 1, not chi_1
    assert d.row("C'(1)").value.value == 1
    with pytest.raises(KeyError):
        d.row("chi_1")


_SLOPES = st.sampled_from([R(-1), R(-1, 3), R(0), R(1, 100), R(1, 2), R(1), R(2)])


@settings(max_examples=6, deadline=None)
@example(a=R(0), b=R(1), t=R(1, 2))  # ReLU
@example(a=R(-1), b=R(1), t=R(-1, 2))  # abs
@example(a=R(1), b=R(1), t=R(3, 4))  # the identity: C(c) = c
@given(a=_SLOPES, b=_SLOPES, t=st.fractions("-19/20", "19/20", max_denominator=20))
def test_two_slope_cmaps_against_the_relu_decomposition(a, b, t):
    """phi = a min(x, 0) + b max(x, 0) = b relu(x) - a relu(-x), so with
    J(c) = E[relu(u) relu(v)] = (sqrt(1-c^2) + (pi - acos c) c)/(2 pi) at unit variances,
    E[phi(u) phi(v)] = (a^2 + b^2) J(c) - 2ab J(-c), normalised by its value at c = 1."""
    if a == b == 0:
        return
    t = R(t.numerator, t.denominator)
    act = a * sympy.Min(sa.x, 0) + b * sympy.Max(sa.x, 0)
    d = sa.derive(sa.correlation_map(act, 1), at=[t])
    with mpmath.workdps(50):
        J = lambda x: (mpmath.sqrt(1 - x * x) + (mpmath.pi - mpmath.acos(x)) * x) / (2 * mpmath.pi)  # noqa: E731
        A, B, T = (mpmath.mpf(v.p) / v.q for v in (a, b, t))
        K = lambda x: (A * A + B * B) * J(x) - 2 * A * B * J(-x)  # noqa: E731
        ref = K(T) / K(1)
        key = "C(0)" if t == 0 else f"C({t})"
        row = d.row(key)
        assert row.level == "exact"
        assert abs(mpmath.mpf(str(sympy.N(row.value.value, 50))) - ref) < mpmath.mpf(10) ** -45


def test_gelu_cmap_against_tsuchida_diagonal_and_quadrature():
    wv, bv = R(2), R(1, 10)
    d = sa.derive(sa.correlation_map("gelu", wv, bv))
    with mpmath.workdps(40):
        W, B = mpmath.mpf(2), mpmath.mpf(1) / 10
        # E[GELU(sqrt(q) z)^2] in closed form (the diagonal of Tsuchida et al.'s kernel)
        m2 = lambda q: q * (mpmath.mpf(1) / 4 + (q / ((q + 1) * mpmath.sqrt(1 + 2 * q))  # noqa: E731
                                                 + mpmath.atan(q / mpmath.sqrt(1 + 2 * q)) / 2) / mpmath.pi)
        q = mpmath.findroot(lambda q: W * m2(q) + B - q, 0.34)
        Phi = lambda t: mpmath.ncdf(t)  # noqa: E731
        dg = lambda t: Phi(t) + t * mpmath.npdf(t)  # noqa: E731
        d2g = lambda t: 2 * mpmath.npdf(t) - t * t * mpmath.npdf(t)  # noqa: E731
        mean = _gauss(lambda t: t * Phi(t), q)
        chi = W * _gauss(lambda t: dg(t) ** 2, q)
        ref = {"q*": q, "chi_1": chi, "C''(1)": W * q * _gauss(lambda t: d2g(t) ** 2, q),
               "C(0)": (W * mean**2 + B) / q, "xi_c": -1 / mpmath.log(chi)}
    assert _check_rows(d, ref) == 5
    assert "tsuchida2021" in d.references and d.row("stability").value == "stable"
