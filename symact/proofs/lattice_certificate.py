r"""Integer relations among real numbers given as balls: found by LLL, or excluded rigorously.

For real numbers :math:`v_0, \dots, v_{n-1}` known only as balls
:math:`|v_i - m_i| \le r_i` (:math:`m_i`, :math:`r_i` dyadic), take a scale
:math:`N = 2^s` and the integer lattice :math:`L` spanned by the rows

.. math::

   b_i = (e_i,\ t_i), \qquad t_i = \operatorname{round}(N m_i) \in \mathbb{Z}.

**Finding.**  A short vector of an LLL-reduced basis of :math:`L` is a candidate
relation: its first :math:`n` coordinates :math:`a` satisfy
:math:`|\sum a_i N m_i| \lesssim \|a\|`, i.e. :math:`\sum a_i v_i \approx 0`.  A
candidate is only that: :mod:`symact.proofs.identify` checks it in ball arithmetic
and asks it to leave digits to spare.

**Excluding** (the certificate).  Suppose :math:`a \ne 0` is an integer vector with
:math:`\sum a_i v_i = 0` for some :math:`v` in the balls.  Write
:math:`\delta_i = t_i - N v_i`, so :math:`|\delta_i| \le 1/2 + N r_i` and
:math:`\sum a_i t_i = \sum a_i \delta_i`.  The lattice vector
:math:`\sum a_i b_i = (a, \sum a_i t_i)` is non-zero and, by Cauchy--Schwarz,

.. math::

   \Bigl\| \sum_i a_i b_i \Bigr\|^2 = \|a\|^2 + \Bigl(\sum_i a_i \delta_i\Bigr)^2
   \le \|a\|^2 \,(1 + E^2), \qquad E^2 = \sum_i (1/2 + N r_i)^2 .

Every non-zero vector of :math:`L` is at least as long as the shortest Gram--Schmidt
vector of *any* basis of :math:`L`: :math:`\lambda_1(L) \ge \mu = \min_j \|b_j^*\|`
(e.g. Cohen, *A Course in Computational Algebraic Number Theory*, Prop. 2.6.6).  Hence
no such :math:`a` with :math:`\|a\|_2 \le M` exists when :math:`M^2 (1 + E^2) < \mu^2`.
The Gram--Schmidt norms come from exact integer determinants,
:math:`\|b_j^*\|^2 = \det G_j / \det G_{j-1}` (:math:`G_j` the Gram matrix of the first
:math:`j` rows), and :math:`E` from the balls' exact dyadic ends, so the bound is a
theorem about every point of the balls, not a floating-point heuristic.  LLL only
makes :math:`\mu` large; it plays no part in the proof.

>>> import flint
>>> from symact.core.precision import workprec
>>> with workprec(200):
...     balls = [flint.arb(2).sqrt(), flint.arb(1), flint.arb(3).sqrt()]
>>> bound = excluded_norm(balls)
>>> bound > 10**15       # no a*sqrt(2) + b + c*sqrt(3) = 0 with |(a, b, c)| <= bound
True
>>> relation([flint.arb(2).sqrt() * 3 + 1, flint.arb(1), flint.arb(2).sqrt()])
(1, -1, -3)
"""

from __future__ import annotations

from fractions import Fraction
from math import isqrt

import flint

__all__ = ["excluded_norm", "relation", "scaled_lattice"]


def _exact(a: flint.arb) -> Fraction:
    man, exp = a.man_exp()  # an exact (radius-0) ball
    return Fraction(int(man)) * (Fraction(2) ** int(exp))


def _mid_rad(b: flint.arb) -> tuple[Fraction, Fraction]:
    """The ball's exact dyadic midpoint and an exact upper bound on its radius."""
    if not b.is_finite():
        raise ValueError("a ball with an infinite or NaN end has no integer-relation certificate")
    rad = b.rad()  # the radius as a ball (a tiny ball around an exact mag value)
    return _exact(b.mid()), _exact(rad.mid()) + _exact(rad.rad().mid()) * 2


def scaled_lattice(balls: list[flint.arb]) -> tuple[flint.fmpz_mat, Fraction]:
    """The lattice rows :math:`(e_i, \\operatorname{round}(N m_i))` and :math:`E^2` for the balls.

    The scale :math:`N = 2^s` is chosen so that :math:`N \\max r_i \\approx 1/4`.

    >>> B, e2 = scaled_lattice([flint.arb(1) / 3, flint.arb(1)])
    >>> B.nrows(), B.ncols(), e2 < 2
    (2, 3, True)
    """
    mids, rads = zip(*(_mid_rad(b) for b in balls), strict=True)
    r = max(rads)
    if r == 0:  # exact points: any scale works; take one that keeps entries moderate
        s = 200
    else:
        s = max(0, -(r.numerator.bit_length() - r.denominator.bit_length()) - 3)
    scale = Fraction(2) ** s
    n = len(balls)
    rows = []
    for i, m in enumerate(mids):
        t = round(m * scale)
        rows.append([1 if j == i else 0 for j in range(n)] + [int(t)])
    e2 = sum((Fraction(1, 2) + scale * ri) ** 2 for ri in rads)
    return flint.fmpz_mat(rows), e2


def _min_gram_schmidt_sq(basis: flint.fmpz_mat) -> Fraction:
    gram = basis * basis.transpose()
    n = gram.nrows()
    best: Fraction | None = None
    prev = 1
    for j in range(1, n + 1):
        minor = flint.fmpz_mat([[int(gram[i, k]) for k in range(j)] for i in range(j)])
        det = int(minor.det())
        if det <= 0:  # the rows are independent (identity block), so this cannot happen
            raise ArithmeticError("degenerate lattice basis")
        value = Fraction(det, prev)
        best = value if best is None else min(best, value)
        prev = det
    assert best is not None
    return best


def excluded_norm(balls: list[flint.arb]) -> int:
    r"""The largest :math:`M` certified: no integer :math:`a \ne 0` with :math:`\|a\|_2 \le M` and :math:`\sum a_i v_i = 0`.

    Valid for every choice of :math:`v_i` in the balls (see the module notes for the
    proof).  Returns 0 when nothing can be certified (the balls are too wide, or the
    numbers are related by small integers).

    >>> excluded_norm([flint.arb(2), flint.arb(1)])   # (1, -2) is a relation, of norm sqrt(5)
    1
    """
    lattice, e2 = scaled_lattice(balls)
    reduced = lattice.lll()
    mu2 = _min_gram_schmidt_sq(reduced)
    bound_sq = mu2 / (1 + e2)  # need M^2 < bound_sq
    m = isqrt(bound_sq.numerator // bound_sq.denominator)
    while m > 0 and m * m >= bound_sq:
        m -= 1
    return m


def relation(balls: list[flint.arb], involving: int = 1) -> tuple[int, ...] | None:
    """A candidate integer relation among the balls from LLL (not checked; may be spurious).

    The first row of the reduced basis with a non-zero coordinate among the first
    ``involving`` ones (the terms that hold the unknown number), sign-normalised so that
    its first such coordinate is positive; ``None`` if there is none.

    >>> relation([flint.arb(1) / 7, flint.arb(1)])
    (7, -1)
    """
    lattice, _ = scaled_lattice(balls)
    reduced = lattice.lll()
    n = len(balls)
    for i in range(reduced.nrows()):
        a = [int(reduced[i, j]) for j in range(n)]
        lead = next((v for v in a[:involving] if v != 0), 0)
        if lead:
            return tuple(a) if lead > 0 else tuple(-v for v in a)
    return None
