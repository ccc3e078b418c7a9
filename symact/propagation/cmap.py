r"""Correlation maps (C-maps) and length maps (Q-maps) of a fully connected layer.

With :math:`h' = W\varphi(h) + b`, :math:`\operatorname{Var} W_{ij} = \sigma_w^2/N`,
:math:`\operatorname{Var} b = \sigma_b^2`, the length map is
:math:`V(q) = \sigma_w^2 E[\varphi(\sqrt q z)^2] + \sigma_b^2` and, at its fixed
point :math:`q^*`, the correlation map is

.. math:: C(c) = \frac{\sigma_w^2 E[\varphi(u)\varphi(v)] + \sigma_b^2}{q^*},
   \qquad \operatorname{Var} u = \operatorname{Var} v = q^*,\ \operatorname{Cov}(u,v) = c\,q^*,

with :math:`C(1) = 1`, :math:`C'(c) = \sigma_w^2 E[\varphi'(u)\varphi'(v)]` (Price's
theorem), :math:`C'(1) = \chi_1`, :math:`C''(1) = \sigma_w^2 q^* E[\varphi''(\sqrt{q^*}z)^2]`.
:math:`C` is a power series in :math:`c` with non-negative coefficients (Mehler's
formula), so it is convex on :math:`[0, 1]` and :math:`C(0) \ge 0`: besides
:math:`c = 1`, :math:`C(c) = c` has at most one root :math:`c^* \in [0, 1)`, which
exists exactly when :math:`\chi_1 > 1`.  The depth scale is
:math:`\xi_c = -1/\ln C'(c^*)` (Schoenholz et al. 2017).

References
----------
.. [1] B. Poole, S. Lahiri, M. Raghu, J. Sohl-Dickstein, S. Ganguli, "Exponential
   expressivity in deep neural networks through transient chaos", NeurIPS 2016.
.. [2] S. S. Schoenholz, J. Gilmer, S. Ganguli, J. Sohl-Dickstein, "Deep information
   propagation", ICLR 2017.
"""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass, field
from typing import Any

import flint
import sympy
from flint import arb

from ..core.budget import check_deadline
from ..core.errors import CertificationError, DomainError
from ..core.precision import DEFAULT_DPS, check_dps, workdps
from ..core.result import Level, Quantity, weakest
from ..core.steps import Record
from ..expressions.activation import Activation, x
from ..expressions.coerce import as_activation
from ..expressions.pieces import split
from ..gaussian.bivariate import METHOD as GAUSS2_METHOD
from ..numerics.gaussian import as_ball, gaussian_expectation
from .dual import Q1, Q2, DualKernel, K, dual_kernel, is_odd, sym_ball
from .kernel_inputs import correlation, is_exact, variance_arg
from .meanfield import mean_field

__all__ = ["CorrelationMap", "QMap", "correlation_map", "q_map", "to_quantity"]


def _rational(v: arb) -> sympy.Rational:
    """The exact value of a ball's end (an exact binary number) as a SymPy rational."""
    man, exp = v.mid().man_exp()
    return sympy.Integer(int(man)) * sympy.Integer(2) ** int(exp)


def _variances(weight_var: Any, bias_var: Any) -> tuple[sympy.Expr, sympy.Expr]:
    """(sigma_w^2 > 0, sigma_b^2 >= 0), checked before any work (floats exactly)."""
    return (sympy.sympify(variance_arg(weight_var, "weight_var", positive=True)),
            sympy.sympify(variance_arg(bias_var, "bias_var", positive=False)))


def to_quantity(b: arb, *, name: str, method: str, dps: int, level: Level = "certified") -> Quantity:
    """A certified :class:`Quantity` from an Arb ball."""
    from ..numerics.arb import to_mpf

    if not b.is_finite():
        raise CertificationError(f"{name}: no finite enclosure ({b})")
    prec = int(dps * 3.33) + 20
    return Quantity.certified(to_mpf(b, "lower", prec), to_mpf(b, "upper", prec),
                              method=method, name=name, digits=dps)


@dataclass(frozen=True)
class QMap:
    r"""The length map :math:`V(q)` of one layer, its fixed point and slope.

    Attributes
    ----------
    q_star : Quantity
        The fixed point (certified by interval Newton, or exact).
    slope : Quantity
        :math:`V'(q^*)`; the fixed point attracts when it is below 1.
    stable : bool
    steps : tuple of Record
    """

    act: Activation
    weight_var: sympy.Expr
    bias_var: sympy.Expr
    q_star: Quantity
    slope: Quantity
    stable: bool
    dps: int
    steps: tuple[Record, ...] = field(default=(), compare=False)

    @property
    def level(self) -> Level:
        """The weakest level of the numbers."""
        return weakest(self.q_star.level, self.slope.level)

    def __call__(self, q: Any) -> Quantity:
        """:math:`V(q)`, certified."""
        with workdps(self.dps + 5):
            qb = sym_ball(q, self.dps)
            v = sym_ball(self.weight_var, self.dps) * _second_moment(self.act, qb, self.dps) \
                + sym_ball(self.bias_var, self.dps)
            return to_quantity(v, name="V(q)", method="arb integral", dps=self.dps)


def _second_moment(act: Activation, q: arb, dps: int, dq: bool = False) -> arb:
    """E[phi(sqrt q z)^2] or its q-derivative E[phi^2 (z^2-1)]/(2q), as balls."""
    dk = dual_kernel(act)
    if dk.formula is not None:
        f = dk.formula.subs({Q2: Q1, K: Q1})
        g = sympy.diff(f, Q1) if dq else f
        from ..gaussian.bivariate import ball_eval
        return ball_eval(g, {Q1: q})
    # d/dq E[f(sqrt q z)] = E[f (z^2 - 1)]/(2q): numerics.gaussian integrates that score directly
    return gaussian_expectation(split(act.expr**2, x), q, x=x, dps=dps, dq=1 if dq else 0)


def _fixed_point(act: Activation, wv: sympy.Expr, bv: sympy.Expr, dps: int,
                 q0: Any) -> tuple[arb, arb, list[Record]]:
    """Certify a fixed point of V near the one the iteration from q0 reaches (interval Newton)."""
    w, b = sym_ball(wv, dps), sym_ball(bv, dps)

    def V(q: arb, d: int) -> arb:
        return w * _second_moment(act, q, d) + b

    def dV(q: arb, d: int) -> arb:
        return w * _second_moment(act, q, d, dq=True)

    q = arb(float(sympy.N(q0)))
    done = False
    with workdps(15):
        for it in range(200):  # plain iteration, then Newton while it stays positive
            check_deadline()
            plain = V(arb(q.mid()), 12)
            qn = plain
            if it >= 6:
                slope = dV(arb(q.mid()), 12)
                newton = arb(q.mid()) - (plain - arb(q.mid())) / (slope - 1)
                if newton.is_finite() and newton.mid() > 0:
                    qn = newton
            if not qn.is_finite() or qn.mid() > 1e8 or qn.mid() < 1e-12:
                break
            done = abs(float(qn.mid()) - float(q.mid())) < 1e-11 * max(1.0, float(q.mid()))
            q = arb(qn.mid())
            if done:
                break
    if not done:  # no float fixed point near q0: the certified mean field says what happens
        mf = mean_field(act, wv, bv, q0=q0, dps=min(dps, 20))
        if mf.status == "diverges":
            raise ValueError(f"{mf.note} ({act.name}, weight_var={wv}, bias_var={bv})")
        if mf.status == "q -> 0":
            raise ValueError(f"the length map collapses to q* = 0 ({act.name}, "
                             f"weight_var={wv}, bias_var={bv}); pass q= to use another q")
        q = arb(float(mf.q_star))
    m = arb(q.mid())
    r = arb(abs(float(m.mid())) * 1e-9 + 1e-12)
    Qb = arb(m.mid(), r.mid())
    for _ in range(4):
        N = m - (V(m, dps) - m) / (dV(Qb, dps) - 1)
        if not N.is_finite():
            break
        inside = (N.mid() - N.rad() >= Qb.mid() - Qb.rad()) and (N.mid() + N.rad() <= Qb.mid() + Qb.rad())
        Qb = N if inside else arb.union(N, Qb)
        m = arb(Qb.mid())
        if inside and Qb.rad() < arb(10) ** (-dps):
            break
    if not inside:
        raise CertificationError("interval Newton did not certify the fixed point of V")
    slope = dV(Qb, dps)
    rec = Record("fixed_point", {"q_star": Qb, "slope": slope, "stable": bool(slope < 1),
                                 "enclosure": (Qb.mid() - Qb.rad(), Qb.mid() + Qb.rad())},
                 level="certified", note="interval Newton on the certified length map")
    return Qb, slope, [rec]


def q_map(act: Any, weight_var: Any, bias_var: Any = 0, *, q0: Any = 1, dps: int = DEFAULT_DPS) -> QMap:
    r"""The length map of a layer: fixed point :math:`q^*` and slope :math:`V'(q^*)`, certified.

    Parameters
    ----------
    act : activation-like
    weight_var, bias_var : number
        :math:`\sigma_w^2 > 0`, :math:`\sigma_b^2 \ge 0`.
    q0 : number, keyword-only
        Where the iteration that locates the fixed point starts.
    dps : int, keyword-only

    Examples
    --------
    >>> m = q_map("tanh", sympy.Rational(25, 9), 0)
    >>> round(float(m.q_star), 12), m.stable
    (1.178480490386, True)
    """
    dps = check_dps(dps)
    wv, bv = _variances(weight_var, bias_var)
    q0 = sympy.sympify(variance_arg(q0, "q0", positive=True))
    act = as_activation(act)
    with workdps(dps + 5):
        qb, slope, steps = _fixed_point(act, wv, bv, dps, q0)
        return QMap(act, wv, bv, to_quantity(qb, name="q*", method="interval newton", dps=dps),
                    to_quantity(slope, name="V'(q*)", method="arb integral", dps=dps),
                    bool(slope < 1), dps, tuple(steps))


@dataclass(frozen=True)
class CorrelationMap:
    r"""The C-map :math:`c \mapsto C(c)` of a layer at :math:`q^*` (see the module notes).

    At a given input variance q that is not a fixed point, C(c) is the output
    correlation :math:`(\sigma_w^2 E[\varphi(u)\varphi(v)] + \sigma_b^2)/V(q)`, and
    :math:`C^{(n)}(c) = \sigma_w^2 q^n E[\varphi^{(n)}(u)\varphi^{(n)}(v)]/V(q)`.

    Call it at any :math:`c \in [-1, 1]`; :meth:`derivative` gives :math:`C'(c)`
    and :math:`C''(c)`.  ``formula`` is the closed form in ``c`` when there is one.
    """

    act: Activation
    weight_var: sympy.Expr
    bias_var: sympy.Expr
    q_star: Quantity
    kernel: DualKernel
    dps: int
    steps: tuple[Record, ...] = field(default=(), compare=False)
    _q: Any = field(default=None, compare=False, repr=False)
    _vq: Any = field(default=None, compare=False, repr=False)

    c = sympy.Symbol("c", real=True)

    @property
    def formula(self) -> sympy.Expr | None:
        """C(c) in closed form (when the kernel and q* are exact), else None."""
        f = self.kernel.closed()
        if f is None or self.q_star.level != "exact":
            return None
        q = self.q_star.value
        w, b = self.weight_var, self.bias_var
        return sympy.simplify((w * f.subs({Q1: q, Q2: q, K: self.c * q}) + b) / (w * f.subs(
            {Q1: q, Q2: q, K: q}) + b))

    @property
    def level(self) -> Level:
        """exact with a closed form and exact q*, else certified."""
        return "exact" if self.formula is not None else weakest("certified", self.q_star.level)

    @property
    def method(self) -> str:
        """closed form (with its reference) or the certified 2-D integral."""
        return f"closed form ({self.kernel.reference})" if self.kernel.formula is not None \
            else GAUSS2_METHOD

    def _qball(self) -> arb:
        if self._q is not None:
            return self._q
        qs = self.q_star
        if qs.level == "exact" or qs.enclosure is None:
            return sym_ball(qs.value, self.dps)
        return arb.union(as_ball(qs.enclosure[0]), as_ball(qs.enclosure[1]))  # not the printed decimal

    def derivative(self, c: Any, order: int = 1) -> Quantity:
        """:math:`C^{(n)}(c)` for n = ``order`` (0, 1 or 2), certified or exact."""
        if order not in (0, 1, 2):
            raise DomainError(f"order must be 0, 1 or 2, got {order!r}")
        name = {0: "C(c)", 1: "C'(c)", 2: "C''(c)"}[order]
        if not isinstance(c, arb):
            c = correlation(c, "c")
            c = sympy.sympify(c) if is_exact(c) else c
        f = self.formula
        # an exact value only at an exact, short c: a long decimal (such as an end of c*'s
        # enclosure) makes SymPy's simplify take minutes; the closed form is then evaluated in Arb
        short = isinstance(c, sympy.Expr) and not c.has(sympy.Float) and len(str(c)) <= 40
        if f is not None and short:
            val = sympy.diff(f, self.c, order).subs(self.c, c)
            if order == 2 and sympy.sympify(c) in (1, -1):
                val = sympy.limit(sympy.diff(f, self.c, 2), self.c, sympy.sympify(c),
                                  "-" if sympy.sympify(c) == 1 else "+")
            val = sympy.simplify(val)
            return Quantity(val, "exact", method=self.method, name=name)
        with workdps(self.dps + 5):
            v, how = self._ball(sym_ball(c, self.dps), order)
            method = self.method if how == "closed form" else f"{self.method}: {how}"
            return to_quantity(v, name=name, method=method, dps=self.dps)

    def _ball(self, cb: arb, order: int) -> tuple[arb, str]:
        """C^(order) at the ball ``cb`` (call inside workdps), and how the kernel was enclosed."""
        q = self._qball()
        w, b = sym_ball(self.weight_var, self.dps), sym_ball(self.bias_var, self.dps)
        kv, how = self.kernel.value_traced(q, q, cb, order=order, dps=self.dps)
        vq = self._output_var(q, w, b)
        return ((w * kv + b) / vq if order == 0 else w * kv * q**order / vq), how

    def _output_var(self, q: arb, w: arb, b: arb) -> arb:
        # V(q) = sigma_w^2 E[phi(sqrt q z)^2] + sigma_b^2 (= q at the fixed point)
        if self._vq is None:
            object.__setattr__(self, "_vq", w * self.kernel.value(q, q, arb(1), dps=self.dps) + b)
        return self._vq

    def __call__(self, c: Any) -> Quantity:
        """:math:`C(c)`."""
        return self.derivative(c, 0)

    @functools.cached_property
    def chi1(self) -> Quantity:
        r""":math:`C'(1) = \chi_1`."""
        return self.derivative(1, 1)

    @functools.cached_property
    def curvature(self) -> Quantity:
        """:math:`C''(1)` (``oo`` for ReLU-like kinks)."""
        return self.derivative(1, 2)

    @functools.cached_property
    def at_zero(self) -> Quantity:
        """:math:`C(0)` (exactly 0 for an odd activation without bias)."""
        if self.bias_var == 0 and is_odd(self.act.expr):
            return Quantity(sympy.Integer(0), "exact", method="odd activation", name="C(0)")
        return self.derivative(0, 0)

    @functools.cached_property
    def fixed_point(self) -> Quantity:
        r""":math:`c^*`: 1 when :math:`\chi_1 \le 1`, else the unique root in [0, 1)."""
        if self.chi1 <= 1:
            return Quantity(sympy.Integer(1), "exact", method="convexity", name="c*")
        if self.at_zero.level == "exact" and self.at_zero.value == 0:
            return Quantity(sympy.Integer(0), "exact", method="C(0) = 0", name="c*")
        # g(c) = C(c) - c is convex on [0, 1] with g(0) > 0 and g(c*) = 0 > g'(c*): Newton from 0
        # increases monotonically to c*; then certified signs of g bracket it (unique by convexity)
        cheap = dataclasses.replace(self, dps=15, _vq=None, _q=self._q)
        c = sympy.Integer(0)
        for _ in range(30):
            g = float(cheap(c)) - float(c)
            dg = float(cheap.derivative(c, 1)) - 1
            if dg >= 0:
                raise CertificationError("Newton's method for c* left the convex branch")
            step = -g / dg
            c = sympy.Rational(float(c) + step).limit_denominator(10**15)
            if abs(step) < 1e-13:
                break
        eps = sympy.Rational(1, 10**11)
        lo, hi = max(c - eps, sympy.Integer(0)), min(c + eps, sympy.Integer(1))
        # at lo = 0 no evaluation is needed: C(0) = (sigma_w^2 E[phi]^2 + sigma_b^2)/q >= 0
        # (mean-zero activations such as SELU have C(0) = 0 up to a tiny enclosure)
        if not ((lo == 0 or self(lo) > lo) and self(hi) < hi):
            raise CertificationError("could not bracket c* with certified signs")
        with workdps(self.dps + 5):
            X = self._newton_refine(arb.union(sym_ball(lo, self.dps), sym_ball(hi, self.dps)))
            if X.rad() > 0:
                lo = _rational(X.lower())
                hi = _rational(X.upper())
            self.__dict__["_bracket"] = (lo, hi)
            return to_quantity(X, name="c*", method="Newton, bracketed by certified signs (unique by "
                               "convexity), refined by interval Newton", dps=self.dps)

    def _newton_refine(self, X: arb) -> arb:
        r"""Interval Newton for :math:`g(c) = C(c) - c` on the bracket ``X`` of c* (inside workdps).

        :math:`C'` is nondecreasing on [0, 1] (C convex there), so :math:`g'(X)` lies between
        :math:`C'(\underline X) - 1` and :math:`C'(\overline X) - 1`, both below 0 at a stable
        c*; each step :math:`N = m - g(m)/g'(X)` keeps the root and squares the width.
        """
        goal = arb(10) ** (-(self.dps + 2))
        for _ in range(12):
            check_deadline()
            if X.rad() < goal * abs(X.mid()) or X.rad() == 0:
                break
            m = arb(X.mid())
            g = self._ball(m, 0)[0] - m
            d_lo = self._ball(arb(X.lower()), 1)[0] - 1
            d_hi = self._ball(arb(X.upper()), 1)[0] - 1
            dX = d_lo.union(d_hi)
            if not (dX < 0):
                break
            N = m - g / dX
            if not N.overlaps(X):
                raise CertificationError("interval Newton excluded c* from its certified bracket")
            new = N.intersection(X)
            if new.rad() >= X.rad() * arb(0.9):
                X = new
                break
            X = new
        return X

    @property
    def stable(self) -> bool:
        """Whether c* attracts (C'(c*) < 1; c* = 1 at criticality counts as marginal -> False)."""
        if self.fixed_point.value == 1:
            return bool(self.chi1 < 1)
        bracket = self.__dict__.get("_bracket")
        top = bracket[1] if bracket is not None else self.fixed_point.value
        return bool(self.derivative(top, 1) < 1)

    @functools.cached_property
    def depth_scale(self) -> Quantity:
        r""":math:`\xi_c = -1/\ln C'(c^*)` (``oo`` at criticality)."""
        d = self.chi1 if self.fixed_point.value == 1 else self.derivative(self.fixed_point.value, 1)
        bracket = self.__dict__.get("_bracket")
        if bracket is not None and d.level != "exact":
            # C' is nondecreasing on [0, 1] (C convex there): C'(c*) lies in [C'(lo), C'(hi)]
            d_lo, d_hi = self.derivative(bracket[0], 1), self.derivative(bracket[1], 1)
            d = Quantity.certified(d_lo.enclosure[0], d_hi.enclosure[1], method=d.method, name="C'(c*)")
        if d.level == "exact":
            v = sympy.simplify(-1 / sympy.log(d.value)) if d.value != 1 else sympy.oo
            return Quantity(v, "exact", method="closed form", name="xi_c")
        with workdps(self.dps + 5):
            lo, hi = d.enclosure
            bb = arb.union(as_ball(lo), as_ball(hi))  # the mpf ends exactly (no rounding to a Float)
            return to_quantity(-1 / bb.log(), name="xi_c", method="arb", dps=self.dps)

    def __repr__(self) -> str:
        return (f"CorrelationMap({self.act.name}, weight_var={self.weight_var}, "
                f"bias_var={self.bias_var}, q*={self.q_star}, level={self.level!r})")


def correlation_map(act: Any, weight_var: Any, bias_var: Any = 0, *, q: Any = None,
                    dps: int = DEFAULT_DPS) -> CorrelationMap:
    r"""The correlation map of a layer at the fixed point :math:`q^*` of its length map.

    Parameters
    ----------
    act : activation-like
    weight_var, bias_var : number
    q : number, keyword-only
        Evaluate the map at this input variance instead of :math:`q^*` (for example
        :math:`q = 1` at the variance-preserving gain, or where :math:`q^*` is 0).
        For positively homogeneous activations without bias the map does not depend on q.
    dps : int, keyword-only

    Examples
    --------
    >>> cm = correlation_map("relu", 2)
    >>> sympy.simplify(cm.formula - (sympy.sqrt(1 - cm.c**2) + (sympy.pi - sympy.acos(cm.c)) * cm.c) / sympy.pi)
    0
    >>> cm(0).value, cm.chi1.value
    (1/pi, 1)
    """
    dps = check_dps(dps)
    wv, bv = _variances(weight_var, bias_var)
    if q is not None:
        q = variance_arg(q, "q", positive=True)
    act = as_activation(act)
    kern = dual_kernel(act)
    steps: list[Record] = []
    homogeneous = kern.family == "arc-cosine"
    if q is not None or (homogeneous and bv == 0):
        qv = sympy.sympify(1 if q is None else q)
        qs = Quantity(qv, "exact", method="given", name="q") if not qv.is_Float else \
            Quantity(sympy.nsimplify(qv), "exact", method="given", name="q")
    elif homogeneous:
        m2 = kern.formula.subs({Q1: 1, Q2: 1, K: 1})
        if wv * m2 >= 1:
            raise ValueError(f"no fixed point: weight_var * E[phi^2]/q = {wv * m2} >= 1, q grows "
                             "without bound")
        qs = Quantity(sympy.simplify(bv / (1 - wv * m2)), "exact", method="closed form", name="q*")
    else:
        with workdps(dps + 5):
            qb, _slope, steps = _fixed_point(act, wv, bv, dps, 1)
            qs = to_quantity(qb, name="q*", method="interval newton", dps=dps)
    steps.append(Record("fact", {"statement": sympy.Eq(sympy.Symbol("C'(1)"), sympy.Symbol("chi_1")),
                                 "reference": "Poole et al. 2016"}, note="slope of the C-map at 1"))
    qball = qb if qs.level != "exact" else None
    if kern.formula is None:  # how every certified value of this map is enclosed
        with workdps(dps + 5):
            bits = int(flint.ctx.prec)
        steps.append(Record("integral", {"method": GAUSS2_METHOD, "dps": dps + 5, "bits": bits,
                                         "tail": "growth bound", "reference": "Johansson 2018"},
                            level="certified", note="the first of bivariate.METHODS that applies; "
                                                    "each value's method names the one used"))
    return CorrelationMap(act, wv, bv, qs, kern, dps, tuple(steps), qball)
