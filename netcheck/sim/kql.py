"""The subset of Resource Graph's KQL netcheck sends: `TABLE | where COND | project COLS | order by id asc`.

Not a KQL engine: enough to answer netcheck's own queries and a user's `--where` condition (comparisons,
`in`, `has`/`contains`/`startswith`/`endswith`, `and`/`or`/`not()`, `isnull()`/`isnotnull()`/`isempty()`/
`isnotempty()`, dotted and `['key']` paths), and to refuse what does not parse as Resource Graph does:
with the line, position and token of the failure.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

_TOKEN = re.compile(
    r"""\s*(?:(?P<str>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")|(?P<num>\d+(?:\.\d+)?)
                        |(?P<op>!in~|in~|!in\b|=~|!~|==|!=|<=|>=|[<>|(),.\[\]])|(?P<word>[A-Za-z_][\w-]*))""",
    re.VERBOSE,
)
_STRING_OPS = {"has", "!has", "contains", "!contains", "startswith", "!startswith", "endswith", "!endswith"}
_FUNCS = {"isnull", "isnotnull", "isempty", "isnotempty", "not", "tolower", "tostring"}
Row = dict[str, Any]


class KqlError(ValueError):
    """A query that does not parse: where, and on which token."""

    def __init__(self, token: str, line: int, position: int) -> None:
        super().__init__(f"ParserFailure at line {line}, position {position}: {token!r}")
        self.token, self.line, self.position = token, line, position


@dataclass(frozen=True)
class Tok:
    kind: str
    text: str
    at: int


@dataclass
class Query:
    table: str
    where: list[Callable[[Row], Any]] = field(default_factory=list)
    project: list[str] | None = None
    order: str | None = None
    limit: int | None = None


def _tokens(text: str) -> list[Tok]:
    out, i = [], 0
    while i < len(text):
        if text[i:].strip() == "":
            break
        m = _TOKEN.match(text, i)
        if not m or m.end() == i:
            raise _error(text, Tok("bad", text[i:].strip()[:1], i + len(text[i:]) - len(text[i:].lstrip())))
        kind = m.lastgroup or "bad"
        out.append(Tok(kind, m.group(kind), m.start(kind)))
        i = m.end()
    return out


def _error(text: str, tok: Tok | None) -> KqlError:
    at = tok.at if tok else len(text)
    line = text.count("\n", 0, at) + 1
    return KqlError(tok.text if tok else "<EOF>", line, at - (text.rfind("\n", 0, at) + 1))


class _Parser:
    def __init__(self, text: str) -> None:
        self.text, self.toks, self.i = text, _tokens(text), 0

    def peek(self, offset: int = 0) -> Tok | None:
        j = self.i + offset
        return self.toks[j] if j < len(self.toks) else None

    def take(self, *texts: str) -> Tok:
        tok = self.peek()
        if tok is None or (texts and tok.text.lower() not in texts):
            raise _error(self.text, tok)
        self.i += 1
        return tok

    def at(self, *texts: str) -> bool:
        tok = self.peek()
        return tok is not None and tok.text.lower() in texts

    # ---- the pipeline ----------------------------------------------------------------------------
    def query(self) -> Query:
        table = self.take()
        if table.kind != "word":
            raise _error(self.text, table)
        q = Query(table.text.lower())
        while self.peek() is not None:
            self.take("|")
            op = self.take("where", "project", "order", "sort", "limit", "take")
            if op.text.lower() in ("limit", "take"):
                count = self.take()
                if count.kind != "num":
                    raise _error(self.text, count)
                q.limit = int(float(count.text))
            elif op.text.lower() == "where":
                q.where.append(self.expr())
            elif op.text.lower() == "project":
                q.project = [self.name()]
                while self.at(","):
                    self.take(",")
                    q.project.append(self.name())
            else:
                self.take("by")
                q.order = self.name()
                if self.at("asc", "desc"):
                    self.take()
        return q

    def name(self) -> str:
        tok = self.take()
        if tok.kind != "word":
            raise _error(self.text, tok)
        return tok.text

    # ---- conditions ------------------------------------------------------------------------------
    def expr(self) -> Callable[[Row], Any]:
        left = self.conj()
        while self.at("or"):
            self.take()
            left = _either(left, self.conj())
        return left

    def conj(self) -> Callable[[Row], Any]:
        left = self.comparison()
        while self.at("and"):
            self.take()
            left = _both(left, self.comparison())
        return left

    def comparison(self) -> Callable[[Row], Any]:
        left = self.operand()
        tok = self.peek()
        if tok is None or tok.text.lower() not in {
            "==",
            "!=",
            "=~",
            "!~",
            "<",
            ">",
            "<=",
            ">=",
            "in",
            "in~",
            "!in",
            "!in~",
            *_STRING_OPS,
        }:
            return left
        op = self.take().text.lower()
        if op in ("in", "in~", "!in", "!in~"):
            self.take("(")
            items = [self.operand()]
            while self.at(","):
                self.take(",")
                items.append(self.operand())
            self.take(")")
            return _in(left, items, op)
        return _compare(left, self.operand(), op)

    def operand(self) -> Callable[[Row], Any]:
        tok = self.take()
        if tok.kind == "str":
            value = tok.text[1:-1].replace("\\'", "'").replace('\\"', '"')
            return lambda r: value
        if tok.kind == "num":
            number = float(tok.text)
            return lambda r: number
        if tok.text == "(":
            inner = self.expr()
            self.take(")")
            return inner
        if tok.kind != "word":
            raise _error(self.text, tok)
        if tok.text.lower() in ("true", "false"):
            truth = tok.text.lower() == "true"
            return lambda r: truth
        if self.at("("):
            return self.call(tok)
        path = [tok.text]
        while self.at(".", "["):
            if self.take().text == ".":
                path.append(self.name())
            else:
                key = self.take()
                if key.kind != "str":
                    raise _error(self.text, key)
                path.append(key.text[1:-1])
                self.take("]")
        return lambda r: _get(r, path)

    def call(self, fn: Tok) -> Callable[[Row], Any]:
        name = fn.text.lower()
        if name not in _FUNCS:
            raise _error(self.text, fn)
        self.take("(")
        arg = self.expr()
        self.take(")")
        return {
            "isnull": lambda r: arg(r) is None,
            "isnotnull": lambda r: arg(r) is not None,
            "isempty": lambda r: arg(r) in (None, ""),
            "isnotempty": lambda r: arg(r) not in (None, ""),
            "not": lambda r: not arg(r),
            "tolower": lambda r: _text(arg(r)).lower(),
            "tostring": lambda r: _text(arg(r)),
        }[name]


def _either(a: Callable[[Row], Any], b: Callable[[Row], Any]) -> Callable[[Row], bool]:
    return lambda r: bool(a(r)) or bool(b(r))


def _both(a: Callable[[Row], Any], b: Callable[[Row], Any]) -> Callable[[Row], bool]:
    return lambda r: bool(a(r)) and bool(b(r))


def _get(row: Row, path: list[str]) -> Any:
    node: Any = row
    for key in path:
        if not isinstance(node, dict):
            return None
        node = node.get(key, next((v for k, v in node.items() if k.lower() == key.lower()), None))
    return node


def _text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return str(v).lower()
    return v if isinstance(v, str) else str(v)


def _compare(a: Callable[[Row], Any], b: Callable[[Row], Any], op: str) -> Callable[[Row], bool]:
    def test(r: Row) -> bool:
        x, y = a(r), b(r)
        if op in ("<", ">", "<=", ">="):
            try:
                fx, fy = float(x), float(y)
            except (TypeError, ValueError):
                return False
            return {"<": fx < fy, ">": fx > fy, "<=": fx <= fy, ">=": fx >= fy}[op]
        sx, sy = _text(x), _text(y)
        neg = op.startswith("!")
        base = op.lstrip("!")
        if base in ("=", "=="):
            hit = sx == sy
        elif base in ("~", "=~"):
            hit = sx.lower() == sy.lower()
        elif base == "has":
            hit = sy.lower() in re.split(r"[^0-9a-z]+", sx.lower()) if sy else True
        elif base == "contains":
            hit = sy.lower() in sx.lower()
        elif base == "startswith":
            hit = sx.lower().startswith(sy.lower())
        else:
            hit = sx.lower().endswith(sy.lower())
        return hit != neg if op != "!=" else sx != sy

    return test


def _in(a: Callable[[Row], Any], items: list[Callable[[Row], Any]], op: str) -> Callable[[Row], bool]:
    fold = op.endswith("~")

    def test(r: Row) -> bool:
        x = _text(a(r))
        values = [_text(i(r)) for i in items]
        hit = x.lower() in [v.lower() for v in values] if fold else x in values
        return hit != op.startswith("!")

    return test


def parse(text: str) -> Query:
    """The query, or KqlError naming where it stops parsing."""
    return _Parser(text).query()


def condition(text: str) -> Callable[[Row], Any]:
    """One `where` condition on its own (a user's --where), or KqlError."""
    p = _Parser(text)
    test = p.expr()
    if p.peek() is not None:
        raise _error(text, p.peek())
    return test
