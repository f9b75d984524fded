from datetime import UTC, datetime, timedelta

import pytest
from workflow_svc.domain.sla import breach_action, sla_times
from workflow_svc.domain.snapshot import SnapshotStep

from plenary_contracts.enums import ApprovalAction

ARRIVED = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


def step(minutes=None, action=None, **config):
    return SnapshotStep("s", "S", sla_duration_minutes=minutes, sla_action=action, config=config)


def test_no_sla_has_no_timers():
    assert sla_times(step(), ARRIVED) == (None, None)
    assert sla_times(step(0), ARRIVED) == (None, None)


def test_the_breach_is_due_after_the_duration_and_the_warning_at_three_quarters():
    warn_at, due_at = sla_times(step(60), ARRIVED)
    assert due_at == ARRIVED + timedelta(minutes=60)
    assert warn_at == ARRIVED + timedelta(minutes=45)


def test_a_configured_warning_is_used():
    warn_at, _ = sla_times(step(60, slaWarningMinutes=50), ARRIVED)
    assert warn_at == ARRIVED + timedelta(minutes=50)


def test_a_one_minute_sla_has_no_warning():
    assert sla_times(step(1), ARRIVED) == (None, ARRIVED + timedelta(minutes=1))


@pytest.mark.parametrize(
    ("action", "expected"),
    [
        ("ESCALATE", ApprovalAction.ESCALATE),
        ("AUTO_APPROVE", ApprovalAction.APPROVE),
        ("AUTO_REJECT", ApprovalAction.REJECT),
        ("NOTIFY", None),
        ("REASSIGN", None),
        (None, None),
        ("UNKNOWN", None),
    ],
)
def test_a_breach_takes_the_engine_action_of_its_sla_action(action, expected):
    assert breach_action(step(30, action)) is expected
