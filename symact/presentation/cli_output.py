r"""What the ``symact`` commands print: JSON objects and their text renderings.

Each ``*_json`` function builds the object documented in
:mod:`symact.presentation.schema`; each ``*_text`` renders that same object for
people, so the two never disagree.  Sets and piecewise expressions are printed
with :func:`~symact.presentation.serialize.plain` (``(0, oo)``, ``∅``,
``{x if x > 0; 0 otherwise}``), never as SymPy constructor text.

>>> import symact as sa
>>> d = activation_json(sa.activation("relu"))
>>> d["name"], d["expr"], d["kinks"]
('relu', '{x if x > 0; 0 otherwise}', ['0'])
"""

from __future__ import annotations

from typing import Any

import sympy

from ..core.result import certified_digits, weakest
from .cli_steps import check_json, record_json, steps_json
from .serialize import extremum, interval, number, plain, set_json

__all__ = [
    "TABLE_LEGEND",
    "activation_json",
    "bound_json",
    "bound_text",
    "catalogue_json",
    "catalogue_text",
    "check_json",
    "envelope",
    "explain_json",
    "gain_json",
    "gain_text",
    "meanfield_json",
    "meanfield_text",
    "record_json",
    "steps_json",
    "table_json",
    "table_text",
]


def envelope(command: str, data: dict[str, Any], exit_code: int = 0) -> dict[str, Any]:
    """The top-level JSON object: command, symact version, exit code, then ``data``."""
    from .. import __version__

    return {"command": command, "symact": __version__, "exit_code": exit_code, **data}


def activation_json(act: Any) -> dict[str, Any]:
    """Name, formula (text and LaTeX), parameters and kinks of an activation."""
    return {
        "name": act.name,
        "expr": plain(act.expr),
        "latex": act.latex(),
        "params": {str(k): number(v) if v.is_number else plain(v) for k, v in act.params.items()},
        "kinks": [plain(k) for k in act.kinks],
        "jumps": [plain(k) for k in act.jumps],
    }


def catalogue_json() -> dict[str, Any]:
    """Every built-in activation with its aliases and description."""
    import symact as sa

    by_name: dict[str, list[str]] = {}
    for alias, name in sa.aliases().items():
        by_name.setdefault(name, []).append(alias)
    rows = []
    for name in sa.names():
        act = sa.activation(name)
        rows.append({**activation_json(act), "aliases": by_name.get(name, []),
                     "description": sa.describe(name)})
    return {"activations": rows}


def catalogue_text(data: dict[str, Any], *, markdown: bool = False) -> str:
    """``symact list`` for people."""
    rows = data["activations"]
    if markdown:
        lines = ["| name | aliases | description |", "|---|---|---|"]
        lines += [f"| {r['name']} | {', '.join(r['aliases'])} | {r['description']} |" for r in rows]
        return "\n".join(lines)
    width = max(len(r["name"]) for r in rows)
    return "\n".join(
        f"{r['name']:<{width}}  {r['description']}"
        + (f" (alias: {', '.join(r['aliases'])})" if r["aliases"] else "") for r in rows)


def explain_json(act: Any, bounds: Any, derivation: Any) -> dict[str, Any]:
    """``symact explain --format json``."""
    d1 = act.derivative()
    return {
        "activation": activation_json(act),
        "derivative": {"expr": plain(d1), "latex": sympy.latex(d1)},
        "smoothness": "inf" if act.smoothness == float("inf") else int(act.smoothness),
        "sup_derivative": extremum(bounds.sup),
        "inf_derivative": extremum(bounds.inf),
        "lipschitz": number(bounds.lipschitz),
        "level": bounds.level,
        "steps": steps_json(derivation),
        "numbers": [{"label": a, "value": b} for a, b in getattr(derivation, "numbers", ())],
    }


# -- table -------------------------------------------------------------------------
TABLE_LEGEND = """\
Markers: a bare value is exact (a closed form); "1.234567*" is an exact closed form shown
as a decimal because it is long ('symact explain NAME' prints it); "1.234567~" is
certified: every digit shown is proved by ball arithmetic (Arb), but no closed form is known;
"≈1.234567" is a floating-point value, not certified.
level: "exact" when every entry of the row is a closed form, else "certified" and which
entries are certified.
zero-centred: phi(0) = 0 and phi takes both signs. It says nothing about the mean of phi
or the symmetry of its range (silu is zero-centred in this sense although its range is
[-0.278..., oo)); E[phi(z)] is 'symact meanfield'-territory."""


def _short(n: dict[str, Any], k: int = 7) -> str | None:
    """At most ``k`` significant digits, every one certified by the number's rigorous enclosure.

    The enclosure's ends are doubles rounded outwards, so both rounding to the same
    ``k``-digit decimal proves it (re-rounding the long digits could move the last digit).
    """
    if n["enclosure"] is None:
        return None
    return certified_digits(*n["enclosure"], k)


def _cell(n: dict[str, Any] | None) -> str:
    if n is None:
        return "-"
    if n["float"] is None:  # an infinity
        return n["text"] or "?"
    if n["level"] == "exact":
        t = n["text"]
        if len(t) <= 18:
            return t
        short = _short(n)
        return f"{short}*" if short else t
    if n["level"] == "sampled":
        d = n["digits"] or n["text"] or "?"
        return f"≈{sympy.Float(d, min(7, len(d.replace('.', '').lstrip('-0')) or 1))}"
    short = _short(n)
    return f"{short}~" if short else (n["text"] or "?")


def _where(e: dict[str, Any]) -> str:
    if e["attained"]:
        pts = e["at"]["points"]
        if pts is not None and len(pts) <= 2:
            return ", ".join(_cell(p) for p in pts)
        return "on " + e["at"]["text"]
    return "approached " + ", ".join(a.replace("x -> ", "") for a in e["approached"])


def _range(p: Any) -> dict[str, Any] | None:
    """The range, its ends the rigorous extrema of phi (each with its own level)."""
    out = interval(p.range)
    v = p.value_bounds
    if out is not None and v is not None and "lower" in out:
        out["lower"], out["upper"] = number(v.inf), number(v.sup)
    return out


def table_json(profiles: Any) -> dict[str, Any]:
    """``symact table --format json``: one object per activation."""
    rows = []
    for p in profiles:
        entries = (("sup f'", p.derivative.sup), ("inf f'", p.derivative.inf),
                   ("range", p.value_bounds), ("Lipschitz", p.lipschitz))
        certified = [k for k, v in entries if v.level != "exact"]
        rows.append({
            "name": p.activation.name,
            "sup_derivative": extremum(p.derivative.sup),
            "inf_derivative": extremum(p.derivative.inf),
            "range": _range(p),
            "lipschitz": number(p.lipschitz),  # exact, or certified sup|phi'|
            "monotone": p.monotone,
            "zero_centred": bool(p.zero_centred),
            "limits": [number(v) if v.is_number else plain(v) for v in p.limits],
            "smoothness": "inf" if p.smoothness == float("inf") else int(p.smoothness),
            "level": weakest(*(v.level for _, v in entries)),
            "certified_entries": certified,
        })
    return {"rows": rows, "legend": TABLE_LEGEND}


_HEADER = ("name", "sup f'", "where", "inf f'", "where", "range", "Lipschitz", "monotone",
           "zero-centred", "smooth", "level")


def _range_cell(r: dict[str, Any] | None) -> str:
    if r is None:
        return "not certified"
    if "lower" not in r:
        return r["text"]
    lo, hi = _cell(r["lower"]), _cell(r["upper"])
    return f"{'(' if r['left_open'] else '['}{lo}, {hi}{')' if r['right_open'] else ']'}"


def _table_rows(data: dict[str, Any]) -> list[tuple[str, ...]]:
    rows = []
    for r in data["rows"]:
        s = r["smoothness"]
        smooth = "C^inf" if s == "inf" else ("jump" if s < 0 else f"C^{s}")
        level = r["level"] + (": " + ", ".join(r["certified_entries"]) if r["certified_entries"] else "")
        rows.append((r["name"], _cell(r["sup_derivative"]["value"]), _where(r["sup_derivative"]),
                     _cell(r["inf_derivative"]["value"]), _where(r["inf_derivative"]),
                     _range_cell(r["range"]), _cell(r["lipschitz"]), r["monotone"],
                     "yes" if r["zero_centred"] else "no", smooth, level))
    return rows


def _tex_number(n: dict[str, Any] | None, cell: str) -> str:
    if n is None or n["level"] != "exact" or n["float"] is None:
        from ..proofs.derivation import escape_text

        return escape_text(cell).replace("oo", r"$\infty$")
    return f"${n['latex']}$"


def _tex_row(r: dict[str, Any], cells: tuple[str, ...]) -> list[str]:
    """One table row in LaTeX: exact values typeset, the rest escaped text."""
    from ..proofs.derivation import escape_text

    def where(e: dict[str, Any], cell: str) -> str:
        if e["attained"] and e["value"]["level"] == "exact":
            return f"${e['at']['latex']}$"
        return escape_text(cell).replace("oo", r"$\infty$")

    rng = r["range"]
    s = r["smoothness"]
    return [
        escape_text(r["name"]),
        _tex_number(r["sup_derivative"]["value"], cells[1]), where(r["sup_derivative"], cells[2]),
        _tex_number(r["inf_derivative"]["value"], cells[3]), where(r["inf_derivative"], cells[4]),
        f"${rng['latex']}$" if rng is not None and "range" not in r["certified_entries"]
        else escape_text(cells[5]).replace("oo", r"$\infty$"),
        _tex_number(r["lipschitz"], cells[6]), escape_text(cells[7]), escape_text(cells[8]),
        r"$C^\infty$" if s == "inf" else ("jump" if s < 0 else f"$C^{{{s}}}$"), escape_text(cells[10]),
    ]


def table_text(data: dict[str, Any], fmt: str = "text") -> str:
    """``symact table`` as aligned text, Markdown or a LaTeX tabular, with the legend."""
    rows = _table_rows(data)
    if fmt == "markdown":
        lines = ["| " + " | ".join(_HEADER) + " |", "|" + "---|" * len(_HEADER)]
        lines += ["| " + " | ".join(c.replace("|", r"\|") for c in r) + " |" for r in rows]
        return "\n".join(lines) + "\n\n" + TABLE_LEGEND.replace("\n", " ")
    if fmt == "latex":
        from ..proofs.derivation import escape_text

        head = " & ".join(escape_text(h) for h in _HEADER)
        body = " \\\\\n".join(" & ".join(_tex_row(r, c)) for r, c in zip(data["rows"], rows, strict=True))
        return ("\\begin{tabular}{" + "l" * len(_HEADER) + "}\n" + head + " \\\\\n\\hline\n"
                + body + "\n\\end{tabular}")
    widths = [max(len(r[i]) for r in (_HEADER, *rows)) for i in range(len(_HEADER))]
    fmt_row = "  ".join(f"{{:<{w}}}" for w in widths)
    lines = [fmt_row.format(*_HEADER), fmt_row.format(*("-" * w for w in widths))]
    lines += [fmt_row.format(*r) for r in rows]
    return "\n".join(line.rstrip() for line in lines) + "\n\n" + TABLE_LEGEND


# -- bound ---------------------------------------------------------------------------
def bound_json(act: Any, gb: Any, layers: int, weight: Any, eps: Any, eps_text: str | None) -> dict[str, Any]:
    """``symact bound --format json``.

    ``bound`` is the gradient bound itself (a result: exact, or certified with an
    enclosure); ``per_layer`` the per-layer factor ``gb.rate`` (a result with
    only certified digits).  The depth below ``eps`` is decided from the bound
    actually used, ``rate.bound`` (for a certified slope a rigorous upper end).
    """
    level = gb.level
    rate = gb.rate
    data: dict[str, Any] = {
        "activation": activation_json(act),
        "layers": layers,
        "weight": number(weight),
        "bound": number(gb),  # the CLI's layers and weight are numbers
        "lower_bound": number(gb.lower, level=level, method="product of slopes"),
        "per_layer": number(rate) if rate is not None and rate.value.is_number else None,
        "regime": gb.regime,
        "dead_units": bool(gb.dead_units),
        "level": level,
        "eps": None, "depth_below": None, "never_below": None,
    }
    if eps is not None:
        data["eps"] = number(eps)
        data["eps"]["text"] = eps_text
        if rate is not None and rate.value.is_number:
            never = bool(sympy.sympify(rate.bound) >= 1)  # the factor the bound is built from
            data["never_below"] = never
            data["depth_below"] = None if never else int(gb.depth_below(eps))
    return data


def _factor(rate: Any) -> str:
    """The per-layer factor as text: the rate itself where it is provably >= 1, else the
    rigorous upper end the bound is built from."""
    from ..core.errors import Undecided

    try:
        if rate >= 1:
            return str(rate)
    except Undecided:
        pass
    return f"(at most {sympy.sstr(rate.bound)})"


def bound_text(gb: Any, data: dict[str, Any], fmt: str) -> str:
    """``symact bound`` as text or LaTeX."""
    if fmt == "latex":
        return gb.latex()
    lines = [gb.describe()]
    if data["eps"] is not None:
        eps = data["eps"]["text"]
        if data["never_below"]:
            lines.append(f"the bound never drops below {eps}: its per-layer factor "
                         f"{_factor(gb.rate)} is >= 1")
        else:
            lines.append(f"depth at which the bound drops below {eps}: {data['depth_below']} layers")
    return "\n".join(lines)


# -- mean field ----------------------------------------------------------------------
def meanfield_json(act: Any, mf: Any, wv: Any, bv: Any, edge: Any, want_edge: bool) -> dict[str, Any]:
    """``symact meanfield --format json``."""
    num = number  # every number of a MeanField is a result: it brings its own level

    data = {
        "activation": activation_json(act),
        "weight_var": number(wv),
        "bias_var": number(bv),
        "q_star": num(mf.q_star) if mf.q_star is not None else None,
        "status": mf.status,
        "chi1": num(mf.chi1),
        "regime": mf.regime,
        "depth_scale_q": num(mf.depth_scale_q),
        "depth_scale_c": num(mf.depth_scale_c),
        "level": mf.level,
        "fixed_points": [
            {"q": num(p.q), "slope": num(p.slope), "stable": p.stable}
            for p in getattr(mf, "fixed_points", ())
        ],
        "reached_level": getattr(mf, "reached_level", None),
        "complete": getattr(mf, "complete", True),
        "note": getattr(mf, "note", ""),
        "searched": list(getattr(mf, "search", ())),
        "range_proof": getattr(mf, "range_proof", ""),
        "escapes": [{"direction": e.direction, "q_star": None if e.q is None else num(e.q), "chi1": num(e.chi1),
                     "level": e.level} for e in getattr(mf, "escapes", ())],
        "edge_of_chaos_weight_var": None,
    }
    if want_edge:
        data["edge_of_chaos_weight_var"] = num(edge)
    return data


def _show(n: dict[str, Any] | None, what: str = "diverges") -> str:
    if n is None:
        return what
    if n["float"] is None:
        return n["text"]
    if n["level"] == "exact":
        t = n["text"]
        return t if sympy.sympify(t).is_Rational else f"{t} ≈ {sympy.Float(n['digits'], 12)}"
    return f"{n['digits']} ({n['level']})"


def meanfield_text(data: dict[str, Any]) -> str:
    """``symact meanfield`` for people."""
    name = data["activation"]["name"]
    lines = [
        f"mean field of {name} at sigma_w^2 = {data['weight_var']['text']}, "
        f"sigma_b^2 = {data['bias_var']['text']}",
        f"  q*      = {_show(data['q_star'])}  ({data['status']})",
        f"  chi_1   = {_show(data['chi1'])}  ({data['regime']})",
        f"  xi_q    = {_show(data['depth_scale_q'])}   xi_c = {_show(data['depth_scale_c'])}",
    ]
    for p in data["fixed_points"]:
        kind = {True: "attracting", False: "repelling", None: "stability undecided"}[p["stable"]]
        lines.append(f"  fixed point q = {_show(p['q'])}: V'(q) = {_show(p['slope'])}, {kind}")
    reach = f"; reached from q0 = 1: {data['reached_level']}" if data["reached_level"] else ""
    more = "" if data["complete"] else "; parts of the searched range unresolved"
    lines.append(f"  level   = {data['level']}{reach}{more}")
    if data["note"]:
        lines.append(f"  note    : {data['note']}")
    if data.get("range_proof"):
        lines.append(f"  range   : fixed points searched on [{data['searched'][0]:.4g}, {data['searched'][1]:.4g}]; "
                     f"{data['range_proof']}")
    if data["edge_of_chaos_weight_var"] is not None:
        lines.append(f"  edge of chaos at sigma_b^2 = {data['bias_var']['text']}: "
                     f"sigma_w^2 = {_show(data['edge_of_chaos_weight_var'])}")
    return "\n".join(lines)


# -- gains ----------------------------------------------------------------------------
def gain_json(table: Any) -> dict[str, Any]:
    """``symact gain --format json``: symact's gains beside PyTorch's."""
    rows = []
    for r in table.rows:
        def num(v: Any) -> Any:
            return None if v is None else number(v)

        def field(*names: str, row: Any = r) -> Any:  # tolerate renamed fields (branch 'gauss')
            return next((getattr(row, n) for n in names if hasattr(row, n)), None)

        rows.append({
            "name": r.name,
            "param": num(field("param")),
            "gain": num(field("ours", "gain", "derived")),
            "torch_gain": num(field("pytorch", "torch", "torch_gain")),
            "chi1_at_gain": num(field("chi1_ours", "chi1_gain", "chi1_derived")),
            "chi1_at_torch_gain": num(field("chi1_pytorch", "chi1_torch")),
            "repelling": bool(getattr(r, "repelling", False)),
            "fate": r.fate() if hasattr(r, "fate") else "",
            "escapes": [{"direction": e.direction, "q_star": None if e.q is None else number(e.q),
                         "chi1": number(e.chi1), "level": e.level} for e in getattr(r, "escapes", ())],
        })
    return {"rows": rows, "note": (
        "gain: the variance-preserving gain 1/sqrt(E[phi(z)^2]); torch_gain: "
        "torch.nn.init.calculate_gain; chi1_*: the mean-field chi_1 at sigma_w^2 = gain^2, "
        "sigma_b^2 = 0 (1 is critical, < 1 vanishing, > 1 exploding gradients).")}


_GAIN_HEADER = ("activation", "gain", "torch gain", "chi_1 at gain", "chi_1 at torch gain")


def gain_text(data: dict[str, Any], fmt: str = "text") -> str:
    """``symact gain`` as text, Markdown or LaTeX."""
    def cell(n: dict[str, Any] | None) -> str:
        if n is None:
            return "-"
        if fmt == "latex":
            return f"${n['latex']}$"
        return _cell(n)

    rows = [(r["name"], cell(r["gain"]), cell(r["torch_gain"]), cell(r["chi1_at_gain"]),
             cell(r["chi1_at_torch_gain"])) for r in data["rows"]]
    if fmt == "markdown":
        lines = ["| " + " | ".join(_GAIN_HEADER) + " |", "|---|---|---|---|---|"]
        lines += ["| " + " | ".join(r) + " |" for r in rows]
        lines += ["", *(f"{r['name']}: {r['fate']}" for r in data["rows"] if r.get("fate"))] \
            if any(r.get("fate") for r in data["rows"]) else []
        return "\n".join(lines) + "\n\n" + data["note"]
    if fmt == "latex":
        from ..proofs.derivation import escape_text

        body = " \\\\\n".join(" & ".join((escape_text(r[0]), *r[1:])) for r in rows)
        head = ("activation", "gain", "PyTorch gain", r"$\chi_1$ at gain", r"$\chi_1$ at PyTorch gain")
        return ("\\begin{tabular}{lcccc}\n" + " & ".join(head) + " \\\\\n\\hline\n" + body
                + "\n\\end{tabular}")
    widths = [max(len(r[i]) for r in (_GAIN_HEADER, *rows)) for i in range(5)]
    f = "  ".join(f"{{:<{w}}}" for w in widths)
    lines = [f.format(*_GAIN_HEADER), f.format(*("-" * w for w in widths))]
    lines += [f.format(*r) for r in rows]
    lines += ["", *(f"{r['name']}: {r['fate']}" for r in data["rows"] if r.get("fate"))] \
        if any(r.get("fate") for r in data["rows"]) else []
    return "\n".join(ln.rstrip() for ln in lines) + "\n\n" + data["note"] + \
        "\nMarkers: * exact closed form shown as a decimal; ~ certified digits; ≈ a floating-point value (not certified)."


_ = set_json  # re-exported helper used by the schema's examples
