"""The engine driven through the real bus: entering on registration, auto-actions, round robin,
fork/join, optimistic concurrency, and every event on the stream exactly once."""

import asyncio
from collections import Counter

import pytest
import sqlalchemy as sa
from workflow_svc.adapters.tables import approval, participant_assignment
from workflow_svc.bootstrap import SERVICE as WORKFLOW

from plenary_contracts.access import Grant, encode_grants
from plenary_contracts.catalog import workflow as contract
from plenary_contracts.enums import ApprovalAction, PermissionAccess, RoleScope
from plenary_contracts.errors import BadRequest, Conflict, Forbidden
from plenary_contracts.flags import FlagKey
from plenary_contracts.operations import OperationSpec
from plenary_contracts.streams import event_stream_name
from plenary_kit.service import Runtime
from plenary_kit.testing.plugin import eventually

from .conftest import ADMIN, EVENT

ALL_FLAGS = (FlagKey.AUTO_ACTIONS, FlagKey.STEP_ASSIGNMENT, FlagKey.PARALLEL_WORKFLOWS, FlagKey.CONDITIONAL_ROUTING)

FULL_FLOW = [
    {"key": "screening", "isEntryPoint": True, "nextStepId": "documents"},
    {"key": "documents", "nextStepId": "review"},
    {"key": "review", "nextStepId": "checks", "rejectionTargetId": "screening"},
    {
        "key": "checks",
        "stepType": "FORK",
        "config": {"branches": [{"branchStepId": "security"}, {"branchStepId": "protocol"}], "joinStepId": "joined"},
    },
    {"key": "security"},
    {"key": "protocol"},
    {
        "key": "joined",
        "stepType": "JOIN",
        "nextStepId": "badge",
        "rejectionTargetId": "review",
        "config": {"strategy": "ALL"},
    },
    {"key": "badge", "isTerminal": True},
]

LINEAR = [
    {"key": "screening", "isEntryPoint": True, "nextStepId": "documents"},
    {"key": "documents", "nextStepId": "review"},
    {"key": "review", "isTerminal": True},
]


def _approve(action: str = "APPROVE") -> OperationSpec:
    return contract.TAKE_ACTION[ApprovalAction(action)]


async def _stream_counts(workflow) -> Counter[str]:
    """Subjects of every message on the workflow stream, once the outbox has published everything."""
    outbox = WORKFLOW.messaging.outbox

    async def drained() -> bool:
        rows = await workflow.execute(sa.select(sa.func.count()).where(outbox.c.published_at.is_(None)))
        return rows.scalar_one() == 0

    await eventually(drained, timeout=20)
    js = workflow.nc.jetstream()
    info = await js.stream_info(event_stream_name("workflow"))
    counts: Counter[str] = Counter()
    for seq in range(info.state.first_seq, info.state.last_seq + 1):
        counts[(await js.get_msg(event_stream_name("workflow"), seq)).subject] += 1
    return counts


async def test_a_registered_participant_is_auto_approved_twice_assigned_round_robin_then_forks_and_joins(workflow):
    await workflow.flags(*ALL_FLAGS)
    built = await workflow.build(FULL_FLOW)
    s = built.steps
    await workflow.call(
        contract.CREATE_AUTO_ACTION_RULE,
        {
            "stepId": s["screening"],
            "name": "Kenyan delegates pass screening",
            "conditionExpression": {"type": "simple", "field": "nationality", "operator": "eq", "value": "ke"},
            "actionType": "AUTO_APPROVE",
        },
    )
    await workflow.call(
        contract.CREATE_AUTO_ACTION_RULE,
        {
            "stepId": s["documents"],
            "name": "Organisation on file",
            "conditionExpression": {"type": "simple", "field": "organization", "operator": "notEmpty"},
            "actionType": "AUTO_APPROVE",
        },
    )
    for user in ("reviewer-1", "reviewer-2"):
        await workflow.call(contract.ASSIGN_STEP, {"stepId": s["review"], "userId": user, "strategy": "ROUND_ROBIN"})

    pid = await workflow.register(nationality="KE", organization="African Union")

    at_review = await workflow.at(pid, s["review"])
    await eventually(lambda: _assignee(workflow, pid), timeout=20)
    assert (await workflow.progress(pid)).assignee_id == "reviewer-1"
    assert at_review.status == "IN_PROGRESS"

    forked = await workflow.call(
        _approve(), {"participantId": pid, "expectedVersion": (await workflow.progress(pid)).version}
    )
    assert forked.next_step_id == s["checks"] and not forked.is_complete
    branches = (await workflow.progress(pid)).branches
    assert sorted(b.branch_step_id for b in branches) == sorted([s["security"], s["protocol"]])

    first = await workflow.call(
        contract.TAKE_BRANCH_ACTION[ApprovalAction.APPROVE],
        {"participantId": pid, "branchStepId": s["security"]},
    )
    assert not first.participant_advanced and first.join_evaluation.summary.pending == 1
    second = await workflow.call(
        contract.TAKE_BRANCH_ACTION[ApprovalAction.APPROVE],
        {"participantId": pid, "branchStepId": s["protocol"]},
    )
    assert second.participant_advanced and second.result.next_step_id == s["badge"]

    done = await workflow.call(_approve(), {"participantId": pid})
    assert done.is_complete and done.status == "APPROVED" and done.next_step_id is None

    counts = await _stream_counts(workflow)
    assert counts[contract.PARTICIPANT_ENTERED.subject] == 1
    assert counts[contract.PARTICIPANT_STEP_ENTERED.subject] == 4  # screening, documents, review, badge
    assert counts[contract.AUTO_ACTION_EXECUTED.subject] == 2
    assert counts[contract.PARTICIPANT_APPROVED.subject] == 5  # 2 rules, review, the join, badge
    assert counts[contract.PARTICIPANT_STATUS_CHANGED.subject] == 5
    assert counts[contract.PARTICIPANT_ASSIGNED.subject] == 1
    assert counts[contract.NOTIFICATION_REQUESTED.subject] == 3  # two reviewers set up, one participant for review
    assert counts[contract.PARALLEL_FORKED.subject] == 1
    assert counts[contract.PARALLEL_BRANCH_COMPLETED.subject] == 2
    assert counts[contract.PARALLEL_JOINED.subject] == 1
    assert counts[contract.PARTICIPANT_COMPLETED.subject] == 1

    approvals = await workflow.call(contract.LIST_APPROVALS, {"participantId": pid, "sort": "createdAt:asc"})
    assert [a.user_id for a in approvals.data][:2] == ["system", "system"]
    assert approvals.data[0].metadata["autoAction"] is True
    assert approvals.data[0].remarks == "Auto-action: Kenyan delegates pass screening"


async def _assignee(workflow, pid: str) -> bool:
    return (await workflow.progress(pid)).assignee_id is not None


async def test_without_the_flags_a_participant_waits_at_the_entry_step(workflow):
    built = await workflow.build(LINEAR)
    await workflow.call(
        contract.CREATE_AUTO_ACTION_RULE,
        {
            "stepId": built.steps["screening"],
            "name": "everyone",
            "conditionExpression": {"type": "compound", "operator": "and", "conditions": []},
            "actionType": "AUTO_APPROVE",
        },
    )
    pid = await workflow.register()
    at_entry = await workflow.at(pid, built.steps["screening"])
    assert at_entry.status == "PENDING" and at_entry.version == 1
    await _stream_counts(workflow)
    assert await workflow.events(contract.AUTO_ACTION_EXECUTED) == []


async def test_fifty_simultaneous_actions_with_the_same_expected_version_let_exactly_one_through(workflow):
    built = await workflow.build(LINEAR)
    pid = await workflow.register()
    seen = await workflow.at(pid, built.steps["screening"])

    async def approve() -> str:
        try:
            await workflow.call(_approve(), {"participantId": pid, "expectedVersion": seen.version})
            return "ok"
        except Conflict as conflict:
            assert conflict.details["current"]["version"] == seen.version + 1
            return "conflict"

    outcomes = Counter(await asyncio.gather(*(approve() for _ in range(50))))
    assert outcomes == {"ok": 1, "conflict": 49}
    assert len(await workflow.events(contract.PARTICIPANT_APPROVED)) == 1


async def test_reject_at_a_terminal_step_without_a_target_rejects_the_participant(workflow):
    built = await workflow.build([{"key": "only", "isEntryPoint": True, "isTerminal": True}])
    pid = await workflow.register()
    await workflow.at(pid, built.steps["only"])
    result = await workflow.call(_approve("REJECT"), {"participantId": pid})
    assert result.is_complete and result.status == "REJECTED"  # a rejection is never recorded as an approval
    (changed,) = await workflow.events(contract.PARTICIPANT_STATUS_CHANGED)
    assert (changed["previousStatus"], changed["status"]) == ("PENDING", "REJECTED")


async def test_an_action_records_its_approval_bumps_the_version_once_and_ends_the_review_only_when_moving(workflow):
    await workflow.flags(FlagKey.STEP_ASSIGNMENT)
    built = await workflow.build(
        [{"key": "intake", "isEntryPoint": True, "nextStepId": "done"}, {"key": "done", "isTerminal": True}]
    )
    s = built.steps
    for step in ("intake", "done"):
        await workflow.call(
            contract.ASSIGN_STEP, {"stepId": s[step], "userId": "reviewer-1", "strategy": "ROUND_ROBIN"}
        )
    pid = await workflow.register()
    await workflow.at(pid, s["intake"])
    await eventually(lambda: _assignee(workflow, pid), timeout=20)
    before = await workflow.progress(pid)

    moved = await workflow.call(_approve(), {"participantId": pid, "expectedVersion": before.version})

    assert moved.version == before.version + 1
    assert (await workflow.progress(pid)).current_step_id == s["done"]
    assert not await _active_assignments(workflow, pid, s["intake"])
    await eventually(lambda: _active_assignments(workflow, pid, s["done"]), timeout=20)
    stayed = await workflow.call(_approve("REJECT"), {"participantId": pid, "expectedVersion": moved.version})

    assert (stayed.version, stayed.status, stayed.next_step_id) == (moved.version + 1, "REJECTED", None)
    assert await _active_assignments(workflow, pid, s["done"]) == ["reviewer-1"]  # still at its step: kept
    recorded = await workflow.execute(
        sa.select(approval.c.id, approval.c.step_id, approval.c.user_id, approval.c.action)
        .where(approval.c.participant_id == pid)
        .order_by(approval.c.created_at)
    )
    assert [tuple(r) for r in recorded] == [
        (moved.approval_id, s["intake"], ADMIN, "APPROVE"),
        (stayed.approval_id, s["done"], ADMIN, "REJECT"),
    ]


async def test_an_approve_reads_and_writes_the_participant_in_two_statements(workflow):
    built = await workflow.build(LINEAR)
    pid = await workflow.register()
    await workflow.at(pid, built.steps["screening"])
    await _stream_counts(workflow)  # the entry's events are out: the relay and the consumers are idle
    sent: list[str] = []

    def record(conn, cursor, statement, *_) -> None:
        sent.append(statement)

    engine = workflow.runtime.uow_engine.sync_engine
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        await workflow.call(_approve(), {"participantId": pid})
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)

    # the outbox, the inbox and the consumers' settings are the kit's; the rest is the action's own
    own = [s for s in sent if not any(kit in s for kit in ("outbox", "inbox", "lock_timeout"))]
    assert len(own) == 2, own
    assert "FOR UPDATE" in own[0] and "INSERT INTO workflow.approval" in own[1]


async def _active_assignments(workflow, pid: str, step_id: str) -> list[str]:
    rows = await workflow.execute(
        sa.select(participant_assignment.c.user_id).where(
            participant_assignment.c.participant_id == pid,
            participant_assignment.c.step_id == step_id,
            participant_assignment.c.is_active,
        )
    )
    return list(rows.scalars())


async def test_return_sends_the_participant_back_to_the_step_of_its_latest_approval(workflow):
    built = await workflow.build(LINEAR)
    s = built.steps
    pid = await workflow.register()
    await workflow.at(pid, s["screening"])
    await workflow.call(_approve(), {"participantId": pid})
    back = await workflow.call(_approve("RETURN"), {"participantId": pid})
    assert (back.previous_step_id, back.next_step_id) == (s["documents"], s["screening"])


async def test_an_action_with_no_target_is_refused_and_changes_nothing(workflow):
    built = await workflow.build(LINEAR)
    pid = await workflow.register()
    before = await workflow.at(pid, built.steps["screening"])
    with pytest.raises(BadRequest, match='No target step configured for action "BYPASS" on step "screening"'):
        await workflow.call(_approve("BYPASS"), {"participantId": pid})
    assert (await workflow.progress(pid)).version == before.version


async def test_a_rejected_join_returns_and_the_same_fork_can_be_entered_again(workflow):
    await workflow.flags(FlagKey.PARALLEL_WORKFLOWS)
    built = await workflow.build(FULL_FLOW)
    s = built.steps
    pid = await workflow.register()
    await workflow.at(pid, s["screening"])
    for _ in range(3):
        await workflow.call(_approve(), {"participantId": pid})  # screening → documents → review → checks
    rejected = await workflow.call(
        contract.TAKE_BRANCH_ACTION[ApprovalAction.REJECT], {"participantId": pid, "branchStepId": s["security"]}
    )
    assert rejected.participant_advanced and rejected.result.next_step_id == s["review"]  # ALL fails fast
    (joined,) = await workflow.events(contract.PARALLEL_JOINED)
    assert joined["action"] == "REJECT" and len(joined["cancelledBranchIds"]) == 1

    again = await workflow.call(_approve(), {"participantId": pid})  # review → checks, a second round
    assert again.next_step_id == s["checks"]
    live = (await workflow.progress(pid)).branches
    assert [b.status for b in live] == ["PENDING", "PENDING"]


async def test_two_hundred_arrivals_at_a_round_robin_step_spread_evenly_across_two_replicas(workflow):
    await workflow.flags(FlagKey.STEP_ASSIGNMENT)
    built = await workflow.build([{"key": "desk", "isEntryPoint": True, "isTerminal": True}])
    for user in ("r1", "r2", "r3"):
        await workflow.call(
            contract.ASSIGN_STEP, {"stepId": built.steps["desk"], "userId": user, "strategy": "ROUND_ROBIN"}
        )
    replica = Runtime(WORKFLOW, workflow.settings)
    await replica.start()
    try:
        await asyncio.gather(*(workflow.register() for _ in range(200)))

        async def all_assigned() -> bool:
            return len(await workflow.events(contract.PARTICIPANT_ASSIGNED)) == 200

        await eventually(all_assigned, timeout=90)
    finally:
        await replica.stop()
    per_user = Counter(e["userId"] for e in await workflow.events(contract.PARTICIPANT_ASSIGNED))
    assert sum(per_user.values()) == 200
    assert max(per_user.values()) - min(per_user.values()) <= 1


async def test_an_event_scoped_role_may_act_only_on_participants_of_its_event(workflow):
    built = await workflow.build(LINEAR)
    pid = await workflow.register()
    await workflow.at(pid, built.steps["screening"])

    def scoped_to(event_id: str) -> str:
        return encode_grants([Grant("participant:approve", PermissionAccess.ANY, RoleScope.EVENT, event_id)])

    with pytest.raises(Forbidden):
        await workflow.call(_approve(), {"participantId": pid}, grants=scoped_to("another-event"))
    moved = await workflow.call(_approve(), {"participantId": pid}, grants=scoped_to(EVENT))
    assert moved.next_step_id == built.steps["documents"]
