"""Screening as integrators meet it over REST: a likely duplicate flagged, merged, and its workflow approvals
following it to the survivor; a blacklist entry refusing a registration; global entries kept global."""

from typing import Any

from plenary_kit.testing.api import Api

from .builders import event_with_a_workflow
from .conftest import Tenant


def _registration(ids: dict[str, str], **fields: Any) -> dict[str, Any]:
    return {"participantTypeId": ids["type"], "firstName": "Wangari", "lastName": "Maathai"} | fields


def _in_workflow(api: Api, tenant: Tenant, pid: str) -> dict[str, Any]:
    return api.until(
        lambda: (
            (r := api.request("GET", f"/api/v1/participants/{pid}/workflow", key=tenant.key)).status_code == 200
            and r.json()["data"]
        ),
        timeout=30,
    )


def test_merging_a_flagged_duplicate_moves_its_workflow_approvals_to_the_survivor(api: Api, acme: Tenant):
    ids = event_with_a_workflow(api, acme)
    participants = f"/api/v1/events/{ids['event']}/participants"
    survivor = api.ok("POST", participants, 201, key=acme.key, json=_registration(ids, email="wangari@gbm.example"))
    survivor = survivor["data"]
    duplicate = api.ok("POST", participants, 201, key=acme.key, json=_registration(ids, email="w.maathai@un.example"))
    duplicate = duplicate["data"]
    assert not survivor["flagged"] and survivor["screening"]["risk"] == "PASS"
    assert duplicate["flagged"] and duplicate["screening"]["risk"] == "WARN"
    assert duplicate["screening"]["duplicates"][0]["participantId"] == survivor["id"]

    (candidate,) = api.ok("GET", f"/api/v1/duplicates?participantId={duplicate['id']}", key=acme.key)["data"]
    assert candidate["status"] == "PENDING_REVIEW" and candidate["confidenceScore"] == 0.85

    progress = _in_workflow(api, acme, duplicate["id"])
    assert progress["currentStepId"] == ids["review"]
    _in_workflow(api, acme, survivor["id"])
    approved = api.ok("POST", f"/api/v1/participants/{duplicate['id']}/approve", key=acme.key, json={"comment": "ok"})
    assert approved["data"]["nextStepId"] == ids["badge"]
    (their_approval,) = api.ok("GET", f"/api/v1/participants/{duplicate['id']}/approvals", key=acme.key)["data"]

    merged = api.ok(
        "POST",
        "/api/v1/participants/merge",
        key=acme.key,
        json={"survivorId": survivor["id"], "mergedId": duplicate["id"], "fieldResolution": {"email": "merged"}},
    )["data"]
    assert merged["survivor"]["id"] == survivor["id"] and merged["survivor"]["email"] == "w.maathai@un.example"
    assert not merged["survivor"]["flagged"] and merged["history"]["mergedId"] == duplicate["id"]

    moved = api.until(
        lambda: [
            a
            for a in api.ok("GET", f"/api/v1/participants/{survivor['id']}/approvals", key=acme.key)["data"]
            if a["id"] == their_approval["id"]
        ],
        timeout=30,
    )
    assert moved[0]["action"] == "APPROVE" and moved[0]["remarks"] == "ok"
    gone = api.request("GET", f"{participants}/{duplicate['id']}", key=acme.key)
    assert gone.status_code == 404
    (history,) = api.ok("GET", f"/api/v1/merge-history?participantId={survivor['id']}", key=acme.key)["data"]
    assert history["survivingId"] == survivor["id"]
    assert api.ok("GET", f"/api/v1/duplicates?participantId={survivor['id']}", key=acme.key)["data"][0]["status"] == (
        "MERGED"
    )


def test_a_blacklisted_passport_blocks_registration_with_the_matches_explained(api: Api, acme: Tenant, globex: Tenant):
    ids = event_with_a_workflow(api, acme)
    entry = api.ok(
        "POST",
        "/api/v1/blacklist",
        201,
        key=acme.key,
        json={"passportNumber": "X1234567", "nameVariations": "Viktor Bout, Victor But", "reason": "sanctions"},
    )["data"]
    assert entry["tenantId"] == acme.id and entry["nameVariations"] == ["Viktor Bout", "Victor But"]

    refused = api.request(
        "POST",
        f"/api/v1/events/{ids['event']}/participants",
        key=acme.key,
        json=_registration(ids, firstName="Ann", lastName="Other", extras={"passportNumber": "x1234567"}),
    )
    assert refused.status_code == 409, refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")
    screening = refused.json()["details"]["screening"]
    assert screening["risk"] == "BLOCK" and not screening["allowed"]
    assert screening["blacklist"] == [
        {"blacklistId": entry["id"], "matchType": "exact", "matchField": "passportNumber", "matchValue": "X1234567"}
    ]
    listed = api.ok("GET", f"/api/v1/events/{ids['event']}/participants", key=acme.key)
    assert listed["meta"]["total"] == 0

    assert api.request("GET", f"/api/v1/blacklist/{entry['id']}", key=globex.key).status_code == 404
    etag = api.request("GET", f"/api/v1/blacklist/{entry['id']}", key=acme.key).headers["ETag"]
    stale = api.request(
        "PATCH", f"/api/v1/blacklist/{entry['id']}", key=acme.key, headers={"If-Match": '"stale"'}, json={}
    )
    assert stale.status_code == 412
    off = api.ok(
        "PATCH",
        f"/api/v1/blacklist/{entry['id']}",
        key=acme.key,
        headers={"If-Match": etag},
        json={"isActive": False},
    )
    assert off["data"]["isActive"] is False
    api.ok(
        "POST",
        f"/api/v1/events/{ids['event']}/participants",
        201,
        key=acme.key,
        json=_registration(ids, firstName="Ann", lastName="Other", extras={"passportNumber": "X1234567"}),
    )


def test_global_entries_are_a_global_admins_and_screen_every_tenant(api: Api, acme: Tenant):
    shared = api.ok(
        "POST", "/api/v1/blacklist", 201, token=api.admin, json={"email": "fraud@ring.example", "reason": "interpol"}
    )["data"]
    assert shared["tenantId"] is None
    assert api.ok("GET", f"/api/v1/blacklist/{shared['id']}", key=acme.key)["data"]["id"] == shared["id"]
    listed = api.ok("GET", "/api/v1/blacklist?scope=global", key=acme.key)["data"]
    assert shared["id"] in [e["id"] for e in listed]
    for method, body in (("PATCH", {"isActive": False}), ("DELETE", None)):
        refused = api.request(method, f"/api/v1/blacklist/{shared['id']}", key=acme.key, json=body)
        assert refused.status_code == 404

    ids = event_with_a_workflow(api, acme)
    blocked = api.request(
        "POST",
        f"/api/v1/events/{ids['event']}/participants",
        key=acme.key,
        json=_registration(ids, email="FRAUD@ring.example"),
    )
    assert blocked.status_code == 409, blocked.text
    assert blocked.json()["details"]["screening"]["blacklist"][0]["blacklistId"] == shared["id"]
    assert api.request("DELETE", f"/api/v1/blacklist/{shared['id']}", token=api.admin).status_code == 204
