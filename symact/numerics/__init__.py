"""Numeric backends beside the layers: NumPy/mpmath callables and Arb ball arithmetic.

Every layer may use them; they import only :mod:`symact.core`.
"""
