"""A candidate found through its blocking keys carries the passport, phone and birth date screening reads
from its stored extras, whatever JSON they were stored as."""

import sqlalchemy as sa
from registration_svc.adapters import screening_repository
from registration_svc.adapters.tables import blocking_key, participant

from .conftest import TENANT
from .screening_rows import an_event, insert_participant

KEY = "email:shared@example.org"
EXTRAS = [
    {"passportNumber": "X1234567", "phone": "+41 79 000 00 00", "dateOfBirth": "1990-02-03"},
    {"passportNumber": 12345678, "phone": 41790000000, "dateOfBirth": 1.5e3},
    {"passportNumber": True, "phone": False, "dateOfBirth": None},
    {"passportNumber": {"nested": 1}, "phone": ["+41"], "dateOfBirth": ""},
    {"passportNumber": 'quote " and \\ backslash', "phone": "é ☎"},
    {},
]


async def test_a_candidate_carries_the_extras_its_stored_row_gives_whatever_their_json_type(registration):
    event = an_event()
    ids = [await insert_participant(registration, event, extras=extras) for extras in EXTRAS]
    await registration.execute(
        sa.insert(blocking_key),
        [{"participant_id": pid, "tenant_id": TENANT, "event_id": event.id, "key": KEY} for pid in ids],
    )
    stored = await registration.execute(sa.select(participant).where(participant.c.id.in_(ids)))
    expected = {row.id: screening_repository.person_of(row) for row in stored}

    async with registration.runtime.uow().for_reading() as uow:
        found = await screening_repository.find_candidates(uow.session, TENANT, [event.id], {0: [KEY]})

    assert {c.candidate.id: c.candidate for c in found} == expected
    assert expected[ids[1]].passport == "12345678" and expected[ids[2]].phone == "False"
