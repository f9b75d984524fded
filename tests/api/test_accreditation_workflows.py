"""Workflows as integrators and event staff meet them over REST: build, publish, act, with the
original's permissions; participants arrive by registration's event."""

import asyncio

from plenary_kit.bus.connection import connect
from plenary_kit.testing.api import Api
from plenary_kit.testing.registration import publish_registration

from .builders import published_event
from .conftest import Tenant

EVENT = "congress-2026"


def _register(api: Api, tenant_id: str, event_id: str) -> str:
    """Publish ``participant.registered`` as registration does (issue 5 brings its REST route)."""

    async def publish() -> str:
        nc = await connect(api.nats_url, "api-test-registration")
        try:
            return await publish_registration(nc, tenant_id, event_id, firstName="Wangari", lastName="Maathai")
        finally:
            await nc.drain()

    return asyncio.run(publish())


def _two_step_workflow(api: Api, tenant: Tenant) -> dict[str, str]:
    """A fresh event with one published workflow: Review → Badge."""
    key, (event_id, _) = tenant.key, published_event(api, tenant)
    workflow = api.ok("POST", "/api/v1/workflows", 201, key=key, json={"eventId": event_id, "name": "Accreditation"})
    wid = workflow["data"]["id"]
    review = api.ok(
        "POST",
        f"/api/v1/workflows/{wid}/steps",
        201,
        key=key,
        json={"name": "Review", "order": 1, "isEntryPoint": True},
    )["data"]["id"]
    badge = api.ok(
        "POST", f"/api/v1/workflows/{wid}/steps", 201, key=key, json={"name": "Badge", "order": 2, "isTerminal": True}
    )["data"]["id"]
    api.ok("PATCH", f"/api/v1/workflows/{wid}/steps/{review}", key=key, json={"nextStepId": badge})
    published = api.ok("POST", f"/api/v1/workflows/{wid}/publish", key=key)["data"]
    assert published["created"] is True and published["version"]["version"] == 1
    return {"event": event_id, "workflow": wid, "review": review, "badge": badge}


def test_a_workflow_built_over_rest_takes_a_registered_participant_to_approval(api: Api, acme: Tenant):
    ids = _two_step_workflow(api, acme)
    read = api.request("GET", f"/api/v1/workflows/{ids['workflow']}", key=acme.key)
    assert read.status_code == 200 and read.headers["ETag"]
    body = read.json()["data"]
    assert [s["name"] for s in body["steps"]] == ["Review", "Badge"] and body["currentVersion"] == 1
    listed = api.ok("GET", f"/api/v1/workflows?eventId={ids['event']}", key=acme.key)
    assert [w["id"] for w in listed["data"]] == [ids["workflow"]] and listed["meta"]["total"] == 1

    pid = _register(api, acme.id, ids["event"])
    progress = api.until(
        lambda: (
            (r := api.request("GET", f"/api/v1/participants/{pid}/workflow", key=acme.key)).status_code == 200
            and r.json()["data"]
        )
    )
    assert progress["currentStepId"] == ids["review"] and progress["status"] == "PENDING"

    moved = api.ok(
        "POST", f"/api/v1/participants/{pid}/approve", key=acme.key, json={"expectedVersion": progress["version"]}
    )
    assert moved["data"]["nextStepId"] == ids["badge"] and moved["data"]["status"] == "IN_PROGRESS"

    stale = api.request(
        "POST", f"/api/v1/participants/{pid}/approve", key=acme.key, json={"expectedVersion": progress["version"]}
    )
    assert stale.status_code == 409 and stale.headers["content-type"].startswith("application/problem+json")
    assert stale.json()["details"]["current"]["version"] == progress["version"] + 1

    done = api.ok("POST", f"/api/v1/participants/{pid}/approve", key=acme.key, json={"comment": "badge printed"})
    assert done["data"]["isComplete"] and done["data"]["status"] == "APPROVED"
    history = api.ok("GET", f"/api/v1/participants/{pid}/approvals?sort=createdAt:asc", key=acme.key)["data"]
    assert [a["action"] for a in history] == ["APPROVE", "APPROVE"] and history[1]["remarks"] == "badge printed"


def test_another_tenant_sees_neither_the_workflow_nor_the_participant(api: Api, acme: Tenant, globex: Tenant):
    ids = _two_step_workflow(api, acme)
    assert api.request("GET", f"/api/v1/workflows/{ids['workflow']}", key=globex.key).status_code == 404
    pid = _register(api, acme.id, ids["event"])
    api.until(lambda: api.request("GET", f"/api/v1/participants/{pid}/workflow", key=acme.key).status_code == 200)
    assert api.request("POST", f"/api/v1/participants/{pid}/approve", key=globex.key, json={}).status_code == 404


def test_a_validator_may_approve_and_reject_but_not_change_workflows(api: Api, acme: Tenant):
    ids = _two_step_workflow(api, acme)
    api.create_user(acme.id, "val-one", ["VALIDATOR"])
    token = api.login("val-one")["accessToken"]
    assert (
        api.request("POST", "/api/v1/workflows", token=token, json={"eventId": EVENT, "name": "x"}).status_code == 403
    )
    pid = _register(api, acme.id, ids["event"])
    api.until(lambda: api.request("GET", f"/api/v1/participants/{pid}/workflow", token=token).status_code == 200)
    assert api.request("POST", f"/api/v1/participants/{pid}/print", token=token, json={}).status_code == 403
    approved = api.request("POST", f"/api/v1/participants/{pid}/approve", token=token, json={})
    assert approved.status_code == 200 and approved.json()["data"]["nextStepId"] == ids["badge"]


def test_gated_routes_answer_a_typed_problem_while_their_flag_is_off(api: Api, acme: Tenant):
    batch = api.request(
        "POST",
        "/api/v1/batch-actions/dry-run",
        key=acme.key,
        json={"eventId": EVENT, "action": "APPROVE", "participantIds": ["x"]},
    )
    assert (
        batch.status_code == 404
        and batch.json()["code"] == "FEATURE_DISABLED"
        and batch.headers["content-type"].startswith("application/problem+json")
    )
    offline = api.request(
        "POST",
        "/api/v1/offline-sync",
        key=acme.key,
        json={"id": "m1", "type": "approve", "entityType": "participant", "entityId": "p1", "timestamp": 1},
    )
    assert offline.status_code == 404 and offline.json()["code"] == "FEATURE_DISABLED"


def test_an_event_scoped_api_key_acts_only_on_participants_of_its_events(api: Api, acme: Tenant, key_usable):
    mine, other = _two_step_workflow(api, acme), _two_step_workflow(api, acme)
    _, scoped = api.create_key(
        acme.admin_token, permissions=["participant:approve"], scopes={"eventIds": [mine["event"]]}
    )
    key_usable(scoped)
    inside, outside = _register(api, acme.id, mine["event"]), _register(api, acme.id, other["event"])
    for pid in (inside, outside):
        api.until(
            lambda pid=pid: api.request("GET", f"/api/v1/participants/{pid}/workflow", key=acme.key).status_code == 200
        )

    refused = api.request("POST", f"/api/v1/participants/{outside}/approve", key=scoped, json={})
    assert refused.status_code == 403 and refused.json()["code"] == "FORBIDDEN"
    allowed = api.request("POST", f"/api/v1/participants/{inside}/approve", key=scoped, json={})
    assert allowed.status_code == 200 and allowed.json()["data"]["nextStepId"] == mine["badge"]
