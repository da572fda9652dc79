"""The private-link services netcheck knows, one entry each: the only place their DNS names are spelled.

Discovery (which resources and zones to read), targets (the records a zone must hold, the names to
resolve), the probes (zones to forward) and the simulator (what public DNS answers) all read this
table. Adding a service is one entry here plus its probe(s).

Per-cloud values are keyed by cloud name (`netcheck.clouds.CLOUDS`). Zone names follow Microsoft's
"Azure Private Endpoint private DNS zone values" (learn.microsoft.com/azure/private-link/private-endpoint-dns)
and, for Azure Machine Learning, "How to use your workspace with a custom DNS server".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

PUBLIC, CHINA, USGOV = "AzureCloud", "AzureChinaCloud", "AzureUSGovernment"
PerCloud = Mapping[str, str]
DEFAULT_PRIVATE_NAME = "{label}.{zone}"


def per_cloud(public: str, china: str, usgov: str) -> PerCloud:
    return {PUBLIC: public, CHINA: china, USGOV: usgov}


def privatelink(suffixes: PerCloud) -> PerCloud:
    """The usual private zone: `privatelink.` before the public suffix."""
    return {c: f"privatelink.{s}" for c, s in suffixes.items()}


@dataclass(frozen=True, kw_only=True)
class Service:
    """One private-link service: what ARM calls it and how DNS names it in each cloud."""

    key: str
    arm_type: str
    group_ids: tuple[str, ...]           # the private endpoint's groupIds (sub-resources)
    role: str                            # what targets.Name calls its hosts
    suffix: PerCloud                     # the public DNS suffix its host names end in
    zone: PerCloud | None                # the private DNS zone answering for them; None: no zone of its own
    forward: Mapping[str, tuple[str, ...]]   # public zones a custom DNS server must forward to Azure DNS
    # How its public host names are formed from facts (name, guid, region, endpoint); empty when ARM
    # names them itself (notebookInfo.fqdn) or netcheck resolves none (compute instances).
    hosts: tuple[str, ...] = ("{name}.{suffix}",)
    private_name: str = DEFAULT_PRIVATE_NAME    # the privatelink name public DNS points a host at
    workspace_property: str | None = None       # the workspace property holding the resource's id
    # Discovery reads it as raw ARM JSON for its private endpoint connections, at azure/versions.py's
    # api-version for its provider (False: a reader of its own, or not read).
    read_generically: bool = False
    record_when_private: bool = False  # a private workspace needs its record even without a private endpoint read
    serves: str = ""   # what breaks when its hosts can't be resolved or reached (probes/impact.py; {vnet}: from where)

    def suffix_in(self, cloud: str) -> str:
        return self.suffix[cloud]

    def zone_in(self, cloud: str) -> str | None:
        return self.zone[cloud] if self.zone else None

    def linked_id(self, workspace: Mapping[str, Any]) -> str | None:
        """The id of its resource as a workspace's ARM JSON names it (properties.<workspace_property>)."""
        value = (workspace.get("properties") or {}).get(self.workspace_property or "")
        return value if self.workspace_property and isinstance(value, str) and value else None

    def private_host(self, cloud: str, **facts: str) -> str:
        """The privatelink name public DNS points one of its hosts at (facts: label, or as private_name needs)."""
        return self.private_name.format(zone=self.zone_in(cloud), **facts)

    def host_names(self, cloud: str, **facts: str) -> tuple[str, ...]:
        return tuple(h.format(suffix=self.suffix[cloud], **facts).lower() for h in self.hosts)


_ML_API = per_cloud("api.azureml.ms", "api.ml.azure.cn", "api.ml.azure.us")
_NOTEBOOKS = per_cloud("notebooks.azure.net", "notebooks.chinacloudapi.cn", "notebooks.usgovcloudapi.net")
_INFERENCE = per_cloud("inference.ml.azure.com", "inference.ml.azure.cn", "inference.ml.azure.us")
_INSTANCES = per_cloud("instances.ml.azure.ms", "instances.ml.azure.cn", "instances.ml.azure.us")
_INSTANCES_OLD = per_cloud("instances.azureml.ms", "instances.azureml.cn", "instances.azureml.us")
_ACR = per_cloud("azurecr.io", "azurecr.cn", "azurecr.us")
_VAULT = per_cloud("vault.azure.net", "vault.azure.cn", "vault.usgovcloudapi.net")
_VAULTCORE = per_cloud("vaultcore.azure.net", "vaultcore.azure.cn", "vaultcore.usgovcloudapi.net")
_BLOB = per_cloud("blob.core.windows.net", "blob.core.chinacloudapi.cn", "blob.core.usgovcloudapi.net")
_FILE = per_cloud("file.core.windows.net", "file.core.chinacloudapi.cn", "file.core.usgovcloudapi.net")
_AZNBCONTENT = per_cloud("aznbcontent.net", "aznbcontent.net", "aznbcontent.net")
_WORKSPACE = "Microsoft.MachineLearningServices/workspaces"
_STORAGE = "Microsoft.Storage/storageAccounts"


def forwards(*zones: PerCloud) -> Mapping[str, tuple[str, ...]]:
    return {c: tuple(z[c] for z in zones) for c in (PUBLIC, CHINA, USGOV)}


# In the catalog's order: required zones and forwarders are listed in this order.
SERVICES: dict[str, Service] = {s.key: s for s in (
    Service(key="workspace", arm_type=_WORKSPACE, group_ids=("amlworkspace",), role="workspace",
            suffix=_ML_API, zone=privatelink(_ML_API), forward=forwards(_ML_API),
            hosts=("{guid}.workspace.{region}.{suffix}",), serves="deployment and the workspace API"),
    Service(key="workspace_cert", arm_type=_WORKSPACE, group_ids=("amlworkspace",), role="workspace",
            suffix=_ML_API, zone=privatelink(_ML_API), forward=forwards(_ML_API),
            hosts=("{guid}.workspace.{region}.cert.{suffix}",), serves="deployment and the workspace API"),
    # Scoring hosts live in the workspace's zone under another name: the private endpoint serves them
    # all as `*.<guid>.inference.<region>.<workspace suffix>`.
    Service(key="scoring", arm_type=f"{_WORKSPACE}/onlineEndpoints", group_ids=("amlworkspace",), role="scoring",
            suffix=_INFERENCE, zone=privatelink(_ML_API), forward=forwards(_INFERENCE),
            hosts=("{endpoint}.{region}.{suffix}",), private_name="{endpoint}.{guid}.inference.{region}.{zone}",
            serves="scoring{vnet}"),
    # ARM names the notebook host (notebookInfo.fqdn).
    Service(key="notebooks", arm_type=_WORKSPACE, group_ids=("amlworkspace",), role="notebooks",
            suffix=_NOTEBOOKS, zone=privatelink(_NOTEBOOKS), forward=forwards(_NOTEBOOKS), hosts=(),
            serves="notebooks in studio"),
    # Compute instances: no zone of their own; older workspaces use the second suffix, and notebook
    # content comes from aznbcontent.net.
    Service(key="instances", arm_type=f"{_WORKSPACE}/computes", group_ids=("amlworkspace",), role="instances",
            suffix=_INSTANCES, zone=None, forward=forwards(_INSTANCES, _INSTANCES_OLD, _AZNBCONTENT), hosts=(),
            serves="compute instances"),
    # Login host `<name>.<suffix>`; the data hosts `<name>.<region>.data.<suffix>` come from ARM.
    Service(key="registry", arm_type="Microsoft.ContainerRegistry/registries", group_ids=("registry",),
            role="registry", suffix=_ACR, zone=privatelink(_ACR), forward=forwards(_ACR),
            workspace_property="containerRegistry", serves="image pull (deployment)"),
    # Key Vault's private zone is not privatelink.<its suffix>, and both public zones are forwarded.
    Service(key="vault", arm_type="Microsoft.KeyVault/vaults", group_ids=("vault",), role="vault",
            suffix=_VAULT, zone=privatelink(_VAULTCORE), forward=forwards(_VAULT, _VAULTCORE),
            workspace_property="keyVault", serves="deployment (the workspace's secrets)"),
    Service(key="blob", arm_type=_STORAGE, group_ids=("blob",), role="storage", suffix=_BLOB,
            zone=privatelink(_BLOB), forward=forwards(_BLOB), workspace_property="storageAccount",
            record_when_private=True, serves="model and code download (deployment)"),
    Service(key="file", arm_type=_STORAGE, group_ids=("file",), role="storage", suffix=_FILE,
            zone=privatelink(_FILE), forward=forwards(_FILE), workspace_property="storageAccount",
            record_when_private=True, serves="model and code download (deployment)"),
)}


def get(key: str) -> Service:
    return SERVICES[key]


def all_services() -> tuple[Service, ...]:
    return tuple(SERVICES.values())


def by_type(arm_type: str) -> tuple[Service, ...]:
    """The services a resource of this ARM type offers (e.g. blob and file for a storage account)."""
    return tuple(s for s in SERVICES.values() if s.arm_type.lower() == arm_type.lower())


def read_generically() -> tuple[Service, ...]:
    """Services discovery reads through ARM from the workspace's reference (no reader of their own)."""
    return tuple(s for s in SERVICES.values() if s.workspace_property and s.read_generically)


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def required_zones(cloud: str) -> tuple[str, ...]:
    """Every private zone the services use, in the catalog's order."""
    return _unique(z for s in SERVICES.values() if (z := s.zone_in(cloud)))


def forwarded_zones(cloud: str) -> tuple[str, ...]:
    """Public zones a custom DNS server must forward to Azure DNS (not the privatelink ones)."""
    return _unique(z for s in SERVICES.values() for z in s.forward[cloud])


def _match(fqdn: str, cloud: str) -> tuple[Service, str] | None:
    """The service a public name a private endpoint serves belongs to (by its longest suffix), and its label."""
    fqdn = fqdn.lower().rstrip(".")
    hits = [s for s in SERVICES.values() if s.private_name == DEFAULT_PRIVATE_NAME and s.zone_in(cloud)
            and fqdn.endswith("." + s.suffix[cloud])]
    if not hits:
        return None
    svc = max(hits, key=lambda s: len(s.suffix[cloud]))
    return svc, fqdn[: -len(svc.suffix[cloud]) - 1]


def split(fqdn: str, cloud: str) -> tuple[str, str] | None:
    """(private zone, record name) for a public name a private endpoint serves."""
    found = _match(fqdn, cloud)
    return (found[0].zone_in(cloud) or "", found[1]) if found else None


def private_name(fqdn: str, cloud: str) -> str | None:
    """The privatelink name public DNS points a service's public host at (None: not a service's host)."""
    if ".privatelink." in f".{fqdn}":
        return None
    found = _match(fqdn, cloud)
    return found[0].private_host(cloud, label=found[1]) if found else None
