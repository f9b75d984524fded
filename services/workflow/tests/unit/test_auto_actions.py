import pytest
from workflow_svc.domain.auto_actions import (
    APPROVAL_FOR,
    MAX_AUTO_ACTION_DEPTH,
    Rule,
    first_matching_rule,
    may_run_at_depth,
    simulate_chain,
)
from workflow_svc.domain.decisions import ActionRefused
from workflow_svc.domain.snapshot import Snapshot, SnapshotStep

from plenary_contracts.enums import ApprovalAction, AutoActionType, ParticipantStatus, StepType

T = AutoActionType


def cond(field, operator, value=None):
    return {"type": "simple", "field": field, "operator": operator, "value": value}


def rule(id_, action=T.AUTO_APPROVE, condition=None, priority=0, active=True):
    return Rule(id_, f"Rule {id_}", condition, action, priority, active)


def snapshot(*steps: SnapshotStep) -> Snapshot:
    return Snapshot("wf", "Workflow", steps)


LINE = snapshot(
    SnapshotStep("s1", "Check", is_entry_point=True, next_step_id="s2", rejection_target_id="fix"),
    SnapshotStep("s2", "Vet", next_step_id="s3"),
    SnapshotStep("s3", "Print", is_terminal=True),
    SnapshotStep("fix", "Fix", next_step_id="s1"),
)
DATA = {"nationality": "KE", "vip": True}


def chain(rules_by_step, snap=LINE, start="s1", depth=0, parallel=False):
    return simulate_chain(
        snap, start, rules_by_step, DATA, routing_enabled=False, parallel_enabled=parallel, depth=depth
    )


def test_action_types_map_to_engine_actions():
    assert dict(APPROVAL_FOR) == {
        T.AUTO_APPROVE: ApprovalAction.APPROVE,
        T.AUTO_REJECT: ApprovalAction.REJECT,
        T.AUTO_BYPASS: ApprovalAction.BYPASS,
        T.AUTO_ESCALATE: ApprovalAction.ESCALATE,
    }
    assert rule("r", T.AUTO_BYPASS).approval_action is ApprovalAction.BYPASS


def test_the_rule_remarks_name_the_rule():
    assert rule("x").remarks == "Auto-action: Rule x"


def test_the_first_true_rule_by_ascending_priority_wins():
    rules = [rule("late", priority=5), rule("early", priority=1)]
    assert first_matching_rule(rules, DATA).id == "early"


def test_rules_with_equal_priority_keep_their_order():
    assert first_matching_rule([rule("a", priority=2), rule("b", priority=2)], DATA).id == "a"


def test_a_false_rule_is_skipped_for_the_next_one():
    rules = [
        rule("us", condition=cond("nationality", "eq", "US")),
        rule("vip", condition=cond("vip", "eq", True), priority=1),
    ]
    assert first_matching_rule(rules, DATA).id == "vip"


def test_inactive_rules_are_skipped():
    rules = [rule("off", priority=0, active=False), rule("on", priority=1)]
    assert first_matching_rule(rules, DATA).id == "on"


def test_no_true_rule_matches_nothing():
    assert first_matching_rule([rule("us", condition=cond("nationality", "eq", "US"))], DATA) is None
    assert first_matching_rule([], DATA) is None


def test_the_chain_may_run_below_depth_ten_only():
    assert MAX_AUTO_ACTION_DEPTH == 10
    assert may_run_at_depth(0) and may_run_at_depth(9)
    assert not may_run_at_depth(10) and not may_run_at_depth(11)


def test_no_matching_rule_runs_no_chain():
    assert chain({"s1": [rule("us", condition=cond("nationality", "eq", "US"))]}) is None
    assert chain({}) is None


def test_a_chain_of_two_approvals_completes_with_depth_two():
    result = chain({"s2": [rule("a2")], "s3": [rule("a3")]}, start="s2")
    assert result.is_complete and result.chain_depth == 2
    assert result.previous_step_id == "s2" and result.next_step_id is None
    assert [s.rule.id for s in result.actions_executed] == ["a2", "a3"]
    assert result.actions_executed[-1].outcome.status is ParticipantStatus.APPROVED


def test_the_chain_moves_through_steps_until_no_rule_matches():
    result = chain({"s1": [rule("a1")]})
    assert (result.next_step_id, result.is_complete, result.chain_depth) == ("s2", False, 1)


def test_starting_at_depth_ten_runs_nothing():
    assert chain({"s1": [rule("a1")]}, depth=10) is None


def test_the_chain_stops_at_the_depth_limit():
    # s1 rejects to fix, fix approves back to s1: a loop only the limit ends
    loop = {"s1": [rule("rej", T.AUTO_REJECT)], "fix": [rule("back")]}
    assert chain(loop).chain_depth == 10
    assert chain(loop, depth=7).chain_depth == 3


def test_the_chain_stops_when_the_workflow_completes():
    result = chain({"s3": [rule("done"), rule("never", priority=1)]}, start="s3")
    assert result.is_complete and result.chain_depth == 1


def test_the_chain_stops_at_a_fork():
    snap = snapshot(
        SnapshotStep("s1", "A", is_entry_point=True, next_step_id="f"),
        SnapshotStep(
            "f", "F", step_type=StepType.FORK, config={"branches": [{"branchStepId": "b"}], "joinStepId": "j"}
        ),
        SnapshotStep("b", "B"),
        SnapshotStep("j", "J", step_type=StepType.JOIN, is_terminal=True, config={"strategy": "ALL"}),
    )
    result = chain({"s1": [rule("a")], "f": [rule("never")]}, snap=snap, parallel=True)
    assert result.chain_depth == 1 and result.actions_executed[0].outcome.forks
    assert (result.next_step_id, result.is_complete) == ("f", False)


def test_each_step_uses_its_own_rules():
    result = chain(
        {"s1": [rule("bypass", T.AUTO_BYPASS)]},
        snap=snapshot(
            SnapshotStep("s1", "A", is_entry_point=True, next_step_id="s2", bypass_target_id="s3"),
            SnapshotStep("s2", "B", next_step_id="s3"),
            SnapshotStep("s3", "C", is_terminal=True),
        ),
    )
    assert result.actions_executed[0].outcome.next_step_id == "s3"


def test_a_rule_whose_action_the_engine_refuses_raises():
    with pytest.raises(ActionRefused):
        chain({"s2": [rule("esc", T.AUTO_ESCALATE)]}, start="s2")
