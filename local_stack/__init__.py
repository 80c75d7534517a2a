"""The embedded local stack: Temporal dev server, local AWS, worker and inference adapters on loopback."""
