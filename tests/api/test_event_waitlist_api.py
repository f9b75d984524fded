"""The waitlist over REST, end to end (issue 5's acceptance test): a person waits for a place of an event
built over REST, is offered one, confirms it, and so registers and stands at the workflow's entry step."""

from plenary_kit.testing.api import Api

from .builders import event_with_a_workflow
from .conftest import Tenant


def test_a_waitlist_offer_confirmed_over_rest_puts_the_participant_in_the_workflow(
    api: Api, acme: Tenant, globex: Tenant
):
    ids = event_with_a_workflow(api, acme)
    waitlist = f"/api/v1/events/{ids['event']}/waitlist"
    off = api.request("GET", waitlist, key=acme.key)
    assert off.status_code == 404 and off.json()["code"] == "FEATURE_DISABLED"

    both = {"enabledForTenants": [acme.id, globex.id]}
    api.ok("PATCH", "/api/v1/feature-flags/FF_WAITLIST", token=api.admin, json=both)
    api.until(lambda: api.request("GET", waitlist, key=acme.key).status_code == 200)

    person = {
        "participantTypeId": ids["type"],
        "firstName": "Wangari",
        "lastName": "Maathai",
        "email": "wangari@greenbelt.test",
    }
    joined = api.until(  # registration learns of the new event and type from the events service
        lambda: (
            (
                r := api.request("POST", waitlist, key=acme.key, json={"priority": "HIGH", "registration": person})
            ).status_code
            == 201
            and r.json()["data"]
        ),
        timeout=30,
    )
    assert joined["status"] == "ACTIVE" and joined["position"] == 1
    entry = f"/api/v1/waitlist/{joined['id']}"
    again = api.request("POST", waitlist, key=acme.key, json={"registration": person})
    assert again.status_code == 409 and again.headers["content-type"].startswith("application/problem+json")

    offered = api.ok("POST", f"{waitlist}/promote", key=acme.key, json={"participantTypeId": ids["type"], "slots": 1})[
        "data"
    ]["entries"]
    assert [e["id"] for e in offered] == [joined["id"]] and offered[0]["offer"]["deadline"]

    for method, path in (("GET", entry), ("POST", f"{entry}/confirm")):
        elsewhere = api.request(method, path, key=globex.key)
        assert elsewhere.status_code == 404 and elsewhere.json()["code"] == "NOT_FOUND"

    confirmed = api.ok("POST", f"{entry}/confirm", key=acme.key)["data"]
    pid = confirmed["participant"]["id"]
    assert confirmed["entry"]["status"] == "PROMOTED" and confirmed["entry"]["participantId"] == pid
    assert confirmed["participant"]["eventId"] == ids["event"]

    progress = api.until(
        lambda: (
            (r := api.request("GET", f"/api/v1/participants/{pid}/workflow", key=acme.key)).status_code == 200
            and r.json()["data"]
        ),
        timeout=30,
    )
    assert progress["currentStepId"] == ids["review"] and progress["workflowId"] == ids["workflow"]

    assert api.ok("GET", entry, key=acme.key)["data"]["status"] == "PROMOTED"
    assert api.request("POST", f"{entry}/confirm", key=acme.key).status_code == 400
    stats = api.ok("GET", f"{waitlist}/stats", key=acme.key)["data"]
    assert stats["byStatus"]["PROMOTED"] == 1 and stats["promotionSuccessRate"] == 100
