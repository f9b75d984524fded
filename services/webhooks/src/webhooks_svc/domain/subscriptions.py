"""A subscription's lifecycle: which status allows which change.

ACTIVE receives. PAUSED (by its owner), SUSPENDED (third breaker trip) and DISABLED (the endpoint answered
410) receive nothing: their due deliveries wait, and resuming (which clears failures, breaker and trips) sends
them. Settings change while ACTIVE or PAUSED only.
"""

from plenary_contracts.enums import WebhookStatus

PAUSABLE = frozenset({WebhookStatus.ACTIVE})
RESUMABLE = frozenset({WebhookStatus.PAUSED, WebhookStatus.SUSPENDED, WebhookStatus.DISABLED})
EDITABLE = frozenset({WebhookStatus.ACTIVE, WebhookStatus.PAUSED})


def pause_problem(status: WebhookStatus) -> str | None:
    return None if status in PAUSABLE else f"only an ACTIVE subscription can be paused (it is {status})"


def resume_problem(status: WebhookStatus) -> str | None:
    return (
        None if status in RESUMABLE else f"only a paused, suspended or disabled subscription resumes (it is {status})"
    )


def update_problem(status: WebhookStatus) -> str | None:
    return None if status in EDITABLE else f"only an ACTIVE or PAUSED subscription can be changed (it is {status})"
