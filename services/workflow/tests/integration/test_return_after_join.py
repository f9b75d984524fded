"""A RETURN after a JOIN goes back into the fork for a fresh round of branches, so the parallel review
is never skipped; a participant standing at a JOIN without the branches' decision cannot be approved past it."""

import pytest
import sqlalchemy as sa
from workflow_svc.adapters.tables import participant

from plenary_contracts.catalog import workflow as contract
from plenary_contracts.enums import ApprovalAction
from plenary_contracts.errors import BadRequest, Conflict
from plenary_contracts.flags import FlagKey

# desk → checks (security ‖ protocol) → joined → badge; desk's bypass leads straight to the JOIN.
PARALLEL_FLOW = [
    {"key": "desk", "isEntryPoint": True, "nextStepId": "checks", "bypassTargetId": "joined"},
    {
        "key": "checks",
        "stepType": "FORK",
        "config": {"branches": [{"branchStepId": "security"}, {"branchStepId": "protocol"}], "joinStepId": "joined"},
    },
    {"key": "security"},
    {"key": "protocol"},
    {"key": "joined", "stepType": "JOIN", "nextStepId": "badge", "config": {"strategy": "ALL"}},
    {"key": "badge", "stepType": "PRINT", "isTerminal": True},
]


async def _act(workflow, action: ApprovalAction, pid: str) -> contract.ActionResult:
    return await workflow.call(contract.TAKE_ACTION[action], {"participantId": pid})


async def _approve_branches(workflow, pid: str, steps: dict[str, str]) -> contract.BranchActionResult:
    for branch in ("security", "protocol"):
        result = await workflow.call(
            contract.TAKE_BRANCH_ACTION[ApprovalAction.APPROVE], {"participantId": pid, "branchStepId": steps[branch]}
        )
    return result


async def _forked(workflow) -> tuple[str, dict[str, str]]:
    await workflow.flags(FlagKey.PARALLEL_WORKFLOWS)
    built = await workflow.build(PARALLEL_FLOW)
    pid = await workflow.register()
    await workflow.at(pid, built.steps["desk"])
    await _act(workflow, ApprovalAction.APPROVE, pid)
    return pid, built.steps


async def _past_the_join(workflow) -> tuple[str, dict[str, str], set[str]]:
    pid, steps = await _forked(workflow)
    first_round = {b.id for b in (await workflow.progress(pid)).branches}
    joined = await _approve_branches(workflow, pid, steps)
    assert joined.participant_advanced and joined.result.next_step_id == steps["badge"]
    return pid, steps, first_round


async def test_a_return_from_the_step_after_a_join_goes_back_into_the_fork_with_fresh_pending_branches(workflow):
    pid, steps, first_round = await _past_the_join(workflow)

    returned = await _act(workflow, ApprovalAction.RETURN, pid)
    assert (returned.previous_step_id, returned.next_step_id) == (steps["badge"], steps["checks"])
    back = await workflow.progress(pid)
    assert (back.current_step_id, back.status) == (steps["checks"], "IN_PROGRESS")
    assert sorted(b.branch_step_id for b in back.branches) == sorted([steps["security"], steps["protocol"]])
    assert [b.status for b in back.branches] == ["PENDING", "PENDING"]
    assert not first_round & {b.id for b in back.branches}

    with pytest.raises(BadRequest, match="act on a branch"):
        await _act(workflow, ApprovalAction.APPROVE, pid)
    rejoined = await _approve_branches(workflow, pid, steps)
    assert rejoined.result.next_step_id == steps["badge"]
    assert len(await workflow.events(contract.PARALLEL_FORKED)) == 2


async def test_reopening_a_participant_finished_after_a_join_goes_back_into_the_fork(workflow):
    pid, steps, _ = await _past_the_join(workflow)
    printed = await _act(workflow, ApprovalAction.PRINT, pid)
    assert (printed.status, printed.is_complete) == ("PRINTED", True)

    reopened = await _act(workflow, ApprovalAction.RETURN, pid)
    assert reopened.next_step_id == steps["checks"]
    assert [b.status for b in (await workflow.progress(pid)).branches] == ["PENDING", "PENDING"]


async def test_a_plain_approve_at_a_join_without_open_branches_is_a_conflict_and_return_reopens_the_fork(workflow):
    pid, steps, _ = await _past_the_join(workflow)
    # Where the earlier RETURN rule left participants: on the JOIN, its branches long decided.
    await workflow.execute(
        sa.update(participant).where(participant.c.id == pid).values(current_step_id=steps["joined"])
    )
    stranded = await workflow.progress(pid)

    with pytest.raises(Conflict, match="no open branches") as info:
        await _act(workflow, ApprovalAction.APPROVE, pid)
    assert info.value.details["current"]["currentStepId"] == steps["joined"]
    assert (await workflow.progress(pid)).version == stranded.version

    returned = await _act(workflow, ApprovalAction.RETURN, pid)
    assert returned.next_step_id == steps["checks"]
    assert [b.status for b in (await workflow.progress(pid)).branches] == ["PENDING", "PENDING"]


async def test_an_action_leading_straight_to_a_join_is_refused_and_changes_nothing(workflow):
    await workflow.flags(FlagKey.PARALLEL_WORKFLOWS)
    built = await workflow.build(PARALLEL_FLOW)
    pid = await workflow.register()
    before = await workflow.at(pid, built.steps["desk"])
    with pytest.raises(BadRequest, match='Step "joined" is a JOIN'):
        await _act(workflow, ApprovalAction.BYPASS, pid)
    assert (await workflow.progress(pid)).version == before.version
