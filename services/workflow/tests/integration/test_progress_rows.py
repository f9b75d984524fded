"""An event's participants' progress by the list query language over the bus: step, status and assignee as
fields, keyset pages, kanban groups per step, and only the caller's tenant's event answers."""

import pytest

from plenary_contracts.access import Grant, encode_grants
from plenary_contracts.catalog import workflow as contract
from plenary_contracts.enums import ApprovalAction, PermissionAccess, RoleScope
from plenary_contracts.errors import Forbidden, NotFound, ValidationFailed

from .conftest import EVENT, OTHER_TENANT

LINEAR = [
    {"key": "screening", "isEntryPoint": True, "nextStepId": "review"},
    {"key": "review", "isTerminal": True},
]


def _simple(field, operator, value=None):
    return {"type": "simple", "field": field, "operator": operator, "value": value}


async def test_progress_filters_on_step_pages_by_keyset_and_groups_per_step(workflow):
    built = await workflow.build(LINEAR)
    people = [await workflow.register(firstName=name) for name in ("Ada", "Bob", "Cy", "Di")]
    for pid in people:
        await workflow.at(pid, built.steps["screening"])
    for pid in people[:2]:
        await workflow.call(contract.TAKE_ACTION[ApprovalAction.APPROVE], {"participantId": pid})
        await workflow.at(pid, built.steps["review"])

    in_review = await workflow.call(
        contract.QUERY_PROGRESS_ROWS,
        {"eventId": EVENT, "filter": _simple("stepName", "eq", "REVIEW"), "columns": ["firstName", "stepId"],
         "sort": [{"field": "firstName"}]},
    )  # fmt: skip
    assert [(r["firstName"], r["stepId"]) for r in in_review.rows] == [
        ("Ada", built.steps["review"]),
        ("Bob", built.steps["review"]),
    ]

    names, after = [], None
    while True:
        page = await workflow.call(
            contract.QUERY_PROGRESS_ROWS,
            {"eventId": EVENT, "sort": [{"field": "firstName", "direction": "desc"}], "columns": ["firstName"],
             "limit": 3, "after": after},
        )  # fmt: skip
        names += [r["firstName"] for r in page.rows]
        if page.next is None:
            break
        after = page.next
    assert names == ["Di", "Cy", "Bob", "Ada"]

    board = await workflow.call(
        contract.QUERY_PROGRESS_GROUPS,
        {"eventId": EVENT, "groupBy": "stepName", "perGroup": 1, "columns": ["firstName"],
         "sort": [{"field": "firstName"}]},
    )  # fmt: skip
    assert [(g.value, g.count, [r["firstName"] for r in g.rows]) for g in board.groups] == [
        ("review", 2, ["Ada"]),
        ("screening", 2, ["Cy"]),
    ]
    fields = {f.name: f for f in (await workflow.call(contract.PROGRESS_FIELDS, {"eventId": EVENT})).fields}
    assert fields["slaDueAt"].type == "DATETIME" and fields["assigneeId"].groupable


async def test_an_unknown_field_another_tenants_event_and_another_events_grant_are_refused(workflow):
    await workflow.seed_event("event-foreign", tenant=OTHER_TENANT)
    with pytest.raises(ValidationFailed) as refused:
        await workflow.call(contract.QUERY_PROGRESS_ROWS, {"eventId": EVENT, "columns": ["firstName", "vanished"]})
    assert refused.value.details["field"] == "vanished" and refused.value.errors[0].loc == ["columns", 1]
    for event_id in ("event-foreign", "made-up"):
        with pytest.raises(NotFound):
            await workflow.call(contract.QUERY_PROGRESS_GROUPS, {"eventId": event_id, "groupBy": "status"})
    elsewhere = encode_grants([Grant("participant:read", PermissionAccess.ANY, RoleScope.EVENT, "event-2")])
    with pytest.raises(Forbidden):
        await workflow.call(contract.QUERY_PROGRESS_ROWS, {"eventId": EVENT}, grants=elsewhere)
