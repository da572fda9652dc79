"""The Azure clouds: their ARM and sign-in endpoints. Service suffixes and zones live in netcheck.services."""

from __future__ import annotations

from dataclasses import dataclass

from netcheck import services


@dataclass(frozen=True, kw_only=True)
class Cloud:
    name: str
    arm: str
    authority: str

    def suffix(self, service: str) -> str:
        """The public DNS suffix of a service's hosts in this cloud (services.SERVICES key)."""
        return services.get(service).suffix_in(self.name)

    def zone(self, service: str) -> str | None:
        """The private DNS zone that answers for a service's hosts in this cloud."""
        return services.get(service).zone_in(self.name)

    @property
    def required_zones(self) -> tuple[str, ...]:
        """Private zones a private workspace and its dependencies may need, in the catalog's order."""
        return services.required_zones(self.name)

    @property
    def forwarded_zones(self) -> tuple[str, ...]:
        """Public zones a custom DNS server must forward to Azure DNS (not the privatelink ones)."""
        return services.forwarded_zones(self.name)


CLOUDS = {c.name: c for c in (
    Cloud(name=services.PUBLIC, arm="https://management.azure.com", authority="login.microsoftonline.com"),
    Cloud(name=services.CHINA, arm="https://management.chinacloudapi.cn", authority="login.chinacloudapi.cn"),
    Cloud(name=services.USGOV, arm="https://management.usgovcloudapi.net", authority="login.microsoftonline.us"),
)}


def cloud(name: str) -> Cloud:
    return CLOUDS[name]
