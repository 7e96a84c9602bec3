# copied from generator/runtime/host/__init__.py by python -m generator build — do not edit
"""Per spec, what every backend computes on the host: domains, initial state, step scalars."""
