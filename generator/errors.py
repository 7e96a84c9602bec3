"""The one error type a spec can raise: it names the file, the line and what is wrong."""

from __future__ import annotations


class SpecError(Exception):
    """A spec is invalid. ``str(err)`` reads ``specs/adam.yaml:12: what is wrong``."""

    def __init__(self, path: str, line: int | None, message: str):
        self.path = str(path)
        self.line = line
        self.message = message
        where = f"{self.path}:{line}" if line else self.path
        super().__init__(f"{where}: {message}")


class GenerationError(Exception):
    """A valid spec that a backend cannot print (e.g. an unsupported function)."""


class OutputError(Exception):
    """The output folder cannot be written safely (a symbolic link in it, say); nothing was."""
