"""Every digit through every door (issue 20 item 6): float, sympy.N, latex of certified results."""

from __future__ import annotations

import re
from fractions import Fraction

import mpmath as mp
import pytest
import sympy

import symact as sa

from .checks import case, contains
from .ref import CATALOGUE, DPS, critical_value, expect, fixed_point, gain, start_point

F = Fraction


def _silu_sup():
    return sa.derivative_bounds("silu").sup, critical_value(CATALOGUE["silu"][1], 2.4)


def _tanh_mf(which):
    def get():
        mf = sa.mean_field("tanh", sympy.Rational(3, 2), sympy.Rational(1, 20))
        q, chi, _ = fixed_point("tanh", F(3, 2), F(1, 20), start_point("tanh", F(3, 2), F(1, 20)))
        return (mf.q_star, q) if which == "q" else (mf.chi1, chi)
    return get


def _gain(name):
    return lambda: (sa.gain(name), gain(name))


def _expect_tanh2():
    return sa.expect("tanh(x)**2"), expect("tanh", 1)


RESULTS = {"silu' sup": _silu_sup, "tanh q*": _tanh_mf("q"), "tanh chi_1": _tanh_mf("chi"),
           "gain(gelu)": _gain("gelu"), "E[tanh^2]": _expect_tanh2}


@pytest.mark.parametrize("what", [case(k) for k in RESULTS])
def test_sympy_n_at_every_certified_digit(what):
    r, ref = RESULTS[what]()
    contains(r, ref, what)
    lo, hi = r.enclosure
    with mp.workdps(DPS):
        width = (mp.mpf(hi) - mp.mpf(lo)) / abs(ref)
        certified = int(-mp.log10(width)) - 1 if width > 0 else 30
        wrong = []
        for n in range(15, min(certified, 30) + 1):
            shown = mp.mpf(str(sympy.N(r, n)))
            if abs(shown - ref) > mp.mpf(10) ** (1 - n) * abs(ref):
                wrong.append((n, str(sympy.N(r, n))))
    assert not wrong, f"{what} = {mp.nstr(ref, 32)}: sympy.N wrong at (n, shown) {wrong[:3]}"


@pytest.mark.parametrize("what", list(RESULTS))
def test_float_and_latex_show_only_true_digits(what):
    r, ref = RESULTS[what]()
    with mp.workdps(DPS):
        assert abs(mp.mpf(float(r)) - ref) <= mp.mpf(2) ** -52 * abs(ref), f"float({what}) = {float(r)!r}"
        for text in (sympy.latex(r), str(r.value)):
            m = re.search(r"-?\d+\.\d+", text)
            if m is None:
                continue
            shown = m.group(0)
            digits = len(shown.replace("-", "").replace(".", "").lstrip("0"))
            # every digit shown is certified: the shown decimal is within one unit of its last place
            ulp = mp.mpf(10) ** (-(len(shown.split(".")[1])))
            assert abs(mp.mpf(shown) - ref) <= ulp, f"{what}: {text!r} shows {digits} digits, truth {mp.nstr(ref, 35)}"
