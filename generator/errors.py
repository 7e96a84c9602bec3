"""The errors a build can raise, each one naming where it comes from, and ``context``, which
adds the spec and variant being printed to any error raised inside it (torchgen's model)."""

from __future__ import annotations

from contextlib import contextmanager


class SpecError(Exception):
    """A spec is invalid. ``str(err)`` reads ``specs/adam.yaml:12: what is wrong``."""

    def __init__(self, path: str, line: int | None, message: str):
        self.path = str(path)
        self.line = line
        self.message = message
        where = f"{self.path}:{line}" if line else self.path
        super().__init__(f"{where}: {message}")


class GenerationError(Exception):
    """A valid spec that a backend cannot print (e.g. an unsupported function). ``str(err)``
    reads ``specs/adam.yaml: variant amsgrad: what went wrong`` when raised under ``context``."""


class OutputError(Exception):
    """The output folder cannot be written safely (a symbolic link in it, say); nothing was."""


@contextmanager
def context(where: str, fallback: bool = False):
    """Prefix ``where`` to any error but a SpecError (which has its file and line already).
    ``fallback``: only to errors that no inner context has placed yet (a backend as a whole,
    around the specs and variants it names itself)."""
    try:
        yield
    except SpecError:
        raise
    except GenerationError as err:
        if fallback and getattr(err, "placed", False):
            raise
        raise _placed(GenerationError(f"{where}: {err}")) from err
    except Exception as err:  # a bug in a backend: still say which spec and variant
        raise _placed(GenerationError(f"{where}: {type(err).__name__}: {err}")) from err


def _placed(err: GenerationError) -> GenerationError:
    err.placed = True  # a context named where it comes from
    return err
