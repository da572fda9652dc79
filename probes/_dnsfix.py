"""The fixes and explanations of the diagnosis's DNS remedies (netcheck.diagnosis.remedy), as the dns.*
probes print them: what to forward where, which rule to change, which resolver to use."""

from __future__ import annotations

from netcheck.azure.facts import group_of, name_of
from netcheck.clouds import cloud
from netcheck.diagnosis import model as m
from netcheck.diagnosis import remedy as fx
from netcheck.model import Fix
from netcheck.probes import _az_privatedns as az
from netcheck.probes._common import DOCS, cmd, elsewhere, fix


def _zones(zones: tuple[str, ...]) -> str:
    return ", ".join(zones)


def forwarders(r: fx.Forwarders) -> Fix:
    """Conditional forwarders for exactly the public zones missing, to Azure DNS (or an inbound endpoint)."""
    to = ", ".join(r.to)
    instead = (f"; it forwards {_zones(r.instead_of)} instead, which is not enough: the public names are then "
               "resolved on the internet, whose answer through the privatelink CNAME is public" if r.instead_of else "")
    return Fix(f"On {r.server}, add conditional forwarders for the public zones {_zones(r.zones)} to {to} (the public "
               f"zones, not the privatelink ones{instead}); Windows DNS shown, BIND: zone \"ZONE\" {{ type forward; "
               f"forwarders {{ {'; '.join(r.to)}; }}; }};",
               tuple(cmd("Add-DnsServerConditionalForwarderZone", "-Name", z, "-MasterServers", *r.to) for z in r.zones),
               DOCS["custom_dns"])


def to_azure_dns(server: str, zones: list[str]) -> Fix:
    """Conditional forwarders to Azure DNS for the public zones of the names a server answers differently."""
    return Fix(f"On {server}, add conditional forwarders to 168.63.129.16 for the public zones (not "
               "the privatelink ones); Windows DNS shown, BIND: zone \"ZONE\" { type forward; "
               "forwarders { 168.63.129.16; }; };",
               tuple(cmd("Add-DnsServerConditionalForwarderZone", "-Name", z, "-MasterServers",
                         "168.63.129.16") for z in zones), DOCS["custom_dns"])


def forwarders_text(r: fx.Forwarders) -> str:
    text = f"{r.server} does not forward {_zones(r.zones)} to {', '.join(r.to)}"
    return text + (f" (it forwards {_zones(r.instead_of)} instead)" if r.instead_of else "")


def outside_text(r: fx.ForwardFromOutside) -> str:
    """Why a name resolves publicly where netcheck runs, outside every Azure VNet, and what would forward it."""
    to = (", ".join(f"the DNS Private Resolver inbound endpoint {ep.name} ({', '.join(ep.ips)}) in {name_of(ep.vnet_id)}"
                    for ep in r.inbound) or "a DNS Private Resolver inbound endpoint (or a DNS forwarder) in the VNet")
    return (f"netcheck runs outside the workspace's VNets (ctx.location) and this machine's DNS does not forward "
            f"{_zones(r.zones)} to {to}")


def use_vnet_dns(r: fx.UseVnetDns) -> Fix:
    dns = ", ".join(r.vnet_dns)
    return fix(f"This machine asks {r.resolver}, not its VNet's DNS ({dns}), which answers with the private "
               f"endpoints' addresses: point the machine's resolver at {dns} (the VNet's DHCP setting; remove the "
               "override in /etc/resolv.conf, systemd-resolved or the NIC's DNS servers)", docs="custom_dns")


def rule_text(r: fx.RuleFix) -> str:
    return (f"forwarding rule {name_of(r.ruleset_id)}/{name_of(r.rule_id)} sends {r.domain} to "
            f"{', '.join(r.targets)}, which answers publicly: Azure DNS never reaches the private zones for it")


def rule(r: fx.RuleFix, home: str) -> Fix:
    """Delete the rule (Azure DNS then answers from the linked private zones), or send it to a resolver that
    answers privately."""
    rs, rg = name_of(r.ruleset_id), group_of(r.ruleset_id)
    there = (", or point it at " + ", ".join(f"the inbound endpoint {ep.name} ({', '.join(ep.ips)})" for ep in r.inbound)
             if r.inbound else ", or make its target servers forward the public zones to Azure DNS")
    return fix(f"Delete forwarding rule {name_of(r.rule_id)} ({r.domain}) from ruleset {rs}, so Azure DNS resolves "
               f"{r.domain} from the private zones linked to the VNet{there}",
               cmd("az", "dns-resolver", "forwarding-rule", "delete", "-g", rg, "--ruleset-name", rs, "-n",
                   name_of(r.rule_id), "--yes", *elsewhere(r.ruleset_id, home)), docs="custom_dns")


def flapping(server: str, cloud_name: str) -> Fix:
    return fix(f"On {server}, forward every public zone the workspace needs to 168.63.129.16 "
               f"({', '.join(cloud(cloud_name).forwarded_zones)}); on Windows DNS, don't mix conditional forwarders "
               "with root hints", docs="custom_dns")


def no_answer(server: str) -> Fix:
    return fix(f"Bring {server} back, or take it out of the VNet's DNS servers", docs="custom_dns")


def restore_record(r: fx.ZoneGroupFix, home: str) -> Fix:
    """The private endpoint's DNS zone group writes the record: add it back where the group holds the zone
    already, add the zone to the group it has, or give it one (then add the record by hand)."""
    pe = r.private_endpoint_id
    add = [az.record_add(r.zone_id, r.zone, r.record, r.addresses[0], home)] if r.addresses else []
    if r.action == "add-record":
        group = f"DNS zone group {r.group}" if r.group else "DNS zone group"
        return fix(f"The private endpoint's {group} holds {r.zone} but the record is missing: "
                   "add it back", *add, docs="pe_dns")
    if pe and r.action == "add-zone" and r.group:
        return fix(f"Add {r.zone} to the private endpoint's DNS zone group {r.group} (it writes the record; the group "
                   "keeps the zones it holds)", az.zone_group_add(pe, r.group, r.zone_id, r.zone, home), docs="pe_dns")
    if pe and r.action == "add-zone":   # a private endpoint has one zone group: never a second one over it
        return fix(f"Add {r.zone} to the private endpoint's DNS zone group (it writes the record): the command names "
                   f"the group, then `az network private-endpoint dns-zone-group add -n GROUP` adds {r.zone} to it",
                   az.zone_group_list(pe, home), docs="pe_dns")
    return fix("Add the record: give the private endpoint a DNS zone group (or delete and recreate the private "
               "endpoint)", *([az.zone_group_create(pe, r.zone_id, r.zone, home)] if pe else []), *add, docs="pe_dns")


def root_fix(d: m.Divergence, cloud_name: str, home: str) -> Fix | None:
    """The fix the root cause's own result shows, from its (merged) remedy."""
    r = d.remedy
    if isinstance(r, fx.Forwarders):
        return forwarders(r)
    if isinstance(r, fx.RuleFix):
        return rule(r, home)
    if isinstance(r, fx.Flapping):
        return flapping(d.subject.text, cloud_name)
    if isinstance(r, fx.NoAnswer) and d.probe == "dns.custom":
        return no_answer(d.subject.text)
    return None


def why(d: m.Divergence) -> str | None:
    """A consequence's reason, naming the root cause's setting."""
    r = d.remedy
    if isinstance(r, fx.Forwarders):
        return forwarders_text(r)
    if isinstance(r, fx.ForwardFromOutside):
        return outside_text(r)
    if isinstance(r, fx.RuleFix):
        return rule_text(r)
    if isinstance(r, fx.Flapping):
        return f"{r.server}'s answers flip between private and public (dns.stability)"
    if isinstance(r, fx.NoAnswer):
        return f"{r.server} does not answer"
    return _zone_why(r)


def _zone_why(r: fx.Remedy) -> str | None:
    """The private zone hop that differs (the pdns.* result named as the cause says more)."""
    if isinstance(r, fx.LinkZone):
        also = f" (it is linked to {', '.join(name_of(v) for v in r.linked_to)} only)" if r.linked_to else ""
        return f"zone {r.zone} is not linked to VNet {name_of(r.vnet_id)}{also}"
    if isinstance(r, fx.CreateZone):
        return f"there is no private DNS zone {r.zone}"
    if isinstance(r, fx.ZoneGroupFix):
        return f"zone {r.zone} has no A record {r.record}"
    if isinstance(r, fx.DuplicateZone):
        return (f"the VNet resolves {r.zone} from the zone in {group_of(r.resolves_from)}, but the private endpoint "
                f"writes its records into the one in {group_of(r.writes_to)}")
    if isinstance(r, fx.StaleRecord):
        said = {True: "something still answers there on 443 (a leftover endpoint?)", False: "nothing answers there on 443"}
        there = "; ".join(f"{ip}: {said[ok]}" for ip, ok in r.stale_answers.items() if ok is not None)
        return (f"the record {r.record} in {name_of(r.zone_id)} points at {', '.join(r.record_ips)}, not the private "
                f"endpoint's {', '.join(r.nic_ips)}" + (f" ({there})" if there else ""))
    if isinstance(r, fx.ShadowZone):
        return f"private zone {r.zone}, linked to the VNet, answers for the public names instead of {r.right_zone}"
    return None
