"""The shape of the ARM fields the simulator itself acts on (routes, DNS answers, host names).

A scenario may carry any other field as it likes (a test may serve netcheck a malformed answer), but a
field the simulator reads to decide what to answer must have the type ARM gives it, so a typo is a one-line
message naming the key instead of a traceback from a server thread.
"""

from __future__ import annotations

from typing import Any

# ARM type (lower case) -> (dotted path, `[]` for each item of a list, and the type the value must have)
_RULES: dict[str, list[tuple[str, type]]] = {
    "microsoft.compute/virtualmachines": [("properties.networkProfile.networkInterfaces[].id", str)],
    "microsoft.network/networkinterfaces": [("properties.ipConfigurations[].properties.privateIPAddress", str),
                                            ("properties.ipConfigurations[].properties.subnet.id", str)],
    "microsoft.network/virtualnetworks": [
        ("properties.addressSpace.addressPrefixes[]", str), ("properties.dhcpOptions.dnsServers[]", str),
        ("properties.virtualNetworkPeerings[].properties.remoteVirtualNetwork.id", str),
        ("properties.virtualNetworkPeerings[].properties.peeringState", str)],
    "microsoft.network/virtualnetworks/virtualnetworkpeerings": [
        ("properties.remoteVirtualNetwork.id", str), ("properties.peeringState", str)],
    "microsoft.network/privateendpoints": [("properties.customDnsConfigs[].fqdn", str),
                                           ("properties.customDnsConfigs[].ipAddresses[]", str)],
    "microsoft.containerregistry/registries": [
        ("properties.loginServer", str), ("properties.dataEndpointHostNames[]", str),
        ("properties.publicNetworkAccess", str), ("properties.networkRuleSet.ipRules[].value", str)],
    "microsoft.keyvault/vaults": [("properties.vaultUri", str)],
    "microsoft.machinelearningservices/workspaces": [
        ("properties.storageAccount", str), ("properties.workspaceId", str), ("properties.publicNetworkAccess", str),
        ("properties.privateEndpointConnections[].id", str)],
    "microsoft.machinelearningservices/workspaces/onlineendpoints": [
        ("properties.scoringUri", str), ("properties.publicNetworkAccess", str)],
    "microsoft.network/privatednszones/a": [("properties.aRecords[].ipv4Address", str)],
    "microsoft.network/privatednszones/cname": [("properties.cnameRecord.cname", str)],
    "microsoft.network/privatednszones/virtualnetworklinks": [
        ("properties.virtualNetwork.id", str), ("properties.virtualNetworkLinkState", str),
        ("properties.resolutionPolicy", str)],
}
_NAMES: dict[type, str] = {str: "a string", list: "a list", dict: "a mapping"}


def _walk(value: Any, steps: list[str], path: str, want: type) -> tuple[str, str] | None:
    if not steps:
        return None if isinstance(value, want) else (path, f"must be {_NAMES[want]}, not {type(value).__name__}")
    step, rest = steps[0], steps[1:]
    key, many = step.removesuffix("[]"), step.endswith("[]")
    if not isinstance(value, dict):
        return path, f"must be a mapping, not {type(value).__name__}"
    if key not in value or value[key] is None:
        return None   # absent: ARM omits it too
    here = f"{path}.{key}" if path else key
    node = value[key]
    if not many:
        return _walk(node, rest, here, want)
    if not isinstance(node, list):
        return here, f"must be a list, not {type(node).__name__}"
    for i, item in enumerate(node):
        if problem := _walk(item, rest, f"{here}[{i}]", want):
            return problem
    return None


def check(res: dict[str, Any]) -> tuple[str, str] | None:
    """(key path inside the resource, what is wrong) for the first misfit, or None."""
    rid = str(res["id"])
    if "name" in res:
        name = res["name"]
        if not isinstance(name, str):
            return "name", f"must be a string, not {type(name).__name__}"
        if "/" in name:
            return "name", f"{name[:80]!r} holds a '/': a resource name is the last segment of its id"
        if name != rid.rsplit("/", 1)[-1]:
            return "name", f"{name[:80]!r} is not the last segment of the id ({rid.rsplit('/', 1)[-1][:80]!r})"
    for path, want in _RULES.get(str(res["type"]).lower(), []):
        if problem := _walk(res, path.split("."), "", want):
            return problem
    return None
