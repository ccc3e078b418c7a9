"""Piece detection: a numeric "they differ" test before simplify keeps SELU's split cheap.

References: SELU's published constants (Klambauer et al. 2017, tests/reference.py) and
hand-written closed forms; merging of equal formulas is checked on identities that only
simplify can see (sin^2 + cos^2 = 1).
"""

from __future__ import annotations

import mpmath as mp
import sympy

import symact as sa
from symact.expressions.activation import Activation
from symact.expressions.pieces import differs_numerically, split
from tests.reference import SELU_ALPHA, SELU_SCALE

x = sa.x


def test_selu_pieces_and_kink():
    sa.clear_cache()
    act = sa.activation("selu")
    pieces = split(act.expr, x)
    assert [(p.lo, p.hi) for p in pieces] == [(-sympy.oo, 0), (0, sympy.oo)]
    with mp.workdps(30):
        lam, alpha = SELU_SCALE(), SELU_ALPHA()
        for t in ("-2.5", "-0.1"):
            v = mp.mpf(sympy.N(pieces[0].expr.subs(x, sympy.Rational(t)), 30))
            assert abs(v - lam * alpha * (mp.exp(mp.mpf(t)) - 1)) < mp.mpf(10) ** -25
        v = mp.mpf(sympy.N(pieces[1].expr.subs(x, 3), 30))
        assert abs(v - 3 * lam) < mp.mpf(10) ** -25
    (b,) = act.breakpoints
    assert b.smoothness == 0  # continuous; phi'(0-) = lambda*alpha != lambda = phi'(0+)
    assert act.kinks == (0,) and act.jumps == ()


def test_equal_formulas_written_differently_still_merge():
    f = sympy.Piecewise((sympy.sin(x) ** 2 + sympy.cos(x) ** 2 + x, x > 0), (1 + x, True))
    assert len(split(f, x)) == 1
    smooth = Activation("smooth", sympy.Piecewise((sympy.exp(x), x > 0), (1 + x + x**2 / 2, True)))
    (b,) = smooth.breakpoints
    assert b.smoothness == 2  # e^x and 1 + x + x^2/2 agree to second order at 0


def test_differs_numerically_only_says_yes_when_sure():
    assert differs_numerically(sympy.exp(x) - 1, x)
    assert not differs_numerically(sympy.sin(x) ** 2 + sympy.cos(x) ** 2 - 1, x)
    assert not differs_numerically(sympy.Symbol("a") * x, x)  # a free parameter: no claim
    assert not differs_numerically(sympy.Float("1e-30") * x, x)  # tiny: left to simplify
