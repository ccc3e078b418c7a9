"""Layer 2, exact analysis: derivatives' sup/inf, exact or certified, and properties."""
