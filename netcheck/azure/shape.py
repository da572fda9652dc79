"""ARM JSON read field by field: a field that doesn't fit ARM's shape is a ShapeError naming the
resource and the field, never an exception deep in a probe or a silently empty fact."""

from __future__ import annotations

import ipaddress
from typing import Any


class ShapeError(ValueError):
    def __init__(self, resource: str, field: str, why: str) -> None:
        super().__init__(f"{resource or 'an item'}: {field} {why}")
        self.resource, self.field = resource, field


def _kind(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "true/false", int: "a number",
            float: "a number"}.get(type(value), f"a {type(value).__name__}")


class Shape:
    """One JSON object of an ARM answer. Missing and null fields read as empty; wrong types raise."""

    def __init__(self, data: Any, resource: str = "", path: str = "") -> None:
        if data is None:
            data = {}
        if not isinstance(data, dict):
            raise ShapeError(resource, path or "the resource", f"is {_kind(data)}, not an object")
        self.data, self.resource, self.path = data, resource, path

    @classmethod
    def resource_of(cls, data: Any) -> Shape:
        """A resource as ARM returns it: an object with a string id."""
        rid = data.get("id") if isinstance(data, dict) else None
        shape = cls(data, rid if isinstance(rid, str) else "")
        if not isinstance(rid, str) or not rid.startswith("/"):
            raise ShapeError(shape.resource, "id", "is missing" if rid is None else f"is {rid!r:.60}, not a resource id")
        return shape

    def field(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def _get(self, key: str, types: tuple[type, ...]) -> Any:
        value = self.data.get(key)
        if value is None:
            return None
        if not isinstance(value, types) or (isinstance(value, bool) and bool not in types):
            raise ShapeError(self.resource, self.field(key), f"is {_kind(value)}, not {_kind(types[0]())}")
        return value

    @property
    def id(self) -> str:
        return self.resource

    def obj(self, key: str) -> Shape:
        return Shape(self._get(key, (dict,)), self.resource, self.field(key))

    def text(self, key: str, default: str = "") -> str:
        value: str | None = self._get(key, (str,))
        return value if value else default

    def optional(self, key: str) -> str | None:
        return self.text(key) or None

    def flag(self, key: str) -> bool:
        return bool(self._get(key, (bool,)))

    def maybe_flag(self, key: str) -> bool | None:
        """A boolean that may be absent (None), where absent means ARM's default."""
        value: bool | None = self._get(key, (bool,))
        return value

    def integer(self, key: str, default: int = 0) -> int:
        value: int | None = self._get(key, (int,))
        return default if value is None else value

    def objs(self, key: str) -> list[Shape]:
        items = self._get(key, (list,)) or []
        return [Shape(x, self.resource, f"{self.field(key)}[{i}]") for i, x in enumerate(items)]

    def texts(self, key: str) -> tuple[str, ...]:
        items = self._get(key, (list,)) or []
        for i, x in enumerate(items):
            if not isinstance(x, str):
                raise ShapeError(self.resource, f"{self.field(key)}[{i}]", f"is {_kind(x)}, not a string")
        return tuple(items)

    def weights(self, key: str) -> dict[str, int]:
        """A map of name to a whole number (traffic percentages)."""
        items = self.obj(key).data
        for k, v in items.items():
            if not isinstance(v, int) or isinstance(v, bool):
                raise ShapeError(self.resource, f"{self.field(key)}.{k}", f"is {_kind(v)}, not a whole number")
        return {str(k): v for k, v in items.items()}

    def ips(self, key: str) -> tuple[str, ...]:
        return tuple(self.address(f"{self.field(key)}[{i}]", x) for i, x in enumerate(self.texts(key)))

    def address(self, field: str, value: str) -> str:
        try:
            return str(ipaddress.ip_address(value))
        except ValueError:
            raise ShapeError(self.resource, field, f"is {value!r:.60}, not an IP address") from None

    def cidrs(self, key: str) -> tuple[str, ...]:
        out = []
        for i, x in enumerate(self.texts(key)):
            try:
                ipaddress.ip_network(x, strict=False)
            except ValueError:
                raise ShapeError(self.resource, f"{self.field(key)}[{i}]", f"is {x!r:.60}, not a CIDR") from None
            out.append(x)
        return tuple(out)
