r"""Compile a LaTeX document to PDF without letting it touch anything else.

:func:`compile_pdf` is the one place symact runs ``pdflatex``.  It

- refuses, before running anything, a document with file, shell or catcode
  commands in its body (:func:`symact.core.texsafe.unsafe_control_sequences`;
  only ``\documentclass`` and ``\usepackage`` are allowed, in the preamble);
- runs ``pdflatex -no-shell-escape -interaction=nonstopmode -halt-on-error``
  in a fresh temporary directory that holds nothing but the document, with
  ``openin_any=p`` and ``openout_any=p`` (paranoid: no reading or writing
  outside that directory and its subdirectories, no dot files),
  ``shell_escape=f`` and standard input closed;
- kills ``pdflatex`` (and anything it started) when the time budget runs out,
  raising :class:`~symact.core.budget.BudgetExceeded`;
- copies only the PDF to ``out_dir``.

>>> import shutil, tempfile
>>> if shutil.which("pdflatex"):
...     doc = "\\documentclass{article}\\begin{document}$x^2$\\end{document}"
...     out = compile_pdf(doc, tempfile.mkdtemp(), budget=60)
...     print(out.suffix, out.stat().st_size > 0)
... else:
...     print(".pdf True")
.pdf True
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from ..core.budget import BudgetExceeded, remaining
from ..core.texsafe import unsafe_control_sequences

__all__ = ["compile_pdf", "pdflatex_command", "pdflatex_environment"]


def pdflatex_command(exe: str, name: str) -> list[str]:
    """The ``pdflatex`` command line :func:`compile_pdf` runs on ``name``.tex.

    >>> pdflatex_command("pdflatex", "doc")[:3]
    ['pdflatex', '-no-shell-escape', '-interaction=nonstopmode']
    """
    return [exe, "-no-shell-escape", "-interaction=nonstopmode", "-halt-on-error",
            "-file-line-error", f"{name}.tex"]  # fmt: skip


def pdflatex_environment(workdir: str | os.PathLike[str]) -> dict[str, str]:
    """The environment :func:`compile_pdf` gives ``pdflatex``: paranoid file access, no shell.

    >>> env = pdflatex_environment("/tmp")
    >>> env["openin_any"], env["openout_any"], env["shell_escape"]
    ('p', 'p', 'f')
    """
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "SYSTEMROOT", "TEMP", "TMP", "TEXMFHOME",
            "TEXMFVAR", "TEXMFCONFIG", "TEXMFCACHE")  # fmt: skip
    env = {k: v for k, v in os.environ.items() if k in keep}
    env.update(
        openin_any="p",
        openout_any="p",
        shell_escape="f",
        TEXMFOUTPUT=str(workdir),
        TEXINPUTS="",  # the default search path only: nothing from the caller's directory
    )
    return env


def _check_document(tex: str) -> None:
    if not isinstance(tex, str):
        raise TypeError(f"a LaTeX document must be a string, got {type(tex).__name__}")
    head, sep, body = tex.partition("\\begin{document}")
    if not sep:
        raise ValueError("not a LaTeX document: no \\begin{document}; pass a whole document")
    bad = unsafe_control_sequences(head, allow=("documentclass", "usepackage"))
    bad += [c for c in unsafe_control_sequences(body) if c not in bad]
    if bad:
        raise ValueError(
            f"refusing to compile a document with {', '.join(bad)}: these read or write files, "
            "run commands or change how TeX reads its input; accepted: documents whose body is "
            "mathematics and text (symact's own documents are)"
        )


def _kill(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is not None:
        return
    try:
        if sys.platform != "win32":
            os.killpg(proc.pid, 9)
        else:
            proc.kill()
    except (ProcessLookupError, PermissionError, OSError):
        proc.kill()
    proc.wait()


def compile_pdf(
    tex_source: str,
    out_dir: str | os.PathLike[str],
    *,
    name: str = "document",
    budget: float = 60.0,
) -> Path:
    r"""Compile ``tex_source`` with ``pdflatex`` safely; return the path of the PDF in ``out_dir``.

    Parameters
    ----------
    tex_source : str
        A whole LaTeX document (as from ``symact.derive(act).document()``).
    out_dir : path
        Where the PDF goes (created if missing).  Nothing else is written there.
    name : str, keyword-only
        The file name of the PDF without ``.pdf`` (letters, digits, ``-`` and ``_``).
    budget : float, keyword-only
        Seconds ``pdflatex`` may run (shortened by an enclosing budget).

    Raises
    ------
    ValueError
        For a document with dangerous commands, or a bad ``name``.
    FileNotFoundError
        When ``pdflatex`` is not installed.
    BudgetExceeded
        When ``pdflatex`` runs past ``budget``; it is killed.
    RuntimeError
        When ``pdflatex`` fails; the message quotes its first error.
    """
    if not name or not all(ch.isalnum() or ch in "-_" for ch in name):
        raise ValueError(f"name must be letters, digits, '-' or '_', got {name!r}")
    _check_document(tex_source)
    exe = shutil.which("pdflatex")
    if exe is None:
        raise FileNotFoundError(
            "compiling a PDF needs pdflatex on PATH (e.g. apt-get install texlive-latex-base)"
        )
    limit = float(budget)
    left = remaining()
    if left is not None:
        limit = min(limit, left)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="symact-tex-") as tmp:
        src = Path(tmp) / f"{name}.tex"
        src.write_text(tex_source, encoding="utf-8")
        popen_kw: dict[str, object] = {}
        if sys.platform != "win32":
            popen_kw["start_new_session"] = True  # kill the whole group on timeout
        else:
            popen_kw["creationflags"] = subprocess.CREATE_NEW_PROCESS_GROUP  # type: ignore[attr-defined]
        proc = subprocess.Popen(
            pdflatex_command(exe, name),
            cwd=tmp,
            env=pdflatex_environment(tmp),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            **popen_kw,  # type: ignore[arg-type]
        )
        try:
            stdout, _ = proc.communicate(timeout=limit)
        except subprocess.TimeoutExpired:
            _kill(proc)
            raise BudgetExceeded(f"pdflatex did not finish within its {limit:g} s budget") from None
        finally:
            _kill(proc)
        pdf = Path(tmp) / f"{name}.pdf"
        if proc.returncode != 0 or not pdf.exists():
            text = stdout.decode("latin-1", errors="replace")
            start = text.find("\n! ")
            if start < 0:
                start = max(text.find(":", text.find(".tex:")), 0)
            excerpt = " ".join(text[start : start + 300].split())
            raise RuntimeError(f"pdflatex failed (exit {proc.returncode}): {excerpt}")
        target = out / f"{name}.pdf"
        shutil.copyfile(pdf, target)
    return target
