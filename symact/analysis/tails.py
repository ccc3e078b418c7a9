r"""Proofs about the tails :math:`[R, \infty)` and :math:`(-\infty, -R]` of a smooth function.

The certified extremum engine (:mod:`symact.analysis.certify`) examines a finite window
with Arb ball arithmetic; beyond it, this module proves that :math:`f` cannot exceed
what the window already found.  For :math:`\sup f` on :math:`x \ge R` (the left tail is
the right tail of :math:`f(-x)`) one of these arguments must succeed:

1. **Enclosure.**  Extended-real interval arithmetic (:func:`symact.numerics.arb.xenclose`)
   bounds :math:`f` on :math:`[R, \infty]` below a value already attained.
2. **Monotone tail.**  :math:`f'` has constant sign on :math:`[R, \infty)`.  If
   :math:`f' \le 0` the tail's supremum is :math:`f(R)`, a window value; if
   :math:`f' \ge 0` it is :math:`\lim_{x\to\infty} f`, computed exactly by SymPy
   (Gruntz's algorithm), approached but not attained.

The sign of :math:`f'` is proved factor by factor after ``together``/``factor_terms``,
each factor by the first of these that works:

* plain extended interval arithmetic;
* **Gaussian tails**: :math:`\operatorname{erf}(u) = 1 - \operatorname{erfc}(u)` and
  :math:`e^{g}\operatorname{erfc}(u) = e^{g - u^2}\operatorname{erfcx}(u)` with the bounded,
  decreasing :func:`~symact.numerics.arb.erfcx`, which removes the
  :math:`\infty \cdot 0` that makes naive interval arithmetic useless on
  :math:`x\,\Phi(-x)`;
* **exponential polynomials** (dominant-term bounds): the factor is rewritten with
  exponentials only (``tanh``, ``sech``, logistic functions, ``tanh(log(...))``), every
  exponential that decays on the tail is inverted so that all are powers of one growing
  :math:`E = e^{a(x)}` (:math:`a' > 0` proved), and after clearing denominators the
  numerator is a polynomial :math:`\sum c_{jm} x^j E^m`.  Dividing by its dominant
  monomial :math:`c^* x^J E^M` leaves :math:`c^*` plus terms that are proved decreasing
  and positive on :math:`[R, \infty)`, so bounded by their values at :math:`R`;
  :math:`|c^*|` exceeding their sum proves the sign;
* **the change of variables** :math:`x = 1/t` for algebraic factors (square roots of
  polynomials, rational functions): the numerator and denominator are analytic at
  :math:`t = 0`, and the sign of the first derivative not vanishing there, enclosed by
  Arb on :math:`[0, 1/R]`, is their sign (Taylor with the Lagrange remainder);
* a Taylor shift :math:`x = R + s`, :math:`E_i = \underline{E_i} + v_i` after which every
  coefficient has one sign;
* "same sign at :math:`R` and moving away from zero" (the sign of the derivative of the
  factor, recursively, one or two levels deep).

References
----------
.. [1] D. Gruntz, *On Computing Limits in a Symbolic Manipulation System*, PhD thesis,
   ETH Zürich, 1996.
.. [2] R. E. Moore, R. B. Kearfott, M. J. Cloud, *Introduction to Interval Analysis*,
   SIAM, 2009.
.. [3] W. Gautschi, "Some elementary inequalities relating to the gamma and incomplete
   gamma function", J. Math. Phys. 38, 1959 (bounds of the Mills ratio / erfcx).
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from dataclasses import dataclass
from typing import Literal

import sympy
from flint import arb
from mpmath import libmp

from ..core.budget import BudgetExceeded, time_budget
from ..core.cache import cached
from ..core.errors import CertificationError
from ..core.precision import workprec
from ..core.steps import Record
from ..expressions.pieces import limit_at_infinity
from ..numerics.arb import XInterval, arb_evaluator, erfcx, xenclose

__all__ = ["TailBound", "TailCandidate", "tail_bound", "tail_sign"]

_LIMIT_BUDGET = 30.0  # CPU seconds (the same on a busy machine); the catalogue needs < 0.5 s
_FORM_BUDGET = 3.0  # CPU seconds; the catalogue needs < 0.1 s

SignMethod = Literal["interval", "gaussian tail", "exp-polynomial", "x = 1/t", "taylor shift", "derivative"]


@dataclass(frozen=True)
class TailCandidate:
    """A value the supremum may approach at an infinite end (``value`` None: infinite)."""

    value: arb | None
    where: sympy.Expr
    infinite: int = 0


@dataclass(frozen=True)
class TailBound:
    """What was proved about one tail: the candidates it adds and the step record."""

    candidates: tuple[TailCandidate, ...]
    record: Record


def _finite(b: arb) -> bool:
    return b.is_finite() and not b.is_nan()


@cached(maxsize=1024)
def _factors(h: sympy.Expr) -> tuple[sympy.Expr, ...]:
    return tuple(sympy.Mul.make_args(sympy.factor_terms(sympy.together(h))))


@cached(maxsize=1024)
def _diff(h: sympy.Expr, x: sympy.Symbol) -> sympy.Expr:
    return sympy.diff(h, x)


def _point_sign(h: sympy.Expr, x: sympy.Symbol, R: int) -> int | None:
    with workprec(64, mpmath=False):
        v = arb_evaluator(h, x)(arb(R))
    if not _finite(v):
        return None
    return 1 if v >= 0 else -1 if v <= 0 else None


def _poly_shift_sign(h: sympy.Expr, x: sympy.Symbol, tail: XInterval) -> int | None:
    """Sign of a polynomial in x and unbounded exponentials with bounded coefficients."""
    terms = sympy.Add.make_args(sympy.expand(h))
    if len(terms) > 200:
        return None
    gens: dict[sympy.Expr, XInterval] = {x: tail}
    monos: dict[tuple, XInterval] = defaultdict(lambda: XInterval.point(0))
    for t in terms:
        powers: dict[sympy.Expr, int] = defaultdict(int)
        coef = XInterval.point(1)
        for fac in sympy.Mul.make_args(t):
            base, ex = (fac, sympy.S.One) if isinstance(fac, sympy.exp) else fac.as_base_exp()
            if (
                ex.is_Integer
                and ex > 0
                and base.has(x)
                and (base == x or isinstance(base, sympy.exp))
            ):
                if base not in gens:
                    gens[base] = xenclose(base, x, tail)
                if gens[base].hi == libmp.finf and gens[base].lo != libmp.fninf:
                    powers[base] += int(ex)
                    continue
            coef = coef * xenclose(fac, x, tail)
        key = tuple(sorted(powers.items(), key=lambda kv: sympy.default_sort_key(kv[0])))
        monos[key] = monos[key] + coef
    shifted: dict[tuple, XInterval] = defaultdict(lambda: XInterval.point(0))
    count = 0
    for key, c in monos.items():
        ranges = [range(k + 1) for _, k in key]
        for js in itertools.product(*ranges):
            count += 1
            if count > 5000:
                return None
            term = c
            for (g, k), j in zip(key, js, strict=True):
                low = XInterval(gens[g].lo, gens[g].lo)
                term = term * XInterval.point(math.comb(k, j)) * low ** (k - j)
            skey = tuple((g, j) for (g, _), j in zip(key, js, strict=True) if j)
            shifted[skey] = shifted[skey] + term
    signs = {c.sign() for c in shifted.values()}  # a zero coefficient counts as >= 0
    if signs == {1}:
        return 1
    if signs == {-1}:
        return -1
    return None


# -- Gaussian tails -----------------------------------------------------------------------
def _gaussian_form(F: sympy.Expr, x: sympy.Symbol) -> sympy.Expr | None:
    """``F`` with every ``exp(g) * erfc(u)`` written as ``exp(g - u**2) * erfcx(u)``."""
    if not F.has(sympy.erf, sympy.erfc):
        return None
    G = sympy.expand(F.replace(sympy.erf, lambda u: 1 - sympy.erfc(u)))
    out = []
    for term in sympy.Add.make_args(G):
        facs = sympy.Mul.make_args(term)
        erfcs = [f for f in facs if isinstance(f, sympy.erfc)]
        if len(erfcs) != 1:
            out.append(term)
            continue
        u = erfcs[0].args[0]
        expo = sympy.Add(*[f.args[0] for f in facs if isinstance(f, sympy.exp)])
        rest = sympy.Mul(*[f for f in facs if not isinstance(f, sympy.exp | sympy.erfc)])
        out.append(rest * sympy.exp(sympy.expand(expo - u**2)) * erfcx(u))
    return sympy.Add(*out)


# -- exponential polynomials --------------------------------------------------------------
def _split_constants(G: sympy.Expr, x: sympy.Symbol) -> sympy.Expr:
    """Write every ``exp(c + a(x))`` as ``exp(c) * exp(a(x))`` (so exponents compare)."""
    def split(arg: sympy.Expr) -> sympy.Expr:
        const, dep = sympy.expand(arg).as_independent(x, as_Add=True)
        return sympy.exp(const) * sympy.exp(dep) if const != 0 and dep != 0 else sympy.exp(arg)

    return G.replace(lambda e: isinstance(e, sympy.exp) and e.has(x), lambda e: split(e.args[0]))


def _log_form(G: sympy.Expr, x: sympy.Symbol, tail: XInterval) -> tuple[sympy.Expr, dict] | None:
    """Replace each ``log(1 + D)`` by ``D*L`` (``D -> 0`` on the tail) or ``log(D) + L/D``
    (``D -> oo``), with ``L = log(1 + u)/u`` for ``u`` in ``(0, d]``: a bounded positive
    unknown in ``[log(1 + d)/d, 1]``.  Returns the new expression and those bounds."""
    bounded: dict[sympy.Symbol, tuple[arb, arb]] = {}
    rep = {}
    for lg in G.atoms(sympy.log):
        if not lg.has(x):
            continue
        D = sympy.expand(lg.args[0] - 1)
        if not all(isinstance(f, sympy.exp) or not f.has(x) for f in sympy.Mul.make_args(D)):
            return None  # only log(1 + c*exp(a(x)))
        lim = sympy.limit(D, x, sympy.oo)
        if lim == 0:
            u, lead = D, sympy.Integer(0)
        elif lim == sympy.oo:
            u, lead = 1 / D, sympy.expand_log(sympy.log(D), force=True)
        else:
            return None
        enc = xenclose(u, x, tail)
        if enc.lo == libmp.fninf or enc.hi == libmp.finf or not libmp.mpf_ge(enc.lo, libmp.fzero):
            return None
        with workprec(128, mpmath=False):
            d = arb(mpmath_raw_to_arb(enc.hi))
            if not d < 1:
                return None
            low = (1 + d).log() / d if d > 0 else arb(1)
        L = sympy.Dummy("L", positive=True)
        bounded[L] = (low.lower(), arb(1))
        rep[lg] = lead + u * L
    if not rep:
        return None
    return G.xreplace(rep), bounded


def mpmath_raw_to_arb(r: tuple) -> arb:
    """Exact Arb value of a finite mpmath raw float (helper for the tail bounds)."""
    sign, man, exp, _ = r
    return arb(((-1) ** sign * man, exp)) if man else arb(0)


def _exp_form(F: sympy.Expr, x: sympy.Symbol, tail: XInterval, R: int) -> tuple[sympy.Expr, sympy.Symbol, sympy.Expr, dict] | None:
    """``F`` as a rational function of ``x``, one growing exponential ``E = exp(a)`` and
    bounded unknowns (from logarithms, see :func:`_log_form`)."""
    G = _split_constants(sympy.powsimp(F.rewrite(sympy.exp), combine="exp"), x)
    bounded: dict = {}
    if G.has(sympy.log):
        lf = _log_form(G, x, tail)
        if lf is None:
            return None
        G, bounded = lf
        G = _split_constants(sympy.powsimp(sympy.expand(G), combine="exp"), x)
    exps = [e for e in G.atoms(sympy.exp) if e.has(x)]
    if not exps or G.has(sympy.log, sympy.erf, sympy.erfc, sympy.sin, sympy.cos, sympy.Abs):
        return None
    args = []
    for e in exps:
        a = sympy.expand(e.args[0])
        lead = sympy.limit(a, x, sympy.oo)
        if lead == -sympy.oo:
            a = -a
        elif lead != sympy.oo:
            return None
        args.append(a)
    base = args[0]
    ratios = [sympy.simplify(a / base) for a in args]
    if not all(r.is_Rational and r > 0 for r in ratios):
        return None
    den = math.lcm(*[int(r.q) for r in ratios])
    base = sympy.expand(base / den)
    if _sign(sympy.expand(sympy.diff(base, x)), x, tail, R, 1, []) != 1:
        return None  # E = exp(base) need not be increasing on the tail
    E = sympy.Dummy("E", positive=True)
    rep = {}
    for e in exps:
        k = sympy.simplify(sympy.expand(e.args[0]) / base)
        if not k.is_Integer:
            return None
        rep[e] = E ** int(k)
    return G.xreplace(rep), E, base, bounded


def _dominant_sign(P: sympy.Poly, x: sympy.Symbol, E: sympy.Symbol, base: sympy.Expr, R: int,
                   bounded: dict | None = None) -> int | None:
    """Sign of ``P(x, exp(base), L...)`` on ``[R, oo)`` from its dominant monomial in x and E.

    The bounded unknowns ``L`` (positive, in known balls) only widen the coefficients.
    """
    bounded = bounded or {}
    terms = P.terms()  # ((j, m, l...), coeff)
    if not terms or len(terms) > 400:
        return None
    gens = P.gens
    ix, ie = gens.index(x), gens.index(E)
    ils = [(gens.index(g), lo, hi) for g, (lo, hi) in bounded.items() if g in gens]
    (J, M) = max(((t[0][ix], t[0][ie]) for t in terms), key=lambda jm: (jm[1], jm[0]))
    tail = XInterval(libmp.from_int(R), libmp.finf)
    dbase = sympy.expand(sympy.diff(base, x))
    with workprec(128, mpmath=False):
        lead = None
        rest = arb(0)
        Rb = arb(R)
        ER = arb_evaluator(base, x)(Rb).exp()
        for mon, c in terms:
            j, m = mon[ix], mon[ie]
            cb = arb_evaluator(sympy.sympify(c), x)(arb(0))
            for i, lo_b, hi_b in ils:
                cb = cb * lo_b.union(hi_b) ** mon[i]
            if (j, m) == (J, M):
                lead = cb if lead is None else lead + cb
                continue
            dj, dm = j - J, m - M  # the ratio x**dj * E**dm, dm <= 0, dj < 0 when dm == 0
            if dj > 0:  # decreasing on the tail when dj/x < -dm * base', i.e. -dm*x*base' - dj > 0
                if _sign(sympy.expand(-dm * x * dbase - dj), x, tail, R, 1, []) != 1:
                    return None
            rest = rest + abs(cb) * Rb**dj * ER**dm
        if lead is None or not _finite(rest):
            return None
        if lead > rest:
            return 1
        if lead < -rest:
            return -1
    return None


def _exp_poly_sign(F: sympy.Expr, x: sympy.Symbol, tail: XInterval, R: int) -> int | None:
    try:
        with time_budget(_FORM_BUDGET, clock="cpu"):
            form = _exp_form(F, x, tail, R)
            if form is None:
                return None
            G, E, base, bounded = form
            num, den = sympy.fraction(sympy.together(G))
            signs = []
            for part in (num, den):
                part = sympy.expand(part)
                if not part.has(x) and not part.has(E) and not bounded:
                    signs.append(_point_sign(part, x, R))
                    continue
                P = sympy.Poly(part, x, E, *bounded)
                signs.append(_dominant_sign(P, x, E, base, R, bounded))
    except (BudgetExceeded, sympy.PolynomialError, NotImplementedError, ValueError, TypeError):
        return None
    if None in signs:
        return None
    return signs[0] * signs[1]  # type: ignore[operator]


def _reciprocal_sign(F: sympy.Expr, x: sympy.Symbol, R: int) -> int | None:
    """Sign of an algebraic ``F`` on ``[R, oo)`` through ``x = 1/t``, ``t`` in ``[0, 1/R]``.

    The numerator and denominator are analytic at ``t = 0``; where one vanishes there to
    order ``k`` its sign is that of its ``k``-th derivative on ``[0, 1/R]`` (Taylor's
    theorem with the Lagrange remainder), enclosed by Arb on that ball.
    """
    if F.has(sympy.exp, sympy.log, sympy.erf, sympy.erfc, sympy.sin, sympy.cos, sympy.tan, erfcx) or not F.has(sympy.Pow):
        return None
    t = sympy.Dummy("t", positive=True)
    try:
        with time_budget(_FORM_BUDGET, clock="cpu"):
            G = sympy.powdenest(sympy.together(F.subs(x, 1 / t)), force=True)
            G = sympy.together(sympy.expand_power_base(G, force=True))
            signs = []
            for part in sympy.fraction(G):
                part = sympy.factor_terms(part)
                # Taylor with remainder: if part and its first k-1 derivatives vanish at 0,
                # part(t) = t**k/k! * part^(k)(xi) for some xi in [0, t]
                for _ in range(8):
                    at0 = sympy.simplify(part.subs(t, 0))
                    if at0.is_zero is False and at0.is_finite:
                        break
                    if at0.is_zero is not True:
                        return None
                    part = sympy.diff(part, t)
                else:
                    return None
                with workprec(128, mpmath=False):
                    v = arb_evaluator(part, t)(arb(0).union(arb(1) / R))
                if not _finite(v) or v.contains(0):
                    return None
                signs.append(1 if v > 0 else -1)
    except (BudgetExceeded, ValueError, TypeError, NotImplementedError, ZeroDivisionError):
        return None
    except Exception:  # noqa: BLE001 -- unsupported functions: no proof, no answer
        return None
    return signs[0] * signs[1]


def _factor_sign(
    F: sympy.Expr, x: sympy.Symbol, tail: XInterval, R: int, depth: int, how: list[str]
) -> int | None:
    if not F.has(x):
        return _point_sign(F, x, R)
    if isinstance(F, sympy.exp):
        return 1
    if F.is_Pow:
        base, ex = F.args
        if ex.is_Integer:
            if int(ex) % 2 == 0:
                return 1
            return _factor_sign(base, x, tail, R, depth, how)
        if not ex.has(x):
            return 1  # real power of a (necessarily positive) base
    s = xenclose(F, x, tail).sign()
    if s is not None:
        how.append("interval")
        return s
    g = _gaussian_form(F, x)
    if g is not None:
        s = xenclose(g, x, tail).sign()
        if s is not None:
            how.append("gaussian tail")
            return s
    s = _exp_poly_sign(F, x, tail, R)
    if s is not None:
        how.append("exp-polynomial")
        return s
    s = _reciprocal_sign(F, x, R)
    if s is not None:
        how.append("x = 1/t")
        return s
    if F.is_Add:
        s = _poly_shift_sign(F, x, tail)
        if s is not None:
            how.append("taylor shift")
            return s
    if depth > 0:
        s0 = _point_sign(F, x, R)
        if s0 is not None and _sign(_diff(F, x), x, tail, R, depth - 1, how) == s0:
            how.append("derivative")
            return s0  # same sign at R, moving away from zero
    return None


def _sign(h: sympy.Expr, x: sympy.Symbol, tail: XInterval, R: int, depth: int, how: list[str]) -> int | None:
    if h.is_zero:
        return 1
    s = xenclose(h, x, tail).sign()
    if s is not None:
        how.append("interval")
        return s
    sign = 1
    for F in _factors(h):
        sf = _factor_sign(F, x, tail, R, depth, how)
        if sf is None:
            return None
        sign *= sf
    return sign


def tail_sign(h: sympy.Expr, x: sympy.Symbol, R: int, *, depth: int = 2) -> tuple[int | None, tuple[str, ...]]:
    r"""The sign of ``h`` on :math:`[R, \infty)` if it can be proved, and how.

    Returns ``(+1 | -1 | None, methods)``: ``+1`` means :math:`h \ge 0` there, ``-1``
    means :math:`h \le 0`, ``None`` that no argument succeeded; ``methods`` names the
    arguments used (see the module docstring).

    >>> x = sympy.Symbol("x", real=True)
    >>> tail_sign(sympy.erfc(x / sympy.sqrt(2)) / 2 - x * sympy.exp(-x**2 / 2) / sympy.sqrt(2 * sympy.pi), x, 8)[0]
    -1
    >>> tail_sign(2 - x**2 * sympy.exp(-x) - 4 * x * sympy.exp(-x), x, 16)[0]
    1
    """
    how: list[str] = []
    tail = XInterval(libmp.from_int(R), libmp.finf)
    s = _sign(sympy.sympify(h), x, tail, R, depth, how)
    return s, tuple(dict.fromkeys(how))


def _limit(f: sympy.Expr, x: sympy.Symbol, side: int) -> sympy.Expr:
    try:
        with time_budget(_LIMIT_BUDGET, clock="cpu"):
            return limit_at_infinity(f, x, side)
    except BudgetExceeded:
        raise CertificationError(
            f"SymPy's limit of {f} as x -> {side}*oo did not finish within its {_LIMIT_BUDGET:g} s "
            "CPU-time budget (the limit may well exist)"
        ) from None


def tail_bound(
    f: sympy.Expr, x: sympy.Symbol, R: int, side: int, best: arb | None
) -> TailBound | None:
    r"""Bound :math:`\sup f` on :math:`x \ge R` (``side=+1``) or :math:`x \le -R` (``side=-1``).

    ``best`` is a value of :math:`f` already attained (a lower bound of the supremum).
    Returns ``None`` when nothing could be proved.  The record (kind ``"tail"``) holds
    ``side``, ``R`` (positive: the tail is x >= R or x <= -R), ``sign`` (of :math:`f'` on the tail, in the original variable; ``None``
    for the enclosure argument), ``argument`` (``"enclosure"`` or ``"monotone"``),
    ``expr`` (the function whose supremum is bounded), ``methods`` (how the sign was
    proved), ``bound`` (the enclosure's upper end, enclosure argument) and ``limit`` (the
    exact limit at the end, when the tail's supremum is that limit).

    >>> x = sympy.Symbol("x", real=True)
    >>> t = tail_bound(x * (1 + sympy.erf(x / sympy.sqrt(2))) / 2, x, 8, -1, None)
    >>> t.record["sign"], t.record["argument"], t.record["limit"], t.candidates[0].where
    (-1, 'monotone', 0, -oo)
    """
    h = f if side > 0 else f.subs(x, -x)
    end = sympy.oo if side > 0 else -sympy.oo
    sd = "+" if side > 0 else "-"
    tail = XInterval(libmp.from_int(R), libmp.finf)
    enc = xenclose(h, x, tail)
    if best is not None and enc.hi != libmp.finf and libmp.mpf_lt(enc.hi, _raw(best)):
        rec = Record("tail", {"side": sd, "R": R, "sign": None, "argument": "enclosure",
                              "expr": f, "methods": ("interval",),
                              "bound": sympy.Float(libmp.to_str(enc.hi, 20))},
                     level="certified", note="f on the tail lies below a value already attained")
        return TailBound((), rec)
    s, how = tail_sign(_diff(h, x), x, R)
    if s is None:
        return None
    fsign = s * side  # sign of f' in the original variable
    data = {"side": sd, "R": R, "sign": fsign, "argument": "monotone", "expr": f,
            "methods": how}
    if s == -1:
        rec = Record("tail", data, level="certified",
                     note="f' has constant sign on the tail, f moves towards the window: its sup there is f(R)")
        return TailBound((), rec)
    L = _limit(f, x, side)
    data["limit"] = L
    if L is sympy.oo:
        rec = Record("tail", data, level="certified", note="f is monotone towards the end and unbounded")
        return TailBound((TailCandidate(None, end, 1),), rec)
    if L is -sympy.oo or not L.is_real or L.has(sympy.AccumBounds):
        return None
    v = arb_evaluator(L, x)(arb(0))
    rec = Record("tail", data, level="certified",
                 note="f is monotone towards the end: its sup on the tail is the limit, approached")
    return TailBound((TailCandidate(v, end),), rec)


def _raw(b: arb) -> tuple:
    m, e = b.man_exp()
    return libmp.from_man_exp(int(m), int(e))
