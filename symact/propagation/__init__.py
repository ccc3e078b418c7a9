"""Layer 3, signal propagation: worst-case depth bounds and the mean-field (average-case) theory."""
