"""Workflow's decisions mirrored onto participants (status, current step) without announcing a
participant change; a rejection frees the slot; older decisions never overwrite newer ones. And a
deleted tenant's rows go."""

from typing import Any

import sqlalchemy as sa
from registration_svc.adapters import tables

from plenary_contracts.catalog import identity, workflow
from plenary_contracts.catalog import registration as contract
from plenary_kit.ids import new_id

from .conftest import OTHER_TENANT, TENANT

MIRROR = "registration_status_mirror"


async def _registered(registration, event, **fields: Any) -> contract.Participant:
    body = {"eventId": event.id, "participantTypeId": event.type_id, "firstName": "Ada", "lastName": "Lovelace"}
    return await registration.call(contract.REGISTER_PARTICIPANT, {**body, **fields}, tenant=event.tenant_id)


async def _acted(registration, participant: contract.Participant, *, version: int, **fields: Any) -> None:
    acted = {
        "participantId": participant.id,
        "participantName": "Ada Lovelace",
        "registrationCode": participant.registration_code,
        "eventId": participant.event_id,
        "workflowId": "wf-1",
        "workflowVersionId": "wfv-1",
        "action": "APPROVE",
        "stepId": "step-desk",
        "stepName": "Desk",
        "previousStepId": "step-desk",
        "nextStepId": "step-print",
        "isComplete": False,
        "previousStatus": "PENDING",
        "status": "IN_PROGRESS",
        "approvalId": new_id(),
        "version": version,
        **fields,
    }
    await registration.publish(workflow.PARTICIPANT_STATUS_CHANGED, acted, tenant=participant.tenant_id)


async def _row(registration, participant_id: str) -> Any:
    query = sa.select(tables.participant).where(tables.participant.c.id == participant_id)
    return (await registration.execute(query)).one()


async def test_a_workflow_decision_sets_status_and_step_without_a_participant_update(registration):
    event = await registration.seed_event()
    mine = await _registered(registration, event)

    await _acted(registration, mine, version=2)
    await registration.caught_up(MIRROR)

    row = await _row(registration, mine.id)
    assert (row.status, row.current_step_id, row.workflow_id, row.workflow_version_id) == (
        "IN_PROGRESS",
        "step-print",
        "wf-1",
        "wfv-1",
    )
    assert row.updated_at > mine.updated_at
    assert await registration.events(contract.PARTICIPANT_UPDATED) == []
    assert await registration.events(contract.SLOTS_FREED) == []
    assert mine.progress_version is None
    ref = {"id": mine.id, "eventId": event.id}
    shown = await registration.call(contract.GET_PARTICIPANT, ref, tenant=event.tenant_id)
    assert shown.progress_version == 2  # what its next record tells read models ordering status by decision


async def test_a_completed_participant_stays_on_its_last_step(registration):
    event = await registration.seed_event()
    mine = await _registered(registration, event)

    await _acted(registration, mine, version=3, nextStepId=None, isComplete=True, status="APPROVED")
    await registration.caught_up(MIRROR)

    row = await _row(registration, mine.id)
    assert (row.status, row.current_step_id) == ("APPROVED", "step-desk")


async def test_an_older_decision_arriving_late_is_ignored(registration):
    event = await registration.seed_event()
    mine = await _registered(registration, event)

    await _acted(registration, mine, version=5, status="APPROVED", nextStepId=None, isComplete=True)
    await _acted(registration, mine, version=4, status="IN_PROGRESS")
    await registration.caught_up(MIRROR)

    assert (await _row(registration, mine.id)).status == "APPROVED"


async def test_a_rejection_frees_the_slot_once(registration):
    event = await registration.seed_event()
    mine = await _registered(registration, event)

    await _acted(registration, mine, version=2, action="REJECT", status="REJECTED", nextStepId=None)
    await _acted(registration, mine, version=3, action="REJECT", status="REJECTED", nextStepId=None)
    await registration.caught_up(MIRROR)

    assert (await _row(registration, mine.id)).status == "REJECTED"
    (freed,) = await registration.events(contract.SLOTS_FREED)
    assert (freed["reason"], freed["triggerEntityId"], freed["participantTypeId"]) == (
        "rejected",
        mine.id,
        event.type_id,
    )


async def test_a_decision_on_another_tenants_participant_changes_nothing(registration):
    event = await registration.seed_event()
    mine = await _registered(registration, event)

    await _acted(registration, mine.model_copy(update={"tenant_id": OTHER_TENANT}), version=2, status="REJECTED")
    await registration.caught_up(MIRROR)

    assert (await _row(registration, mine.id)).status == "PENDING"


async def test_a_deleted_tenants_rows_go_and_other_tenants_and_global_ones_stay(registration):
    mine = await registration.seed_event()
    theirs = await registration.seed_event(tenant=OTHER_TENANT)
    await _registered(registration, mine)
    kept = await _registered(registration, theirs)
    now_entries = [
        {"id": new_id(), "tenant_id": tenant, "type": "INDIVIDUAL", "reason": "r", "added_by": "a", "email": "x@y.z"}
        for tenant in (TENANT, OTHER_TENANT, None)
    ]
    await registration.execute(sa.insert(tables.blacklist), now_entries)

    await registration.publish(identity.TENANT_DELETED, {"tenantId": TENANT})
    await registration.caught_up("registration_tenant_cleanup")

    for table in (tables.participant, tables.blocking_key, tables.event, tables.participant_type):
        tenants = await registration.execute(sa.select(table.c.tenant_id).distinct())
        assert set(tenants.scalars()) == {OTHER_TENANT}, table.name
    blacklisted = await registration.execute(sa.select(tables.blacklist.c.tenant_id))
    assert sorted(blacklisted.scalars(), key=str) == [None, OTHER_TENANT]
    assert (await _row(registration, kept.id)).deleted_at is None
