"""Sphinx extension: one API page for every name in ``symact.__all__`` and every plot function.

The pages are generated when the build starts, from ``symact.__all__`` and
``symact.plot.__all__``, so a new public name gets a page without editing the
docs; ``tests/test_docs.py`` checks that none is missing.
"""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any

#: Descriptions of public names that are plain data (their type's docstring says nothing useful).
DATA_DOCS = {
    "__version__": "The installed version of symact (from the package metadata).",
    "x": "``Symbol('x', real=True)``: the variable of every activation's expression.",
    "DEFAULT_DPS": "The default working precision (decimal digits) of every public function "
                   "taking ``dps=``.",
    "LEVELS": 'The levels of a result, strongest first: ``("exact", "certified", '
              '"identified", "sampled")``.',
}

GROUPS = [
    ("Results and settings", "core"),
    ("Activations", "expressions"),
    ("Exact analysis", "analysis"),
    ("Depth and mean field", "propagation"),
    ("Derivations and verification", "proofs"),
    ("Figures", "presentation"),
    ("Errors", "errors"),
]


_KERNEL_CONVENTION = (
    "neural-tangents' ``stax.serial(Dense, act, ..., Dense)`` in the NTK parameterisation "
    "(Lee et al. 2018; Jacot et al. 2018). The inputs are the covariance of the first "
    "pre-activations, :math:`\\Sigma^1 = \\sigma_w^2 x^\\top x'/d + \\sigma_b^2`, given as "
    "``q1, q2, c`` (:math:`c \\in [-1, 1]`) or ``gram=``; :math:`\\Theta^1 = \\Sigma^1`; each of "
    "the ``depth`` layers maps :math:`\\Sigma^{l+1} = \\sigma_w^2 E[\\varphi(u)\\varphi(v)] + "
    "\\sigma_b^2` and :math:`\\Theta^{l+1} = \\Sigma^{l+1} + \\sigma_w^2 "
    "E[\\varphi'(u)\\varphi'(v)]\\,\\Theta^l` with :math:`(u, v) \\sim N(0, \\Sigma^l)`. "
    "Worked examples: the user guide's *Kernels at depth L* and *symact for neural-tangents users*.")

#: Notes shown on an API page under "Convention" (for docstrings that refer to module notes).
NOTES = {"nngp": _KERNEL_CONVENTION, "ntk": _KERNEL_CONVENTION}


def _kind(obj: Any) -> str:
    if inspect.ismodule(obj):
        return "module"
    if inspect.isclass(obj):
        return "exception" if issubclass(obj, BaseException) else "class"
    if callable(obj):
        return "function"
    return "data"


def public_names() -> list[str]:
    """Every documented name: ``symact.NAME`` and ``symact.plot.NAME``."""
    import symact
    from symact import plot

    return [f"symact.{n}" for n in symact.__all__] + [f"symact.plot.{n}" for n in plot.__all__]


def _group(qualname: str, obj: Any) -> str:
    if qualname.startswith("symact.plot"):
        return "presentation"
    if _kind(obj) == "exception":
        return "errors"
    module = getattr(obj, "__module__", "") or ""
    if qualname in ("symact.x", "symact.__version__"):
        return "expressions" if qualname == "symact.x" else "core"
    for _, key in GROUPS:
        if module.startswith(f"symact.{key}"):
            return key
    return "core"


def _resolve(qualname: str) -> Any:
    import symact

    obj: Any = symact
    for part in qualname.split(".")[1:]:
        obj = getattr(obj, part)
    return obj


def pages() -> dict[str, str]:
    """``{file name: reStructuredText}`` of every API page, plus ``index.rst``."""
    out: dict[str, str] = {}
    grouped: dict[str, list[str]] = {key: [] for _, key in GROUPS}
    data: set[str] = set()
    group_of = {q: _group(q, _resolve(q)) for q in public_names()}
    for qualname in public_names():
        obj = _resolve(qualname)
        kind = _kind(obj)
        mod, _, name = qualname.rpartition(".")
        title = qualname
        body = [title, "=" * len(title), "", f".. currentmodule:: {mod}", ""]
        if kind == "data":
            body += [f".. data:: {name}", "", "   " + DATA_DOCS.get(name, f"``{obj!r}``"), ""]
        elif kind == "module":
            body += [f".. automodule:: {qualname}", "   :no-members:", "", ".. autosummary::", ""]
            body += [f"   {n}" for n in obj.__all__]
            body += [""]
        elif kind == "class":
            body += [f".. autoclass:: {name}", "   :members:", ""]
        else:
            body += [f".. auto{kind}:: {name}", ""]
        if name in NOTES and mod == "symact":
            body += [".. rubric:: Convention", "", NOTES[name], ""]
        related = [q for q in public_names() if group_of[q] == group_of[qualname] and q != qualname]
        if related:  # cross-links to the names of the same layer
            title = dict((k, t) for t, k in GROUPS)[group_of[qualname]]
            body += [".. rubric:: Related", "", f"{title}: " + ", ".join(
                f":{'py:data' if _kind(_resolve(q)) == 'data' else 'py:obj'}:`~{q}`" for q in related), ""]
        out[f"{qualname}.rst"] = "\n".join(body)
        grouped[_group(qualname, obj)].append(qualname)
        if kind == "data":
            data.add(qualname)
    index = ["API reference", "=============", "",
             "Every public name of :mod:`symact` and :mod:`symact.plot`, with its docstring "
             "and examples.", ""]
    for title, key in GROUPS:
        names = grouped[key]
        if not names:
            continue
        index += [title, "-" * len(title), ""]
        plain = [q for q in names if q in data]  # their type's docstring is no summary
        index += [f"* :data:`{q}` -- {DATA_DOCS.get(q.rpartition('.')[2], '')}" for q in plain]
        index += [""] if plain else []
        index += [".. autosummary::", ""]
        index += [f"   {q}" for q in names if q not in data]
        index += ["", ".. toctree::", "   :hidden:", ""]
        index += [f"   {q}" for q in names]
        index += [""]
    out["index.rst"] = "\n".join(index)
    return out


def write_pages(target: Path) -> int:
    """Write the pages into ``target``; return how many name pages there are."""
    target.mkdir(parents=True, exist_ok=True)
    written = pages()
    for name, text in written.items():
        path = target / name
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
    return len(written) - 1


def _on_builder_inited(app: Any) -> None:
    import sys

    from symact.presentation import plot

    # ``symact.plot`` is a lazy attribute of the package; let autodoc import it by that name
    sys.modules.setdefault("symact.plot", plot)
    write_pages(Path(app.srcdir) / "api" / "reference")


def setup(app: Any) -> dict[str, Any]:
    app.connect("builder-inited", _on_builder_inited)
    return {"parallel_read_safe": True}
