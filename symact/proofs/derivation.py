r"""Derivations: the record of what the analysis of an activation actually did.

:func:`derive` runs the analysis (derivatives, extrema of the derivative,
breakpoints, the gradient bound across layers, the mean-field :math:`\chi_1`)
and records each step as it happens, with the engine's own notes and
candidates -- never a per-activation template.  A :class:`Derivation` renders
as LaTeX (an ``align*`` body), Markdown, plain text or a standalone LaTeX
article.

>>> import symact as sa
>>> d = derive(sa.activation("sigmoid"))
>>> [s.kind for s in d.steps][:4]
['definition', 'derivative', 'derivative', 'identity']
>>> dict(d.numbers)["sup phi'"]
'1/4'
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import mpmath
import sympy

from ..core.budget import BudgetExceeded, run_isolated, time_budget
from ..core.cache import cached
from ..core.precision import workdps
from ..expressions.activation import Activation, x
from ..expressions.simplify import tidy

__all__ = [
    "Derivation",
    "Notation",
    "Step",
    "combined_document",
    "comparison_document",
    "derive",
    "derive_many",
    "escape_text",
    "is_zero",
    "mid_value",
]

Relation = Literal["=", "<=", ">=", "<", ">", "approx", "in", "->", ""]
_REL_TEX = {"=": "&=", "<=": r"&\le", ">=": r"&\ge", "<": "&<", ">": "&>", "approx": r"&\approx",
            "in": r"&\in", "->": r"&\to", "": "&"}
_REL_TXT = {"=": "=", "<=": "<=", ">=": ">=", "<": "<", ">": ">", "approx": "≈", "in": "∈",
            "->": "→", "": ""}
_BUDGET = 4.0
phi = sympy.Function("varphi")


@dataclass(frozen=True)
class Notation:
    r"""A piece of mathematical notation with a LaTeX and a plain-text form.

    >>> Notation(r"\sup_{x} \varphi'(x)", "sup φ'(x)").text
    "sup φ'(x)"
    """

    latex: str
    text: str

    def __str__(self) -> str:
        return self.text


Side = sympy.Basic | Notation | str | None


@dataclass(frozen=True)
class Step:
    r"""One step of a derivation: ``lhs relation rhs`` and why it holds.

    ``lhs``/``rhs`` are SymPy objects, :class:`Notation`, or plain text
    (rendered as text).  ``kind`` names the step (``"definition"``,
    ``"derivative"``, ``"identity"``, ``"critical_points"``, ``"limit"``,
    ``"conclusion"``, ``"bound"``, ``"depth"``, ``"meanfield"``, ``"note"``,
    ``"section"``, ...).

    >>> Step("note", "nothing to do", None, "", "").text()
    'nothing to do'
    """

    kind: str
    lhs: Side
    rhs: Side
    relation: Relation = "="
    justification: str = ""

    def __post_init__(self) -> None:
        if self.relation not in _REL_TEX:
            raise ValueError(f"relation must be one of {sorted(_REL_TEX)}, got {self.relation!r}")

    def text(self) -> str:
        """One line of plain text."""
        parts = [_side_text(self.lhs)]
        if self.rhs is not None:
            parts += [_REL_TXT[self.relation], _side_text(self.rhs)]
        line = " ".join(p for p in parts if p)
        return f"{line}    [{self.justification}]" if self.justification else line

    def latex(self) -> str:
        r"""One ``align*`` row (or an ``\intertext`` for notes and sections)."""
        if self.kind == "section":
            return rf"\intertext{{\textbf{{{escape_text(_side_text(self.lhs))}}}}}"
        if self.rhs is None:
            just = f" ({escape_text(self.justification)})" if self.justification else ""
            body = _side_latex(self.lhs) if not isinstance(self.lhs, str) else escape_text(self.lhs)
            if isinstance(self.lhs, str):
                return rf"\intertext{{\small {body}{just}}}"
            return rf"& {body} && \text{{{escape_text(self.justification)}}} \\"
        just = rf" && \text{{{escape_text(self.justification)}}}" if self.justification else ""
        return f"{_side_latex(self.lhs)} {_REL_TEX[self.relation]} {_side_latex(self.rhs)}{just} \\\\"


def escape_text(text: str) -> str:
    r"""Escape plain text for LaTeX text mode.

    >>> escape_text("leaky_relu: 50% & x^2")
    'leaky\\_relu: 50\\% \\& x\\textasciicircum{}2'
    """
    out = []
    special = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "_": r"\_", "^": r"\textasciicircum{}",
               "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "~": r"\textasciitilde{}",
               "<": r"\textless{}", ">": r"\textgreater{}", "|": r"\textbar{}"}
    uni = {"φ": r"$\varphi$", "σ": r"$\sigma$", "χ": r"$\chi$", "≈": r"$\approx$", "≤": r"$\le$",
           "≥": r"$\ge$", "→": r"$\to$", "∈": r"$\in$", "∞": r"$\infty$", "²": r"\textsuperscript{2}",
           "₁": r"$_1$", "−": "-", "ε": r"$\varepsilon$", "′": "'", "×": r"$\times$", "·": r"$\cdot$"}
    for ch in text:
        if ch in special:
            out.append(special[ch])
        elif ch in uni:
            out.append(uni[ch])
        elif ord(ch) < 128:
            out.append(ch)
        else:
            out.append("?")
    return "".join(out)


def _math_latex(obj: sympy.Basic) -> str:
    if isinstance(obj, sympy.Float):
        return mpmath.nstr(mpmath.mpf(obj), 20)
    return sympy.latex(obj)


def _side_latex(side: Side) -> str:
    if side is None:
        return ""
    if isinstance(side, Notation):
        return side.latex
    if isinstance(side, str):
        return rf"\text{{{escape_text(side)}}}"
    return _math_latex(side)


def _side_text(side: Side) -> str:
    if side is None:
        return ""
    if isinstance(side, Notation | str):
        return str(side)
    if isinstance(side, sympy.Float):
        return mpmath.nstr(mpmath.mpf(side), 20)
    return sympy.sstr(side).replace("varphi", "φ")


def _tex_name(name: str) -> str:
    return escape_text(name)


# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Derivation:
    r"""A recorded derivation: a title, steps and a short table of numbers.

    Attributes
    ----------
    title : str
    steps : tuple of Step
    numbers : tuple of (str, str)
        ``(label, value)`` rows summarising the results.

    Examples
    --------
    >>> d = Derivation("demo", (Step("definition", phi(x), x**2, "=", "given"),), (("max", "1"),))
    >>> print(d.text())
    demo
    1. φ(x) = x**2    [given]
    max: 1
    """

    title: str
    steps: tuple[Step, ...]
    numbers: tuple[tuple[str, str], ...] = field(default=())

    def __post_init__(self) -> None:
        if not all(isinstance(s, Step) for s in self.steps):
            raise TypeError("steps must be Step instances")
        object.__setattr__(self, "steps", tuple(self.steps))
        object.__setattr__(self, "numbers", tuple((str(a), str(b)) for a, b in self.numbers))

    def latex(self) -> str:
        r"""The steps as the body of an ``align*`` environment (no ``\begin``/``\end``)."""
        return "\n".join(s.latex() for s in self.steps)

    def markdown(self) -> str:
        """Numbered Markdown list with inline ``$...$`` maths, then the numbers."""
        lines = [f"**{self.title}**", ""]
        for i, s in enumerate(self.steps, 1):
            if s.kind == "section":
                lines += ["", f"*{_side_text(s.lhs)}*", ""]
                continue
            if s.rhs is None and isinstance(s.lhs, str):
                lines.append(f"{i}. {s.lhs}" + (f" ({s.justification})" if s.justification else ""))
                continue
            maths = _side_latex(s.lhs)
            if s.rhs is not None:
                maths += " " + _REL_TEX[s.relation].lstrip("&") + " " + _side_latex(s.rhs)
            lines.append(f"{i}. ${maths}$" + (f" — {s.justification}" if s.justification else ""))
        if self.numbers:
            lines += ["", "| quantity | value |", "|---|---|"]
            lines += [f"| {a} | {b} |" for a, b in self.numbers]
        return "\n".join(lines)

    def text(self) -> str:
        """Plain text, one numbered line per step, then the numbers."""
        lines = [self.title]
        i = 0
        for s in self.steps:
            if s.kind == "section":
                lines.append(f"-- {_side_text(s.lhs)} --")
                continue
            i += 1
            lines.append(f"{i}. {s.text()}")
        lines += [f"{a}: {b}" for a, b in self.numbers]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.text()

    def document(self) -> str:
        r"""A standalone LaTeX article: title, the derivation, a table of the numbers.

        >>> doc = Derivation("t_1", (), (("a", "1"),)).document()
        >>> doc.startswith(r"\documentclass{article}") and r"t\_1" in doc
        True
        """
        return _document(self.title, [self])

    def _repr_latex_(self) -> str:
        return "\\begin{align*}\n" + self.latex() + "\n\\end{align*}"

    def _repr_markdown_(self) -> str:
        return self.markdown()


def _numbers_table(rows: Sequence[tuple[str, str]]) -> str:
    if not rows:
        return ""
    body = "\n".join(rf"{escape_text(a)} & {escape_text(_short(b))} \\" for a, b in rows)
    return "\\begin{tabular}{ll}\n\\hline\nquantity & value \\\\\n\\hline\n" + body + "\n\\hline\n\\end{tabular}\n"


def _short(s: str, n: int = 70) -> str:
    return s if len(s) <= n else s[: n - 3] + "..."


_PREAMBLE = r"""\documentclass{article}
\usepackage[utf8]{inputenc}
\usepackage{amsmath}
\usepackage{amssymb}
\usepackage[margin=2cm]{geometry}
\allowdisplaybreaks
"""


def _document(title: str, derivations: Sequence[Derivation]) -> str:
    parts = [_PREAMBLE, rf"\title{{{escape_text(title)}}}", r"\date{}", r"\begin{document}", r"\maketitle"]
    for d in derivations:
        if len(derivations) > 1:
            parts.append(rf"\section*{{{escape_text(d.title)}}}")
        if d.steps:
            parts += [r"\begin{align*}", d.latex(), r"\end{align*}"]
        if d.numbers:
            parts += [r"\begin{center}", _numbers_table(d.numbers), r"\end{center}"]
    parts.append(r"\end{document}")
    return "\n".join(parts) + "\n"


# ---------------------------------------------------------------------------
def is_zero(expr: sympy.Expr, *, seconds: float = _BUDGET) -> bool:
    r"""Whether SymPy proves ``expr == 0`` (simplify, then after rewriting to ``exp``).

    >>> is_zero(sympy.tanh(x) - (1 - 2 / (1 + sympy.exp(2 * x))))
    True
    >>> is_zero(sympy.sin(x))
    False
    """
    try:
        with time_budget(seconds):
            if expr == 0 or sympy.simplify(expr) == 0:
                return True
            rewritten = expr.rewrite(sympy.exp)
            if sympy.simplify(rewritten) == 0:
                return True
            return sympy.simplify(sympy.expand(sympy.together(rewritten))) == 0
    except (BudgetExceeded, Exception):  # noqa: BLE001
        return False


def _rules(expr: sympy.Expr) -> list[str]:
    """The differentiation rules the expression's structure calls for."""
    rules: list[str] = []
    for node in sympy.preorder_traversal(expr):
        if x not in getattr(node, "free_symbols", ()):
            continue
        if isinstance(node, sympy.Pow) and node.exp.is_negative and x in node.base.free_symbols:
            rules.append("quotient rule")
        elif isinstance(node, sympy.Mul) and sum(x in a.free_symbols for a in node.args) > 1:
            rules.append("product rule")
        elif isinstance(node, sympy.Function) and node.args and node.args[0] != x:
            rules.append("chain rule")
        elif isinstance(node, sympy.Pow) and x in node.exp.free_symbols:
            rules.append("chain rule")
    seen: list[str] = []
    for r in rules:
        if r not in seen:
            seen.append(r)
    return seen


def _num(v: sympy.Expr, dps: int = 30) -> mpmath.mpf | None:
    try:
        with workdps(dps):
            val = sympy.N(v, dps)
            if not val.is_real:
                return None
            return mpmath.mpf(val)
    except (TypeError, ValueError):
        return None


_U = sympy.Symbol("varphi")


def _identity_candidates() -> list[tuple[sympy.Expr, str]]:
    u, s = _U, 1 / (1 + sympy.exp(-x))
    return [
        (u * (1 - u), "φ(1 − φ)"),
        (1 - u**2, "1 − φ²"),
        (1 + u**2, "1 + φ²"),
        (u + s * (1 - u), "φ + σ(x)(1 − φ)"),
        (1 - sympy.exp(-u), "1 − exp(−φ)"),
        (sympy.exp(u), "exp(φ)"),
        (u + 1, "φ + 1"),
    ]


def _quadratic_fit(y: sympy.Expr, d: sympy.Expr) -> sympy.Expr | None:
    """Coefficients of d = a + b y + c y**2 solved from three points, then rationalised."""
    pts = [sympy.Rational(-3, 7), sympy.Rational(2, 5), sympy.Rational(9, 7), sympy.Rational(-11, 5)]
    with workdps(40):
        ys, ds = [_num(y.subs(x, p), 40) for p in pts], [_num(d.subs(x, p), 40) for p in pts]
        if any(v is None for v in ys + ds):
            return None
        try:
            sol = mpmath.lu_solve(mpmath.matrix([[1, v, v * v] for v in ys[:3]]), mpmath.matrix(ds[:3]))
        except (ZeroDivisionError, ValueError):
            return None
        coeffs = []
        for c in sol:
            q = sympy.nsimplify(sympy.Float(mpmath.nstr(c, 30), 30), rational=True, tolerance=1e-25)
            if not isinstance(q, sympy.Rational) or q.q > 1000:
                return None
            coeffs.append(q)
        if abs(ds[3] - (coeffs[0] + coeffs[1] * ys[3] + coeffs[2] * ys[3] ** 2)) > mpmath.mpf(10) ** -25:
            return None
    if coeffs[2] == 0 and coeffs[1] == 0:
        return None  # a constant derivative needs no identity
    return sympy.factor(coeffs[0] + coeffs[1] * _U + coeffs[2] * _U**2)


def _find_identities(y: sympy.Expr, d: sympy.Expr) -> list[tuple[sympy.Expr, str]]:
    """Forms of d in terms of y = phi (the symbol ``varphi``) that SymPy verifies symbolically."""
    if x not in y.free_symbols or x not in d.free_symbols:
        return []
    cands = _identity_candidates()
    fit = _quadratic_fit(y, d)
    if fit is not None:
        named = [f for f, _ in cands if sympy.expand(f - fit) == 0]
        cands.insert(0, (named[0] if named else fit, "quadratic in φ with coefficients solved from three points"))
    probes = [sympy.Rational(1, 3), sympy.Rational(-5, 4), sympy.Rational(7, 3)]
    for form, how in cands:
        cand = form.subs(_U, y)
        diffs = [_num((d - cand).subs(x, p)) for p in probes]
        if any(v is None or abs(v) > mpmath.mpf(10) ** -20 for v in diffs):
            continue
        if is_zero(d - cand):
            return [(form, how)]
    return []


# ---------------------------------------------------------------------------
def _fmt(v: Any) -> str:
    if isinstance(v, sympy.Float):
        return mpmath.nstr(mpmath.mpf(v), 20)
    if isinstance(v, sympy.Basic):
        return sympy.sstr(v)
    return str(v)


def _d_name(order: int, at: str = "x") -> Notation:
    primes = "'" * order
    return Notation(rf"\varphi{primes}({at})", f"φ{primes}({at})")


def _extremum_steps(kind: str, ext: Any, steps: list[Step], seen: set[str]) -> None:
    for c in ext.candidates:
        key = f"{c.how}|{c.value}"
        if key in seen:
            continue
        seen.add(key)
        if c.how.startswith("critical point"):
            pt = next(iter(c.where)) if isinstance(c.where, sympy.FiniteSet) else None
            steps.append(Step("value", _d_name(1, sympy.latex(pt) if pt is not None else "x^*"),
                              c.value, "=", f"value at the critical point x = {_fmt(pt)}"))
        elif c.how.startswith("x -> "):
            where = c.how[5:]
            tex = where.replace("oo", r"\infty").replace("-", "^{-}") if not where.endswith("oo") else where.replace("oo", r"\infty")
            if where.endswith(("-", "+")) and not where.endswith("oo"):
                pt, sd = where[:-1], where[-1]
                tex, txt = rf"\lim_{{x \to {pt}^{{{sd}}}}} \varphi'(x)", f"lim x->{where} φ'(x)"
            else:
                tex, txt = rf"\lim_{{x \to {tex}}} \varphi'(x)", f"lim x->{where} φ'(x)"
            steps.append(Step("limit", Notation(tex, txt), c.value, "=", "one-sided limit at the end of a piece (Gruntz)"))
        elif c.how.startswith("constant"):
            steps.append(Step("value", Notation(r"\varphi'(x)", "φ'(x)"), c.value, "=",
                              f"constant on {_fmt(c.where)}"))
        elif c.how.startswith("certified"):
            lo, hi = c.enclosure
            where = ", ".join(_fmt(p) for p in c.where) if isinstance(c.where, sympy.FiniteSet) else "-"
            with workdps(40):
                mid = sympy.Float(mpmath.nstr((mpmath.mpf(lo) + mpmath.mpf(hi)) / 2, 25), 20)
            steps.append(Step("certified", _d_name(1, "x^*"), mid, "approx",
                              f"certified {kind} candidate: value in [{mpmath.nstr(lo, 20)}, {mpmath.nstr(hi, 20)}], "
                              f"x* ≈ {where} (Arb ball arithmetic, interval Newton)"))
        elif c.how.startswith("value at"):
            pt = c.how.removeprefix("value at x = ")
            steps.append(Step("value", _d_name(1, sympy.latex(sympy.sympify(pt))) if pt else _d_name(1), c.value, "=",
                              f"value of the formula at x = {pt}"))


def mid_value(ext: Any, digits: int = 20) -> sympy.Float:
    r"""The midpoint of an extremum's enclosure to ``digits`` digits, computed at enough precision.

    >>> import symact as sa
    >>> mid_value(sa.sup(sa.activation("silu").derivative()), 20)
    1.0998393201288669170
    """
    if ext.exact:
        return sympy.Float(sympy.N(ext.value, digits), digits)
    with workdps(digits + 20):
        mid = (mpmath.mpf(ext.enclosure[0]) + mpmath.mpf(ext.enclosure[1])) / 2
        return sympy.Float(mpmath.nstr(mid, digits + 5), digits)


def _conclusion(kind: str, ext: Any) -> Step:
    op = r"\sup" if kind == "sup" else r"\inf"
    lhs = Notation(rf"{op}_{{x}} \varphi'(x)", f"{kind}_x φ'(x)")
    where = (f"attained at x = {_fmt(ext.at if not isinstance(ext.at, sympy.FiniteSet) else ', '.join(_fmt(p) for p in ext.at))}"
             if ext.attained else "not attained, approached as " + ", ".join(ext.approached))
    if ext.exact:
        return Step("conclusion", lhs, ext.value, "=", f"largest of {len(ext.candidates)} candidates; {where}"
                    if kind == "sup" else f"smallest of {len(ext.candidates)} candidates; {where}")
    lo, hi = ext.enclosure
    return Step("conclusion", lhs, mid_value(ext, 20), "approx",
                f"certified: in [{mpmath.nstr(lo, 20)}, {mpmath.nstr(hi, 20)}]; {where}")


def _analysis(act: Activation, layers_eps: float, meanfield_budget: float) -> Derivation:
    from ..analysis.extrema import inf, sup
    from ..analysis.properties import derivative_bounds
    from ..propagation.depth import gradient_bound

    steps: list[Step] = []
    nums: list[tuple[str, str]] = []
    params = ", ".join(f"{k} = {_fmt(v)}" for k, v in act.params.items())
    steps.append(Step("definition", phi(x), act.expr, "=",
                      f"definition of {act.name}" + (f" ({params})" if params else "")))
    d = act.derivative(1)
    pieces = act.pieces
    if len(pieces) > 1:
        just = "differentiate each piece; " + ("kinks at " + ", ".join(_fmt(k) for k in act.kinks) + " left undefined"
                                              if act.kinks else "breakpoints are smooth")
    else:
        rules = _rules(act.expr)
        just = "differentiate: " + (", ".join(rules) if rules else "elementary derivatives")
    steps.append(Step("derivative", _d_name(1), d, "=", just))
    if not d.has(sympy.Piecewise):
        simple = tidy(d, _BUDGET)
        if simple != d and is_zero(simple - d):
            steps.append(Step("derivative", _d_name(1), simple, "=", "simplified; difference verified to be 0"))
    # identities in terms of phi itself, piece by piece
    for p in pieces:
        dp = sympy.diff(p.expr, x)
        for form, how in _find_identities(p.expr, dp):
            on = "" if len(pieces) == 1 else f" on ({_fmt(p.lo)}, {_fmt(p.hi)})"
            steps.append(Step("identity", _d_name(1), form.subs(_U, phi(x)), "=",
                              f"{how}{on}; identity verified symbolically (difference simplifies to 0)"))
    # kinks: one-sided derivatives and subdifferential
    for b in act.breakpoints:
        pt = sympy.latex(b.point)
        steps.append(Step("one_sided", Notation(rf"\varphi'({pt}^{{-}})", f"φ'({_fmt(b.point)}-)"), b.left[1], "=",
                          "left limit of the derivative at the breakpoint"))
        steps.append(Step("one_sided", Notation(rf"\varphi'({pt}^{{+}})", f"φ'({_fmt(b.point)}+)"), b.right[1], "=",
                          "right limit of the derivative at the breakpoint"))
        if b.smoothness < 1:
            sub = act.subdifferential(b.point)
            steps.append(Step("subdifferential", Notation(rf"\partial\varphi({pt})", f"∂φ({_fmt(b.point)})"), sub,
                              "=", "Clarke subdifferential: convex hull of the one-sided derivatives"
                              if b.smoothness == 0 else "jump: not locally Lipschitz, empty subdifferential"))
    # second derivative, critical points, candidates, conclusion
    d2 = act.derivative(2)
    steps.append(Step("second_derivative", _d_name(2), tidy(d2, _BUDGET), "=", "differentiate φ' again"))
    exts: dict[str, Any] = {}
    try:  # cached: gradient_bound below reuses the same extrema
        b = derivative_bounds(act)
        exts = {"sup": b.sup, "inf": b.inf}
    except Exception:  # noqa: BLE001 - one side may still work
        for kind, fn in (("sup", sup), ("inf", inf)):
            try:
                exts[kind] = fn(d)
            except Exception as exc:  # noqa: BLE001 - record and go on
                steps.append(Step("note", f"{kind} of phi' failed: {type(exc).__name__}: {_short(str(exc), 160)}",
                                  None, ""))
    seen: set[str] = set()
    for kind, ext in exts.items():
        crit = [p for c in ext.candidates if c.how.startswith("critical point") and isinstance(c.where, sympy.FiniteSet)
                for p in c.where]
        solved = [line for line in ext.steps if "critical points of" in line]
        if solved and "critical_points" not in seen:
            seen.add("critical_points")
            ons = "; ".join(line.split(": critical")[0][3:] for line in solved)
            steps.append(Step("critical_points", Notation(r"\{x : \varphi''(x) = 0\}", "{x : φ''(x) = 0}"),
                              sympy.FiniteSet(*crit) if crit else sympy.EmptySet, "=",
                              f"solveset on each piece {ons}"))
        for line in ext.steps[1:-1]:
            if "critical points of" not in line and line not in seen:
                steps.append(Step("note", f"{kind} engine: {line}", None, ""))
            seen.add(line)
        _extremum_steps(kind, ext, steps, seen)
    for kind, ext in exts.items():
        steps.append(_conclusion(kind, ext))
        nums.append((f"{kind} phi'", _fmt(ext.value) if ext.exact else
                     f"{_fmt(mid_value(ext, 15))} (certified)"))
        if ext.attained:
            nums.append((f"{kind} attained at", _fmt(ext.at)))
    # depth
    n = sympy.Symbol("n", positive=True, integer=True)
    try:
        gb = gradient_bound(act, n)
        grad = Notation(r"\left|\frac{\partial a_n}{\partial a_0}\right|", "|d a_n / d a_0|")
        steps.append(Step("bound", grad, gb.expr, "<=",
                          "chain rule through n layers (w = 1): product of n factors, each at most sup|φ'|"
                          + ("" if gb.exact else " (certified upper end)")))
        if gb.lower != 0:
            steps.append(Step("bound", grad, gb.lower, ">=", "each factor at least inf|φ'| > 0"))
        nums.append(("bound after n layers", _fmt(gb.expr)))
        nums.append(("regime", gb.regime))
        if gb.dead_units:
            steps.append(Step("note", "φ' = 0 on a whole stretch: a unit there passes no gradient (dead units)", None, ""))
        if gb.regime == "vanishing":
            k = gradient_bound(act, 1).depth_below(layers_eps)
            eps_s = mpmath.nstr(layers_eps, 3)
            steps.append(Step("depth", Notation(rf"\min\{{n : ({sympy.latex(gb.rate)})^n < {eps_s}\}}",
                                                f"min n with ({_fmt(gb.rate)})^n < {eps_s}"),
                              sympy.Integer(k), "=", f"exact integer search; ({_fmt(gb.rate)})^{k} ≈ "
                              f"{mpmath.nstr(_num(gb.rate ** k, 30) or 0, 5)}"))
            nums.append((f"depth to {eps_s}", str(k)))
    except Exception as exc:  # noqa: BLE001
        steps.append(Step("note", f"gradient bound failed: {type(exc).__name__}: {_short(str(exc), 160)}", None, ""))
    # mean field
    try:
        # isolated: quadrature and integration can get stuck in one long C call
        # (huge-integer arithmetic) that no signal can interrupt
        g, mf = run_isolated(meanfield_budget, _gain_and_mean_field, act)
        chi = mf.chi1 if isinstance(mf.chi1, sympy.Expr) else sympy.Float(mpmath.nstr(mf.chi1, 15), 15)
        chi = chi if not isinstance(chi, sympy.Float) else sympy.Float(chi, 15)
        steps.append(Step("meanfield", Notation(r"\chi_1", "chi_1"), chi, "=" if mf.exact else "approx",
                          f"mean field at sigma_w^2 = gain^2 = {_fmt(g**2 if (g**2).is_Rational else sympy.N(g**2, 12))}, "
                          f"sigma_b^2 = 0: {mf.regime}" + ("" if mf.exact else " (quadrature)")))
        nums.append(("gain", _fmt(g if not isinstance(g, sympy.Float) else sympy.Float(g, 12))))
        nums.append(("chi_1 at the gain", f"{_fmt(chi)} ({mf.regime})"))
    except BudgetExceeded:
        steps.append(Step("note", f"mean field skipped: exceeded its {meanfield_budget:g} s budget", None, ""))
    except Exception as exc:  # noqa: BLE001
        steps.append(Step("note", f"mean field skipped: {type(exc).__name__}: {_short(str(exc), 160)}", None, ""))
    return Derivation(f"Derivation for {act.name}", tuple(steps), tuple(nums))


def _gain_and_mean_field(act: Activation) -> tuple[sympy.Expr, Any]:
    from ..propagation.gains import gain
    from ..propagation.meanfield import mean_field

    g = gain(act, dps=20)
    return g, mean_field(act, weight_var=g**2, bias_var=0, dps=20)


@cached(maxsize=256)
def _cached(act: Activation, layers_eps: float, meanfield_budget: float) -> Derivation:
    return _analysis(act, layers_eps, meanfield_budget)


def _resolve(act: Any) -> Activation:
    from ..expressions.coerce import as_activation

    return as_activation(act, name="f" if isinstance(act, sympy.Basic) else None)


def derive(
    act: Activation | str | sympy.Expr, *, layers_eps: float = 1e-6, meanfield_budget: float = 6.0
) -> Derivation:
    r"""Analyse an activation and record every step taken.

    Parameters
    ----------
    act : Activation, str or sympy.Expr
        An activation, a catalogue name, or an expression in :data:`symact.x`.
    layers_eps : float, keyword-only
        Threshold for the depth at which the worst-case gradient bound drops
        below it (only for the vanishing regime).
    meanfield_budget : float, keyword-only
        Seconds allowed for the mean-field :math:`\chi_1` at the
        variance-preserving gain; when exceeded the step is skipped with a note.

    Returns
    -------
    Derivation
        Results are cached per activation.

    Notes
    -----
    Identities such as :math:`\sigma' = \sigma(1-\sigma)` are found by fitting
    :math:`\varphi' = a + b\varphi + c\varphi^2` at three points (and trying a
    short list of other forms), then kept only when SymPy proves the
    difference is 0.

    Examples
    --------
    >>> import symact as sa
    >>> d = derive("sigmoid")
    >>> print(d.steps[3].text())
    φ'(x) = (1 - φ(x))*φ(x)    [quadratic in φ with coefficients solved from three points; identity verified symbolically (difference simplifies to 0)]
    >>> dict(d.numbers)["depth to 1e-06"]
    '10'
    """
    return _cached(_resolve(act), float(layers_eps), float(meanfield_budget))


def derive_many(acts: Iterable[Activation | str], *, layers_eps: float = 1e-6) -> Derivation:
    r"""Derivations of several activations, one section each, with prefixed numbers.

    >>> d = derive_many(["relu", "sigmoid"])
    >>> [s.lhs for s in d.steps if s.kind == "section"]
    ['relu', 'sigmoid']
    """
    steps: list[Step] = []
    nums: list[tuple[str, str]] = []
    names = []
    for a in acts:
        act = _resolve(a)
        d = derive(act, layers_eps=layers_eps)
        names.append(act.name)
        steps.append(Step("section", act.name, None, ""))
        steps.extend(d.steps)
        nums.extend((f"{act.name}: {k}", v) for k, v in d.numbers)
    return Derivation("Comparison of " + ", ".join(names), tuple(steps), tuple(nums))


def combined_document(derivations: Sequence[Derivation], *, title: str) -> str:
    r"""One standalone LaTeX article holding several derivations, one section each.

    >>> d = Derivation("a", (Step("definition", phi(x), x, "=", "given"),))
    >>> combined_document([d, d], title="Two").count(r"\section*")
    2
    """
    return _document(title, list(derivations))


def comparison_document(acts: Iterable[Activation | str], *, layers_eps: float = 1e-6) -> str:
    r"""A standalone LaTeX article comparing several activations.

    It opens with a table (sup and inf of :math:`\varphi'`, regime, depth)
    and then gives each derivation in its own section.

    >>> doc = comparison_document(["relu", "sigmoid"])
    >>> doc.count(r"\section*"), r"\begin{tabular}" in doc
    (2, True)
    """
    ds = [derive(_resolve(a), layers_eps=layers_eps) for a in acts]
    keys = ["sup phi'", "inf phi'", "regime", "depth to " + mpmath.nstr(layers_eps, 3)]
    head = "activation & " + " & ".join(escape_text(k) for k in keys) + r" \\"
    rows = []
    for d in ds:
        nd = dict(d.numbers)
        name = d.title.removeprefix("Derivation for ")
        rows.append(escape_text(name) + " & " + " & ".join(escape_text(_short(nd.get(k, "-"), 30)) for k in keys) + r" \\")
    table = ("\\begin{center}\n\\begin{tabular}{l" + "l" * len(keys) + "}\n\\hline\n" + head + "\n\\hline\n"
             + "\n".join(rows) + "\n\\hline\n\\end{tabular}\n\\end{center}\n")
    doc = _document("Comparison of activations", ds)
    return doc.replace(r"\maketitle", "\\maketitle\n" + table, 1)

