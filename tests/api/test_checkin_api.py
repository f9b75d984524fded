"""Check-in over REST as an event's staff and its scanners meet it: a participant registered and approved over
the API is admitted at a gate by a paired scanner's key, refused on the second pass and once cancelled; the
scanner's key stops working when the device is revoked; the badge's QR and the access log's CSV come back as
files; another tenant sees none of it."""

import csv
import io

from plenary_kit.testing.api import Api

from .builders import event_with_a_workflow
from .conftest import Tenant


def _register(api: Api, tenant: Tenant, ids: dict[str, str], first: str, last: str) -> str:
    body = {"participantTypeId": ids["type"], "firstName": first, "lastName": last}
    path = f"/api/v1/events/{ids['event']}/participants"
    return api.until(  # registration learns of the new event and type from the events service
        lambda: (r := api.request("POST", path, key=tenant.key, json=body)).status_code == 201 and r.json()["data"],
        timeout=30,
    )["id"]


def _created(api: Api, tenant: Tenant, path: str, body: dict) -> dict:
    """A checkpoint or device of a new event, once checkin has learnt of the event from the events service
    (404 until then, and nothing created)."""
    return api.until(
        lambda: (r := api.request("POST", path, key=tenant.key, json=body)).status_code == 201 and r.json()["data"],
        timeout=30,
    )


def _act(api: Api, tenant: Tenant, pid: str, action: str) -> dict:
    """The participant's workflow action once the participant entered the workflow."""
    api.until(lambda: api.request("GET", f"/api/v1/participants/{pid}/workflow", key=tenant.key).status_code == 200)
    return api.ok("POST", f"/api/v1/participants/{pid}/{action}", key=tenant.key, json={})["data"]


def _badge(api: Api, tenant: Tenant, pid: str) -> str:
    """The participant's badge once checkin holds the participant."""
    path = f"/api/v1/participants/{pid}/badge"
    return api.until(lambda: (r := api.request("GET", path, key=tenant.key)).status_code == 200 and r.json()["data"])[
        "payload"
    ]


def _scan(api: Api, key: str, checkpoint: str, payload: str) -> dict:
    return api.ok("POST", f"/api/v1/checkpoints/{checkpoint}/scans", key=key, json={"payload": payload})["data"]


def _status_is(api: Api, key: str, checkpoint: str, payload: str, result: str) -> bool:
    """Whether a scan now answers ``result`` (each try is logged: used only where status arrives by event)."""
    return _scan(api, key, checkpoint, payload)["result"] == result


def test_a_paired_scanner_admits_an_approved_participant_once_and_refuses_a_cancelled_one(
    api: Api, acme: Tenant, globex: Tenant
):
    ids = event_with_a_workflow(api, acme)
    admitted = _register(api, acme, ids, "Wangari", "Maathai")
    refused = _register(api, acme, ids, "Jomo", "Kenyatta")
    _act(api, acme, admitted, "approve")
    assert _act(api, acme, admitted, "approve")["status"] == "APPROVED"
    cancelled = {"status": "CANCELLED"}
    api.ok("PATCH", f"/api/v1/events/{ids['event']}/participants/{refused}", key=acme.key, json=cancelled)

    north = {"name": "North gate", "type": "gate", "direction": "entry"}
    gate = _created(api, acme, f"/api/v1/events/{ids['event']}/checkpoints", north)
    paired = _created(api, acme, f"/api/v1/events/{ids['event']}/devices", {"name": "Gate 1"})
    scanner = paired["deviceKey"]
    api.until(lambda: api.request("GET", "/api/v1/checkin/badge-keys", key=scanner).status_code == 200)

    badge = _badge(api, acme, admitted)
    first = _scan(api, scanner, gate["id"], badge)
    assert first["result"] == "VALID" and first["participantId"] == admitted
    assert first["participantName"] == "Wangari Maathai"
    assert _scan(api, scanner, gate["id"], badge)["result"] == "ALREADY_SCANNED"
    api.until(lambda: _status_is(api, scanner, gate["id"], _badge(api, acme, refused), "REVOKED"), timeout=30)
    forged = _scan(api, scanner, gate["id"], badge[:-4] + ("AAAA" if not badge.endswith("AAAA") else "BBBB"))
    assert forged["result"] == "INVALID"

    # Another tenant neither sees the gate nor scans at it, and its admin cannot read the badge
    assert api.request("GET", f"/api/v1/checkpoints/{gate['id']}", key=globex.key).status_code == 404
    foreign = api.request("POST", f"/api/v1/checkpoints/{gate['id']}/scans", key=globex.key, json={"payload": badge})
    assert foreign.status_code == 404 and foreign.headers["content-type"].startswith("application/problem+json")
    assert api.request("GET", f"/api/v1/participants/{admitted}/badge", key=globex.key).status_code == 404

    # The QR image and the access log's CSV are files
    image = api.request("GET", f"/api/v1/participants/{admitted}/badge/qr?format=png", key=acme.key)
    assert image.status_code == 200 and image.content.startswith(b"\x89PNG\r\n\x1a\n")
    exported = api.request("GET", f"/api/v1/events/{ids['event']}/access-log/export", key=acme.key)
    assert exported.status_code == 200, exported.text
    text = exported.content.decode("utf-8-sig")  # a BOM first, for spreadsheets
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["Scanned At", "Checkpoint", "Location"]
    results = [row[6] for row in rows[1:]]
    assert results.count("VALID") == 1 and "ALREADY_SCANNED" in results and "INVALID" in results
    assert all(line.startswith('"') for line in text.splitlines() if line)

    # A revoked scanner's key stops working at the gateway
    api.ok("DELETE", f"/api/v1/devices/{paired['device']['id']}", key=acme.key)
    api.until(
        lambda: (
            api.request(
                "POST", f"/api/v1/checkpoints/{gate['id']}/scans", key=scanner, json={"payload": badge}
            ).status_code
            == 401
        )
    )


def test_a_scanner_paired_to_one_event_cannot_scan_at_another_events_gate(api: Api, acme: Tenant):
    one, other = event_with_a_workflow(api, acme), event_with_a_workflow(api, acme)
    side = {"name": "Side gate", "type": "gate", "direction": "entry"}
    gate = _created(api, acme, f"/api/v1/events/{other['event']}/checkpoints", side)
    scanner = _created(api, acme, f"/api/v1/events/{one['event']}/devices", {"name": "Gate 9"})["deviceKey"]
    api.until(lambda: api.request("GET", "/api/v1/checkin/badge-keys", key=scanner).status_code == 200)
    refused = api.request("POST", f"/api/v1/checkpoints/{gate['id']}/scans", key=scanner, json={"payload": "X"})
    assert refused.status_code in (403, 404), refused.text
