"""Optimizer update rules written once as SymPy equations in YAML, generated for every backend."""

from .errors import GenerationError, SpecError
from .model import Spec, load_spec

__all__ = ["GenerationError", "Spec", "SpecError", "load_spec"]
