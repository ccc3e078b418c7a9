r"""Propagate the infinite-width state through a network of blocks: certified, exact where possible.

:func:`propagate` runs :func:`symact.networks.blocks.apply` in Arb ball arithmetic (every
Gaussian moment certified: closed forms for the arc-cosine, erf and GELU families,
certified 2-D integrals otherwise), and, when every block has a closed form (dense
layers, normalisations, piecewise-linear activations such as ReLU and leaky ReLU, and
residual stacks of these) and the inputs are exact, runs the same recursion in SymPy:
those values are **exact**, each cross-checked against its enclosure.  The exact run
stops (and the result stays certified) when an entry's expression would exceed a fixed
size: a deterministic limit, never a clock.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sympy
from flint import arb

from ..core.errors import CertificationError
from ..core.precision import DEFAULT_DPS, check_dps, workdps
from ..core.result import Level, Quantity, enclose
from ..propagation.cmap import to_quantity
from ..propagation.dual import dual_kernel, sym_ball
from .blocks import Block, State, apply, as_block, exact_number, linear_slopes

__all__ = ["Propagation", "ProfileRow", "propagate", "initial_state"]

#: Largest SymPy expression (count_ops) the exact recursion keeps before it gives way to
#: the certified values.
MAX_EXACT_OPS = 400


@dataclass(frozen=True)
class ProfileRow:
    """The state after one leaf block: ``q``, ``c``, the NTK diagonal and the cumulative chi (floats, midpoints of certified balls)."""

    index: int
    block: str
    q: float
    c: float | None
    ntk: float
    chi: float
    chi_block: float


@dataclass(frozen=True, eq=False)
class Propagation:
    r"""What :func:`propagate` returns.

    Attributes
    ----------
    q1, q2 : Quantity
        Output second moments (``q2`` is ``None`` for one input).
    c : Quantity or None
        Output correlation.
    nngp, ntk : tuple of tuple of Quantity
        2x2 (or 1x1) kernel matrices at the output.
    chi : Quantity
        Mean squared input-output Jacobian :math:`\frac1n E\operatorname{tr}(JJ^\top)`.
    profile : tuple of ProfileRow
        The state after every leaf block.
    level : {"exact", "certified"}
    method : str
    growth : Growth or None
        For ``repeat(residual(...), L)``: how ``q`` and ``chi`` grow with depth
        (:func:`symact.networks.growth.residual_growth`).
    """

    net: Block
    q1: Quantity
    q2: Quantity | None
    c: Quantity | None
    nngp: tuple[tuple[Quantity, ...], ...]
    ntk: tuple[tuple[Quantity, ...], ...]
    chi: Quantity
    profile: tuple[ProfileRow, ...] = field(repr=False)
    level: Level = "certified"
    method: str = ""
    growth: Any = None

    def __repr__(self) -> str:
        c = "" if self.c is None else f", c={self.c}"
        return (f"Propagation(q={self.q1}{c}, ntk={self.ntk[0][0]}, chi={self.chi}, "
                f"level={self.level!r})")


def initial_state(q1: Any, q2: Any, c: Any, dps: int) -> tuple[State, tuple[sympy.Expr, ...]]:
    """The input state (balls) and its exact values ``(q1, q2, c)``, validated."""
    qa = exact_number(q1, "q1", positive=True)
    pair = c is not None
    qb = exact_number(q2, "q2", positive=True) if q2 is not None else qa
    cc = exact_number(c, "c") if pair else sympy.Integer(1)
    if not -1 <= cc <= 1:
        raise ValueError(f"c must lie in [-1, 1], got {c!r}")
    same = not pair or (cc == 1 and qa == qb)
    b1, b2, bc = sym_ball(qa, dps), sym_ball(qb, dps), sym_ball(cc, dps)
    k = b1 if same else bc * (b1 * b2).sqrt()
    zero = arb(0)
    s = State(b1, b2 if pair else b1, k, zero, zero, zero, zero, zero, arb(1), pair, same)
    return s, (qa, qb, cc)


# ------------------------------------------------------------------- the exact recursion
def _slopes(block: Block) -> tuple[sympy.Expr, sympy.Expr] | None:
    return linear_slopes(block.option("activation"))


def _exact_leaves(net: Block) -> bool:
    for b in net.flatten():
        if b.kind == "act":
            if _slopes(b) is None:
                return False
        elif b.kind == "residual":
            if not _exact_leaves(b.children[0]):
                return False
        elif b.kind not in ("dense", "conv", "layer_norm", "rms_norm"):
            return False
    return True


def _count_acts(b: Block) -> int:
    if b.kind == "residual":
        return sum(_count_acts(c) for c in b.children[0].flatten())
    return 1 if b.kind in ("act", "glu") else 0


_S = dict  # the exact state: q1, q2, k, t11, t22, t12, mu1, mu2, chi (SymPy), pair, same


def _small(*vals: sympy.Expr) -> bool:
    return all(sympy.count_ops(v) <= MAX_EXACT_OPS for v in vals)


def _exact_apply(b: Block, s: _S) -> tuple[_S, sympy.Expr] | None:
    kind = b.kind
    if kind in ("serial", "repeat"):
        m = sympy.Integer(1)
        kids = b.children if kind == "serial" else b.children * b.option("n")
        for child in kids:
            out = _exact_apply(child, s)
            if out is None:
                return None
            s, mj = out
            m = m * mj
        return s, m
    if kind in ("dense", "conv"):
        w, bb = b.option("weight_var"), b.option("bias_var")
        q1, q2, k = w * s["q1"] + bb, w * s["q2"] + bb, w * s["k"] + bb
        s = {**s, "q1": q1, "q2": q2, "k": k, "t11": w * s["t11"] + q1, "t22": w * s["t22"] + q2,
             "t12": w * s["t12"] + k, "mu1": 0, "mu2": 0, "chi": w * s["chi"]}
        mj = sympy.Integer(0)
    elif kind == "act":
        a, bs = _slopes(b)  # type: ignore[misc]
        p2, d2 = (a**2 + bs**2) / 2, (a**2 + bs**2) / 2
        mean = lambda q: (bs - a) * sympy.sqrt(q) / sympy.sqrt(2 * sympy.pi)  # noqa: E731
        f = dual_kernel(b.option("activation"))
        if s["same"]:
            kk, kd = p2 * s["q1"], d2
        else:
            rho = s["k"] / sympy.sqrt(s["q1"] * s["q2"])
            if rho in (1, -1):
                return None
            env = {"q_1": s["q1"], "q_2": s["q2"], "k": s["k"]}
            sub = {sym: env[sym.name] for sym in f.formula.free_symbols}
            kk = f.closed(0).subs(sub)
            kd = f.closed(1).subs(sub)
        s = {**s, "q1": p2 * s["q1"], "q2": p2 * s["q2"], "k": kk, "t11": d2 * s["t11"],
             "t22": d2 * s["t22"], "t12": kd * s["t12"], "mu1": mean(s["q1"]),
             "mu2": mean(s["q2"]), "chi": d2 * s["chi"]}
        mj = (a + bs) / 2
    elif kind in ("layer_norm", "rms_norm"):
        centre = kind == "layer_norm"
        v1 = s["q1"] - s["mu1"] ** 2 if centre else s["q1"]
        v2 = s["q2"] - s["mu2"] ** 2 if centre else s["q2"]
        kc = s["k"] - s["mu1"] * s["mu2"] if centre else s["k"]
        p = sympy.sqrt(v1 * v2)
        s = {**s, "q1": 1 if centre else s["q1"] / v1, "q2": 1 if centre else s["q2"] / v2,
             "k": 1 if s["same"] else kc / p, "t11": s["t11"] / v1, "t22": s["t22"] / v2,
             "t12": s["t12"] / p, "mu1": 0 if centre else s["mu1"] / sympy.sqrt(v1),
             "mu2": 0 if centre else s["mu2"] / sympy.sqrt(v2), "chi": s["chi"] / v1}
        mj = 1 / sympy.sqrt(v1)
    elif kind == "residual":
        sk, a = b.option("skip"), b.option("branch_weight")
        (branch,) = b.children
        out = _exact_apply(branch, {**s, "chi": sympy.Integer(1)})
        if out is None:
            return None
        f, mf = out
        if branch.has_dense:
            x12, x21, x11, x22, mf = (s["mu1"] * f["mu2"], f["mu1"] * s["mu2"], s["mu1"] * f["mu1"],
                                      s["mu2"] * f["mu2"], sympy.Integer(0))
        else:
            x12, x21, x11, x22 = s["k"] * mf, s["k"] * mf, s["q1"] * mf, s["q2"] * mf
        s = {**s, "q1": sk**2 * s["q1"] + a**2 * f["q1"] + 2 * sk * a * x11,
             "q2": sk**2 * s["q2"] + a**2 * f["q2"] + 2 * sk * a * x22,
             "k": sk**2 * s["k"] + a**2 * f["k"] + sk * a * (x12 + x21),
             "t11": sk**2 * s["t11"] + a**2 * f["t11"] + 2 * sk * a * mf * s["t11"],
             "t22": sk**2 * s["t22"] + a**2 * f["t22"] + 2 * sk * a * mf * s["t22"],
             "t12": sk**2 * s["t12"] + a**2 * f["t12"] + 2 * sk * a * mf * s["t12"],
             "mu1": sk * s["mu1"] + a * f["mu1"], "mu2": sk * s["mu2"] + a * f["mu2"],
             "chi": (sk**2 + a**2 * f["chi"] + 2 * sk * a * mf) * s["chi"]}
        mj = sk + a * mf
    else:
        return None
    s = {key: (sympy.nsimplify(v) if isinstance(v, float) else sympy.sympify(v))
         if key not in ("pair", "same") else v for key, v in s.items()}
    if not _small(*(s[key] for key in ("q1", "q2", "k", "t11", "t22", "t12", "chi"))):
        return None
    return s, sympy.sympify(mj)


def _exact_run(net: Block, exact_in: tuple[sympy.Expr, ...], same: bool, pair: bool) -> _S | None:
    qa, qb, cc = exact_in
    k = qa if same else cc * sympy.sqrt(qa * qb)
    s: _S = {"q1": qa, "q2": qb, "k": k, "t11": sympy.Integer(0), "t22": sympy.Integer(0),
             "t12": sympy.Integer(0), "mu1": sympy.Integer(0), "mu2": sympy.Integer(0),
             "chi": sympy.Integer(1), "pair": pair, "same": same}
    out = _exact_apply(net, s)
    return None if out is None else out[0]


# ------------------------------------------------------------------------- propagate
def _q(value: Any, ball: arb, name: str, dps: int, exact: bool) -> Quantity:
    if exact:
        v = sympy.simplify(value) if sympy.count_ops(value) < 60 else value
        lo, hi = enclose(v, dps)
        if not (ball.overlaps(arb.union(arb(lo), arb(hi)))):
            raise CertificationError(f"{name}: the exact value {v} lies outside its enclosure {ball}")
        return Quantity(v, "exact", method="closed-form recursion", name=name)
    return to_quantity(ball, name=name, method="certified Gaussian moments", dps=dps)


def propagate(net: Any, q1: Any = 1, q2: Any = None, c: Any = None, *,
              dps: int = DEFAULT_DPS) -> Propagation:
    r"""Propagate one or two inputs through an infinite-width network of blocks.

    Parameters
    ----------
    net : Block or activation
        Built with :func:`~symact.networks.blocks.dense`, ``act``, ``serial``, ``repeat``,
        ``residual``, ``layer_norm``, ``rms_norm``, ``dyt``, ``glu``, ``conv``.
    q1, q2 : number
        Second moments of the two inputs (per coordinate); ``q2`` defaults to ``q1``.
    c : number in [-1, 1], optional
        Their correlation.  Without it only input 1 is propagated.
    dps : int
        Digits of the certified values.

    Returns
    -------
    Propagation
        Output moments, correlation, NNGP and NTK entries, the mean squared Jacobian
        :math:`\chi`, the per-block profile, and the level: ``"exact"`` when every block
        has a closed form and the exact recursion stayed small, else ``"certified"``.

    Raises
    ------
    ValueError
        For ``q`` not positive, ``c`` outside [-1, 1], or a bad block.

    Examples
    --------
    >>> import symact as sa
    >>> relu_net = sa.repeat(sa.serial(sa.dense(2), sa.act("relu")), 10)
    >>> r = sa.propagate(relu_net, q1=1)
    >>> r.q1.value, r.ntk[0][0].value, r.chi.value, r.level      # Theta = (L + 1) q at sigma_w^2 = 2... per block pair
    (1, 10, 1, 'exact')
    >>> r = sa.propagate(sa.repeat(sa.residual(sa.serial(sa.dense(1), "gelu", sa.dense(1))), 3), 1)
    >>> r.level, float(r.q1) > 1
    ('certified', True)
    """
    dps = check_dps(dps)
    net = as_block(net)
    with workdps(dps + 15):
        s, exact_in = initial_state(q1, q2, c, dps + 10)
        trace: list[tuple[Block, State, arb]] = []
        out, _ = apply(net, s, dps + 10, trace)
    # the exact recursion: on one input (or two identical ones) the closed forms stay rational
    # in q and sqrt(q); for two inputs each activation nests an arccos, so it is tried only
    # when the network has at most one activation (a structural limit, not a clock)
    n_acts = sum(_count_acts(b) for b in net.flatten())
    exact_ok = _exact_leaves(net) and (s.same or n_acts <= 1)
    ex = _exact_run(net, exact_in, s.same, s.pair) if exact_ok else None
    exact = ex is not None
    get = (lambda key: ex[key]) if exact else (lambda key: None)
    with workdps(dps + 15):
        q1q = _q(get("q1"), out.q1, "q1", dps, exact)
        q2q = _q(get("q2"), out.q2, "q2", dps, exact) if s.pair else None
        cq = None
        if s.pair:
            cval = (get("k") / sympy.sqrt(get("q1") * get("q2"))) if exact else None
            cq = _q(cval, out.c, "c", dps, exact)
        n11 = q1q
        t11 = _q(get("t11"), out.t11, "ntk[0,0]", dps, exact)
        chi = _q(get("chi"), out.chi, "chi", dps, exact)
        if s.pair:
            n12 = _q(get("k"), out.k, "nngp[0,1]", dps, exact)
            t12 = _q(get("t12"), out.t12, "ntk[0,1]", dps, exact)
            t22 = _q(get("t22"), out.t22, "ntk[1,1]", dps, exact)
            nngp = ((n11, n12), (n12, q2q))
            ntk = ((t11, t12), (t12, t22))
        else:
            nngp, ntk = ((n11,),), ((t11,),)
        rows = tuple(
            ProfileRow(i, repr(b), float(st.q1.mid()), float(st.c.mid()) if st.pair else None,
                       float(st.t11.mid()), float(st.chi.mid()), float(cb.mid()))
            for i, (b, st, cb) in enumerate(trace))
    from .growth import residual_growth

    return Propagation(net, q1q, q2q, cq, nngp, ntk, chi, rows,
                       "exact" if exact else "certified",
                       "closed-form recursion, checked in Arb" if exact
                       else "certified Gaussian moments (Arb), block by block",
                       residual_growth(net, dps=dps))
