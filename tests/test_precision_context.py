"""mpmath's and flint's global precision only change under the precision lock (issue 14).

Two checks:

- an AST scan of the package: no module but ``symact/core/precision.py``
  calls ``mpmath.workprec``/``workdps``/``extraprec``/``extradps``,
  ``mp.workprec``..., ``flint.ctx.workprec``/``workdps`` or assigns
  ``mp.prec``/``mp.dps``/``ctx.prec``/``ctx.dps`` (they would change a
  process-wide setting without the lock, under another thread's feet);
- a "hammer" thread holds the lock at changing precisions and asserts that
  nobody changes them inside its blocks, while four threads run
  Arb-backed engines (certified sup, integrals, the analysis profile);
  their answers must equal the sequential ones and the global precisions
  must be unchanged afterwards.
"""

from __future__ import annotations

import ast
import random
import sys
import threading
import time
from pathlib import Path

import mpmath
import pytest
import sympy

import symact as sa
from symact.core.precision import workdps, workprec

PACKAGE = Path(__file__).resolve().parents[1] / "symact"
_CALLS = {"workprec", "workdps", "extraprec", "extradps"}
_CONTEXTS = {"mpmath", "mp", "ctx"}  # mpmath, mpmath.mp, flint.ctx
# Modules other engineers own while this lands; the lead routes them at merge time.
PENDING: set[str] = set()  # every module is routed through core.precision


def _context_name(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def bare_uses(source: str) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr in _CALLS and _context_name(node.func.value) in _CONTEXTS:
                found.append((node.lineno, ast.unparse(node.func)))
        targets = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = [node.target]
        for t in targets:
            if isinstance(t, ast.Attribute) and t.attr in {"prec", "dps"} and _global(t.value):
                found.append((t.lineno, ast.unparse(t)))
    return sorted(found)


def _global(node: ast.AST) -> bool:
    # mp, mpmath.mp, flint.ctx; a bare ``ctx`` is decimal's local context in symact
    if isinstance(node, ast.Name):
        return node.id == "mp"
    return isinstance(node, ast.Attribute) and (
        node.attr == "mp" or (node.attr == "ctx" and _context_name(node.value) == "flint")
    )


def test_the_scan_finds_bare_uses() -> None:
    bad = (
        "import flint, mpmath\n"
        "with flint.ctx.workprec(64): pass\n"
        "with mpmath.workdps(50): pass\n"
        "with mpmath.mp.extraprec(10): pass\n"
        "mpmath.mp.dps = 40\n"
        "with decimal.localcontext() as ctx: ctx.prec = 5\n"
        "flint.ctx.prec += 1\n"
    )
    assert [line for line, _ in bare_uses(bad)] == [2, 3, 4, 5, 7]
    assert bare_uses("from symact.core.precision import workprec\nwith workprec(64): pass\n") == []


def test_no_bare_precision_change_in_the_package() -> None:
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        if rel == "core/precision.py" or rel in PENDING:
            continue
        for line, what in bare_uses(path.read_text()):
            offenders.append(f"symact/{rel}:{line}: {what}")
    assert not offenders, "use symact.core.precision.workprec/workdps:\n" + "\n".join(offenders)


def _flint_prec() -> int | None:
    return getattr(getattr(sys.modules.get("flint"), "ctx", None), "prec", None)


CALLS = {
    "sup bump": lambda: sa.sup("x*exp(-x**2)"),
    "sup wave": lambda: sa.sup("sin(3*x)*exp(-x**2/4)"),
    "inf wave": lambda: sa.inf("sin(3*x)*exp(-x**2/4)"),
    "expect softsign": lambda: sa.expect("softsign", dps=25),
    "expect tanh^2": lambda: sa.expect("tanh(x)**2", dps=25),
    "profile gelu": lambda: sa.analyze("gelu").derivative.sup,
}


def _key(r: object) -> tuple:
    enc = getattr(r, "enclosure", None)
    value = getattr(r, "value", r)
    return (sympy.srepr(value), tuple(v._mpf_ for v in enc) if enc is not None else None)


def test_threads_leave_precision_alone_and_match_sequential() -> None:
    # from empty caches, as the threads start: an earlier test may have cached a different
    # (equally rigorous) enclosure of the same value through another path
    sa.clear_cache()
    sequential = {name: _key(f()) for name, f in CALLS.items()}
    prec, dps, fprec = mpmath.mp.prec, mpmath.mp.dps, _flint_prec()
    sa.clear_cache()
    stop = threading.Event()
    errors: list[BaseException] = []
    seen: dict[int, dict[str, tuple]] = {}

    def hammer() -> None:
        rnd = random.Random(0)
        try:
            while not stop.is_set():
                bits = rnd.choice([60, 100, 200, 333])
                with workprec(bits):
                    for _ in range(200):
                        mpmath.mpf(1) / 3
                    assert mpmath.mp.prec == bits and _flint_prec() in (None, bits)
                with workdps(rnd.choice([15, 40])):
                    time.sleep(0)
                time.sleep(0.0005)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    def worker(k: int) -> None:
        names = list(CALLS)
        random.Random(k).shuffle(names)
        try:
            seen[k] = {name: _key(CALLS[name]()) for name in names}
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    h = threading.Thread(target=hammer, daemon=True)
    workers = [threading.Thread(target=worker, args=(k,), daemon=True) for k in range(4)]
    h.start()
    for t in workers:
        t.start()
    for t in workers:
        t.join(120)
    stop.set()
    h.join(10)
    assert not errors, errors
    assert len(seen) == 4
    for got in seen.values():
        assert got.keys() == sequential.keys()
        for name, (value, enc) in got.items():
            ref_value, ref_enc = sequential[name]
            assert value == ref_value, name
            if enc is None or enc == ref_enc:
                continue
            # the same value: both rigorous enclosures overlap and are equally tight.  (After some
            # earlier tests in one session, an expect() enclosure's width can differ in its 8th
            # digit from a fresh one: history-dependent but rigorous; noted in issue 14.)
            lo, hi = (mpmath.mpf(v) for v in enc)
            rlo, rhi = (mpmath.mpf(v) for v in ref_enc)
            assert lo <= rhi and rlo <= hi, name
            assert (hi - lo) <= 2 * (rhi - rlo) and (rhi - rlo) <= 2 * (hi - lo), name
    assert (mpmath.mp.prec, mpmath.mp.dps, _flint_prec()) == (prec, dps, fprec)


@pytest.mark.parametrize("bits", [0, -3])
def test_workprec_refuses_non_positive_bits(bits: int) -> None:
    with pytest.raises(ValueError, match="positive number of bits"):
        workprec(bits)
