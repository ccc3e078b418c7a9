r"""Proved, area-optimal linear relaxations of an activation on an interval.

A verifier (CROWN, DeepPoly, auto_LiRPA) replaces a neuron :math:`y = \varphi(x)`,
:math:`x \in [l, u]`, by two lines :math:`a_L x + b_L \le \varphi(x) \le a_U x + b_U`.
:func:`relax` returns such lines with exact rational coefficients and a proof that they
are sound, and makes them as tight as verifiers' heuristics aim for: among all sound lower
lines, the one minimising the area :math:`\int_l^u (\varphi - L)` maximises
:math:`L(m)`, :math:`m = (l + u)/2`, so it is the tangent at :math:`m` of the convex
envelope of :math:`\varphi` on :math:`[l, u]` (the upper line: of the concave envelope).

How each line is obtained (:mod:`symact.analysis.envelope`):

1. the envelope's tangent at :math:`m` (or at ``at=t``) is found numerically at
   ``dps + 15`` digits: which points it touches (interval ends, kinks, tangency points)
   from a lower convex hull, then Newton's method;
2. its slope is rounded to a decimal rational and its intercept moved outward by a
   margin of about :math:`10^{3-\mathrm{dps}}` and rounded outward (no margin when the
   envelope's line is exactly rational, as for ReLU or hardtanh);
3. :math:`\varphi - L \ge 0` (resp. :math:`U - \varphi \ge 0`) is proved on every analytic
   piece by Arb branch and bound; the certified lower bound of each piece is kept;
4. the area is certified (Arb integration of :math:`\varphi`), and so is its ratio to
   the optimum: the optimal line's value at :math:`m` lies between ours and a convex
   combination of :math:`\varphi` at the touching points.

>>> import symact as sa
>>> r = sa.relax("relu", -1, 1)
>>> r.lower.slope, r.lower.intercept, r.upper.slope, r.upper.intercept
(1/2, 0, 1/2, 1/2)
>>> g = sa.relax("gelu", "-1.45", "-1.404")
>>> g.upper.ratio < 1.000001 and g.lower.ratio < 1.000001
True
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Literal

import mpmath
import sympy
from flint import acb, arb

from ..core.errors import CertificationError
from ..core.precision import DEFAULT_DPS, workdps, workprec
from ..core.result import Quantity
from ..expressions.activation import Activation
from ..expressions.coerce import as_activation
from ..numerics.acb import acb_evaluator
from ..numerics.arb import arb_evaluator, arb_from_raw, to_mpf
from .envelope import PieceCertificate, Segments, Tangent, envelope_tangent, prove_above
from .local import interval_ends

__all__ = ["Line", "Relaxation", "relax"]


@dataclass(frozen=True)
class Line:
    r"""One proved bound :math:`y = \mathrm{slope}\cdot x + \mathrm{intercept}` of a relaxation.

    ``side`` is ``"lower"`` (:math:`\varphi \ge` line) or ``"upper"``; ``slope`` and
    ``intercept`` are exact rationals; ``area`` is the certified area between the line and
    :math:`\varphi` on the interval, ``optimum`` the certified area of the optimal line and
    ``ratio`` their ratio (1 up to the certificate's width; ``None`` when the optimum is 0);
    ``certificate`` holds one :class:`~symact.analysis.envelope.PieceCertificate` per
    analytic piece (the certified minimum of :math:`\pm(\varphi - \mathrm{line})`);
    ``touches`` the numerical points where the envelope's line touches :math:`\varphi`.
    """

    side: Literal["lower", "upper"]
    slope: sympy.Rational
    intercept: sympy.Rational
    area: Quantity
    optimum: Quantity
    ratio: Quantity | None
    margin: sympy.Rational
    touches: tuple[float, ...]
    certificate: tuple[PieceCertificate, ...] = field(repr=False)

    def __call__(self, value: Any) -> sympy.Expr:
        """The line's exact value at a number."""
        return self.slope * sympy.sympify(value) + self.intercept

    def floats(self) -> tuple[float, float]:
        """``(slope, intercept)`` as the nearest floats (not rounded outward; see ``relax_table``)."""
        return float(self.slope), float(self.intercept)

    def describe(self) -> str:
        """One line in words."""
        rel = ">=" if self.side == "lower" else "<="
        ratio = ("n/a (optimal area 0)" if self.ratio is None
                 else f"<= 1 + {mpmath.nstr(self.ratio.enclosure[1] - 1, 2)}")
        return (f"phi(x) {rel} {mpmath.nstr(mpmath.mpf(self.slope.p) / self.slope.q, 12)}*x "
                f"{'+' if self.intercept >= 0 else '-'} "
                f"{mpmath.nstr(abs(mpmath.mpf(self.intercept.p) / self.intercept.q), 12)}"
                f" (proved; area {self.area.evalf(8)}, ratio to optimum {ratio})")


@dataclass(frozen=True)
class Relaxation:
    r"""Proved linear lower and upper bounds of an activation on ``[lo, hi]``.

    ``lower`` and ``upper`` are :class:`Line` results; ``at`` is the point whose envelope
    tangent was asked for (``None``: the area-optimal midpoint tangent).
    """

    activation: Activation
    lo: sympy.Expr
    hi: sympy.Expr
    lower: Line
    upper: Line
    at: sympy.Expr | None
    dps: int

    @property
    def level(self) -> str:
        """Always ``"certified"``: soundness is proved, the areas are enclosures."""
        return "certified"

    def describe(self) -> str:
        """Two lines in words."""
        where = "" if self.at is None else f", tangent at {sympy.sstr(self.at)}"
        return (f"{self.activation.name} on [{sympy.sstr(self.lo)}, {sympy.sstr(self.hi)}]{where}:\n"
                f"  {self.lower.describe()}\n  {self.upper.describe()}")

    def __str__(self) -> str:
        return self.describe()

    def __repr__(self) -> str:
        return f"Relaxation({self.describe()})"

    def latex(self) -> str:
        """LaTeX of the two inequalities."""
        a, b = self.lower, self.upper
        return (rf"{sympy.latex(a.slope)}\,x + {sympy.latex(a.intercept)} \le \varphi(x) \le "
                rf"{sympy.latex(b.slope)}\,x + {sympy.latex(b.intercept)}, \quad x \in "
                rf"[{sympy.latex(self.lo)}, {sympy.latex(self.hi)}]")

    def _repr_latex_(self) -> str:
        return f"$\\displaystyle {self.latex()}$"


def _mp(v: sympy.Expr) -> mpmath.mpf:
    return mpmath.mpf(sympy.N(v, mpmath.mp.dps + 5))


def _decimal(v: mpmath.mpf, k: int, mode: Literal["near", "down"]) -> sympy.Rational:
    scaled = v * mpmath.mpf(10) ** k
    n = int(mpmath.nint(scaled)) if mode == "near" else int(mpmath.floor(scaled))
    return sympy.Rational(n, 10 ** k)


def _integral(seg: Segments, prec: int, dps: int) -> arb:
    """Certified :math:`\\int_l^u \\sigma\\varphi`."""
    total = arb(0)
    with workprec(prec, mpmath=False):
        for part in seg.parts:
            P = arb_evaluator(part.p, seg.x)(arb(0))
            Q = arb_evaluator(part.q, seg.x)(arb(0))
            if part.linear is not None:
                a1, a0 = (arb_evaluator(c, seg.x)(arb(0)) for c in part.linear)
                total += a1 * (Q * Q - P * P) / 2 + a0 * (Q - P)
                continue
            F = acb_evaluator(part.expr, seg.x)
            v = acb.integral(lambda z, a, F=F: F(z, a), acb(P), acb(Q), rel_tol=arb(10) ** (-dps - 3),
                             eval_limit=200000)
            if not (v.imag.contains(0) and v.real.is_finite()):
                raise CertificationError(f"could not integrate {part.expr} on [{part.p}, {part.q}]")
            total += v.real
    return total


def _opt_value_upper(seg: Segments, tan: Tangent, m: sympy.Expr, prec: int) -> arb:
    """A rigorous upper bound of the convex envelope of sigma*phi at m: a convex combination
    of sigma*phi at two points xa <= m <= xb (any two such points give an upper bound)."""
    m_mp = _mp(m)
    eps = mpmath.mpf(2) ** (-mpmath.mp.prec + 4) * (1 + abs(m_mp))  # beyond m's rounding error
    with workprec(prec, mpmath=False):
        M = arb_evaluator(m, seg.x)(arb(0))
        fM = _rig(seg, m_mp, M)
        at_m_a, at_m_b = tan.xa >= m_mp - eps, tan.xb <= m_mp + eps
        if at_m_a and at_m_b:  # the envelope touches phi at m: env(m) <= phi(m)
            return fM
        xa, xb = tan.xa, tan.xb
        # a touching point at m (to rounding) is m itself; at an end of the interval, the end
        A = M if at_m_a else (arb_evaluator(seg.l, seg.x)(arb(0)) if xa <= _mp(seg.l) else arb_from_raw(xa._mpf_))
        Bx = M if at_m_b else (arb_evaluator(seg.u, seg.x)(arb(0)) if xb >= _mp(seg.u) else arb_from_raw(xb._mpf_))
        fa = fM if at_m_a else (seg.parts[0].f(A) if xa <= _mp(seg.l) else _rig(seg, xa, A))
        fb = fM if at_m_b else (seg.parts[-1].f(Bx) if xb >= _mp(seg.u) else _rig(seg, xb, Bx))
        lam = (Bx - M) / (Bx - A)
        return lam * fa + (1 - lam) * fb


def _rig(seg: Segments, xv: mpmath.mpf, X: arb) -> arb:
    return seg.part(xv).f(X)


def _line(seg: Segments, act: Activation, m_t: sympy.Expr, m_opt: sympy.Expr, dps: int,
          I_sig: arb) -> Line:
    prec = int(dps * 3.33) + 60
    k = dps + 6
    L, U = seg.l, seg.u
    with workdps(dps + 15), workprec(prec, mpmath=False):  # the lock: mpmath's precision is global
        tan = envelope_tangent(seg, m_t)
        opt = tan if m_opt == m_t else envelope_tangent(seg, m_opt)
        width = max(abs(_mp(L)), abs(_mp(U)), mpmath.mpf(1))
        hints = (tan.xa, tan.xb)
        cert: tuple[PieceCertificate, ...] | None = None
        if tan.exact is not None:
            s_q, b_q = tan.exact
            margin = sympy.Integer(0)
            try:
                cert = prove_above(seg, s_q, b_q, prec=prec, hints=hints)
            except CertificationError:
                cert = None
        if cert is None:
            s_q = _decimal(tan.slope, k, "near")
            margin = sympy.Rational(1, 10 ** (dps - 3)) * sympy.Integer(int(mpmath.ceil(width)))
            shift = (tan.slope - _mp(s_q)) * (_mp(m_t))
            b_q = _decimal(tan.intercept + shift - _mp(margin), k, "down")
            for _ in range(3):
                try:
                    cert = prove_above(seg, s_q, b_q, prec=prec, hints=hints)
                    break
                except CertificationError:
                    margin *= 1000
                    b_q = _decimal(tan.intercept + shift - _mp(margin), k, "down")
            if cert is None:
                raise CertificationError(f"could not prove a relaxation of {act.name} on [{L}, {U}]")
        with workprec(prec, mpmath=False):
            S, B = (arb_evaluator(v, seg.x)(arb(0)) for v in (s_q, b_q))
            Lb, Ub = (arb_evaluator(v, seg.x)(arb(0)) for v in (L, U))
            ours = I_sig - (S * (Ub * Ub - Lb * Lb) / 2 + B * (Ub - Lb))
            env_hi = _opt_value_upper(seg, opt, m_opt, prec)
            Mb = (Lb + Ub) / 2
            opt_lo = I_sig - (Ub - Lb) * env_hi
            # the optimum is at most our area (ours is a sound line) and at least opt_lo
            opt_lo = arb(max(opt_lo.lower(), arb(0)))
            opt_hi = ours.upper()
            if m_opt == m_t:
                ours_line_at_m = S * Mb + B
                opt_hi = (I_sig - (Ub - Lb) * ours_line_at_m).upper()
            ratio = None
            if opt_lo > 0:
                r_lo = arb(max((ours.lower() / opt_hi).lower(), arb(1)))
                r_hi = (ours.upper() / opt_lo).upper()
                ratio = Quantity.certified(to_mpf(r_lo, "lower", 160), to_mpf(r_hi, "upper", 160),
                                           method="certified ratio of areas", name="area ratio")
            area = Quantity.certified(to_mpf(ours, "lower", 160), to_mpf(ours, "upper", 160),
                                      method="Arb integration", name="area")
            optimum = Quantity.certified(to_mpf(opt_lo, "lower", 160), to_mpf(arb(opt_hi), "upper", 160),
                                         method="envelope bounds", name="optimal area")
    side: Literal["lower", "upper"] = "lower" if seg.sign > 0 else "upper"
    sgn = seg.sign
    touches = tuple(sorted({float(tan.xa), float(tan.xb)}))
    return Line(side, sympy.Rational(sgn * s_q), sympy.Rational(sgn * b_q), area, optimum, ratio,
                sympy.Rational(margin), touches, cert)


def relax(act: Activation | str, lo: Any, hi: Any, *, at: Any = None, dps: int = DEFAULT_DPS) -> Relaxation:
    r"""Proved linear lower and upper bounds of an activation on ``[lo, hi]``.

    Parameters
    ----------
    act : Activation or str
        A continuous activation (kinks allowed) or a catalogue name.
    lo, hi : number or str
        The interval, read exactly (floats at their binary value, see
        :func:`symact.analysis.local.as_end`).
    at : number or str, optional
        Give the tangents of the convex and concave envelopes at this point of
        ``[lo, hi]`` instead of at the midpoint (the family CROWN's alpha-optimisation
        walks through).  Default: the midpoint, which minimises each line's area.
    dps : int, keyword-only
        Digits of the numerical phase; the intercepts are moved outward by about
        :math:`10^{3-\mathrm{dps}}`.

    Returns
    -------
    Relaxation
        ``.lower`` and ``.upper`` :class:`Line` results with exact rational ``slope`` and
        ``intercept``, certified ``area``, ``optimum`` and ``ratio``.

    Raises
    ------
    CertificationError
        When soundness cannot be proved (never silently returned unproved).

    Notes
    -----
    The area between :math:`\varphi` and a lower line :math:`L` on :math:`[l, u]` is
    :math:`\int_l^u \varphi - (u - l) L(m)`, so the optimal sound line maximises
    :math:`L(m)`: its value is the convex envelope :math:`\breve\varphi(m)`.

    References
    ----------
    .. [1] H. Zhang et al., "Efficient neural network robustness certification with
       general activation functions", NeurIPS 2018 (CROWN).
    .. [2] K. Xu et al., "Automatic perturbation analysis for scalable certified
       robustness and beyond", NeurIPS 2020 (auto_LiRPA).

    Examples
    --------
    >>> import symact as sa
    >>> r = sa.relax("sigmoid", -1, 2)
    >>> r.lower.ratio.enclosure[1] - 1 < 1e-20
    True
    >>> t = sa.relax("tanh", 0, 1, at="1/4")
    >>> t.upper.slope == t.upper.slope  # the tangent of the concave envelope at 1/4
    True
    >>> h = sa.relax("hardtanh", -2, "1/2")  # convex there: the lower line is y = x
    >>> (h.lower.slope, h.lower.intercept), (h.upper.slope, h.upper.intercept)
    ((1, 0), (3/5, 1/5))
    """
    a = as_activation(act)
    if a.expr.free_symbols - {a.x}:
        raise ValueError(f"{a.name} has symbolic parameters; give them numbers first")
    left, u = interval_ends(lo, hi)
    t = None
    if at is not None:
        from .local import as_end

        t = as_end(at)
        if not bool(left <= t) or not bool(t <= u):
            raise ValueError(f"at={t} must lie in the interval [{left}, {u}]")
    if left == u:
        return _point_relax(a, left, t, dps)
    m = (left + u) / 2
    lines = []
    work = dps + _extra_digits(Segments(a, left, u, 1), left, u, m, dps)
    prec = int(work * 3.33) + 60
    for sign in (1, -1):
        seg = Segments(a, left, u, sign)
        I_sig = _integral(seg, prec, work)
        lines.append(_line(seg, a, m if t is None else t, m, work, I_sig))
    return Relaxation(a, left, u, lines[0], lines[1], t, dps)


def _extra_digits(seg: Segments, left: sympy.Expr, u: sympy.Expr, m: sympy.Expr, dps: int) -> int:
    """Digits to add so that the margin and rounding stay ~10^(3-dps) *relative* to the gap
    between phi and its chord (tiny on short or nearly linear intervals), at most 300."""
    w = float(sympy.N(u - left, 20))
    lead = int(2 * max(0.0, -math.log10(w))) + 10 if w > 0 else 10
    with workdps(dps + 15 + lead), workprec(int((dps + 15 + lead) * 3.33) + 30, mpmath=False):
        fl, fu = seg.val(_mp(left)), seg.val(_mp(u))
        gap = max(abs(seg.val(_mp(left + (u - left) * k / 4)) - (fl * (4 - k) + fu * k) / 4) for k in (1, 2, 3))
        size = max(mpmath.mpf(1), abs(fl), abs(fu))
        if mpmath.isnan(gap) or gap <= size * mpmath.mpf(10) ** (-(dps + lead)):
            return min(300, lead)
        return int(min(300, max(0, mpmath.ceil(mpmath.log10(size / gap)))))


def _exact_rational(v: mpmath.mpf) -> sympy.Rational:
    """The exact value of a finite mpf."""
    sign, man, exp, _ = v._mpf_  # (mpf.man is unsigned)
    return (-1) ** sign * sympy.Integer(int(man)) * sympy.Integer(2) ** int(exp)


def _point_relax(a: Activation, left: sympy.Expr, t: sympy.Expr | None, dps: int) -> Relaxation:
    v = sympy.simplify(a.expr.subs(a.x, left))
    zero = Quantity(0, "exact", method="a point", name="area")
    if v.is_Rational:
        lo_b = hi_b = v
    else:
        with workprec(int(dps * 3.33) + 30, mpmath=False):
            ball = arb_evaluator(v, a.x)(arb(0))
            lo_b, hi_b = (_exact_rational(to_mpf(ball, end, 128)) for end in ("lower", "upper"))
    mk = [Line(side, sympy.Integer(0), b, zero, zero, None, sympy.Integer(0), (float(left),), ())
          for side, b in (("lower", lo_b), ("upper", hi_b))]
    return Relaxation(a, left, left, mk[0], mk[1], t, dps)
