import pytest
from webhooks_svc.domain.subscriptions import pause_problem, resume_problem, update_problem

from plenary_contracts.enums import WebhookStatus as S


@pytest.mark.parametrize("status", list(S))
def test_only_an_active_subscription_pauses(status):
    assert (pause_problem(status) is None) == (status is S.ACTIVE)


@pytest.mark.parametrize("status", list(S))
def test_paused_suspended_and_disabled_subscriptions_resume(status):
    assert (resume_problem(status) is None) == (status is not S.ACTIVE)


@pytest.mark.parametrize("status", list(S))
def test_settings_change_while_active_or_paused_only(status):
    assert (update_problem(status) is None) == (status in (S.ACTIVE, S.PAUSED))
