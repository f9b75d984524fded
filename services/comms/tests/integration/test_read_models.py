"""comms' copies of other services' records: kept in order, merged, deleted, purged with their tenant."""

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from comms_svc.adapters import tables

from plenary_contracts.catalog import comms as contract
from plenary_contracts.catalog import events as events_contract
from plenary_contracts.catalog import identity, registration, workflow

from .conftest import TENANT, eventually

P = tables.participant.c
D = tables.message_delivery.c


async def _first_name(comms, participant_id):
    return await comms.scalar(sa.select(P.first_name).where(P.id == participant_id))


async def test_an_older_participant_update_never_overwrites_a_newer_one(comms):
    event = await comms.seed_event()
    record = await comms.register(event, extras={"diet": "vegan", "delegationId": "d9"})
    assert await comms.scalar(sa.select(P.delegation_id).where(P.id == record["id"])) == "d9"
    newer = {**record, "firstName": "Newer", "updatedAt": (datetime.now(UTC) + timedelta(minutes=2)).isoformat()}
    older = {**record, "firstName": "Older", "updatedAt": (datetime.now(UTC) + timedelta(minutes=1)).isoformat()}
    await comms.publish(registration.PARTICIPANT_UPDATED, {"participant": newer})
    await comms.publish(registration.PARTICIPANT_UPDATED, {"participant": older})

    async def newest() -> bool:
        return await _first_name(comms, record["id"]) == "Newer"

    await eventually(newest, timeout=20)
    marker = {**record, "id": "marker", "updatedAt": datetime.now(UTC).isoformat()}
    await comms.publish(registration.PARTICIPANT_REGISTERED, {"participant": marker})
    await comms.holds(tables.participant, "marker")  # the older update was handled before it
    assert await _first_name(comms, record["id"]) == "Newer"


async def test_a_merge_points_deliveries_to_the_survivor_without_messaging_anyone_twice(comms):
    event = await comms.seed_event()
    survivor, merged, other = await comms.populate(event, 3)
    first = await comms.call(contract.CREATE_BROADCAST, {"eventId": event.id, "channel": "EMAIL", "body": "x"})
    only_merged = await comms.call(contract.CREATE_BROADCAST, {"eventId": event.id, "channel": "EMAIL", "body": "y"})
    rows = [
        {"id": "d1", "broadcast_id": first.id, "participant_id": survivor["id"]},
        {"id": "d2", "broadcast_id": first.id, "participant_id": merged["id"]},
        {"id": "d3", "broadcast_id": only_merged.id, "participant_id": merged["id"]},
        {"id": "d4", "broadcast_id": first.id, "participant_id": other["id"]},
    ]
    for row in rows:
        row.update(tenant_id=TENANT, channel="EMAIL", recipient="x@example.org", status="SENT")
    await comms.execute(sa.insert(tables.message_delivery), rows)
    payload = {"survivorId": survivor["id"], "mergedIds": [merged["id"]], "eventId": event.id}
    await comms.publish(registration.PARTICIPANT_MERGED, payload)

    async def merged_away() -> bool:
        return await comms.count(tables.participant, P.id == merged["id"]) == 0

    await eventually(merged_away, timeout=20)
    held = dict((await comms.execute(sa.select(D.id, D.participant_id).order_by(D.id))).all())
    assert held == {"d1": survivor["id"], "d3": survivor["id"], "d4": other["id"]}


async def test_a_deleted_participant_takes_its_deliveries_and_a_deleted_event_leaves_history(comms):
    event = await comms.seed_event()
    record = await comms.register(event)
    draft = await comms.call(contract.CREATE_BROADCAST, {"eventId": event.id, "channel": "EMAIL", "body": "x"})
    await comms.call(contract.SEND_BROADCAST, {"id": draft.id})
    await comms.settled(draft.id)
    await comms.publish(registration.PARTICIPANT_DELETED, {"participantId": record["id"], "eventId": event.id})

    async def gone() -> bool:
        return await comms.count(tables.message_delivery, D.participant_id == record["id"]) == 0

    await eventually(gone, timeout=20)
    await comms.publish(events_contract.EVENT_DELETED, {"eventId": event.id})

    async def event_gone() -> bool:
        return await comms.count(tables.event, tables.event.c.id == event.id) == 0

    await eventually(event_gone, timeout=20)
    kept = await comms.call(contract.GET_BROADCAST, {"id": draft.id})
    assert (kept.status, kept.event_id, kept.sent_count) == ("SENT", None, 1)


async def test_a_deleted_tenant_loses_every_row(comms):
    event = await comms.seed_event()
    await comms.populate(event, 2)
    await comms.call(contract.CREATE_TEMPLATE, {"name": "T", "channel": "EMAIL", "body": "x"})
    await comms.add_user()
    await comms.publish(identity.TENANT_DELETED, {"tenantId": TENANT})

    async def purged() -> bool:
        counts = [
            await comms.count(table, table.c.tenant_id == TENANT)
            for table in (tables.participant, tables.event, tables.message_template, tables.recipient_user)
        ]
        return counts == [0, 0, 0, 0]

    await eventually(purged, timeout=20)


def _acted(record: dict, status: str, version: int) -> dict:
    return {
        "participantId": record["id"], "participantName": "Ada", "registrationCode": record["registrationCode"],
        "eventId": record["eventId"], "workflowId": "wf", "workflowVersionId": "wfv", "action": "APPROVE",
        "stepId": "review", "stepName": "Review", "previousStepId": "review", "nextStepId": None, "isComplete": True,
        "previousStatus": "PENDING", "status": status, "approvalId": f"a{version}", "version": version,
    }  # fmt: skip


async def test_workflows_decision_sets_the_status_an_audience_filters_on_and_an_older_one_never_undoes_it(comms):
    event = await comms.seed_event()
    record = await comms.register(event, status="PENDING")

    await comms.publish(workflow.PARTICIPANT_STATUS_CHANGED, _acted(record, "APPROVED", 2))

    await eventually(lambda: _held(comms, record["id"], (record["email"], "APPROVED")), timeout=20)
    # registration's record of an earlier decision, changed later (a new e-mail), keeps the newer status
    later = {**record, "email": "new@example.org", "progressVersion": 1, "updatedAt": datetime.now(UTC).isoformat()}
    await comms.publish(registration.PARTICIPANT_UPDATED, {"participant": later})
    await comms.publish(workflow.PARTICIPANT_STATUS_CHANGED, _acted(record, "PENDING", 1))
    await eventually(lambda: _held(comms, record["id"], ("new@example.org", "APPROVED")), timeout=20)
    await comms.publish(workflow.PARTICIPANT_STATUS_CHANGED, _acted(record, "REJECTED", 3))
    await eventually(lambda: _held(comms, record["id"], ("new@example.org", "REJECTED")), timeout=20)


async def _held(comms, participant_id: str, expected: tuple[str, str]) -> bool:  # type: ignore[no-untyped-def]
    async with comms.runtime.engine.connect() as conn:
        row = (await conn.execute(sa.select(P.email, P.status).where(P.id == participant_id))).first()
    return row is not None and tuple(row) == expected
