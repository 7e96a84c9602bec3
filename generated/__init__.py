# generated from specs/*.yaml by templates/package/__init__.py.j2 — do not edit
"""Code generated from specs/*.yaml by ``python -m generator build``. Do not edit: change the
spec or the template and rebuild. Backends: ``generated.numpy``, ``generated.torch``, ``generated.keras``, ``generated.optax``.
"""
