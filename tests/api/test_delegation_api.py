"""The delegation portal over REST, end to end: an organiser gives an organisation places at an event built
over REST and invites a delegate; the delegate, signed in to nothing, accepts with the e-mail's token and
registers; the participant enters the workflow, and rejecting them gives the organisation its place back."""

import asyncio

from nats.aio.client import Client
from nats.js.errors import NotFoundError

from plenary_contracts.catalog import delegation
from plenary_contracts.envelope import CloudEvent
from plenary_contracts.streams import event_stream_name
from plenary_kit.sealing import Sealer
from plenary_kit.settings import Settings
from plenary_kit.testing.api import Api

from .builders import event_with_a_workflow
from .conftest import Tenant

QUOTAS = "/api/v1/delegation/quotas"


def latest_token(api: Api) -> str | None:
    """The token of the latest invite e-mail, opened as comms opens it (the deployment's default secret)."""

    async def read() -> str | None:
        nc = Client()
        await nc.connect(api.nats_url)
        try:
            stream = event_stream_name("delegation")
            msg = await nc.jetstream().get_last_msg(stream, delegation.INVITE_SENT.subject)
        except NotFoundError:
            return None  # not relayed from delegation's outbox yet
        finally:
            await nc.close()
        sealed = CloudEvent.from_nats(msg.headers, msg.data).data["sealedToken"]
        return Sealer(Settings().delegation_invite_secret, delegation.SEALING_PURPOSE).unseal(sealed)

    return asyncio.run(read())


def test_an_accepted_delegate_registers_enters_the_workflow_and_rejecting_them_frees_a_place(
    api: Api, acme: Tenant, globex: Tenant
):
    ids = event_with_a_workflow(api, acme)
    quota_body = {"eventId": ids["event"], "organizationId": "org-ghana", "maxParticipants": 1}
    off = api.request("PUT", QUOTAS, key=acme.key, json=quota_body)
    assert off.status_code == 404 and off.json()["code"] == "FEATURE_DISABLED"
    api.ok(
        "PATCH", "/api/v1/feature-flags/FF_DELEGATION_PORTAL", token=api.admin, json={"enabledForTenants": [acme.id]}
    )
    api.until(lambda: api.request("GET", QUOTAS, key=acme.key).status_code == 200)

    quota = api.ok("PUT", QUOTAS, key=acme.key, json=quota_body)["data"]
    assert api.request("GET", f"{QUOTAS}/{quota['id']}", key=globex.key).status_code == 404
    invite = api.ok("POST", f"{QUOTAS}/{quota['id']}/invites", 201, key=acme.key, json={"email": "kofi@ghana.test"})
    assert "token" not in invite["data"]
    token = api.until(lambda: latest_token(api), timeout=30)

    unknown = api.request("POST", "/api/v1/delegation/accept", json={"token": "0" * 64})
    assert unknown.status_code == 404 and unknown.headers["content-type"].startswith("application/problem+json")
    malformed = api.request("POST", "/api/v1/delegation/accept", json={"token": "not-a-token"})
    assert malformed.status_code == 422
    accepted = api.ok("POST", "/api/v1/delegation/accept", json={"token": token})["data"]  # no credential
    assert accepted["status"] == "ACCEPTED" and not accepted["alreadyAccepted"]
    assert api.ok("POST", "/api/v1/delegation/accept", json={"token": token})["data"]["alreadyAccepted"]

    delegate = {"participantTypeId": ids["type"], "firstName": "Kofi", "lastName": "Mensah"}
    registered = api.until(  # registration learns of the new event and type from the events service
        lambda: (
            (
                r := api.request("POST", "/api/v1/delegation/register", json={"token": token, "delegate": delegate})
            ).status_code
            == 201
            and r.json()["data"]
        ),
        timeout=30,
    )
    pid = registered["participantId"]
    again = api.request("POST", "/api/v1/delegation/register", json={"token": token, "delegate": delegate})
    assert again.status_code == 409

    participant = api.ok("GET", f"/api/v1/events/{ids['event']}/participants/{pid}", key=acme.key)["data"]
    assert (participant["organization"], participant["email"]) == ("org-ghana", "kofi@ghana.test")
    progress = api.until(
        lambda: (
            (r := api.request("GET", f"/api/v1/participants/{pid}/workflow", key=acme.key)).status_code == 200
            and r.json()["data"]
        ),
        timeout=30,
    )
    assert progress["currentStepId"] == ids["review"]
    assert api.ok("GET", f"{QUOTAS}/{quota['id']}", key=acme.key)["data"]["usedCount"] == 1
    full = api.request("POST", f"{QUOTAS}/{quota['id']}/invites", key=acme.key, json={"email": "ama@ghana.test"})
    assert full.status_code == 400

    # approved at Review, rejected at Badge (the terminal step): the participant is REJECTED
    api.ok("POST", f"/api/v1/participants/{pid}/approve", key=acme.key, json={})
    api.ok("POST", f"/api/v1/participants/{pid}/reject", key=acme.key, json={"comment": "not accredited"})
    api.until(lambda: api.ok("GET", f"{QUOTAS}/{quota['id']}", key=acme.key)["data"]["usedCount"] == 0, timeout=30)
    api.ok("POST", f"{QUOTAS}/{quota['id']}/invites", 201, key=acme.key, json={"email": "ama@ghana.test"})
