"""What a result looked at, as data, and how one result names another as its cause.

Probes build subjects from facts (a zone name and a VNet id, an FQDN, a resolver); the report shows
`Subject.text`, and only renderers call it. Causes are `Ref`s (probe id + subject), compared as
data, never found by matching text.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, ClassVar


@dataclass(frozen=True)
class Subject:
    """The probe as a whole (no particular subject); the base of every subject kind."""

    kind: ClassVar[str] = "whole"

    @property
    def text(self) -> str:
        """How reports, the TUI and `probe@subject` references show it."""
        return ""

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, **asdict(self)}

    def __str__(self) -> str:
        return self.text

    def __bool__(self) -> bool:
        return bool(self.text)


WHOLE = Subject()


@dataclass(frozen=True)
class Named(Subject):
    """A resource or thing known by its name: a workspace, an endpoint, a deployment, a connection."""

    kind: ClassVar[str] = "name"
    name: str

    @property
    def text(self) -> str:
        return self.name


@dataclass(frozen=True)
class Host(Subject):
    """A host name clients resolve and connect to."""

    kind: ClassVar[str] = "host"
    fqdn: str

    @property
    def text(self) -> str:
        return self.fqdn


@dataclass(frozen=True)
class ZoneName(Subject):
    """A private DNS zone, by name (several zones may share it)."""

    kind: ClassVar[str] = "zone"
    zone: str

    @property
    def text(self) -> str:
        return self.zone


@dataclass(frozen=True)
class RecordName(Subject):
    """A record set in a private DNS zone: `name` is relative to the zone (maybe a wildcard)."""

    kind: ClassVar[str] = "record"
    name: str
    zone: str

    @property
    def text(self) -> str:
        return f"{self.name}.{self.zone}"

    def covers(self, fqdn: str) -> bool:
        """Whether this record answers for `fqdn`, a name in its zone."""
        if not fqdn.endswith("." + self.zone):
            return False
        rel = fqdn[: -len(self.zone) - 1]
        return rel == self.name or (self.name.startswith("*.") and rel.endswith(self.name[1:]))


@dataclass(frozen=True)
class ZoneLink(Subject):
    """A private DNS zone (by name) as seen from one VNet (by id): its virtual network link."""

    kind: ClassVar[str] = "link"
    zone: str
    vnet_id: str

    @property
    def text(self) -> str:
        return f"{self.zone} → {self.vnet_id.rstrip('/').rsplit('/', 1)[-1]}"


@dataclass(frozen=True)
class Resolver(Subject):
    """A DNS server netcheck asks: `role` system (this machine's), azure (Azure DNS) or custom; `server`
    its address as the user knows it (a custom server's text)."""

    kind: ClassVar[str] = "resolver"
    role: str
    server: str = ""

    @property
    def text(self) -> str:
        return {"system": "system resolver", "azure": "Azure DNS"}.get(self.role, self.server)


@dataclass(frozen=True)
class Rule(Subject):
    """A DNS forwarding ruleset's rule, by their ids; shown `ruleset/rule`."""

    kind: ClassVar[str] = "rule"
    ruleset_id: str
    rule_id: str

    @property
    def text(self) -> str:
        return f"{self.ruleset_id.rstrip('/').rsplit('/', 1)[-1]}/{self.rule_id.rstrip('/').rsplit('/', 1)[-1]}"


def as_subject(subject: Subject | str) -> Subject:
    """A probe may name its subject with a plain string: the thing's own name."""
    if isinstance(subject, Subject):
        return subject
    return Named(subject) if subject else WHOLE


@dataclass(frozen=True)
class Ref:
    """One result as another names it (its cause): the probe and the subject, as data."""

    probe: str
    subject: Subject = WHOLE
    ran: bool = True   # False: the probe was not selected to run (--only, --skip)

    @property
    def text(self) -> str:
        """`probe@subject`, or the probe alone; the JSON report's `cause`."""
        if not self.ran:
            return f"{self.probe} (not run)"
        return f"{self.probe}@{self.subject.text}" if self.subject else self.probe

    def to_json(self) -> dict[str, Any]:
        return {"probe": self.probe, "subject": self.subject.to_json(), "ran": self.ran}

    def __str__(self) -> str:
        return self.text
