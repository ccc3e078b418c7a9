r"""LaTeX that cannot run: escaping user strings and symbol names, spotting dangerous TeX.

Anything a user chose -- an activation's name, a description, a parameter's
symbol name -- ends up in LaTeX documents that ``pdflatex`` may compile.  A
symbol named ``\input{/etc/passwd}`` printed verbatim makes TeX read that file
into the PDF; ``\write18{...}`` runs a shell command where shell escape is on.
So every user-provided string goes through one of:

- :func:`latex_escape_text` for text mode (``\text{...}``, titles, prose);
- :func:`latex_safe_name` for a symbol's name in math mode: plain identifiers
  (``x``, ``alpha``, ``w_1``) keep SymPy's rendering, anything else becomes
  ``\mathtt{...}`` with every special character escaped;
- :func:`latex_math` for a SymPy expression: ``sympy.latex`` with every
  unsafe symbol name replaced by its safe rendering.

:func:`unsafe_control_sequences` lists the file, shell and catcode commands in
a finished document, for a last check before compiling it
(:func:`symact.presentation.pdf.compile_pdf` refuses such documents).

>>> import sympy
>>> s = sympy.Symbol(r"\input{/etc/passwd}")
>>> latex_math(2 * s)
'2 \\mathtt{\\backslash{}input\\{/etc/passwd\\}}'
>>> unsafe_control_sequences(latex_math(2 * s))
[]
>>> unsafe_control_sequences(sympy.latex(2 * s))
['\\input']
"""

from __future__ import annotations

import re
from typing import Any

__all__ = [
    "UNSAFE_COMMANDS",
    "is_safe_name",
    "latex_escape_text",
    "latex_math",
    "latex_safe_name",
    "safe_symbol_names",
    "unsafe_control_sequences",
]

_TEXT_ESCAPES = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "$": r"\$",
    "&": r"\&",
    "#": r"\#",
    "^": r"\textasciicircum{}",
    "_": r"\_",
    "%": r"\%",
    "~": r"\textasciitilde{}",
}
_MATH_ESCAPES = {
    "\\": r"\backslash{}",
    "{": r"\{",
    "}": r"\}",
    "$": r"\$",
    "&": r"\&",
    "#": r"\#",
    "^": r"\hat{}",
    "_": r"\_",
    "%": r"\%",
    "~": r"\sim{}",
    " ": r"\ ",
}
# Names SymPy renders safely: letters and digits, an optional subscript after "_", primes.
_SAFE_NAME = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)?'*\Z")

#: Control sequences that read or write files, run commands or change how TeX reads input.
UNSAFE_COMMANDS = (
    "input", "include", "includeonly", "InputIfFileExists", "openin", "openout", "read",
    "readline", "write", "immediate", "closein", "closeout", "newread", "newwrite",
    "catcode", "csname", "endcsname", "def", "edef", "gdef", "xdef", "let", "futurelet",
    "expandafter", "special", "directlua", "luaexec", "latelua", "pdfprimitive",
    "ShellEscape", "write18", "includegraphics", "lstinputlisting", "verbatiminput",
    "usepackage", "RequirePackage", "documentclass", "scantokens",
    "jobname", "outer", "output", "everypar", "everymath", "everyeof", "endinput",
)  # fmt: skip
_CONTROL = re.compile(r"\\([A-Za-z@]+)")


def _escape(text: str, table: dict[str, str]) -> str:
    out = []
    for ch in str(text):
        if ch in table:
            out.append(table[ch])
        elif ord(ch) < 32 or ord(ch) == 127:
            out.append(" ")  # control characters (NUL, ESC, ^^ sequences) never reach TeX
        else:
            out.append(ch)
    return "".join(out)


def is_safe_name(name: str) -> bool:
    """Whether ``name`` is a plain identifier (letters, digits, one ``_`` subscript, primes).

    >>> is_safe_name("w_1"), is_safe_name(r"\\input{a}")
    (True, False)
    """
    return isinstance(name, str) and _SAFE_NAME.match(name) is not None


def latex_escape_text(text: str) -> str:
    r"""Escape a user string for LaTeX text mode: every special character becomes literal.

    >>> print(latex_escape_text(r"\input{/etc/passwd} & 100% #1"))
    \textbackslash{}input\{/etc/passwd\} \& 100\% \#1
    """
    return _escape(text, _TEXT_ESCAPES)


def latex_safe_name(name: str) -> str:
    r"""A symbol name as safe math-mode LaTeX.

    Plain identifiers come back as SymPy renders them (``alpha`` is
    ``\alpha``, ``w_1`` is ``w_{1}``); any other name is typeset literally in
    typewriter type, its special characters escaped, so it cannot be a
    control sequence.

    >>> latex_safe_name("alpha"), latex_safe_name("w_1")
    ('\\alpha', 'w_{1}')
    >>> print(latex_safe_name(r"\input{/etc/passwd}"))
    \mathtt{\backslash{}input\{/etc/passwd\}}
    """
    import sympy

    name = str(name)
    if _SAFE_NAME.match(name):
        return sympy.latex(sympy.Symbol(name))
    return r"\mathtt{" + _escape(name, _MATH_ESCAPES) + "}"


def safe_symbol_names(expr: Any) -> dict[Any, str]:
    r"""``symbol_names=`` for :func:`sympy.latex`: a safe rendering for every unsafe symbol.

    >>> import sympy
    >>> safe_symbol_names(sympy.Symbol("x") + sympy.Symbol("a}b"))
    {a}b: '\\mathtt{a\\}b}'}
    """
    import sympy

    names: dict[Any, str] = {}
    atoms = getattr(expr, "atoms", None)
    if atoms is None:
        return names
    for sym in atoms(sympy.Symbol, sympy.Dummy):
        if not _SAFE_NAME.match(sym.name):
            names[sym] = latex_safe_name(sym.name)
    return names


def latex_math(expr: Any, **options: Any) -> str:
    r"""``sympy.latex(expr)`` with unsafe symbol names escaped (see :func:`latex_safe_name`).

    >>> import sympy
    >>> latex_math(sympy.Symbol("x") ** 2)
    'x^{2}'
    """
    import sympy

    names = safe_symbol_names(expr)
    if names:
        options["symbol_names"] = {**names, **options.get("symbol_names", {})}
    return sympy.latex(expr, **options)


def unsafe_control_sequences(tex: str, *, allow: tuple[str, ...] = ()) -> list[str]:
    r"""The file, shell and catcode control sequences in ``tex`` (``[]`` when there are none).

    ``allow`` names commands that are expected (a document's own preamble uses
    ``\documentclass`` and ``\usepackage``).  Also reports ``^^`` escapes,
    which TeX would decode into arbitrary characters.

    >>> unsafe_control_sequences(r"\frac{1}{2} \input{secret} \immediate\write18{ls}")
    ['\\input', '\\immediate', '\\write']
    >>> unsafe_control_sequences(r"\usepackage{amsmath}", allow=("usepackage",))
    []
    """
    found: list[str] = []
    for m in _CONTROL.finditer(tex):
        cmd = m[1]
        if cmd in allow:
            continue
        if cmd in UNSAFE_COMMANDS or cmd.startswith(("write", "input", "open", "read")):
            label = "\\" + cmd
            if label not in found:
                found.append(label)
    if "filecontents" in tex:
        found.append("\\begin{filecontents}")
    if "^^" in tex:
        found.append("^^")
    return found
