"""Saved views over REST as event staff meet them: a shared view of an event's participants filtered on an
extras field, run by the views service on registration for whoever it is shared with; a kanban board by status
whose card moves through the workflow engine, with the mover's own permission; another tenant sees none of it."""

from typing import Any

from plenary_kit.testing.api import Api

from .builders import published_event
from .conftest import Tenant

VIEWS = "/api/v1/views"


def _saved_views_on(api: Api, *tenants: Tenant) -> None:
    api.ok(
        "PATCH",
        "/api/v1/feature-flags/FF_SAVED_VIEWS",
        token=api.admin,
        json={"enabledForTenants": [t.id for t in tenants]},
    )


def _one_step_workflow(api: Api, tenant: Tenant) -> dict[str, str]:
    """A fresh event, its Delegate type, a `dietaryNeeds` ENUM extras field, and a published workflow of one
    step (Review: entry and terminal, so approving there makes the participant APPROVED)."""
    key, (event, type_id) = tenant.key, published_event(api, tenant)
    field = {
        "eventId": event,
        "name": "dietaryNeeds",
        "label": "Dietary needs",
        "dataType": "ENUM",
        "isFilterable": True,
        "config": {"options": [{"value": "VEGAN"}, {"value": "NONE"}]},
    }
    api.ok("POST", "/api/v1/field-definitions", 201, key=key, json=field)
    workflow = api.ok("POST", "/api/v1/workflows", 201, key=key, json={"eventId": event, "name": "Accreditation"})
    wid = workflow["data"]["id"]
    step = {"name": "Review", "order": 1, "isEntryPoint": True, "isTerminal": True}
    api.ok("POST", f"/api/v1/workflows/{wid}/steps", 201, key=key, json=step)
    api.ok("POST", f"/api/v1/workflows/{wid}/publish", key=key)
    return {"event": event, "type": type_id}


def _register(api: Api, tenant: Tenant, ids: dict[str, str], first: str, diet: str) -> str:
    body = {"participantTypeId": ids["type"], "firstName": first, "lastName": "Doe", "extras": {"dietaryNeeds": diet}}
    path = f"/api/v1/events/{ids['event']}/participants"
    return api.until(  # registration learns of the new event, type and field from the events service
        lambda: (r := api.request("POST", path, key=tenant.key, json=body)).status_code == 201 and r.json()["data"],
        timeout=30,
    )["id"]


def _rows(api: Api, token: str, view_id: str, **params: Any) -> dict[str, Any]:
    return api.ok("GET", f"{VIEWS}/{view_id}/rows", token=token, params=params)["data"]


def test_a_shared_participants_view_filtered_on_an_extras_field_runs_for_a_colleague(
    api: Api, acme: Tenant, globex: Tenant
):
    ids = _one_step_workflow(api, acme)
    vegans = {_register(api, acme, ids, name, "VEGAN") for name in ("Ada", "Grace")}
    _register(api, acme, ids, "Alan", "NONE")
    off = api.request("GET", VIEWS, token=acme.admin_token)
    assert off.status_code == 404 and off.json()["code"] == "FEATURE_DISABLED"
    _saved_views_on(api, acme, globex)
    body = {
        "name": "Vegans",
        "entityType": "participant",
        "filters": [{"type": "simple", "field": "dietaryNeeds", "operator": "eq", "value": "VEGAN"}],
        "sorts": [{"field": "firstName", "direction": "asc"}],
        "columns": [
            {"field": "firstName", "label": "First name", "width": 160},
            {"field": "dietaryNeeds", "label": "Diet"},
        ],
        "config": {"eventId": ids["event"]},
        "isShared": True,
    }
    created = api.until(
        lambda: (
            (r := api.request("POST", VIEWS, token=acme.admin_token, json=body)).status_code == 201 and r.json()["data"]
        ),
        timeout=30,
    )
    unknown = api.request(
        "POST", VIEWS, token=acme.admin_token, json=body | {"name": "x", "sorts": [{"field": "shoeSize"}]}
    )
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["loc"] == ["body", "sorts", 0, "field"]

    api.create_user(acme.id, "acme-colleague", ["TENANT_ADMIN"])
    colleague = api.login("acme-colleague")["accessToken"]
    shared = api.ok("GET", f"{VIEWS}/{created['id']}", token=colleague)["data"]
    assert shared["owner"]["id"] == created["userId"] and shared["isShared"] is True
    page = api.until(lambda: (p := _rows(api, colleague, created["id"])) and len(p["rows"]) == 2 and p, timeout=30)
    assert {r["id"] for r in page["rows"]} == vegans
    assert [r["firstName"] for r in page["rows"]] == ["Ada", "Grace"]
    assert {r["dietaryNeeds"] for r in page["rows"]} == {"VEGAN"}
    first = _rows(api, colleague, created["id"], limit=1)
    assert [r["firstName"] for r in first["rows"]] == ["Ada"] and first["next"]
    second = _rows(api, colleague, created["id"], limit=1, after=first["next"])
    assert [r["firstName"] for r in second["rows"]] == ["Grace"]
    refused = api.request("PATCH", f"{VIEWS}/{created['id']}", token=colleague, json={"name": "Mine now"})
    assert refused.status_code == 403 and "your own views" in refused.json()["detail"]
    copied = api.ok("POST", f"{VIEWS}/{created['id']}/duplicate", 201, token=colleague)["data"]
    assert (copied["name"], copied["isShared"]) == ("Vegans (copy)", False)
    assert api.request("GET", f"{VIEWS}/{created['id']}/rows", token=globex.admin_token).status_code == 404


def test_a_kanban_by_status_counts_each_column_and_moves_a_card_through_the_engine(api: Api, acme: Tenant):
    ids = _one_step_workflow(api, acme)
    moved, waiting = _register(api, acme, ids, "Ada", "VEGAN"), _register(api, acme, ids, "Alan", "NONE")
    _saved_views_on(api, acme)
    body = {
        "name": "Board",
        "entityType": "participant",
        "viewType": "KANBAN",
        "config": {"eventId": ids["event"], "groupBy": "status"},
    }
    board = api.until(
        lambda: (
            (r := api.request("POST", VIEWS, token=acme.admin_token, json=body)).status_code == 201 and r.json()["data"]
        ),
        timeout=30,
    )

    def columns() -> dict[str, set[str]]:
        groups = _rows(api, acme.admin_token, board["id"])["groups"]
        assert all(g["count"] == len(g["rows"]) for g in groups)
        return {g["value"]: {r["id"] for r in g["rows"]} for g in groups}

    before = api.until(lambda: (c := columns()) and sum(map(len, c.values())) == 2 and c, timeout=30)
    assert "APPROVED" not in before
    api.until(lambda: api.request("GET", f"/api/v1/participants/{moved}/workflow", key=acme.key).status_code == 200)
    _, raw = api.create_key(acme.admin_token, name="views only", permissions=["views:create", "participant:read"])
    refused = api.request("POST", f"{VIEWS}/{board['id']}/move", key=raw, json={"rowId": moved, "to": "APPROVED"})
    assert refused.status_code == 403 and "participant:approve" in refused.json()["detail"]
    nowhere = api.request(
        "POST", f"{VIEWS}/{board['id']}/move", token=acme.admin_token, json={"rowId": moved, "to": "PENDING"}
    )
    assert nowhere.status_code == 422 and nowhere.json()["errors"][0]["loc"] == ["body", "to"]

    result = api.ok(
        "POST", f"{VIEWS}/{board['id']}/move", token=acme.admin_token, json={"rowId": moved, "to": "APPROVED"}
    )
    assert result["data"]["result"]["action"] == "APPROVE" and result["data"]["result"]["status"] == "APPROVED"
    after = api.until(lambda: (c := columns()) and moved in c.get("APPROVED", set()) and c, timeout=30)
    assert waiting not in after["APPROVED"]
    approvals = api.ok("GET", f"/api/v1/participants/{moved}/approvals", key=acme.key)["data"]
    assert [a["action"] for a in approvals] == ["APPROVE"]
