"""What the REST tests build over the API before they test: a published event with a participant type,
and a published workflow for it (Review → Badge)."""

import itertools
from datetime import UTC, datetime, timedelta

from plenary_kit.ids import new_id
from plenary_kit.testing.api import Api

from .conftest import Tenant

# each event its own dates: screening's scope spans a tenant's overlapping events, and tests share tenants
_WEEKS_AHEAD = itertools.count(8)


def published_event(api: Api, tenant: Tenant) -> tuple[str, str]:
    """A fresh published event, weeks ahead and overlapping no other built here, and its Delegate
    participant type: (event id, type id)."""
    start = datetime.now(UTC) + timedelta(weeks=next(_WEEKS_AHEAD))
    body = {
        "name": f"Summit {new_id()[:8]}",
        "startDate": start.isoformat(),
        "endDate": (start + timedelta(days=2)).isoformat(),
        "status": "PUBLISHED",
    }
    event = api.ok("POST", "/api/v1/events", 201, key=tenant.key, json=body)["data"]["id"]
    kind = {"name": "Delegate", "code": "DELEGATE"}
    type_id = api.ok("POST", f"/api/v1/events/{event}/participant-types", 201, key=tenant.key, json=kind)["data"]["id"]
    return event, type_id


def event_with_a_workflow(api: Api, tenant: Tenant) -> dict[str, str]:
    """``published_event`` and a published workflow for it, Review (entry) → Badge (terminal): their ids."""
    key = tenant.key
    event, type_id = published_event(api, tenant)
    workflow = api.ok("POST", "/api/v1/workflows", 201, key=key, json={"eventId": event, "name": "Accreditation"})
    wid = workflow["data"]["id"]
    steps = f"/api/v1/workflows/{wid}/steps"
    review = api.ok("POST", steps, 201, key=key, json={"name": "Review", "order": 1, "isEntryPoint": True})["data"]
    badge = api.ok("POST", steps, 201, key=key, json={"name": "Badge", "order": 2, "isTerminal": True})["data"]
    api.ok("PATCH", f"{steps}/{review['id']}", key=key, json={"nextStepId": badge["id"]})
    api.ok("POST", f"/api/v1/workflows/{wid}/publish", key=key)
    return {"event": event, "type": type_id, "workflow": wid, "review": review["id"], "badge": badge["id"]}
