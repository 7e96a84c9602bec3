"""Verification, kept out of the build (which imports nothing from here): the 50-digit
reference (``reference``) and the checks the generated tests call (``testing`` for NumPy,
``testing_torch`` for torch)."""
