"""sa.identify against mpmath.identify and sympy.nsimplify on the field's constants.

Each constant is given to each tool as the same 30 significant digits (computed here by
mpmath from the known closed form).  A tool "finds" a constant when what it returns is
equal to the known closed form (checked to 60 digits).  mpmath.identify is run with its
default basis and with the best hand-picked basis for each constant; nsimplify with a
hand-picked list of constants.  Then the largest certified exclusion bound M for
E[tanh'(z)^2] and E[GELU_tanh'(z)^2] over {1, 1/pi, 1/sqrt(2 pi), sqrt 2, sqrt 3}.

Run: ``python benchmarks/bench_identify.py`` (about a minute); writes
``benchmarks/results/identify.md``.
"""

from __future__ import annotations

import time
from pathlib import Path

import mpmath
import sympy

import symact as sa

pi, sqrt, E = sympy.pi, sympy.sqrt, sympy.E
Phi = lambda t: (1 + sympy.erf(t / sqrt(2))) / 2  # noqa: E731
HERE = Path(__file__).resolve().parent

NINE = [
    ("E[GELU(z)^2]", sympy.Rational(1, 3) + 1 / (2 * sqrt(3) * pi), ["1/(sqrt(3)*pi)"]),
    ("E[GELU'(z)^2]", sympy.Rational(1, 3) + 2 / (3 * sqrt(3) * pi), ["1/(sqrt(3)*pi)"]),
    ("E[erf(z)^2]", 2 / pi * sympy.asin(sympy.Rational(2, 3)), ["asin(2/3)/pi"]),
    ("E[arctan'(z)^2]", sympy.Rational(1, 2), []),
    ("E[ELU'(z)^2]", sympy.Rational(1, 2) + E**2 * Phi(-2), ["exp(2)*erfc(sqrt(2))"]),
    ("E[relu(z)]", 1 / sqrt(2 * pi), ["1/sqrt(2*pi)"]),
    ("min SiLU", -sympy.LambertW(sympy.exp(-1)), ["lambertw(exp(-1))"]),
    ("sup GELU'", Phi(sqrt(2)) + sympy.exp(-1) / sqrt(pi), ["erf(1)", "exp(-1)/sqrt(pi)"]),
    ("DKS constant", pi / (pi - 1), ["pi"]),
]


def same(found: sympy.Expr | None, form: sympy.Expr) -> bool:
    if found is None:
        return False
    try:
        with mpmath.workdps(70):
            a = mpmath.mpf(str(sympy.N(found, 65)))
            b = mpmath.mpf(str(sympy.N(form, 65)))
            return abs(a - b) < mpmath.mpf(10) ** -58
    except (TypeError, ValueError):
        return False


def mp_identify(text: str, basis: list[str]) -> sympy.Expr | None:
    with mpmath.workdps(30):
        out = mpmath.identify(mpmath.mpf(text), basis) if basis else mpmath.identify(mpmath.mpf(text))
    if not out:
        return None
    try:
        return sympy.sympify(out.replace("lambertw", "LambertW"))
    except (sympy.SympifyError, TypeError):
        return None


def main() -> None:
    rows = []
    counts = {"symact": [0, 0, 0], "mpmath default": [0, 0], "mpmath hand basis": [0, 0], "nsimplify": [0, 0]}
    for label, form, hand in NINE:
        with mpmath.workdps(50):
            text = mpmath.nstr(mpmath.mpf(str(sympy.N(form, 50))), 30, strip_zeros=False)
        t = time.perf_counter()
        r = sa.identify(text)
        t_sa = time.perf_counter() - t
        ok_sa = same(r.closed_form, form)
        t = time.perf_counter()
        ok_md = same(mp_identify(text, []), form)
        t_md = time.perf_counter() - t
        t = time.perf_counter()
        ok_mh = same(mp_identify(text, hand), form)
        t_mh = time.perf_counter() - t
        t = time.perf_counter()
        try:
            ns = sympy.nsimplify(sympy.Float(text, 30), [sympy.sympify(h.replace("lambertw", "LambertW")) for h in hand] or None,
                                 tolerance=1e-25)
        except (ValueError, TypeError, NotImplementedError):
            ns = None
        ok_ns = same(ns, form)
        t_ns = time.perf_counter() - t
        counts["symact"][0] += ok_sa
        counts["mpmath default"][0] += ok_md
        counts["mpmath hand basis"][0] += ok_mh
        counts["nsimplify"][0] += ok_ns
        for key, dt in (("symact", t_sa), ("mpmath default", t_md), ("mpmath hand basis", t_mh), ("nsimplify", t_ns)):
            counts[key][1] += dt
        rows.append(f"| {label} | {'yes' if ok_sa else 'no'} ({r.level}, {t_sa * 1e3:.0f} ms) | "
                    f"{'yes' if ok_md else 'no'} ({t_md * 1e3:.0f} ms) | {'yes' if ok_mh else 'no'} "
                    f"({t_mh * 1e3:.0f} ms) | {'yes' if ok_ns else 'no'} ({t_ns * 1e3:.0f} ms) |")
    # from symact's own certified results
    own = 0
    for compute, form in [
        (lambda: sa.expect(sa.activation("gelu").expr ** 2), NINE[0][1]),
        (lambda: sa.expect(sa.activation("gelu").derivative() ** 2), NINE[1][1]),
        (lambda: sa.expect("erf(x)**2"), NINE[2][1]),
        (lambda: sa.expect(sa.activation("arctan").derivative() ** 2), NINE[3][1]),
        (lambda: sa.expect(sa.activation("elu").derivative() ** 2), NINE[4][1]),
        (lambda: sa.expect("relu(x)"), NINE[5][1]),
        (lambda: sa.inf("silu"), NINE[6][1]),
        (lambda: sa.derivative_bounds("gelu").sup, NINE[7][1]),
        (lambda: sa.gain("squareplus"), sqrt(sympy.Rational(2, 3))),
        (lambda: sa.gain("gaussian"), sympy.root(5, 4)),
    ]:
        r = sa.identify(compute())
        own += same(r.closed_form, form) and r.level in ("exact", "identified")
    basis = [1 / pi, 1 / sqrt(2 * pi), sqrt(2), sqrt(3)]
    excl = []
    for name in ("tanh", "gelu_tanh"):
        e = sa.expect(sa.activation(name).derivative() ** 2)
        best = None
        for m in (10**12, 10**16, 10**20, 10**24):
            t = time.perf_counter()
            r = sa.identify(e, basis=basis, max_norm=m)
            dt = time.perf_counter() - t
            if r.excluded is None or r.excluded.bound < m:
                break
            best = (r.excluded.bound, dt, r.excluded.digits)
        excl.append(f"| E[{name}'(z)^2] | {best[0]:.3e} | {best[1]:.2f} s | {best[2]} |" if best
                    else f"| E[{name}'(z)^2] | none | | |")
    lines = [
        "# identify: found on the field's constants (30 digits given)", "",
        "| constant | symact | mpmath.identify (default) | mpmath.identify (hand basis) | nsimplify (hand constants) |",
        "|---|---|---|---|---|", *rows, "",
        f"Totals: symact {counts['symact'][0]}/9 in {counts['symact'][1]:.2f} s; mpmath default "
        f"{counts['mpmath default'][0]}/9 in {counts['mpmath default'][1]:.2f} s; mpmath hand basis "
        f"{counts['mpmath hand basis'][0]}/9 in {counts['mpmath hand basis'][1]:.2f} s; nsimplify "
        f"{counts['nsimplify'][0]}/9 in {counts['nsimplify'][1]:.2f} s.", "",
        f"From symact's own results (the 8 non-DKS constants + squareplus and gaussian gains): {own}/10.", "",
        "Certified exclusions over {1, 1/pi, 1/sqrt(2 pi), sqrt 2, sqrt 3} (largest M tried up to 1e24 that was certified, time of that call, digits used):", "",
        "| number | M certified | time | digits |", "|---|---|---|---|", *excl, "",
    ]
    out = HERE / "results" / "identify.md"
    out.write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
