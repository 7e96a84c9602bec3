"""One printer per target: SymPy expressions to source text."""
