"""Layer 4, derivations and verification: recorded steps rendered as documents, verdicts on claims."""
