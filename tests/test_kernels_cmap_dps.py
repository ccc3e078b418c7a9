"""The C-map's fixed point c* honours dps (issue 20, item 7), against Mehler's series in mpmath.

Reference: E[phi(u)phi(v)] = sum_n c^n a_n^2 with a_n = E[phi(sqrt(q*) z) He_n(z)]/sqrt(n!)
(Mehler's formula), the a_n by Gauss-Legendre on [-14, 14] in unit pieces at 45 digits, q*
and c* by mpmath.findroot: nothing of symact's.
"""

import mpmath
import pytest
import sympy

import symact as sa


def mehler_fixed_point(w, b, dps=45, terms=61):
    with mpmath.workdps(dps):
        gl = mpmath.calculus.quadrature.GaussLegendre(mpmath.mp)
        nodes = gl.calc_nodes(5, mpmath.mp.prec)
        grid = [(k + (x + 1) / 2, wt / 2) for k in range(-14, 14) for x, wt in nodes]
        norm = 1 / mpmath.sqrt(2 * mpmath.pi)

        def E(f):
            return norm * mpmath.fsum(wt * f(z) * mpmath.exp(-z * z / 2) for z, wt in grid)

        w, b = mpmath.mpf(w.p) / w.q, mpmath.mpf(b.p) / b.q
        q = mpmath.findroot(lambda q: w * E(lambda z: mpmath.tanh(mpmath.sqrt(q) * z) ** 2) + b - q,
                            mpmath.mpf(2))
        s = mpmath.sqrt(q)
        acc = [mpmath.mpf(0)] * (terms + 1)
        for z, wt in grid:  # all He_n(z) by the three-term recurrence
            g = wt * mpmath.tanh(s * z) * mpmath.exp(-z * z / 2)
            h0, h1 = mpmath.mpf(1), z
            acc[0] += g
            acc[1] += g * z
            for n in range(1, terms):
                h0, h1 = h1, z * h1 - n * h0
                acc[n + 1] += g * h1
        a2 = [(norm * acc[n]) ** 2 / mpmath.factorial(n) for n in range(terms + 1)]
        C = lambda c: (w * mpmath.fsum(c**n * v for n, v in enumerate(a2)) + b) / q  # noqa: E731
        return mpmath.findroot(lambda c: C(c) - c, mpmath.mpf("0.16"))


@pytest.mark.slow
def test_fixed_point_has_dps_digits():
    w, b = sympy.Integer(4), sympy.Rational(1, 20)
    ref = mehler_fixed_point(w, b)
    slack = mpmath.mpf(10) ** -38  # the reference's own accuracy (its quadrature and findroot)
    for dps, width in ((15, 1e-15), (40, 1e-39)):
        fp = sa.correlation_map("tanh", w, b, dps=dps).fixed_point
        lo, hi = fp.enclosure
        with mpmath.workdps(50):
            assert lo - slack <= ref <= hi + slack
            assert hi - lo < width  # was 2e-11 at any dps
