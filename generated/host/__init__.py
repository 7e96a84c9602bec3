# generated from specs/*.yaml by templates/host/__init__.py.j2 — do not edit
"""Per spec, what every backend computes on the host: domains, initial state, step scalars."""
