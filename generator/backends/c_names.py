"""Names of the generated C symbols, which the Python runtimes look up by name: one rule,
shared by the C/CUDA backend that defines them and the Python backends that call them."""

from __future__ import annotations


def kernel_stem(module: str, suffix: str) -> str:
    """The prefix of every C name of one variant: ``ocg_adam_no_amsgrad``."""
    return f"ocg_{module}_{suffix}"
