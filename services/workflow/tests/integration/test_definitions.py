"""What a workflow definition may name, over the bus with the events service running beside workflow:
events and participant types of the caller's tenant only, one PUBLISHED workflow per event and type,
steps written front to back in one request, and conditions of the documented shapes."""

import pytest

from plenary_contracts.catalog import events
from plenary_contracts.catalog import workflow as contract
from plenary_contracts.errors import Conflict, NotFound, ValidationFailed

from .conftest import OTHER_TENANT, PARTICIPANT_TYPE

ELSEWHERE = "type-of-event-2"
FRONT_TO_BACK = [
    {"key": "review", "name": "Review", "order": 1, "isEntryPoint": True, "nextStepId": "check"},
    {"key": "check", "name": "Security check", "order": 2, "nextStepId": "badge", "rejectionTargetId": "review"},
    {"key": "badge", "name": "Badge", "order": 3, "isTerminal": True},
]


def _locs(error: pytest.ExceptionInfo) -> list[list]:
    return [e.loc for e in error.value.errors]


async def _create(workflow, tenant: str = "tenant-a", **fields) -> contract.Workflow:
    return await workflow.call(
        contract.CREATE_WORKFLOW, {"eventId": "event-1", "name": "Accreditation"} | fields, tenant=tenant
    )


async def _publishable(workflow, **fields) -> contract.Workflow:
    return await _create(workflow, steps=FRONT_TO_BACK, **fields)


async def test_a_made_up_or_another_tenants_event_is_not_found(workflow):
    await workflow.seed_event("event-theirs", tenant=OTHER_TENANT)
    for event_id in ("event-made-up", "event-theirs"):
        with pytest.raises(NotFound, match=f"event {event_id} not found"):
            await _create(workflow, eventId=event_id)
    assert (await workflow.call(contract.LIST_WORKFLOWS, {})).data == []


async def test_a_participant_type_must_be_one_of_the_events_types(workflow):
    await workflow.seed_event("event-2", types=(ELSEWHERE,))
    for type_id in ("type-made-up", ELSEWHERE):  # event-2's type, not event-1's
        with pytest.raises(ValidationFailed) as refused:
            await _create(workflow, participantTypeId=type_id)
        assert _locs(refused) == [["body", "participantTypeId"]]
    created = await _create(workflow, participantTypeId=PARTICIPANT_TYPE)

    with pytest.raises(ValidationFailed) as refused:
        await workflow.call(contract.UPDATE_WORKFLOW, {"id": created.id, "participantTypeId": ELSEWHERE})
    assert _locs(refused) == [["body", "participantTypeId"]]
    cleared = await workflow.call(contract.UPDATE_WORKFLOW, {"id": created.id, "participantTypeId": None})
    assert cleared.participant_type_id is None


async def test_publishing_checks_the_event_and_the_type_again(workflow):
    await workflow.seed_event("event-2", types=(ELSEWHERE,))
    typed = await _publishable(workflow, eventId="event-2", participantTypeId=ELSEWHERE)
    await workflow.call(events.DELETE_PARTICIPANT_TYPE, {"eventId": "event-2", "id": ELSEWHERE})
    with pytest.raises(ValidationFailed) as refused:
        await workflow.call(contract.PUBLISH_WORKFLOW, {"id": typed.id})
    assert _locs(refused) == [["workflow", "participantTypeId"]]

    untyped = await _publishable(workflow, eventId="event-2", name="Default")
    await workflow.call(events.DELETE_EVENT, {"id": "event-2"})
    with pytest.raises(NotFound):  # the event, or the workflow its deletion took with it
        await workflow.call(contract.PUBLISH_WORKFLOW, {"id": untyped.id})
    assert await workflow.events(contract.WORKFLOW_PUBLISHED) == []


async def test_a_second_published_workflow_for_the_same_event_and_type_is_refused_naming_the_first(workflow):
    first = await _publishable(workflow, participantTypeId=PARTICIPANT_TYPE)
    await workflow.call(contract.PUBLISH_WORKFLOW, {"id": first.id})
    second = await _publishable(workflow, name="Second", participantTypeId=PARTICIPANT_TYPE)

    with pytest.raises(Conflict) as refused:
        await workflow.call(contract.PUBLISH_WORKFLOW, {"id": second.id})
    assert refused.value.details["publishedWorkflowId"] == first.id and first.id in refused.value.message

    default = await _publishable(workflow, name="Default")  # no type: the event's default, another slot
    await workflow.call(contract.PUBLISH_WORKFLOW, {"id": default.id})
    with pytest.raises(Conflict):  # a published one cannot move into a taken slot either
        await workflow.call(contract.UPDATE_WORKFLOW, {"id": default.id, "participantTypeId": PARTICIPANT_TYPE})
    await workflow.call(contract.PUBLISH_WORKFLOW, {"id": first.id})  # republishing the same one is fine

    await workflow.call(contract.UPDATE_WORKFLOW, {"id": first.id, "status": "ARCHIVED"})
    published = await workflow.call(contract.PUBLISH_WORKFLOW, {"id": second.id})
    assert published.version.version == 1


async def test_a_three_step_workflow_is_written_front_to_back_in_one_request(workflow):
    created = await _publishable(workflow)

    review, check, badge = created.steps
    assert [s.name for s in created.steps] == ["Review", "Security check", "Badge"]
    assert (review.next_step_id, check.next_step_id, check.rejection_target_id) == (check.id, badge.id, review.id)
    assert len(await workflow.events(contract.STEP_CREATED)) == 3
    published = await workflow.call(contract.PUBLISH_WORKFLOW, {"id": created.id})
    assert [s["id"] for s in published.version.snapshot["steps"]] == [review.id, check.id, badge.id]


async def test_steps_written_with_their_workflow_are_checked_together(workflow):
    steps = [
        {"key": "a", "name": "A", "order": 1, "nextStepId": "nowhere"},
        {"key": "a", "name": "B", "order": 1, "config": {"conditionalRoutes": [{"targetStepId": "a"}]}},
    ]
    with pytest.raises(ValidationFailed) as refused:
        await _create(workflow, steps=steps)
    assert sorted(map(str, _locs(refused))) == sorted(
        map(str, [["body", "steps", 0, "nextStepId"], ["body", "steps", 1, "key"], ["body", "steps", 1, "order"]])
    )
    assert (await workflow.call(contract.LIST_WORKFLOWS, {})).data == []  # nothing was kept


async def test_a_condition_outside_the_documented_shapes_is_refused_where_it_is_wrong(workflow):
    created = await _publishable(workflow)
    review = created.steps[0]
    bad = {
        "type": "compound",
        "operator": "and",
        "conditions": [{"type": "simple", "field": "nationality", "operator": "like", "value": "KE"}],
    }
    with pytest.raises(ValidationFailed) as refused:
        await workflow.call(
            contract.CREATE_AUTO_ACTION_RULE,
            {"stepId": review.id, "name": "Kenyans", "conditionExpression": bad, "actionType": "AUTO_APPROVE"},
        )
    assert _locs(refused) == [["body", "conditionExpression", "conditions", 0, "operator"]]
    not_an_object = contract.CreateAutoActionRule.model_construct(  # sent unchecked to reach the service
        step_id=review.id, name="Odd", condition_expression=["eq"], action_type="AUTO_APPROVE"
    )
    with pytest.raises(ValidationFailed) as refused:
        await workflow.call(contract.CREATE_AUTO_ACTION_RULE, not_an_object)
    assert _locs(refused)[0][:1] == ["conditionExpression"]
