"""Foundation shared by every layer: errors, time budgets, precision and the result protocol.

Imports nothing from the other subpackages.
"""
