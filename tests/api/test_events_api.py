"""Events as integrators meet them over REST (P4-01): create, list, read with ETag and expansions,
If-Match, soft delete, tenancy, and field definitions refused with field errors."""

from plenary_kit.ids import new_id
from plenary_kit.testing.api import Api

from .conftest import Tenant
from .test_authentication import _problem


def _event(api: Api, tenant: Tenant, **fields) -> dict:  # type: ignore[no-untyped-def]
    body = {
        "name": f"Summit {new_id()[:8]}",
        "startDate": "2026-05-01T09:00:00Z",
        "endDate": "2026-05-03T18:00:00+03:00",
        "timezone": "Africa/Nairobi",
    } | fields
    return api.ok("POST", "/api/v1/events", 201, key=tenant.key, json=body)["data"]


def test_an_event_is_created_listed_and_read_with_its_etag_and_participant_types(api: Api, acme: Tenant):
    created = _event(api, acme, description="Heads of state")
    assert (created["status"], created["timezone"], created["description"]) == (
        "DRAFT",
        "Africa/Nairobi",
        "Heads of state",
    )
    api.ok(
        "POST",
        f"/api/v1/events/{created['id']}/participant-types",
        201,
        key=acme.key,
        json={"name": "Delegate", "code": "DEL"},
    )

    listed = api.ok("GET", f"/api/v1/events?q={created['name']}&status=DRAFT&fields=name", key=acme.key)
    assert listed["data"] == [{"id": created["id"], "name": created["name"]}] and listed["meta"]["total"] == 1
    read = api.request("GET", f"/api/v1/events/{created['id']}?expand=participantTypes", key=acme.key)
    assert read.status_code == 200 and read.headers["ETag"]
    body = read.json()["data"]
    assert [t["code"] for t in body["participantTypes"]] == ["DEL"] and body["workflows"] is None
    bad = api.request("POST", "/api/v1/events", key=acme.key, json={"name": "x", "startDate": "2026-05-01T09:00:00Z"})
    assert ["body", "endDate"] in [e["loc"] for e in _problem(bad, 422, "VALIDATION_ERROR")["errors"]]


def test_a_stale_if_match_is_412_and_a_deleted_event_is_gone(api: Api, acme: Tenant):
    created = _event(api, acme)
    path = f"/api/v1/events/{created['id']}"
    etag = api.request("GET", path, key=acme.key).headers["ETag"]
    published = api.request("PATCH", path, key=acme.key, json={"status": "PUBLISHED"}, headers={"If-Match": etag})
    assert published.status_code == 200 and published.headers["ETag"] != etag
    assert published.json()["data"]["name"] == created["name"]
    stale = api.request("PATCH", path, key=acme.key, json={"status": "CANCELED"}, headers={"If-Match": etag})
    _problem(stale, 412, "PRECONDITION_FAILED")
    assert api.ok("GET", path, key=acme.key)["data"]["status"] == "PUBLISHED"

    deleted = api.request("DELETE", path, key=acme.key)
    assert deleted.status_code == 204 and not deleted.content
    _problem(api.request("GET", path, key=acme.key), 404, "NOT_FOUND")
    _problem(api.request("DELETE", path, key=acme.key), 404, "NOT_FOUND")


def test_another_tenants_event_is_not_found(api: Api, acme: Tenant, globex: Tenant):
    theirs = _event(api, acme)
    path = f"/api/v1/events/{theirs['id']}"
    _problem(api.request("GET", path, key=globex.key), 404, "NOT_FOUND")
    _problem(api.request("PATCH", path, key=globex.key, json={"name": "Mine"}), 404, "NOT_FOUND")
    _problem(api.request("GET", f"{path}/participant-types", key=globex.key), 404, "NOT_FOUND")
    assert theirs["id"] not in [e["id"] for e in api.ok("GET", "/api/v1/events?pageSize=100", key=globex.key)["data"]]


def test_a_field_definition_with_rules_that_do_not_suit_its_type_is_422_with_each_field(api: Api, acme: Tenant):
    body = {
        "name": f"age_{new_id()[:6]}",
        "label": "Age",
        "dataType": "NUMBER",
        "validation": [{"rule": "min", "value": 18}, {"rule": "maxLength", "value": 3}],
        "defaultValue": "eighteen",
    }
    refused = api.request("POST", "/api/v1/field-definitions", key=acme.key, json=body)
    errors = _problem(refused, 422, "VALIDATION_ERROR")["errors"]
    assert [e["loc"] for e in errors] == [["body", "validation", 1, "rule"], ["body", "defaultValue"]]
    accepted = api.ok(
        "POST",
        "/api/v1/field-definitions",
        201,
        key=acme.key,
        json=body | {"validation": body["validation"][:1], "defaultValue": "21"},
    )["data"]
    assert accepted["eventId"] is None and accepted["validation"] == [{"rule": "min", "value": 18, "message": None}]
