"""Fleet discovery through Resource Graph: the generated fleet-200 scenario's shape and seeded faults, the scopes
and --where, and per-workspace Inventories equal to what a single-workspace run reads through ARM."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Iterator
from typing import Any

import pytest

from netcheck import fleetarm
from netcheck.azure import fleet
from netcheck.azure.credential import StaticTokenCredential
from netcheck.azure.discover import discover
from netcheck.azure.resourcegraph import Graph, GraphError
from netcheck.azure.session import Session
from netcheck.fleetarm import FleetArm
from netcheck.settings import Settings
from netcheck.sim import fleet as gen
from netcheck.sim.scenario import load
from netcheck.sim.server import Simulator

ML = "microsoft.machinelearningservices/workspaces"
API_ZONE = "privatelink.api.azureml.ms"


@pytest.mark.parametrize("name", ["healthy", "custom-dns-ok", "record-stale", "acr-pe-pending", "zone-not-linked",
                                  "mlflow-legacy", "sovereign-china", "two-faults", "kubernetes-bad-cert",
                                  "healthy-dns-resolver", "resolver-ruleset-public", "custom-dns-privatelink-forwarder",
                                  "kubernetes-vnet-not-linked",
                                  "managed-vnet-rules", "foundry-hub-project", "project-own-managed-network",
                                  "policy-denies-v1-fix", "policy-denies-managed-vnet-fix"])
def test_inventory_from_resource_graph_equals_a_single_workspace_read(name: str) -> None:
    with Simulator(load(name)) as sim:
        settings = sim.settings(Settings())
        session = Session(settings, StaticTokenCredential(sim.token))
        # --where leaves out every other workspace (a project's hub too: then it is read through ARM)
        snap = fleet.read(Graph(session), fleet.Scope(where=f"name == '{settings.workspace}'"), settings.cloud)
        (ws,) = snap.workspaces

        async def both() -> tuple[Any, Any]:   # what Resource Graph lacks, read through ARM as the fleet does
            arm = FleetArm(session)
            try:
                await arm.shared(snap)
                return fleetarm.inventory(snap, ws, await arm.side(snap, ws)), await discover(
                    settings, session, asyncio.Semaphore(8))
            finally:
                arm.close()

        from_graph, from_arm = asyncio.run(both())
        assert dataclasses.asdict(from_graph) == dataclasses.asdict(from_arm)
        assert snap.queries == 4 and sim.mutating_requests == []


@pytest.fixture(scope="module")
def fleet_sim() -> Iterator[tuple[Simulator, Session]]:
    with Simulator(load("fleet-200")) as sim:
        yield sim, Session(sim.settings(Settings()), StaticTokenCredential(sim.token))


@pytest.fixture(scope="module")
def snapshot(fleet_sim: tuple[Simulator, Session]) -> fleet.Snapshot:
    return fleet.read(Graph(fleet_sim[1]), fleet.Scope(), "AzureCloud")


def test_the_fleet_scenario_has_the_promised_shape() -> None:
    arm = load("fleet-200").arm
    kinds = lambda t: [r for r in arm if r["type"].lower() == t]  # noqa: E731
    workspaces = [r for r in kinds(ML) if r.get("kind") != "FeatureStore"]
    assert len(workspaces) == 200 and len(kinds(ML)) == 201
    assert len(kinds(f"{ML}/onlineendpoints")) == 600 and len(kinds(f"{ML}/onlineendpoints/deployments")) == 600
    assert len({r["id"].split("/")[2] for r in workspaces}) == 20
    vnets = [r["id"].rsplit("/", 1)[-1] for r in kinds("microsoft.network/virtualnetworks")]
    assert sorted(v for v in vnets if "hub" in v) == ["vnet-hub-a", "vnet-hub-b"]
    assert len(kinds("microsoft.network/privatednszones")) == 6
    assert list(load("fleet-200").dns_servers) == [gen.DNS_SERVER]


def test_the_seeded_faults_are_in_the_data() -> None:
    faults, subs = gen.faults(), gen.placement()
    arm = {r["id"].lower(): r for r in load("fleet-200").arm}
    assert len(faults) == 5 and len(faults["zone-not-linked"]) == 40
    assert {subs[i] for i in faults["zone-not-linked"]} == {gen.BIG_SUB} and subs.count(gen.BIG_SUB) == 40
    links = [r["properties"]["virtualNetwork"]["id"] for r in arm.values()
             if r["type"].endswith("virtualNetworkLinks") and f"/{API_ZONE}/" in r["id"]]
    assert gen.spoke(gen.BIG_SUB) not in links and len(links) == 21   # 2 hubs + 19 of the 20 spokes
    hit = {name: idx[0] for name, idx in faults.items() if name != "zone-not-linked"}
    assert len(set(hit.values())) == 4 and not set(hit.values()) & set(faults["zone-not-linked"])
    pending = [r for r in arm.values() if r["type"].endswith("registries/privateEndpointConnections")
               and r["properties"]["privateLinkServiceConnectionState"]["status"] == "Pending"]
    assert [r["id"].split("/")[4] for r in pending] == [f"rg-ml-{hit['acr-pe-pending']:03d}"]
    failed = [r for r in arm.values()
              if r["type"].endswith("deployments") and r["properties"]["provisioningState"] != "Succeeded"]
    assert [r["id"].split("/")[4] for r in failed] == [f"rg-ml-{hit['deployment-failed']:03d}"]
    no_bypass = [r for r in arm.values()
                 if r["type"] == "Microsoft.KeyVault/vaults" and r["properties"]["networkAcls"]["bypass"] == "None"]
    assert [r["id"].split("/")[4] for r in no_bypass] == [f"rg-ml-{hit['kv-no-bypass']:03d}"]
    stale = [r for r in arm.values()
             if r["type"].endswith("/A") and r["properties"]["aRecords"][0]["ipv4Address"].endswith(".99")]
    assert [r["id"].rsplit("/", 1)[-1] for r in stale] == [f"kv-fleet{hit['record-stale']:03d}"]


def test_resource_graph_finds_the_fleet_and_each_workspace_facts(fleet_sim: Any, snapshot: fleet.Snapshot) -> None:
    sim, _ = fleet_sim
    assert len(snapshot.workspaces) == 200   # the FeatureStore workspace is not of a kind the query selects
    assert {w["kind"] for w in snapshot.workspaces} == {"Default", "Hub"}
    assert all(r.method == "POST" and r.path == "/providers/Microsoft.ResourceGraph/resources" for r in sim.arm.requests)
    assert sim.mutating_requests == []
    faults = gen.faults()
    for i, ws in enumerate(snapshot.workspaces):
        inv = snapshot.inventory(ws)
        assert inv.workspace is not None and inv.workspace.name == gen.workspace_name(i)
        assert len(inv.endpoints) == 3 and all(len(e.deployments) == 1 for e in inv.endpoints)
        pe_vnet = next(p.vnet_id for p in inv.private_endpoints if "amlworkspace" in p.group_ids)
        zone = inv.zone(API_ZONE)
        assert zone is not None
        linked = any(lk.vnet_id.lower() == (pe_vnet or "").lower() for lk in zone.links)
        assert linked == (i not in faults["zone-not-linked"])
    acr = snapshot.inventory(snapshot.workspaces[faults["acr-pe-pending"][0]]).registry
    assert acr is not None and sorted(c.status for c in acr.connections) == ["Approved", "Approved", "Approved", "Pending"]
    vault = snapshot.inventory(snapshot.workspaces[faults["kv-no-bypass"][0]]).vault
    assert vault is not None and vault.bypass == "None"


def test_scopes_and_where_narrow_the_fleet(fleet_sim: Any) -> None:
    _, session = fleet_sim
    graph, subs = Graph(session), gen.placement()
    one = fleet.read(graph, fleet.Scope(subscriptions=(gen.sub_id(gen.BIG_SUB),)), "AzureCloud")
    assert len(one.workspaces) == 40
    assert one.inventory(one.workspaces[0]).zone(API_ZONE) is not None   # shared zones are read beyond -s
    mg = fleet.read(graph, fleet.Scope(management_groups=("mg-landing-b",)), "AzureCloud")
    assert len(mg.workspaces) == sum(1 for s in subs if s >= 10)
    prod = fleet.read(graph, fleet.Scope(where="tags.env == 'prod' and name endswith '7'"), "AzureCloud")
    assert [w["name"] for w in prod.workspaces] == [gen.workspace_name(i) for i in range(200) if i % 2 and i % 10 == 7]
    with pytest.raises(GraphError) as err:
        fleet.read(graph, fleet.Scope(where="tags.env = 'prod'"), "AzureCloud")
    assert err.value.reason == "invalid_query" and "ParserFailure" in err.value.message


def test_what_resource_graph_lacks_is_named_for_arm(snapshot: fleet.Snapshot) -> None:
    reads = snapshot.arm_reads(snapshot.workspaces[0])
    # the storage account's blob and file private endpoints too, as a single-workspace read has them
    assert sorted(p.rsplit("/", 2)[-2] for p in reads) == [
        "pe-acr-fleet000", "pe-blob-fleet000", "pe-file-fleet000", "pe-kv-fleet000", "pe-ws-fleet000"]
    assert all(p.endswith("/privateDnsZoneGroups") for p in reads)
