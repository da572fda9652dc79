"""YAML for files a user hands us: bounded in size, nesting and aliases, and every error one line.

PyYAML's safe loader builds no objects but still composes recursively (deep nesting is a RecursionError)
and shares aliased nodes (a billion-laughs file is small until something walks it).
"""

from __future__ import annotations

import copy
import functools
from typing import Any

import yaml

MAX_BYTES = 2_000_000
MAX_DEPTH = 50
MAX_ALIASES = 100
MAX_NODES = 200_000   # values after alias expansion: a billion-laughs file is refused before anything walks it


class YamlError(ValueError):
    """One line: what is wrong and where."""


class _BoundedLoader(yaml.SafeLoader):
    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self._aliases = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_ALIASES:
                raise YamlError(f"more than {MAX_ALIASES} aliases (*name){_at(self.peek_event().start_mark)}")
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise YamlError(f"nested deeper than {MAX_DEPTH} levels{_at(self.peek_event().start_mark)}")
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _at(mark: Any) -> str:
    return f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""


def load(text: str) -> Any:
    """The document in `text`, a copy of its own; YamlError (one line) when it is too big, too deep, or not YAML."""
    if len(text) > MAX_BYTES:
        raise YamlError(f"larger than {MAX_BYTES // 1_000_000} MB")
    return copy.deepcopy(_parsed(text))


@functools.lru_cache(maxsize=32)
def _parsed(text: str) -> Any:
    """Parsed once a process: the tests load the shipped scenarios (and their bases) hundreds of times."""
    loader = _BoundedLoader(text)
    try:
        node = loader.get_single_node()
        if node is not None and (size := _expanded(node, {})) > MAX_NODES:
            raise YamlError(f"expands to {size:,} values through its aliases (at most {MAX_NODES:,})")
        return loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        what = exc.problem or exc.context or "not valid YAML"
        raise YamlError(f"not valid YAML: {what}{_at(exc.problem_mark or exc.context_mark)}") from None
    except yaml.YAMLError as exc:
        raise YamlError(f"not valid YAML: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}") from None
    except RecursionError:
        raise YamlError(f"nested deeper than {MAX_DEPTH} levels") from None
    finally:
        loader.dispose()


def _expanded(node: yaml.Node, sizes: dict[int, int]) -> int:
    """How many values the document holds once every alias is expanded (anchored nodes counted once each)."""
    if id(node) not in sizes:
        sizes[id(node)] = 0   # a recursive alias counts as nothing more
        if isinstance(node, yaml.SequenceNode):
            total = 1 + sum(_expanded(n, sizes) for n in node.value)
        elif isinstance(node, yaml.MappingNode):
            total = 1 + sum(_expanded(k, sizes) + _expanded(v, sizes) for k, v in node.value)
        else:
            total = 1
        sizes[id(node)] = total
    return sizes[id(node)]
