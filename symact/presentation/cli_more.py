r"""``symact nngp``, ``ntk``, ``shape`` and ``isometry``; ``spectrum --q``.

* ``symact nngp relu --depth 3 --weight-var 2 --q1 1 --c 0.5``: the NNGP kernel of two
  inputs after ``depth`` layers (:func:`symact.nngp`); ``symact ntk ...`` the NTK too
  (:func:`symact.ntk`, neural-tangents' NTK parameterisation).
* ``symact shape tanh --method dks --zeta 1.5``: DKS/TAT shaping (:func:`symact.shape`).
* ``symact isometry tanh --depth 100``: how close to dynamical isometry an activation
  gets on the edge of chaos (:func:`symact.isometry`).
* ``symact spectrum tanh --depth 100 --weights orthogonal --q 1/10``: the Jacobian
  spectrum at a given input variance ``q`` instead of the fixed point ``q*``.

Every numeric option is checked before any work (``--c`` in [-1, 1], variances in
[1e-6, 1e6], depths >= 1); exact values are printed as closed forms when short, else as
their certified decimals with the level.

>>> import argparse
>>> top = argparse.ArgumentParser(prog="symact")
>>> cmds = add_parsers(top.add_subparsers(dest="command"))
>>> args = top.parse_args(["ntk", "relu", "--depth", "1", "--weight-var", "2", "--q1", "1", "--c", "0"])
>>> cmds[args.command](args)
NTK of relu after 1 layer(s), sigma_w^2 = 2, sigma_b^2 = 0, inputs q1 = 1, q2 = 1, c = 0 (exact)
  nngp = [[1, 1/pi], [1/pi, 1]]
  ntk  = [[2, 1/pi], [1/pi, 2]]
0
"""

from __future__ import annotations

import argparse
import json
from typing import Any

import sympy

from .cli_parser import option_number, positive_int

__all__ = ["add_parsers", "cmd_isometry", "cmd_kernel_depth", "cmd_shape", "cmd_spectrum_q"]


def show(q: Any, digits: int = 15) -> str:
    """A quantity for the text output: a short closed form, else its certified decimal."""
    if q is None:
        return "n/a"
    if q.level == "exact":
        v = q.value
        if v.is_number and (v.is_Rational or v in (sympy.oo, -sympy.oo) or sympy.count_ops(v) <= 6):
            return sympy.sstr(v)
        return f"{q.evalf(digits)} (exact)"
    return f"{q.evalf(digits)} ({q.level})"


def _emit(args: argparse.Namespace, data: dict[str, Any], text: str, code: int = 0) -> int:
    from .cli_output import envelope

    if args.format == "json":
        print(json.dumps(envelope(args.command, data, code), indent=2, ensure_ascii=False))
    else:
        print(text)
    return code


def _activation(args: argparse.Namespace) -> Any:
    import symact as sa

    params = {}
    for item in getattr(args, "param", None) or ():
        key, sep, value = item.partition("=")
        if not sep or not key.strip().isidentifier():
            raise ValueError(f"--param takes name=value (e.g. --param negative_slope=0.2), got {item!r}")
        params[key.strip()] = option_number(value, f"--param {key.strip()}", "weight")
    if getattr(args, "expr", None):
        return sa.define(args.name or "custom", args.expr, **params)
    if not args.name:
        raise ValueError("give an activation NAME (see 'symact list') or --expr \"formula in x\"")
    return sa.activation(args.name, **params)


def _add_activation(p: argparse.ArgumentParser) -> None:
    p.add_argument("name", nargs="?", help="a built-in name (see 'symact list'); with --expr, "
                   "the display name of the new activation")
    p.add_argument("--expr", metavar="FORMULA", help='an activation from a formula in x')
    p.add_argument("--param", action="append", metavar="NAME=VALUE",
                   help="a parameter value, e.g. negative_slope=0.2 (repeatable)")
    p.add_argument("--dps", type=positive_int, default=15, help="certified digits (default 15)")
    p.add_argument("--format", choices=("text", "json"), default="text",
                   help="output format; json follows 'symact schema' (default: text)")


# -- nngp / ntk ----------------------------------------------------------------------------
def cmd_kernel_depth(args: argparse.Namespace) -> int:
    """Run ``symact nngp`` or ``symact ntk``."""
    import symact as sa

    from .serialize import number

    wv = option_number(args.weight_var, "--weight-var", "variance")
    bv = option_number(args.bias_var, "--bias-var", "bias")
    q1 = option_number(args.q1, "--q1", "variance")
    q2 = q1 if args.q2 is None else option_number(args.q2, "--q2", "variance")
    c = option_number(args.c, "--c", "correlation")
    act = _activation(args)
    fn = sa.ntk if args.command == "ntk" else sa.nngp
    r = fn(act, args.depth, wv, bv, q1=q1, q2=q2, c=c, dps=args.dps)
    mat = lambda M: [[number(v) for v in row] for row in M]  # noqa: E731
    data: dict[str, Any] = {"activation": act.name, "depth": args.depth, "weight_var": number(wv),
                            "bias_var": number(bv), "q1": number(q1), "q2": number(q2),
                            "c": number(c), "level": r.level, "method": r.method,
                            "nngp": mat(r.nngp)}
    if args.command == "ntk":
        data["ntk"] = mat(r.ntk)
    txt = lambda M: "[" + ", ".join("[" + ", ".join(show(v) for v in row) + "]" for row in M) + "]"  # noqa: E731
    lines = [f"{args.command.upper()} of {act.name} after {args.depth} layer(s), sigma_w^2 = {wv}, "
             f"sigma_b^2 = {bv}, inputs q1 = {q1}, q2 = {q2}, c = {c} ({r.level})",
             f"  nngp = {txt(r.nngp)}"]
    if args.command == "ntk":
        lines.append(f"  ntk  = {txt(r.ntk)}")
    return _emit(args, data, "\n".join(lines))


# -- shape -------------------------------------------------------------------------------
def cmd_shape(args: argparse.Namespace) -> int:
    """Run ``symact shape``."""
    import symact as sa

    from .serialize import number

    zeta = option_number(args.zeta, "--zeta", "variance")
    tau = option_number(args.tau, "--tau", "variance")
    act = _activation(args)
    s = sa.shape(act, method=args.method, zeta=zeta, tau=tau, dps=args.dps)
    p = s.proof
    data = {"activation": act.name, "method": s.method, "level": s.level,
            "input_scale": number(p.input_scale if p is not None and p.proved else s.input_scale),
            "input_shift": number(p.input_shift if p is not None and p.proved else s.input_shift),
            "output_shift": number(s.output_shift), "output_scale": number(s.output_scale),
            "residuals": {k: number(v) for k, v in s.residuals.items()},
            "unique": s.unique}
    target = f"C'(1) = {zeta}" if args.method == "dks" else f"C''(1) = {tau}"
    lines = [f"{args.method.upper()} shaping of {act.name}: Q(1) = 1, Q'(1) = 1, C(0) = 0, {target}",
             "  phi_hat(x) = gamma * (phi(alpha x + beta) + delta)"]
    if p is not None and p.proved:
        lines.append(f"  alpha = {show(p.input_scale)}, beta = {show(p.input_shift)} "
                     "(unique in the proof's box: Krawczyk)")
    else:
        lines.append(f"  alpha = {sympy.Float(s.input_scale, 15)}, beta = {sympy.Float(s.input_shift, 15)} "
                     "(Newton; the residuals below are certified)")
    lines.append(f"  delta = {show(s.output_shift)}, gamma = {show(s.output_scale)}")
    lines += [f"  residual {k}: {show(v, 3)}" for k, v in s.residuals.items()]
    return _emit(args, data, "\n".join(lines))


# -- isometry ----------------------------------------------------------------------------
def cmd_isometry(args: argparse.Namespace) -> int:
    """Run ``symact isometry``."""
    import symact as sa

    from .serialize import number

    bv = None if args.bias_var is None else option_number(args.bias_var, "--bias-var", "bias")
    act = _activation(args)
    r = sa.isometry(act, args.depth, weights=args.weights, bias_var=bv, dps=args.dps)
    data = {"activation": act.name, "depth": args.depth, "weights": args.weights,
            "spread": number(r), "weight_var": number(r.weight_var), "bias_var": number(r.bias_var),
            "q_star": number(r.q_star), "ratio": number(r.ratio), "infimum": number(r.infimum),
            "lower_bound": number(r.lower_bound), "attained": bool(r.attained),
            "level": r.level, "verdict": r.verdict}
    lines = [f"dynamical isometry of {act.name}: depth {args.depth}, {args.weights} weights",
             f"  Var/mean^2 = {show(r)} at sigma_w^2 = {show(r.weight_var)}, sigma_b^2 = {r.bias_var}",
             f"  infimum over the critical line = {show(r.infimum)}"
             f" ({'attained' if r.attained else 'not attained'})",
             f"  {r.verdict}"]
    return _emit(args, data, "\n".join(lines))


# -- spectrum --q -------------------------------------------------------------------------
def cmd_spectrum_q(args: argparse.Namespace) -> int:
    r"""``symact spectrum``: with ``--q``, the spectrum at input variance ``q`` instead of q*.

    mu_k = E[phi'(sqrt(q) z)^(2k)] (certified or exact), chi = sigma_w^2 mu_1,
    mean = chi^L and variance = chi^(2L) L (mu_2/mu_1^2 - 1 - s_1) with s_1 = -1 for
    Gaussian and 0 for orthogonal weights (Pennington, Schoenholz & Ganguli 2017, 2018).
    """
    from .cli_kernels import cmd_spectrum

    if args.q is None:
        try:
            return cmd_spectrum(args)
        except ValueError as exc:  # the Python hint "pass q=" is "--q" here
            if "pass q=" not in str(exc):
                raise
            raise ValueError(str(exc).replace("pass q= to use another q",
                                              "give --q Q to use another q (--q 0: the limit q -> 0)")) from None
    import symact as sa

    from ..core.result import Quantity

    q = option_number(args.q, "--q", "bias")  # 0 allowed: the limit q -> 0
    wv = option_number(args.weight_var, "--weight-var", "variance")
    option_number(args.bias_var, "--bias-var", "bias")
    if args.latex or args.markdown:
        raise ValueError("--q gives the moments only; --latex/--markdown derive the spectrum at q*")
    act = sa.activation(args.name)
    d = act.derivative().subs(sa.x, sympy.sqrt(q) * sa.x)
    mus = []
    for k in (1, 2):
        f = d ** (2 * k)
        if not f.has(sa.x):
            f = sympy.simplify(f)
            mus.append(Quantity(f, "exact", method="constant", name=f"mu_{k}"))
        else:
            mus.append(sa.expect(f, dps=args.dps))
    mu1, mu2 = mus
    s1 = -1 if args.weights == "gaussian" else 0
    L = args.depth
    if all(m.level == "exact" for m in mus):
        chi = sympy.simplify(wv * mu1.value)
        mean = Quantity(sympy.simplify(chi**L), "exact", method="free probability", name="mean")
        var = Quantity(sympy.simplify(chi ** (2 * L) * L * (mu2.value / mu1.value**2 - 1 - s1)),
                       "exact", method="free probability", name="variance")
        chiq = Quantity(chi, "exact", method="closed form", name="chi")
    else:
        from flint import arb

        from ..core.precision import workdps
        from ..propagation.cmap import to_quantity

        def ball(m: Any) -> Any:  # the rigorous enclosure [lo, hi] of mu_k as an Arb ball
            if m.level == "exact":
                return arb(str(sympy.N(m.value, args.dps + 20)), f"1e-{args.dps + 15}")
            lo, hi = (arb(int(v.man)) * arb(2) ** int(v.exp) if v.man else arb(0) for v in m.enclosure)
            return lo.union(hi)

        with workdps(args.dps + 10):
            m1, m2 = ball(mu1), ball(mu2)
            chi_b = arb(str(wv)) if wv.is_Integer else arb(int(wv.p)) / int(wv.q)
            chi_b = chi_b * m1
            kw = {"dps": args.dps, "method": "free probability on certified mu_1, mu_2"}
            chiq = to_quantity(chi_b, name="chi", **kw)
            mean = to_quantity(chi_b**L, name="mean", **kw)
            var = to_quantity(chi_b ** (2 * L) * L * (m2 / m1**2 - 1 - s1), name="variance", **kw)
    if args.format == "json":  # the fields of 'symact spectrum --format json', plus q
        print(json.dumps({"mean": str(mean), "variance": str(var), "mu1": str(mu1), "mu2": str(mu2),
                          "chi": str(chiq), "level": min((m.level for m in (mean, var)),
                                                         key=("exact", "certified").index),
                          "verdict": f"spectrum at q = {q} (not at the fixed point q*)",
                          "q": str(q)}, indent=2))
        return 0
    print(f"spectrum of J J^T: {act.name}, depth {L}, {args.weights} weights, at q = {q}")
    print(f"  mu_1 = {show(mu1)}, mu_2 = {show(mu2)}, chi = {show(chiq)}")
    print(f"  mean = {show(mean)}, variance = {show(var)}")
    return 0


def add_parsers(sub: Any) -> dict[str, Any]:
    """Add ``nngp``, ``ntk``, ``shape``, ``isometry`` and ``spectrum --q``; returns ``{name: function}``."""
    for name, what in (("nngp", "NNGP kernel"), ("ntk", "NTK and NNGP kernels")):
        p = sub.add_parser(name, help=f"{what} of two inputs after DEPTH layers",
                           description=f"The {what} of a deep fully connected network "
                           "(neural-tangents' stax.serial(Dense, act, ...) in the NTK "
                           "parameterisation), exact for ReLU-like activations, else certified.")
        _add_activation(p)
        p.add_argument("--depth", type=positive_int, default=1, metavar="L")
        p.add_argument("--weight-var", default="1", metavar="V", help="sigma_w^2 (default 1)")
        p.add_argument("--bias-var", default="0", metavar="B", help="sigma_b^2 (default 0)")
        p.add_argument("--q1", default="1", metavar="Q", help="first input's variance (default 1)")
        p.add_argument("--q2", default=None, metavar="Q", help="second input's variance (default q1)")
        p.add_argument("--c", default="0", metavar="C", help="input correlation in [-1, 1] (default 0)")
    p = sub.add_parser("shape", help="DKS/TAT activation shaping",
                       description="Input/output scales and shifts so that Q(1) = 1, Q'(1) = 1, "
                       "C(0) = 0 and C'(1) = zeta (DKS) or C''(1) = tau (TAT).")
    _add_activation(p)
    p.add_argument("--method", choices=("dks", "tat"), default="dks")
    p.add_argument("--zeta", default="3/2", help="DKS target C'(1) (default 3/2)")
    p.add_argument("--tau", default="3/10", help="TAT target C''(1) (default 3/10)")
    p = sub.add_parser("isometry", help="dynamical isometry on the edge of chaos",
                       description="The spread Var/mean^2 of the spectrum of J J^T on the edge "
                       "of chaos, and its infimum over the critical line.")
    _add_activation(p)
    p.add_argument("--depth", type=positive_int, default=100, metavar="L")
    p.add_argument("--weights", choices=("orthogonal", "gaussian"), default="orthogonal")
    p.add_argument("--bias-var", default=None, metavar="B",
                   help="certify at this sigma_b^2 instead of the scan's minimiser")
    spectrum = sub.choices.get("spectrum")
    handlers: dict[str, Any] = {"nngp": cmd_kernel_depth, "ntk": cmd_kernel_depth,
                                "shape": cmd_shape, "isometry": cmd_isometry}
    if spectrum is not None:
        spectrum.add_argument("--q", default=None, metavar="Q",
                              help="input variance q instead of the fixed point q* (0 allowed)")
        handlers["spectrum"] = cmd_spectrum_q
    return handlers
