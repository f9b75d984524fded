import pytest
from workflow_svc.domain.decisions import ActionRefused
from workflow_svc.domain.joins import JoinTally, evaluate_join, timeout_action, timeout_remarks
from workflow_svc.domain.snapshot import JoinConfig

from plenary_contracts.enums import ApprovalAction, BranchStatus

AP, RE, PE, CA = BranchStatus.APPROVED, BranchStatus.REJECTED, BranchStatus.PENDING, BranchStatus.CANCELLED


def decision(strategy, *statuses):
    return evaluate_join(strategy, statuses).decision


def test_majority_is_satisfied_by_three_approvals_of_four():
    verdict = evaluate_join("MAJORITY", [AP, AP, AP, PE])
    assert verdict.satisfied and not verdict.failed
    assert verdict.decision is ApprovalAction.APPROVE
    assert verdict.tally == JoinTally(total=4, completed=3, approved=3, rejected=0, pending=1)


def test_majority_fails_with_three_rejections_of_four():
    verdict = evaluate_join("MAJORITY", [RE, RE, RE, PE])
    assert verdict.failed and not verdict.satisfied
    assert verdict.decision is ApprovalAction.REJECT


def test_majority_two_two_split_rejects():
    assert decision("MAJORITY", AP, AP, RE, RE) is ApprovalAction.REJECT


def test_majority_fails_as_soon_as_a_majority_of_approvals_is_impossible():
    # 1 approved + 1 pending of 4 can reach 2 at most, not more than half
    assert decision("MAJORITY", AP, RE, RE, PE) is ApprovalAction.REJECT


def test_majority_waits_while_a_majority_is_still_possible():
    verdict = evaluate_join("MAJORITY", [AP, RE, PE, PE])
    assert not verdict.satisfied and not verdict.failed and verdict.decision is None


def test_majority_of_three_needs_two():
    assert decision("MAJORITY", AP, AP, PE) is ApprovalAction.APPROVE
    assert decision("MAJORITY", AP, PE, PE) is None


def test_all_fails_on_the_first_rejection_even_with_branches_pending():
    assert decision("ALL", RE, PE, PE) is ApprovalAction.REJECT


def test_all_is_satisfied_only_when_every_branch_approved():
    assert decision("ALL", AP, AP, PE) is None
    assert decision("ALL", AP, AP, AP) is ApprovalAction.APPROVE


def test_any_is_satisfied_by_one_approval():
    assert decision("ANY", PE, AP, RE) is ApprovalAction.APPROVE


def test_any_fails_only_when_every_branch_rejected():
    assert decision("ANY", RE, RE, PE) is None
    assert decision("ANY", RE, RE, RE) is ApprovalAction.REJECT


def test_cancelled_branches_are_not_counted_at_all():
    verdict = evaluate_join("ALL", [AP, CA, AP])
    assert verdict.satisfied
    assert verdict.tally == JoinTally(total=2, completed=2, approved=2, rejected=0, pending=0)
    assert decision("MAJORITY", AP, CA, CA, PE) is None


def test_a_join_with_no_counted_branch_waits():
    for strategy in ("ALL", "ANY", "MAJORITY"):
        assert decision(strategy) is None
        assert decision(strategy, CA) is None


def test_an_unknown_strategy_is_refused():
    with pytest.raises(ActionRefused):
        evaluate_join("SOME", [AP])


def test_a_timed_out_branch_is_approved_only_when_the_join_says_approve():
    assert timeout_action(JoinConfig("ALL", 30, "APPROVE")) is ApprovalAction.APPROVE
    assert timeout_action(JoinConfig("ALL", 30, "REJECT")) is ApprovalAction.REJECT
    assert timeout_action(JoinConfig("ALL", 30, "ESCALATE")) is ApprovalAction.REJECT
    assert timeout_action(JoinConfig("ALL", 30, None)) is ApprovalAction.REJECT


def test_timeout_remarks_name_the_escalation_or_the_minutes():
    assert timeout_remarks(JoinConfig("ANY", 45, "ESCALATE")) == "Branch timed out (escalated)"
    assert timeout_remarks(JoinConfig("ANY", 45, "REJECT")) == "Branch timed out after 45 minutes"
    assert timeout_remarks(JoinConfig("ANY", 45, None)) == "Branch timed out after 45 minutes"
