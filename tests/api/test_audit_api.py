"""The auditor's log through the gateway: a tenant reads its own events as the streams hold them, filtered by
entity, and traces who handled one; another tenant's events never appear and its event ids are 404s."""

from plenary_kit.testing.api import Api

from .builders import published_event
from .conftest import Tenant

EVENTS = "/api/v1/audit/events"


def _log(api: Api, tenant: Tenant, **params: str) -> list[dict]:
    return api.ok("GET", EVENTS, key=tenant.key, params=params)["data"]


def test_a_tenant_reads_its_own_events_and_never_another_tenants(api: Api, acme: Tenant, globex: Tenant):
    ours, _ = published_event(api, acme)
    theirs, _ = published_event(api, globex)
    about_ours = api.until(lambda: _log(api, acme, entityId=ours))
    created = next(e["event"] for e in about_ours if e["event"]["type"] == "plenary.events.event.created.v1")
    assert created["tenantid"] == acme.id and created["data"]["event"]["id"] == ours
    assert set(created) >= {"id", "source", "type", "specversion", "time", "actorid", "data", "datacontenttype"}
    api.until(lambda: _log(api, globex, entityId=theirs))

    assert _log(api, globex, entityId=ours) == []
    everything_of_globex = _log(api, globex, limit="500")
    assert everything_of_globex and {e["event"]["tenantid"] for e in everything_of_globex} == {globex.id}

    trace = api.ok("GET", f"{EVENTS}/{created['id']}/trace", key=acme.key)["data"]
    assert trace["event"]["event"] == created and "audit" in trace["answered"]
    assert api.request("GET", f"{EVENTS}/{created['id']}/trace", key=globex.key).status_code == 404


def test_a_window_wider_than_a_month_is_a_422_on_from(api: Api, acme: Tenant):
    response = api.request(
        "GET", EVENTS, key=acme.key, params={"from": "2026-01-01T00:00:00Z", "to": "2026-03-01T00:00:00Z"}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["query", "from"]
