"""Derivations of shaping and of the isometry search: what they state, read from the records."""

from symact.proofs.shape_steps import isometry_derivation, shape_derivation
from symact.propagation.isometry import isometry
from symact.propagation.shaping import shape


def test_shape_derivation_states_the_krawczyk_conclusion():
    s = shape("tanh", method="tat", dps=15)
    d = shape_derivation(s)
    assert d.row("unique").value == "yes (Krawczyk)"
    lo, hi = d.row("input_scale").value.enclosure
    assert lo <= s.input_scale.enclosure[0] and s.input_scale.enclosure[1] <= hi
    doc = d.document()
    assert r"\documentclass" in doc and "K_\\alpha" in doc and "C^{(2)}(1)" in doc
    assert "exactly one zero" in d.text()


def test_isometry_derivation_rows():
    d = isometry_derivation(isometry("relu", 10, weights="gaussian"))
    assert d.row("spread").value == 20 and d.row("infimum").value == 20


def test_derive_dispatches_shape_and_isometry_results():
    """``sa.derive(result)`` reaches the shape and isometry builders, which cite their sources."""
    import symact as sa

    iso = sa.derive(sa.isometry("relu", 10))
    assert "pennington2018" in iso.references and iso.row("spread").value == 10
    sh = sa.derive(sa.shape("tanh"))
    assert sh.references[0] == "martens2021" and "krawczyk1969" in sh.references
