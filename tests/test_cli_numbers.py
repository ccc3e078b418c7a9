"""Every numeric command-line option refuses inf, NaN, huge and tiny values cleanly (issue 14).

Each refusal must be exit code 2 with exactly one ``symact: error:`` line on
stderr naming the option and what is accepted, no Python or NumPy warning,
and it must come before any work (well under a second).  Values such as
``-inf`` right after an option reach the number check instead of argparse's
two-line usage message.
"""

from __future__ import annotations

import contextlib
import io
import time
import warnings

import pytest
import sympy

from symact.presentation.cli import main
from symact.presentation.cli_parser import option_number

OPTIONS = [
    (["meanfield", "tanh"], "--weight-var"),
    (["meanfield", "tanh"], "--bias-var"),
    (["meanfield", "sigmoid"], "--weight-var"),
    (["kernel", "tanh"], "--weight-var"),
    (["kernel", "tanh"], "--bias-var"),
    (["kernel", "tanh"], "--q"),
    (["kernel", "tanh"], "--c"),
    (["spectrum", "tanh"], "--weight-var"),
    (["spectrum", "tanh"], "--bias-var"),
]
BAD = ["inf", "-inf", "nan", "1e999", "-1e999", "1e-999", "1e308", "-1e-308", "1e7", "-3", "x", "1/0"]


def _run(argv: list[str]) -> tuple[int, str, str, list]:
    o, e = io.StringIO(), io.StringIO()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with contextlib.redirect_stdout(o), contextlib.redirect_stderr(e):
            code = main(argv)
    return code, o.getvalue(), e.getvalue(), caught


@pytest.mark.parametrize("value", BAD)
@pytest.mark.parametrize("base, option", OPTIONS, ids=[" ".join([*b, o]) for b, o in OPTIONS])
def test_bad_numbers_are_one_line_errors(base: list[str], option: str, value: str) -> None:
    if option == "--c" and value in ("1e-999", "-1e-308"):  # correlations in [-1, 1]: fine
        value = "1.5"
    began = time.perf_counter()
    code, out, err, caught = _run([*base, option, value])
    assert code == 2, (out, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("symact: error:"), err
    assert option in lines[0] and ("from" in lines[0] or "0 or" in lines[0]), lines[0]
    assert not caught, [str(w.message) for w in caught]
    assert time.perf_counter() - began < 2


def test_meanfield_huge_weight_var_issue_example() -> None:
    code, out, err, caught = _run(["meanfield", "tanh", "--weight-var", "1e999"])
    assert (code, out, caught) == (2, "", [])
    assert err == "symact: error: --weight-var must be a number from 1e-6 to 1e6, got '1e999'\n"


@pytest.mark.parametrize(
    "text, kind, expected",
    [
        ("1e-6", "variance", sympy.Rational(1, 10**6)),
        ("1e6", "variance", sympy.Integer(10**6)),
        ("0", "bias", sympy.Integer(0)),
        ("1/3", "bias", sympy.Rational(1, 3)),
        ("-1", "correlation", sympy.Integer(-1)),
        ("0.25", "correlation", sympy.Rational(1, 4)),
        ("-1e6", "weight", sympy.Integer(-(10**6))),
    ],
)
def test_the_accepted_range_is_accepted(text: str, kind: str, expected: sympy.Expr) -> None:
    assert option_number(text, "--x", kind) == expected


@pytest.mark.parametrize("text, kind", [("0", "variance"), ("9.9e-7", "bias"), ("1.0000001", "correlation"), ("1e6.5", "weight")])
def test_just_outside_the_range_is_refused(text: str, kind: str) -> None:
    with pytest.raises(ValueError, match="must be"):
        option_number(text, "--x", kind)
