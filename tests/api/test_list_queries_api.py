"""List queries over REST: an event's participants filtered on an extras field, their workflow progress by step,
the tenant's events, and the problems a wrong field or another tenant's event make."""

from plenary_kit.testing.api import Api

from .builders import event_with_a_workflow
from .conftest import Tenant


def _simple(field: str, operator: str, value: object = None) -> dict:
    return {"type": "simple", "field": field, "operator": operator, "value": value}


def test_participants_and_their_progress_are_queried_by_fields_extras_included(
    api: Api, acme: Tenant, globex: Tenant
) -> None:
    ids = event_with_a_workflow(api, acme)
    event = ids["event"]
    dietary = {"eventId": event, "name": "dietary", "label": "Dietary", "dataType": "ENUM",
               "config": {"options": [{"value": "veg"}, {"value": "none"}]}}  # fmt: skip
    api.ok("POST", "/api/v1/field-definitions", 201, key=acme.key, json=dietary)
    participants = f"/api/v1/events/{event}/participants"
    for name, diet in (("Ada", "veg"), ("Bob", "none"), ("Cy", "veg")):
        person = {"participantTypeId": ids["type"], "firstName": name, "lastName": "Query",
                  "email": f"{name.lower()}@query.test", "extras": {"dietary": diet}}  # fmt: skip
        api.until(  # registration learns of the new field from the events service
            lambda person=person: api.request("POST", participants, key=acme.key, json=person).status_code == 201,
            timeout=30,
        )

    query = {"filter": _simple("dietary", "eq", "VEG"), "columns": ["firstName", "dietary"],
             "sort": [{"field": "firstName"}], "limit": 1}  # fmt: skip
    first = api.ok("POST", f"{participants}/query", key=acme.key, json=query)["data"]
    assert [(r["firstName"], r["dietary"]) for r in first["rows"]] == [("Ada", "veg")]
    second = api.ok("POST", f"{participants}/query", key=acme.key, json=query | {"after": first["next"]})["data"]
    assert [r["firstName"] for r in second["rows"]] == ["Cy"] and second["next"] is None

    fields = api.ok("GET", f"{participants}/query/fields", key=acme.key)["data"]["fields"]
    assert {"name": "dietary", "type": "ENUM"}.items() <= next(f for f in fields if f["name"] == "dietary").items()

    progress = f"/api/v1/events/{event}/progress/query"
    board = api.until(
        lambda: (
            (b := api.ok("POST", progress + "/groups", key=acme.key, json={"groupBy": "stepName"})["data"])["groups"]
            and b["groups"][0]["count"] == 3
            and b
        ),
        timeout=30,
    )
    assert [(g["value"], g["count"]) for g in board["groups"]] == [("Review", 3)]

    unknown = api.request("POST", f"{participants}/query", key=acme.key, json={"filter": _simple("vanished", "eq", 1)})
    assert unknown.status_code == 422 and "vanished" in unknown.text
    foreign = api.request("POST", f"{participants}/query", key=globex.key, json={})
    assert foreign.status_code == 404
    assert api.request("POST", progress, key=globex.key, json={}).status_code == 404


def test_the_tenants_events_are_queried_by_their_fields(api: Api, acme: Tenant) -> None:
    ids = event_with_a_workflow(api, acme)
    found = api.ok(
        "POST", "/api/v1/events/query", key=acme.key, json={"filter": _simple("status", "eq", "published"),
                                                             "columns": ["name", "status"], "limit": 200},
    )["data"]  # fmt: skip
    assert ids["event"] in {r["id"] for r in found["rows"]}
    assert {r["status"] for r in found["rows"]} == {"PUBLISHED"}
