r"""Tests for symact.expressions.latex: hand-written LaTeX, checked against independent SymPy.

Each corpus formula is paired with a SymPy expression written independently and
compared exactly (``simplify(a - b) == 0``) where that is quick, and otherwise
numerically with mpmath to 30 digits at several points.
"""

from __future__ import annotations

import time

import mpmath
import pytest
import sympy
from hypothesis import assume, example, given, settings
from strategies import expression_trees

from symact.core.errors import UnsafeExpression
from symact.expressions.latex import parse_latex, parse_latex_relation
from symact.expressions.reading import parse_relation

x = sympy.Symbol("x", real=True)
alpha = sympy.Symbol("alpha", positive=True)
lam = sympy.Symbol("lambda", positive=True)
V = {"x": x, "alpha": alpha, "lambda": lam}
E, pi, erf, sqrt, exp, log, tanh = (
    sympy.E,
    sympy.pi,
    sympy.erf,
    sympy.sqrt,
    sympy.exp,
    sympy.log,
    sympy.tanh,
)
R = sympy.Rational
SIG = 1 / (1 + exp(-x))
PHI = (1 + erf(x / sqrt(2))) / 2
FUNCS = {
    "sigmoid": lambda u: 1 / (1 + sympy.exp(-u)),
    "relu": lambda u: sympy.Max(0, u),
    "gelu": lambda u: u * (1 + sympy.erf(u / sympy.sqrt(2))) / 2,
    "silu": lambda u: u / (1 + sympy.exp(-u)),
    "softplus": lambda u: sympy.log(1 + sympy.exp(u)),
    "mish": lambda u: u * sympy.tanh(sympy.log(1 + sympy.exp(u))),
}
POINTS = [R(-23, 10), R(-7, 10), R(2, 5), R(19, 10), R(31, 10)]
PARAMS = {alpha: R(3, 2), lam: R(21, 20)}


def numerically_equal(a: sympy.Expr, b: sympy.Expr, digits: int = 30) -> bool:
    """Compare at several points with mpmath to ``digits`` significant digits."""
    with mpmath.workdps(digits + 15):
        for point in POINTS:
            subs = {x: point, **PARAMS}
            va = sympy.N(a.subs(subs), digits + 15)
            vb = sympy.N(b.subs(subs), digits + 15)
            da = mpmath.mpc(str(sympy.re(va)), str(sympy.im(va)))
            db = mpmath.mpc(str(sympy.re(vb)), str(sympy.im(vb)))
            if abs(da - db) > mpmath.mpf(10) ** (-digits) * max(1, abs(db)):
                return False
    return True


def equivalent(a: sympy.Expr, b: sympy.Expr, how: str) -> bool:
    if a == b:
        return True
    if how == "exact":
        return sympy.simplify(a - b) == 0
    return numerically_equal(a, b)


# (latex, independent SymPy expression, "exact" | "numeric")
CORPUS = [
    (r"\frac{1}{1+e^{-x}}", SIG, "exact"),
    (r"\sigma(x)", SIG, "exact"),
    (r"\frac{x}{1+e^{-x}}", x * SIG, "exact"),
    (r"x\,\sigma(x)", x * SIG, "exact"),
    (r"x \cdot \sigma(1.702x)", x / (1 + exp(-R(1702, 1000) * x)), "exact"),
    (r"\ln(1+e^{x})", log(1 + exp(x)), "exact"),
    (r"\log\left(1 + \exp(x)\right)", log(1 + exp(x)), "exact"),
    (r"\text{softplus}(x)", log(1 + exp(x)), "exact"),
    (r"x\Phi(x)", x * PHI, "exact"),
    (
        r"\frac{x}{2}\left(1+\operatorname{erf}\left(\frac{x}{\sqrt{2}}\right)\right)",
        x * PHI,
        "exact",
    ),
    (r"\mathrm{GELU}(x)", x * PHI, "exact"),
    (
        r"0.5x\left(1+\tanh\left[\sqrt{\frac{2}{\pi}}\left(x+0.044715x^3\right)\right]\right)",
        x / 2 * (1 + tanh(sqrt(2 / pi) * (x + R(44715, 10**6) * x**3))),
        "numeric",
    ),
    (r"\max(0, x)", sympy.Max(0, x), "exact"),
    (r"\operatorname{ReLU}(x)", sympy.Max(0, x), "exact"),
    (r"\max\left(0.01x,\, x\right)", sympy.Max(x / 100, x), "exact"),
    (r"\min\left(\max(0, x), 6\right)", sympy.Min(sympy.Max(0, x), 6), "exact"),
    (
        r"\operatorname{clip}\left(\frac{x}{6}+\frac12, 0, 1\right)",
        sympy.Min(sympy.Max(x / 6 + R(1, 2), 0), 1),
        "exact",
    ),
    (r"\frac{1}{\sqrt{2\pi}}e^{-\frac{x^2}{2}}", exp(-(x**2) / 2) / sqrt(2 * pi), "exact"),
    (
        r"\dfrac{1}{\sqrt{2\pi}}\exp\left(-\frac{x^2}{2}\right)",
        exp(-(x**2) / 2) / sqrt(2 * pi),
        "exact",
    ),
    (r"\frac{e^x - e^{-x}}{e^x + e^{-x}}", tanh(x), "numeric"),
    (r"x\tanh(\ln(1+e^x))", x * tanh(log(1 + exp(x))), "exact"),
    (r"\operatorname{Mish}(x)", x * tanh(log(1 + exp(x))), "exact"),
    (r"\alpha(e^x - 1)", alpha * (exp(x) - 1), "exact"),
    (r"\lambda\alpha\left(e^{x}-1\right)", lam * alpha * (exp(x) - 1), "exact"),
    (r"\frac{x}{1+|x|}", x / (1 + sympy.Abs(x)), "exact"),
    (r"\frac{x}{1+\lvert x \rvert}", x / (1 + sympy.Abs(x)), "exact"),
    (r"\frac{x}{\sqrt{1+x^2}}", x / sqrt(1 + x**2), "exact"),
    (r"\sqrt[3]{x}", sympy.cbrt(x), "exact"),
    (r"\sigma(x)(1-\sigma(x))", SIG * (1 - SIG), "exact"),
    (r"\sigma'(x)", exp(-x) / (1 + exp(-x)) ** 2, "exact"),
    (r"\sigma''(x)", sympy.diff(1 / (1 + exp(-x)), x, 2), "exact"),
    (r"\frac{d}{dx}\tanh(x)", 1 - tanh(x) ** 2, "exact"),
    (
        r"\frac{\mathrm{d}}{\mathrm{d}x}\left(x\sigma(x)\right)",
        SIG + x * exp(-x) * SIG**2,
        "exact",
    ),
    (r"\frac{d^2}{dx^2}\ln(1+e^x)", exp(x) / (1 + exp(x)) ** 2, "exact"),
    (r"\tanh^2(x)", tanh(x) ** 2, "exact"),
    (r"\sigma^2(x)", SIG**2, "exact"),
    (r"\tan^{-1}(x)", sympy.atan(x), "exact"),
    (r"\arctan x", sympy.atan(x), "exact"),
    (r"\operatorname{SiLU}(x)", x * SIG, "exact"),
    (r"$\displaystyle \frac12 x\,\left(1 + \tanh\frac{x}{2}\right)$", x * SIG, "numeric"),
    (r"2\sigma(2x) - 1", tanh(x), "numeric"),
    (r"\(\sinh(x)/\cosh(x)\)", tanh(x), "exact"),
    (r"\mathrm{e}^{x} \cdot e^x", exp(2 * x), "exact"),
    (
        r"\frac{x}{2}\left[1+\frac{x}{\sqrt{x^2+1}}\right]",
        x / 2 * (1 + x / sqrt(x**2 + 1)),
        "exact",
    ),
    (r"\left\{x + 1\right\}^2 \times 2", 2 * (x + 1) ** 2, "exact"),
    (r"\Phi'(x)", exp(-(x**2) / 2) / sqrt(2 * pi), "exact"),
    (r"\tfrac{1}{4} - \tfrac14", sympy.Integer(0), "exact"),
]

# relations that are identities: lhs - rhs == 0
IDENTITIES = [
    (r"\sigma'(x) = \sigma(x)(1-\sigma(x))", "exact"),
    (r"\tanh(x) = 2\sigma(2x) - 1", "numeric"),
    (r"\frac{d}{dx}\tanh(x) = 1 - \tanh^2(x)", "exact"),
    (r"\tanh'(x) = \operatorname{sech}^2(x)", "numeric"),
    (r"\frac{d}{dx}\ln(1+e^{x}) = \sigma(x)", "exact"),
    (r"\operatorname{softplus}'(x) = \sigma(x)", "exact"),
    (r"\operatorname{SiLU}(x) = x\sigma(x)", "exact"),
    (r"\sigma(-x) = 1 - \sigma(x)", "exact"),
    (r"\Phi(x) = \frac12\left(1+\operatorname{erf}\left(\frac{x}{\sqrt2}\right)\right)", "exact"),
    (r"\operatorname{GELU}(x) = x\Phi(x)", "exact"),
    (r"\frac{d}{dx}\left(x\sigma(x)\right) = \sigma(x) + x\sigma(x)(1-\sigma(x))", "exact"),
    (r"\sigma(x) = \frac{1}{2} + \frac{1}{2}\tanh\left(\frac{x}{2}\right)", "numeric"),
    (r"\ln\sigma(x) = -\operatorname{softplus}(-x)", "numeric"),
    (r"\sigma''(x) = \sigma'(x)\left(1 - 2\sigma(x)\right)", "exact"),
]


def test_corpus_size() -> None:
    assert len(CORPUS) + len(IDENTITIES) >= 30
    assert len(CORPUS) >= 30


@pytest.mark.parametrize(("text", "expected", "how"), CORPUS, ids=[c[0] for c in CORPUS])
def test_corpus(text: str, expected: sympy.Expr, how: str) -> None:
    got = parse_latex(text, variables=V, functions=FUNCS)
    assert equivalent(got, expected, how), (got, expected)


@pytest.mark.parametrize(("text", "how"), IDENTITIES, ids=[c[0] for c in IDENTITIES])
def test_identities(text: str, how: str) -> None:
    lhs, op, rhs = parse_latex_relation(text, variables=V, functions=FUNCS)
    assert op == "="
    assert equivalent(lhs, rhs, how), (lhs, rhs)


def test_sigma_without_catalogue_is_logistic() -> None:
    assert parse_latex(r"\sigma(x)", variables=V) == SIG


def test_numeric_check_detects_difference() -> None:
    assert not numerically_equal(tanh(x), 2 * SIG - 1)


@pytest.mark.parametrize(
    ("text", "op", "rhs"),
    [
        (r"\sigma'(x) \le \frac14", "<=", R(1, 4)),
        (r"\sigma'(x) \leq \frac{1}{4}", "<=", R(1, 4)),
        (r"x \lt 1", "<", 1),
        (r"x < 1", "<", 1),
        (r"x \ge 0", ">=", 0),
        (r"x \geq 0", ">=", 0),
        (r"x \geqslant 0", ">=", 0),
        (r"x > 0", ">", 0),
        (r"x \gt 0", ">", 0),
        (r"x = 0", "=", 0),
    ],
)
def test_relations(text: str, op: str, rhs: sympy.Expr) -> None:
    _lhs, got_op, got_rhs = parse_relation(text, variables=V)
    assert got_op == op and got_rhs == rhs


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("e^x", exp(x)),
        ("x^{2}", x**2),
        ("x^23", 3 * x**2),  # TeX: the superscript is one token
        (r"\frac12x", x / 2),
        (r"\frac1x", 1 / x),
        ("2x", 2 * x),
        ("-x^2", -(x**2)),
        ("x^-1", 1 / x),
        (r"\sin 2x", sympy.sin(2 * x)),
        (r"\log_2 x", log(x) / log(2)),
        (r"\sigma^{\prime}(x)", exp(-x) / (1 + exp(-x)) ** 2),
        (r"|x| + |x - 1|", sympy.Abs(x) + sympy.Abs(x - 1)),
        (r"\left| x \right| \left| x \right|", x**2),
        (r"\big( x \big) \Big[ x \Big]", x**2),
        (r"\pi x", pi * x),
        (r"x\;\!\quad\displaystyle", x),
        (r"\infty", sympy.oo),
        (r"x.", x),
        ("σ(x) · 2", 2 * SIG),
    ],
)
def test_small_forms(text: str, expected: sympy.Expr) -> None:
    got = parse_latex(text, variables=V)
    assert got == expected or sympy.simplify(got - expected) == 0, got


# ------------------------------------------------------------------------ errors
@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        (r"\foo(x)", r"unknown command \\foo"),
        ("y", "unknown name 'y'"),
        (r"f(x)", "unknown name 'f'"),
        ("xy", "unknown name 'y'"),
        (r"\frac{d}{dy} x", "differentiate with respect to 'y'"),
        (r"\operatorname{relo}(x)", "unknown name 'relo'"),
        (r"\input{/etc/passwd}", r"unknown command \\input"),
        (r"\def\x{1}", r"unknown command \\def"),
        (r"\write18{touch /tmp/x}", r"unknown command \\write"),
        (r"\newcommand{\e}{2}", r"unknown command \\newcommand"),
        (r"e^{9^{9^{9}}}", "too large"),
        ("10^{100000}", "too large"),
        ("{" * 150 + "x" + "}" * 150, "nested"),
        ("x" * 2001, "limit is 2000"),
        ("", "empty"),
        ("$$", "empty"),
        ("x = 1", "parse_relation"),
        ("x!", "unexpected"),
        ("x & y", "unexpected"),
        (r"\frac{1}{", "expected"),
        (r"(x", r"expected '\)'"),
        (r"\sigma", "needs an argument"),
        (r"\tanh'", "needs an argument"),
        ("x'", "unexpected"),
        (r"\left< x \right>", "delimiter"),
        (r"\operatorname{}", "name in braces"),
        ("1" * 1001, "1000 digits"),
    ],
)
def test_errors(text: str, fragment: str) -> None:
    start = time.perf_counter()
    with pytest.raises(UnsafeExpression, match=fragment):
        parse_latex(text, variables=V, functions=FUNCS)
    assert time.perf_counter() - start < 2.0


def test_error_lists_accepted() -> None:
    with pytest.raises(UnsafeExpression) as info:
        parse_latex(r"\foo(x)", variables=V, functions=FUNCS)
    msg = str(info.value)
    assert "alpha" in msg and r"\frac" in msg and "relu" in msg


def test_relation_errors() -> None:
    with pytest.raises(UnsafeExpression, match="unsupported relation"):
        parse_latex_relation(r"x \ne 1", variables=V)
    with pytest.raises(UnsafeExpression, match="expected a relation"):
        parse_latex_relation(r"x + 1", variables=V)


# ------------------------------------------------------------------------ round trip
EXPRS = expression_trees(
    [x, sympy.Integer(2), sympy.Integer(-3), R(1, 3), pi, alpha],
    [
        sympy.exp,
        sympy.log,
        sympy.tanh,
        sympy.sinh,
        sympy.cosh,
        sympy.erf,
        sympy.atan,
        sympy.Abs,
        sympy.sqrt,
        sympy.asinh,
    ],
)


@settings(max_examples=60, deadline=None)
@given(EXPRS)
@example(x * exp(-x) / (1 + exp(-x)) ** 2)
@example(x * (1 + erf(sqrt(2) * x / 2)) / 2)
@example(tanh(x) ** 2 + log(1 + exp(x)) ** 3)
@example(sympy.Abs(x - 1) * sqrt(2) / 3)
def test_latex_round_trip(expr: sympy.Expr) -> None:
    assume(not expr.has(sympy.I, sympy.zoo, sympy.nan))
    got = parse_latex(sympy.latex(expr), variables=V)
    assert got == expr or numerically_equal(got, expr), (sympy.latex(expr), got)


HOSTILE_LATEX = [
    r"\input{/etc/passwd}",
    r"\include{x}",
    r"\write18{touch /tmp/symact_pwned_sentinel}",
    r"\immediate\write18{ls}",
    r"\def\x{1}",
    r"\newcommand{\x}{1}",
    r"\catcode`\@=11",
    r"\csname x\endcsname",
    r"\operatorname{__import__}(x)",
    r"\mathrm{eval}(x)",
    r"\text{open}(x)",
    r"x^{9^{9^{9^{9}}}}",
    r"10^{100000}",
    r"\frac" * 300 + "1" * 301,
    "(" * 150 + "x" + ")" * 150,
    r"\left(" * 120 + "x" + r"\right)" * 120,
    "x" * 2001,
    "{'a': 1}",
    "x.__class__",
]


def test_hostile_latex_rejected_without_running(monkeypatch: pytest.MonkeyPatch) -> None:
    import builtins
    from pathlib import Path

    def refuse(*args, **kwargs):
        raise AssertionError("code execution attempted during parsing")

    real_import = builtins.__import__

    def checked_import(name, *args, **kwargs):
        if name.split(".")[0] in {"os", "subprocess", "shutil", "posix", "pty", "socket"}:
            raise AssertionError(f"import of {name} during parsing")
        return real_import(name, *args, **kwargs)

    sentinel = Path("/tmp/symact_pwned_sentinel")
    sentinel.unlink(missing_ok=True)
    assert len(HOSTILE_LATEX) >= 15
    monkeypatch.setattr(builtins, "eval", refuse)
    monkeypatch.setattr(builtins, "exec", refuse)
    monkeypatch.setattr(builtins, "compile", refuse)
    monkeypatch.setattr(builtins, "__import__", checked_import)
    for text in HOSTILE_LATEX:
        start = time.perf_counter()
        with pytest.raises(UnsafeExpression) as info:
            parse_latex(text, variables=V, functions=FUNCS)
        assert time.perf_counter() - start < 2.0, text
        assert len(str(info.value)) > 20
    monkeypatch.undo()
    assert not sentinel.exists()
