"""The api-versions the simulated ARM accepts, per resource provider (and type where it differs).

A small set per type: the versions of Microsoft's examples in tests/data/arm-examples, those the SDK clients
netcheck installs send by default, netcheck's own (azure/versions.py), and the az CLI's recent ones. Anything
else is refused as ARM refuses it, so a reader sending an unpublished version (2099-01-01) fails in the tests.
"""

from __future__ import annotations

_NETWORK = {"2024-05-01", "2024-07-01", "2024-10-01", "2025-01-01", "2025-03-01", "2025-05-01", "2025-07-01",
            "2025-09-01", "2026-03-01"}
_RESOURCES = {"2021-04-01", "2022-09-01", "2024-03-01", "2024-07-01", "2024-11-01", "2025-04-01"}

# provider or provider/type (lower case) -> accepted versions; the longest key that matches wins
VERSIONS: dict[str, set[str]] = {
    "microsoft.network": _NETWORK,
    "microsoft.network/privatednszones": {"2018-09-01", "2020-06-01", "2024-06-01"},
    "microsoft.network/dnsresolvers": {"2022-07-01", "2025-05-01"},
    "microsoft.network/dnsforwardingrulesets": {"2022-07-01", "2025-05-01"},
    "microsoft.machinelearningservices": {"2024-04-01", "2024-10-01", "2025-01-01-preview", "2025-04-01",
                                          "2025-06-01", "2025-09-01", "2025-12-01"},
    "microsoft.containerregistry": {"2023-07-01", "2023-11-01-preview", "2024-11-01-preview", "2025-04-01",
                                    "2025-11-01"},
    "microsoft.keyvault": {"2023-07-01", "2024-11-01", "2025-05-01", "2026-02-01", "2026-05-15"},
    "microsoft.compute": {"2024-03-01", "2024-07-01", "2024-11-01", "2025-04-01"},
    "microsoft.containerservice": {"2024-09-01", "2025-01-01", "2025-05-01"},
    "microsoft.storage": {"2023-05-01", "2024-01-01", "2025-01-01", "2025-06-01", "2026-09-01"},
    "microsoft.authorization/policyassignments": {"2023-04-01", "2024-04-01", "2025-11-01"},
    "microsoft.resources": _RESOURCES,   # resource groups, the `resources` listings
    "microsoft.resources/subscriptions": {"2016-06-01", "2020-01-01", "2022-12-01", *_RESOURCES},
}


def provider_type(path: str) -> str:
    """`Namespace/type[/child...]` a request path reads (lower case); Microsoft.Resources for the rest."""
    parts = [p.lower() for p in path.strip("/").split("/")]
    if "providers" in parts:
        i = len(parts) - 1 - parts[::-1].index("providers")
        rest = parts[i + 1:]
        if len(rest) >= 2:
            return "/".join([rest[0], *rest[1::2]])
        return rest[0] if rest else "microsoft.resources"
    if len(parts) <= 2:
        return "microsoft.resources/subscriptions"
    return "microsoft.resources"


def accepted(type_: str) -> set[str] | None:
    """The versions ARM takes for a type; None for a provider the simulator doesn't know (any is taken)."""
    keys = [k for k in VERSIONS if type_ == k or type_.startswith(k + "/")]
    return VERSIONS[max(keys, key=len)] if keys else None
