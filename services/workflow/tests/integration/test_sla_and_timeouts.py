"""SLA timers and branch timeouts through the real bus: the tests drive the sweeps themselves (as the
service's timer does), after pushing the due times into the past."""

import asyncio
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from workflow_svc.adapters.tables import messaging, parallel_branch, participant
from workflow_svc.application.actions import Engine
from workflow_svc.application.parallel import Parallel
from workflow_svc.application.sla import SlaTimers

from plenary_contracts.catalog import workflow as contract
from plenary_contracts.enums import ApprovalAction
from plenary_contracts.flags import FlagKey
from plenary_kit.db import drain
from plenary_kit.testing.plugin import eventually

SYSTEM = "system"


def _engine(workflow) -> Engine:
    """A second engine over the service's database, as another replica would have."""
    return Engine(workflow.runtime.flags.on)


async def _row(workflow, pid: str) -> Any:
    return (await workflow.execute(sa.select(participant).where(participant.c.id == pid))).one()


async def _overdue(workflow, *pids: str, warning: bool = False) -> None:
    """Make the SLA (or only its warning) of each participant's current step due a minute ago."""
    past = sa.func.now() - timedelta(minutes=1)
    values = {"sla_warn_at": past} if warning else {"sla_warn_at": past, "sla_due_at": past}
    await workflow.execute(sa.update(participant).where(participant.c.id.in_(pids)).values(**values))


async def _approvals(workflow, pid: str) -> list[contract.Approval]:
    page = await workflow.call(contract.LIST_APPROVALS, {"participantId": pid, "sort": "createdAt:asc"})
    return page.data


def _sla_step(action: str, **fields: Any) -> dict[str, Any]:
    return {"key": "desk", "isEntryPoint": True, "slaDurationMinutes": 60, "slaAction": action, **fields}


# --- SLA -----------------------------------------------------------------------------------------


async def test_arrival_at_a_step_with_an_sla_sets_its_warning_and_due_times(workflow):
    built = await workflow.build(
        [
            _sla_step("NOTIFY", nextStepId="second"),
            {"key": "second", "slaDurationMinutes": 40, "config": {"slaWarningMinutes": 10}, "nextStepId": "done"},
            {"key": "done", "isTerminal": True},
        ],
    )
    s = built.steps
    pid = await workflow.register()
    seen = await workflow.at(pid, s["desk"])

    row = await _row(workflow, pid)
    assert row.sla_due_at - row.step_entered_at == timedelta(minutes=60)
    assert row.sla_warn_at - row.step_entered_at == timedelta(minutes=45)  # three quarters by default
    assert seen.sla_due_at == row.sla_due_at

    await workflow.call(contract.TAKE_ACTION[ApprovalAction.APPROVE], {"participantId": pid})
    row = await _row(workflow, pid)
    assert row.current_step_id == s["second"]
    assert row.sla_due_at - row.step_entered_at == timedelta(minutes=40)
    assert row.sla_warn_at - row.step_entered_at == timedelta(minutes=10)  # the step's own warning

    await workflow.call(contract.TAKE_ACTION[ApprovalAction.APPROVE], {"participantId": pid})
    row = await _row(workflow, pid)
    assert (row.sla_warn_at, row.sla_due_at) == (None, None)  # no SLA at the terminal step


async def test_a_due_warning_is_emitted_once_however_often_and_by_however_many_replicas_it_is_swept(workflow):
    built = await workflow.build([_sla_step("NOTIFY", nextStepId="done"), {"key": "done", "isTerminal": True}])
    pids = [await workflow.register() for _ in range(5)]
    for pid in pids:
        await workflow.at(pid, built.steps["desk"])
    await _overdue(workflow, *pids, warning=True)

    one, other = SlaTimers(_engine(workflow)), SlaTimers(_engine(workflow))
    swept = await asyncio.gather(
        drain(workflow.runtime.uow, one.warn_next), drain(workflow.runtime.uow, other.warn_next)
    )
    assert sum(swept) == 5
    assert await drain(workflow.runtime.uow, one.warn_next) == 0
    assert await drain(workflow.runtime.uow, other.breach_next) == 0  # the breach is not due yet

    warnings = await workflow.events(contract.SLA_WARNING)
    assert sorted(w["participantId"] for w in warnings) == sorted(pids)
    assert {w["stepName"] for w in warnings} == {"desk"}
    assert await workflow.events(contract.SLA_BREACHED) == []
    for pid in pids:
        assert (await workflow.progress(pid)).current_step_id == built.steps["desk"]


async def test_a_breach_auto_approves_auto_rejects_or_escalates_as_the_system_user(workflow):
    cases = {"AUTO_APPROVE": "done", "AUTO_REJECT": "other", "ESCALATE": "other"}
    started: dict[str, tuple[str, dict[str, str]]] = {}
    for action in cases:
        event_id = f"event-{action.lower()}"
        built = await workflow.build(
            [
                _sla_step(action, nextStepId="done", rejectionTargetId="other", escalationTargetId="other"),
                {"key": "other", "nextStepId": "done"},
                {"key": "done", "isTerminal": True},
            ],
            event_id=event_id,
        )
        pid = await workflow.register(event_id=event_id)
        await workflow.at(pid, built.steps["desk"])
        started[action] = (pid, built.steps)
    # A rejection with nowhere to go: the engine refuses, the breach still counts once.
    refused = await workflow.build(
        [_sla_step("AUTO_REJECT", nextStepId="done"), {"key": "done", "isTerminal": True}],
        event_id="event-refused",
    )
    stuck = await workflow.register(event_id="event-refused")
    stuck_version = (await workflow.at(stuck, refused.steps["desk"])).version
    await _overdue(workflow, stuck, *(pid for pid, _ in started.values()))

    sla = SlaTimers(_engine(workflow))
    assert await drain(workflow.runtime.uow, sla.breach_next) == 4
    assert await drain(workflow.runtime.uow, sla.breach_next) == 0
    assert await drain(workflow.runtime.uow, sla.warn_next) == 0  # past warning once breached

    approval_of = {"AUTO_APPROVE": "APPROVE", "AUTO_REJECT": "REJECT", "ESCALATE": "ESCALATE"}
    for action, (pid, steps) in started.items():
        seen = await workflow.progress(pid)
        assert seen.current_step_id == steps[cases[action]], action
        assert seen.status == "IN_PROGRESS"
        (acted,) = await _approvals(workflow, pid)
        assert (acted.user_id, acted.action, acted.step_id) == (SYSTEM, approval_of[action], steps["desk"])
        assert acted.remarks == "SLA breached at desk" and acted.metadata["slaBreach"] is True
    left = await workflow.progress(stuck)
    assert (left.current_step_id, left.version) == (refused.steps["desk"], stuck_version)
    assert await _approvals(workflow, stuck) == []
    breaches = {b["participantId"]: b["slaAction"] for b in await workflow.events(contract.SLA_BREACHED)}
    assert breaches == {stuck: "AUTO_REJECT"} | {pid: action for action, (pid, _) in started.items()}
    assert await workflow.events(contract.SLA_WARNING) == []


async def test_a_notify_breach_only_emits_events_and_tells_the_assignee_when_there_is_one(workflow):
    await workflow.flags(FlagKey.STEP_ASSIGNMENT)
    built = await workflow.build([_sla_step("NOTIFY", nextStepId="done"), {"key": "done", "isTerminal": True}])
    desk = built.steps["desk"]
    unassigned = await workflow.register()
    await workflow.at(unassigned, desk)
    await eventually(lambda: _arrivals_handled(workflow), timeout=20)  # its arrival found nobody to assign
    await workflow.call(contract.ASSIGN_STEP, {"stepId": desk, "userId": "reviewer-1", "strategy": "ROUND_ROBIN"})
    assigned = await workflow.register()
    await workflow.at(assigned, desk)
    await eventually(lambda: _assignee_is(workflow, assigned, "reviewer-1"), timeout=20)
    versions = {pid: (await workflow.progress(pid)).version for pid in (unassigned, assigned)}
    await _overdue(workflow, unassigned, assigned)

    assert await drain(workflow.runtime.uow, SlaTimers(_engine(workflow)).breach_next) == 2

    breaches = {b["participantId"]: b for b in await workflow.events(contract.SLA_BREACHED)}
    assert breaches[assigned]["assigneeId"] == "reviewer-1" and breaches[unassigned]["assigneeId"] is None
    assert {b["slaAction"] for b in breaches.values()} == {"NOTIFY"}
    sla_notes = [n for n in await workflow.events(contract.NOTIFICATION_REQUESTED) if n["type"] == "sla"]
    assert [(n["userId"], n["data"]["participantId"]) for n in sla_notes] == [("reviewer-1", assigned)]
    for pid, version in versions.items():
        seen = await workflow.progress(pid)
        assert (seen.current_step_id, seen.version) == (desk, version)
        assert await _approvals(workflow, pid) == []


async def _arrivals_handled(workflow) -> bool:
    """Every arrival published so far has been handled by the arrivals consumer (assignment included)."""
    outbox, inbox = messaging.outbox, messaging.inbox
    published = sa.select(sa.func.count()).where(outbox.c.subject == contract.PARTICIPANT_STEP_ENTERED.subject)
    handled = sa.select(sa.func.count()).where(
        inbox.c.consumer == "workflow_arrivals", inbox.c.event_type == contract.PARTICIPANT_STEP_ENTERED.type
    )
    return (await workflow.execute(published)).scalar_one() == (await workflow.execute(handled)).scalar_one()


async def _assignee_is(workflow, pid: str, user_id: str) -> bool:
    return (await workflow.progress(pid)).assignee_id == user_id


async def test_a_reassign_breach_hands_the_participant_to_another_reviewer(workflow):
    await workflow.flags(FlagKey.STEP_ASSIGNMENT)
    built = await workflow.build([_sla_step("REASSIGN", nextStepId="done"), {"key": "done", "isTerminal": True}])
    desk = built.steps["desk"]
    for user in ("reviewer-1", "reviewer-2"):
        await workflow.call(contract.ASSIGN_STEP, {"stepId": desk, "userId": user, "strategy": "ROUND_ROBIN"})
    pid = await workflow.register()
    await workflow.at(pid, desk)
    await eventually(lambda: _assignee_is(workflow, pid, "reviewer-1"), timeout=20)
    await _overdue(workflow, pid)

    assert await drain(workflow.runtime.uow, SlaTimers(_engine(workflow)).breach_next) == 1

    seen = await workflow.progress(pid)
    assert (seen.current_step_id, seen.assignee_id) == (desk, "reviewer-2")
    first, second = await workflow.events(contract.PARTICIPANT_ASSIGNED)
    assert (first["userId"], second["userId"], second["previousUserId"]) == ("reviewer-1", "reviewer-2", "reviewer-1")
    (breach,) = await workflow.events(contract.SLA_BREACHED)
    assert (breach["slaAction"], breach["assigneeId"]) == ("REASSIGN", "reviewer-1")


async def test_a_participant_that_moved_on_is_not_breached_for_the_step_it_left(workflow):
    built = await workflow.build(
        [
            _sla_step("AUTO_APPROVE", nextStepId="second"),
            {"key": "second", "slaDurationMinutes": 60, "slaAction": "AUTO_APPROVE", "nextStepId": "done"},
            {"key": "done", "isTerminal": True},
        ],
    )
    pid = await workflow.register()
    await workflow.at(pid, built.steps["desk"])
    await _overdue(workflow, pid)
    await workflow.call(contract.TAKE_ACTION[ApprovalAction.APPROVE], {"participantId": pid})

    sla = SlaTimers(_engine(workflow))
    assert await drain(workflow.runtime.uow, sla.warn_next) == 0
    assert await drain(workflow.runtime.uow, sla.breach_next) == 0
    assert (await workflow.progress(pid)).current_step_id == built.steps["second"]
    assert await workflow.events(contract.SLA_BREACHED) == []
    assert [a.user_id for a in await _approvals(workflow, pid)] == ["admin-user"]


# --- branch timeouts -----------------------------------------------------------------------------


def _fork_flow(timeout_action: str) -> list[dict[str, Any]]:
    return [
        {"key": "start", "isEntryPoint": True, "nextStepId": "checks"},
        {
            "key": "checks",
            "stepType": "FORK",
            "config": {"branches": [{"branchStepId": "security"}, {"branchStepId": "protocol"}], "joinStepId": "join"},
        },
        {"key": "security"},
        {"key": "protocol"},
        {
            "key": "join",
            "stepType": "JOIN",
            "nextStepId": "badge",
            "rejectionTargetId": "start",
            "config": {"strategy": "ALL", "timeoutMinutes": 30, "timeoutAction": timeout_action},
        },
        {"key": "badge", "isTerminal": True},
    ]


async def _forked(workflow, built, *, event_id: str = "event-1") -> str:
    pid = await workflow.register(event_id=event_id)
    await workflow.at(pid, built.steps["start"])
    await workflow.call(contract.TAKE_ACTION[ApprovalAction.APPROVE], {"participantId": pid})
    return pid


async def _branches_overdue(workflow, pid: str) -> None:
    await workflow.execute(
        sa.update(parallel_branch)
        .where(parallel_branch.c.participant_id == pid)
        .values(timeout_at=sa.func.now() - timedelta(minutes=1))
    )


async def test_a_timed_out_branch_is_approved_by_the_system_and_the_join_moves_on(workflow):
    await workflow.flags(FlagKey.PARALLEL_WORKFLOWS)
    built = await workflow.build(_fork_flow("APPROVE"))
    s = built.steps
    pid = await _forked(workflow, built)
    await workflow.call(
        contract.TAKE_BRANCH_ACTION[ApprovalAction.APPROVE], {"participantId": pid, "branchStepId": s["security"]}
    )
    await _branches_overdue(workflow, pid)

    parallel = Parallel(_engine(workflow))
    assert await drain(workflow.runtime.uow, parallel.time_out_next_branch) == 1
    assert await drain(workflow.runtime.uow, parallel.time_out_next_branch) == 0

    seen = await workflow.progress(pid)
    assert (seen.current_step_id, seen.status) == (s["badge"], "IN_PROGRESS")
    timed_out = next(b for b in seen.branches if b.branch_step_id == s["protocol"])
    assert (timed_out.status, timed_out.action, timed_out.completed_by) == ("APPROVED", "APPROVE", SYSTEM)
    assert timed_out.remarks == "Branch timed out after 30 minutes"
    by_step = {a.step_id: a for a in await _approvals(workflow, pid)}  # one transaction: same createdAt
    branch_approval, join_approval = by_step[s["protocol"]], by_step[s["join"]]
    assert (branch_approval.step_id, branch_approval.user_id) == (s["protocol"], SYSTEM)
    assert branch_approval.metadata["timedOut"] is True
    assert (join_approval.step_id, join_approval.user_id, join_approval.action) == (s["join"], SYSTEM, "APPROVE")
    (joined,) = await workflow.events(contract.PARALLEL_JOINED)
    assert joined["action"] == "APPROVE" and joined["summary"]["approved"] == 2
    completed = await workflow.events(contract.PARALLEL_BRANCH_COMPLETED)
    assert [c["timedOut"] for c in completed] == [False, True]


async def test_a_timed_out_branch_is_rejected_when_the_join_says_reject_or_escalate(workflow):
    await workflow.flags(FlagKey.PARALLEL_WORKFLOWS)
    remarks = {"REJECT": "Branch timed out after 30 minutes", "ESCALATE": "Branch timed out (escalated)"}
    forked: dict[str, tuple[str, dict[str, str]]] = {}
    for action in remarks:
        event_id = f"event-{action.lower()}"
        built = await workflow.build(_fork_flow(action), event_id=event_id)
        forked[action] = (await _forked(workflow, built, event_id=event_id), built.steps)
    for pid, _ in forked.values():
        await _branches_overdue(workflow, pid)

    parallel = Parallel(_engine(workflow))
    # Each participant's first timed-out branch fails its ALL join at once; the other branch is cancelled.
    assert await drain(workflow.runtime.uow, parallel.time_out_next_branch) == 2
    assert await drain(workflow.runtime.uow, parallel.time_out_next_branch) == 0

    for action, (pid, steps) in forked.items():
        seen = await workflow.progress(pid)
        assert (seen.current_step_id, seen.status) == (steps["start"], "IN_PROGRESS"), action
        by_status = {b.status: b for b in seen.branches}
        assert sorted(by_status) == ["CANCELLED", "REJECTED"]
        rejected = by_status["REJECTED"]
        assert (rejected.completed_by, rejected.remarks) == (SYSTEM, remarks[action])
        join_approval = {a.step_id: a for a in await _approvals(workflow, pid)}[steps["join"]]
        assert (join_approval.step_id, join_approval.action, join_approval.user_id) == (steps["join"], "REJECT", SYSTEM)
    joined = await workflow.events(contract.PARALLEL_JOINED)
    assert sorted(j["action"] for j in joined) == ["REJECT", "REJECT"]


async def test_two_replicas_sweeping_rejecting_timeouts_together_decide_each_participant_once(workflow):
    await workflow.flags(FlagKey.PARALLEL_WORKFLOWS)
    built = await workflow.build(_fork_flow("REJECT"))
    pids = [await _forked(workflow, built) for _ in range(6)]
    for pid in pids:
        await _branches_overdue(workflow, pid)

    one, other = Parallel(_engine(workflow)), Parallel(_engine(workflow))
    swept = await asyncio.gather(
        drain(workflow.runtime.uow, one.time_out_next_branch), drain(workflow.runtime.uow, other.time_out_next_branch)
    )

    assert sum(swept) == 6  # one timed-out branch per participant fails its ALL join; the sibling is cancelled
    assert len(await workflow.events(contract.PARALLEL_JOINED)) == 6
    for pid in pids:
        assert (await workflow.progress(pid)).current_step_id == built.steps["start"]


async def test_a_timeout_the_engine_refuses_stops_timing_out_instead_of_blocking_the_sweep(workflow):
    await workflow.flags(FlagKey.PARALLEL_WORKFLOWS)
    flow = _fork_flow("REJECT")
    flow[4] = {k: v for k, v in flow[4].items() if k != "rejectionTargetId"}  # the JOIN cannot reject
    built = await workflow.build(flow)
    pid = await _forked(workflow, built)
    await _branches_overdue(workflow, pid)

    parallel = Parallel(_engine(workflow))
    assert await drain(workflow.runtime.uow, parallel.time_out_next_branch) == 2  # both branches give up once
    assert await drain(workflow.runtime.uow, parallel.time_out_next_branch) == 0

    seen = await workflow.progress(pid)
    assert [b.status for b in seen.branches] == ["PENDING", "PENDING"]
    assert await workflow.events(contract.PARALLEL_BRANCH_COMPLETED) == []  # the refused attempt published nothing
