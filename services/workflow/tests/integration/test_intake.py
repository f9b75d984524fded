"""What other services' events do to workflow, through the real bus: registration's participant events
enter participants and keep the read model; event, merge and tenant deletions cascade."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from workflow_svc.adapters.tables import metadata, parallel_branch, participant, participant_assignment
from workflow_svc.adapters.tables import workflow as workflow_table

from plenary_contracts.catalog import events, identity, registration
from plenary_contracts.catalog import workflow as contract
from plenary_contracts.enums import ApprovalAction
from plenary_contracts.errors import BadRequest, NotFound
from plenary_contracts.flags import FlagKey
from plenary_contracts.streams import event_stream_name
from plenary_kit.ids import new_id
from plenary_kit.testing.plugin import eventually

TENANT, OTHER_TENANT = "tenant-a", "tenant-b"
EVENT = "event-1"
DELEGATE, PRESS = "type-delegate", "type-press"

FLOW = [
    {"key": "desk", "isEntryPoint": True, "nextStepId": "done"},
    {"key": "done", "isTerminal": True},
]


def _record(**fields: Any) -> dict[str, Any]:
    now = datetime.now(UTC)
    return {
        "id": new_id(),
        "tenantId": TENANT,
        "eventId": EVENT,
        "participantTypeId": DELEGATE,
        "registrationCode": f"REG-{new_id()[:8]}",
        "firstName": "Grace",
        "lastName": "Hopper",
        "createdAt": now.isoformat(),
        "updatedAt": now.isoformat(),
        **fields,
    }


async def _register(workflow, **fields: Any) -> dict[str, Any]:
    record = _record(**fields)
    await workflow.publish(registration.PARTICIPANT_REGISTERED, {"participant": record}, tenant=record["tenantId"])
    return record


async def _known(workflow, pid: str, *, tenant: str = TENANT, entered: bool = True) -> contract.ParticipantProgress:
    """The participant's progress once registration's event is consumed (and, by default, it entered)."""

    async def there() -> contract.ParticipantProgress | None:
        try:
            seen = await workflow.progress(pid, tenant=tenant)
        except NotFound:
            return None
        return seen if seen.current_step_id or not entered else None

    return await eventually(there, timeout=20)


async def _gone(workflow, pid: str, *, tenant: str = TENANT) -> None:
    async def not_found() -> bool:
        try:
            await workflow.progress(pid, tenant=tenant)
        except NotFound:
            return True
        return False

    await eventually(not_found, timeout=20)


async def _consumed(workflow, stream: str, durable: str) -> None:
    """Every message of the stream was handled (and acked) by the consumer."""
    js = workflow.nc.jetstream()

    async def caught_up() -> bool:
        info = await js.consumer_info(stream, durable)
        last = (await js.stream_info(stream)).state.last_seq
        return info.delivered.stream_seq == last and info.num_pending == 0 and info.num_ack_pending == 0

    await eventually(caught_up, timeout=20)


# --- entering ------------------------------------------------------------------------------------


async def test_a_registration_enters_the_workflow_it_names(workflow):
    await workflow.build(FLOW)
    named = await workflow.build(FLOW, participantTypeId=PRESS)
    record = await _register(workflow, workflowId=named.workflow_id)

    seen = await _known(workflow, record["id"])

    assert (seen.workflow_id, seen.workflow_version_id) == (named.workflow_id, named.version_id)
    assert (seen.current_step_id, seen.status, seen.version) == (named.steps["desk"], "PENDING", 1)
    (entered,) = await workflow.events(contract.PARTICIPANT_ENTERED)
    assert (entered["participantId"], entered["workflowId"], entered["stepName"]) == (
        record["id"],
        named.workflow_id,
        "desk",
    )


async def test_the_workflow_for_the_participants_type_wins_over_the_events_default(workflow):
    default = await workflow.build(FLOW)  # older than the typed one: age does not decide
    delegates = await workflow.build(FLOW, participantTypeId=DELEGATE)
    delegate = await _register(workflow)
    journalist = await _register(workflow, participantTypeId=PRESS)

    assert (await _known(workflow, delegate["id"])).workflow_id == delegates.workflow_id
    assert (await _known(workflow, journalist["id"])).workflow_id == default.workflow_id


async def test_a_participant_without_a_published_workflow_is_kept_but_not_entered(workflow):
    await workflow.call(contract.CREATE_WORKFLOW, {"eventId": EVENT, "name": "Still a draft"})
    record = await _register(workflow, organization="ACME")

    seen = await _known(workflow, record["id"], entered=False)

    assert (seen.workflow_id, seen.current_step_id, seen.status) == (None, None, "PENDING")
    assert seen.name == "Grace Hopper" and seen.registration_code == record["registrationCode"]
    assert await workflow.events(contract.PARTICIPANT_ENTERED) == []
    with pytest.raises(BadRequest):
        await workflow.call(contract.TAKE_ACTION[ApprovalAction.APPROVE], {"participantId": record["id"]})


async def test_the_same_registration_delivered_twice_enters_once(workflow):
    await workflow.build(FLOW)
    record = _record()
    event = await workflow.publish(registration.PARTICIPANT_REGISTERED, {"participant": record})
    # The same CloudEvent again, as a redelivery past JetStream's duplicate window: only its id is the same.
    headers = {k: v for k, v in event.to_nats_headers().items() if k != "Nats-Msg-Id"}
    await workflow.nc.jetstream().publish(
        registration.PARTICIPANT_REGISTERED.subject, event.to_nats_payload(), headers=headers, timeout=5
    )
    await _consumed(workflow, event_stream_name("registration"), "workflow_participant_intake")
    stored = await workflow.nc.jetstream().stream_info(event_stream_name("registration"))
    assert stored.state.messages == 2  # both copies reached the consumer; its inbox dropped the second

    seen = await _known(workflow, record["id"])
    assert seen.version == 1
    assert len(await workflow.events(contract.PARTICIPANT_ENTERED)) == 1
    assert len(await workflow.events(contract.PARTICIPANT_STEP_ENTERED)) == 1


# --- keeping the read model ----------------------------------------------------------------------


async def _held(workflow, pid: str) -> Any:
    return (await workflow.execute(sa.select(participant).where(participant.c.id == pid))).one()


async def test_an_update_refreshes_the_data_conditions_read_and_an_older_one_is_ignored(workflow):
    await workflow.build(FLOW)
    record = await _register(workflow, organization="ACME", extras={"passportNumber": "P1"})
    entered = await _known(workflow, record["id"])
    registered_at = datetime.fromisoformat(record["updatedAt"])

    newer = {**record, "organization": "Initech", "extras": {"passportNumber": "P2"}}
    newer["updatedAt"] = (registered_at + timedelta(seconds=10)).isoformat()
    older = {**record, "organization": "Stale Corp", "lastName": "Stale"}
    older["updatedAt"] = (registered_at + timedelta(seconds=5)).isoformat()
    await workflow.publish(registration.PARTICIPANT_UPDATED, {"participant": newer})
    await workflow.publish(registration.PARTICIPANT_UPDATED, {"participant": older})
    await _consumed(workflow, event_stream_name("registration"), "workflow_participant_intake")

    held = await _held(workflow, record["id"])
    assert (held.organization, held.extras, held.last_name) == ("Initech", {"passportNumber": "P2"}, "Hopper")
    after = await workflow.progress(record["id"])
    assert (after.current_step_id, after.version) == (entered.current_step_id, entered.version)


async def test_a_cancellation_from_registration_closes_the_progress(workflow):
    await workflow.flags(FlagKey.STEP_ASSIGNMENT)
    built = await workflow.build(FLOW)
    await workflow.call(
        contract.ASSIGN_STEP, {"stepId": built.steps["desk"], "userId": "reviewer-1", "strategy": "ROUND_ROBIN"}
    )
    record = await _register(workflow)
    await _known(workflow, record["id"])

    async def assigned() -> bool:
        return (await workflow.progress(record["id"])).assignee_id == "reviewer-1"

    await eventually(assigned, timeout=20)
    cancelled = {**record, "status": "CANCELLED"}
    cancelled["updatedAt"] = (datetime.fromisoformat(record["updatedAt"]) + timedelta(seconds=1)).isoformat()
    await workflow.publish(registration.PARTICIPANT_UPDATED, {"participant": cancelled})

    async def closed() -> contract.ParticipantProgress | None:
        seen = await workflow.progress(record["id"])
        return seen if seen.status == "CANCELLED" else None

    seen = await eventually(closed, timeout=20)
    assert (seen.current_step_id, seen.assignee_id) == (built.steps["desk"], None)
    with pytest.raises(BadRequest, match="cancelled"):
        await workflow.call(contract.TAKE_ACTION[ApprovalAction.APPROVE], {"participantId": record["id"]})


async def test_a_deleted_participant_has_no_progress_any_more_but_another_tenant_cannot_delete_it(workflow):
    await workflow.build(FLOW)
    record = await _register(workflow)
    await _known(workflow, record["id"])
    deleted = {"participantId": record["id"], "eventId": EVENT}

    await workflow.publish(registration.PARTICIPANT_DELETED, deleted, tenant=OTHER_TENANT)
    await _consumed(workflow, event_stream_name("registration"), "workflow_participant_intake")
    assert (await workflow.progress(record["id"])).status == "PENDING"

    await workflow.publish(registration.PARTICIPANT_DELETED, {"participantId": record["id"], "eventId": EVENT})

    await _gone(workflow, record["id"])
    with pytest.raises(NotFound):
        await workflow.call(contract.TAKE_ACTION[ApprovalAction.APPROVE], {"participantId": record["id"]})


# --- cascades ------------------------------------------------------------------------------------

MERGE_FLOW = [
    {"key": "desk", "isEntryPoint": True, "nextStepId": "checks"},
    {
        "key": "checks",
        "stepType": "FORK",
        "config": {"branches": [{"branchStepId": "security"}, {"branchStepId": "protocol"}], "joinStepId": "join"},
    },
    {"key": "security"},
    {"key": "protocol"},
    {"key": "join", "stepType": "JOIN", "nextStepId": "done", "config": {"strategy": "ALL"}},
    {"key": "done", "isTerminal": True},
]


async def test_a_merge_re_points_the_merged_participants_approvals_branches_and_assignments(workflow):
    await workflow.flags(FlagKey.PARALLEL_WORKFLOWS, FlagKey.STEP_ASSIGNMENT)
    built = await workflow.build(MERGE_FLOW)
    desk = built.steps["desk"]
    await workflow.call(contract.ASSIGN_STEP, {"stepId": desk, "userId": "reviewer-1", "strategy": "ROUND_ROBIN"})
    survivor, duplicate = (await _register(workflow))["id"], (await _register(workflow))["id"]
    for pid in (survivor, duplicate):
        await _known(workflow, pid)

    async def both_assigned() -> bool:
        return len(await workflow.events(contract.PARTICIPANT_ASSIGNED)) == 2

    await eventually(both_assigned, timeout=20)
    acted = await workflow.call(contract.TAKE_ACTION[ApprovalAction.APPROVE], {"participantId": duplicate})
    assert acted.next_step_id == built.steps["checks"]

    await workflow.publish(
        registration.PARTICIPANT_MERGED, {"survivorId": survivor, "mergedIds": [duplicate], "eventId": EVENT}
    )

    await _gone(workflow, duplicate)
    approvals = (await workflow.call(contract.LIST_APPROVALS, {"participantId": survivor})).data
    assert [a.id for a in approvals] == [acted.approval_id]
    branches = (
        await workflow.execute(
            sa.select(parallel_branch.c.participant_id, parallel_branch.c.status, parallel_branch.c.archived_at)
        )
    ).all()
    assert {(b.participant_id, b.status) for b in branches} == {(survivor, "CANCELLED")} and len(branches) == 2
    assert all(b.archived_at is not None for b in branches)
    assignments = (
        await workflow.execute(sa.select(participant_assignment.c.participant_id, participant_assignment.c.is_active))
    ).all()
    assert sorted((a.participant_id, a.is_active) for a in assignments) == [(survivor, False), (survivor, True)]
    kept = await workflow.progress(survivor)
    assert (kept.current_step_id, kept.assignee_id, kept.branches) == (desk, "reviewer-1", [])


async def test_a_deleted_event_retires_its_workflows_and_participants(workflow):
    doomed = await workflow.build(FLOW)
    spared = await workflow.build(FLOW, event_id="event-2")
    gone = (await _register(workflow))["id"]
    stays = (await _register(workflow, eventId="event-2"))["id"]
    for pid in (gone, stays):
        await _known(workflow, pid)

    await workflow.publish(events.EVENT_DELETED, {"eventId": EVENT})

    await _gone(workflow, gone)
    deleted = dict((await workflow.execute(sa.select(workflow_table.c.id, workflow_table.c.deleted_at))).all())
    assert deleted[doomed.workflow_id] is not None and deleted[spared.workflow_id] is None
    assert (await workflow.progress(stays)).current_step_id == spared.steps["desk"]


async def test_a_deleted_tenant_is_purged_and_other_tenants_keep_their_rows(workflow):
    for tenant, event_id in ((TENANT, EVENT), (OTHER_TENANT, "event-b")):
        await workflow.build(FLOW, tenant=tenant, event_id=event_id)
    ours = (await _register(workflow))["id"]
    theirs = (await _register(workflow, tenantId=OTHER_TENANT, eventId="event-b"))["id"]
    for pid, tenant in ((ours, TENANT), (theirs, OTHER_TENANT)):
        await _known(workflow, pid, tenant=tenant)
        await workflow.call(contract.TAKE_ACTION[ApprovalAction.APPROVE], {"participantId": pid}, tenant=tenant)

    await workflow.publish(identity.TENANT_DELETED, {"tenantId": TENANT})

    await _gone(workflow, ours)
    tenant_tables = [t for t in metadata.sorted_tables if "tenant_id" in t.c and t.name not in ("outbox", "inbox")]
    for table in tenant_tables:
        left = await workflow.execute(sa.select(sa.func.count()).select_from(table).where(table.c.tenant_id == TENANT))
        assert left.scalar_one() == 0, table.name
    kept = {}
    for table in tenant_tables:
        rows = await workflow.execute(
            sa.select(sa.func.count()).select_from(table).where(table.c.tenant_id == OTHER_TENANT)
        )
        kept[table.name] = rows.scalar_one()
    assert kept["workflow"] == 1 and kept["workflow_version"] == 1 and kept["step"] == 2
    assert kept["participant"] == 1 and kept["approval"] == 1
    after = await workflow.progress(theirs, tenant=OTHER_TENANT)
    assert after.current_step_id is not None and after.status == "IN_PROGRESS"
