"""Tail sign proofs (symact.analysis.tails) against mpmath samples of the same functions.

A proved sign must agree with every sample on [R, 10**6] (evaluated by mpmath at 40
digits from lambdas written here, not from symact); expressions whose sign changes on the
tail must not get a proof.
"""

from __future__ import annotations

import mpmath as mp
import pytest
import sympy

from symact.analysis.tails import tail_bound, tail_sign

x = sympy.Symbol("x", real=True)
E, sqrt, pi, erfc, tanh, log = sympy.exp, sympy.sqrt, sympy.pi, sympy.erfc, sympy.tanh, sympy.log

CASES = [
    # (sympy expression, mpmath twin, R, method expected among the ones used)
    (erfc(x / sqrt(2)) / 2 - x * E(-x**2 / 2) / sqrt(2 * pi),
     lambda t: mp.erfc(t / mp.sqrt(2)) / 2 - t * mp.exp(-t**2 / 2) / mp.sqrt(2 * mp.pi), 8, "gaussian tail"),
    (2 - x**2 * E(-x) - 4 * x * E(-x), lambda t: 2 - t**2 * mp.exp(-t) - 4 * t * mp.exp(-t), 16, None),
    (x * (1 - tanh(x) ** 2) - tanh(x) + 1, lambda t: t * (1 - mp.tanh(t) ** 2) - mp.tanh(t) + 1, 16, None),
    (log(1 + E(-x)) - x * E(-x) / (1 + E(-x)), lambda t: mp.log1p(mp.exp(-t)) - t * mp.exp(-t) / (1 + mp.exp(-t)), 16, None),
    (x - sqrt(x**2 + 1) + 1 / (4 * x), lambda t: t - mp.sqrt(t * t + 1) + 1 / (4 * t), 16, "x = 1/t"),
]


@pytest.mark.parametrize("expr, twin, R, method", CASES)
def test_proved_signs_agree_with_samples(expr, twin, R, method):
    s, how = tail_sign(expr, x, R)
    assert s in (1, -1), how
    if method is not None:
        assert method in how
    with mp.workdps(40):
        for k in range(200):
            t = mp.mpf(R) * mp.mpf(1.07) ** k
            if t > 10**6:
                break
            v = twin(t)
            assert s * v >= 0, (expr, t, v)


def test_sign_changing_tail_gets_no_proof():
    assert tail_sign(sympy.sin(x), x, 16)[0] is None
    assert tail_sign(x - 100, x, 16)[0] is None


def test_tail_record_is_typed():
    t = tail_bound(x * (1 + sympy.erf(x / sqrt(2))) / 2, x, 8, -1, None)
    rec = t.record
    assert rec.kind == "tail" and rec["side"] == "-" and rec["R"] == 8 and rec["limit"] == 0
    assert rec["argument"] == "monotone" and "gaussian tail" in rec["methods"]
