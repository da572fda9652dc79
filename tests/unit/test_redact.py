"""netcheck.redact on hand-made values: every occurrence of a secret is masked, however often it repeats."""

from __future__ import annotations

from netcheck.redact import MASK, hold, redact

JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4eXoifQ.c2lnbmF0dXJl"
HELD = "plain-looking-value-42"


def test_a_secret_repeated_across_a_fleet_is_masked_everywhere_and_names_are_kept() -> None:
    hold(HELD)
    workspace = {"summary": f"ARM said: Bearer {JWT}", "evidence": {"echo": HELD, "zone": "privatelink.api.azureml.ms"},
                 "apiKey": "short", "ok": "yes"}
    fleet = redact({"workspaces": [workspace] * 50, "again": [f"x {HELD} y"] * 3})
    for w in fleet["workspaces"]:
        assert JWT not in w["summary"] and MASK in w["summary"]
        assert w["evidence"] == {"echo": MASK, "zone": "privatelink.api.azureml.ms"}
        assert w["apiKey"] == MASK and w["ok"] == "yes"
    assert fleet["again"] == [f"x {MASK} y"] * 3
