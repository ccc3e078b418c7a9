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


def poly_exp_terms(expr: sympy.Expr, x: sympy.Symbol) -> list[tuple[sympy.Expr, int, sympy.Expr]] | None:
    r"""Write ``expr`` as :math:`\sum_i c_i x^{n_i} e^{a_i x}` (``(c, n, a)`` triples), or ``None``.

    >>> x = sympy.Symbol("x", real=True)
    >>> poly_exp_terms(3 * x * sympy.exp(2 * x + 1) + 5, x)
    [(5, 0, 0), (3*E, 1, 2)]
    >>> poly_exp_terms(sympy.tanh(x), x) is None
    True
    """
    e = sympy.expand(expr, power_exp=True, log=False, deep=True)
    out: list[tuple[sympy.Expr, int, sympy.Expr]] = []
    for term in sympy.Add.make_args(e):
        if term == 0:
            continue
        coeff, rest = term.as_independent(x, as_Add=False)
        n, a = 0, sympy.S.Zero
        for f in sympy.Mul.make_args(rest):
            if f == x:
                n += 1
            elif f.is_Pow and f.base == x and f.exp.is_Integer and f.exp > 0:
                n += int(f.exp)
            elif isinstance(f, sympy.exp) or (f.is_Pow and f.base == sympy.E):
                arg = f.args[0] if isinstance(f, sympy.exp) else f.exp
                poly = sympy.Poly(arg, x) if arg.is_polynomial(x) else None
                if poly is None or poly.degree() > 1:
                    return None
                c1, c0 = poly.all_coeffs() if poly.degree() == 1 else (0, poly.all_coeffs()[0])
                a += c1
                coeff *= sympy.exp(c0)
            elif f == 1:
                continue
            else:
                return None
        out.append((coeff, n, a))
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
    r""":math:`\int_{lo}^{hi} f(t)\,\varphi_q(t)\,dt` exactly for :math:`f = \sum c\,t^n e^{at}`, else ``None``.

    >>> x = sympy.Symbol("x", real=True)
    >>> piece_integral(x, sympy.Integer(0), sympy.oo, sympy.Integer(1), x)
    sqrt(2)/(2*sqrt(pi))
    """
    terms = poly_exp_terms(expr, x)
    if terms is None:
        return None
    total = sympy.S.Zero
    for c, n, a in terms:
        shift = a * q
        part = sympy.S.Zero
        for j in range(n + 1):
            part += sympy.binomial(n, j) * shift ** (n - j) * (_F(j, lo - shift, q) - _F(j, hi - shift, q))
        total += c * sympy.exp(a**2 * q / 2) * part
    return total
