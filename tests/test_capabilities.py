"""Every public capability has a command (or a documented reason) and a doc page; every
command's ``--format json`` output follows ``symact schema CMD``; errors speak the user's terms.

Run with ``-s`` to see the table of capabilities -> command -> page.
"""

from __future__ import annotations

import inspect
import json
import re
from pathlib import Path

import pytest

import symact as sa
from symact.presentation.capabilities import CAPABILITIES, table
from symact.presentation.cli import _add_plugins, main
from symact.presentation.cli_parser import build_parser

ROOT = Path(__file__).resolve().parents[1]


def _capabilities():
    out = []
    for name in sa.__all__:
        obj = getattr(sa, name)
        if inspect.ismodule(obj) or (callable(obj) and (not inspect.isclass(obj) or name[0].islower())):
            out.append(name)
    return out


def _commands():
    parser = build_parser(_add_plugins)
    sub = next(a for a in parser._actions if a.dest == "command")
    return set(sub.choices)


def test_every_capability_has_a_command_or_a_reason_and_a_page():
    caps = _capabilities()
    assert len(caps) > 60  # the walk itself can fail: it must see the whole API
    missing = [n for n in caps if n not in CAPABILITIES]
    assert not missing, f"add these public functions to symact/presentation/capabilities.py: {missing}"
    stale = [n for n in CAPABILITIES if n not in caps]
    assert not stale, stale
    commands = _commands()
    for name, (command, reason, page) in CAPABILITIES.items():
        if command is None:
            assert reason.startswith("Python-only:"), (name, reason)
        else:
            sub = command.split()[1]
            assert sub in commands, (name, command)
        text = (ROOT / "docs" / page).read_text(encoding="utf-8")
        # the page shows the function in use (a call or an attribute of the package)
        assert re.search(rf"(\b{re.escape(name)}\(|\.{re.escape(name)}\b)", text), (name, page)
    print("\n" + table())


def test_capabilities_table_is_in_the_docs():
    page = (ROOT / "docs" / "guide" / "capabilities.md").read_text(encoding="utf-8")
    for name in CAPABILITIES:
        assert f"| `sa.{name}` |" in page, name


_SMALL = {
    "list": [],
    "explain": ["relu"],
    "table": ["relu"],
    "bound": ["relu", "--layers", "2"],
    "meanfield": ["relu", "--weight-var", "2"],
    "gain": ["relu"],
    "check": ["relu(x) >= 0"],
    "latex": ["relu", "-o", "{tmp}/r.tex"],
    "plot": ["relu", "-o", "{tmp}/r.png"],
    "kernel": ["relu", "--weight-var", "2"],
    "spectrum": ["relu", "--weight-var", "2", "--depth", "3"],
    "identify": ["0.785398163397448309615"],
    "relax": ["relu", "-1", "1"],
    "init": ["relu", "--width", "16", "--std", "0.3536", "--depth", "2"],
    "lr": ["relu", "--depth", "2"],
    "stack": ["relu", "--depth", "2", "--weight-var", "2"],
    "nngp": ["relu", "--depth", "2", "--weight-var", "2", "--c", "1/2"],
    "ntk": ["relu", "--depth", "2", "--weight-var", "2", "--c", "1/2"],
    "shape": ["relu", "--expr", "tanh(x)", "--dps", "10"],
    "isometry": ["relu", "--depth", "10"],
}


def test_json_cases_cover_every_command():
    assert set(_SMALL) == _commands() - {"schema"}


@pytest.mark.parametrize("command", sorted(_SMALL))
def test_json_output_follows_its_schema(command, capsys, tmp_path):
    jsonschema = pytest.importorskip("jsonschema")
    if command == "plot":
        pytest.importorskip("matplotlib")
    args = [a.format(tmp=tmp_path) for a in _SMALL[command]]
    code = main([command, *args, "--format", "json"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert main(["schema", command]) == 0
    schema = json.loads(capsys.readouterr().out)
    jsonschema.validate(json.loads(out), schema)


#: Bad input for every command: exit 2, one line naming the option, no internal names.
_BAD = [
    ["explain", "sigmod"], ["table", "nope"], ["bound", "relu", "--layers", "0"],
    ["bound", "relu", "--layers", "2", "--weight", "abc"], ["meanfield", "relu", "--weight-var", "-1"],
    ["gain", "nope"], ["gain", "--expr", "x +"],
    ["check", "sigmoid'(x) <= "],
    ["latex", "relu", "-o", "x.txt"], ["plot", "relu", "-o", "x.bmp"],
    ["kernel", "relu", "--c", "2"], ["spectrum", "relu", "--weight-var", "0"],
    ["identify", "abc"], ["init", "relu", "--width", "0", "--std", "1", "--depth", "1"],
    ["lr", "nope"], ["stack", "relu", "--q", "-1"], ["nngp", "relu", "--c", "1.5"],
    ["ntk", "relu", "--q2", "1e9"], ["ntk", "--expr", "import os"], ["shape", "tanh", "--tau", "0"],
    ["isometry", "relu", "--bias-var", "-1"], ["spectrum", "tanh", "--q", "-1"],
    ["nngp"], ["shape", "sigmod"], ["schema", "nope"],
]
_INTERNAL = re.compile(r"_symact|symact\.[a-z_]+\.|Traceback|__|\bNone\b|<function|object at 0x")


@pytest.mark.parametrize("argv", _BAD, ids=lambda a: " ".join(a))
def test_bad_input_is_one_line_in_user_terms(argv, capsys):
    code = main(argv)
    _, err = capsys.readouterr()
    assert code == 2, err
    assert err.strip(), argv
    assert not _INTERNAL.search(err), err
    assert len(err) < 600, err  # no page-long lists of accepted names


#: Bad input to the Python API: a symact error (or ValueError) in the user's terms.
_API_BAD = [
    ("activation", ("sigmod",), {}), ("define", ("bad", "x +"), {}),
    ("gradient_bound", ("relu", -1), {}), ("mean_field", ("relu", -1), {}),
    ("mean_field", ("relu", 2, -1), {}), ("chi1", ("tanh", 0), {}), ("edge_of_chaos", ("tanh", -1), {}),
    ("expect", ("x +",), {}), ("gain", ("nope",), {}), ("torch_gain", ("nope",), {}),
    ("nngp", ("relu", -1, 2), {"q1": 1, "c": 0}), ("ntk", ("relu", 1, 2), {}),
    ("shape", ("tanh",), {"method": "xyz"}), ("isometry", ("relu", 0), {}),
    ("isometry", ("relu", 10), {"weights": "u"}), ("jacobian_spectrum", ("relu", 2, 0, 10), {"weights": "u"}),
    ("correlation_map", ("tanh", -1), {}), ("identify", ("abc",), {}),
    ("derivative_bounds", ("relu", -1), {}), ("sup", ("x +",), {}), ("analyze", ("nope",), {}),
    ("table", (["nope"],), {}), ("gain_table", (["nope"],), {}), ("propagate", (None, -1), {}),
    ("init_report", ("relu", 0, "0.1", 1), {}),
    ("ntk", ("relu", 3, 2), {"q1": 1, "c": 1.5, "_needs": "[-1, 1]"}),
    ("nngp", ("relu", 1, 2), {"q1": -1, "c": 0}),
    ("check_claim", ("sigmoid'(x) <= ",), {}),
    ("check_claim", (r"\foo(x) \le 1",), {}),
]


@pytest.mark.parametrize("name, args, kwargs", _API_BAD, ids=lambda v: v if isinstance(v, str) else None)
def test_python_errors_in_user_terms(name, args, kwargs):
    if name == "propagate":
        args = (sa.dense(2), *args[1:])
    kwargs = dict(kwargs)
    needs = kwargs.pop("_needs", "")
    with pytest.raises((ValueError, TypeError, LookupError)) as info:
        getattr(sa, name)(*args, **kwargs)
    message = str(info.value)
    assert message and not _INTERNAL.search(message.replace("__import__", "")), message
    assert len(message) < 600, message
    assert needs in message, message
