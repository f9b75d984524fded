"""Analytics over REST as a tenant's administrator meets it: after registrations and approvals through the API,
the dashboard's figures equal registration's own counts; the CSV comes back as a file; bad filters are 422
with their location; another tenant's event is not found; a rebuild is a global admin's and gives the same
numbers."""

from typing import Any

from plenary_kit.testing.api import Api

from .builders import event_with_a_workflow
from .conftest import Tenant

FLAG = "FF_ANALYTICS_DASHBOARD"


def _on(api: Api, *tenants: Tenant) -> None:
    api.ok(
        "PATCH", f"/api/v1/feature-flags/{FLAG}", token=api.admin, json={"enabledForTenants": [t.id for t in tenants]}
    )
    for gateway in range(len(api.gateways)):
        api.until(
            lambda g=gateway: (
                api.request("GET", "/api/v1/analytics/summary", key=tenants[0].key, gateway=g).status_code == 200
            )
        )


def _register(api: Api, tenant: Tenant, ids: dict[str, str], n: int) -> str:
    body = {"participantTypeId": ids["type"], "firstName": f"Analyst{n}", "lastName": "Counted"}
    path = f"/api/v1/events/{ids['event']}/participants"
    return api.until(
        lambda: (r := api.request("POST", path, key=tenant.key, json=body)).status_code == 201 and r.json()["data"],
        timeout=30,
    )["id"]


def _act(api: Api, tenant: Tenant, pid: str, action: str) -> None:
    api.until(lambda: api.request("GET", f"/api/v1/participants/{pid}/workflow", key=tenant.key).status_code == 200)
    api.ok("POST", f"/api/v1/participants/{pid}/{action}", key=tenant.key, json={})


def _owners_counts(api: Api, tenant: Tenant, event: str) -> dict[str, int]:
    path = f"/api/v1/events/{event}/participants"
    return {
        status: api.ok("GET", path, key=tenant.key, params={"status": status, "pageSize": 1})["meta"]["total"]
        for status in ("PENDING", "IN_PROGRESS", "APPROVED", "REJECTED")
    }


def _summary(api: Api, tenant: Tenant, event: str) -> dict[str, Any]:
    return api.ok("GET", "/api/v1/analytics/summary", key=tenant.key, params={"eventId": event})["data"]


def test_the_figures_equal_registration_s_counts_and_a_rebuild_gives_them_again(api: Api, acme: Tenant, globex: Tenant):
    _on(api, acme, globex)
    ids = event_with_a_workflow(api, acme)
    pids = [_register(api, acme, ids, n) for n in range(4)]
    _act(api, acme, pids[0], "approve")  # Review → Badge
    _act(api, acme, pids[0], "approve")  # Badge, the last step: approved
    _act(api, acme, pids[1], "approve")

    def settled() -> dict[str, Any] | None:
        owners, summary = _owners_counts(api, acme, ids["event"]), _summary(api, acme, ids["event"])
        mine = {"PENDING": summary["pending"], "IN_PROGRESS": summary["inProgress"], "REJECTED": summary["rejected"]}
        mine["APPROVED"] = summary["approved"]
        return summary if mine == owners and summary["total"] == 4 else None

    summary = api.until(settled, timeout=30)
    assert summary["approved"] == 1 and summary["pending"] + summary["inProgress"] == 3

    board = api.ok("GET", "/api/v1/analytics/dashboard", key=acme.key)["data"]
    assert {e["eventId"]: e["count"] for e in board["participantsByEvent"]}[ids["event"]] == 4
    csv = api.request("GET", "/api/v1/analytics/dashboard/export", key=acme.key)
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    blocks = csv.text.split("\n\n")
    assert [block.split("\n")[0] for block in blocks] == [
        "Metric,Value", "Status,Count", "Event,Participants", "Date,Registrations,Approvals",
    ]  # fmt: skip

    assert api.request("POST", "/api/v1/analytics/rebuilds", token=acme.admin_token).status_code == 403
    assert api.request("POST", "/api/v1/analytics/rebuilds", key=acme.key).status_code == 401  # no key is global
    started = api.ok("POST", "/api/v1/analytics/rebuilds", 202, token=api.admin)["data"]
    done = api.until(
        lambda: (
            (op := api.ok("GET", f"/api/v1/analytics/rebuilds/{started['id']}", token=api.admin)["data"])["status"]
            != "running"
            and op
        ),
        timeout=60,
    )
    assert done["status"] == "succeeded", done
    assert _summary(api, acme, ids["event"]) == summary


def test_bad_filters_are_422_with_their_location_and_another_tenant_s_event_is_not_found(
    api: Api, acme: Tenant, globex: Tenant
):
    _on(api, acme, globex)
    reversed_dates = api.request(
        "GET", "/api/v1/analytics/summary", key=acme.key, params={"from": "2026-12-02", "to": "2026-12-01"}
    )
    assert reversed_dates.status_code == 422
    assert reversed_dates.headers["content-type"].startswith("application/problem+json")
    month = api.request("GET", "/api/v1/analytics/throughput", key=acme.key, params={"granularity": "month"})
    assert month.status_code == 422
    assert any("granularity" in error["loc"] for error in month.json()["errors"])

    ids = event_with_a_workflow(api, acme)
    api.until(
        lambda: (
            api.request("GET", "/api/v1/analytics/funnel", key=acme.key, params={"eventId": ids["event"]}).status_code
            == 200
        ),
        timeout=30,
    )
    theirs = api.request("GET", "/api/v1/analytics/funnel", key=globex.key, params={"eventId": ids["event"]})
    assert theirs.status_code == 404
