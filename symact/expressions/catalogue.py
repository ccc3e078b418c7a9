r"""The built-in catalogue of activation functions, and user definitions.

Names and defaults follow PyTorch's ``torch.nn.functional`` where it has the
function, else JAX's ``jax.nn``; a few classics from the literature complete
the set.  Parameterised families are registered once: ``relu`` is the
slope-0 member of ``leaky_relu`` and ``prelu`` the slope-1/4 member (PyTorch's
initial value for ``nn.PReLU``).

Piecewise definitions are written so that the branch whose condition
contains a kink is the one PyTorch's autograd differentiates there (ReLU'(0) =
0, hardswish'(-3) = -1/2, hardtanh'(1) = 0); the *symbolic* derivative at a
kink is undefined and :meth:`Activation.subdifferential` gives the set.

>>> import symact as sa
>>> sa.activation("swish") == sa.activation("silu")
True
>>> sa.activation("leaky_relu").params
mappingproxy({negative_slope: 1/100})
>>> sa.activation("selu").expr.has(sympy.erfc)
True
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import sympy
from sympy import Piecewise, Rational, exp, log, sqrt, tanh

from ..core.cache import cached
from ..core.errors import UnknownActivation, UnsafeExpression
from ..core.texsafe import is_safe_name
from .activation import Activation, as_parameter_value, check_real_expression, x

__all__ = [
    "activation",
    "aliases",
    "define",
    "describe",
    "function_table",
    "names",
    "register",
    "resolve",
]


@dataclass(frozen=True)
class _Entry:
    name: str
    build: Callable[..., sympy.Expr]
    params: Mapping[str, Any] = field(default_factory=dict)
    description: str = ""
    source: str = ""


_REGISTRY: dict[str, _Entry] = {}
_ALIASES: dict[str, str] = {}


def _normalise(name: str) -> str:
    return name.strip().lower().replace("-", "_").replace(" ", "_")


def register(
    name: str,
    params: Mapping[str, Any] | None = None,
    *,
    aliases: tuple[str, ...] = (),
    description: str = "",
    source: str = "",
) -> Callable[[Callable[..., sympy.Expr]], Callable[..., sympy.Expr]]:
    r"""Register a family of activations by decorating its builder.

    The builder receives the parameters as real SymPy symbols (keyword
    arguments named as in ``params``) and returns the expression in
    :data:`symact.x`.

    >>> import sympy
    >>> @register("scaled_tanh", {"a": 2}, description="a*tanh(x)")
    ... def _scaled_tanh(a):
    ...     return a * sympy.tanh(x)
    >>> activation("scaled_tanh").expr
    2*tanh(x)
    >>> _ = _REGISTRY.pop("scaled_tanh")
    """

    def deco(builder: Callable[..., sympy.Expr]) -> Callable[..., sympy.Expr]:
        key = _normalise(name)
        _REGISTRY[key] = _Entry(key, builder, dict(params or {}), description, source)
        for alias in aliases:
            _ALIASES[_normalise(alias)] = key
        activation.cache_clear()
        return builder

    return deco


def names() -> tuple[str, ...]:
    """The canonical names of the built-in activations, sorted.

    >>> "gelu" in names() and "swish" not in names()
    True
    """
    return tuple(sorted(_REGISTRY))


def aliases() -> dict[str, str]:
    """Alias to canonical name.

    >>> aliases()["swish"]
    'silu'
    """
    return dict(sorted(_ALIASES.items()))


def _lookup(name: str) -> _Entry:
    if not isinstance(name, str):
        raise TypeError(f"an activation name must be a string, got {type(name).__name__}")
    key = _normalise(name)
    key = _ALIASES.get(key, key)
    if key in _REGISTRY:
        return _REGISTRY[key]
    close = difflib.get_close_matches(key, [*_REGISTRY, *_ALIASES], n=3, cutoff=0.6)
    hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
    raise UnknownActivation(
        f"no activation named {name!r}{hint} (symact.names() lists the {len(_REGISTRY)} "
        "built-in names; symact.define() adds your own)"
    )


@cached(maxsize=512)
def _activation(name: str, values: tuple[tuple[str, sympy.Expr], ...]) -> Activation:
    entry = _lookup(name)
    symbols = {p: sympy.Symbol(p, real=True) for p in entry.params}
    template = entry.build(**symbols)
    given = dict(values)
    unknown = sorted(set(given) - set(entry.params))
    if unknown:
        accepted = ", ".join(entry.params) or "none"
        raise TypeError(
            f"{entry.name} has no parameter(s) {', '.join(unknown)}; accepted: {accepted}"
        )
    chosen = {symbols[p]: as_parameter_value(given.get(p, d)) for p, d in entry.params.items()}
    expr = template.subs(chosen) if chosen else template
    return Activation(entry.name, expr, chosen, template, entry.description)


_GELU_FORMS = {"none": "gelu", "tanh": "gelu_tanh", False: "gelu", True: "gelu_tanh"}


def _framework_keywords(canonical: str, params: dict[str, Any]) -> str:
    """Apply and remove PyTorch/JAX keywords that are not parameters of the mathematics.

    Returns the canonical name to build (``approximate`` may switch GELU's form).
    """
    if "inplace" in params:
        flag = params.pop("inplace")
        if not isinstance(flag, bool):
            raise TypeError(f"inplace must be True or False (it is accepted and ignored), got {flag!r}")
    if "approximate" in params:
        if canonical not in ("gelu", "gelu_tanh"):
            raise TypeError(f"{canonical} has no 'approximate' keyword (only gelu has one)")
        form = params.pop("approximate")
        key = form.strip().lower() if isinstance(form, str) else form
        if not isinstance(key, bool | str) or key not in _GELU_FORMS:
            raise ValueError(
                f"approximate must be 'none' or 'tanh' (PyTorch) or False or True (JAX), got {form!r}"
            )
        target = _GELU_FORMS[key]
        if canonical == "gelu_tanh" and target == "gelu":
            raise ValueError("gelu_tanh is the tanh approximation; use activation('gelu') for the erf form")
        canonical = target
    if canonical == "softplus" and "threshold" in params:
        t = params.pop("threshold")
        if isinstance(t, bool) or not isinstance(t, int | float | sympy.Number) or not t > 0:
            raise ValueError(f"threshold must be a positive number (PyTorch's default is 20), got {t!r}")
    return canonical


def activation(name: str, **params: Any) -> Activation:
    r"""A built-in activation by name (aliases accepted), with optional parameters.

    Parameters
    ----------
    name : str
        A name from :func:`names` or an alias (``swish``, ``logistic``, ...).
    **params
        Parameter values: numbers (floats are read through their decimal
        text, so ``0.01`` is exactly 1/100) or SymPy expressions and symbols.
        PyTorch's and JAX's keywords are accepted too, so that a call can be
        pasted from framework code:

        * ``inplace`` (every activation): accepted and ignored, since symact has
          no tensors to overwrite;
        * ``approximate`` (``gelu``): ``"none"`` (PyTorch's default) or
          ``False`` gives the exact erf form, ``"tanh"`` or ``True`` (JAX's
          default for ``jax.nn.gelu``) gives ``gelu_tanh``;
        * ``threshold`` (``softplus``): PyTorch returns :math:`x` where
          :math:`\beta x > \mathrm{threshold}`, a numerical cut-off against
          overflow that does not change the mathematics, and symact analyses
          the exact :math:`\log(1 + e^{\beta x})/\beta`.  The cut-off changes
          the value by at most :math:`\log(1 + e^{-t})/\beta` (about
          :math:`2.1\cdot10^{-9}/\beta` at the default :math:`t = 20`) and the
          derivative by at most :math:`1/(1 + e^{t})` (about
          :math:`2.1\cdot10^{-9}`), at the jump :math:`x = t/\beta` that
          PyTorch's version has there.

    Raises
    ------
    UnknownActivation
        For an unknown name; the message suggests the closest names.

    Examples
    --------
    >>> import sympy
    >>> activation("leaky_relu", negative_slope=0.2).expr
    Piecewise((x, x > 0), (x/5, True))
    >>> activation("relu").expr
    Piecewise((x, x > 0), (0, True))
    >>> activation("relu", inplace=True) == activation("relu")
    True
    >>> activation("gelu", approximate="tanh").name
    'gelu_tanh'
    >>> activation("softplus", beta=2, threshold=20).expr
    log(exp(2*x) + 1)/2
    >>> activation("sigmod")
    Traceback (most recent call last):
    ...
    symact.core.errors.UnknownActivation: "no activation named 'sigmod'; did you mean 'sigmoid' ...
    """
    params = dict(params)
    canonical = _framework_keywords(_lookup(name).name, params)
    return _activation(canonical, tuple(sorted((k, as_parameter_value(v)) for k, v in params.items())))


activation.cache_clear = _activation.cache_clear  # type: ignore[attr-defined]


def resolve(act: Activation | str) -> Activation:
    """An Activation as given, or the built-in one a name refers to.

    The one place where symact's functions accept either form.

    >>> resolve("swish").name
    'silu'
    >>> resolve(3)
    Traceback (most recent call last):
    ...
    TypeError: expected an Activation or a catalogue name, got int (use symact.define() for a formula)
    """
    if isinstance(act, Activation):
        return act
    if isinstance(act, str):
        return activation(act)
    raise TypeError(
        f"expected an Activation or a catalogue name, got {type(act).__name__} "
        "(use symact.define() for a formula)"
    )


def describe(name: str) -> str:
    """One line on what a built-in activation is and where its definition comes from.

    >>> describe("hard_sigmoid")
    'clip(x/6 + 1/2, 0, 1) (torch.nn.functional.hardsigmoid)'
    """
    entry = _lookup(name)
    return f"{entry.description} ({entry.source})" if entry.source else entry.description


def function_table() -> dict[str, Callable[..., sympy.Expr]]:
    table: dict[str, Callable[..., sympy.Expr]] = {}
    for key in [*_REGISTRY, *_ALIASES]:
        expr = activation(key).expr
        table[key] = lambda u, _e=expr: _e.subs(x, u)
    return table


def define(name: str, expr: str | sympy.Expr, **params: Any) -> Activation:
    r"""Define an activation from a formula (safely parsed text or a SymPy expression).

    Strings are read by a restricted grammar (numbers, ``x``, the declared
    parameters, arithmetic and a whitelist of functions including the
    catalogue's names); nothing in the text is executed.

    Parameters
    ----------
    name : str
        The display name.
    expr : str or sympy.Expr
        The formula in ``x``.  A SymPy expression may use any symbol named
        ``x``; it is replaced by the real :data:`symact.x`.
    **params
        Parameters used in the formula and their default values.

    Examples
    --------
    >>> define("mine", "x/(1 + abs(x))").expr
    x/(Abs(x) + 1)
    >>> define("scaled", "a*sigmoid(x)", a=4).expr
    4/(1 + exp(-x))
    >>> define("bad", "__import__('os')")
    Traceback (most recent call last):
    ...
    symact.core.errors.UnsafeExpression: ...
    """
    for p in params:
        if not is_safe_name(p):
            raise UnsafeExpression(
                f"parameter name {p[:40]!r} is not a plain identifier; accepted: names such as "
                "a, alpha, w_1 (letters and digits, one '_' subscript)"
            )
    symbols = {p: sympy.Symbol(p, real=True) for p in params}
    if isinstance(expr, str):
        from .parsing import parse_text

        template = parse_text(expr, variables={"x": x, **symbols}, functions=function_table())
    elif isinstance(expr, sympy.Basic):
        template = expr
        rename = {s: x for s in expr.free_symbols if s.name == "x" and s != x}
        rename |= {
            s: symbols[s.name] for s in expr.free_symbols if s.name in symbols and s not in rename
        }
        template = template.xreplace(rename)
        unknown = template.free_symbols - {x, *symbols.values()}
        if unknown:
            raise UnsafeExpression(
                f"unknown symbol(s) {', '.join(sorted(map(str, unknown)))} in {expr}; "
                f"accepted: x{''.join(', ' + p for p in params)} (declare parameters as "
                "keyword arguments with their default values)"
            )
    else:
        raise TypeError(
            f"expr must be a string or a SymPy expression, got {type(expr).__name__}"
        )
    chosen = {symbols[p]: as_parameter_value(v) for p, v in params.items()}
    value = template.subs(chosen) if chosen else template
    check_real_expression(value, f"the activation {name!r}")
    return Activation(name, value, chosen, template, "user-defined")


# ---------------------------------------------------------------------------
# The catalogue.
#
# SELU's constants are the closed forms that follow from its fixed-point
# conditions E[selu(z)] = 0 and E[selu(z)^2] = 1 for z ~ N(0, 1) (Klambauer et
# al. 2017, eqs. 14-15), not their 17-digit float approximations.
def selu_constants_closed_form() -> tuple[sympy.Expr, sympy.Expr]:
    r"""SELU's :math:`(\lambda, \alpha)` as exact closed forms.

    Built on first use rather than at import: constructing them is the first
    SymPy ``Add`` of the session, which costs SymPy a lazy import.

    >>> scale, alpha = selu_constants_closed_form()
    >>> sympy.N(scale, 20), sympy.N(alpha, 20)
    (1.0507009873554804934, 1.6732632423543772848)
    """
    erfc = sympy.erfc(1 / sqrt(2))
    alpha = -sqrt(2 / sympy.pi) / (erfc * exp(Rational(1, 2)) - 1)
    scale = (
        (1 - erfc * sqrt(sympy.E))
        * sqrt(2 * sympy.pi)
        / sqrt(
            2 * sympy.erfc(sqrt(2)) * sympy.E**2
            + sympy.pi * erfc**2 * sympy.E
            - 2 * (2 + sympy.pi) * erfc * sqrt(sympy.E)
            + sympy.pi
            + 2
        )
    )
    return scale, alpha


_T = "torch.nn.functional"
_J = "jax.nn"


@register("identity", aliases=("linear",), description="x", source="torch.nn.Identity")
def _identity() -> sympy.Expr:
    return x


@register("sigmoid", aliases=("logistic",), description="1/(1 + e^-x)", source=f"{_T}.sigmoid")
def _sigmoid() -> sympy.Expr:
    return 1 / (1 + exp(-x))


@register("tanh", description="hyperbolic tangent", source=f"{_T}.tanh")
def _tanh() -> sympy.Expr:
    return tanh(x)


def _leaky(negative_slope: sympy.Expr) -> sympy.Expr:
    return Piecewise((x, x > 0), (negative_slope * x, True))


register("relu", description="max(0, x): leaky_relu with slope 0", source=f"{_T}.relu")(
    lambda: _leaky(sympy.Integer(0))
)
register(
    "leaky_relu",
    {"negative_slope": Rational(1, 100)},
    description="x for x > 0, negative_slope*x otherwise",
    source=f"{_T}.leaky_relu",
)(_leaky)
register(
    "prelu",
    {"negative_slope": Rational(1, 4)},
    description="leaky_relu with PyTorch's initial learnable slope 1/4",
    source="torch.nn.PReLU",
)(_leaky)


@register("elu", {"alpha": 1}, description="x for x > 0, alpha(e^x - 1) otherwise", source=f"{_T}.elu")
def _elu(alpha: sympy.Expr) -> sympy.Expr:
    return Piecewise((x, x > 0), (alpha * (exp(x) - 1), True))


@register("selu", description="scale*elu(x, alpha) with the self-normalising constants", source=f"{_T}.selu")
def _selu() -> sympy.Expr:
    scale, alpha = selu_constants_closed_form()
    return Piecewise((scale * x, x > 0), (scale * alpha * (exp(x) - 1), True))


@register("celu", {"alpha": 1}, description="x for x > 0, alpha(e^(x/alpha) - 1) otherwise", source=f"{_T}.celu")
def _celu(alpha: sympy.Expr) -> sympy.Expr:
    return Piecewise((x, x > 0), (alpha * (exp(x / alpha) - 1), True))


@register("gelu", description="x*Phi(x), exact erf form", source=f"{_T}.gelu")
def _gelu() -> sympy.Expr:
    return x / 2 * (1 + sympy.erf(x / sqrt(2)))


@register(
    "gelu_tanh",
    aliases=("gelu_approximate", "gelu_new"),
    description="tanh approximation of GELU",
    source=f"{_T}.gelu(approximate='tanh')",
)
def _gelu_tanh() -> sympy.Expr:
    c = Rational(44715, 1000000)
    return x / 2 * (1 + tanh(sqrt(2 / sympy.pi) * (x + c * x**3)))


@register("silu", aliases=("swish",), description="x*sigmoid(x)", source=f"{_T}.silu")
def _silu() -> sympy.Expr:
    return x / (1 + exp(-x))


@register("mish", description="x*tanh(softplus(x))", source=f"{_T}.mish")
def _mish() -> sympy.Expr:
    return x * tanh(log(1 + exp(x)))


@register(
    "softplus",
    {"beta": 1},
    description="log(1 + e^(beta x))/beta; PyTorch's threshold keyword is a numerical cut-off, accepted and ignored",
    source=f"{_T}.softplus",
)
def _softplus(beta: sympy.Expr) -> sympy.Expr:
    return log(1 + exp(beta * x)) / beta


@register("softsign", aliases=("soft_sign",), description="x/(1 + |x|)", source=f"{_T}.softsign")
def _softsign() -> sympy.Expr:
    return x / (1 + sympy.Abs(x))


@register("hard_sigmoid", aliases=("hardsigmoid",), description="clip(x/6 + 1/2, 0, 1)", source=f"{_T}.hardsigmoid")
def _hard_sigmoid() -> sympy.Expr:
    return Piecewise((0, x <= -3), (1, x >= 3), (x / 6 + Rational(1, 2), True))


@register(
    "hard_tanh",
    {"min_val": -1, "max_val": 1},
    aliases=("hardtanh",),
    description="clip(x, min_val, max_val)",
    source=f"{_T}.hardtanh",
)
def _hard_tanh(min_val: sympy.Expr, max_val: sympy.Expr) -> sympy.Expr:
    return Piecewise((min_val, x <= min_val), (max_val, x >= max_val), (x, True))


@register("relu6", description="clip(x, 0, 6)", source=f"{_T}.relu6")
def _relu6() -> sympy.Expr:
    return Piecewise((0, x <= 0), (6, x >= 6), (x, True))


@register(
    "hardswish",
    aliases=("hard_swish", "hard_silu"),
    description="x*relu6(x + 3)/6 (jax.nn.hard_silu is the same function)",
    source=f"{_T}.hardswish",
)
def _hardswish() -> sympy.Expr:
    return Piecewise((0, x < -3), (x, x > 3), (x * (x + 3) / 6, True))


@register("log_sigmoid", aliases=("logsigmoid",), description="log(sigmoid(x))", source=f"{_T}.logsigmoid")
def _log_sigmoid() -> sympy.Expr:
    return -log(1 + exp(-x))


@register("tanhshrink", description="x - tanh(x)", source=f"{_T}.tanhshrink")
def _tanhshrink() -> sympy.Expr:
    return x - tanh(x)


@register("softshrink", {"lambd": Rational(1, 2)}, description="x - lambd*sign(x) for |x| > lambd, else 0", source=f"{_T}.softshrink")
def _softshrink(lambd: sympy.Expr) -> sympy.Expr:
    return Piecewise((x - lambd, x > lambd), (x + lambd, x < -lambd), (0, True))


@register("hardshrink", {"lambd": Rational(1, 2)}, description="x for |x| > lambd, else 0", source=f"{_T}.hardshrink")
def _hardshrink(lambd: sympy.Expr) -> sympy.Expr:
    return Piecewise((x, x > lambd), (x, x < -lambd), (0, True))


@register(
    "threshold",
    {"threshold": 0, "value": 0},
    description="x for x > threshold, else value (PyTorch has no defaults; 0, 0 gives ReLU)",
    source=f"{_T}.threshold",
)
def _threshold(threshold: sympy.Expr, value: sympy.Expr) -> sympy.Expr:
    return Piecewise((x, x > threshold), (value, True))


@register("squareplus", {"b": 4}, description="(x + sqrt(x^2 + b))/2", source=f"{_J}.squareplus")
def _squareplus(b: sympy.Expr) -> sympy.Expr:
    return (x + sqrt(x**2 + b)) / 2


@register("sparse_plus", description="0, (x+1)^2/4, x on x <= -1, |x| < 1, x >= 1", source=f"{_J}.sparse_plus")
def _sparse_plus() -> sympy.Expr:
    return Piecewise((0, x <= -1), (x, x >= 1), ((x + 1) ** 2 / 4, True))


@register("sparse_sigmoid", description="clip((x + 1)/2, 0, 1)", source=f"{_J}.sparse_sigmoid")
def _sparse_sigmoid() -> sympy.Expr:
    return Piecewise((0, x <= -1), (1, x >= 1), ((x + 1) / 2, True))


@register("arctan", aliases=("atan",), description="arctan(x)", source="classic")
def _arctan() -> sympy.Expr:
    return sympy.atan(x)


@register("gaussian", description="exp(-x^2)", source="classic (RBF networks)")
def _gaussian() -> sympy.Expr:
    return exp(-(x**2))


@register("sin", aliases=("sine", "siren"), description="sin(x) (SIREN, Sitzmann et al. 2020)", source="classic")
def _sin() -> sympy.Expr:
    return sympy.sin(x)


@register("bent_identity", description="(sqrt(x^2 + 1) - 1)/2 + x", source="classic")
def _bent_identity() -> sympy.Expr:
    return (sqrt(x**2 + 1) - 1) / 2 + x


@register("elish", description="x*sigmoid(x) for x >= 0, (e^x - 1)*sigmoid(x) otherwise (Basirat & Roth 2018)", source="classic")
def _elish() -> sympy.Expr:
    return Piecewise((x / (1 + exp(-x)), x >= 0), ((exp(x) - 1) / (1 + exp(-x)), True))


@register("hard_elish", description="x*max(0, min(1, (x+1)/2)) for x >= 0, (e^x - 1)*max(0, min(1, (x+1)/2)) otherwise (Basirat & Roth 2018)", source="classic")
def _hard_elish() -> sympy.Expr:
    hs = sympy.Max(0, sympy.Min(1, (x + 1) / 2))
    return Piecewise((x * hs, x >= 0), ((exp(x) - 1) * hs, True))
