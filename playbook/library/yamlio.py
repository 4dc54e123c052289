"""The one YAML reader for data/: safe, strict about duplicate keys, and line-aware.

YAML 1.1 turns ``yes``/``no``/``on``/``off`` into booleans, which would silently mangle
option ids such as ``no``; this loader keeps them as strings (only true/false are booleans).
Mappings remember the line of each key so validation errors can point at the source.
"""

from __future__ import annotations

import pickle
import re
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any

import yaml


class YamlError(ValueError):
    """A data file that cannot be read or parsed. Callers turn it into a problem or an error.

    Attributes:
        code: the catalogue key of the message (``error.data_unreadable`` or
            ``error.yaml_syntax``).
        file: the file's path as given.
        line: 1-based line of the problem (0 when unknown).
        detail: what the reader or parser said.
    """

    def __init__(self, code: str, file: str, line: int, detail: str) -> None:
        self.code, self.file, self.line, self.detail = code, file, line, detail
        super().__init__(f"{file}:{line}: {detail}")

    @property
    def params(self) -> dict[str, object]:
        """The message parameters (for ``PlaybookError(code, **params)``)."""
        return {"file": self.file, "line": self.line, "detail": self.detail}


class LineDict(dict):
    """A dict that knows the 1-based source line of each of its keys."""

    lines: dict[Any, int]
    line: int


# libyaml's parser when PyYAML was built with it (about ten times faster), else pure Python.
_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_Base):  # type: ignore[misc, valid-type]
    pass


# Drop the resolvers for booleans and re-add one that only knows true/false.
_Loader.yaml_implicit_resolvers = {
    ch: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for ch, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    out = LineDict()
    out.lines = {}
    out.line = node.start_mark.line + 1
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in out:
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"duplicate key '{key}' (first on line {out.lines[key]})",
                key_node.start_mark,
            )
        out[key] = loader.construct_object(value_node, deep=True)
        out.lines[key] = key_node.start_mark.line + 1
    return out


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


# Texts parsed in this process, newest last: a text read again is not parsed again. The
# checker reads every file after each edit, most of them unchanged, and a changed data folder
# re-reads them all; unpickling is about ten times faster than building the objects from
# YAML. Each read gets its own copy (a caller may change what it gets).
PARSED_KEPT = 256
_PARSED: OrderedDict[str, bytes] = OrderedDict()
_PARSED_LOCK = threading.Lock()


def load_yaml(path: Path) -> Any:
    """Parse one YAML file (a text parsed before in this process: a copy of that result).

    Raises:
        YamlError: the file cannot be read or is not valid YAML; it names the file and line.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise YamlError("error.data_unreadable", str(path), 0, str(exc)) from exc
    with _PARSED_LOCK:
        kept = _PARSED.get(text)
        if kept is not None:
            _PARSED.move_to_end(text)
    if kept is not None:
        return pickle.loads(kept)  # noqa: S301 - bytes this process pickled itself
    try:
        data = yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        detail = " ".join(str(p) for p in (exc.context, exc.problem) if p)
        raise YamlError("error.yaml_syntax", str(path), line, detail) from exc
    except yaml.YAMLError as exc:
        raise YamlError("error.yaml_syntax", str(path), 0, str(exc)) from exc
    with _PARSED_LOCK:
        _PARSED[text] = pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL)
        while len(_PARSED) > PARSED_KEPT:
            _PARSED.popitem(last=False)
    return data


def line_of(data: Any, loc: tuple) -> int | None:
    """The source line of the deepest key in ``loc`` that exists in ``data``."""
    line = getattr(data, "line", None)
    node = data
    for part in loc:
        if isinstance(node, LineDict) and part in node:
            line = node.lines.get(part, line)
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
            line = getattr(node, "line", line)
        else:
            break
    return line
