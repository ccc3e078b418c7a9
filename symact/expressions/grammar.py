r"""The vocabulary both formula readers share: functions, constants, Greek names, numbers.

:class:`FunctionTable` resolves a name used in a formula (the built-in
functions, the caller's table such as the catalogue's activations, a few
fallbacks); :func:`number_from_text` reads a literal exactly; :func:`safe_pow`
refuses powers that would build enormous numbers.

>>> number_from_text("0.01")
1/100
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

import sympy

from ..core.budget import check_deadline
from ..core.errors import UnsafeExpression
from .kinks import explain_undefined, kink_diff, note
from .textlimits import MAX_DIFF_ORDER, MAX_DIGITS, MAX_EXPONENT, check_size

__all__ = ["CONSTANTS", "GREEK", "MAX_POW_BITS", "DisplayTable", "FunctionTable", "number_from_text", "safe_pow"]

MAX_POW_BITS = 100_000
_MAX_DIFF_ORDER = MAX_DIFF_ORDER


# --------------------------------------------------------------------------- functions
def _sigmoid(u: sympy.Expr) -> sympy.Expr:
    return 1 / (1 + sympy.exp(-u))


def _normal_cdf(u: sympy.Expr) -> sympy.Expr:
    return (1 + sympy.erf(u / sympy.sqrt(2))) / 2


def _normal_pdf(u: sympy.Expr) -> sympy.Expr:
    return sympy.exp(-(u**2) / 2) / sympy.sqrt(2 * sympy.pi)


def _clip(u: sympy.Expr, lo: sympy.Expr, hi: sympy.Expr) -> sympy.Expr:
    return sympy.Min(sympy.Max(u, lo), hi)


# name -> (callable, minimum number of arguments, maximum number or None for any)
_BUILTINS: dict[str, tuple[Callable[..., Any], int, int | None]] = {
    "exp": (sympy.exp, 1, 1),
    "log": (sympy.log, 1, 2),
    "ln": (sympy.log, 1, 1),
    "sqrt": (sympy.sqrt, 1, 1),
    "abs": (sympy.Abs, 1, 1),
    "Abs": (sympy.Abs, 1, 1),
    "sign": (sympy.sign, 1, 1),
    "sgn": (sympy.sign, 1, 1),
    "tanh": (sympy.tanh, 1, 1),
    "sinh": (sympy.sinh, 1, 1),
    "cosh": (sympy.cosh, 1, 1),
    "sech": (sympy.sech, 1, 1),
    "sin": (sympy.sin, 1, 1),
    "cos": (sympy.cos, 1, 1),
    "tan": (sympy.tan, 1, 1),
    "asin": (sympy.asin, 1, 1),
    "arcsin": (sympy.asin, 1, 1),
    "acos": (sympy.acos, 1, 1),
    "arccos": (sympy.acos, 1, 1),
    "atan": (sympy.atan, 1, 1),
    "arctan": (sympy.atan, 1, 1),
    "asinh": (sympy.asinh, 1, 1),
    "arcsinh": (sympy.asinh, 1, 1),
    "acosh": (sympy.acosh, 1, 1),
    "arccosh": (sympy.acosh, 1, 1),
    "atanh": (sympy.atanh, 1, 1),
    "arctanh": (sympy.atanh, 1, 1),
    "erf": (sympy.erf, 1, 1),
    "erfc": (sympy.erfc, 1, 1),
    "Phi": (_normal_cdf, 1, 1),
    "phi": (_normal_pdf, 1, 1),
    "max": (sympy.Max, 1, None),
    "Max": (sympy.Max, 1, None),
    "min": (sympy.Min, 1, None),
    "Min": (sympy.Min, 1, None),
    "clip": (_clip, 3, 3),
    "heaviside": (sympy.Heaviside, 1, 2),
    "Heaviside": (sympy.Heaviside, 1, 2),
    "LambertW": (sympy.LambertW, 1, 2),
    "lambertw": (sympy.LambertW, 1, 2),
}
# used only when the caller's ``functions`` does not define the name
_FALLBACKS: dict[str, Callable[..., Any]] = {"sigmoid": _sigmoid}
CONSTANTS: dict[str, sympy.Expr] = {
    "pi": sympy.pi,
    "e": sympy.E,
    "E": sympy.E,
    "oo": sympy.oo,
    "inf": sympy.oo,
}
GREEK = {
    "α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "ε": "epsilon", "θ": "theta",
    "κ": "kappa", "λ": "lambda", "μ": "mu", "ν": "nu", "ρ": "rho", "σ": "sigma", "τ": "tau",
}  # fmt: skip


class FunctionTable:
    r"""Resolve function names: built-ins first, then the caller's table.

    Lookup order: an exact built-in name (``exp``, ``tanh``, ``Phi`` ...), an
    exact name in ``functions``, the same case-insensitively (``ReLU`` finds
    ``relu``), then the logistic ``sigmoid`` as a fallback.

    >>> import sympy
    >>> t = FunctionTable({"relu": lambda u: sympy.Max(0, u)})
    >>> t.call("ReLU", [sympy.Integer(-3)])
    0
    """

    def __init__(self, functions: Mapping[str, Callable[..., Any]] | None = None) -> None:
        self.functions = dict(functions or {})
        self._folded = {name.casefold(): fn for name, fn in self.functions.items()}
        self.diff_order = 0  # total derivative order taken so far in this formula

    def diff(self, expr: sympy.Expr, var: sympy.Symbol, order: int) -> sympy.Expr:
        """``d^order expr / d var^order``, counted against :data:`MAX_DIFF_ORDER`."""
        self.diff_order += order
        if order < 1 or self.diff_order > MAX_DIFF_ORDER:
            raise UnsafeExpression(
                f"derivatives of total order {self.diff_order} in one formula; the limit is "
                f"{MAX_DIFF_ORDER} (write f'(x), diff(f, x, n) or d/dx(...) with orders "
                f"adding up to at most {MAX_DIFF_ORDER})"
            )
        check_deadline()
        value = kink_diff(expr, var, order)  # undefined (nan) where the derivative does not exist
        check_size(value)
        return value

    def lookup(self, name: str) -> Callable[..., Any] | None:
        """Return the callable for ``name`` or ``None``."""
        if name in _BUILTINS:
            return _BUILTINS[name][0]
        if name in self.functions:
            return self.functions[name]
        if name.casefold() in self._folded:
            return self._folded[name.casefold()]
        return _FALLBACKS.get(name.casefold())

    def names(self) -> list[str]:
        """All accepted function names, sorted."""
        return sorted({*_BUILTINS, *self.functions, *_FALLBACKS})

    def unknown(self, name: str, kind: str = "function") -> UnsafeExpression:
        """An error for an unknown function name, with suggestions."""
        close = difflib.get_close_matches(name, self.names(), n=3, cutoff=0.6)
        if not close:  # case-insensitive near misses too ("Sigmod")
            folded = {n.casefold(): n for n in self.names()}
            close = [folded[c] for c in difflib.get_close_matches(name.casefold(), list(folded), n=3, cutoff=0.6)]
        hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else "."
        return UnsafeExpression(
            f"{name!r} is not an accepted {kind}{hint} Accepted functions: exp, log, sqrt, abs, tanh, "
            "erf, Phi, max, min, clip, heaviside and the others of SymPy's elementary functions, "
            "and the activations of the catalogue (relu, gelu, silu, ...: see `symact list`)."
        )

    def call(self, name: str, args: list[sympy.Expr]) -> sympy.Expr:
        """Apply function ``name`` to ``args`` (arity checked for built-ins)."""
        fn = self.lookup(name)
        if fn is None:
            raise self.unknown(name)
        if name in _BUILTINS:
            _, lo, hi = _BUILTINS[name]
            if len(args) < lo or (hi is not None and len(args) > hi):
                want = str(lo) if lo == hi else f"{lo} or more" if hi is None else f"{lo} to {hi}"
                raise UnsafeExpression(f"{name}() takes {want} argument(s), got {len(args)}")
        try:
            return sympy.sympify(fn(*args), strict=True)
        except UnsafeExpression:
            raise
        except (TypeError, ValueError, ArithmeticError, sympy.SympifyError) as exc:
            raise UnsafeExpression(
                f"cannot apply {name} to {len(args)} argument(s): {exc}"
            ) from exc

    def derivative(self, name: str, order: int, arg: sympy.Expr) -> sympy.Expr:
        """``order``-th derivative of one-argument function ``name`` evaluated at ``arg``."""
        if not 1 <= order <= _MAX_DIFF_ORDER:
            raise UnsafeExpression(f"derivative order must be 1..{_MAX_DIFF_ORDER}, got {order}")
        t = sympy.Dummy("t", real=True)
        f = self.call(name, [t])
        value = self.diff(f, t, order).subs(t, arg)
        if value.has(sympy.nan) and arg.is_number:  # written at a point where it does not exist
            try:
                why = explain_undefined(name, f, t, order, arg)
            except (NotImplementedError, ValueError, TypeError, ArithmeticError):
                why = None  # the value stays nan: the claim's side is then "not a finite real number"
            if why is not None:
                note(why)
        return value


# --------------------------------------------------------------------------- numbers
def number_from_text(text: str) -> sympy.Rational:
    r"""Exact rational from a decimal literal, e.g. ``"0.01"`` -> ``1/100``.

    >>> number_from_text("2.5e-3")
    1/400
    """
    try:
        dec = Decimal(text.replace("_", ""))
    except InvalidOperation as exc:
        raise UnsafeExpression(f"not a number: {text!r}") from exc
    if not dec.is_finite():
        raise UnsafeExpression(f"not a finite number: {text!r}")
    sign, digits, exponent = dec.as_tuple()
    assert isinstance(exponent, int)
    if len(digits) > MAX_DIGITS or abs(exponent) > MAX_DIGITS:
        raise UnsafeExpression(f"number literal too large (more than {MAX_DIGITS} digits)")
    mantissa = int("".join(map(str, digits)) or "0") * (-1 if sign else 1)
    if exponent >= 0:
        return sympy.Integer(mantissa * 10**exponent)
    return sympy.Rational(mantissa, 10**-exponent)


def safe_pow(base: sympy.Expr, exponent: sympy.Expr) -> sympy.Expr:
    r"""``base**exponent``, refusing powers that would create enormous numbers.

    >>> safe_pow(sympy.Integer(2), sympy.Integer(10))
    1024
    >>> safe_pow(sympy.Integer(9), sympy.Integer(9**9))
    Traceback (most recent call last):
    ...
    symact.core.errors.UnsafeExpression: exponent 387420489 is too large (|exponent| must be at most 10000)
    """
    if isinstance(exponent, sympy.Rational):
        if abs(exponent) > MAX_EXPONENT:
            raise UnsafeExpression(
                f"exponent {exponent} is too large (|exponent| must be at most {MAX_EXPONENT})"
            )
        rationals = [a for a in sympy.preorder_traversal(base) if isinstance(a, sympy.Rational)]
        bits = max((max(abs(r.p).bit_length(), r.q.bit_length()) for r in rationals), default=0)
        if bits * abs(exponent) > MAX_POW_BITS:
            raise UnsafeExpression(
                f"power with exponent {exponent} would produce a number of about "
                f"{int(bits * abs(exponent))} bits (limit {MAX_POW_BITS})"
            )
    return sympy.Pow(base, exponent)


# --------------------------------------------------------------------------- display
_TEX_FUNCS = {"exp", "log", "ln", "tanh", "sinh", "cosh", "sin", "cos", "tan", "arctan", "arcsin",
              "arccos", "coth", "sec", "csc", "cot", "max", "min"}
_TEX_NAMES = {"sigmoid": r"\sigma", "Phi": r"\Phi", "phi": r"\varphi", "W": "W", "LambertW": "W",
              "lambertw": "W", "atan": r"\arctan", "asin": r"\arcsin", "acos": r"\arccos",
              "abs": r"\operatorname{abs}", "sgn": r"\operatorname{sgn}", "sign": r"\operatorname{sgn}"}
_PLACEHOLDER = "Zsymdisp"


class DisplayTable(FunctionTable):
    r"""A function table that keeps named functions and derivatives as written, for display.

    ``sigmoid'(x)`` stays :math:`\sigma'(x)` instead of its formula; built-in
    SymPy functions (``exp``, ``tanh``, ``max``, ...) are applied as usual.
    :meth:`latex` and :meth:`text` print an expression read with this table.

    >>> import sympy
    >>> t = DisplayTable({"relu": lambda u: sympy.Max(0, u)})
    >>> u = sympy.Symbol("x")
    >>> t.latex(1 - t.derivative("relu", 1, u)), t.text(t.derivative("tanh", 1, u))
    ("1 - {\\operatorname{relu}'}\\left(x \\right)", "tanh'(x)")
    """

    def __init__(self, functions: Mapping[str, Callable[..., Any]] | None = None) -> None:
        super().__init__(functions)
        self.shown: dict[str, tuple[str, str]] = {}

    def _placeholder(self, name: str, order: int, args: list[sympy.Expr]) -> sympy.Expr:
        if name in _TEX_NAMES:
            tex = _TEX_NAMES[name]
        elif name in _TEX_FUNCS:
            tex = "\\" + name
        else:
            tex = r"\operatorname{" + name.replace("_", r"\_") + "}"
        primes = "'" * order if order <= 3 else f"^{{({order})}}"
        token = _PLACEHOLDER + "".join(chr(ord("a") + int(d)) for d in str(len(self.shown)))
        self.shown[token] = ("{" + tex + primes + "}" if order else tex,
                             name + ("'" * order if order <= 3 else f"^({order})"))
        return sympy.Function(token)(*args)

    def call(self, name: str, args: list[sympy.Expr]) -> sympy.Expr:
        """Apply a SymPy built-in as usual; keep any other named function unevaluated."""
        fn = self.lookup(name)
        if (isinstance(fn, sympy.FunctionClass) or fn is sympy.sqrt) and name not in _TEX_NAMES:
            return super().call(name, args)
        if fn is None:
            raise self.unknown(name)
        return self._placeholder(name, 0, args)

    def derivative(self, name: str, order: int, arg: sympy.Expr) -> sympy.Expr:
        """``name`` with ``order`` primes applied to ``arg``, unevaluated."""
        if self.lookup(name) is None:
            raise self.unknown(name)
        return self._placeholder(name, order, [arg])

    def diff(self, expr: sympy.Expr, var: sympy.Symbol, order: int) -> sympy.Expr:
        """An unevaluated ``d/dx``."""
        return sympy.Derivative(expr, (var, order))

    def _decimals(self, expr: sympy.Expr) -> sympy.Expr:
        """Rationals with a power-of-ten denominator as decimals (placeholders), as a person writes them."""
        swap = {}
        for r in expr.atoms(sympy.Rational):
            q, k = r.q, 0
            while q % 10 == 0:
                q, k = q // 10, k + 1
            if r.is_Integer or q != 1 or r < 0:
                continue
            digits = str(r.p).rjust(k + 1, "0")
            tex = f"{digits[:-k]}.{digits[-k:]}" if k <= 8 else rf"{r.p} \cdot 10^{{-{k}}}"
            token = _PLACEHOLDER + "n" + "".join(chr(ord("a") + int(d)) for d in str(len(self.shown)))
            self.shown[token] = (tex, tex)
            swap[r] = sympy.Symbol(token)
        return expr.xreplace(swap) if swap else expr

    def latex(self, expr: sympy.Expr) -> str:
        """LaTeX for an expression read with this table (decimals shown as decimals)."""
        expr = self._decimals(expr)
        out = sympy.latex(expr)
        for token, (tex, _) in sorted(self.shown.items(), key=lambda kv: -len(kv[0])):
            out = out.replace(r"\operatorname{" + token + "}", tex).replace(token, tex)
        return out.replace(r"{\left(", r"\left(").replace(r"\right)}", r"\right)")

    def text(self, expr: sympy.Expr) -> str:
        """Plain text for an expression read with this table."""
        out = sympy.sstr(expr)
        for token, (_, txt) in sorted(self.shown.items(), key=lambda kv: -len(kv[0])):
            out = out.replace(token, txt)
        return out
