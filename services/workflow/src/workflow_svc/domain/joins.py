"""When a JOIN decides, and what a timed-out branch does.

Branches cancelled after an earlier decision (not left PENDING, which would look like work waiting) take no part
in a join: they count nowhere, not even in the total.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from plenary_contracts.enums import ApprovalAction, BranchStatus
from workflow_svc.domain.snapshot import JOIN_STRATEGIES, JoinConfig

from .decisions import ActionRefused


@dataclass(frozen=True)
class JoinTally:
    total: int
    completed: int
    approved: int
    rejected: int
    pending: int


@dataclass(frozen=True)
class JoinVerdict:
    strategy: str
    satisfied: bool
    failed: bool
    tally: JoinTally

    @property
    def decision(self) -> ApprovalAction | None:
        """The action the JOIN step takes, or None while the join waits."""
        if self.satisfied:
            return ApprovalAction.APPROVE
        if self.failed:
            return ApprovalAction.REJECT
        return None


def tally(statuses: Sequence[BranchStatus]) -> JoinTally:
    counted = [s for s in statuses if s is not BranchStatus.CANCELLED]
    approved = counted.count(BranchStatus.APPROVED)
    rejected = counted.count(BranchStatus.REJECTED)
    return JoinTally(
        total=len(counted),
        completed=approved + rejected,
        approved=approved,
        rejected=rejected,
        pending=counted.count(BranchStatus.PENDING),
    )


def evaluate_join(strategy: str, statuses: Sequence[BranchStatus]) -> JoinVerdict:
    """ALL: any reject fails at once, all approved satisfies. ANY: any approve satisfies, all rejected
    fails. MAJORITY: more than half approved satisfies; more than half rejected, or a majority no longer
    reachable (approved + pending ≤ half, so a 2-2 split too), fails. Otherwise the join waits; it also
    waits with no branch counted at all."""
    if strategy not in JOIN_STRATEGIES:
        raise ActionRefused(f'Unknown join strategy "{strategy}": use one of {", ".join(JOIN_STRATEGIES)}')
    t = tally(statuses)
    satisfied = failed = False
    if t.total > 0:
        if strategy == "ALL":
            failed = t.rejected > 0
            satisfied = not failed and t.approved == t.total
        elif strategy == "ANY":
            satisfied = t.approved > 0
            failed = not satisfied and t.rejected == t.total
        else:
            # Doubled to stay in integers: x > total / 2  ⇔  2x > total.
            satisfied = 2 * t.approved > t.total
            failed = not satisfied and (2 * t.rejected > t.total or 2 * (t.approved + t.pending) <= t.total)
    return JoinVerdict(strategy, satisfied, failed, t)


def timeout_action(join: JoinConfig) -> ApprovalAction:
    """A timed-out branch is approved only when the JOIN says APPROVE; REJECT, ESCALATE or nothing reject it."""
    return ApprovalAction.APPROVE if join.timeout_action == "APPROVE" else ApprovalAction.REJECT


def timeout_remarks(join: JoinConfig) -> str:
    if join.timeout_action == "ESCALATE":
        return "Branch timed out (escalated)"
    return f"Branch timed out after {join.timeout_minutes} minutes"
