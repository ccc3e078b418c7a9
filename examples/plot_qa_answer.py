r"""
Why deep sigmoid stacks lose their gradient and ReLU does not
=============================================================

This script reproduces, end to end and with exact mathematics, the well-known
Q&A answer on vanishing gradients:

* the identity :math:`\sigma'(x) = \sigma(x)(1-\sigma(x))`, proved symbolically;
* its maximum :math:`1/4`, attained at :math:`x = 0`;
* the worst-case bound :math:`(1/4)^n` through :math:`n` layers, and the depth
  (10) at which it drops below :math:`10^{-6}`;
* ReLU's derivative, exactly 0 or 1, with a kink at 0 whose subdifferential is
  :math:`[0, 1]`;
* the follow-ups: does :math:`4\sigma` fix the problem (only in the worst case,
  only at :math:`x = 0`), and dead ReLU units (the derivative is 0 on a whole
  half-line).

It writes a LaTeX document with the derivations to ``sys.argv[1]`` (or a
temporary directory) and prints a summary.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import sympy

import symact as sa
from symact.proofs.analysis_steps import derive
from symact.proofs.derivation import Derivation, Notation, Step
from symact.proofs.documents import combined_document
from symact.proofs.claims import explain_four_sigmoid
from symact.proofs.verify import check_bound, check_identity

sigmoid, relu = sa.activation("sigmoid"), sa.activation("relu")

# 1. the identity sigma' = sigma (1 - sigma)
identity = check_identity(sigmoid.derivative(), "sigmoid(x)*(1 - sigmoid(x))")

# 2. its maximum, exactly
top = sa.sup(sigmoid.derivative())
quarter = check_bound(sigmoid.derivative(), upper=sympy.Rational(1, 4))

# 3. n layers: (1/4)^n, and the depth to reach 1e-6
n = sympy.Symbol("n", positive=True, integer=True)
bound = sa.gradient_bound(sigmoid, n)
depth = sa.gradient_bound(sigmoid, 1).depth_below(1e-6)

# 4. ReLU: derivative 0 or 1, kink at 0
relu_d = relu.derivative()
relu_sub = relu.subdifferential(0)
relu_bound = sa.gradient_bound(relu, n)

# 5. follow-ups: 4 sigma, and dead ReLU units
four = explain_four_sigmoid()
dead = sa.inf(relu_d)

GRAD = Notation(r"\left|\frac{\partial a_n}{\partial a_0}\right|", "|d a_n / d a_0|")
qa = Derivation(
    "The Q&A answer, verified",
    (
        Step("identity", Notation(r"\sigma'(x)", "sigma'(x)"), Notation(r"\sigma(x)\,(1 - \sigma(x))", "sigma(x) (1 - sigma(x))"),
             "=", identity.summary),
        Step("conclusion", Notation(r"\sup_x \sigma'(x)", "sup sigma'"), top.value, "=", top.describe()),
        Step("bound", GRAD, bound.expr, "<=", f"regime: {bound.regime}"),
        Step("depth", Notation(r"n_{\min}", "n_min"), sympy.Integer(depth), "=", "first n with (1/4)^n < 1e-6"),
        Step("derivative", Notation(r"\operatorname{relu}'(x)", "relu'(x)"), relu_d, "=", "exactly 0 or 1"),
        Step("subdifferential", Notation(r"\partial \operatorname{relu}(0)", "∂relu(0)"), relu_sub, "=", "kink at 0"),
        Step("bound", GRAD, relu_bound.expr, "<=", f"ReLU: {relu_bound.regime}"),
        Step("note", four.summary, None, ""),
        Step("note", f"dead ReLU: inf relu' = {dead.value} attained on {sympy.sstr(dead.at)}: "
             "a unit whose pre-activation stays negative passes no gradient", None, ""),
    ),
    (("sup sigma'", str(top.value)), ("bound after n layers", sympy.sstr(bound.expr)),
     ("depth to 1e-6", str(depth)), ("ReLU subdifferential at 0", sympy.sstr(relu_sub))),
)


def main(argv: list[str]) -> Path:
    """Write the LaTeX document and print the summary; return the file written."""
    out = Path(argv[1]) if len(argv) > 1 else Path(tempfile.mkdtemp()) / "qa_answer.tex"
    out.parent.mkdir(parents=True, exist_ok=True)
    doc = combined_document([qa, derive(sigmoid), derive(relu)], title="Vanishing gradients: sigmoid vs ReLU")
    out.write_text(doc, encoding="utf-8")
    print(qa.text())
    print(f"\nLaTeX written to {out}")
    return out


if __name__ == "__main__":
    main(sys.argv)
