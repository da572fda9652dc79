"""net.peering, each verdict rule, from hand-made facts: a jumpbox in the hub (same VNet as the private
endpoints) or in a spoke with the peerings given, and net.tcp naming it as the cause of its timeouts."""

from __future__ import annotations

import dataclasses

from facts import HUB, INSIDE, OUTSIDE, RG, SPOKE, check, commands, context, inventory, only
from netfacts import ScriptedNet, answer, given, result, run

from netcheck.azure.facts import Inventory, Peering, ReadError, Vnet
from netcheck.context import Context
from netcheck.model import Finding, Result, SkipKind, Verdict
from netcheck.probe import Probe
from netcheck.probes.peering import peering
from netcheck.probes.reachability import cert, tcp_443
from netcheck.subject import Host, Named, Ref, Resolver
from netcheck.targets import Name, Names

HUB_VNET = Vnet(id=HUB, name="vnet-ml-hub", address_prefixes=("10.20.0.0/16",))
SPOKE_VNET = Vnet(id=SPOKE, name="vnet-ml-spoke", address_prefixes=("10.30.0.0/16",))
IN_SPOKE = dataclasses.replace(INSIDE, vnet_id=SPOKE, subnet_id=f"{SPOKE}/subnets/snet-jumpbox", private_ip="10.30.1.4")
OTHER_SUB = "0c9d8e7f-1111-2222-3333-444455556666"


def side(vnet: str, remote: str, state: str = "Connected", **changes: object) -> Peering:
    name = f"{vnet.rsplit('/', 1)[-1]}-to-{remote.rsplit('/', 1)[-1]}"
    return dataclasses.replace(Peering(id=f"{vnet}/virtualNetworkPeerings/{name}", name=name, vnet_id=vnet,
                                       remote_vnet_id=remote, state=state), **changes)  # type: ignore[arg-type]


def spoke(*peerings: Peering, **changes: object) -> Inventory:
    return inventory(vnets=(HUB_VNET, SPOKE_VNET), peerings=peerings, **changes)


def test_same_vnet_passes() -> None:
    f = only(check(peering, inventory(vnets=(HUB_VNET,))))
    assert f.verdict is Verdict.PASS and f.subject == Named("vnet-ml-hub") and "same VNet" in f.summary


def test_peered_and_connected_both_ways_passes() -> None:
    f = only(check(peering, spoke(side(SPOKE, HUB), side(HUB, SPOKE)), where=IN_SPOKE))
    assert f.verdict is Verdict.PASS and "Connected on both sides" in f.summary


def test_connected_but_not_in_sync_warns_and_syncs_the_stale_side() -> None:
    f = only(check(peering, spoke(side(SPOKE, HUB), side(HUB, SPOKE, sync_level="LocalNotInSync")), where=IN_SPOKE))
    assert f.verdict is Verdict.WARN and "vnet-ml-hub-to-vnet-ml-spoke is LocalNotInSync" in f.summary
    assert commands(f) == [f"az network vnet peering sync -g {RG} --vnet-name vnet-ml-hub -n vnet-ml-hub-to-vnet-ml-spoke"]


def test_no_peering_fails_creating_both_directions_with_the_real_vnet_ids() -> None:
    f = only(check(peering, spoke(), where=IN_SPOKE))
    assert f.verdict is Verdict.FAIL and "no peering" in f.summary
    assert commands(f) == [
        f"az network vnet peering create -g {RG} --vnet-name vnet-ml-spoke -n peer-vnet-ml-spoke-to-vnet-ml-hub "
        f"--remote-vnet {HUB} --allow-vnet-access",
        f"az network vnet peering create -g {RG} --vnet-name vnet-ml-hub -n peer-vnet-ml-hub-to-vnet-ml-spoke "
        f"--remote-vnet {SPOKE} --allow-vnet-access"]
    assert f.evidence["names"] and "10.20.1.5" in f.evidence["addresses"]   # what the peering is needed for


def test_one_side_only_creates_the_missing_side_and_names_the_waiting_one() -> None:
    f = only(check(peering, spoke(side(SPOKE, HUB, "Initiated")), where=IN_SPOKE))
    assert f.verdict is Verdict.FAIL and "vnet-ml-spoke-to-vnet-ml-hub is Initiated" in f.summary
    assert commands(f) == [f"az network vnet peering create -g {RG} --vnet-name vnet-ml-hub -n "
                           f"peer-vnet-ml-hub-to-vnet-ml-spoke --remote-vnet {SPOKE} --allow-vnet-access"]


def test_a_disconnected_side_is_deleted_and_created_again() -> None:
    f = only(check(peering, spoke(side(SPOKE, HUB, "Disconnected")), where=IN_SPOKE))
    assert f.verdict is Verdict.FAIL and "vnet-ml-spoke-to-vnet-ml-hub is Disconnected" in f.summary
    assert f.fix is not None and "delete it and create it again" in f.fix.summary
    assert commands(f)[:2] == [
        f"az network vnet peering delete -g {RG} --vnet-name vnet-ml-spoke -n vnet-ml-spoke-to-vnet-ml-hub",
        f"az network vnet peering create -g {RG} --vnet-name vnet-ml-spoke -n vnet-ml-spoke-to-vnet-ml-hub "
        f"--remote-vnet {HUB} --allow-vnet-access"]
    assert "--vnet-name vnet-ml-hub" in commands(f)[2]


def test_connected_without_vnet_access_is_updated_not_recreated() -> None:
    f = only(check(peering, spoke(side(SPOKE, HUB), side(HUB, SPOKE, allow_vnet_access=False)), where=IN_SPOKE))
    assert f.verdict is Verdict.FAIL and "does not allow VNet access" in f.summary
    assert commands(f) == [f"az network vnet peering update -g {RG} --vnet-name vnet-ml-hub -n "
                           "vnet-ml-hub-to-vnet-ml-spoke --set allowVirtualNetworkAccess=true"]


def test_a_spoke_in_another_subscription_gets_its_commands_there() -> None:
    other = f"/subscriptions/{OTHER_SUB}/resourceGroups/rg-conn/providers/Microsoft.Network/virtualNetworks/vnet-app"
    where = dataclasses.replace(IN_SPOKE, vnet_id=other, subnet_id=f"{other}/subnets/s")
    f = only(check(peering, inventory(vnets=(HUB_VNET, dataclasses.replace(SPOKE_VNET, id=other))), where=where))
    assert f.verdict is Verdict.FAIL
    assert commands(f)[0].endswith(f"--allow-vnet-access --subscription {OTHER_SUB}")
    assert "--subscription" not in commands(f)[1]


def test_an_unreadable_vnet_is_an_error_naming_the_read_never_a_create() -> None:
    err = ReadError(resource=SPOKE, reason="forbidden", message="no", action="Microsoft.Network/virtualNetworks/read")
    f = only(check(peering, inventory(vnets=(HUB_VNET,), errors=(err,)), where=IN_SPOKE))
    assert f.verdict is Verdict.ERROR and f.cause == Ref("ctx.reads", Named(SPOKE.split("/providers/", 1)[1]))
    assert f.fix is not None and "peering" not in " ".join(f.fix.commands)


def test_outside_azure_is_not_applicable() -> None:
    f = only(check(peering, where=OUTSIDE))
    assert f.verdict is Verdict.SKIP and f.skip is SkipKind.NOT_APPLICABLE and "ctx.location" in f.summary


# ---- net.tcp names the missing peering as the cause of its timeouts -----------------------------------

SCORING, BLOB = "ep-fraud.eastus.inference.ml.azure.com", "stcontosoml.blob.core.windows.net"
HUB_REF = Ref("net.peering", Named("vnet-ml-hub"))


def record(ctx: Context, p: Probe, findings: list[Finding]) -> list[Finding]:
    """Store a probe's findings as the runner would, for the probes after it."""
    ctx.results[p.id] = [Result(p.id, f.about, p.stage, p.title, f.verdict, f.summary, f.cause, 0, f.evidence, f.fix)
                         for f in findings]
    return findings


def tcp_context(net: ScriptedNet) -> Context:
    """From the spoke, no peering: the scoring host resolves to its private endpoint, the blob host (whose
    endpoint netcheck does not read) to an address in the hub's address space."""
    names = (Name(SCORING, "scoring", ("10.20.1.5",), "ep-fraud"), Name(BLOB, "storage"))
    ctx = context(spoke(), IN_SPOKE)
    ctx.net, ctx.names = net.network(), Names(names, ())
    ctx.answers[Resolver("system", "10.30.0.10:53")] = {SCORING: answer(SCORING, "10.20.1.5"),
                                                        BLOB: answer(BLOB, "10.20.1.9")}
    given(ctx, *(result("dns.system", Host(n.fqdn), Verdict.PASS, stage=2) for n in names))
    record(ctx, peering, check(peering, ctx=ctx))
    return ctx


def test_timeouts_to_an_unpeered_vnet_are_consequences_of_net_peering_with_its_fix() -> None:
    ctx = tcp_context(ScriptedNet(tcp={"10.20.1.5": "timeout", "10.20.1.9": "timeout"}))
    (root,) = ctx.results["net.peering"]
    found = record(ctx, tcp_443, run(tcp_443, ctx))
    assert [(f.verdict, f.cause, f.fix) for f in found] == [(Verdict.FAIL, HUB_REF, root.fix)] * 2
    # the handshakes after them name the fault, not its symptom
    assert {(f.verdict, f.cause) for f in run(cert, ctx)} == {(Verdict.SKIP, HUB_REF)}


def test_a_refusal_is_not_blamed_on_the_peering() -> None:
    ctx = tcp_context(ScriptedNet(tcp={"10.20.1.5": "refused", "10.20.1.9": "ok"}))
    refused, ok = run(tcp_443, ctx)
    assert refused.verdict is Verdict.FAIL and refused.cause is None and "nothing listens" in refused.summary
    assert ok.verdict is Verdict.PASS
