"""Other services' events: workflow's workflows become the event's `expand=workflows`, a deleted
tenant's rows go; and every change here lands in the outbox for the others."""

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from events_svc.adapters.tables import event_workflow, metadata

from plenary_contracts.catalog import events as contract
from plenary_contracts.catalog import identity, workflow
from plenary_contracts.errors import Conflict
from plenary_kit.testing.plugin import eventually

from .conftest import OTHER_TENANT, TENANT, part

T0 = datetime(2026, 3, 1, 12, tzinfo=UTC)


def _workflow(event_id: str, at: datetime, **fields) -> dict:
    return {
        "workflow": {
            "id": "wf-1",
            "tenantId": TENANT,
            "eventId": event_id,
            "name": "Accreditation",
            "status": "DRAFT",
            "createdAt": T0.isoformat(),
            "updatedAt": at.isoformat(),
        }
        | fields
    }


async def _workflows(events, event_id: str) -> list[contract.WorkflowSummary] | None:
    return (await events.call(contract.GET_EVENT, {"id": event_id, "expand": "workflows"})).workflows


async def test_the_events_workflows_follow_workflows_announcements_newest_first(events):
    summit = await events.event()
    await events.publish(workflow.WORKFLOW_CREATED, _workflow(summit.id, T0, participantTypeId="type-del"))
    (created,) = await eventually(lambda: _workflows(events, summit.id))
    assert (created.id, created.status, created.participant_type_id) == ("wf-1", "DRAFT", "type-del")

    await events.publish(workflow.WORKFLOW_UPDATED, _workflow(summit.id, T0 + timedelta(minutes=2), status="PUBLISHED"))
    await events.publish(  # late and older: changes nothing
        workflow.WORKFLOW_UPDATED, _workflow(summit.id, T0 + timedelta(minutes=1), name="Stale")
    )
    await events.publish(
        workflow.WORKFLOW_PUBLISHED,
        {
            "workflowId": "wf-1",
            "eventId": summit.id,
            "name": "Accreditation",
            "versionId": "v1",
            "version": 1,
            "snapshotHash": "h",
            "stepCount": 2,
        },
    )
    await events.publish(workflow.WORKFLOW_CREATED, _workflow(summit.id, T0, id="wf-2", name="Press"))

    async def both() -> list | None:
        seen = await _workflows(events, summit.id)
        return seen if seen and len(seen) == 2 else None

    first, second = await eventually(both)
    assert (first.name, first.status, second.name) == ("Accreditation", "PUBLISHED", "Press")

    await events.publish(workflow.WORKFLOW_DELETED, _workflow(summit.id, T0 + timedelta(minutes=3)))
    await eventually(lambda: _only(events, summit.id, ["wf-2"]))
    await events.publish(  # a replay of an older update does not bring it back
        workflow.WORKFLOW_UPDATED, _workflow(summit.id, T0 + timedelta(minutes=2), status="PUBLISHED")
    )
    await events.publish(workflow.WORKFLOW_DELETED, _workflow(summit.id, T0 + timedelta(minutes=4), id="wf-2"))
    await eventually(lambda: _only(events, summit.id, []))
    rows = await events.scalar(sa.select(sa.func.count()).select_from(event_workflow))
    assert rows == 2  # deletions are kept as such


async def _only(events, event_id: str, ids: list[str]) -> bool:
    return [w.id for w in await _workflows(events, event_id) or []] == ids


async def test_a_deleted_tenant_leaves_no_row_behind_and_other_tenants_keep_theirs(events):
    summit = await events.event()
    await events.call(contract.CREATE_PARTICIPANT_TYPE, {"eventId": summit.id, "name": "Delegate", "code": "DEL"})
    await events.call(contract.CREATE_FIELD_DEFINITION, {"name": "passport", "label": "P", "dataType": "TEXT"})
    series = await events.call(contract.CREATE_SERIES, {"name": "Summits"})
    await events.call(
        contract.ADD_EDITION, {"seriesId": series.id, "eventId": summit.id, "editionNumber": 1, "year": 2026}
    )
    await events.publish(workflow.WORKFLOW_CREATED, _workflow(summit.id, T0))
    await eventually(lambda: _workflows(events, summit.id))
    theirs = await events.event(tenant=OTHER_TENANT)

    await events.publish(identity.TENANT_DELETED, {"tenantId": TENANT}, tenant=None)

    async def purged() -> bool:
        for table in metadata.sorted_tables:
            if "tenant_id" in table.c and table.name != "idempotency_key":
                left = await events.scalar(
                    sa.select(sa.func.count()).select_from(table).where(table.c.tenant_id == TENANT)
                )
                if left:
                    return False
        return True

    await eventually(purged)
    assert (await events.call(contract.GET_EVENT, {"id": theirs.id}, tenant=OTHER_TENANT)).id == theirs.id


async def test_every_change_lands_in_the_outbox(events):
    summit = await events.event()
    other = await events.event("Other")
    updated = await events.call(contract.UPDATE_EVENT, {"id": summit.id, "status": "PUBLISHED"})
    kind = await events.call(contract.CREATE_PARTICIPANT_TYPE, {"eventId": summit.id, "name": "Delegate", "code": "D"})
    await events.call(contract.UPDATE_PARTICIPANT_TYPE, {"eventId": summit.id, "id": kind.id, "name": "Delegates"})
    await events.call(contract.DELETE_PARTICIPANT_TYPE, {"eventId": summit.id, "id": kind.id})
    field = await events.call(contract.CREATE_FIELD_DEFINITION, {"name": "seat", "label": "Seat", "dataType": "TEXT"})
    await events.call(contract.UPDATE_FIELD_DEFINITION, {"id": field.id, "label": "Seat number"})
    await events.call(contract.DELETE_FIELD_DEFINITION, {"id": field.id})
    series = await events.call(contract.CREATE_SERIES, {"name": "Summits"})
    await events.call(contract.UPDATE_SERIES, {"id": series.id, "description": "Yearly"})
    edition = await events.call(
        contract.ADD_EDITION, {"seriesId": series.id, "eventId": summit.id, "editionNumber": 1, "year": 2026}
    )
    await events.call(contract.UPDATE_EDITION, {"seriesId": series.id, "id": edition.id, "hostCity": "Nairobi"})
    await events.call(contract.REMOVE_EDITION, {"seriesId": series.id, "id": edition.id})
    await events.call(contract.DELETE_SERIES, {"id": series.id})
    await events.call(contract.DELETE_EVENT, {"id": other.id})
    workflow_part = await part(events.nc, "workflow")  # refuses its copy: the clone rolls back
    workflow_part.copy = lambda request: Conflict("refused")
    dates = {"startDate": "2027-05-01T09:00:00Z", "endDate": "2027-05-02T09:00:00Z"}
    await events.call(contract.CLONE_EVENT, {"id": summit.id, "targetEventName": "Cloned", **dates})
    failing = {"id": summit.id, "targetEventName": "Not cloned", "elements": {"workflows": True}, **dates}
    await events.call(contract.CLONE_EVENT, failing)

    async def sagas_ended() -> bool:
        return bool(await events.events(contract.EVENT_CLONED)) and bool(await events.events(contract.CLONE_FAILED))

    await eventually(sagas_ended)

    for spec in contract.EVENTS:
        assert len(await events.events(spec)) >= 1, spec.type
    (announced,) = await events.events(contract.EVENT_UPDATED)
    assert contract.Event.model_validate(announced["event"]) == updated

    outbox = events.runtime.spec.messaging.outbox

    async def relayed() -> bool:
        return not await events.scalar(
            sa.select(sa.func.count()).select_from(outbox).where(outbox.c.published_at.is_(None))
        )

    await eventually(relayed)
