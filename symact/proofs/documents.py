r"""Standalone LaTeX documents: one activation, several, and a side-by-side comparison.

:func:`comparison_document` answers the original question on one page: for
each activation the supremum of :math:`\varphi'`, the worst-case bound through
:math:`n` layers, the depth at which it falls below :math:`10^{-6}` and the
mean-field :math:`\chi_1` at the variance-preserving gain, then each argument
in its own section.

>>> doc = comparison_document(["relu", "sigmoid"])
>>> doc.count(r"\section*{Rectified"), r"\begin{tabularx}" in doc
(1, True)
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Sequence

from ..expressions.activation import Activation
from .analysis_steps import derive, resolve
from .derivation import Derivation, document_latex, escape_text, math_latex

__all__ = ["COMPARED", "combined_document", "comparison_document", "comparison_table"]

#: The activations of the original question.
COMPARED = ("sigmoid", "tanh", "relu", "gelu")


def _sections(derivations: Sequence[Derivation]) -> list[str]:
    out = []
    for d in derivations:
        out.append(rf"\section*{{{escape_text(d.title)}}}")
        out.append(d.latex())
    return out


def combined_document(derivations: Sequence[Derivation], *, title: str) -> str:
    r"""One standalone article holding several derivations, one section each.

    >>> from symact.proofs.derivation import Step, phi
    >>> from symact.expressions.activation import x
    >>> d = Derivation("a", (Step("definition", phi(x), x, "=", "By definition,"),))
    >>> combined_document([d, d], title="Two").count(r"\section*")
    2
    """
    refs = [k for d in derivations for k in d.references]
    return document_latex(title, _sections(list(derivations)), refs)


def _cell(d: Derivation, key: str) -> str:
    try:
        r = d.row(key)
    except KeyError:
        return "--"
    if isinstance(r.value, str):
        return escape_text(r.value)
    return rf"\fitinline{{{math_latex(r.value)}}}"


def comparison_table(derivations: Sequence[Derivation], *, layers_eps: float = 1e-6) -> str:
    r"""The side-by-side table (LaTeX ``tabularx``) of :func:`comparison_document`."""
    import mpmath

    eps = mpmath.nstr(layers_eps, 3)
    eps_tex = "10^{-6}" if layers_eps == 1e-6 else eps
    cols = [("sup phi'", r"$\sup_x \varphi'(x)$"), ("bound after n layers", r"bound after $n$ layers"),
            (f"depth to {eps}", rf"depth to ${eps_tex}$"), ("chi_1 at the gain", r"$\chi_1$ at the gain")]
    head = "activation & " + " & ".join(c[1] for c in cols) + r" \\"
    rows = [escape_text(d.title) + " & " + " & ".join(_cell(d, k) for k, _ in cols) + r" \\"
            for d in derivations]
    return ("\\begin{center}\n\\small\n\\begin{tabularx}{\\linewidth}{@{}>{\\raggedright\\arraybackslash}p{3.6cm}YYlY@{}}\n"
            "\\toprule\n" + head + "\n\\midrule\n" + "\n".join(rows)
            + "\n\\bottomrule\n\\end{tabularx}\n\\end{center}\n")


def comparison_document(acts: Iterable[Activation | str] = COMPARED, *, layers_eps: float = 1e-6,
                        budget: float = 6.0, meanfield_budget: float | None = None) -> str:
    r"""A standalone article comparing activations: the table first, then each argument.

    Parameters
    ----------
    acts : iterable of Activation or str
        Default: sigmoid, tanh, ReLU and GELU.
    layers_eps : float, keyword-only
    budget : float, keyword-only
        Seconds for each activation's mean-field part (as in :func:`derive`).
    meanfield_budget : float, keyword-only
        Deprecated name of ``budget``.
    """
    if meanfield_budget is not None:
        warnings.warn("comparison_document(meanfield_budget=...) is deprecated; use budget=...",
                      DeprecationWarning, stacklevel=2)
        budget = meanfield_budget
    ds = [derive(resolve(a), layers_eps=layers_eps, budget=budget) for a in acts]
    return comparison_from(ds, layers_eps=layers_eps)


def comparison_from(derivations: Sequence[Derivation], *, layers_eps: float = 1e-6) -> str:
    """The comparison document from derivations already computed."""
    intro = (r"Why does a deep stack of sigmoid layers lose its gradient while a ReLU stack does "
             r"not? Through $n$ layers with unit weights the chain rule multiplies $n$ derivatives, "
             r"so $\left|\partial a_n/\partial a_0\right| \le (\sup_x|\varphi'(x)|)^n$: the worst "
             r"case vanishes exactly when $\sup_x|\varphi'| < 1$. The table gives that supremum, "
             r"the resulting bound, the depth at which it drops below the threshold, and the "
             r"average-case slope $\chi_1$ of mean-field theory at the variance-preserving gain "
             r"($\chi_1 < 1$: ordered, gradients shrink; $\chi_1 = 1$: critical; $\chi_1 > 1$: "
             r"chaotic). Each entry is derived in the sections that follow.")
    body = [intro, comparison_table(derivations, layers_eps=layers_eps), _levels_note(derivations),
            *_sections(derivations)]
    refs = [k for d in derivations for k in d.references]
    return document_latex("Gradients through deep stacks: " + ", ".join(_short_name(d) for d in derivations),
                          body, refs)


_COLUMNS = {"sup phi'": r"$\sup_x \varphi'$", "chi_1 at the gain": r"$\chi_1$"}


def _levels_note(derivations: Sequence[Derivation]) -> str:
    """One sentence naming the level of every entry that is not exact (each level named once)."""
    by_level: dict[str, list[str]] = {}
    for d in derivations:
        for key, label in _COLUMNS.items():
            try:
                r = d.row(key)
            except KeyError:
                continue
            if r.level and r.level != "exact":
                by_level.setdefault(r.level, []).append(f"{label} of {escape_text(_short_name(d))}")
    if not by_level:
        return "\\noindent Every entry is exact: a closed form proved symbolically.\n"
    words = {"certified": "certified (a rigorous ball-arithmetic enclosure; every digit shown is proved)",
             "sampled": "sampled (numerical quadrature without a certified error bound, shown to 6 digits)",
             "identified": "identified (a closed form matching a certified enclosure)"}
    parts = [", ".join(v) + " " + ("is" if len(v) == 1 else "are") + " " + words.get(k, k)
             for k, v in by_level.items()]
    return "\\noindent Levels: entries without a note are exact; " + "; ".join(parts) + ".\n"


def _short_name(d: Derivation) -> str:
    title = d.title
    if "(" in title and title.endswith(")"):
        return title[title.rindex("(") + 1 : -1].split(",")[0]
    return title.split(",")[0].lower() if d.subject else title


