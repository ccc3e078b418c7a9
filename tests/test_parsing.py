"""Tests for symact.expressions.parsing: the whitelisted plain-text parser and parse_relation."""

from __future__ import annotations

import ast
import builtins
import time
from pathlib import Path

import pytest
import sympy
from hypothesis import assume, example, given, settings
from strategies import expression_trees

from symact.core.errors import UnsafeExpression
from symact.expressions.parsing import looks_like_latex, parse_text
from symact.expressions.reading import parse_latex, parse_relation

x = sympy.Symbol("x", real=True)
a = sympy.Symbol("a", real=True)
alpha = sympy.Symbol("alpha", positive=True)
V = {"x": x, "a": a, "alpha": alpha}
SIG = 1 / (1 + sympy.exp(-x))
FUNCS = {
    "sigmoid": lambda u: 1 / (1 + sympy.exp(-u)),
    "relu": lambda u: sympy.Max(0, u),
    "gelu": lambda u: u * (1 + sympy.erf(u / sympy.sqrt(2))) / 2,
    "silu": lambda u: u / (1 + sympy.exp(-u)),
    "softplus": lambda u: sympy.log(1 + sympy.exp(u)),
}


def p(text: str) -> sympy.Expr:
    return parse_text(text, variables=V, functions=FUNCS)


# ------------------------------------------------------------------------ accepted input
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("x", x),
        ("x^2 + 1", x**2 + 1),
        ("x**2/2", x**2 / 2),
        ("0.01*x", x / 100),
        ("1e-3", sympy.Rational(1, 1000)),
        ("2.5E2", sympy.Integer(250)),
        ("1_000", sympy.Integer(1000)),
        ("-x + +x - -1", sympy.Integer(1)),
        ("e^x", sympy.exp(x)),
        ("E**(-x)", sympy.exp(-x)),
        ("pi*x", sympy.pi * x),
        ("oo", sympy.oo),
        ("inf", sympy.oo),
        ("exp(x) + log(x) + ln(x)", sympy.exp(x) + 2 * sympy.log(x)),
        ("log(x, 2)", sympy.log(x) / sympy.log(2)),
        ("sqrt(x) + abs(x) + Abs(x)", sympy.sqrt(x) + 2 * sympy.Abs(x)),
        (
            "sign(x)*tanh(x)*sinh(x)*cosh(x)",
            sympy.sign(x) * sympy.tanh(x) * sympy.sinh(x) * sympy.cosh(x),
        ),
        ("sin(x)+cos(x)+tan(x)", sympy.sin(x) + sympy.cos(x) + sympy.tan(x)),
        ("atan(x) - arctan(x)", sympy.Integer(0)),
        ("asinh(x) + arcsinh(x)", 2 * sympy.asinh(x)),
        ("erf(x) + erfc(x)", sympy.erf(x) + sympy.erfc(x)),
        ("Phi(x)", (1 + sympy.erf(x / sympy.sqrt(2))) / 2),
        ("max(0, x)", sympy.Max(0, x)),
        ("Max(a*x, x)", sympy.Max(a * x, x)),
        ("min(0, x) + Min(1, x)", sympy.Min(0, x) + sympy.Min(1, x)),
        ("clip(x/6 + 1/2, 0, 1)", sympy.Min(sympy.Max(x / 6 + sympy.S.Half, 0), 1)),
        ("heaviside(x) + Heaviside(x, 0)", sympy.Heaviside(x) + sympy.Heaviside(x, 0)),
        ("LambertW(x) + lambertw(x)", 2 * sympy.LambertW(x)),
        ("sigmoid(x)", SIG),
        ("σ(x)", SIG),
        ("ReLU(x)", sympy.Max(0, x)),
        ("GELU(x)", x * (1 + sympy.erf(x / sympy.sqrt(2))) / 2),
        ("x*softplus(x)", x * sympy.log(1 + sympy.exp(x))),
        ("sigmoid'(x)", sympy.diff(SIG, x)),
        ("σ'(x)", sympy.diff(SIG, x)),
        ("σ''(x)", sympy.diff(SIG, x, 2)),
        ("tanh'(2*x)", 1 - sympy.tanh(2 * x) ** 2),
        ("diff(x**3)", 3 * x**2),
        ("diff(a*x**2, a)", x**2),
        ("diff(x**3, x, 2)", 6 * x),
        ("d/dx(x*sigmoid(x))", sympy.diff(x * SIG, x)),
        ("d^2/dx^2(x**4)", 12 * x**2),
        ("2*d/dx(x**2)", 4 * x),
        ("x·x × 2 − 1", 2 * x**2 - 1),
        ("x² + x³", x**2 + x**3),
        ("√x + √(x+1)", sympy.sqrt(x) + sympy.sqrt(x + 1)),
        ("alpha*(exp(x) - 1)", alpha * (sympy.exp(x) - 1)),
        ("α*x", alpha * x),
        ("Φ(x)", (1 + sympy.erf(x / sympy.sqrt(2))) / 2),
        ("  x/(1 + abs(x))  ", x / (1 + sympy.Abs(x))),
        ("2**10", sympy.Integer(1024)),
    ],
)
def test_parse_text_accepts(text: str, expected: sympy.Expr) -> None:
    got = p(text)
    assert got == expected or sympy.simplify(got - expected) == 0, (got, expected)


def test_functions_take_precedence_only_over_fallback() -> None:
    # a caller-supplied sigmoid replaces the logistic fallback
    got = parse_text("sigmoid(x)", variables=V, functions={"sigmoid": lambda u: sympy.tanh(u)})
    assert got == sympy.tanh(x)
    # without a table, sigmoid still means the logistic function
    assert parse_text("sigmoid(x)", variables=V) == SIG


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("x <= 1", (x, "<=", 1)),
        ("x < 1", (x, "<", 1)),
        ("x >= 1", (x, ">=", 1)),
        ("x > 1", (x, ">", 1)),
        ("x = 1", (x, "=", 1)),
        ("x == 1", (x, "=", 1)),
        ("x ≤ 1", (x, "<=", 1)),
        ("x ≥ 1", (x, ">=", 1)),
        ("σ'(x) ≤ 1/4", (sympy.diff(SIG, x), "<=", sympy.Rational(1, 4))),
        (r"\sigma'(x) \le \frac14", (sympy.diff(SIG, x), "<=", sympy.Rational(1, 4))),
        (r"x \geq 0", (x, ">=", 0)),
        ("$x = 1$", (x, "=", 1)),
    ],
)
def test_parse_relation(text: str, expected: tuple) -> None:
    lhs, op, rhs = parse_relation(text, variables=V, functions=FUNCS)
    assert (lhs, op, rhs) == (expected[0], expected[1], sympy.sympify(expected[2]))


@pytest.mark.parametrize(
    "text", ["x", "x + 1", "x != 1", "x ≠ 1", "0 <= x <= 1", "x < ", "x = = 1"]
)
def test_parse_relation_rejects(text: str) -> None:
    with pytest.raises(UnsafeExpression, match=r"relation|cannot read"):
        parse_relation(text, variables=V)


def test_looks_like_latex() -> None:
    assert looks_like_latex(r"\frac{1}{2}")
    assert looks_like_latex("x^{2}")
    assert looks_like_latex("$x$")
    assert not looks_like_latex("x**2 + exp(-x)")


def test_parse_latex_reexported() -> None:
    assert parse_latex(r"e^{-x}", variables=V) == sympy.exp(-x)


def test_parse_text_relation_is_not_an_expression() -> None:
    with pytest.raises(UnsafeExpression, match="parse_relation"):
        p("x <= 1")


def test_latex_in_parse_text_is_pointed_to_parse_latex() -> None:
    with pytest.raises(UnsafeExpression, match="parse_latex"):
        p(r"\frac{1}{2}")


# ------------------------------------------------------------------------ error messages
def test_unknown_name_lists_variables_and_suggests() -> None:
    with pytest.raises(UnsafeExpression) as info:
        p("alpah * x")
    msg = str(info.value)
    assert "'alpah'" in msg and "alpha" in msg and "Did you mean" in msg and "x" in msg


def test_unknown_function_suggests() -> None:
    with pytest.raises(UnsafeExpression, match=r"'sigmod'.*did you mean 'sigmoid'"):
        p("sigmod(x)")


def test_arity_checked() -> None:
    with pytest.raises(UnsafeExpression, match=r"clip.*3"):
        p("clip(x, 0)")
    with pytest.raises(UnsafeExpression, match=r"exp.*1"):
        p("exp(x, 2)")


def test_function_used_as_value() -> None:
    with pytest.raises(UnsafeExpression, match="must be called"):
        p("exp + 1")


def test_derivative_of_unknown_function() -> None:
    with pytest.raises(UnsafeExpression, match="'f'"):
        p("f'(x)")


def test_diff_unknown_variable() -> None:
    with pytest.raises(UnsafeExpression, match="'y'"):
        p("d/dy(x)")


# ------------------------------------------------------------------------ hostile input
SENTINEL = Path("/tmp/symact_pwned_sentinel")
HOSTILE = [
    f"__import__('os').system('touch {SENTINEL}')",
    "().__class__.__bases__[0].__subclasses__()",
    "lambda: 1",
    "(lambda: 1)()",
    "open('/etc/passwd')",
    "open('/etc/passwd').read()",
    "x.__class__",
    "[x for x in ()]",
    "{x for x in ()}",
    "(x for x in ())",
    "9**9**9**9",
    "2**2**2**2**2**2",
    "10**100000",
    "exec('1')",
    "eval('1')",
    "compile('1', 'f', 'eval')",
    "getattr(x, 'y')",
    "globals()",
    "'a'",
    "b'a'",
    "f'{x}'",
    "x if x else 1",
    "(y := 1)",
    "x and 1",
    "not x",
    "x[0]",
    "[1, 2]",
    "{'a': 1}",
    "(1, 2)",
    "exp(*[x])",
    "exp(x=1)",
    "x @ x",
    "x // 2",
    "x % 2",
    "~x",
    "x | 1",
    "None",
    "True",
    "...",
    "1j",
    "__builtins__",
    "_symact_d1_exp(x)",
    "sigmoid'('a')",
    "exp'(x).__class__",
    "(" * 150 + "x" + ")" * 150,
    "-" * 300 + "x",
    "x" + "+x" * 1000,
    "1" * 1001,
    "1e100000",
    "(2**5000)**100",
    "",
    "   ",
    "x; import os",
    "import os",
    "x\nimport os",
]


@pytest.fixture
def no_execution(monkeypatch: pytest.MonkeyPatch):
    """Fail if eval/exec/open, compiling to code, or importing os & co. happens while parsing."""
    calls: list[str] = []
    real_import = builtins.__import__

    def guard(name: str):
        def refuse(*args, **kwargs):
            calls.append(name)
            raise AssertionError(f"{name} called during parsing")

        return refuse

    monkeypatch.setattr(builtins, "eval", guard("eval"))
    monkeypatch.setattr(builtins, "exec", guard("exec"))
    real_compile = builtins.compile

    def checked_compile(source, filename, mode, flags=0, *args, **kwargs):
        # ast.parse is compile(..., flags=PyCF_ONLY_AST): it builds a tree, runs nothing
        if not flags & ast.PyCF_ONLY_AST:
            calls.append("compile")
            raise AssertionError("compile to code object during parsing")
        return real_compile(source, filename, mode, flags, *args, **kwargs)

    monkeypatch.setattr(builtins, "compile", checked_compile)
    monkeypatch.setattr(builtins, "open", guard("open"))

    def checked_import(name, *args, **kwargs):
        if name.split(".")[0] in {"os", "subprocess", "shutil", "posix", "pty", "socket"}:
            calls.append(f"import {name}")
            raise AssertionError(f"import of {name} during parsing")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", checked_import)
    yield calls
    monkeypatch.undo()
    assert calls == []


def test_hostile_corpus_size() -> None:
    assert len(HOSTILE) >= 20


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_rejected_without_running(text: str, no_execution) -> None:
    SENTINEL.unlink(missing_ok=True)
    start = time.perf_counter()
    with pytest.raises(UnsafeExpression) as info:
        parse_text(text, variables=V, functions=FUNCS)
    assert time.perf_counter() - start < 2.0
    msg = str(info.value)
    assert len(msg) > 20
    assert any(
        word in msg
        for word in ("not allowed", "not an accepted", "too large", "deep", "limit", "digits",
                     "reserved", "cannot read", "empty", "unknown name", "must be called",
                     "is a variable", "relation")
    ), msg  # fmt: skip
    assert not SENTINEL.exists()


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("x.__class__", "attribute access"),
        ("x[0]", "subscripts"),
        ("lambda: 1", "lambda"),
        ("[x for x in ()]", "comprehensions"),
        ("'a'", "strings"),
        ("f'{x}'", "f-strings"),
        ("x if x else 1", "conditional"),
        ("x and 1", "boolean"),
        ("exp(x=1)", "keyword"),
        ("exp(*[x])", "starred"),
        ("__import__('os')", "dunder"),
        ("eval('1')", "'eval' is not an accepted function"),
        ("9**9**9**9", "exponent"),
        ("1" * 1001, "1000 digits"),
        ("x" * 2001, "limit is 2000"),
        ("(" * 101 + "x" + ")" * 101, "nested"),
    ],
)
def test_hostile_messages_name_the_problem(text: str, fragment: str) -> None:
    with pytest.raises(UnsafeExpression, match=fragment):
        parse_text(text, variables=V)


def test_exponent_towers_are_fast() -> None:
    start = time.perf_counter()
    for text in ["9**9**9**9", "2^2^2^2^2^2^2", "(10**1000)**(10**4)", "((2**9999)**10)**10"]:
        with pytest.raises(UnsafeExpression):
            p(text)
    assert time.perf_counter() - start < 2.0


def test_catalogue_callable_returning_string_is_not_evaluated(no_execution) -> None:
    with pytest.raises(UnsafeExpression, match="cannot apply"):
        parse_text("bad(x)", variables=V, functions={"bad": lambda u: "__import__('os')"})


# ------------------------------------------------------------------------ round trips
EXPRS = expression_trees(
    [x, sympy.Integer(2), sympy.Integer(-3), sympy.Rational(1, 3), sympy.pi, a],
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
        sympy.erfc,
        sympy.sign,
    ],
)


@settings(max_examples=60, deadline=None)
@given(EXPRS)
@example(sympy.exp(-x) / (1 + sympy.exp(-x)) ** 2)
@example(sympy.Max(0, x) + sympy.Rational(-1, 3))
@example(x * sympy.E)
def test_text_round_trip(expr: sympy.Expr) -> None:
    # the grammar is real-valued: no I, zoo, nan (e.g. log(-3) = log(3) + I*pi)
    assume(not expr.has(sympy.I, sympy.zoo, sympy.nan))
    assert parse_text(str(expr), variables=V) == expr
