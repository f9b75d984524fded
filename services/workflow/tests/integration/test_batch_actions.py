"""Batch workflow actions over the bus: dry run, execution through the engine in chunks of 20,
before-states and undo."""

import asyncio

import pytest
import sqlalchemy as sa
from workflow_svc.adapters.tables import approval, batch_operation, participant

from plenary_contracts.catalog import workflow as contract
from plenary_contracts.enums import ApprovalAction
from plenary_contracts.errors import BadRequest, FeatureDisabled, NotFound
from plenary_contracts.flags import FlagContext, FlagKey
from plenary_kit.ids import new_id
from plenary_kit.testing.flags import put_flag
from plenary_kit.testing.plugin import eventually

EVENT = "event-1"
VISITOR = "type-visitor"

# intake → review → done; only review can be rejected (back to intake).
FLOW = [
    {"key": "intake", "isEntryPoint": True, "nextStepId": "review"},
    {"key": "review", "nextStepId": "done", "rejectionTargetId": "intake"},
    {"key": "done", "isTerminal": True},
]


async def _registered(workflow, count: int, **fields) -> list[str]:
    """Register ``count`` participants and wait until workflow has every one of them."""
    pids = await asyncio.gather(*(workflow.register(**fields) for _ in range(count)))

    async def all_there() -> bool:
        rows = await workflow.execute(sa.select(sa.func.count()).where(participant.c.id.in_(pids)))
        return rows.scalar_one() == count

    await eventually(all_there, timeout=60)
    return list(pids)


async def _entered(workflow, count: int, step_id: str) -> list[str]:
    pids = await _registered(workflow, count, participantTypeId=VISITOR)

    async def all_entered() -> bool:
        rows = await workflow.execute(
            sa.select(sa.func.count()).where(participant.c.id.in_(pids), participant.c.current_step_id == step_id)
        )
        return rows.scalar_one() == count

    await eventually(all_entered, timeout=60)
    return pids


async def _flag_for_tenants(workflow, key: FlagKey, *tenants: str) -> None:
    await put_flag(workflow.nc, key, tenants=tenants)
    await eventually(lambda: all(workflow.runtime.flags.is_enabled(key, FlagContext(tenant_id=t)) for t in tenants))


def _batch(action: str, pids: list[str], **fields) -> dict:
    return {"eventId": EVENT, "action": action, "participantIds": pids, **fields}


async def test_a_dry_run_says_who_is_eligible_and_why_the_others_are_not_and_changes_nothing(workflow):
    await workflow.flags(FlagKey.BULK_OPERATIONS)
    built = await workflow.build(FLOW, participantTypeId=VISITOR)
    s = built.steps
    at_intake, at_review = await _entered(workflow, 2, s["intake"])
    await workflow.call(contract.TAKE_ACTION[ApprovalAction.APPROVE], {"participantId": at_review})
    (outside,) = await _registered(workflow, 1)  # another type: no workflow of its own, none entered
    unknown = new_id()
    everyone = [at_intake, at_review, outside, unknown]
    versions = {pid: (await workflow.progress(pid)).version for pid in (at_intake, at_review, outside)}

    approve = await workflow.call(contract.DRY_RUN_BATCH_ACTION, _batch("APPROVE", everyone))
    assert approve.eligible == [at_intake, at_review]
    assert [(i.id, i.name, i.reason) for i in approve.ineligible] == [
        (outside, "Ada Lovelace", "No workflow version assigned"),
        (unknown, None, "Participant not found"),
    ]
    assert (approve.counts.total, approve.counts.eligible, approve.counts.ineligible) == (4, 2, 2)

    reject = await workflow.call(contract.DRY_RUN_BATCH_ACTION, _batch("REJECT", [at_intake, at_review]))
    assert reject.eligible == [at_review]
    assert [(i.id, i.reason) for i in reject.ineligible] == [(at_intake, "Current step has no rejection target")]
    bypass = await workflow.call(contract.DRY_RUN_BATCH_ACTION, _batch("BYPASS", [at_intake]))
    assert [i.reason for i in bypass.ineligible] == ["Current step has no bypass target"]
    back = await workflow.call(contract.DRY_RUN_BATCH_ACTION, _batch("RETURN", [at_intake, at_review]))
    assert back.eligible == [at_review]
    assert [i.reason for i in back.ineligible] == ["No earlier step to return to"]

    for pid, version in versions.items():
        assert (await workflow.progress(pid)).version == version
    assert (await workflow.execute(sa.select(sa.func.count()).select_from(batch_operation))).scalar_one() == 0
    assert len((await workflow.execute(sa.select(approval.c.id))).all()) == 1  # the one approval above


async def test_a_hundred_participants_are_approved_in_chunks_of_twenty_each_keeping_its_before_state(workflow):
    await workflow.flags(FlagKey.BULK_OPERATIONS)
    built = await workflow.build(FLOW, participantTypeId=VISITOR)
    s = built.steps
    pids = await _entered(workflow, 100, s["intake"])

    operation = await workflow.call(contract.EXECUTE_BATCH_ACTION, _batch("APPROVE", pids, remarks="Cleared"))

    assert (operation.status, operation.total_items, operation.processed_items) == ("COMPLETED", 100, 100)
    assert (operation.success_count, operation.failure_count) == (100, 0)
    assert operation.undo_deadline is not None
    detail = await workflow.call(contract.GET_BATCH_OPERATION, {"id": operation.id})
    assert [i.participant_id for i in detail.items] == pids
    assert {i.status for i in detail.items} == {"success"}
    assert {(i.previous_state["status"], i.previous_state["currentStepId"]) for i in detail.items} == {
        ("PENDING", s["intake"])
    }
    rows = (await workflow.execute(sa.select(participant).where(participant.c.id.in_(pids)))).all()
    assert {(r.current_step_id, r.status) for r in rows} == {(s["review"], "IN_PROGRESS")}

    approved = await workflow.events(contract.PARTICIPANT_APPROVED)
    assert sorted(a["participantId"] for a in approved) == sorted(pids)
    assert {(a["batchId"], a["remarks"]) for a in approved} == {(operation.id, "Cleared")}
    (started,) = await workflow.events(contract.BATCH_STARTED)
    assert started["operation"]["processedItems"] == 0 and started["operation"]["status"] == "PROCESSING"
    progressed = await workflow.events(contract.BATCH_PROGRESSED)
    assert [p["operation"]["processedItems"] for p in progressed] == [20, 40, 60, 80, 100]
    (completed,) = await workflow.events(contract.BATCH_COMPLETED)
    assert completed["operation"]["status"] == "COMPLETED" and completed["operation"]["successCount"] == 100
    metadata = await workflow.execute(sa.select(approval.c.metadata).where(approval.c.participant_id == pids[0]))
    assert metadata.scalar_one()["batchId"] == operation.id


async def test_participants_the_engine_refuses_fail_alone_while_the_rest_succeed(workflow):
    await workflow.flags(FlagKey.BULK_OPERATIONS)
    built = await workflow.build(FLOW, participantTypeId=VISITOR)
    s = built.steps
    stays, *movers = await _entered(workflow, 3, s["intake"])
    for pid in movers:
        await workflow.call(contract.TAKE_ACTION[ApprovalAction.APPROVE], {"participantId": pid})
    before = await workflow.progress(stays)
    unknown = new_id()

    operation = await workflow.call(contract.EXECUTE_BATCH_ACTION, _batch("REJECT", [stays, *movers, unknown]))

    assert (operation.status, operation.success_count, operation.failure_count) == ("COMPLETED", 2, 2)
    items = {
        i.participant_id: i for i in (await workflow.call(contract.GET_BATCH_OPERATION, {"id": operation.id})).items
    }
    assert (items[stays].status, items[stays].error) == (
        "error",
        'No target step configured for action "REJECT" on step "intake"',
    )
    assert (items[unknown].status, items[unknown].error, items[unknown].previous_state) == (
        "error",
        "Participant not found",
        None,
    )
    for pid in movers:
        assert items[pid].status == "success" and items[pid].previous_state["currentStepId"] == s["review"]
        assert (await workflow.progress(pid)).current_step_id == s["intake"]
    assert (await workflow.progress(stays)).version == before.version
    assert len(await workflow.events(contract.PARTICIPANT_REJECTED)) == 2


async def test_a_batch_where_everything_fails_is_failed_and_cannot_be_undone(workflow):
    await workflow.flags(FlagKey.BULK_OPERATIONS)
    await workflow.build(FLOW, participantTypeId=VISITOR)
    operation = await workflow.call(contract.EXECUTE_BATCH_ACTION, _batch("APPROVE", [new_id(), new_id()]))
    assert (operation.status, operation.success_count, operation.failure_count) == ("FAILED", 0, 2)
    with pytest.raises(BadRequest, match="only a completed batch action can be undone"):
        await workflow.call(contract.UNDO_BATCH_OPERATION, {"id": operation.id})


async def test_undo_puts_every_participant_back_with_its_reviewer_and_a_second_undo_is_refused(workflow):
    await workflow.flags(FlagKey.BULK_OPERATIONS, FlagKey.STEP_ASSIGNMENT)
    built = await workflow.build(FLOW, participantTypeId=VISITOR)
    s = built.steps
    await workflow.call(
        contract.ASSIGN_STEP, {"stepId": s["intake"], "userId": "reviewer-1", "strategy": "ROUND_ROBIN"}
    )
    pids = await _entered(workflow, 3, s["intake"])

    async def all_assigned() -> bool:
        return len(await workflow.events(contract.PARTICIPANT_ASSIGNED)) == 3

    await eventually(all_assigned, timeout=20)
    operation = await workflow.call(contract.EXECUTE_BATCH_ACTION, _batch("APPROVE", pids))

    undone = await workflow.call(contract.UNDO_BATCH_OPERATION, {"id": operation.id})

    assert undone.status == "ROLLED_BACK" and undone.undone_at is not None
    for pid in pids:
        seen = await workflow.progress(pid)
        assert (seen.current_step_id, seen.status, seen.assignee_id) == (s["intake"], "PENDING", "reviewer-1")
    detail = await workflow.call(contract.GET_BATCH_OPERATION, {"id": operation.id})
    assert {i.status for i in detail.items} == {"undone"}
    returned = await workflow.events(contract.PARTICIPANT_RETURNED)
    assert sorted(r["participantId"] for r in returned) == sorted(pids)
    assert {(r["previousStepId"], r["nextStepId"], r["stepName"]) for r in returned} == {
        (s["review"], s["intake"], "review")
    }
    (event,) = await workflow.events(contract.BATCH_UNDONE)
    assert event["operation"]["status"] == "ROLLED_BACK"

    with pytest.raises(BadRequest, match="already undone"):
        await workflow.call(contract.UNDO_BATCH_OPERATION, {"id": operation.id})
    # What undo restored can be acted on again as usual.
    again = await workflow.call(contract.TAKE_ACTION[ApprovalAction.APPROVE], {"participantId": pids[0]})
    assert again.next_step_id == s["review"]


async def test_undo_leaves_a_participant_that_changed_after_the_batch_and_restores_the_others(workflow):
    await workflow.flags(FlagKey.BULK_OPERATIONS)
    built = await workflow.build(FLOW, participantTypeId=VISITOR)
    s = built.steps
    kept, moved_on = await _entered(workflow, 2, s["intake"])
    operation = await workflow.call(contract.EXECUTE_BATCH_ACTION, _batch("APPROVE", [kept, moved_on]))
    await workflow.call(contract.TAKE_ACTION[ApprovalAction.APPROVE], {"participantId": moved_on})

    await workflow.call(contract.UNDO_BATCH_OPERATION, {"id": operation.id})

    assert (await workflow.progress(kept)).current_step_id == s["intake"]
    after = await workflow.progress(moved_on)
    assert (after.current_step_id, after.status) == (s["done"], "IN_PROGRESS")
    items = {
        i.participant_id: i for i in (await workflow.call(contract.GET_BATCH_OPERATION, {"id": operation.id})).items
    }
    assert items[kept].status == "undone"
    assert (items[moved_on].status, items[moved_on].error) == (
        "undo_failed",
        "the participant changed after the batch action; not restored",
    )


async def test_a_batch_on_a_made_up_or_another_tenants_event_is_not_found(workflow):
    await _flag_for_tenants(workflow, FlagKey.BULK_OPERATIONS, "tenant-a", "tenant-b")
    await workflow.build(FLOW, participantTypeId=VISITOR)
    pid = (await _registered(workflow, 1, participantTypeId=VISITOR))[0]

    for event_id, tenant in (("event-made-up", "tenant-a"), (EVENT, "tenant-b")):
        request = {**_batch("APPROVE", [pid]), "eventId": event_id}
        for spec in (contract.DRY_RUN_BATCH_ACTION, contract.EXECUTE_BATCH_ACTION):
            with pytest.raises(NotFound, match=f"event {event_id} not found"):
                await workflow.call(spec, request, tenant=tenant)
    assert await workflow.events(contract.BATCH_STARTED) == []


async def test_batch_actions_are_refused_while_bulk_operations_are_off_and_are_per_tenant(workflow):
    with pytest.raises(FeatureDisabled):
        await workflow.call(contract.DRY_RUN_BATCH_ACTION, _batch("APPROVE", [new_id()]))
    with pytest.raises(FeatureDisabled):
        await workflow.call(contract.EXECUTE_BATCH_ACTION, _batch("APPROVE", [new_id()]))

    await _flag_for_tenants(workflow, FlagKey.BULK_OPERATIONS, "tenant-a", "tenant-b")
    built = await workflow.build(FLOW, participantTypeId=VISITOR)
    (pid,) = await _entered(workflow, 1, built.steps["intake"])
    await workflow.build(FLOW, event_id="event-b", tenant="tenant-b")
    asked = {**_batch("APPROVE", [pid]), "eventId": "event-b"}
    theirs = await workflow.call(contract.DRY_RUN_BATCH_ACTION, asked, tenant="tenant-b")
    assert [(i.id, i.reason) for i in theirs.ineligible] == [(pid, "Participant not found")]
    operation = await workflow.call(contract.EXECUTE_BATCH_ACTION, _batch("APPROVE", [pid]))
    with pytest.raises(NotFound):
        await workflow.call(contract.GET_BATCH_OPERATION, {"id": operation.id}, tenant="tenant-b")
    with pytest.raises(NotFound):
        await workflow.call(contract.UNDO_BATCH_OPERATION, {"id": operation.id}, tenant="tenant-b")
