r"""Exact Gaussian integrals of polynomial-times-exponential pieces, by a proved recursion.

For :math:`Y \sim \mathcal N(0, q)` with density :math:`\varphi_q` let
:math:`F_n(t) = \int_t^\infty y^n \varphi_q(y)\,dy`.  Integration by parts
(:math:`y\,\varphi_q(y) = -q\,\varphi_q'(y)`) gives

.. math::

    F_0(t) = \tfrac12 \operatorname{erfc}\!\big(t/\sqrt{2q}\big), \quad
    F_1(t) = q\,\varphi_q(t), \quad
    F_n(t) = q\,t^{n-1}\varphi_q(t) + (n-1)\,q\,F_{n-2}(t),

with :math:`F_n(-\infty) = \mathbb E[Y^n]` and :math:`F_n(\infty) = 0`, so
:math:`\int_a^b y^n\varphi_q = F_n(a) - F_n(b)`.  A factor :math:`e^{cy}` is
absorbed by completing the square, :math:`e^{cy}\varphi_q(y) =
e^{c^2q/2}\varphi_q(y - cq)`, and a binomial expansion.  Every piece of ReLU,
leaky ReLU, ELU, SELU, hard tanh, hardswish, ReLU6, ... and their squares and
derivatives is of this form, so their expectations are exact closed forms
obtained in milliseconds without SymPy's ``integrate``.

>>> import sympy
>>> x = sympy.Symbol("x", real=True)
>>> piece_integral(x ** 2, sympy.Integer(0), sympy.oo, sympy.Integer(1), x)
1/2
>>> piece_integral(sympy.exp(x), -sympy.oo, sympy.oo, sympy.Integer(2), x)
E
"""

from __future__ import annotations

import sympy

__all__ = ["piece_integral", "poly_exp_terms"]


def _term(term: sympy.Expr, x: sympy.Symbol) -> tuple[sympy.Expr, int, sympy.Expr, sympy.Expr] | None:
    r"""``term`` as :math:`c\,x^n e^{a x + b x^2}`: ``(c, n, a, b)``, or None."""
    coeff, rest = term.as_independent(x, as_Add=False)
    n, a, b = 0, sympy.S.Zero, sympy.S.Zero
    for f in sympy.Mul.make_args(rest):
        if f == x:
            n += 1
        elif f.is_Pow and f.base == x and f.exp.is_Integer and f.exp > 0:
            n += int(f.exp)
        elif isinstance(f, sympy.exp) or (f.is_Pow and f.base == sympy.E):
            arg = f.args[0] if isinstance(f, sympy.exp) else f.exp
            poly = sympy.Poly(arg, x) if arg.is_polynomial(x) else None
            if poly is None or poly.degree() > 2:
                return None
            cs = [sympy.S.Zero] * (2 - poly.degree()) + poly.all_coeffs()
            b, a = b + cs[0], a + cs[1]
            coeff *= sympy.exp(cs[2])
        elif f == 1:
            continue
        else:
            return None
    return coeff, n, a, b


def _expanded(expr: sympy.Expr) -> sympy.Expr:
    return sympy.expand(expr, power_exp=True, log=False, deep=True)


def poly_exp_terms(expr: sympy.Expr, x: sympy.Symbol) -> list[tuple[sympy.Expr, int, sympy.Expr]] | None:
    r"""Write ``expr`` as :math:`\sum_i c_i x^{n_i} e^{a_i x}` (``(c, n, a)`` triples), or ``None``.

    >>> x = sympy.Symbol("x", real=True)
    >>> poly_exp_terms(3 * x * sympy.exp(2 * x + 1) + 5, x)
    [(5, 0, 0), (3*E, 1, 2)]
    >>> poly_exp_terms(sympy.tanh(x), x) is None
    True
    """
    out: list[tuple[sympy.Expr, int, sympy.Expr]] = []
    for term in sympy.Add.make_args(_expanded(expr)):
        if term == 0:
            continue
        t = _term(term, x)
        if t is None or t[3] != 0:
            return None
        out.append(t[:3])
    return out


def _F(n: int, t: sympy.Expr, q: sympy.Expr) -> sympy.Expr:
    """F_n(t) = integral of y^n phi_q(y) over (t, oo)."""
    if t is sympy.S.Infinity:
        return sympy.S.Zero
    if t is sympy.S.NegativeInfinity:
        return sympy.S.Zero if n % 2 else q ** sympy.Rational(n, 2) * sympy.factorial2(n - 1)
    dens = sympy.exp(-t**2 / (2 * q)) / sympy.sqrt(2 * sympy.pi * q)
    vals = [sympy.erfc(t / sympy.sqrt(2 * q)) / 2, q * dens]
    for j in range(2, n + 1):
        vals.append(q * t ** (j - 1) * dens + (j - 1) * q * vals[j - 2])
    return vals[n]


def piece_integral(expr: sympy.Expr, lo: sympy.Expr, hi: sympy.Expr, q: sympy.Expr, x: sympy.Symbol) -> sympy.Expr | None:
    r""":math:`\int_{lo}^{hi} f(t)\,\varphi_q(t)\,dt` exactly for :math:`f = \sum c\,t^n e^{at + bt^2}`, else ``None``.

    A factor :math:`e^{b t^2}` (with :math:`1 - 2bq > 0`) changes the variance:
    :math:`e^{bt^2}\varphi_q(t) = \varphi_{q'}(t)/\sqrt{1 - 2bq}`, :math:`q' = q/(1 - 2bq)`.
    On a symmetric interval (:math:`lo = -hi`) a term that SymPy proves odd
    (:math:`g(-t) = -g(t)` after expansion) integrates to 0 whatever it is
    (:math:`t\sqrt{t^2 + 4}` in squareplus squared).

    >>> x = sympy.Symbol("x", real=True)
    >>> piece_integral(x, sympy.Integer(0), sympy.oo, sympy.Integer(1), x)
    sqrt(2)/(2*sqrt(pi))
    >>> piece_integral(sympy.exp(-2 * x**2), -sympy.oo, sympy.oo, sympy.Integer(1), x)
    sqrt(5)/5
    >>> piece_integral((x / 2 + sympy.sqrt(x**2 + 4) / 2) ** 2, -sympy.oo, sympy.oo, sympy.Integer(1), x)
    3/2
    """
    symmetric = bool(lo == -hi) or (lo.is_finite and hi.is_finite and sympy.simplify(lo + hi) == 0)
    total = sympy.S.Zero
    for term in sympy.Add.make_args(_expanded(expr)):
        if term == 0:
            continue
        t = _term(term, x)
        if t is None:
            if symmetric and sympy.expand(term.subs(x, -x) + term) == 0:
                continue  # odd: its integral over a symmetric interval is 0
            return None
        c, n, a, b = t
        qq, scale = q, sympy.S.One
        if b != 0:
            den = sympy.simplify(1 - 2 * b * q)
            if not den.is_positive:
                return None
            qq, scale = q / den, 1 / sympy.sqrt(den)
        shift = a * qq
        part = sympy.S.Zero
        for j in range(n + 1):
            part += sympy.binomial(n, j) * shift ** (n - j) * (_F(j, lo - shift, qq) - _F(j, hi - shift, qq))
        total += c * scale * sympy.exp(a**2 * qq / 2) * part
    return total
