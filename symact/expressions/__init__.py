"""Layer 1, expressions: the Activation value object, the catalogue and safe parsing."""
