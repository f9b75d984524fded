"""Every route keyed by an event answers 404 for an event the caller's tenant does not have (another
tenant's, or made up), never an empty page or a zero count that would confirm nothing and hide the
caller's mistake."""

import pytest

from plenary_contracts.catalog import registration as contract
from plenary_contracts.errors import NotFound
from plenary_contracts.flags import FlagKey

from .bulk_support import csv_bytes, upload
from .conftest import OTHER_TENANT

EVENT_KEYED = (
    contract.LIST_PARTICIPANTS,
    contract.LIST_WAITLIST,
    contract.WAITLIST_STATS,
    contract.LIST_BULK_OPERATIONS,
    contract.EXPORT_PARTICIPANTS,
)


@pytest.fixture
async def foreign_event(registration):  # type: ignore[no-untyped-def]
    """An event of another tenant, with flags on for the caller's tenant."""
    await registration.flags(FlagKey.WAITLIST, FlagKey.BULK_OPERATIONS)
    return await registration.seed_event(tenant=OTHER_TENANT)


async def test_every_event_keyed_route_is_not_found_for_another_tenants_event_or_a_made_up_one(
    registration, foreign_event
):
    answered = []
    for event_id in (foreign_event.id, "no-such-event"):
        for spec in EVENT_KEYED:
            try:
                await registration.call(spec, {"eventId": event_id})
                answered.append((spec.name, event_id))
            except NotFound:
                pass
    assert answered == []


async def test_an_import_into_another_tenants_event_is_not_found(registration, foreign_event):
    stored = await upload(registration, csv_bytes([["First Name", "Last Name"], ["Ada", "Lovelace"]]))
    for event_id in (foreign_event.id, "no-such-event"):
        with pytest.raises(NotFound):
            await registration.call(
                contract.CREATE_IMPORT, {"eventId": event_id, "file": stored.model_dump(mode="json")}
            )


async def test_the_same_routes_answer_the_owning_tenant(registration, foreign_event):
    await registration.flags(FlagKey.WAITLIST, FlagKey.BULK_OPERATIONS, tenant=OTHER_TENANT)
    for spec in EVENT_KEYED:
        await registration.call(spec, {"eventId": foreign_event.id}, tenant=OTHER_TENANT)
