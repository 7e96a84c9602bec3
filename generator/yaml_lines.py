"""A safe YAML loader that remembers the line of every mapping key and list item.

Only plain scalars, lists and mappings are accepted: tags, anchors/aliases (billion-laughs
bombs) and duplicate keys are refused, because a spec is untrusted input.
"""

from __future__ import annotations

import yaml

from .errors import SpecError


class LineDict(dict):
    """A dict whose ``lines[key]`` is the 1-based line of that key in the source."""

    def __init__(self, *args, line: int = 0):
        super().__init__(*args)
        self.line = line
        self.lines: dict = {}


class LineList(list):
    """A list whose ``lines[i]`` is the 1-based line of item ``i``."""

    def __init__(self, *args, line: int = 0):
        super().__init__(*args)
        self.line = line
        self.lines: list = []


_STANDARD_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
}


def load_yaml(text: str, path: str) -> LineDict:
    """Parse spec text into LineDict/LineList/scalars, or raise SpecError with a line."""
    try:
        _refuse_anchors(text, path)
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = mark.line + 1 if mark else None
        message = f"invalid YAML: {err.problem or err}"
        if err.context and err.context_mark and err.context_mark.line + 1 != line:
            message += f" ({err.context} on line {err.context_mark.line + 1})"
        raise SpecError(path, line, message) from None
    except yaml.reader.ReaderError as err:  # a character YAML does not allow in a stream
        line = text.count("\n", 0, err.position) + 1
        code = err.character if isinstance(err.character, int) else ord(err.character)
        raise SpecError(
            path, line, f"invalid YAML: character U+{code:04X} is not allowed"
        ) from None
    except yaml.YAMLError as err:  # pragma: no cover - any other parser failure
        raise SpecError(path, None, f"invalid YAML: {err}") from None
    except RecursionError:  # pragma: no cover - MAX_NESTING refuses such text first
        raise SpecError(path, None, "invalid YAML: nested too deeply") from None
    if node is None:
        raise SpecError(path, 1, "the spec is empty")
    value = _convert(node, path)
    if not isinstance(value, LineDict):
        raise SpecError(path, node.start_mark.line + 1, "a spec must be a mapping")
    return value


MAX_NESTING = 16  # a spec needs 4 levels; PyYAML's composer recurses once per level


def _refuse_anchors(text, path):
    """One pass over the event stream (the parser itself does not recurse): no anchors or
    aliases, and no nesting deeper than MAX_NESTING, before anything is composed."""
    depth = 0
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            line = event.start_mark.line + 1
            raise SpecError(path, line, "YAML anchors and aliases are not allowed in specs")
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_NESTING:
                line = event.start_mark.line + 1
                raise SpecError(path, line, f"YAML nested deeper than {MAX_NESTING} levels")
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def _convert(node, path):
    line = node.start_mark.line + 1
    if node.tag not in _STANDARD_TAGS:
        raise SpecError(path, line, f"YAML tag {node.tag!r} is not allowed in specs")
    if isinstance(node, yaml.MappingNode):
        out = LineDict(line=line)
        for key_node, value_node in node.value:
            key = _convert(key_node, path)
            if not isinstance(key, str):
                raise SpecError(path, key_node.start_mark.line + 1, f"key {key!r} must be a string")
            if key in out:
                raise SpecError(path, key_node.start_mark.line + 1, f"duplicate key {key!r}")
            out[key] = _convert(value_node, path)
            out.lines[key] = key_node.start_mark.line + 1
        return out
    if isinstance(node, yaml.SequenceNode):
        out = LineList(line=line)
        for item in node.value:
            out.append(_convert(item, path))
            out.lines.append(item.start_mark.line + 1)
        return out
    return _scalar(node)


def _scalar(node):
    # Resolve the scalar with SafeLoader's own constructors (int, float, bool, null, str).
    loader = yaml.SafeLoader("")
    try:
        return loader.construct_object(node)
    finally:
        loader.dispose()
