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
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from itertools import combinations
from typing import Any

import flint
import mpmath
import sympy

from ..core.precision import workprec
from ..core.result import Level, Result, honest_float
from ..numerics.arb import arb_evaluator
from .lattice_certificate import excluded_norm, relation

__all__ = ["Exclusion", "Identification", "default_basis", "identify"]

_X = sympy.Symbol("x", real=True)
_PI, _E = sympy.pi, sympy.E


# ----------------------------------------------------------------------------- the target
@dataclass(frozen=True)
class _Target:
    lo: mpmath.mpf
    hi: mpmath.mpf
    source: str
    exact: sympy.Expr | None = None
    refine: Callable[[int], tuple[mpmath.mpf, mpmath.mpf]] | None = None
    constants: tuple[sympy.Expr, ...] = ()

    @property
    def digits(self) -> float:
        """Decimal digits known (relative), from the enclosure's width."""
        with mpmath.workdps(40):
            mid = abs(self.lo + self.hi) / 2
            width = self.hi - self.lo
            if width == 0:
                return math.inf
            scale = max(mid, mpmath.mpf(10) ** -30)
            return float(-mpmath.log10(width / scale))


def _decimal_string(text: str, tol: Any) -> _Target:
    t = text.strip()
    try:
        value = sympy.Rational(t) if "/" in t else None
    except (TypeError, ValueError, SyntaxError):
        value = None
    if value is not None:
        return _rational_target(value, tol, "rational string")
    import decimal

    try:
        d = decimal.Decimal(t)
    except decimal.InvalidOperation:
        raise ValueError(
            f"cannot read {t[:40]!r} as a number: give a decimal such as '1.4669422069' "
            "(its last digit sets the uncertainty), a fraction 'p/q', a float, an mpmath "
            "interval or a symact result"
        ) from None
    if not d.is_finite():
        raise ValueError(f"identify needs a finite number, got {t[:40]!r}")
    exact = sympy.Rational(str(d))
    unit = sympy.Rational(10) ** d.as_tuple().exponent  # one unit of the last digit
    half = sympy.Rational(_tolerance(tol)) if tol is not None else unit
    with mpmath.workdps(len(d.as_tuple().digits) + 30):
        lo = mpmath.mpf(exact.p) / exact.q - mpmath.mpf(half.p) / half.q
        hi = mpmath.mpf(exact.p) / exact.q + mpmath.mpf(half.p) / half.q
    return _Target(lo, hi, "decimal string")


def _tolerance(tol: Any) -> sympy.Rational:
    try:
        t = sympy.Rational(tol)
    except (TypeError, ValueError):
        raise ValueError(f"tol must be a positive number, got {tol!r}") from None
    if not t > 0:
        raise ValueError(f"tol must be a positive number, got {tol!r}")
    return t


def _rational_target(value: sympy.Rational, tol: Any, source: str) -> _Target:
    with mpmath.workdps(60):
        v = mpmath.mpf(value.p) / value.q
        if tol is None:
            return _Target(v, v, source, exact=value)
        t = _tolerance(tol)
        w = mpmath.mpf(t.p) / t.q
        return _Target(v - w, v + w, source)


def _float_target(value: float, tol: Any) -> _Target:
    if not math.isfinite(value):
        raise ValueError(f"identify needs a finite number, got {value!r}")
    if tol is None:
        w = sympy.Rational(4 * math.ulp(value)) if value else sympy.Rational(1, 10**300)
        source = "float64 (+-4 ulp)"
    else:
        w, source = _tolerance(tol), "float64 (+-tol)"
    with mpmath.workdps(60):
        v = mpmath.mpf(value)
        return _Target(v - mpmath.mpf(w.p) / w.q, v + mpmath.mpf(w.p) / w.q, source)


def _result_target(value: Result, tol: Any) -> _Target:
    if value.enclosure is None:
        raise ValueError(
            f"a {value.level} result has no rigorous enclosure to identify; "
            "pass a float or a decimal string with tol= instead"
        )
    lo, hi = value.enclosure
    exact = value.value if value.level == "exact" and value.value.is_number else None
    refine = _refiner(value)
    constants = _constants_of(value)
    if tol is not None:
        t = _tolerance(tol)
        with mpmath.workdps(60):
            mid = (mpmath.mpf(lo) + mpmath.mpf(hi)) / 2
            w = mpmath.mpf(t.p) / t.q
            return _Target(mid - w, mid + w, f"{type(value).__name__} (+-tol)",
                           constants=constants)
    return _Target(_mp(lo), _mp(hi), type(value).__name__, exact, refine, constants)


def _refiner(value: Result) -> Callable[[int], tuple[mpmath.mpf, mpmath.mpf]] | None:
    """How to recompute ``value`` at a higher precision, where symact knows how."""
    if value.level == "exact" and value.value.is_number:
        from ..core.result import enclose

        form = value.value
        return lambda dps: enclose(form, dps)
    recompute = getattr(value, "recompute", None)
    if callable(recompute):
        return lambda dps: recompute(dps=dps).enclosure
    expr, q = getattr(value, "expr", None), getattr(value, "q", None)
    if type(value).__name__ == "Expectation" and isinstance(expr, sympy.Expr) and q is not None:
        from ..propagation.expectation import expect

        return lambda dps: expect(expr, q, dps=dps, closed_form=False).enclosure
    return None


def _constants_of(value: Result) -> tuple[sympy.Expr, ...]:
    expr = getattr(value, "expr", None)
    if not isinstance(expr, sympy.Expr):
        return ()
    found: list[sympy.Expr] = []
    for a in sympy.preorder_traversal(expr):
        if isinstance(a, sympy.Expr) and a.is_number and not a.is_Rational and a.is_real \
                and len(sympy.srepr(a)) < 80:
            found.append(a)
    return tuple(dict.fromkeys(found))


def _target(value: Any, tol: Any) -> _Target:
    if isinstance(value, Result):
        return _result_target(value, tol)
    if isinstance(value, bool):
        raise TypeError("identify takes a number, not a bool")
    if isinstance(value, str):
        return _decimal_string(value, tol)
    if isinstance(value, float):
        return _float_target(value, tol)
    if isinstance(value, numbers.Integral | Fraction):
        return _rational_target(sympy.Rational(value), tol, "rational")
    if isinstance(value, mpmath.ctx_iv.ivmpf):
        with mpmath.workprec(max(mpmath.iv.prec, 53)):
            lo, hi = +mpmath.mpf(value.a), +mpmath.mpf(value.b)
        if not (mpmath.isfinite(lo) and mpmath.isfinite(hi)):
            raise ValueError("identify needs a finite interval")
        return _Target(lo, hi, "mpmath interval")
    if isinstance(value, sympy.Expr) and value.is_number:
        if value.is_Rational:
            return _rational_target(value, tol, "rational")
        if value.has(sympy.Float):
            raise TypeError(
                f"{value} holds a SymPy Float of unknown accuracy; pass a Python float, a "
                "decimal string or tol="
            )
        from ..core.result import enclose

        lo, hi = enclose(value, 60)
        return _Target(lo, hi, "closed form", exact=value, refine=lambda d: enclose(value, d))
    raise TypeError(
        f"identify takes a symact result, a float, a decimal string, a fraction, an mpmath "
        f"interval or a SymPy number, got {type(value).__name__}"
    )


# ---------------------------------------------------------------------------- the basis
def default_basis(constants: Iterable[sympy.Expr] = ()) -> tuple[sympy.Expr, ...]:
    r"""The constants :func:`identify` tries by default, those of ``constants`` first.

    For every constant :math:`c` of the activation's definition it adds :math:`1/c`,
    :math:`c/\pi` and :math:`1/(c\pi)`; then the constants of Gaussian calculus,
    kernels and critical-point equations.

    >>> b = default_basis([sympy.sqrt(2)])
    >>> b[:3]
    (sqrt(2), sqrt(2)/2, sqrt(2)/pi)
    >>> sympy.asin(sympy.Rational(2, 3)) / sympy.pi in b, sympy.LambertW(sympy.exp(-1)) in b
    (True, True)
    """
    out: list[sympy.Expr] = []
    for c in constants:
        c = sympy.nsimplify(c) if c.has(sympy.Float) else c
        out += [c, 1 / c, c / _PI, 1 / (c * _PI)]
    s2, s3, s5 = sympy.sqrt(2), sympy.sqrt(3), sympy.sqrt(5)
    out += [_PI, 1 / _PI, sympy.sqrt(_PI), 1 / sympy.sqrt(_PI), 1 / sympy.sqrt(2 * _PI),
            s2, s3, s5, sympy.sqrt(6), s2 / _PI, s3 / _PI, 1 / (s3 * _PI), 1 / (s5 * _PI),
            sympy.sqrt(_PI / 2), _PI**2, 1 / _PI**2]
    out += [_E, 1 / _E, sympy.exp(2), sympy.exp(-2), sympy.exp(sympy.S.Half),
            sympy.exp(-sympy.S.Half), sympy.log(2), sympy.log(3)]
    out += [sympy.exp(-1) / sympy.sqrt(_PI), sympy.exp(-sympy.S.Half) / sympy.sqrt(2 * _PI),
            sympy.exp(-2) / sympy.sqrt(2 * _PI), sympy.exp(-sympy.S.Half) / sympy.sqrt(_PI)]
    for a in (sympy.S.Half, 1, s2, 1 / s2, 2, sympy.Rational(1, 4)):
        out.append(sympy.erf(a))
    for k in (1, 2, 3):
        out.append(sympy.exp(sympy.Rational(k * k, 2)) * sympy.erfc(k / s2))
    for p, q in ((1, 3), (2, 3), (1, 4), (3, 4), (1, 5), (2, 5), (3, 5), (4, 5), (1, 7), (2, 7)):
        out.append(sympy.asin(sympy.Rational(p, q)) / _PI)
    out += [sympy.atan(s2) / _PI, sympy.atan(sympy.S.Half) / _PI]
    out += [sympy.LambertW(sympy.exp(-1)), sympy.LambertW(1), sympy.LambertW(2),
            sympy.LambertW(2 * sympy.exp(-2)), sympy.LambertW(sympy.exp(-2))]
    unique: list[sympy.Expr] = []
    for c in out:
        if c.is_Rational or c in unique:
            continue
        unique.append(c)
    return tuple(unique)


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


def _x_ball(t: _Target, prec: int) -> flint.arb:
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


def _forms(k: int, pairs: bool) -> list[_Form]:
    forms = [_Form("linear", ())]
    forms += [_Form("power", (), p) for p in (2, -1, -2, 4)]
    forms += [_Form("linear", (i,)) for i in range(k)]
    forms += [_Form("power", (i,), p) for p in (2, -1) for i in range(k)]
    forms += [_Form("moebius", (i,)) for i in range(k)]
    if pairs:
        forms += [_Form("linear", ij) for ij in combinations(range(k), 2)]
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


def _search(t: _Target, basis: Sequence[sympy.Expr], max_norm: int, pairs: bool,
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
        if not all(b.is_finite() for b in balls):
            continue
        with workprec(prec):
            a = relation(balls, involving)
        if a is None or max(abs(v) for v in a) > max_norm:
            continue
        with workprec(prec):
            residual = sum((ai * b for ai, b in zip(a, balls, strict=True)), flint.arb(0))
        if not residual.contains(0):
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


def _prove(t: _Target, cf: sympy.Expr) -> str | None:
    if t.exact is None:
        return None
    diff = sympy.simplify(t.exact - cf)
    if diff == 0:
        return f"SymPy simplifies ({sympy.sstr(t.exact)}) - ({sympy.sstr(cf)}) to 0"
    return None


def _mp(v: Any) -> mpmath.mpf:
    """An mpf holding ``v`` exactly (never rounded to the global precision)."""
    if isinstance(v, mpmath.mpf):
        return v
    with mpmath.workprec(4000):
        return +mpmath.mpf(v)


def _refined(t: _Target, dps: int) -> _Target:
    if t.refine is None or t.digits >= dps:
        return t
    lo, hi = t.refine(dps)
    return _Target(_mp(lo), _mp(hi), t.source, t.exact, t.refine, t.constants)


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
    t = _target(value, tol)
    if dps is not None:
        t = _refined(t, int(dps))
    if t.exact is not None and t.exact.is_Rational:
        return _found(t, t.exact, None, (), None, ("the number is the rational "
                      f"{t.exact}",), "exact", "rational input")
    user = basis is not None
    consts = _basis(basis) if user else default_basis(t.constants)
    search_basis = consts
    steps: list[str] = []
    found = _search(t, search_basis, int(max_norm), pairs=True, margin=_margin(t))
    if found is None and user and len(consts) > 2:
        found = _whole(t, consts, int(max_norm))
    if found is not None:
        form, a, cf, spare, tried = found
        cf = _tidy(cf)
        terms = _terms(form, search_basis) if form is not None else (sympy.Symbol("x"),
                                                                        sympy.Integer(1), *consts)
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
        t = _Target(exclusion.enclosure[0], exclusion.enclosure[1], t.source)
    return Identification(
        honest_float(t.lo, t.hi, 30) if t.lo != t.hi else sympy.Float(t.lo, 30),
        "certified", (t.lo, t.hi), "integer relation search", proof=tuple(steps),
        excluded=exclusion, source=t.source)


def _margin(t: _Target) -> float:
    # a float64 has ~15 digits: demand 4 spare; richer enclosures must leave more
    return max(4.0, 0.2 * min(t.digits, 200))


_EXCLUSION_BASIS: tuple[sympy.Expr, ...] = (1 / _PI, sympy.sqrt(2), sympy.sqrt(3),
                                            1 / sympy.sqrt(2 * _PI), _E)


def _basis(basis: Sequence[Any]) -> tuple[sympy.Expr, ...]:
    out: list[sympy.Expr] = []
    for b in basis:
        if isinstance(b, str):
            from ..expressions.coerce import as_expression

            e = as_expression(b, allow_parameters=False)
        else:
            e = sympy.sympify(b, strict=True) if isinstance(b, int | sympy.Basic) else b
        if not isinstance(e, sympy.Expr) or not e.is_number or e.has(sympy.Float) \
                or e.is_real is False:
            raise ValueError(
                f"basis entries must be exact real constants such as pi, sqrt(2), "
                f"erf(1), log(2); got {b!r}")
        if e == 0 or e.is_Rational:
            continue  # 1 is always in the basis
        out.append(e)
    if not out:
        raise ValueError("basis needs at least one irrational constant (1 is always included)")
    return tuple(dict.fromkeys(out))


def _whole(t: _Target, consts: Sequence[sympy.Expr], max_norm: int):
    if not math.isfinite(t.digits):
        return None
    prec = int(t.digits * 3.33) + 40
    xb = _x_ball(t, prec)
    balls = [xb, flint.arb(1), *_balls(consts, prec)]
    with workprec(prec):
        a = relation(balls, 1)
    if a is None or max(abs(v) for v in a) > max_norm:
        return None
    with workprec(prec):
        residual = sum((ai * b for ai, b in zip(a, balls, strict=True)), flint.arb(0))
    if not residual.contains(0) or _spare(t.digits, a, 1) < _margin(t):
        return None
    cf = -(a[1] + sum(ai * c for ai, c in zip(a[2:], consts, strict=True))) / sympy.Integer(a[0])
    if not _matches(cf, xb, prec):
        return None
    return None, a, cf, _spare(t.digits, a, 1), 1


def _tidy(cf: sympy.Expr) -> sympy.Expr:
    # the shortest of a few equivalent spellings; ties go to the expanded sum of terms
    options = [sympy.expand(cf), cf, sympy.radsimp(sympy.together(cf))]
    return min(options, key=sympy.count_ops)


def _exclude(t: _Target, consts: Sequence[sympy.Expr], max_norm: int) -> Exclusion | None:
    n = len(consts) + 2
    need = int(n * math.log10(max_norm + 1) + 2 * n + 10)
    if t.digits < need:
        t = _refined(t, need)
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


def _found(t: _Target, cf: sympy.Expr, a: tuple[int, ...] | None, terms: tuple[sympy.Expr, ...],
           spare: float | None, proof: tuple[str, ...], level: Level, method: str) -> Identification:
    return Identification(cf, level, (t.lo, t.hi), method, closed_form=cf, relation=a,
                          terms=terms, spare_digits=spare, proof=proof, source=t.source)
