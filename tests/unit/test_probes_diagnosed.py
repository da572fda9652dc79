"""dns.system, dns.azure, dns.custom and dns.stability on hand-made facts and scripted resolvers, judged
through the diagnosis: each wrong answer names the first hop that differs as its cause, and shows that
root's fix (never one of its own)."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable, Sequence

from dnsworld import CUSTOM, IN_HUB, with_custom_dns
from facts import HUB, RG, SUB, WS, inventory, rid
from netfacts import AZURE, SYSTEM, ScriptedNet, answer

from netcheck.azure.facts import ForwardingRule, InboundEndpoint, Inventory, Ruleset
from netcheck.context import Context
from netcheck.diagnosis import model as m
from netcheck.diagnosis.names import targets
from netcheck.model import Finding, Result, Verdict, Where
from netcheck.net.dns import Lookup
from netcheck.probe import Probe
from netcheck.probes.context import location
from netcheck.probes.privatedns import zone_records
from netcheck.probes.resolution import azure, system
from netcheck.probes.resolution_custom import custom
from netcheck.probes.resolution_stability import stability
from netcheck.settings import Address, Settings
from netcheck.subject import Ref, Resolver, Rule
from netcheck.targets import from_inventory

SERVER: Address = (CUSTOM, 53)
INSIDE = Where(True, IN_HUB.vm_id, HUB, IN_HUB.subnet_id, IN_HUB.private_ip)
Answer = Callable[[m.Target, str], Lookup]


def private(t: m.Target, name: str) -> Lookup:
    return answer(name, *(t.addresses or ("10.20.9.9",)), chain=[t.private_name] if t.private_name and name == t.fqdn
                  else [])


def public(t: m.Target, name: str) -> Lookup:
    chain = [t.private_name, f"fe.{t.zone}"] if t.private_name and name == t.fqdn else []
    return answer(name, "20.50.60.70", chain=chain)


def wrong_in(*zones: str) -> Answer:
    """Public for the names whose public zone is one of `zones`, private for the others."""
    return lambda t, name: public(t, name) if any(t.fqdn.endswith("." + z) for z in zones) else private(t, name)


def script(inv: Inventory, how: Answer, rounds: int = 1) -> dict[str, Lookup | list[Lookup]]:
    ctx = _ctx(inv, ScriptedNet())
    out: dict[str, Lookup | list[Lookup]] = {}
    for t in targets(inv, ctx.names or from_inventory(inv, ctx.settings)):
        for name in (t.fqdn, *([t.private_name] if t.private_name else [])):
            out[name] = how(t, name) if rounds == 1 else [how(t, name) for _ in range(rounds)]
    return out


def _ctx(inv: Inventory, net: ScriptedNet, where: Where = INSIDE, **settings: object) -> Context:
    s = Settings(subscription=SUB, resource_group=RG, workspace=WS, resolver=SYSTEM, azure_dns=AZURE,
                 stability_spacing=0, **settings)  # type: ignore[arg-type]
    ctx = Context(s, net=net.network())
    ctx.inventory, ctx.where = inv, where
    ctx.location = IN_HUB if where.in_azure else None
    ctx.names = from_inventory(inv, s)
    return ctx


def run_all(ctx: Context, *probes: Probe) -> dict[str, list[Finding]]:
    """The probes in order, each one's results recorded as the runner would."""
    async def go() -> dict[str, list[Finding]]:
        out = {}
        for p in probes:
            found = out[p.id] = list(await p.run(ctx))
            ctx.results[p.id] = [Result(p.id, f.about, p.stage, p.title, f.verdict, f.summary, f.cause, 0,
                                        f.evidence, f.fix) for f in found]
        return out
    return asyncio.run(go())


def failing(found: Sequence[Finding]) -> list[Finding]:
    return [f for f in found if f.verdict is Verdict.FAIL]


def test_a_custom_server_missing_a_forwarder_is_the_root_of_the_machines_wrong_answers() -> None:
    inv = with_custom_dns()
    net = ScriptedNet(dns={SYSTEM: script(inv, wrong_in("azurecr.io")), SERVER: script(inv, wrong_in("azurecr.io")),
                           AZURE: script(inv, private)})
    got = run_all(_ctx(inv, net), system, azure, custom)
    server = Ref("dns.custom", Resolver("custom", CUSTOM))
    (root,) = got["dns.custom"]
    assert root.verdict is Verdict.FAIL and root.cause is None
    assert root.evidence["missing_forwarders"] == ["azurecr.io"]   # exactly the one it lacks
    assert root.fix is not None and root.fix.commands == (
        "Add-DnsServerConditionalForwarderZone -Name azurecr.io -MasterServers 168.63.129.16",)
    wrong = failing(got["dns.system"])
    assert {f.about.text for f in wrong} == {"crcontosoml.azurecr.io", "crcontosoml.eastus.data.azurecr.io"}
    assert all(f.cause == server and f.fix == root.fix for f in wrong)   # the root's fix, not a record-set one
    assert not failing(got["dns.azure"])


def test_a_server_forwarding_the_privatelink_zone_instead_is_named_as_such() -> None:
    inv = with_custom_dns()

    def plink(t: m.Target, name: str) -> Lookup:   # the privatelink names forwarded, the public ones not
        return private(t, name) if name == t.private_name or "azurecr.io" not in t.fqdn else public(t, name)
    net = ScriptedNet(dns={SYSTEM: script(inv, plink), SERVER: script(inv, plink), AZURE: script(inv, private)})
    (root,) = run_all(_ctx(inv, net), system, azure, custom)["dns.custom"]
    assert root.evidence["missing_forwarders"] == ["azurecr.io"]
    assert root.evidence["forwards_instead"] == ["privatelink.azurecr.io"]
    assert root.fix is not None and "forwards privatelink.azurecr.io instead" in root.fix.summary


def test_azure_dns_right_and_the_machines_resolver_wrong_roots_at_the_machines_resolver() -> None:
    inv = inventory()
    net = ScriptedNet(dns={SYSTEM: script(inv, wrong_in("vault.azure.net")), AZURE: script(inv, private)})
    got = run_all(_ctx(inv, net), system, azure)
    (wrong,) = failing(got["dns.system"])
    assert wrong.cause is None and wrong.fix is not None
    assert "not its VNet's DNS (168.63.129.16)" in wrong.fix.summary and "10.20.0.10:53" in wrong.fix.summary


def test_outside_azure_the_root_is_where_netcheck_runs_and_the_summary_names_the_inbound_endpoint() -> None:
    inbound = InboundEndpoint(id=rid("Microsoft.Network/dnsResolvers", "dnspr-hub") + "/inboundEndpoints/in-hub",
                              name="in-hub", vnet_id=HUB, ips=("10.20.5.4",))
    inv = inventory(inbound_endpoints=(inbound,))
    ctx = _ctx(inv, ScriptedNet(dns={SYSTEM: script(inv, public)}), where=Where(in_azure=False))
    got = run_all(ctx, location, system)
    (where,) = got["ctx.location"]
    wrong = failing(got["dns.system"])
    assert wrong and all(f.cause == Ref("ctx.location") and f.fix == where.fix for f in wrong)
    assert all("in-hub (10.20.5.4)" in f.summary for f in wrong)
    assert where.fix is not None and "inbound endpoint" in where.fix.summary and "azurecr.io" in where.fix.summary


def test_a_flipping_server_is_judged_by_dns_stability_only() -> None:
    inv = with_custom_dns()
    flips = script(inv, lambda t, n: private(t, n), rounds=1)
    registry = next(n for n in flips if n.startswith("crcontosoml.azurecr.io"))
    t = next(x for x in targets(inv, from_inventory(inv, Settings())) if x.fqdn == registry)
    flips[registry] = [public(t, registry), private(t, registry), public(t, registry), private(t, registry)]
    net = ScriptedNet(dns={SERVER: flips, SYSTEM: script(inv, private), AZURE: script(inv, private)})
    got = run_all(_ctx(inv, net, stability_rounds=4), system, azure, custom, stability)
    flapping = Ref("dns.stability", Resolver("custom", CUSTOM))
    (server,) = got["dns.custom"]
    assert server.verdict is Verdict.FAIL and server.cause == flapping   # not "missing forwarders" from one sample
    (root,) = [f for f in got["dns.stability"] if f.about == flapping.subject]
    assert root.verdict is Verdict.FAIL and server.fix == root.fix


def test_a_ruleset_rule_sending_a_zone_to_a_public_server_is_the_root() -> None:
    ruleset = rid("Microsoft.Network/dnsForwardingRulesets", "rs-hub")
    rule = ForwardingRule(id=f"{ruleset}/forwardingRules/azureml", name="azureml", domain="azureml.ms",
                          targets=("192.168.10.4:53",))
    inv = dataclasses.replace(inventory(), rulesets=(Ruleset(id=ruleset, name="rs-hub", rules=(rule,),
                                                             vnet_ids=(HUB,)),))
    wrong = wrong_in("api.azureml.ms")
    net = ScriptedNet(dns={SYSTEM: script(inv, wrong), AZURE: script(inv, wrong)})
    got = run_all(_ctx(inv, net), system, azure, custom)
    root = next(f for f in got["dns.custom"] if isinstance(f.about, Rule))
    assert root.about.text == "rs-hub/azureml" and root.verdict is Verdict.FAIL
    assert root.fix is not None and root.fix.commands == (
        f"az dns-resolver forwarding-rule delete -g {RG} --ruleset-name rs-hub -n azureml --yes",)
    consequences = failing(got["dns.azure"]) + failing(got["dns.system"])
    assert consequences and all(f.cause == Ref("dns.custom", root.about) and f.fix == root.fix for f in consequences)


def test_a_stale_record_says_whether_its_address_still_answers() -> None:
    inv = inventory()
    stale = next(z for z in inv.zones if z.name == "privatelink.azurecr.io")
    records = tuple(dataclasses.replace(r, a=("10.20.1.99",)) if r.name == "crcontosoml" else r for r in stale.records)
    inv = dataclasses.replace(inv, zones=tuple(dataclasses.replace(z, records=records) if z is stale else z
                                               for z in inv.zones))

    def old(t: m.Target, name: str) -> Lookup:
        return answer(name, "10.20.1.99", chain=[t.private_name or ""]) if name == "crcontosoml.azurecr.io" \
            else private(t, name)
    net = ScriptedNet(dns={SYSTEM: script(inv, old), AZURE: script(inv, old)}, tcp={"10.20.1.99": "ok"})
    got = run_all(_ctx(inv, net), zone_records, system)
    (root,) = failing(got["pdns.records"])
    (wrong,) = failing(got["dns.system"])
    assert wrong.evidence["answer"] == "stale" and wrong.cause is not None and wrong.cause.subject == root.about
    assert "points at 10.20.1.99" in wrong.summary and "something still answers there" in wrong.summary
