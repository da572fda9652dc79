"""Resource Graph: the simulator's answers against Microsoft's examples, paging, quota, throttling, errors; the
client through azure-mgmt-resourcegraph; the read-only guard that lets only this POST out."""

from __future__ import annotations

import json
import ssl
import urllib.request
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from conftest import ROOT

from netcheck.azure.credential import StaticTokenCredential
from netcheck.azure.resourcegraph import Graph, GraphError
from netcheck.azure.session import Session, read_only_guard
from netcheck.settings import Settings
from netcheck.sim.arm import Request
from netcheck.sim.scenario import parse
from netcheck.sim.server import Simulator

EXAMPLES = ROOT / "tests/data/arm-examples/resourcegraph/2024-04-01"
RG_PATH = "/providers/Microsoft.ResourceGraph/resources"


def _scenario(arm: list[dict[str, Any]], **extra: Any) -> Any:
    return parse({"scenario": 1, "name": "rg", "summary": "Resource Graph", "arm": arm, **extra}, "test")


def _vnets(n: int, sub: str = "00000000-0000-4000-8000-000000000001") -> list[dict[str, Any]]:
    return [{"id": f"/subscriptions/{sub}/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet-{i:05d}",
             "type": "Microsoft.Network/virtualNetworks", "location": "EastUS", "properties": {}} for i in range(n)]


@pytest.fixture
def started() -> Iterator[Any]:
    sims: list[Simulator] = []

    def start(scenario: Any) -> tuple[Simulator, Session]:
        sim = Simulator(scenario).start()
        sims.append(sim)
        return sim, Session(sim.settings(Settings()), StaticTokenCredential(sim.token))

    yield start
    for sim in sims:
        sim.stop()


def _post(sim: Simulator, body: dict[str, Any], version: str = "2024-04-01") -> tuple[int, dict[str, Any], Any]:
    req = urllib.request.Request(f"{sim.arm.base_url}{RG_PATH}?api-version={version}", json.dumps(body).encode(),
                                 {"Authorization": f"Bearer {sim.token}", "Content-Type": "application/json"}, method="POST")
    ctx = ssl.create_default_context(cafile=str(sim.ca_bundle))
    try:
        with urllib.request.urlopen(req, context=ctx) as resp:
            return resp.status, json.loads(resp.read()), resp.headers
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read()), exc.headers


def _example(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((EXAMPLES / name).read_text())
    return data


def _as_resources(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The example's rows as the ARM resources Resource Graph indexed."""
    return [{"id": r["id"], "name": r["name"], "type": r["type"], "location": r.get("location", "eastus"),
             "tags": r.get("tags", {}), "properties": {}} for r in rows]


@pytest.mark.parametrize("name", ["ResourcesBasicQuery.json", "ResourcesFilterQuery.json"])
def test_rows_and_envelope_match_microsofts_example(name: str, started: Any) -> None:
    ex = _example(name)
    want = ex["responses"]["200"]["body"]
    sim, _ = started(_scenario(_as_resources(want["data"]) + _vnets(2, "cfbbd179-59d2-4052-aa06-9270a38aa9d6")))
    status, body, headers = _post(sim, ex["parameters"]["query"])
    assert status == 200
    assert set(body) == set(want) and body["resultTruncated"] == "false" and body["facets"] == []
    key = lambda r: r["id"]  # noqa: E731
    if "type =~" in ex["parameters"]["query"]["query"]:
        assert sorted(body["data"], key=key) == sorted(want["data"], key=key)
    else:   # `limit 3` of five resources: three of them, each exactly as Resource Graph shows it
        assert body["count"] == 3 and all(r in want["data"] or "virtualnetworks/vnet-" in r["id"].lower()
                                          for r in body["data"])
    assert all(r["type"] == r["type"].lower() for r in body["data"])
    assert int(headers["x-ms-user-quota-remaining"]) >= 0
    assert headers["x-ms-user-quota-resets-after"].count(":") == 2


def test_first_and_next_page_match_microsofts_examples(started: Any) -> None:
    first, nxt = _example("ResourcesFirstPageQuery.json"), _example("ResourcesNextPageQuery.json")
    rows = first["responses"]["200"]["body"]["data"] + nxt["responses"]["200"]["body"]["data"]
    sim, _ = started(_scenario(_as_resources(rows)))
    status, body, _ = _post(sim, first["parameters"]["query"])
    want = first["responses"]["200"]["body"]
    matching = {r["id"] for r in rows if "test" in r["name"].lower()}   # `where name contains 'test'`
    assert status == 200 and set(body) == set(want) and body["count"] == 3 and body["totalRecords"] == len(matching)
    request = {**nxt["parameters"]["query"], "options": {"$skipToken": body["$skipToken"], "$top": 3}}
    status, second, _ = _post(sim, request)
    assert status == 200 and "$skipToken" not in second and set(second) == set(want) - {"$skipToken"}
    assert {r["id"] for r in body["data"]} | {r["id"] for r in second["data"]} == matching


def test_rows_carry_subscription_group_and_projected_columns_only(started: Any) -> None:
    sim, _ = started(_scenario(_vnets(1)))
    _, body, _ = _post(sim, {"query": "resources | project id, type, subscriptionId, resourceGroup, location"})
    (row,) = body["data"]
    assert row == {"id": _vnets(1)[0]["id"], "type": "microsoft.network/virtualnetworks", "location": "eastus",
                   "subscriptionId": "00000000-0000-4000-8000-000000000001", "resourceGroup": "rg"}


def test_pages_of_1000_rows_follow_skip_tokens(started: Any) -> None:
    sim, session = started(_scenario(_vnets(2345)))
    result = Graph(session).query("resources | where type =~ 'Microsoft.Network/virtualNetworks' | project id, name "
                                  "| order by id asc")
    ids = [r["id"] for r in result.rows]
    assert len(ids) == 2345 and ids == sorted(ids) and result.pages == 3
    posts = [r for r in sim.arm.requests if r.method == "POST"]
    assert len(posts) == 3 and all(r.status == 200 for r in posts)
    assert sim.mutating_requests == []


def test_without_id_the_answer_is_truncated_not_paged(started: Any) -> None:
    sim, _ = started(_scenario(_vnets(1200)))
    _, body, _ = _post(sim, {"query": "resources | project name"})
    assert body["resultTruncated"] == "true" and "$skipToken" not in body and body["count"] == 1000


def test_an_exhausted_quota_is_waited_out_instead_of_throttled(started: Any) -> None:
    sim, session = started(_scenario(_vnets(2500), resource_graph={"quota": 2, "window_s": 1}))
    result = Graph(session).query("resources | project id | order by id asc")
    assert len(result.rows) == 2500 and result.waited_s > 0
    assert [r.status for r in sim.arm.requests] == [200, 200, 200]


def test_a_429_is_ridden_out_within_the_budget(started: Any) -> None:
    fault = {"request": f"POST {RG_PATH}", "status": 429, "retry_after": 1, "times": 2}
    sim, session = started(_scenario(_vnets(3), faults=[fault]))
    result = Graph(session).query("resources | project id | order by id asc")
    assert len(result.rows) == 3 and result.waited_s == 2 and result.requests == 3
    assert [r.status for r in sim.arm.requests] == [429, 429, 200]


def test_a_retry_after_past_the_budget_is_an_error_with_the_reason(started: Any) -> None:
    fault = {"request": f"POST {RG_PATH}", "status": 429, "retry_after": 120}
    sim, session = started(_scenario(_vnets(3), faults=[fault]))
    with pytest.raises(GraphError) as err:
        Graph(session, budget=10).query("resources | project id")
    assert err.value.reason == "throttled" and "120 s" in err.value.message and "10 s budget" in err.value.message
    assert len(sim.arm.requests) == 1   # it did not sleep two minutes to fail anyway


def test_a_malformed_condition_gets_resource_graphs_error_in_one_line(started: Any) -> None:
    sim, session = started(_scenario(_vnets(3)))
    status, body, _ = _post(sim, {"query": "resources | where name = 'vnet'"})
    assert status == 400 and body["error"]["code"] == "BadRequest"
    assert [d["code"] for d in body["error"]["details"]] == ["InvalidQuery", "ParserFailure"]
    with pytest.raises(GraphError) as err:
        Graph(session).query("resources | where tags.env == 'prod' and | project id")
    msg = err.value.message
    assert err.value.reason == "invalid_query" and "\n" not in msg
    assert "Query is invalid" in msg and "ParserFailure at line 1, position 41 near '|'" in msg


def test_a_tenant_scope_cut_by_the_subscription_limit_says_so(started: Any) -> None:
    arm = [r for i in range(4) for r in _vnets(2, f"00000000-0000-4000-8000-00000000000{i}")]
    _, session = started(_scenario(arm, resource_graph={"subscription_limit": 3}))
    graph = Graph(session)
    cut = graph.query("resources | project id, subscriptionId | order by id asc")
    assert cut.subscription_limit_hit and len({r["subscriptionId"] for r in cut.rows}) == 3
    named = graph.query("resources | project id | order by id asc", subscriptions=[f"00000000-0000-4000-8000-00000000000{i}"
                                                                                    for i in range(4)])
    assert not named.subscription_limit_hit and len(named.rows) == 8


def test_only_the_resource_graph_post_passes_the_read_only_guard(started: Any) -> None:
    def hook(method: str, url: str) -> None:
        read_only_guard(SimpleNamespace(http_request=SimpleNamespace(method=method, url=url)))

    hook("POST", f"https://management.azure.com{RG_PATH}?api-version=2021-03-01")
    for method, url in [("POST", "https://management.azure.com/subscriptions/s/resourceGroups/g/providers/"
                                 "Microsoft.Storage/storageAccounts/st/listKeys?api-version=2023-01-01"),
                        ("POST", f"https://management.azure.com/subscriptions/s{RG_PATH}"),
                        ("PUT", f"https://management.azure.com{RG_PATH}"),
                        ("DELETE", "https://management.azure.com/subscriptions/s/resourceGroups/g")]:
        with pytest.raises(PermissionError):
            hook(method, url)
    # through the real pipeline: refused before it is sent, so the simulator never sees it
    from azure.core.rest import HttpRequest

    sim, session = started(_scenario(_vnets(1)))
    listkeys = f"{sim.arm.base_url}/subscriptions/s/resourceGroups/g/providers/Microsoft.Storage/storageAccounts/st/listKeys"
    with pytest.raises(PermissionError):
        session.arm()._client.send_request(HttpRequest("POST", listkeys, params={"api-version": "2023-01-01"}))
    Graph(session).query("resources | project id")
    assert [(r.method, r.path) for r in sim.arm.requests] == [("POST", RG_PATH)]
    assert sim.mutating_requests == []
    assert Request("POST", "/subscriptions/s/resourceGroups/g/providers/Microsoft.Storage/storageAccounts/st/listKeys",
                   "", 200).mutating
    assert not Request("POST", RG_PATH, "", 200).mutating

