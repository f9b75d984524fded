"""A participant finishes by the action at its terminal step, and a finished participant stays finished:
every later action is a 409 with the current state, until a RETURN on the participant reopens it."""

import asyncio
from collections import Counter

import pytest
import sqlalchemy as sa
from workflow_svc.adapters.tables import approval

from plenary_contracts.catalog import workflow as contract
from plenary_contracts.enums import ApprovalAction
from plenary_contracts.errors import Conflict
from plenary_contracts.flags import FlagKey

from .conftest import EVENT

TWO_STEPS = [
    {"key": "review", "isEntryPoint": True, "nextStepId": "badge"},
    {"key": "badge", "stepType": "PRINT", "isTerminal": True},
]


async def _act(workflow, action: ApprovalAction, pid: str, **fields) -> contract.ActionResult:
    return await workflow.call(contract.TAKE_ACTION[action], {"participantId": pid, **fields})


async def _refused(workflow, action: ApprovalAction, pid: str) -> Conflict:
    with pytest.raises(Conflict) as info:
        await _act(workflow, action, pid)
    return info.value


async def _approvals(workflow, pid: str) -> int:
    return await workflow.scalar(sa.select(sa.func.count()).where(approval.c.participant_id == pid))


async def _event_counts(workflow) -> Counter[str]:
    kinds = (
        contract.PARTICIPANT_APPROVED,
        contract.PARTICIPANT_REJECTED,
        contract.PARTICIPANT_PRINTED,
        contract.PARTICIPANT_STATUS_CHANGED,
        contract.PARTICIPANT_COMPLETED,
    )
    return Counter({spec.subject: len(await workflow.events(spec)) for spec in kinds})


async def _at_badge(workflow) -> tuple[str, dict[str, str]]:
    built = await workflow.build(TWO_STEPS)
    pid = await workflow.register()
    await workflow.at(pid, built.steps["review"])
    await _act(workflow, ApprovalAction.APPROVE, pid)
    return pid, built.steps


async def test_arriving_at_the_terminal_step_leaves_the_participant_in_progress_until_its_action(workflow):
    pid, _ = await _at_badge(workflow)
    arrived = await workflow.progress(pid)
    assert arrived.status == "IN_PROGRESS"
    assert await workflow.events(contract.PARTICIPANT_COMPLETED) == []


async def test_print_at_the_terminal_step_completes_the_participant_as_printed(workflow):
    pid, steps = await _at_badge(workflow)
    printed = await _act(workflow, ApprovalAction.PRINT, pid)
    assert (printed.status, printed.is_complete, printed.next_step_id) == ("PRINTED", True, None)
    assert (await workflow.progress(pid)).status == "PRINTED"
    (event,) = await workflow.events(contract.PARTICIPANT_PRINTED)
    assert (event["stepId"], event["status"], event["isComplete"]) == (steps["badge"], "PRINTED", True)
    assert len(await workflow.events(contract.PARTICIPANT_COMPLETED)) == 1


async def test_a_finished_participant_refuses_approve_and_reject_with_its_current_state(workflow):
    pid, steps = await _at_badge(workflow)
    await _act(workflow, ApprovalAction.APPROVE, pid)
    finished = await workflow.progress(pid)
    before = (await _approvals(workflow, pid), await _event_counts(workflow))

    for action in (ApprovalAction.APPROVE, ApprovalAction.REJECT, ApprovalAction.PRINT):
        refused = await _refused(workflow, action, pid)
        assert "finished its workflow (APPROVED)" in refused.message
        current = refused.details["current"]
        assert (current["status"], current["currentStepId"], current["version"]) == (
            "APPROVED",
            steps["badge"],
            finished.version,
        )

    assert (await _approvals(workflow, pid), await _event_counts(workflow)) == before
    assert (await workflow.progress(pid)).status == "APPROVED"


async def test_fifty_concurrent_approvals_of_a_finished_participant_are_all_refused(workflow):
    pid, _ = await _at_badge(workflow)
    await _act(workflow, ApprovalAction.APPROVE, pid)
    finished = await workflow.progress(pid)
    before = (await _approvals(workflow, pid), await _event_counts(workflow))

    async def approve() -> str:
        try:
            await _act(workflow, ApprovalAction.APPROVE, pid)
            return "ok"
        except Conflict:
            return "conflict"

    outcomes = Counter(await asyncio.gather(*(approve() for _ in range(50))))
    assert outcomes == {"conflict": 50}
    assert (await _approvals(workflow, pid), await _event_counts(workflow)) == before
    assert (await workflow.progress(pid)).version == finished.version


async def test_a_rejected_participant_stays_rejected(workflow):
    built = await workflow.build([{"key": "only", "isEntryPoint": True, "isTerminal": True}])
    pid = await workflow.register()
    await workflow.at(pid, built.steps["only"])
    await _act(workflow, ApprovalAction.REJECT, pid)
    for action in (ApprovalAction.APPROVE, ApprovalAction.REJECT):
        assert (await _refused(workflow, action, pid)).details["current"]["status"] == "REJECTED"
    assert len(await workflow.events(contract.PARTICIPANT_COMPLETED)) == 1


async def test_a_return_on_the_participant_reopens_it_a_step_back_and_it_can_finish_again(workflow):
    pid, steps = await _at_badge(workflow)
    await _act(workflow, ApprovalAction.PRINT, pid)

    reopened = await _act(workflow, ApprovalAction.RETURN, pid)
    assert (reopened.previous_step_id, reopened.next_step_id) == (steps["badge"], steps["review"])
    assert (reopened.status, reopened.is_complete) == ("IN_PROGRESS", False)
    returned = await workflow.call(contract.LIST_APPROVALS, {"participantId": pid, "sort": "createdAt:desc"})
    assert returned.data[0].metadata == {"reopened": True}

    await _act(workflow, ApprovalAction.APPROVE, pid)
    again = await _act(workflow, ApprovalAction.PRINT, pid)
    assert (again.status, again.is_complete) == ("PRINTED", True)
    assert len(await workflow.events(contract.PARTICIPANT_COMPLETED)) == 2


async def test_reopening_a_participant_with_no_earlier_step_reopens_it_where_it_finished(workflow):
    built = await workflow.build([{"key": "only", "isEntryPoint": True, "isTerminal": True}])
    pid = await workflow.register()
    await workflow.at(pid, built.steps["only"])
    await _act(workflow, ApprovalAction.REJECT, pid)
    reopened = await _act(workflow, ApprovalAction.RETURN, pid)
    assert (reopened.next_step_id, reopened.status) == (built.steps["only"], "IN_PROGRESS")
    approved = await _act(workflow, ApprovalAction.APPROVE, pid)
    assert (approved.status, approved.is_complete) == ("APPROVED", True)


async def test_a_batch_return_never_reopens_a_finished_participant(workflow):
    await workflow.flags(FlagKey.BULK_OPERATIONS)
    pid, steps = await _at_badge(workflow)
    await _act(workflow, ApprovalAction.APPROVE, pid)
    operation = await workflow.call(
        contract.EXECUTE_BATCH_ACTION, {"eventId": EVENT, "action": "RETURN", "participantIds": [pid]}
    )
    assert (operation.success_count, operation.failure_count) == (0, 1)
    detail = await workflow.call(contract.GET_BATCH_OPERATION, {"id": operation.id})
    assert "finished its workflow" in detail.items[0].error
    after = await workflow.progress(pid)
    assert (after.status, after.current_step_id) == ("APPROVED", steps["badge"])
