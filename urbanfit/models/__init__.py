"""Pure models: parking footprint, congestion, narrow-street fit (no I/O)."""
