"""The ``symact`` command line: in-process via ``main([...])`` and as a subprocess."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from symact.presentation.cli import main


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_version_and_help(capsys):
    import symact

    code, out, _ = run(capsys, "--version")
    assert code == 0 and symact.__version__ in out
    for cmd in ("list", "explain", "table", "bound", "meanfield", "check", "latex", "plot", "gain", "schema"):
        code, out, _ = run(capsys, cmd, "--help")
        assert code == 0 and "usage: symact " + cmd in out
    code, _, err = run(capsys)
    assert code == 2 and "COMMAND" in err


def test_list(capsys):
    import symact as sa

    code, out, _ = run(capsys, "list")
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == len(sa.names())
    assert any(ln.startswith("silu") and "swish" in ln for ln in lines)
    assert any(ln.startswith("hard_sigmoid") and "clip(x/6 + 1/2, 0, 1)" in ln for ln in lines)


def test_bound(capsys):
    code, out, _ = run(capsys, "bound", "sigmoid", "--layers", "10", "--eps", "1e-6")
    assert code == 0
    assert "1/1048576" in out and "vanishing" in out
    assert "below 1e-6: 10 layers" in out
    code, out, _ = run(capsys, "bound", "sigmoid", "--layers", "3", "--weight", "4")
    assert code == 0 and "<= 1 " in out and "neutral" in out


def test_params_and_expr(capsys):
    code, out, _ = run(capsys, "bound", "leaky_relu", "--param", "negative_slope=1/5", "--layers", "3")
    assert code == 0 and ">= 1/125" in out
    code, out, _ = run(capsys, "bound", "soft", "--expr", "x/(1 + abs(x))", "--layers", "2")
    assert code == 0 and "(soft, 2 layers)" in out


def test_meanfield(capsys):
    code, out, _ = run(capsys, "meanfield", "relu", "--weight-var", "2")
    assert code == 0 and "chi_1   = 1" in out and "critical" in out


def test_explain_formats(capsys):
    code, out, _ = run(capsys, "explain", "sigmoid")
    assert code == 0 and "1/4" in out
    code, out, _ = run(capsys, "explain", "sigmoid", "--format", "json")
    data = json.loads(out)
    sup = data["sup_derivative"]["value"]
    assert sup["text"] == "1/4" and sup["level"] == "exact" and sup["float"] == 0.25
    assert sup["latex"] == r"\frac{1}{4}"
    assert isinstance(data["steps"], list) and data["steps"][0]["kind"]
    code, out, _ = run(capsys, "explain", "relu", "--format", "latex")
    assert code == 0 and "\\" in out


def test_table_markdown(capsys):
    code, out, err = run(capsys, "table", "sigmoid", "relu", "--format", "markdown")
    assert code == 0 and out.startswith("| name |") and "| sigmoid | 1/4 |" in out
    assert err == ""  # no progress: stderr is not a terminal under capsys


def test_table_explains_markers_and_zero_centred(capsys):
    code, out, _ = run(capsys, "table", "silu", "relu", "sin")
    assert code == 0
    sin = next(ln for ln in out.splitlines() if ln.startswith("sin"))
    assert "{2*n*pi : n ∈ ℤ}" in sin and "ImageSet" not in out and "Lambda" not in out
    assert "Markers:" in out and "zero-centred: phi(0) = 0 and phi takes both signs" in out
    silu = next(ln for ln in out.splitlines() if ln.startswith("silu"))
    assert "1.099839~" in silu and "certified: sup f', inf f'" in silu  # 1.09983932... (Arb)
    assert silu.count("1.099839~") == 2  # sup f' and the Lipschitz constant, both certified
    relu = next(ln for ln in out.splitlines() if ln.startswith("relu"))
    assert relu.rstrip().endswith("exact") and "(0, oo)" in relu
    assert "Interval" not in out and "EmptySet" not in out


def test_check_exit_codes(capsys):
    code, out, _ = run(capsys, "check", "sigmoid'(x) <= 1/4")
    assert code == 0 and out.strip()
    code, out, _ = run(capsys, "check", "sigmoid'(x) <= 1/5")
    assert code == 1
    code, _, _err = run(capsys, "check", "__import__('os')")
    assert code == 2
    code, out, _ = run(capsys, "check", "sigmoid'(x) <= 1/5", "--format", "json")
    data = json.loads(out)
    assert code == 1 and data["holds"] is False and data["exit_code"] == 1


def test_table_latex_typesets_exact_values(capsys):
    code, out, _ = run(capsys, "table", "sigmoid", "silu", "--format", "latex")
    assert code == 0 and out.startswith("\\begin{tabular}")
    sigmoid = next(ln for ln in out.splitlines() if ln.startswith("sigmoid"))
    assert r"$\frac{1}{4}$" in sigmoid and r"$C^\infty$" in sigmoid
    silu = next(ln for ln in out.splitlines() if ln.startswith("silu"))
    assert r"W\left(e^{-1}\right)" in silu and "1.099839" in silu  # exact range, certified sup
    for line in out.splitlines()[2:-1]:
        assert line.count("$") % 2 == 0 and "oo" not in line.replace("nondecreasing", "")


def test_exploding_bound_with_eps_is_an_answer(capsys):
    code, out, _ = run(capsys, "bound", "sigmoid", "--layers", "3", "--weight", "5", "--eps", "1e-6")
    assert code == 0 and "never drops below 1e-6" in out and "5/4" in out
    code, out, _ = run(capsys, "bound", "sigmoid", "--layers", "3", "--weight", "5", "--eps", "1e-6",
                       "--format", "json")
    data = json.loads(out)
    assert data["never_below"] is True and data["depth_below"] is None
    assert data["per_layer"]["text"] == "5/4" and data["per_layer"]["float"] == 1.25


def test_undecided_exits_3(capsys, monkeypatch):
    import symact
    from symact.core.errors import Undecided

    def undecided(*a, **k):
        raise Undecided("the enclosure straddles the bound")

    monkeypatch.setattr(symact, "gradient_bound", undecided)
    code, _, err = run(capsys, "bound", "relu", "--layers", "2")
    assert code == 3 and err.startswith("symact: error: the enclosure straddles")


def test_text_output_has_no_constructor_text(capsys):
    _code, out, _ = run(capsys, "explain", "relu", "--format", "json")
    data = json.loads(out)
    assert data["activation"]["expr"] == "{x if x > 0; 0 otherwise}"
    assert data["sup_derivative"]["at"]["text"] == "(0, oo)"
    for bad in ("Interval", "EmptySet", "Piecewise(("):
        # the steps' justifications are the derivation's own text (branch 'proofs')
        assert bad not in json.dumps({k: v for k, v in data.items() if k not in ("numbers", "steps")})


def test_gain_torch(capsys):
    code, out, _ = run(capsys, "gain", "relu", "tanh", "--format", "json")
    data = json.loads(out)
    assert code == 0
    relu, tanh = data["rows"]
    # He et al. 2015: sqrt 2 for ReLU; PyTorch: 5/3 for tanh
    assert relu["gain"]["text"] == "sqrt(2)" and relu["torch_gain"]["text"] == "sqrt(2)"
    assert relu["chi1_at_gain"]["float"] == 1.0
    assert tanh["torch_gain"]["text"] == "5/3"
    import mpmath
    ref = 1 / mpmath.sqrt(mpmath.quad(lambda z: mpmath.tanh(z) ** 2 * mpmath.npdf(z), [-mpmath.inf, mpmath.inf]))
    assert abs(tanh["gain"]["float"] - float(ref)) < 1e-9


def test_plot_and_latex(capsys, tmp_path):
    png = tmp_path / "relu.png"
    code, _, _ = run(capsys, "plot", "relu", "-o", str(png))
    assert code == 0 and png.read_bytes()[:4] == b"\x89PNG"
    svg = tmp_path / "g.svg"
    code, _, _ = run(capsys, "plot", "sigmoid", "--kind", "gradient", "--layers", "10", "-o", str(svg))
    assert code == 0 and b"<svg" in svg.read_bytes()
    tex = tmp_path / "sigmoid.tex"
    code, _out, _ = run(capsys, "latex", "sigmoid", "-o", str(tex))
    assert code == 0 and "\\begin{document}" in tex.read_text()


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex not installed")
def test_latex_pdf(capsys, tmp_path):
    tex = tmp_path / "relu.tex"
    code, _out, err = run(capsys, "latex", "relu", "-o", str(tex), "--pdf")
    assert code == 0, err
    assert (tmp_path / "relu.pdf").read_bytes()[:4] == b"%PDF"


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["bound", "sigmod", "--layers", "3"], "did you mean 'sigmoid'"),
        (["bound", "--expr", "__import__('os')", "--layers", "3"], "not allowed"),
        (["bound", "--expr", "x.__class__", "--layers", "3"], "symact: error:"),
        (["bound", "relu", "--weight", "abc", "--layers", "3"], "'abc' is not a number"),
        (["bound", "relu", "--param", "oops", "--layers", "3"], "name=value"),
        (["bound", "relu", "--param", "slope=2", "--layers", "3"], "no parameter"),
        (["bound", "--layers", "3"], "give an activation NAME"),
        (["plot", "relu", "-o", "x.txt"], ".png, .svg or .pdf"),
        (["latex", "relu", "-o", "x.pdf"], ".tex"),
        (["meanfield", "relu", "--weight-var", "-1"], "must be a number from 1e-6 to 1e6"),
    ],
)
def test_bad_input_is_one_line(capsys, argv, needle):
    code, _out, err = run(capsys, *argv)
    assert code == 2
    assert needle in err
    assert err.startswith("symact: error: ") and err.count("\n") == 1
    assert "Traceback" not in err


@pytest.mark.parametrize("layers", ["0", "-3", "ten"])
def test_bad_layers(capsys, layers):
    code, _, err = run(capsys, "bound", "relu", "--layers", layers)
    assert code == 2 and "--layers" in err and "positive integer" in err


# -- JSON everywhere, against the schema ------------------------------------------------
JSON_RUNS = [
    ["list"],
    ["explain", "sigmoid"],
    ["explain", "silu"],
    ["table", "sigmoid", "relu", "silu"],
    ["bound", "sigmoid", "--layers", "10", "--eps", "1e-6"],
    ["bound", "silu", "--layers", "3"],
    ["meanfield", "relu", "--weight-var", "2"],
    ["meanfield", "tanh", "--weight-var", "1.5", "--bias-var", "0.05", "--edge"],
    ["gain", "relu"],
    ["check", "tanh'(x) <= 1"],
    ["bound", "sigmod", "--layers", "3"],
]


@pytest.mark.parametrize("argv", JSON_RUNS, ids=[" ".join(a) for a in JSON_RUNS])
def test_json_follows_the_schema(capsys, argv):
    jsonschema = pytest.importorskip("jsonschema")
    from symact.presentation.schema import schema

    code, out, _ = run(capsys, *argv, "--format", "json")
    data = json.loads(out)
    assert data["command"] == argv[0] and data["exit_code"] == code
    which = "error" if "error" in data else argv[0]
    jsonschema.validate(data, schema(which))


def test_json_numbers_are_numbers_with_exact_text(capsys):
    _code, out, _ = run(capsys, "bound", "sigmoid", "--layers", "10", "--format", "json")
    b = json.loads(out)["bound"]
    assert b["float"] == 1 / 1048576 and b["text"] == "1/1048576" and b["level"] == "exact"
    _code, out, _ = run(capsys, "explain", "silu", "--format", "json")
    s = json.loads(out)["sup_derivative"]["value"]
    assert s["level"] == "certified"
    lo, hi = s["enclosure"]
    assert lo <= 1.0998393201288669 <= hi  # mpmath: max of silu' (root of silu'' refined)


def test_record_json_renders_typed_steps():
    import sympy

    from symact.core.steps import Record
    from symact.presentation.cli_output import record_json

    x = sympy.Symbol("x", real=True)
    r = record_json(Record("critical_points", {"expr": sympy.tanh(x), "points": (sympy.Integer(0),),
                                               "domain": sympy.Interval.open(0, sympy.oo)}))
    assert r["kind"] == "critical_points" and r["level"] == "exact"
    assert r["data"]["domain"] == "(0, oo)" and r["data"]["points"][0]["float"] == 0.0
    json.dumps(r)  # serialisable


def test_plain_printer_sets_and_piecewise():
    import sympy

    from symact.presentation.serialize import plain

    x = sympy.Symbol("x", real=True)
    assert plain(sympy.Interval.open(0, sympy.oo)) == "(0, oo)"
    assert plain(sympy.Interval(0, 1)) == "[0, 1]"
    assert plain(sympy.Interval.Lopen(0, 1)) == "(0, 1]"
    assert plain(sympy.S.EmptySet) == "∅"
    assert plain(sympy.Piecewise((x, x > 0), (0, True))) == "{x if x > 0; 0 otherwise}"
    assert plain(sympy.Union(sympy.Interval.open(-1, 0), sympy.Interval.open(0, 1))) == "(-1, 0) ∪ (0, 1)"


def test_every_command_has_json_output(capsys):
    for cmd in ("list", "explain", "table", "bound", "meanfield", "gain", "check", "latex", "plot"):
        code, out, _ = run(capsys, cmd, "--help")
        assert code == 0 and "--format" in out and "json" in out, cmd


def test_gain_param(capsys):
    code, out, _ = run(capsys, "gain", "leaky_relu", "--param", "negative_slope=1/5", "--format", "json")
    row = json.loads(out)["rows"][0]
    # He et al. 2015: sqrt(2/(1 + a^2)) = sqrt(2/(26/25)) = 5 sqrt(13)/13
    assert code == 0 and abs(row["gain"]["float"] - (2 / 1.04) ** 0.5) < 1e-12
    assert abs(row["torch_gain"]["float"] - (2 / 1.04) ** 0.5) < 1e-12


def test_schema_command(capsys):
    code, out, _ = run(capsys, "schema", "bound")
    assert code == 0 and json.loads(out)["title"] == "symact bound --format json"


# -- real processes ----------------------------------------------------------------
def _exe() -> list[str]:
    script = shutil.which("symact")
    return [script] if script else [sys.executable, "-m", "symact"]


ROOT = Path(__file__).resolve().parents[1]


def _proc(cmd, **kw):
    # PYTHONPATH makes the source tree win over a stale editable install
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
    env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONPATH": path}
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, env=env, check=False,
                          cwd=ROOT, **kw)


def test_python_dash_m():
    r = _proc([sys.executable, "-m", "symact", "bound", "sigmoid", "--layers", "2"])
    assert r.returncode == 0 and "1/16" in r.stdout


def test_console_script_errors():
    r = _proc([*_exe(), "explain", "sigmod"])
    assert r.returncode == 2
    assert r.stderr.startswith("symact: error: ") and "did you mean" in r.stderr
    assert "Traceback" not in r.stderr
    r = _proc([*_exe(), "bound", "--expr", "__import__('os').system('echo pwned')", "--layers", "1"])
    assert r.returncode == 2 and "pwned" not in r.stdout and "Traceback" not in r.stderr


def test_console_script_check_and_version():
    import symact

    r = _proc([*_exe(), "--version"])
    assert r.returncode == 0 and symact.__version__ in r.stdout
    r = _proc([*_exe(), "check", "tanh'(x) <= 1"])
    assert r.returncode == 0


def test_plugin_subcommands_hook(capsys, monkeypatch):
    import types

    fake = types.ModuleType("symact.presentation.cli_kernels")

    def add_parsers(sub):
        p = sub.add_parser("kernel", help="a plugged-in command")
        p.add_argument("name")
        p.add_argument("--format", choices=("text", "json"), default="text")
        p.set_defaults(handler=lambda args: print(f"kernel of {args.name}") or 0)

    fake.add_parsers = add_parsers
    import symact.presentation

    monkeypatch.setitem(sys.modules, "symact.presentation.cli_kernels", fake)
    monkeypatch.setattr(symact.presentation, "cli_kernels", fake, raising=False)  # undone after
    code, out, _ = run(capsys, "kernel", "relu")
    assert code == 0 and out == "kernel of relu\n"


def test_kernel_and_spectrum_commands(capsys):
    # ReLU at sigma_w^2 = 2: q* = 1 and C(0) = 1/pi (the arc-cosine kernel, Cho & Saul 2009)
    code, out, _ = run(capsys, "kernel", "relu", "--weight-var", "2", "--c", "0")
    assert code == 0 and "C(0) = 1/pi" in out and "[0.3183098861837906715" in out
    # orthogonal weights at criticality: mean 1, variance L (mu2/mu1^2 - 1) = 10 for ReLU
    code, out, _ = run(capsys, "spectrum", "relu", "--weight-var", "2", "--depth", "10",
                       "--weights", "orthogonal")
    assert code == 0 and "mean = 1, variance = 10" in out
    code, _, err = run(capsys, "kernel", "nosuch")
    assert code == 2 and ("did you mean" in err or "symact.names()" in err)


def _silu_slope_max():
    """sup silu' from mpmath: silu'' = 0 at x* (Newton at 50 digits), silu'(x*)."""
    import mpmath

    with mpmath.workdps(50):
        s = lambda t: 1 / (1 + mpmath.exp(-t))  # noqa: E731
        d1 = lambda t: s(t) * (1 + t * (1 - s(t)))  # noqa: E731
        d2 = lambda t: s(t) * (1 - s(t)) * (2 + t * (1 - 2 * s(t)))  # noqa: E731
        return d1(mpmath.findroot(d2, 2.4))


def test_certified_bound_shows_only_certified_digits(capsys):
    import decimal

    import mpmath

    code, out, _ = run(capsys, "bound", "silu", "--layers", "3", "--eps", "1e-6", "--format", "json")
    data = json.loads(out)
    assert code == 0 and data["level"] == "certified" and data["never_below"] is True
    with mpmath.workdps(50):
        worst = _silu_slope_max() ** 3
        for key, ref in (("bound", worst), ("per_layer", _silu_slope_max())):
            n = data[key]
            lo, hi = (mpmath.mpf(t) for t in n["enclosure_text"])
            assert n["level"] == "certified" and lo - mpmath.mpf(10) ** -28 <= ref <= hi + mpmath.mpf(10) ** -28
            # every decimal shown (text, digits, LaTeX) is the true value correctly rounded
            assert n["text"] == n["digits"]
            for shown in (n["digits"], n["latex"]):
                digits = len(shown.replace(".", "").lstrip("0"))
                assert decimal.Decimal(mpmath.nstr(ref, digits, strip_zeros=False)) == decimal.Decimal(shown)


def test_table_cells_round_the_true_value(capsys):
    import mpmath

    code, out, _ = run(capsys, "table", "silu", "--format", "json")
    row = json.loads(out)["rows"][0]
    assert code == 0 and row["level"] == "certified" and "Lipschitz" in row["certified_entries"]
    lip = row["lipschitz"]
    assert lip["level"] == "certified"
    with mpmath.workdps(50):
        ref = _silu_slope_max()
        lo, hi = (mpmath.mpf(t) for t in lip["enclosure_text"])
        assert lo - mpmath.mpf(10) ** -28 <= ref <= hi + mpmath.mpf(10) ** -28
        cell = mpmath.nstr(ref, 7) + "~"  # the true value correctly rounded, marked certified
    code, out, _ = run(capsys, "table", "silu")
    silu = next(ln for ln in out.splitlines() if ln.startswith("silu"))
    assert code == 0 and silu.count(cell) == 2  # sup f' and the Lipschitz constant


def test_json_steps_are_plain_text(capsys):
    code, out, _ = run(capsys, "explain", "sigmoid", "--format", "json")
    steps = json.loads(out)["steps"]
    assert code == 0 and steps
    for s in steps:
        assert s["lhs"] is None or isinstance(s["lhs"], str)
        assert s["rhs"] is None or isinstance(s["rhs"], str)
        assert isinstance(s["justification"], str)
    crit = next(s for s in steps if s["kind"] == "critical_points")
    assert crit["rhs"] == "{0}"  # sigmoid'' = 0 only at 0
    code, out, _ = run(capsys, "check", "tanh(x) <= 1/5", "--format", "json")
    ce = json.loads(out)["counterexample"]
    assert code == 1 and ce["point"]["float"] is not None
    import math

    x = ce["point"]["float"]
    assert math.tanh(x) > 0.2 and abs(ce["lhs"]["float"] - math.tanh(x)) < 1e-12
