"""Step assignment over the bus, the engine's reads (round-robin counter, live loads), and the
user directory fed by identity's user events."""

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from workflow_svc.adapters.assignment_repository import active_assignees, advance_round_robin, open_loads
from workflow_svc.adapters.tables import participant, participant_assignment, step_assignment, user_directory
from workflow_svc.bootstrap import SERVICE as WORKFLOW

from plenary_contracts.catalog import identity
from plenary_contracts.catalog import workflow as contract
from plenary_contracts.envelope import CloudEvent
from plenary_contracts.errors import FeatureDisabled, NotFound, ValidationFailed
from plenary_contracts.flags import FlagKey
from plenary_kit.discovery import load_services
from plenary_kit.ids import new_id
from plenary_kit.service import Runtime
from plenary_kit.testing.plugin import eventually


@pytest.fixture
async def steps(workflow) -> tuple[str, str]:
    """Two steps of one workflow, with step assignment switched on for the tenant."""
    await workflow.flags(FlagKey.STEP_ASSIGNMENT)
    created = await workflow.call(contract.CREATE_WORKFLOW, {"eventId": "event-1", "name": "Accreditation"})
    made = [
        await workflow.call(contract.CREATE_STEP, {"workflowId": created.id, "name": name, "order": order})
        for order, name in enumerate(("Review", "Print"), start=1)
    ]
    return made[0].id, made[1].id


async def _assign(workflow, step_id: str, user_id: str, strategy: str = "MANUAL") -> contract.StepAssignment:
    return await workflow.call(contract.ASSIGN_STEP, {"stepId": step_id, "userId": user_id, "strategy": strategy})


async def _of_step(workflow, step_id: str) -> list[contract.StepAssignment]:
    return (await workflow.call(contract.LIST_STEP_ASSIGNMENTS, {"stepId": step_id})).data


async def _user_event(
    workflow, spec, user_id: str, *, tenant: str = "tenant-a", name: str = "Grace", at=None
) -> CloudEvent:
    at = at or datetime.now(UTC)
    user = {
        "id": user_id,
        "email": f"{user_id}@example.org",
        "username": user_id,
        "name": name,
        "status": "ACTIVE",
        "tenantId": tenant,
        "createdAt": at.isoformat(),
        "updatedAt": at.isoformat(),
    }
    return await workflow.publish(spec, {"user": user}, tenant=tenant)


async def test_assigning_notifies_the_user_and_assigning_again_reactivates_the_same_assignment(workflow, steps):
    review, _ = steps
    first = await _assign(workflow, review, "reviewer-1")
    assert (first.strategy, first.is_active, first.assigned_by, first.step_name) == (
        "MANUAL",
        True,
        "admin-user",
        "Review",
    )
    await workflow.call(contract.UNASSIGN_STEP, {"id": first.id})
    assert await _of_step(workflow, review) == []

    again = await _assign(workflow, review, "reviewer-1", "ROUND_ROBIN")
    assert (again.id, again.strategy, again.is_active, again.created_at) == (
        first.id,
        "ROUND_ROBIN",
        True,
        first.created_at,
    )
    assert [e["assignment"]["strategy"] for e in await workflow.events(contract.STEP_ASSIGNED)] == [
        "MANUAL",
        "ROUND_ROBIN",
    ]
    (unassigned,) = await workflow.events(contract.STEP_UNASSIGNED)
    assert unassigned["assignment"]["isActive"] is False
    notices = await workflow.events(contract.NOTIFICATION_REQUESTED)
    assert [(n["userId"], n["type"], n["data"]) for n in notices] == [
        ("reviewer-1", "step_assignment", {"stepId": review, "assignmentId": first.id})
    ] * 2


async def test_reassigning_moves_the_assignment_and_keeps_its_strategy(workflow, steps):
    review, _ = steps
    old = await _assign(workflow, review, "reviewer-1", "LEAST_LOADED")
    moved = await workflow.call(contract.REASSIGN_STEP, {"id": old.id, "userId": "reviewer-2"})
    assert (moved.user_id, moved.strategy, moved.is_active) == (
        "reviewer-2",
        "LEAST_LOADED",
        True,
    ) and moved.id != old.id
    assert [a.user_id for a in await _of_step(workflow, review)] == ["reviewer-2"]
    (event,) = await workflow.events(contract.STEP_REASSIGNED)
    assert (event["assignment"]["id"], event["previousUserId"]) == (moved.id, "reviewer-1")
    assert [n["userId"] for n in await workflow.events(contract.NOTIFICATION_REQUESTED)] == ["reviewer-1", "reviewer-2"]
    with pytest.raises(NotFound):
        await workflow.call(contract.REASSIGN_STEP, {"id": "missing", "userId": "reviewer-3"})


async def test_unassigning_deactivates_once_and_other_tenants_assignments_are_not_found(workflow, steps):
    review, _ = steps
    assignment = await _assign(workflow, review, "reviewer-1")
    for _ in range(2):
        assert await workflow.call(contract.UNASSIGN_STEP, {"id": assignment.id}) == contract.StepAssignmentRef(
            id=assignment.id
        )
    assert len(await workflow.events(contract.STEP_UNASSIGNED)) == 1
    await _assign(workflow, review, "reviewer-1")

    await workflow.flags(FlagKey.STEP_ASSIGNMENT, tenant="tenant-b")  # now on for tenant-b only
    for spec, body in [
        (contract.UNASSIGN_STEP, {"id": assignment.id}),
        (contract.REASSIGN_STEP, {"id": assignment.id, "userId": "x"}),
        (contract.ASSIGN_STEP, {"stepId": review, "userId": "x"}),
        (contract.LIST_STEP_ASSIGNMENTS, {"stepId": review}),
    ]:
        with pytest.raises(NotFound):
            await workflow.call(spec, body, tenant="tenant-b")
    assert (await workflow.call(contract.LIST_USER_ASSIGNMENTS, {"userId": "reviewer-1"}, tenant="tenant-b")).data == []


async def test_lists_show_active_assignments_per_step_oldest_first_and_per_user_newest_first(workflow, steps):
    review, printing = steps
    await _user_event(workflow, identity.USER_CREATED, "reviewer-1", name="Grace Hopper")
    await eventually(lambda: _directory_name(workflow, "reviewer-1"))
    at_review = await _assign(workflow, review, "reviewer-1")
    await _assign(workflow, review, "reviewer-2")
    gone = await _assign(workflow, review, "reviewer-3")
    await workflow.call(contract.UNASSIGN_STEP, {"id": gone.id})
    at_print = await _assign(workflow, printing, "reviewer-1")

    listed = await _of_step(workflow, review)
    assert [a.user_id for a in listed] == ["reviewer-1", "reviewer-2"]
    assert listed[0].user == contract.UserSummary(id="reviewer-1", name="Grace Hopper", email="reviewer-1@example.org")
    assert listed[1].user == contract.UserSummary(id="reviewer-2")  # known to the directory, not named yet

    mine = (await workflow.call(contract.LIST_USER_ASSIGNMENTS, {"userId": "reviewer-1"})).data
    assert [(a.id, a.step_name) for a in mine] == [(at_print.id, "Print"), (at_review.id, "Review")]
    assert mine[0].workflow.name == "Accreditation" and mine[0].workflow.event_id == "event-1"


async def test_assignment_operations_are_off_without_the_flag(workflow):
    created = await workflow.call(contract.CREATE_WORKFLOW, {"eventId": "event-1", "name": "Accreditation"})
    made = await workflow.call(contract.CREATE_STEP, {"workflowId": created.id, "name": "Review", "order": 1})
    with pytest.raises(FeatureDisabled):
        await _assign(workflow, made.id, "reviewer-1")
    with pytest.raises(FeatureDisabled):
        await workflow.call(contract.LIST_USER_ASSIGNMENTS, {"userId": "reviewer-1"})


async def test_a_user_of_another_tenant_cannot_be_assigned(workflow, steps):
    review, _ = steps
    await _user_event(workflow, identity.USER_CREATED, "outsider", tenant="tenant-b")
    await eventually(lambda: _directory_name(workflow, "outsider"))
    with pytest.raises(ValidationFailed) as refused:
        await _assign(workflow, review, "outsider")
    assert [e.loc for e in refused.value.errors] == [["body", "userId"]]


@pytest.fixture
async def identity_service(workflow) -> AsyncIterator[Runtime]:
    """identity running beside workflow, for users the directory does not hold yet."""
    (spec,) = load_services(["identity"])
    runtime = Runtime(spec, workflow.settings)
    await runtime.start()
    tenants = spec.metadata.tables["identity.tenant"]
    async with runtime.engine.begin() as conn:  # the harness's tenants, under their ids, as identity holds tenants
        for slug in ("tenant-a", "tenant-b"):
            await conn.execute(
                sa.insert(tenants).values(id=slug, name=slug, slug=slug, email=f"office@{slug}.test", phone="")
            )
    try:
        yield runtime
    finally:
        await runtime.stop()


async def _identity_user(workflow, username: str, tenant: str) -> str:
    """A user identity creates in ``tenant``, kept out of workflow's directory as if its event were late."""
    body = {"email": f"{username}@users.test", "username": username, "password": "a-long-enough-password"}
    created = await workflow.call(identity.CREATE_USER, body, tenant=tenant)
    await eventually(lambda: _directory_has(workflow, created.id), timeout=20)
    await workflow.execute(sa.delete(user_directory).where(user_directory.c.id == created.id))
    return created.id


async def _directory_has(workflow, user_id: str) -> bool:
    return bool(await workflow.scalar(sa.select(sa.func.count()).where(user_directory.c.id == user_id)))


async def test_identity_is_asked_about_a_user_the_directory_lacks_and_unknown_users_are_refused(
    workflow, steps, identity_service
):
    review, _ = steps
    ada = await _identity_user(workflow, "ada", "tenant-a")
    outsider = await _identity_user(workflow, "outsider", "tenant-b")

    assigned = await _assign(workflow, review, ada)
    assert assigned.user == contract.UserSummary(id=ada, email="ada@users.test")  # remembered from identity's answer
    for unknown in ("ghost", outsider):
        with pytest.raises(ValidationFailed) as refused:
            await _assign(workflow, review, unknown)
        assert [e.loc for e in refused.value.errors] == [["body", "userId"]]
        with pytest.raises(ValidationFailed):
            await workflow.call(contract.REASSIGN_STEP, {"id": assigned.id, "userId": unknown})
    assert [a.user_id for a in await _of_step(workflow, review)] == [ada]


async def test_concurrent_round_robin_advances_lose_no_update(workflow, steps):
    review, _ = steps

    async def advance() -> int:
        async with workflow.runtime.engine.begin() as conn:
            return await advance_round_robin(conn, review)

    values = await asyncio.gather(*(advance() for _ in range(200)))
    assert sorted(values) == list(range(1, 201))


async def test_least_loaded_counts_only_open_participants_still_at_the_step(workflow, steps):
    review, printing = steps
    for user in ("busy", "idle", "light"):
        await _assign(workflow, review, user, "LEAST_LOADED")
    await _participant(workflow, review, "busy", "IN_PROGRESS")
    await _participant(workflow, review, "busy", "PENDING")
    await _participant(workflow, review, "light", "IN_PROGRESS")
    await _participant(workflow, review, "light", "APPROVED")  # done: not a load
    await _participant(workflow, printing, "light", "IN_PROGRESS", assigned_at=review)  # moved on
    await _participant(workflow, review, "light", "PENDING", deleted=True)
    await _participant(workflow, review, "light", "PENDING", active=False)

    async with workflow.runtime.engine.connect() as conn:
        assignees = await active_assignees(conn, review)
        loads = await open_loads(conn, review, [a.user_id for a in assignees])
    assert [(a.user_id, a.strategy) for a in assignees] == [
        ("busy", "LEAST_LOADED"),
        ("idle", "LEAST_LOADED"),
        ("light", "LEAST_LOADED"),
    ]
    assert loads == {"busy": 2, "idle": 0, "light": 1}


async def test_the_directory_follows_identity_and_a_deleted_user_loses_its_assignments(workflow, steps):
    review, printing = steps
    earlier = datetime.now(UTC) - timedelta(minutes=5)
    await _user_event(workflow, identity.USER_CREATED, "reviewer-1", name="Grace")
    await eventually(lambda: _directory_name(workflow, "reviewer-1"))
    await _user_event(workflow, identity.USER_UPDATED, "reviewer-1", name="Grace Hopper")
    stale = await _user_event(workflow, identity.USER_UPDATED, "reviewer-1", name="Stale", at=earlier)  # late, old
    await eventually(lambda: _handled(workflow, stale))
    assert await _directory_name(workflow, "reviewer-1") == "Grace Hopper"

    kept = await _assign(workflow, review, "reviewer-2")
    lost = await _assign(workflow, review, "reviewer-1")
    inactive = await _assign(workflow, printing, "reviewer-1")
    await workflow.call(contract.UNASSIGN_STEP, {"id": inactive.id})
    participant_id = await _participant(workflow, review, "reviewer-1", "IN_PROGRESS")

    await workflow.publish(identity.USER_DELETED, {"userId": "reviewer-1", "tenantId": "tenant-a"})

    async def gone() -> bool:
        rows = await workflow.execute(sa.select(step_assignment.c.id).where(step_assignment.c.user_id == "reviewer-1"))
        return rows.first() is None

    await eventually(gone)
    assert [a.id for a in await _of_step(workflow, review)] == [kept.id]
    assert await _directory_name(workflow, "reviewer-1") is None
    live = await workflow.execute(
        sa.select(participant_assignment.c.is_active).where(participant_assignment.c.participant_id == participant_id)
    )
    assert live.scalar_one() is False
    unassigned = await workflow.events(contract.STEP_UNASSIGNED)
    assert [e["assignment"]["id"] for e in unassigned][-1] == lost.id and len(unassigned) == 2


async def _directory_name(workflow, user_id: str) -> str | None:
    rows = await workflow.execute(sa.select(user_directory.c.name).where(user_directory.c.id == user_id))
    return rows.scalar_one_or_none()


async def _handled(workflow, event: CloudEvent) -> bool:
    inbox = WORKFLOW.messaging.inbox
    rows = await workflow.execute(
        sa.select(inbox.c.event_id).where(inbox.c.consumer == "workflow_user_directory", inbox.c.event_id == event.id)
    )
    return rows.first() is not None


async def _participant(
    workflow,
    step_id: str,
    user_id: str,
    status: str,
    *,
    assigned_at: str | None = None,
    deleted: bool = False,
    active: bool = True,
) -> str:
    """A participant at ``step_id``, assigned to ``user_id`` at ``assigned_at`` (default: that same step)."""
    now = datetime.now(UTC)
    participant_id = new_id()
    await workflow.execute(
        sa.insert(participant).values(
            id=participant_id,
            tenant_id="tenant-a",
            event_id="event-1",
            participant_type_id="type-delegate",
            registration_code=f"REG-{participant_id[:8]}",
            first_name="Ada",
            last_name="Lovelace",
            current_step_id=step_id,
            status=status,
            source_updated_at=now,
            deleted_at=now if deleted else None,
        )
    )
    await workflow.execute(
        sa.insert(participant_assignment).values(
            id=new_id(),
            tenant_id="tenant-a",
            participant_id=participant_id,
            step_id=assigned_at or step_id,
            user_id=user_id,
            strategy="LEAST_LOADED",
            is_active=active,
        )
    )
    return participant_id
