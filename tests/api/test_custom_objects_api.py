"""Custom objects over REST as a tenant's admin meets them: the flag, a custom object with a field of every
type, a record refused field by field (problem+json with each field's place), a record kept and found by the
object's slug, a change of the fields that would break a record refused naming it, deletion only once the
records are gone, a record's creation delivered as a webhook; another tenant sees none of it."""

from collections.abc import Iterator

import pytest

from plenary_contracts.enums import FieldDataType
from plenary_kit.testing.api import Api
from plenary_kit.testing.receiver import HttpReceiver, serving_in_thread

from .conftest import Tenant

OBJECTS = "/api/v1/custom-objects"
EVERY_TYPE = [
    {"name": f"f_{t.lower()}", "label": t.replace("_", " ").title(), "dataType": t, "sortOrder": n}
    | ({"options": ["a", "b"]} if t in ("ENUM", "MULTI_ENUM") else {})
    for n, t in enumerate(FieldDataType)
]
GOOD = {
    "f_text": "Serena",
    "f_long_text": "By the lake",
    "f_number": 4,
    "f_boolean": True,
    "f_date": "2026-05-01",
    "f_datetime": "2026-05-01T14:00:00+03:00",
    "f_enum": "a",
    "f_multi_enum": ["a", "b"],
    "f_email": "desk@serena.example",
    "f_url": "https://serena.example",
    "f_phone": "+254 20 123 4567",
    "f_file": "file-1",
    "f_image": "file-2",
    "f_reference": "org-1",
    "f_json": {"floors": 3},
}
BAD = {
    "f_text": 7,
    "f_number": "4",
    "f_boolean": "yes",
    "f_date": "01/05/2026",
    "f_datetime": "2026-05-01 14:00",
    "f_enum": "c",
    "f_multi_enum": ["c"],
    "f_email": "desk",
    "f_url": "serena.example",
    "f_phone": "x",
    "f_file": 7,
    "f_formula": 1,
    "unknown": 1,
}


@pytest.fixture(scope="module")
def objects_on(api: Api, tenants: tuple[Tenant, Tenant]) -> Iterator[None]:
    """FF_CUSTOM_OBJECTS for both tenants once every gateway and the service have it."""
    ids = [tenant.id for tenant in tenants]
    api.ok("PATCH", "/api/v1/feature-flags/FF_CUSTOM_OBJECTS", token=api.admin, json={"enabledForTenants": ids})
    for tenant in tenants:
        for gateway in range(len(api.gateways)):
            api.until(lambda t=tenant, g=gateway: api.request("GET", OBJECTS, key=t.key, gateway=g).status_code == 200)
    yield
    api.ok("PATCH", "/api/v1/feature-flags/FF_CUSTOM_OBJECTS", token=api.admin, json={"enabledForTenants": []})


def test_without_the_flag_custom_objects_are_refused_as_a_disabled_feature(api: Api, acme: Tenant):
    # until the gateways' mirrors have the tenant's REST API flag, the key itself is not found
    answer = api.until(lambda: (r := api.request("GET", OBJECTS, key=acme.key)).json()["code"] != "NOT_FOUND" and r)
    assert answer.status_code == 404 and answer.json()["code"] == "FEATURE_DISABLED", answer.text


def test_a_custom_object_with_every_field_type_takes_a_typed_record_and_refuses_a_bad_one_field_by_field(
    api: Api, acme: Tenant, globex: Tenant, objects_on: None
):
    made = api.ok("POST", OBJECTS, 201, key=acme.key, json={"name": "Partner Hotels", "fields": EVERY_TYPE})["data"]
    assert made["slug"] == "partner-hotels"
    assert [f["dataType"] for f in made["fields"]] == list(FieldDataType)
    records = f"{OBJECTS}/partner-hotels/records"

    refused = api.request("POST", records, key=acme.key, json={"data": BAD})
    assert refused.status_code == 422 and refused.headers["content-type"].startswith("application/problem+json")
    places = {tuple(e["loc"]) for e in refused.json()["errors"]}
    assert places == {("body", "data", name) for name in BAD}

    # a record is enveloped like any single object, its own `data` field inside
    kept = api.ok("POST", records, 201, key=acme.key, json={"data": GOOD})["data"]
    assert kept["data"] == GOOD and kept["definitionId"] == made["id"]
    assert api.ok("GET", f"{records}/{kept['id']}", key=acme.key)["data"]["data"] == GOOD
    assert [r["id"] for r in api.ok("GET", records, key=acme.key)["data"]] == [kept["id"]]
    assert api.ok("GET", f"{OBJECTS}/partner-hotels", key=acme.key)["data"]["recordCount"] == 1

    required = [{**f, "required": True} if f["name"] == "f_text" else f for f in EVERY_TYPE]
    api.ok("PATCH", f"{OBJECTS}/{made['id']}", key=acme.key, json={"fields": required})
    missing = api.request("PUT", f"{records}/{kept['id']}", key=acme.key, json={"data": {**GOOD, "f_text": None}})
    assert missing.status_code == 422
    assert missing.json()["errors"] == [
        {"loc": ["body", "data", "f_text"], "msg": 'Field "Text" is required', "type": "value_error"}
    ]

    for path in (f"{OBJECTS}/partner-hotels", records, f"{records}/{kept['id']}"):
        assert api.request("GET", path, key=globex.key).status_code == 404, path


def test_slugs_follow_their_pattern_and_a_field_change_that_breaks_records_is_refused_naming_them(
    api: Api, acme: Tenant, objects_on: None
):
    for slug in ("Bad Slug!", "123abc"):
        answer = api.request("POST", OBJECTS, key=acme.key, json={"name": "Vehicles", "slug": slug})
        assert answer.status_code == 422 and answer.json()["errors"][0]["loc"] == ["body", "slug"], answer.text
    fields = [{"name": "plate", "label": "Plate", "dataType": "TEXT"}]
    made = api.ok("POST", OBJECTS, 201, key=acme.key, json={"name": "Vehicles", "fields": fields})["data"]
    records = f"{OBJECTS}/{made['slug']}/records"
    car = api.ok("POST", records, 201, key=acme.key, json={"data": {"plate": "KAA 123A"}})["data"]

    seats = {"name": "seats", "label": "Seats", "dataType": "NUMBER", "required": True}
    conflict = api.request("PATCH", f"{OBJECTS}/{made['id']}", key=acme.key, json={"fields": [*fields, seats]})
    assert conflict.status_code == 409
    assert [r["id"] for r in conflict.json()["details"]["records"]] == [car["id"]]

    assert api.request("DELETE", f"{OBJECTS}/{made['id']}", key=acme.key).status_code == 409
    assert api.request("DELETE", f"{records}/{car['id']}", key=acme.key).status_code == 204
    assert api.request("DELETE", f"{OBJECTS}/{made['id']}", key=acme.key).status_code == 204


def test_a_created_record_reaches_a_webhook_subscribed_to_its_public_type(api: Api, acme: Tenant, objects_on: None):
    flag = "/api/v1/feature-flags/FF_WEBHOOKS"
    api.ok("PATCH", flag, token=api.admin, json={"enabledForTenants": [acme.id]})
    subscriptions = "/api/v1/webhook-subscriptions"
    with serving_in_thread(HttpReceiver()) as receiver:
        body = {"url": receiver.url, "events": ["custom_object.record.created"]}
        api.until(lambda: api.request("POST", subscriptions, key=acme.key, json=body).status_code == 201)
        fields = [{"name": "name", "label": "Name", "dataType": "TEXT", "required": True}]
        made = api.ok("POST", OBJECTS, 201, key=acme.key, json={"name": "Press Passes", "fields": fields})["data"]
        path = f"{OBJECTS}/{made['slug']}/records"
        record = api.ok("POST", path, 201, key=acme.key, json={"data": {"name": "A"}})["data"]
        (got,) = api.until(lambda: receiver.received, timeout=30)
    api.ok("PATCH", flag, token=api.admin, json={"enabledForTenants": []})
    assert got.json["type"] == "custom_object.record.created"
    assert got.json["data"] | {"createdAt": None, "updatedAt": None} == {
        "recordId": record["id"],
        "objectId": made["id"],
        "objectSlug": made["slug"],
        "data": {"name": "A"},
        "createdBy": record["createdBy"],
        "createdAt": None,
        "updatedAt": None,
    }
