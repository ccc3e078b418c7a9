r"""Derivations as values: steps, prose, a summary table, and their renderings.

A :class:`Derivation` is an argument, not a log: a title naming the function,
paragraphs that say what is being shown and why, displayed equations with the
reason for each, a summary table and the references actually used.  Every
formula is a SymPy object or a :class:`Notation`, never a string to be parsed;
prose is a tuple of pieces (text, formulas, numbers) that each renderer sets
in its own way:

* :meth:`Derivation.document` -- a standalone LaTeX article (every formula in
  math mode; long displays shrink to the line, table cells wrap);
* :meth:`Derivation.markdown` -- Markdown with MathJax-compatible ``$...$``;
* :meth:`Derivation.text` -- plain text with Unicode mathematics.

Numbers inside a derivation are SymPy ``Float`` values built with
:func:`~symact.core.result.honest_float` (they carry only certified digits and
print no more) or protocol results (:class:`~symact.core.result.Result`),
rendered through the protocol.

>>> import sympy
>>> from symact.expressions.activation import x
>>> d = Derivation("Demo", (Step("definition", phi(x), x**2, "=", "By definition,"),),
...                (Row("max", Notation(r"\max", "max"), sympy.Integer(1)),))
>>> print(d.text())
Demo
By definition,
    φ(x) = x²
max: 1
>>> dict(d.numbers)["max"]
'1'
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import sympy

from ..core.result import Result

__all__ = [
    "REFERENCES",
    "Derivation",
    "Notation",
    "Row",
    "Step",
    "escape_text",
    "inline_latex",
    "inline_text",
    "math_latex",
    "phi",
    "unicode_math",
]

Relation = Literal["=", "<=", ">=", "<", ">", "approx", "in", "->", ""]
_REL_TEX = {"=": "=", "<=": r"\le", ">=": r"\ge", "<": "<", ">": ">", "approx": r"\approx",
            "in": r"\in", "->": r"\to", "": ""}
_REL_TXT = {"=": "=", "<=": "≤", ">=": "≥", "<": "<", ">": ">", "approx": "≈", "in": "∈",
            "->": "→", "": ""}
#: The function symbol used in derivations (typeset as :math:`\varphi`).
phi = sympy.Function("varphi")

#: Literature a derivation may cite, by key; a document lists the keys its steps used.
REFERENCES: dict[str, str] = {
    "poole2016": "B. Poole, S. Lahiri, M. Raghu, J. Sohl-Dickstein, S. Ganguli. Exponential "
                 "expressivity in deep neural networks through transient chaos. NeurIPS 2016.",
    "schoenholz2017": "S. S. Schoenholz, J. Gilmer, S. Ganguli, J. Sohl-Dickstein. Deep "
                      "information propagation. ICLR 2017.",
    "klambauer2017": "G. Klambauer, T. Unterthiner, A. Mayr, S. Hochreiter. Self-normalizing "
                     "neural networks. NeurIPS 2017.",
    "he2015": "K. He, X. Zhang, S. Ren, J. Sun. Delving deep into rectifiers: surpassing "
              "human-level performance on ImageNet classification. ICCV 2015.",
    "johansson2018": "F. Johansson. Numerical integration in arbitrary-precision ball "
                     "arithmetic. ICMS 2018.",
    "gruntz1996": "D. Gruntz. On computing limits in a symbolic manipulation system. "
                  "PhD thesis, ETH Z\u00fcrich, 1996.",
    "johansson2017": "F. Johansson. Arb: efficient arbitrary-precision midpoint-radius interval "
                     "arithmetic. IEEE Transactions on Computers 66(8), 2017.",
    "lee2018": "J. Lee, Y. Bahri, R. Novak, S. S. Schoenholz, J. Pennington, J. Sohl-Dickstein. "
               "Deep neural networks as Gaussian processes. ICLR 2018.",
    "jacot2018": "A. Jacot, F. Gabriel, C. Hongler. Neural tangent kernel: convergence and "
                 "generalization in neural networks. NeurIPS 2018.",
    "novak2020": "R. Novak, L. Xiao, J. Hron, J. Lee, A. A. Alemi, J. Sohl-Dickstein, S. S. "
                 "Schoenholz. Neural Tangents: fast and easy infinite neural networks in Python. "
                 "ICLR 2020.",
    "pennington2017": "J. Pennington, S. S. Schoenholz, S. Ganguli. Resurrecting the sigmoid in deep "
                      "learning through dynamical isometry: theory and practice. NeurIPS 2017.",
    "pennington2018": "J. Pennington, S. S. Schoenholz, S. Ganguli. The emergence of spectral "
                      "universality in deep networks. AISTATS 2018.",
    "williams1997": "C. K. I. Williams. Computing with infinite networks. NeurIPS 1997.",
    "cho2009": "Y. Cho, L. K. Saul. Kernel methods for deep learning. NeurIPS 2009.",
    "tsuchida2021": "R. Tsuchida, T. Pearce, C. van der Heide, F. Roosta, M. Gallagher. Avoiding "
                    "kernel fixed points: computing with ELU and GELU infinite networks. AAAI 2021.",
    "price1958": "R. Price. A useful theorem for nonlinear devices having Gaussian inputs. IRE "
                 "Transactions on Information Theory 4(2), 1958.",
    "moore1966": "R. E. Moore. Interval Analysis. Prentice-Hall, 1966.",
    "martens2021": "J. Martens, A. Ballard, G. Desjardins, G. Swirszcz, V. Dalibard, J. "
                   "Sohl-Dickstein, S. S. Schoenholz. Rapid training of deep neural networks "
                   "without skip connections or normalization layers using Deep Kernel Shaping. "
                   "arXiv:2110.01765, 2021.",
    "zhang2022": "G. Zhang, A. Botev, J. Martens. Deep learning without shortcuts: shaping the "
                 "kernel with tailored rectifiers. ICLR 2022.",
    "yang2017": "G. Yang, S. S. Schoenholz. Mean field residual networks: on the edge of chaos. "
                "NeurIPS 2017.",
    "doshi2023": "D. Doshi, T. He, A. Gromov. Critical initialization of wide and deep neural "
                 "networks using partial Jacobians: general theory and applications. NeurIPS 2023.",
    "lee2019": "J. Lee, L. Xiao, S. S. Schoenholz, Y. Bahri, R. Novak, J. Sohl-Dickstein, J. "
               "Pennington. Wide neural networks of any depth evolve as linear models under "
               "gradient descent. NeurIPS 2019.",
    "krawczyk1969": "R. Krawczyk. Newton-Algorithmen zur Bestimmung von Nullstellen mit "
                    "Fehlerschranken. Computing 4, 1969.",
}


@dataclass(frozen=True)
class Notation:
    r"""A piece of mathematical notation with a LaTeX and a plain-text (Unicode) form.

    >>> Notation(r"\sup_{x} \varphi'(x)", "sup φ'(x)").text
    "sup φ'(x)"
    """

    latex: str
    text: str

    def __str__(self) -> str:
        return self.text


Inline = str | sympy.Basic | Notation | Result
Prose = tuple[Inline, ...]
Side = sympy.Basic | Notation | Result | str | None


@dataclass(frozen=True)
class Step:
    r"""One step: a displayed relation ``lhs relation rhs`` with the reason for it.

    ``kind`` names the step (``"definition"``, ``"derivative"``, ``"identity"``,
    ``"critical_points"``, ``"limit"``, ``"certified"``, ``"conclusion"``,
    ``"bound"``, ``"depth"``, ``"meanfield"``, ...).  Two kinds carry no
    display: ``"prose"`` (a paragraph, the ``justification``) and
    ``"section"`` (a heading, the ``lhs``).  ``justification`` is plain text
    or a tuple of pieces (text, SymPy objects, :class:`Notation`, results),
    shown as a sentence before the display.

    >>> Step("prose", None, None, "", ("We show that ", Notation("a", "a"), ".")).text()
    'We show that a.'
    """

    kind: str
    lhs: Side
    rhs: Side
    relation: Relation = "="
    justification: str | Prose = ""

    def __post_init__(self) -> None:
        if self.relation not in _REL_TEX:
            raise ValueError(f"relation must be one of {sorted(_REL_TEX)}, got {self.relation!r}")
        if isinstance(self.justification, list):
            object.__setattr__(self, "justification", tuple(self.justification))
        if isinstance(self.lhs, str) and self.rhs is None and self.kind != "section":
            # a remark written as a step: shown as a paragraph
            object.__setattr__(self, "justification", (self.lhs, *self.prose))
            object.__setattr__(self, "lhs", None)

    @property
    def prose(self) -> Prose:
        """The justification as a tuple of pieces."""
        j = self.justification
        return (j,) if isinstance(j, str) else tuple(j)

    def formula_latex(self) -> str:
        """The displayed relation in LaTeX math (empty for prose and sections)."""
        if self.kind in ("prose", "section") or self.lhs is None:
            return ""
        out = _side_latex(self.lhs)
        if self.rhs is not None:
            out += f" {_REL_TEX[self.relation]} {_side_latex(self.rhs)}"
        return out

    def formula_text(self) -> str:
        """The displayed relation in Unicode plain text."""
        if self.kind in ("prose", "section") or self.lhs is None:
            return ""
        out = _side_text(self.lhs)
        if self.rhs is not None:
            out += f" {_REL_TXT[self.relation]} {_side_text(self.rhs)}"
        return out

    def text(self) -> str:
        """Plain text: the sentence, then the relation indented on its own line."""
        if self.kind == "section":
            return f"== {_side_text(self.lhs)} =="
        words = "".join(inline_text(p) for p in self.prose)
        formula = self.formula_text()
        if not formula:
            return words
        return f"{words}\n    {formula}" if words else f"    {formula}"

    def latex(self) -> str:
        r"""LaTeX: a paragraph for the reason, then the relation as a display."""
        if self.kind == "section":
            return rf"\subsection*{{{escape_text(_side_text(self.lhs))}}}"
        words = "".join(inline_latex(p) for p in self.prose)
        formula = self.formula_latex()
        parts = [words] if words else []
        if formula:
            parts.append(rf"\begin{{center}}\fitmath{{{formula}}}\end{{center}}")
        return "\n".join(parts)

    def markdown(self) -> str:
        """Markdown: the sentence, then ``$$...$$``."""
        if self.kind == "section":
            return f"### {_side_text(self.lhs)}"
        words = "".join(inline_markdown(p) for p in self.prose)
        formula = self.formula_latex()
        parts = [words] if words else []
        if formula:
            parts.append(f"$$ {formula} $$")
        return "\n\n".join(parts)


@dataclass(frozen=True)
class Row:
    r"""A row of the summary table: a key (for programs), a label and a value.

    >>> Row("sup phi'", Notation(r"\sup \varphi'", "sup φ'"), sympy.Rational(1, 4)).value_text()
    '1/4'
    """

    key: str
    label: Notation
    value: Inline
    level: str = ""

    def value_text(self) -> str:
        """The value as plain text (Unicode mathematics)."""
        return inline_text(self.value)

    def value_latex(self) -> str:
        """The value as LaTeX (math mode where it is mathematics)."""
        return inline_latex(self.value)


# ---------------------------------------------------------------------------
def escape_text(text: str) -> str:
    r"""Escape plain text for LaTeX text mode (Greek and symbols go to math mode).

    >>> escape_text("leaky_relu: 50% & x^2")
    'leaky\\_relu: 50\\% \\& x\\textasciicircum{}2'
    """
    special = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "_": r"\_",
               "^": r"\textasciicircum{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#",
               "~": r"\textasciitilde{}", "<": r"\textless{}", ">": r"\textgreater{}",
               "|": r"\textbar{}"}
    uni = {"φ": r"$\varphi$", "σ": r"$\sigma$", "χ": r"$\chi$", "Φ": r"$\Phi$", "≈": r"$\approx$",
           "≤": r"$\le$", "≥": r"$\ge$", "→": r"$\to$", "∈": r"$\in$", "∞": r"$\infty$",
           "²": r"$^2$", "₁": r"$_1$", "−": "--", "ε": r"$\varepsilon$", "′": "'",
           "×": r"$\times$", "·": r"$\cdot$", "—": "---", "–": "--", "ü": r"\"u", "λ": r"$\lambda$",
           "α": r"$\alpha$", "ξ": r"$\xi$", "±": r"$\pm$", "ℝ": r"$\mathbb{R}$", "√": r"$\surd$",
           "⁻": r"$^-$", "⁺": r"$^+$", "ₙ": r"$_n$", "₀": r"$_0$", "∂": r"$\partial$", "ˣ": r"$^x$",
           "ᵢ": r"$_i$", "ⱼ": r"$_j$", "∼": r"$\sim$", "ᵏ": r"$^k$", "₂": r"$_2$", "Σ": r"$\Sigma$",
           "Θ": r"$\Theta$", "μ": r"$\mu$", "⁴": r"$^4$", "ᴸ": r"$^L$", "ᵀ": r"$^{\top}$",
           "∏": r"$\prod$", "ψ": r"$\psi$", "ₖ": r"$_k$", "ₗ": r"$_l$",
           "…": r"\dots{}", "¹": r"$^1$", "ˡ": r"$^l$", "ⁿ": r"$^n$", "ₐ": r"$_a$"}
    out = []
    text = re.sub(r"φ('+)", lambda m: "\x00" + str(len(m.group(1))), text)
    i = 0
    while i < len(text):
        ch = text[i]
        i += 1
        if ch == "\x00":  # φ with primes
            out.append(r"$\varphi" + "'" * int(text[i]) + "$")
            i += 1
        elif ch in special:
            out.append(special[ch])
        elif ch in uni:
            out.append(uni[ch])
        elif ord(ch) < 128:
            out.append(ch)
        else:
            out.append("?")
    return "".join(out)


def math_latex(obj: Any) -> str:
    r"""LaTeX (math mode, without delimiters) for a SymPy object, notation or result.

    >>> math_latex(sympy.sqrt(2) / 2), math_latex(Notation(r"\chi_1", "χ₁"))
    ('\\frac{\\sqrt{2}}{2}', '\\chi_1')
    """
    if isinstance(obj, Notation):
        return obj.latex
    if isinstance(obj, Result):
        return sympy.latex(obj.value) if obj.level == "exact" else sympy.latex(obj.evalf(obj._display_digits))
    if isinstance(obj, sympy.Interval) and obj.start == -sympy.oo and obj.end == sympy.oo:
        return r"\mathbb{R}"
    out = sympy.latex(obj)
    return out.replace(r"\operatorname{varphi}", r"\varphi").replace(r"\varphi{\left(x \right)}", r"\varphi(x)")


def _side_latex(side: Side) -> str:
    if side is None:
        return ""
    if isinstance(side, str):
        return rf"\text{{{escape_text(side)}}}"
    return math_latex(side)


def _side_text(side: Side) -> str:
    if side is None:
        return ""
    if isinstance(side, str):
        return side
    return inline_text(side)


def inline_latex(item: Inline) -> str:
    r"""One prose piece in LaTeX: text escaped, formulas in ``$...$``.

    >>> inline_latex("the set "), inline_latex(sympy.FiniteSet(0))
    ('the set ', '$\\left\\{0\\right\\}$')
    """
    if isinstance(item, str):
        return escape_text(item)
    tex = math_latex(item)
    if len(tex) > 120:  # long formulas scale to the line rather than run past the margin
        return rf"\fitinline{{{tex}}}"
    return f"${tex}$"


def inline_markdown(item: Inline) -> str:
    """One prose piece in Markdown: formulas as MathJax ``$...$``."""
    if isinstance(item, str):
        return re.sub(r"([*_`\\])", r"\\\1", item)
    return f"${math_latex(item)}$"


_SUP = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


def unicode_math(obj: Any) -> str:
    """Plain-text mathematics with Unicode symbols (φ, √, ∞, π, superscripts).

    >>> from symact.expressions.activation import x
    >>> unicode_math(sympy.sqrt(2) * x**2 - sympy.oo), unicode_math(sympy.pi / 4)
    ('-∞', 'π/4')
    >>> unicode_math(phi(x) * (1 - phi(x)))
    '(1 - φ(x))·φ(x)'
    """
    if isinstance(obj, Notation):
        return obj.text
    if isinstance(obj, Result):
        return unicode_math(obj.value if obj.level == "exact" else obj.evalf(obj._display_digits))
    if isinstance(obj, sympy.Interval):
        if obj.start == -sympy.oo and obj.end == sympy.oo:
            return "ℝ"
        return (("(" if obj.left_open else "[") + unicode_math(obj.start) + ", " + unicode_math(obj.end)
                + (")" if obj.right_open else "]"))
    if isinstance(obj, sympy.MatrixBase):
        return "[" + "; ".join(", ".join(unicode_math(e) for e in obj.row(i)) for i in range(obj.rows)) + "]"
    if isinstance(obj, sympy.Union):
        return " ∪ ".join(unicode_math(a) for a in obj.args)
    if isinstance(obj, sympy.And):
        return " and ".join(unicode_math(a) for a in obj.args)
    if isinstance(obj, sympy.Piecewise):
        parts = [f"{unicode_math(e)} if {unicode_math(c)}" if c != sympy.true else f"{unicode_math(e)} otherwise"
                 for e, c in obj.args]
        return "{" + "; ".join(parts) + "}"
    s = sympy.sstr(obj)
    s = re.sub(r"\bsigma\(", "σ(", s)
    s = re.sub(r"\bPhi\(", "Φ(", s)
    s = re.sub(r"\*\*(\d+)\b", lambda m: m.group(1).translate(_SUP), s)
    s = re.sub(r"\*\*\((-\d+)\)", lambda m: m.group(1).translate(_SUP), s)
    s = s.replace("**", "^")
    s = re.sub(r"\bsqrt\(", "√(", s)
    s = re.sub(r"\boo\b", "∞", s)
    s = re.sub(r"\bpi\b", "π", s)
    s = re.sub(r"\bvarphi\b", "φ", s)
    s = re.sub(r"\bLambertW\b", "W", s)
    s = re.sub(r"\bE\b", "e", s)
    s = s.replace("*", "·")
    return s


def inline_text(item: Inline) -> str:
    """One prose piece as plain text with Unicode mathematics."""
    if isinstance(item, str):
        return item
    return unicode_math(item)


# ---------------------------------------------------------------------------
_PREAMBLE = r"""\documentclass[11pt]{article}
\usepackage[utf8]{inputenc}
\usepackage{amsmath}
\usepackage{amssymb}
\usepackage{graphicx}
\usepackage{array}
\usepackage{booktabs}
\usepackage{tabularx}
\usepackage[margin=2.5cm]{geometry}
\usepackage{microtype}
\newsavebox{\symactbox}
\newcommand{\fitmath}[1]{\sbox{\symactbox}{$\displaystyle #1$}%
  \ifdim\wd\symactbox>\linewidth\resizebox{\linewidth}{!}{\usebox{\symactbox}}%
  \else\usebox{\symactbox}\fi}
\newcommand{\fitinline}[1]{\sbox{\symactbox}{$#1$}%
  \ifdim\wd\symactbox>\linewidth\resizebox{\linewidth}{!}{\usebox{\symactbox}}%
  \else\usebox{\symactbox}\fi}
\newcolumntype{Y}{>{\raggedright\arraybackslash}X}
\allowdisplaybreaks
\sloppy
"""


def table_latex(rows: Sequence[Row], *, caption: str = "") -> str:
    r"""The summary rows as a ``tabularx`` table (label, value, level); values wrap or shrink."""
    if not rows:
        return ""
    body = []
    for r in rows:
        value = r.value
        cell = (rf"\fitinline{{{math_latex(value)}}}" if not isinstance(value, str)
                else escape_text(value))
        body.append(rf"${r.label.latex}$ & {cell} & {escape_text(r.level)} \\")
    cap = rf"\textbf{{{escape_text(caption)}}}\\[2pt]" if caption else ""
    return ("\\begin{center}\n" + cap + "\\begin{tabularx}{\\linewidth}{@{}lYl@{}}\n\\toprule\n"
            "quantity & value & level \\\\\n\\midrule\n" + "\n".join(body)
            + "\n\\bottomrule\n\\end{tabularx}\n\\end{center}\n")


def references_latex(keys: Sequence[str]) -> str:
    """A references section listing the given keys of :data:`REFERENCES`."""
    if not keys:
        return ""
    items = "\n".join(rf"\item {escape_text(REFERENCES[k])}" for k in keys)
    return "\\section*{References}\n\\begin{enumerate}\n" + items + "\n\\end{enumerate}\n"


def document_latex(title: str, bodies: Sequence[str], references: Sequence[str] = ()) -> str:
    r"""A standalone article from LaTeX bodies (sections of one or more derivations)."""
    parts = [_PREAMBLE, rf"\title{{{escape_text(title)}}}", r"\author{symact}", r"\date{}",
             r"\begin{document}", r"\maketitle", *bodies, references_latex(list(references)),
             r"\end{document}"]
    return "\n".join(p for p in parts if p) + "\n"


@dataclass(frozen=True)
class Derivation:
    r"""A recorded derivation: title, steps (displays and prose), summary rows, references.

    Attributes
    ----------
    title : str
        For an activation, its proper name (``"Gaussian error linear unit (GELU)"``).
    steps : tuple of Step
    rows : tuple of Row
        The summary table (also :attr:`numbers`, as ``(key, text)`` pairs).
    references : tuple of str
        Keys of :data:`REFERENCES` the steps relied on, in order of first use.
    subject : str
        The activation's identifier (``"gelu"``), or ``""``.

    Examples
    --------
    >>> d = Derivation("t_1", (), (Row("a", Notation("a", "a"), sympy.Integer(1)),))
    >>> doc = d.document()
    >>> doc.startswith(r"\documentclass") and r"t\_1" in doc
    True
    """

    title: str
    steps: tuple[Step, ...]
    rows: tuple[Row, ...] = field(default=())
    references: tuple[str, ...] = field(default=())
    subject: str = ""

    def __post_init__(self) -> None:
        if not all(isinstance(s, Step) for s in self.steps):
            raise TypeError("steps must be Step instances")
        rows = []
        for r in self.rows:
            if isinstance(r, tuple):  # (key, value) pairs, as older callers give them
                key, value = r
                r = Row(str(key), Notation(r"\text{" + escape_text(str(key)) + "}", str(key)), value)
            if not isinstance(r, Row):
                raise TypeError("rows must be Row instances or (key, value) pairs")
            rows.append(r)
        unknown = [k for k in self.references if k not in REFERENCES]
        if unknown:
            raise ValueError(f"unknown reference keys {unknown}; known: {sorted(REFERENCES)}")
        object.__setattr__(self, "steps", tuple(self.steps))
        object.__setattr__(self, "rows", tuple(rows))
        object.__setattr__(self, "references", tuple(dict.fromkeys(self.references)))

    @property
    def numbers(self) -> tuple[tuple[str, str], ...]:
        """The summary as ``(key, plain-text value)`` pairs."""
        return tuple((r.key, r.value_text()) for r in self.rows)

    def row(self, key: str) -> Row:
        """The summary row with this key (``KeyError`` naming the keys if absent)."""
        for r in self.rows:
            if r.key == key:
                return r
        raise KeyError(f"no row {key!r}; rows: {[r.key for r in self.rows]}")

    def latex(self) -> str:
        """The body (steps, then the summary table) as LaTeX, without a preamble."""
        parts = [s.latex() for s in self.steps]
        if self.rows:
            parts.append(r"\subsection*{Summary}\nopagebreak" + "\n" + table_latex(self.rows))
        return "\n\n".join(p for p in parts if p)

    def markdown(self) -> str:
        """Markdown with MathJax math: title, paragraphs and displays, table, references."""
        lines = [f"## {self.title}", ""]
        lines += [s.markdown() + "\n" for s in self.steps]
        if self.rows:
            lines += ["| quantity | value | level |", "|---|---|---|"]
            lines += [f"| ${r.label.latex}$ | {inline_markdown(r.value)} | {r.level} |"
                      for r in self.rows]
        if self.references:
            lines += ["", "**References**", ""]
            lines += [f"{i}. {REFERENCES[k]}" for i, k in enumerate(self.references, 1)]
        return "\n".join(lines)

    def text(self) -> str:
        """Plain text with Unicode mathematics."""
        lines = [self.title]
        lines += [s.text() for s in self.steps]
        lines += [f"{r.label.text}: {r.value_text()}" + (f"  ({r.level})" if r.level else "")
                  for r in self.rows]
        if self.references:
            lines.append("References:")
            lines += [f"  [{i}] {REFERENCES[k]}" for i, k in enumerate(self.references, 1)]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.text()

    def document(self) -> str:
        r"""A standalone LaTeX article: title, the argument, the summary table, references."""
        return document_latex(self.title, [self.latex()], self.references)

    def _repr_latex_(self) -> str:
        return "\n".join(rf"$\displaystyle {s.formula_latex()}$" for s in self.steps
                         if s.formula_latex())

    def _repr_markdown_(self) -> str:
        return self.markdown()
