r"""From a certified number to a closed form (exact or identified), or a rigorous exclusion.

:func:`identify` takes a number together with how well it is known -- a symact result
(its rigorous enclosure, recomputed at a higher precision when more digits are needed),
a Python float (the float64 it is, give or take a few units in its last place), a
decimal string (its last digit sets the uncertainty), an mpmath interval, or any of these
with an explicit ``tol=`` -- and looks for a closed form built from a basis of
constants:

1. **Search.**  For each *form* -- :math:`a_0 x^p = \sum_i a_i c_i` with one or two
   constants :math:`c_i` of the basis (:math:`p = 1, 2, 4, -1, -2`), and the Moebius
   form :math:`x (a_0 + a_1 c) = a_2 + a_3 c` -- LLL finds the shortest integer relation
   (:mod:`symact.proofs.lattice_certificate`).  A relation is *accepted* only if (a) its
   coefficients are at most ``max_norm``, (b) it holds in ball arithmetic for the
   enclosure, and (c) it leaves digits to spare: a random number admits a relation among
   :math:`n` terms with coefficients up to :math:`H` at about :math:`n \log_{10} H`
   digits, so the digits known must exceed that by a margin that grows with the number of
   forms tried.  The simplest accepted form wins.
2. **Level.**  The closed form is ``"identified"``: it matches the certified enclosure
   to all the digits known, and the spare digits are reported.  It is ``"exact"`` when
   the identity is proved: the input was itself a proved closed form and SymPy shows the
   difference is zero, or the input is a rational number.
3. **Exclusion.**  When nothing is found, :attr:`Identification.excluded` states, as a
   theorem valid for every real number in the enclosure, that no integer relation with
   Euclidean norm at most :math:`M` exists among the number and the basis
   (:func:`~symact.proofs.lattice_certificate.excluded_norm`); this is not PSLQ's
   heuristic "no relation below M", which is computed in floating point.

Default bases come from the number's source: the constants in the activation's
definition (:math:`\pi`, :math:`\sqrt 2`, ...) plus those that Gaussian calculus and
critical-point equations produce (:math:`1/\pi`, :math:`1/\sqrt{2\pi}`,
:math:`\operatorname{erf}` at small rational and algebraic points,
:math:`e^{a^2/2}\operatorname{erfc}(a/\sqrt2)`, :math:`\arcsin(p/q)/\pi`, Lambert
:math:`W`), and any basis the user passes.

>>> import symact as sa
>>> r = identify(1.466942206924260361)        # a float64: DKS's constant
>>> r.closed_form, r.level
(pi/(-1 + pi), 'identified')
>>> identify("1.466942206924260361").closed_form is None     # +-1e-18: pi/(pi-1) is outside
True
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

import flint
import mpmath
import sympy

from ..core.precision import workprec
from ..core.result import Level, Result, honest_float
from ..numerics.arb import arb_evaluator
from .identify_inputs import Target, default_basis, refined, target, user_basis
from .lattice_certificate import excluded_norm, relation

__all__ = ["Exclusion", "Identification", "default_basis", "identify"]

_X = sympy.Symbol("x", real=True)
_PI, _E = sympy.pi, sympy.E


# ------------------------------------------------------------------------------ results
@dataclass(frozen=True)
class Exclusion:
    r"""A theorem: no small integer relation ties the number to the basis.

    For every real :math:`x` in ``enclosure``, no integer vector
    :math:`(a_0, \dots, a_k) \ne 0` with Euclidean norm at most ``bound`` satisfies
    :math:`a_0 x + a_1 b_1 + \dots + a_k b_k = 0`, where :math:`b_i` are ``basis``.
    """

    basis: tuple[sympy.Expr, ...]
    bound: int
    enclosure: tuple[mpmath.mpf, mpmath.mpf]
    digits: int
    method: str = "LLL-reduced lattice, exact Gram-Schmidt bound"

    def statement(self) -> str:
        """The theorem in words.

        >>> e = Exclusion((sympy.pi,), 10**6, (mpmath.mpf(1), mpmath.mpf(1)), 30)
        >>> e.statement()
        'no integer relation a0*x + a1*pi = 0 with 0 < |a|_2 <= 1000000 holds for any x in the enclosure'
        """
        terms = " + ".join(f"a{i + 1}*{sympy.sstr(b)}" for i, b in enumerate(self.basis))
        return (f"no integer relation a0*x + {terms} = 0 with 0 < |a|_2 <= {self.bound} "
                "holds for any x in the enclosure")


@dataclass(frozen=True, eq=False)
class Identification(Result):
    r"""What :func:`identify` found.

    Attributes
    ----------
    value : sympy.Expr
        The closed form, or (when none was found) the certified digits.
    level : {"exact", "identified", "certified"}
        ``"exact"`` when the identity is proved, ``"identified"`` when the closed form
        only matches the enclosure, ``"certified"`` when nothing was found.
    enclosure : (mpmath.mpf, mpmath.mpf)
        The enclosure that was used (after any recomputation).
    closed_form : sympy.Expr or None
    relation : tuple of int or None
        The integer relation, in the order of ``terms``.
    terms : tuple of sympy.Expr
        The terms of the relation (``x`` stands for the number).
    spare_digits : float or None
        Digits known beyond those a chance relation of this size would need.
    proof : tuple of str
        The steps, in words, that a derivation renders.
    excluded : Exclusion or None
        The rigorous exclusion, when nothing was found.
    """

    value: sympy.Expr
    level: Level
    enclosure: tuple[mpmath.mpf, mpmath.mpf]
    method: str
    closed_form: sympy.Expr | None = None
    relation: tuple[int, ...] | None = None
    terms: tuple[sympy.Expr, ...] = ()
    spare_digits: float | None = None
    proof: tuple[str, ...] = field(default=(), compare=False)
    excluded: Exclusion | None = field(default=None, compare=False)
    source: str = field(default="", compare=False)

    def __repr__(self) -> str:
        if self.closed_form is None:
            bound = f", excluded up to |a| <= {self.excluded.bound}" if self.excluded else ""
            return f"Identification(no closed form{bound}, value={self})"
        return f"Identification({self.closed_form}, level={self.level!r})"


# ------------------------------------------------------------------------------ search
def _balls(exprs: Sequence[sympy.Expr], prec: int) -> list[flint.arb]:
    with workprec(prec):
        return [arb_evaluator(e, _X)(flint.arb(0)) for e in exprs]


def _x_ball(t: Target, prec: int) -> flint.arb:
    with workprec(prec + 20):
        lo, hi = (flint.arb(mpmath.nstr(v, prec // 3 + 10, strip_zeros=False)) for v in (t.lo, t.hi))
        # nstr rounds: widen by the rounding so that the ball surely contains [lo, hi]
        eps = flint.arb(2) ** (-(prec + 10)) * (abs(lo) + abs(hi) + 1)
        return (lo - eps).union(hi + eps)


@dataclass(frozen=True)
class _Form:
    kind: str  # "linear" | "power" | "moebius"
    consts: tuple[int, ...]
    power: int = 1

    @property
    def size(self) -> int:
        return 2 + len(self.consts) + (1 if self.kind == "moebius" else 0)


def _forms(k: int, pairs: bool | int) -> list[_Form]:
    """The forms tried, simplest first; ``pairs`` is False, True or how many leading constants pair."""
    forms = [_Form("linear", ())]
    forms += [_Form("power", (), p) for p in (2, -1, -2, 4)]
    forms += [_Form("linear", (i,)) for i in range(k)]
    forms += [_Form("power", (i,), p) for p in (2, -1) for i in range(k)]
    forms += [_Form("moebius", (i,)) for i in range(k)]
    if pairs:
        m = k if pairs is True else min(k, int(pairs))
        forms += [_Form("linear", ij) for ij in combinations(range(m), 2)]
    return forms


def _form_balls(form: _Form, xb: flint.arb, cb: list[flint.arb]) -> tuple[list[flint.arb], int]:
    cs = [cb[i] for i in form.consts]
    if form.kind == "moebius":
        (c,) = cs
        return [xb, xb * c, flint.arb(1), c], 2
    head = xb ** form.power if form.power != 1 else xb
    return [head, flint.arb(1), *cs], 1


def _closed_form(form: _Form, a: tuple[int, ...], basis: Sequence[sympy.Expr],
                 sign: int) -> sympy.Expr | None:
    cs = [basis[i] for i in form.consts]
    if form.kind == "moebius":
        (c,) = cs
        den = a[0] + a[1] * c
        if den == 0:
            return None
        return sympy.together(-(a[2] + a[3] * c) / den)
    rhs = -(a[1] + sum(ai * c for ai, c in zip(a[2:], cs, strict=True))) / sympy.Integer(a[0])
    p = form.power
    if p == 1:
        return rhs
    if p < 0:
        rhs, p = 1 / rhs, -p
    if rhs.is_negative or rhs == 0:
        return None
    root = sympy.root(rhs, p)
    return root if sign > 0 else (-root if p % 2 == 0 else None)


def _spare(digits: float, a: tuple[int, ...], tried: int) -> float:
    height = max(abs(v) for v in a)
    return digits - len(a) * math.log10(height + 1) - math.log10(max(tried, 1))


def _search(t: Target, basis: Sequence[sympy.Expr], max_norm: int, pairs: bool | int,
            margin: float) -> tuple[_Form, tuple[int, ...], sympy.Expr, float, int] | None:
    digits = t.digits
    if not math.isfinite(digits) or digits < 6:
        return None
    prec = int(digits * 3.33) + 40
    xb = _x_ball(t, prec)
    cb = _balls(basis, prec)
    sign = 1 if t.lo > 0 else (-1 if t.hi < 0 else 0)
    forms = _forms(len(basis), pairs)
    best: tuple[float, _Form, tuple[int, ...], sympy.Expr] | None = None
    size = None
    for form in forms:
        if best is not None and form.size > size:  # the simplest accepted form wins
            break
        if form.kind == "power" and (sign == 0 or (form.power < 0 and xb.contains(0))):
            continue
        balls, involving = _form_balls(form, xb, cb)
        a = _holding_relation(balls, involving, max_norm, prec)
        if a is None:
            continue
        spare = _spare(digits, a, len(forms))
        if spare < margin:
            continue
        cf = _closed_form(form, a, basis, sign)
        if cf is None or not _matches(cf, xb, prec):
            continue
        if best is None or spare > best[0]:
            best, size = (spare, form, a, cf), form.size
    if best is None:
        return None
    spare, form, a, cf = best
    return form, a, cf, spare, len(forms)


def _holding_relation(balls: list[flint.arb], involving: int, max_norm: int,
                      prec: int) -> tuple[int, ...] | None:
    """LLL's candidate relation among ``balls`` if its coefficients are at most ``max_norm``
    and it holds in ball arithmetic (the combination's ball contains 0), else ``None``."""
    if not all(b.is_finite() for b in balls):
        return None
    with workprec(prec):
        a = relation(balls, involving)
        if a is None or max(abs(v) for v in a) > max_norm:
            return None
        residual = sum((ai * b for ai, b in zip(a, balls, strict=True)), flint.arb(0))
    return a if residual.contains(0) else None


def _matches(cf: sympy.Expr, xb: flint.arb, prec: int) -> bool:
    try:
        with workprec(prec):
            return bool(arb_evaluator(cf, _X)(flint.arb(0)).overlaps(xb))
    except (ValueError, TypeError, ArithmeticError):
        return False


def _terms(form: _Form, basis: Sequence[sympy.Expr]) -> tuple[sympy.Expr, ...]:
    x = sympy.Symbol("x")
    cs = [basis[i] for i in form.consts]
    if form.kind == "moebius":
        return (x, x * cs[0], sympy.Integer(1), cs[0])
    return (x ** form.power, sympy.Integer(1), *cs)


def _prove(t: Target, cf: sympy.Expr) -> str | None:
    if t.exact is None:
        return None
    diff = sympy.simplify(t.exact - cf)
    if diff == 0:
        return f"SymPy simplifies ({sympy.sstr(t.exact)}) - ({sympy.sstr(cf)}) to 0"
    return None


def identify(
    value: Any,
    *,
    basis: Sequence[Any] | None = None,
    max_norm: int = 10**6,
    dps: int | None = None,
    tol: Any = None,
) -> Identification:
    r"""Find a closed form for a number known to some accuracy, or prove none is small.

    Parameters
    ----------
    value : Result, float, str, int, Fraction, mpmath interval or SymPy number
        The number.  A symact result contributes its rigorous enclosure (recomputed at
        ``dps`` digits where symact knows how); a float is the double it is, give or
        take 4 units in its last place; a decimal string is uncertain by one unit of its
        last digit.
    basis : sequence of SymPy constants, optional
        The constants to combine (``1`` is always included).  Default:
        :func:`default_basis` of the constants in the number's source, with pairs of
        constants tried as well.  A given basis is tried whole (as one linear relation)
        and in the one- and two-constant forms.
    max_norm : int
        The largest coefficient a relation may have; also the norm an exclusion aims to
        certify.
    dps : int, optional
        Digits to recompute a symact result to before searching.  By default the
        enclosure is used as it is, and recomputed only to certify an exclusion up to
        ``max_norm``.
    tol : number, optional
        An explicit half-width around the value's midpoint, replacing the uncertainty
        its type implies.

    Returns
    -------
    Identification
        ``.closed_form`` and ``.level`` (``"exact"`` when proved, ``"identified"`` when it
        only matches), or ``.excluded`` (an :class:`Exclusion`) when nothing was found.

    Raises
    ------
    ValueError, TypeError
        For a value that is not a finite real number of a supported kind, or a bad
        ``basis``, ``max_norm``, ``dps`` or ``tol``.

    Notes
    -----
    A float has about 15.6 digits, enough for relations of two or three small terms;
    DKS's constant ``1.466942206924260361`` is such a float (two units in the last place
    above :math:`\pi/(\pi - 1)`), while the same digits as a string claim
    :math:`\pm 10^{-18}`, which :math:`\pi/(\pi - 1)` lies outside.

    References
    ----------
    .. [1] A. K. Lenstra, H. W. Lenstra, L. Lovasz, "Factoring polynomials with rational
       coefficients", Math. Ann. 261, 1982.
    .. [2] H. R. P. Ferguson, D. H. Bailey, S. Arno, "Analysis of PSLQ, an integer
       relation finding algorithm", Math. Comp. 68, 1999.

    Examples
    --------
    >>> import symact as sa
    >>> identify(sa.expect("erf(x)**2")).closed_form
    2*asin(2/3)/pi
    >>> identify("0.42522148257029867492").closed_form
    sqrt(3)/(6*pi) + 1/3
    >>> r = identify("0.4644029024482682419", basis=[1 / sympy.pi, sympy.sqrt(2)])
    >>> r.closed_form is None, r.excluded.bound > 100
    (True, True)
    """
    if not isinstance(max_norm, numbers.Integral) or isinstance(max_norm, bool) or max_norm < 1:
        raise ValueError(f"max_norm must be a positive integer, got {max_norm!r}")
    if dps is not None and (not isinstance(dps, numbers.Integral) or not 10 <= dps <= 2000):
        raise ValueError(f"dps must be an integer from 10 to 2000, got {dps!r}")
    t = target(value, tol)
    if dps is not None:
        t = refined(t, int(dps))
    if t.exact is not None and t.exact.is_Rational:
        return _found(t, t.exact, None, (), None, ("the number is the rational "
                      f"{t.exact}",), "exact", "rational input")
    user = basis is not None
    consts = user_basis(basis) if user else default_basis(t.constants)
    search_basis = consts
    steps: list[str] = []
    found = _search(t, search_basis, int(max_norm), pairs=True, margin=_margin(t))
    if found is None and user and len(consts) > 2:
        found = _whole(t, consts, int(max_norm))
    if found is not None:
        form, a, cf, spare, tried = found
        cf = _tidy(cf)
        terms = _terms(form, search_basis)
        relation_text = " + ".join(f"({ai})*{sympy.sstr(tm)}" for ai, tm in zip(a, terms, strict=True))
        steps.append(f"LLL found the integer relation {relation_text} = 0 (x the number)")
        steps.append(f"it holds in ball arithmetic on the enclosure, with {spare:.1f} digits to "
                     f"spare after {tried} forms tried")
        proved = _prove(t, cf)
        if proved:
            steps.append(proved)
            return _found(t, cf, a, terms, spare, tuple(steps), "exact", "proved identity")
        steps.append("not proved: the closed form matches the enclosure to every digit known")
        return _found(t, cf, a, terms, spare, tuple(steps), "identified", "integer relation (LLL)")
    excl_basis = consts if user else _EXCLUSION_BASIS
    exclusion = _exclude(t, excl_basis, int(max_norm))
    steps.append(f"no relation accepted among {len(consts)} constants up to norm {max_norm}")
    if exclusion is not None:
        steps.append(exclusion.statement() + f" (certified, {exclusion.method})")
        t = Target(exclusion.enclosure[0], exclusion.enclosure[1], t.source)
    return Identification(
        honest_float(t.lo, t.hi, 30) if t.lo != t.hi else sympy.Float(t.lo, 30),
        "certified", (t.lo, t.hi), "integer relation search", proof=tuple(steps),
        excluded=exclusion, source=t.source)


def _margin(t: Target) -> float:
    # a float64 has ~15 digits: demand 4 spare; richer enclosures must leave more
    return max(4.0, 0.2 * min(t.digits, 200))


_EXCLUSION_BASIS: tuple[sympy.Expr, ...] = (1 / _PI, sympy.sqrt(2), sympy.sqrt(3),
                                            1 / sympy.sqrt(2 * _PI), _E)


def _whole(t: Target, consts: Sequence[sympy.Expr], max_norm: int):
    """One linear relation among the number, 1 and every constant of the user's basis."""
    if not math.isfinite(t.digits):
        return None
    prec = int(t.digits * 3.33) + 40
    xb = _x_ball(t, prec)
    form = _Form("linear", tuple(range(len(consts))))
    balls, involving = _form_balls(form, xb, _balls(consts, prec))
    a = _holding_relation(balls, involving, max_norm, prec)
    if a is None or _spare(t.digits, a, 1) < _margin(t):
        return None
    cf = _closed_form(form, a, consts, 1 if t.lo > 0 else -1)
    if cf is None or not _matches(cf, xb, prec):
        return None
    return form, a, cf, _spare(t.digits, a, 1), 1


def _tidy(cf: sympy.Expr) -> sympy.Expr:
    # the shortest of a few equivalent spellings; ties go to the expanded sum of terms
    options = [sympy.expand(cf), cf, sympy.radsimp(sympy.together(cf))]
    return min(options, key=sympy.count_ops)


def _exclude(t: Target, consts: Sequence[sympy.Expr], max_norm: int) -> Exclusion | None:
    n = len(consts) + 2
    need = int(n * math.log10(max_norm + 1) + 2 * n + 10)
    if t.digits < need:
        t = refined(t, need)
    if not math.isfinite(t.digits):
        return None
    prec = int(min(t.digits, need + 20) * 3.33) + 60
    xb = _x_ball(t, prec)
    balls = [xb, flint.arb(1), *_balls(consts, prec)]
    with workprec(prec):
        bound = excluded_norm(balls)
    if bound < 1:
        return None
    return Exclusion((sympy.Integer(1), *consts), bound, (t.lo, t.hi), int(t.digits))


def _found(t: Target, cf: sympy.Expr, a: tuple[int, ...] | None, terms: tuple[sympy.Expr, ...],
           spare: float | None, proof: tuple[str, ...], level: Level, method: str) -> Identification:
    return Identification(cf, level, (t.lo, t.hi), method, closed_form=cf, relation=a,
                          terms=terms, spare_digits=spare, proof=proof, source=t.source)


#: Spare digits a closed form must leave before a public result shows it as identified.
QUICK_MARGIN = 10
_QUICK_BASIS = 36  # constants of the quick search (the activation's own come first)
_QUICK: dict = {}  # enclosure -> search outcome (results are immutable, so this is safe)


def identify_result(result: Result) -> Result:
    r"""``result`` with its value replaced by an identified closed form, when one is found.

    Used by :func:`symact.expect` and :func:`symact.gain`: a certified result whose
    enclosure holds at least 20 digits is searched quickly (one-constant forms over the
    first 36 constants of the default basis, two-constant forms over its first 12) and, when a closed
    form leaves at least :data:`QUICK_MARGIN` digits to spare, comes back with level
    ``"identified"``, that closed form as its value, the same certified enclosure, and the
    integer relation in its method.  Anything else comes back unchanged.

    >>> import symact as sa
    >>> from symact.gaussian.expectation import expect
    >>> r = identify_result(expect("erf(x)**2"))
    >>> r.value, r.level
    (2*asin(2/3)/pi, 'identified')
    """
    import dataclasses

    if result.level != "certified" or result.enclosure is None \
            or not dataclasses.is_dataclass(result) \
            or "level" not in {f.name for f in dataclasses.fields(result)}:
        return result
    t = target(result, None)
    if not math.isfinite(t.digits) or t.digits < 20:
        return result
    key = (type(result).__name__, t.lo, t.hi, t.constants)
    if key not in _QUICK:
        if len(_QUICK) > 512:
            _QUICK.clear()
        _QUICK[key] = _search(t, default_basis(t.constants)[:_QUICK_BASIS], 10**6, pairs=12,
                              margin=max(QUICK_MARGIN, _margin(t)))
    found = _QUICK[key]
    if found is None:
        return result
    _, a, cf, spare, _ = found
    cf = _tidy(cf)
    relation = ", ".join(map(str, a))
    method = (f"{result.method}; identified as {sympy.sstr(cf)} (integer relation ({relation}) "
              f"found by LLL, {spare:.0f} digits to spare; not proved)")
    return dataclasses.replace(result, value=cf, level="identified", method=method)
