"""What each probe tells a user: evidence and fix commands with the real names, not just verdicts."""

from __future__ import annotations

import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import cli_env, run_scenario, shared_run

from netcheck.model import Report, Result, Verdict
from netcheck.probe import Probe
from netcheck.probes import CATALOG
from netcheck.sim.scenario import shipped

RG, WS = "rg-mlops-prod", "mlw-contoso-prod"
SUB = "6b1e2f3a-8c4d-4e5f-9a0b-1c2d3e4f5a6b"
HUB = f"/subscriptions/{SUB}/resourceGroups/{RG}/providers/Microsoft.Network/virtualNetworks/vnet-ml-hub"
SCORING = "ep-fraud.eastus.inference.ml.azure.com"
# Values netcheck cannot know, so a placeholder is honest there.
UNKNOWABLE = {"<compute-cluster-name>", "<object-id-of-the-identity>", "<this-ip>", "<vm-id>", "<vm-resource-group>",
              "<endpoint>", "<deployment>", "<deployment.yml>",
              "<azureml-extension-name>"}   # the AzureML extension is not read (ARM names it per cluster)


def report(name: str) -> Report:
    return shared_run(name)[0]


def one(name: str, probe: str, subject: str | None = None) -> Result:
    found = [r for r in report(name).results if r.probe == probe and (subject is None or r.subject.text == subject)]
    assert len(found) == 1, [r.ref.text for r in found]
    return found[0]


def commands(r: Result) -> list[str]:
    assert r.fix is not None, r.ref.text
    return list(r.fix.commands)


def test_v1_legacy_mode() -> None:
    r = one("v1-legacy-mode", "ws.v1_legacy_mode")
    assert r.evidence["v1LegacyMode"] is True and r.subject.text == WS
    ws_id = f"/subscriptions/{SUB}/resourceGroups/{RG}/providers/Microsoft.MachineLearningServices/workspaces/{WS}"
    (argv,) = [shlex.split(c) for c in commands(r)]
    assert argv[:4] == ["az", "rest", "--method", "patch"] and argv[5].startswith(f"{ws_id}?api-version=")
    assert argv[6:] == ["--body", '{"properties": {"v1LegacyMode": false}}']
    assert "network security team" in r.fix.summary  # type: ignore[union-attr]


def test_managed_network() -> None:
    r = one("managed-network-not-ready", "ws.managed_network")
    ws_id = f"/subscriptions/{SUB}/resourceGroups/{RG}/providers/Microsoft.MachineLearningServices/workspaces/{WS}"
    assert r.evidence == {"workspace": ws_id, "isolationMode": "AllowOnlyApprovedOutbound", "status": "Inactive",
                          "provisionNetworkNow": False}
    assert commands(r) == [f"az ml workspace provision-network -g {RG} -n {WS}"]


def test_workspace_public_access_approves_the_pending_connection() -> None:
    r = one("workspace-pe-pending", "ws.public_access")
    conn = r.evidence["private_endpoint_connections"][0]
    assert conn["status"] == "Pending"
    cid = (f"/subscriptions/{SUB}/resourceGroups/{RG}/providers/Microsoft.MachineLearningServices/workspaces/{WS}"
           "/privateEndpointConnections/pe-mlw-contoso-prod.7c1d")
    assert commands(r) == [f"az network private-endpoint-connection approve --id {cid} --description Approved"]


def test_public_access_warns_outside_the_vnet() -> None:
    r = one("outside-azure", "ws.public_access")
    assert r.verdict is Verdict.WARN and "GetAADTokenFailed" in r.summary
    assert r.evidence["private_endpoint_vnets"] == [HUB.lower()] and r.evidence["netcheck_vnet"] is None


def test_image_build() -> None:
    r = one("image-build-no-compute", "ws.image_build")
    assert r.evidence["defaultAction"] == "Deny" and r.evidence["imageBuildCompute"] is None
    assert commands(r) == [f"az ml workspace update -g {RG} -n {WS} --image-build-compute '<compute-cluster-name>'"]


def test_deployment_state_points_at_its_logs() -> None:
    r = one("deployment-failed", "ep.state", "ep-fraud/blue")
    assert r.evidence["provisioningState"] == "Failed"
    assert commands(r) == [f"az ml online-deployment get-logs -g {RG} -w {WS} -e ep-fraud -n blue --lines 200"]


def test_traffic_zero_routes_to_the_deployment() -> None:
    r = one("traffic-zero", "ep.traffic")
    assert r.evidence["traffic"] == {"blue": 0} and "no valid deployment with positive weight" in r.summary
    assert commands(r) == [f"az ml online-endpoint update -g {RG} -w {WS} -n ep-fraud --traffic blue=100"]


def test_idle_deployment_warns_and_names_it() -> None:
    r = one("traffic-idle-deployment", "ep.traffic")
    assert r.verdict is Verdict.WARN and "green" in r.summary and "azureml-model-deployment" in r.summary


def test_egress() -> None:
    r = one("egress-enabled-private-acr", "dep.egress")
    assert r.evidence["egressPublicNetworkAccess"] == "Enabled" and r.evidence["registry_private"] is True
    assert commands(r)[1] == (f"az ml online-deployment create -g {RG} -w {WS} -e ep-fraud -n blue "
                              "-f '<deployment.yml>' --set egress_public_network_access=disabled")


def test_mlflow_legacy() -> None:
    r = one("mlflow-legacy", "dep.mlflow_legacy")
    assert r.evidence["mlflow"] is True and r.evidence["model"].endswith("/models/fraud-model/versions/3")


def test_acr_pending_connection_is_approved_by_id() -> None:
    r = one("acr-pe-pending", "acr.pe_approval")
    cid = (f"/subscriptions/{SUB}/resourceGroups/{RG}/providers/Microsoft.ContainerRegistry/registries/crcontosoml"
           "/privateEndpointConnections/ep-fraud-egress.91ac")
    assert r.subject.text == "ep-fraud-egress.91ac" and r.evidence["status"] == "Pending"
    assert commands(r) == [f"az network private-endpoint-connection approve --id {cid} --description Approved"]


def test_acr_rejected_connection_recreates_the_deployment_its_private_endpoint_names() -> None:
    r = one("acr-pe-rejected", "acr.pe_approval")
    assert r.evidence["deployment"] == "ep-fraud/blue" and r.evidence["private_endpoint"].endswith("/ep-fraud-blue-acr")
    assert commands(r) == [f"az ml online-deployment delete -g {RG} -w {WS} -e ep-fraud -n blue --yes",
                           f"az ml online-deployment create -g {RG} -w {WS} -e ep-fraud -n blue -f '<deployment.yml>'"]


def test_tcp_fix_checks_the_flow_from_this_vm_with_its_resource_group() -> None:
    r = one("tcp-blackhole", "net.tcp", SCORING)
    (argv,) = [shlex.split(c) for c in commands(r) if "test-ip-flow" in c]
    vm = argv[argv.index("--vm") + 1]
    assert vm.startswith("/subscriptions/") and argv[argv.index("-g") + 1] == vm.split("/")[4]


def test_acr_without_egress_connection() -> None:
    r = one("acr-no-egress-connection", "acr.pe_approval")
    assert r.evidence["deployments"] == ["ep-fraud/blue"]


def test_key_vault_bypass() -> None:
    r = one("kv-no-bypass", "kv.bypass")
    assert (r.evidence["defaultAction"], r.evidence["bypass"]) == ("Deny", "None")
    assert commands(r) == [f"az keyvault update -g {RG} -n kv-contoso-ml --bypass AzureServices"]


def test_missing_zone() -> None:
    r = one("zone-missing", "pdns.zones", "privatelink.api.azureml.ms")
    assert commands(r) == [f"az network private-dns zone create -g {RG} -n privatelink.api.azureml.ms"]


def test_stale_record_names_both_addresses() -> None:
    r = one("record-stale", "pdns.records", "crcontosoml.privatelink.azurecr.io")
    assert r.evidence["found_ips"] == ["10.20.1.99"] and r.evidence["expected_ips"] == ["10.20.1.10"]
    assert commands(r) == [
        f"az network private-dns record-set a remove-record -g {RG} -z privatelink.azurecr.io -n crcontosoml -a 10.20.1.99",
        f"az network private-dns record-set a add-record -g {RG} -z privatelink.azurecr.io -n crcontosoml -a 10.20.1.10"]


def test_a_record_missing_from_a_zone_its_zone_group_holds_is_added_back() -> None:
    wildcard = "*.3f8e2a71-5b9c-4d0e-a1f2-7c6b5e4d3a29.inference.eastus.privatelink.api.azureml.ms"
    r = one("record-missing", "pdns.records", wildcard)
    # the endpoint's zone group `default` holds the zone already: never a new group over it
    assert r.verdict is Verdict.FAIL and "zone group default holds" in (r.fix.summary if r.fix else "")
    assert commands(r) == [f"az network private-dns record-set a add-record -g {RG} -z privatelink.api.azureml.ms "
                           "-n '*.3f8e2a71-5b9c-4d0e-a1f2-7c6b5e4d3a29.inference.eastus' -a 10.20.1.5"]


def test_a_record_missing_because_the_zone_group_lacks_its_zone_adds_the_zone_to_that_group() -> None:
    name = "ml-mlw-contoso-prod-eastus-3f8e2a71-5b9c-4d0e-a1f2-7c6b5e4d3a29.eastus.privatelink.notebooks.azure.net"
    r = one("zone-group-missing-zone", "pdns.records", name)
    (add,) = commands(r)
    assert add.startswith(f"az network private-endpoint dns-zone-group add -g {RG} --endpoint-name pe-mlw-contoso-prod "
                          "-n default --private-dns-zone ")
    r = one("pe-no-zone-group", "pdns.records", "crcontosoml.privatelink.azurecr.io")
    assert commands(r)[0].startswith(f"az network private-endpoint dns-zone-group create -g {RG} --endpoint-name "
                                     "pe-crcontosoml -n default")


def test_zone_link_and_the_resolution_it_explains() -> None:
    link = one("zone-not-linked", "pdns.links", "privatelink.api.azureml.ms → vnet-ml-hub")
    assert commands(link) == [f"az network private-dns link vnet create -g {RG} -z privatelink.api.azureml.ms "
                              f"-n link-vnet-ml-hub -v {HUB} -e false"]
    dns = one("zone-not-linked", "dns.system", SCORING)
    ev = dns.evidence
    # public DNS: the privatelink CNAME, then Azure's public front end
    assert ev["chain"][0] == "ep-fraud.3f8e2a71-5b9c-4d0e-a1f2-7c6b5e4d3a29.inference.eastus.privatelink.api.azureml.ms"
    assert len(ev["chain"]) == 2 and ".privatelink." not in ev["chain"][1]
    assert ev["answer"] == "public" and ev["expected"] == ["10.20.1.5"] and ev["rcode"] == "NOERROR"
    assert not ev["addresses"][0].startswith("10.") and ev["server"].startswith("127.0.0.1:")
    assert "through ep-fraud" in dns.summary and "not linked" in dns.summary
    assert commands(dns) == commands(link)


def test_the_kubernetes_clusters_vnet_must_be_linked_too() -> None:
    aks = f"/subscriptions/{SUB}/resourceGroups/rg-aks/providers/Microsoft.Network/virtualNetworks/vnet-aks"
    link = one("kubernetes-vnet-not-linked", "pdns.links", "privatelink.azurecr.io → vnet-aks")
    assert link.verdict is Verdict.FAIL and link.evidence["vnet"] == aks
    assert "aks-inference" in link.evidence["why"] and "aks-ml-inference" in link.evidence["why"]
    assert commands(link) == [f"az network private-dns link vnet create -g {RG} -z privatelink.azurecr.io "
                              f"-n link-vnet-aks -v {aks} -e false"]
    subjects = {r.subject.text for r in report("kubernetes-vnet-not-linked").results if r.probe == "pdns.links"}
    assert "privatelink.notebooks.azure.net → vnet-aks" not in subjects   # an inference cluster opens no notebook
    assert "privatelink.notebooks.azure.net → vnet-ml-hub" in subjects
    # a cluster in the client's own VNet (its id in another case) adds no second check of the same link
    same = [r.subject.text for r in report("kubernetes-bad-cert").results if r.probe == "pdns.links"]
    assert len(same) == len(set(same)) and all(x.endswith("→ vnet-ml-hub") for x in same)


def test_a_cluster_that_cannot_reach_the_private_workspace_fails_with_the_peering(tmp_path: Path) -> None:
    aks = f"/subscriptions/{SUB}/resourceGroups/rg-aks/providers/Microsoft.Network/virtualNetworks/vnet-aks"
    scenario = tmp_path / "cluster-unpeered.yaml"
    scenario.write_text("scenario: 1\nname: cluster-unpeered\nsummary: x\nbase: kubernetes-vnet-not-linked\n"
                        "patch:\n  - {id: '*/virtualNetworks/vnet-ml-hub', set: {properties.virtualNetworkPeerings: []}}\n")
    report, _ = run_scenario(str(scenario))
    (r,) = [r for r in report.results if r.probe == "ws.public_access" and r.subject.text == f"{WS} ← aks-inference"]
    assert r.verdict is Verdict.FAIL and "GetAADTokenFailed" in r.summary and "vnet-aks" in r.summary
    assert r.evidence["cluster_vnets"] == [aks]
    assert commands(r) == [
        f"az network vnet peering create -g rg-aks --vnet-name vnet-aks -n peer-vnet-aks-to-vnet-ml-hub "
        f"--remote-vnet {HUB} --allow-vnet-access",
        f"az network vnet peering create -g {RG} --vnet-name vnet-ml-hub -n peer-vnet-ml-hub-to-vnet-aks "
        f"--remote-vnet {aks} --allow-vnet-access"]
    (here,) = [r for r in report.results if r.probe == "ws.public_access" and r.subject.text == WS]
    assert here.verdict is Verdict.PASS   # the jumpbox itself is in the hub


def test_an_unreadable_kubernetes_compute_is_an_error_naming_the_permission(tmp_path: Path) -> None:
    scenario = tmp_path / "compute-forbidden.yaml"
    scenario.write_text("scenario: 1\nname: compute-forbidden\nsummary: x\nbase: kubernetes-vnet-not-linked\n"
                        "faults:\n  - {request: 'GET */computes/aks-inference', status: 403}\n")
    report, _ = run_scenario(str(scenario))
    (r,) = [r for r in report.results if r.probe == "pdns.links" and r.subject.text == "Kubernetes compute aks-inference"]
    assert r.verdict is Verdict.ERROR
    assert r.evidence["missing_action"] == "Microsoft.MachineLearningServices/workspaces/computes/read"
    assert not any(x.subject.text.endswith("→ vnet-aks") for x in report.results if x.probe == "pdns.links")


def test_an_aks_managed_vnet_is_found_in_the_node_resource_group(tmp_path: Path) -> None:
    node_rg = "MC_rg-mlops-prod_aks-ml-inference_eastus"
    vnet = f"/subscriptions/{SUB}/resourceGroups/{node_rg}/providers/Microsoft.Network/virtualNetworks/aks-vnet-31337"
    scenario = tmp_path / "aks-managed-vnet.yaml"
    scenario.write_text(f"""scenario: 1
name: aks-managed-vnet
summary: kubenet cluster without a subnet of its own
base: kubernetes-vnet-not-linked
patch:
  - id: "*/managedClusters/aks-ml-inference"
    set:
      properties.agentPoolProfiles: [{{name: systempool, count: 3, vmSize: Standard_D4s_v5, mode: System}}]
arm:
  - {{id: {vnet}, name: aks-vnet-31337, type: Microsoft.Network/virtualNetworks, location: eastus,
     properties: {{addressSpace: {{addressPrefixes: [10.224.0.0/12]}}}}}}
""")
    report, _ = run_scenario(str(scenario))
    (r,) = [r for r in report.results
            if r.probe == "pdns.links" and r.subject.text == "privatelink.azurecr.io → aks-vnet-31337"]
    assert r.verdict is Verdict.FAIL and r.evidence["vnet"] == vnet


def test_custom_dns_names_exactly_the_missing_forwarders() -> None:
    r = one("custom-dns-partial", "dns.custom", "10.20.0.4")
    assert r.evidence["missing_forwarders"] == ["azurecr.io", "vault.azure.net", "vaultcore.azure.net"]
    assert commands(r) == [f"Add-DnsServerConditionalForwarderZone -Name {z} -MasterServers 168.63.129.16"
                           for z in ("azurecr.io", "vault.azure.net", "vaultcore.azure.net")]
    rows = {row["name"]: row for row in r.evidence["names"]}
    assert rows[SCORING]["agrees"] is True and rows["crcontosoml.azurecr.io"]["agrees"] is False
    assert rows["crcontosoml.azurecr.io"]["azure_dns"] == ["10.20.1.10"]


def test_certificate_evidence() -> None:
    r = one("cert-expired", "tls.cert", SCORING)
    ev = r.evidence
    assert r.verdict is Verdict.FAIL and "expired" in r.summary
    assert ev["days_left"] < 0 and ev["sans"] == ["*.eastus.inference.ml.azure.com"]   # Azure's wildcard
    assert ev["issuer"] == "CN=netcheck simulator TLS Issuing CA 03"   # an intermediate, as Azure's
    assert len(ev["sha256"].split(":")) == 32 and ev["key"] == "EC 256"
    weak = one("cert-weak-key", "tls.cert", "kv-contoso-ml.vault.azure.net")
    assert weak.verdict is Verdict.WARN and weak.evidence["key"] == "RSA 1024"


def test_https_broken_http_fine() -> None:
    r = one("cert-untrusted", "http.frontend", SCORING)
    assert "HTTPS fails but plain HTTP answers" in r.summary and r.evidence["http_status"] == 404


def test_kubernetes_front_end_uses_its_own_path() -> None:
    r = one("kubernetes-bad-cert", "http.frontend", "ep-k8s.inference.contoso.internal")
    assert r.evidence["url"] == "https://ep-k8s.inference.contoso.internal/api/v1/endpoint/ep-k8s/swagger.json"
    assert r.evidence["http_status"] == 404 and "unable to get local issuer certificate" in r.evidence["https_error"]


def test_registry_public_side() -> None:
    r = one("acr-public-side", "acr.path", "crcontosoml.azurecr.io")
    assert r.evidence["status"] == 403 and "not allowed" in r.evidence["body"]


def test_score_424_reports_model_error_and_request_id_but_never_the_key() -> None:
    r = one("score-424", "http.score", SCORING)
    ev = r.evidence
    assert ev["status"] == 424 and ev["ms-azureml-model-error-statuscode"] == "500"
    assert ev["ms-azureml-model-error-reason"] == "model raised ValueError"
    assert len(ev["x-request-id"]) == 36 and ev["x-ms-client-request-id"] == "netcheck-demo-1"
    assert commands(r) == [f"az ml online-deployment get-logs -g {RG} -w {WS} -e ep-fraud -n blue"]
    assert "sim-demo-key" not in str(report("score-424").to_json())


def test_score_200_reports_bandwidth_trailers() -> None:
    r = one("score-200", "http.score", SCORING)
    assert r.evidence["ms-azureml-bandwidth-request-delay-ms"] == "2"


@pytest.mark.parametrize("status", [401, 404, 408, 409, 424, 429, 500, 502, 503, 504])
def test_each_scoring_status_is_explained(status: int) -> None:
    r = one(f"score-{status}", "http.score", SCORING)
    assert r.verdict is Verdict.FAIL and r.summary.startswith(f"{status}: ") and "x-request-id" in r.summary
    assert r.fix is not None and r.fix.summary


def test_every_fix_command_parses_and_uses_no_placeholder_for_a_known_value() -> None:
    seen, missing = 0, []
    for name in sorted(shipped()):
        for r in report(name).results:
            for c in (r.fix.commands if r.fix else ()):
                argv = shlex.split(c)
                assert argv, c
                holes = {a for a in argv if a.startswith("<") and a.endswith(">")}
                assert holes <= UNKNOWABLE, (name, r.ref.text, c)
                if "<deployment.yml>" in holes:   # a file netcheck can't know: the summary says which it means
                    assert r.fix and "<deployment.yml> stands for" in r.fix.summary, (name, r.ref.text)
                seen += 1
            decided_bad = r.verdict in (Verdict.FAIL, Verdict.WARN)
            if decided_bad and (r.fix is None or not r.fix.docs.startswith("https://")):
                missing.append(f"{name}: {r.ref.text}")
    assert missing == []
    assert seen > 40


@pytest.mark.parametrize("probe_id", [p.id for p in CATALOG])
def test_explain_every_probe(probe_id: str) -> None:
    r = subprocess.run([sys.executable, "-m", "netcheck", "explain", probe_id], capture_output=True, text=True,
                       env=cli_env(), timeout=60)
    assert r.returncode == 0
    assert r.stdout.startswith(probe_id) and "pass" in r.stdout


@pytest.mark.parametrize("probe", CATALOG, ids=lambda p: p.id)
def test_explain_speaks_to_users_not_about_where_a_rule_came_from(probe: Probe) -> None:
    text = probe.explain.lower()
    assert text and not [w for w in ("seed", "the article", "beyond the", "catalog") if w in text], probe.id
    assert not set(text) & set("äöüß"), probe.id   # no quotes left from the German source


def test_explain_unknown_lists_close_ids() -> None:
    r = subprocess.run([sys.executable, "-m", "netcheck", "explain", "dns.sytem"], capture_output=True, text=True,
                       env=cli_env(), timeout=60)
    assert r.returncode == 2 and "did you mean dns.system" in r.stderr
