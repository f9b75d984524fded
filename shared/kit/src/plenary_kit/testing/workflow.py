"""Workflow's decisions as it announces them, for tests and benchmarks of the services that consume them."""

from typing import Any

from ..ids import new_id


def decided(participant_id: str, **changes: Any) -> dict[str, Any]:
    """The payload of a ``participant.approved`` (an APPROVE completing the workflow); ``changes`` override it."""
    return {
        "participantId": participant_id,
        "participantName": "Ada Lovelace",
        "registrationCode": f"REG-{participant_id[-6:]}",
        "eventId": "event-1",
        "workflowId": "wf",
        "workflowVersionId": "wfv",
        "action": "APPROVE",
        "stepId": "step",
        "stepName": "Review",
        "previousStepId": "step",
        "nextStepId": None,
        "isComplete": True,
        "previousStatus": "IN_PROGRESS",
        "status": "APPROVED",
        "approvalId": new_id(),
        "version": 2,
        **changes,
    }
