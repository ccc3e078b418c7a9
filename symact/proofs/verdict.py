r"""The verdict on a claim: holds or not, how strongly, and the document that shows why.

>>> from symact.proofs.derivation import Derivation
>>> v = Verdict(True, "symbolic", None, Derivation("t", ()), "proved")
>>> v.level, v.value, v.verdict_words()
('exact', True, 'true (decided symbolically)')
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import sympy

from .derivation import Derivation, Notation, Step, document_latex, escape_text

__all__ = ["LEVEL_OF_METHOD", "RANK", "Method", "Verdict"]

Method = Literal["symbolic", "certified", "sampled"]
RANK = {"symbolic": 0, "certified": 1, "sampled": 2}
LEVEL_OF_METHOD = {"symbolic": "exact", "certified": "certified", "sampled": "sampled"}


@dataclass(frozen=True)
class Verdict:
    r"""The answer to "is this claim true?", with its strength.

    Attributes
    ----------
    holds : bool or None
        ``True`` proved, ``False`` refuted, ``None`` undecided.
    method : {"symbolic", "certified", "sampled"}
    counterexample : dict or None
        ``{"point": ..., "lhs": ..., "rhs": ...}`` for a refutation.
    derivation : Derivation
        The argument: the steps of the check.
    summary : str
        One line for people.
    details : mapping
        Extra results (for example the extremum that decided a bound, or the
        two readings of a decimal).
    claim : Notation or None
        The claim as typeset mathematics.

    Notes
    -----
    Protocol: ``value`` is ``sympy.true``/``sympy.false`` (``None`` when
    undecided), ``level`` is ``"exact"`` (proved or refuted symbolically),
    ``"certified"`` or ``"sampled"``; ``enclosure`` is ``None``.
    """

    holds: bool | None
    method: Method
    counterexample: dict[str, Any] | None
    derivation: Derivation
    summary: str
    details: Mapping[str, Any] = field(default_factory=dict)
    claim: Notation | None = None

    def __post_init__(self) -> None:
        if self.method not in RANK:
            raise ValueError(f"method must be symbolic, certified or sampled, got {self.method!r}")
        if self.holds is True and self.method == "sampled":
            raise ValueError("sampling cannot prove a claim: holds must be None or False")

    # -- protocol ----------------------------------------------------------------
    @property
    def value(self) -> sympy.Basic | None:
        """``sympy.true``, ``sympy.false`` or ``None`` (undecided)."""
        return None if self.holds is None else sympy.true if self.holds else sympy.false

    @property
    def level(self) -> str:
        """``"exact"`` (symbolic), ``"certified"`` or ``"sampled"``."""
        return LEVEL_OF_METHOD[self.method]

    @property
    def enclosure(self) -> None:
        """Verdicts have no numeric enclosure."""
        return None

    def verdict_words(self) -> str:
        """``"true"``, ``"false"`` or ``"undecided"``, with how it was decided."""
        how = {"symbolic": "decided symbolically", "certified": "decided with certified ball arithmetic",
               "sampled": "evidence from sampling only"}[self.method]
        if self.holds is None:
            return f"undecided ({how})"
        return ("true" if self.holds else "false") + f" ({how})"

    def latex(self) -> str:
        r"""The claim and the verdict as LaTeX math, e.g. ``\sup_x f(x) \le \frac14 \quad \text{true ...}``."""
        if self.claim is None:
            return rf"\text{{{escape_text(self.summary)}}}"
        return rf"{self.claim.latex} \quad \text{{{escape_text(self.verdict_words())}}}"

    def _repr_latex_(self) -> str:
        return f"$\\displaystyle {self.latex()}$"

    def _latex(self, printer: Any = None) -> str:
        r"""``sympy.latex(verdict)``: the claim as mathematics with the verdict, as :meth:`latex`."""
        return self.latex()

    def __str__(self) -> str:
        return self.summary

    def __bool__(self) -> bool:
        raise TypeError("a Verdict has three outcomes; test v.holds is True / False / None")

    def _repr_markdown_(self) -> str:
        return f"**{self.summary}**\n\n" + self.markdown()

    # -- documents ---------------------------------------------------------------
    def steps(self) -> list[Step]:
        """Claim, verdict, then the argument (proof or counterexample)."""
        out: list[Step] = [Step("section", "Claim", None, "")]
        body = list(self.derivation.steps)
        defs = [s for s in body if s.kind == "claim"]
        if self.claim is not None:
            out.append(Step("claim", self.claim, None, "", "We check the claim"))
            out += [Step("definition", s.lhs, s.rhs, s.relation, "where") for s in defs]
            body = [s for s in body if s.kind != "claim"]
        out.append(Step("section", "Verdict", None, ""))
        words: list[Any] = [f"The claim is {self.verdict_words()}."]
        point = (self.counterexample or {}).get("point")
        if isinstance(point, sympy.Basic):
            at = Notation(f"x = {sympy.latex(point)}", f"x = {sympy.sstr(point)}")
            if (self.counterexample or {}).get("role") == "attained":
                words += [" The extremum is attained at ", at, "."]
            else:
                words += [" A counterexample is ", at, "."]
        readings = self.details.get("readings") if isinstance(self.details, Mapping) else None
        if readings and "rounded" in readings:
            words += [" Read as an exact decimal it is " + _word(readings.get("exact")) +
                      "; read as correctly rounded to the digits given it is " + _word(readings["rounded"]) + "."]
        out.append(Step("prose", None, None, "", tuple(words)))
        title = ("Proof" if self.holds else "Refutation" if self.holds is False else "What was shown")
        out.append(Step("section", title, None, ""))
        out += body
        return out

    def document(self) -> str:
        """A standalone LaTeX article: the claim, the verdict, the proof or counterexample."""
        d = Derivation(self.derivation.title, tuple(self.steps()), self.derivation.rows,
                       self.derivation.references)
        return document_latex(d.title, [d.latex()], d.references)

    def text(self) -> str:
        """The same document as plain text with Unicode mathematics."""
        return Derivation(self.derivation.title, tuple(self.steps()), self.derivation.rows,
                          self.derivation.references).text()

    def markdown(self) -> str:
        """The same document as Markdown with MathJax math."""
        return Derivation(self.derivation.title, tuple(self.steps()), self.derivation.rows,
                          self.derivation.references).markdown()


def _word(v: bool | None) -> str:
    return {True: "true", False: "false", None: "undecided"}[v]
