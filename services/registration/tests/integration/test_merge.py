"""Merging participants over the bus: field resolution, registration's rows re-pointed, one transaction,
the events other services re-point theirs on, refusals, concurrency, and the history of merges."""

import asyncio

import pytest
import sqlalchemy as sa
from registration_svc.adapters.tables import blocking_key, duplicate_candidate, participant, waitlist_entry
from registration_svc.application.merge import merge_participants

from plenary_contracts.access import Grant, encode_grants
from plenary_contracts.catalog import registration as contract
from plenary_contracts.enums import PermissionAccess, RoleScope
from plenary_contracts.errors import BadRequest, Forbidden, NotFound, ValidationFailed
from plenary_kit import context as ctx
from plenary_kit.ids import new_id

from .conftest import ADMIN, OTHER_TENANT, TENANT
from .screening_rows import an_event, insert_candidate, insert_participant, row_of

FIELDS = ({"name": "dietary", "dataType": "TEXT"}, {"name": "badgeName", "dataType": "TEXT"})


async def _register(registration, event, first="Ada", last="Lovelace", **fields) -> contract.Participant:
    body = {"eventId": event.id, "participantTypeId": event.type_id, "firstName": first, "lastName": last}
    return await registration.call(contract.REGISTER_PARTICIPANT, body | fields)


async def _merge(registration, survivor: str, merged: str, resolution=None, **context) -> contract.MergeResult:
    body = {"survivorId": survivor, "mergedId": merged, "fieldResolution": resolution or {}}
    return await registration.call(contract.MERGE_PARTICIPANTS, body, **context)


async def _keys(registration, pid: str) -> set[str]:
    rows = await registration.execute(sa.select(blocking_key.c.key).where(blocking_key.c.participant_id == pid))
    return set(rows.scalars())


async def _waitlist_entry(registration, event, pid: str | None, key: str) -> str:
    entry_id = new_id()
    await registration.execute(
        sa.insert(waitlist_entry).values(
            id=entry_id,
            tenant_id=TENANT,
            event_id=event.id,
            participant_id=pid,
            participant_type_id=event.type_id,
            applicant_key=key,
            position=1,
            status="PROMOTED",
            registration_data={},
        )
    )
    return entry_id


async def test_a_merge_keeps_the_survivor_with_the_chosen_fields_and_removes_the_duplicate(registration):
    event = await registration.seed_event(fields=FIELDS)
    survivor = await _register(
        registration,
        event,
        email="ada@old.example",
        organization="Analytical Engines",
        extras={"dietary": "veg", "badgeName": "Ada"},
    )
    duplicate = await _register(
        registration,
        event,
        email="ada@new.example",
        organization="Royal Society",
        jobTitle="Countess",
        extras={"dietary": "none", "passportNumber": "GB123"},
    )
    assert duplicate.flagged and duplicate.screening.risk == "WARN"
    (candidate,) = (await registration.call(contract.LIST_DUPLICATES, {"participantId": duplicate.id})).data

    result = await _merge(
        registration,
        survivor.id,
        duplicate.id,
        {"email": "merged", "jobTitle": "merged", "organization": "surviving", "passportNumber": "merged",
         "badgeName": "merged"},
    )  # fmt: skip

    kept = result.survivor
    assert (kept.id, kept.email, kept.organization, kept.job_title) == (
        survivor.id,
        "ada@new.example",
        "Analytical Engines",
        "Countess",
    )
    assert kept.extras == {"dietary": "veg", "passportNumber": "GB123"}  # badgeName: the duplicate had none
    assert kept.updated_at > survivor.updated_at and not kept.flagged
    history = result.history
    assert (history.surviving_id, history.merged_id, history.merged_by) == (survivor.id, duplicate.id, "admin-user")
    assert history.field_resolution["email"] == "merged" and history.approvals_migrated == 0

    with pytest.raises(NotFound):
        await registration.call(contract.GET_PARTICIPANT, {"eventId": event.id, "id": duplicate.id})
    fetched = await registration.call(contract.GET_PARTICIPANT, {"eventId": event.id, "id": survivor.id})
    assert fetched.email == "ada@new.example" and fetched.updated_at == kept.updated_at
    assert (await row_of(registration, duplicate_candidate, candidate.id)).status == "MERGED"
    keys = await _keys(registration, survivor.id)
    assert {"email:ada@new.example", "passport:gb123"} <= keys and "email:ada@old.example" not in keys
    assert await _keys(registration, duplicate.id) == set()

    updated = await registration.events(contract.PARTICIPANT_UPDATED)
    assert updated[-1]["participant"]["id"] == survivor.id
    assert updated[-1]["participant"]["email"] == "ada@new.example"
    (merged,) = await registration.events(contract.PARTICIPANT_MERGED)
    assert merged == {"survivorId": survivor.id, "mergedIds": [duplicate.id], "eventId": event.id}
    (freed,) = await registration.events(contract.SLOTS_FREED)
    assert (freed["triggerEntityId"], freed["reason"], freed["slots"]) == (duplicate.id, "merged", 1)
    assert freed["survivorId"] == survivor.id  # who keeps what the merged one held elsewhere (a delegation)

    (listed,) = (await registration.call(contract.LIST_MERGE_HISTORY, {})).data
    assert listed == history


async def test_a_merge_moves_the_waitlist_entry_and_the_duplicates_other_candidates_to_the_survivor(registration):
    event = an_event()
    survivor, duplicate, stranger, known = [
        await insert_participant(registration, event, first=name) for name in ("Ada", "Adah", "Eve", "Bob")
    ]
    entry = await _waitlist_entry(registration, event, duplicate, "adah")
    dismissed = await insert_candidate(registration, survivor, duplicate, event_id=event.id, status="NOT_DUPLICATE")
    moving = await insert_candidate(registration, duplicate, stranger, 0.8, event_id=event.id)
    staying = await insert_candidate(registration, duplicate, known, event_id=event.id)
    theirs = await insert_candidate(registration, survivor, known, event_id=event.id, status="NOT_DUPLICATE")

    result = await _merge(registration, survivor, duplicate)

    assert result.history.approvals_migrated == 2  # the waitlist entry and one candidate
    assert (await row_of(registration, waitlist_entry, entry)).participant_id == survivor
    moved = await row_of(registration, duplicate_candidate, moving)
    assert {moved.participant_a_id, moved.participant_b_id} == {survivor, stranger}
    assert moved.participant_a_id.encode() < moved.participant_b_id.encode() and moved.status == "PENDING_REVIEW"
    kept = await row_of(registration, duplicate_candidate, staying)  # the survivor already has that pair
    assert {kept.participant_a_id, kept.participant_b_id} == {duplicate, known}
    assert (await row_of(registration, duplicate_candidate, theirs)).status == "NOT_DUPLICATE"
    assert (await row_of(registration, duplicate_candidate, dismissed)).status == "NOT_DUPLICATE"
    assert result.survivor.flagged  # it inherited a candidate awaiting review
    assert result.survivor.extras == {} and result.survivor.first_name == "Ada"


async def test_when_both_wait_the_survivors_waitlist_entry_stays_its_own(registration):
    event = an_event()
    survivor, duplicate = [await insert_participant(registration, event) for _ in range(2)]
    mine = await _waitlist_entry(registration, event, survivor, "mine")
    theirs = await _waitlist_entry(registration, event, duplicate, "theirs")
    confirmed = await insert_candidate(
        registration, survivor, duplicate, event_id=event.id, status="CONFIRMED_DUPLICATE"
    )

    result = await _merge(registration, survivor, duplicate)

    assert result.history.approvals_migrated == 0
    assert (await row_of(registration, waitlist_entry, mine)).participant_id == survivor
    assert (await row_of(registration, waitlist_entry, theirs)).participant_id == duplicate
    assert (await row_of(registration, duplicate_candidate, confirmed)).status == "MERGED"


async def test_a_merge_refuses_itself_strangers_other_events_and_unknown_fields(registration):
    event, other_event, theirs_event = an_event(), an_event(), an_event(OTHER_TENANT)
    ada, adah = [await insert_participant(registration, event, extras={"badge": "A"}) for _ in range(2)]
    elsewhere = await insert_participant(registration, other_event)
    foreign = await insert_participant(registration, theirs_event)
    gone = await insert_participant(registration, event, deleted_at=sa.func.now())

    with pytest.raises(BadRequest):
        await _merge(registration, ada, ada)
    with pytest.raises(BadRequest):
        await _merge(registration, ada, elsewhere)
    for survivor, merged in ((ada, foreign), (foreign, ada), (ada, gone), (ada, "missing")):
        with pytest.raises(NotFound):
            await _merge(registration, survivor, merged)
    with pytest.raises(ValidationFailed) as unknown:
        await _merge(registration, ada, adah, {"email": "merged", "badge": "merged", "shoeSize": "merged"})
    assert [e.loc for e in unknown.value.errors] == [["fieldResolution", "shoeSize"]]
    with pytest.raises(ValidationFailed):  # only surviving or merged; sent unchecked
        unchecked = contract.MergeParticipants.model_construct(
            survivor_id=ada, merged_id=adah, field_resolution={"email": "both"}
        )
        await registration.call(contract.MERGE_PARTICIPANTS, unchecked)
    with pytest.raises(Forbidden):  # an event-scoped reviewer of another event
        scoped = encode_grants([Grant("duplicates:review", PermissionAccess.ANY, RoleScope.EVENT, other_event.id)])
        await _merge(registration, ada, adah, grants=scoped)

    for pid in (ada, adah):
        row = await row_of(registration, participant, pid)
        assert row.deleted_at is None and row.extras == {"badge": "A"}
    assert await registration.events(contract.PARTICIPANT_MERGED) == []
    assert (await registration.call(contract.LIST_MERGE_HISTORY, {})).data == []


async def test_opposite_merges_at_the_same_time_do_not_deadlock_and_one_wins(registration):
    """Two replicas merging A into B and B into A at once: driven straight through the use case, since one
    process serves an operation's requests one after another."""
    event = an_event()
    pairs = [[await insert_participant(registration, event) for _ in range(2)] for _ in range(3)]

    async def merge_in_own_transaction(survivor: str, merged: str) -> contract.MergeResult:
        token = ctx.use(ctx.Context(tenant_id=TENANT, actor_id=ADMIN))
        try:
            async with registration.runtime.uow() as uow:
                body = contract.MergeParticipants(survivor_id=survivor, merged_id=merged)
                result = await merge_participants(body, uow)
                await asyncio.sleep(0.05)  # hold the locks a while so the opposite merge runs into them
                await uow.commit()
                return result
        finally:
            ctx.reset(token)

    outcomes = await asyncio.gather(
        *(merge_in_own_transaction(a, b) for a, b in pairs),
        *(merge_in_own_transaction(b, a) for a, b in pairs),
        return_exceptions=True,
    )

    for index in range(len(pairs)):
        both = [outcomes[index], outcomes[index + len(pairs)]]
        assert sum(isinstance(o, contract.MergeResult) for o in both) == 1, both
        assert sum(isinstance(o, NotFound) for o in both) == 1, both
    assert len((await registration.call(contract.LIST_MERGE_HISTORY, {})).data) == len(pairs)


async def test_the_merge_history_lists_latest_first_by_participant_and_pages_by_25(registration):
    event = an_event()
    survivor = await insert_participant(registration, event)
    merged = [await insert_participant(registration, event) for _ in range(3)]
    for pid in merged:
        await _merge(registration, survivor, pid)
    other = await insert_participant(registration, event)
    last = await _merge(registration, other, await insert_participant(registration, event))

    page = await registration.call(contract.LIST_MERGE_HISTORY, {})
    assert page.meta.page_size == 25 and page.meta.total == 4 and page.data[0] == last.history
    of_survivor = await registration.call(contract.LIST_MERGE_HISTORY, {"participantId": survivor})
    assert [h.merged_id for h in of_survivor.data] == merged[::-1]
    of_one = await registration.call(contract.LIST_MERGE_HISTORY, {"participantId": merged[0], "sort": "mergedAt:asc"})
    assert [h.surviving_id for h in of_one.data] == [survivor]
    assert (await registration.call(contract.LIST_MERGE_HISTORY, {}, tenant=OTHER_TENANT)).data == []
    with pytest.raises(ValidationFailed):
        await registration.call(contract.LIST_MERGE_HISTORY, {"sort": "createdAt:desc"})
