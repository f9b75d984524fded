"""Offline sync over the bus: a client's queued mutation replayed through the engine, once per
mutation id, with the server winning ties."""

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from workflow_svc.adapters.tables import participant

from plenary_contracts.access import Grant, encode_grants
from plenary_contracts.catalog import registration
from plenary_contracts.catalog import workflow as contract
from plenary_contracts.errors import Conflict, FeatureDisabled, Forbidden, NotFound, ValidationFailed
from plenary_contracts.flags import FlagKey
from plenary_kit.ids import new_id
from plenary_kit.testing.plugin import eventually

FLOW = [
    {"key": "review", "isEntryPoint": True, "nextStepId": "badge"},
    {"key": "badge", "isTerminal": True},
]


async def _entered(workflow, *, tenant: str = "tenant-a") -> tuple[str, contract.ParticipantProgress]:
    pid = await workflow.register(tenant=tenant)

    async def there() -> contract.ParticipantProgress | None:
        try:
            seen = await workflow.progress(pid, tenant=tenant)
        except NotFound:
            return None
        return seen if seen.current_step_id else None

    return pid, await eventually(there, timeout=20)


def _ms(progress: contract.ParticipantProgress) -> int:
    return int(progress.updated_at.timestamp() * 1000)


def _mutation(pid: str, timestamp: int, kind: str = "approve", **fields) -> dict:
    return {
        "id": fields.pop("id", new_id()),
        "type": kind,
        "entityType": "participant",
        "entityId": pid,
        "timestamp": timestamp,
        **fields,
    }


async def test_an_offline_approval_newer_than_the_server_goes_through_the_engine_once(workflow):
    await workflow.flags(FlagKey.OFFLINE_MODE)
    built = await workflow.build(FLOW)
    pid, seen = await _entered(workflow)
    mutation = _mutation(pid, _ms(seen) + 1, payload={"remarks": "Checked at the door"})

    synced = await workflow.call(contract.SYNC_OFFLINE_MUTATION, mutation)

    assert (synced.success, synced.applied, synced.duplicate) == (True, True, False)
    assert (synced.result.action, synced.result.next_step_id) == ("APPROVE", built.steps["badge"])
    after = await workflow.progress(pid)
    assert (after.current_step_id, after.status, after.version) == (built.steps["badge"], "IN_PROGRESS", 2)
    (approval,) = (await workflow.call(contract.LIST_APPROVALS, {"participantId": pid})).data
    assert (approval.user_id, approval.remarks) == ("admin-user", "Checked at the door")
    assert approval.metadata["offline"] is True and approval.metadata["mutationId"] == mutation["id"]

    again = await workflow.call(contract.SYNC_OFFLINE_MUTATION, mutation)

    assert (again.success, again.applied, again.duplicate) == (True, True, True)
    assert again.result == synced.result
    assert (await workflow.progress(pid)).version == 2
    assert len((await workflow.call(contract.LIST_APPROVALS, {"participantId": pid})).data) == 1
    assert len(await workflow.events(contract.PARTICIPANT_APPROVED)) == 1


async def test_a_mutation_no_newer_than_the_server_state_is_a_conflict_with_the_current_state(workflow):
    await workflow.flags(FlagKey.OFFLINE_MODE)
    built = await workflow.build(FLOW)
    pid, seen = await _entered(workflow)

    for stale in (_ms(seen), _ms(seen) - 60_000):  # the server wins ties
        with pytest.raises(Conflict) as conflict:
            await workflow.call(contract.SYNC_OFFLINE_MUTATION, _mutation(pid, stale))
        assert conflict.value.details["conflict"] is True
        current = conflict.value.details["current"]
        assert (current["participantId"], current["currentStepId"]) == (pid, built.steps["review"])
        assert (current["status"], current["version"]) == ("PENDING", seen.version)

    assert (await workflow.progress(pid)).version == seen.version
    assert (await workflow.call(contract.LIST_APPROVALS, {"participantId": pid})).data == []


async def test_a_change_registration_made_after_the_client_acted_wins_too(workflow):
    await workflow.flags(FlagKey.OFFLINE_MODE)
    await workflow.build(FLOW)
    pid, seen = await _entered(workflow)
    acted_offline = _ms(seen) + 1
    held = (await workflow.execute(sa.select(participant).where(participant.c.id == pid))).one()
    edited_at = datetime.fromtimestamp((acted_offline + 1) / 1000, UTC)
    record = {
        "id": pid,
        "tenantId": "tenant-a",
        "eventId": "event-1",
        "participantTypeId": held.participant_type_id,
        "registrationCode": held.registration_code,
        "firstName": "Ada",
        "lastName": "King",
        "createdAt": held.source_updated_at.isoformat(),
        "updatedAt": edited_at.isoformat(),
    }
    await workflow.publish(registration.PARTICIPANT_UPDATED, {"participant": record})

    async def renamed() -> bool:
        return (await workflow.progress(pid)).name == "Ada King"

    await eventually(renamed, timeout=20)
    with pytest.raises(Conflict):
        await workflow.call(contract.SYNC_OFFLINE_MUTATION, _mutation(pid, acted_offline))


def _now_ms() -> int:
    return int(datetime.now(UTC).timestamp() * 1000)


async def test_another_tenants_participant_and_an_unknown_one_are_not_found(workflow):
    await workflow.flags(FlagKey.OFFLINE_MODE)
    theirs = await workflow.register(tenant="tenant-b")

    async def known() -> bool:
        rows = await workflow.execute(sa.select(sa.func.count()).where(participant.c.id == theirs))
        return rows.scalar_one() == 1

    await eventually(known, timeout=20)
    for pid in (theirs, new_id()):
        with pytest.raises(NotFound):
            await workflow.call(contract.SYNC_OFFLINE_MUTATION, _mutation(pid, _now_ms()))


async def test_a_reused_mutation_id_with_another_participant_or_action_is_a_conflict(workflow):
    await workflow.flags(FlagKey.OFFLINE_MODE)
    await workflow.build(FLOW)
    (pid, seen), (other, _) = await _entered(workflow), await _entered(workflow)
    first = _mutation(pid, _ms(seen) + 1, id="device-7-0001")
    await workflow.call(contract.SYNC_OFFLINE_MUTATION, first)

    for reused in ({**first, "entityId": other}, {**first, "type": "reject"}):
        with pytest.raises(Conflict) as refused:
            await workflow.call(contract.SYNC_OFFLINE_MUTATION, reused)
        assert refused.value.details == {"mutationId": "device-7-0001"}
    assert (await workflow.call(contract.SYNC_OFFLINE_MUTATION, first)).duplicate is True
    assert (await workflow.call(contract.LIST_APPROVALS, {"participantId": other})).data == []


async def test_a_client_clock_far_ahead_of_the_servers_cannot_win_a_conflict(workflow):
    await workflow.flags(FlagKey.OFFLINE_MODE)
    await workflow.build(FLOW)
    pid, seen = await _entered(workflow)

    with pytest.raises(ValidationFailed) as refused:
        await workflow.call(contract.SYNC_OFFLINE_MUTATION, _mutation(pid, _now_ms() + 3_600_000))
    assert [e.loc for e in refused.value.errors] == [["body", "timestamp"]]
    assert (await workflow.progress(pid)).version == seen.version

    synced = await workflow.call(contract.SYNC_OFFLINE_MUTATION, _mutation(pid, _now_ms() + 30_000))  # a small lead
    assert synced.applied and synced.result.action == "APPROVE"


async def test_collect_and_scan_apply_without_a_change_and_other_entities_pass_unchecked(workflow):
    await workflow.flags(FlagKey.OFFLINE_MODE)
    await workflow.build(FLOW)
    pid, seen = await _entered(workflow)

    for kind in ("collect", "scan"):
        synced = await workflow.call(contract.SYNC_OFFLINE_MUTATION, _mutation(pid, _ms(seen) + 1, kind))
        assert (synced.success, synced.applied, synced.result) == (True, True, None)
    badge = {**_mutation(new_id(), 1), "entityType": "badge"}
    other = await workflow.call(contract.SYNC_OFFLINE_MUTATION, badge)
    assert (other.success, other.applied) == (True, False)

    assert (await workflow.progress(pid)).version == seen.version
    assert await workflow.events(contract.PARTICIPANT_STATUS_CHANGED) == []


async def test_offline_sync_needs_its_flag_and_the_permission_of_each_mutation(workflow):
    await workflow.build(FLOW)
    pid, seen = await _entered(workflow)
    with pytest.raises(FeatureDisabled):
        await workflow.call(contract.SYNC_OFFLINE_MUTATION, _mutation(pid, _ms(seen) + 1))

    await workflow.flags(FlagKey.OFFLINE_MODE)
    may_update = encode_grants([Grant("participant:update")])
    with pytest.raises(Forbidden, match="participant:approve"):
        await workflow.call(contract.SYNC_OFFLINE_MUTATION, _mutation(pid, _ms(seen) + 1), grants=may_update)
    assert (await workflow.progress(pid)).version == seen.version

    may_approve = encode_grants([Grant("participant:update"), Grant("participant:approve")])
    synced = await workflow.call(contract.SYNC_OFFLINE_MUTATION, _mutation(pid, _ms(seen) + 1), grants=may_approve)
    assert synced.applied and synced.result.action == "APPROVE"
