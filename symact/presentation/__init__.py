"""Layer 5, presentation: matplotlib figures and the command line."""
