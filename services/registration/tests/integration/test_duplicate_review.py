"""Duplicate candidates over the bus: listing best score first, reviewing, and the participant's flag."""

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from registration_svc.adapters.tables import duplicate_candidate, participant

from plenary_contracts.catalog import registration as contract
from plenary_contracts.errors import BadRequest, NotFound, ValidationFailed

from .conftest import OTHER_TENANT
from .screening_rows import an_event, insert_candidate, insert_participant, row_of


async def test_candidates_list_best_score_first_and_filter_by_event_status_and_participant(registration):
    event, other_event = an_event(), an_event()
    ada, lovelace, byron = [await insert_participant(registration, event) for _ in range(3)]
    elsewhere = [await insert_participant(registration, other_event) for _ in range(2)]
    low = await insert_candidate(registration, ada, lovelace, 0.72, event_id=event.id, age=30)
    high = await insert_candidate(registration, ada, byron, 0.95, event_id=event.id, age=20)
    done = await insert_candidate(registration, lovelace, byron, 0.8, event_id=event.id, status="NOT_DUPLICATE", age=10)
    far = await insert_candidate(registration, *elsewhere, 0.9, event_id=other_event.id)

    async def listed(**query) -> list[str]:
        return [c.id for c in (await registration.call(contract.LIST_DUPLICATES, query)).data]

    page = await registration.call(contract.LIST_DUPLICATES, {})
    assert [c.id for c in page.data] == [high, far, done, low] and page.meta.page_size == 25
    first = page.data[0]
    assert (first.confidence_score, first.status, first.event_id) == (0.95, "PENDING_REVIEW", event.id)
    assert first.match_fields[0].match_type == "exact" and first.reviewed_by is None
    assert await listed(eventId=event.id, status="PENDING_REVIEW") == [high, low]
    assert await listed(participantId=byron) == [high, done]
    assert await listed(participantId=lovelace, sort="createdAt:asc") == [low, done]
    assert await listed(pageSize=2, page=2) == [done, low]
    with pytest.raises(ValidationFailed):
        await registration.call(contract.LIST_DUPLICATES, {"sort": "status:asc"})
    assert (await registration.call(contract.LIST_DUPLICATES, {}, tenant=OTHER_TENANT)).data == []


async def test_a_pair_with_a_deleted_participant_is_no_longer_listed_unless_merged(registration):
    event = an_event()
    kept, deleted, survivor = [await insert_participant(registration, event) for _ in range(3)]
    merged_away = await insert_participant(registration, event, deleted_at=datetime.now(UTC))
    await registration.execute(
        sa.update(participant).where(participant.c.id == deleted).values(deleted_at=datetime.now(UTC))
    )
    await insert_candidate(registration, kept, deleted, event_id=event.id)
    history = await insert_candidate(registration, survivor, merged_away, event_id=event.id, status="MERGED")
    live = await insert_candidate(registration, kept, survivor, event_id=event.id)

    listed = await registration.call(contract.LIST_DUPLICATES, {})

    assert sorted(c.id for c in listed.data) == sorted([history, live])


async def test_the_flag_clears_once_none_of_a_participants_candidates_awaits_review(registration):
    event = an_event()
    newcomer = await insert_participant(registration, event, flagged=True)
    one, two = [await insert_participant(registration, event) for _ in range(2)]
    first = await insert_candidate(registration, newcomer, one, event_id=event.id)
    second = await insert_candidate(registration, newcomer, two, event_id=event.id)

    confirmed = await registration.call(
        contract.REVIEW_DUPLICATE, {"id": first, "status": "CONFIRMED_DUPLICATE", "notes": "same passport photo"}
    )
    assert (confirmed.status, confirmed.review_notes, confirmed.reviewed_by) == (
        "CONFIRMED_DUPLICATE",
        "same passport photo",
        "admin-user",
    )
    assert confirmed.reviewed_at is not None and confirmed.updated_at >= confirmed.reviewed_at
    assert (await row_of(registration, participant, newcomer)).flagged  # the second still waits

    dismissed = await registration.call(contract.REVIEW_DUPLICATE, {"id": second, "status": "NOT_DUPLICATE"})
    assert dismissed.status == "NOT_DUPLICATE" and dismissed.review_notes is None
    assert not (await row_of(registration, participant, newcomer)).flagged


async def test_a_verdict_may_be_revised_until_the_pair_is_merged(registration):
    event = an_event()
    a, b = [await insert_participant(registration, event) for _ in range(2)]
    candidate = await insert_candidate(registration, a, b, event_id=event.id)
    await registration.call(contract.REVIEW_DUPLICATE, {"id": candidate, "status": "NOT_DUPLICATE", "notes": "twins"})
    revised = await registration.call(contract.REVIEW_DUPLICATE, {"id": candidate, "status": "CONFIRMED_DUPLICATE"})
    assert revised.status == "CONFIRMED_DUPLICATE" and revised.review_notes is None

    merged = await insert_candidate(
        registration, *[await insert_participant(registration, event) for _ in range(2)], status="MERGED"
    )
    with pytest.raises(BadRequest):
        await registration.call(contract.REVIEW_DUPLICATE, {"id": merged, "status": "NOT_DUPLICATE"})
    assert (await row_of(registration, duplicate_candidate, merged)).status == "MERGED"


async def test_a_review_names_a_verdict_and_only_the_tenants_own_candidate(registration):
    event = an_event(OTHER_TENANT)
    a, b = [await insert_participant(registration, event) for _ in range(2)]
    theirs = await insert_candidate(registration, a, b, tenant_id=OTHER_TENANT, event_id=event.id)
    with pytest.raises(NotFound):
        await registration.call(contract.REVIEW_DUPLICATE, {"id": theirs, "status": "NOT_DUPLICATE"})
    with pytest.raises(NotFound):
        await registration.call(contract.REVIEW_DUPLICATE, {"id": "missing", "status": "NOT_DUPLICATE"})
    for status in ("PENDING_REVIEW", "MERGED"):
        with pytest.raises(ValidationFailed):
            await registration.call(
                contract.REVIEW_DUPLICATE, contract.ReviewDuplicate.model_construct(id=theirs, status=status)
            )
    assert (await row_of(registration, duplicate_candidate, theirs)).status == "PENDING_REVIEW"
