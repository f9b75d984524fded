"""Blacklist entries over the bus: tenant and global entries, who may change which, If-Match, listing."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from registration_svc.adapters.tables import blacklist

from plenary_contracts.access import etag_of
from plenary_contracts.catalog import registration as contract
from plenary_contracts.errors import NotFound, PreconditionFailed, ValidationFailed
from plenary_kit.ids import new_id

from .conftest import OTHER_TENANT, TENANT

GLOBAL_ADMIN = {"tenant": None}  # a global admin acting without X-Tenant-Id


async def _entry(registration, body=None, **context) -> contract.BlacklistEntry:
    body = body or {"name": "Viktor Bout", "reason": "sanctions list"}
    return await registration.call(contract.CREATE_BLACKLIST_ENTRY, body, **context)


async def test_a_tenant_adds_an_entry_of_its_own_with_name_variations_sent_comma_separated(registration):
    entry = await _entry(
        registration,
        {
            "type": "INDIVIDUAL",
            "name": "Viktor Bout",
            "nameVariations": "Victor But, Viktor Butt , ,",
            "passportNumber": " AB123456 ",
            "email": "viktor@example.org",
            "dateOfBirth": "1967-01-13",
            "reason": "sanctions list",
            "source": "UN",
            "expiresAt": "2030-01-01T00:00:00Z",
        },
    )
    assert entry.tenant_id == TENANT and entry.added_by == "admin-user" and entry.is_active
    assert entry.name_variations == ["Victor But", "Viktor Butt"] and entry.passport_number == "AB123456"
    assert entry.expires_at == datetime(2030, 1, 1, tzinfo=UTC)
    as_list = await _entry(registration, {"nameVariations": ["V. Bout"], "reason": "r"})
    assert as_list.name_variations == ["V. Bout"] and as_list.type == "INDIVIDUAL"

    assert await registration.call(contract.GET_BLACKLIST_ENTRY, {"id": entry.id}) == entry
    created = await registration.events(contract.BLACKLIST_ENTRY_CREATED)
    assert [e["entry"]["id"] for e in created] == [entry.id, as_list.id]
    assert created[0]["entry"]["nameVariations"] == ["Victor But", "Viktor Butt"]


async def test_an_entry_must_name_whom_it_screens_and_give_a_reason(registration):
    with pytest.raises(ValidationFailed) as nobody:
        await _entry(registration, {"reason": "no one in particular", "nationality": "XX", "nameVariations": " , "})
    assert ["passportNumber"] in [e.loc for e in nobody.value.errors]
    for fields in (  # sent unchecked, as a client that skipped validation would
        {"name": "Somebody"},
        {"name": "Somebody", "reason": "  "},
        {"email": "not-an-address", "reason": "r"},
    ):
        with pytest.raises(ValidationFailed):
            await _entry(registration, contract.CreateBlacklistEntry.model_construct(**fields))
    assert await registration.events(contract.BLACKLIST_ENTRY_CREATED) == []


async def test_a_global_admin_without_a_tenant_manages_global_entries_every_tenant_reads(registration):
    shared = await _entry(registration, {"passportNumber": "G1", "reason": "interpol"}, **GLOBAL_ADMIN)
    assert shared.tenant_id is None
    mine = await _entry(registration, {"email": "a@example.org", "reason": "r"})
    theirs = await _entry(registration, {"email": "b@example.org", "reason": "r"}, tenant=OTHER_TENANT)

    async def listed(scope: str = "all", **context) -> list[str]:
        page = await registration.call(contract.LIST_BLACKLIST, {"scope": scope, "sort": "createdAt:asc"}, **context)
        return [e.id for e in page.data]

    assert await listed() == [shared.id, mine.id]
    assert await listed("tenant") == [mine.id] and await listed("global") == [shared.id]
    assert await listed(tenant=OTHER_TENANT) == [shared.id, theirs.id]
    assert await listed(**GLOBAL_ADMIN) == [shared.id] and await listed("tenant", **GLOBAL_ADMIN) == []
    assert (await registration.call(contract.GET_BLACKLIST_ENTRY, {"id": shared.id})).tenant_id is None
    with pytest.raises(NotFound):  # a global admin without a tenant reads the global entries only
        await registration.call(contract.GET_BLACKLIST_ENTRY, {"id": mine.id}, **GLOBAL_ADMIN)

    (event,) = [e for e in await registration.events(contract.BLACKLIST_ENTRY_CREATED) if e["entry"]["id"] == shared.id]
    assert event["entry"]["tenantId"] is None


async def test_a_tenant_can_neither_change_nor_delete_a_global_entry(registration):
    shared = await _entry(registration, {"name": "Global Person", "reason": "interpol"}, **GLOBAL_ADMIN)
    with pytest.raises(NotFound):
        await registration.call(contract.UPDATE_BLACKLIST_ENTRY, {"id": shared.id, "isActive": False})
    with pytest.raises(NotFound):
        await registration.call(contract.DELETE_BLACKLIST_ENTRY, {"id": shared.id})
    assert (await registration.call(contract.GET_BLACKLIST_ENTRY, {"id": shared.id})).is_active

    changed = await registration.call(
        contract.UPDATE_BLACKLIST_ENTRY, {"id": shared.id, "isActive": False}, **GLOBAL_ADMIN
    )
    assert not changed.is_active and changed.tenant_id is None
    await registration.call(contract.DELETE_BLACKLIST_ENTRY, {"id": shared.id}, **GLOBAL_ADMIN)
    with pytest.raises(NotFound):
        await registration.call(contract.GET_BLACKLIST_ENTRY, {"id": shared.id})


async def test_another_tenants_entry_is_not_found(registration):
    theirs = await _entry(registration, tenant=OTHER_TENANT)
    for spec, body in [
        (contract.GET_BLACKLIST_ENTRY, {"id": theirs.id}),
        (contract.UPDATE_BLACKLIST_ENTRY, {"id": theirs.id, "reason": "mine now"}),
        (contract.DELETE_BLACKLIST_ENTRY, {"id": theirs.id}),
    ]:
        with pytest.raises(NotFound):
            await registration.call(spec, body)
    with pytest.raises(NotFound):  # nor may a global admin change a tenant's entry
        await registration.call(contract.UPDATE_BLACKLIST_ENTRY, {"id": theirs.id, "reason": "x"}, **GLOBAL_ADMIN)
    assert (await registration.call(contract.LIST_BLACKLIST, {})).data == []


async def test_an_update_honours_if_match_deactivates_and_clears_fields(registration):
    entry = await _entry(registration, {"name": "Viktor Bout", "email": "v@example.org", "reason": "r"})
    with pytest.raises(PreconditionFailed):
        await registration.call(contract.UPDATE_BLACKLIST_ENTRY, {"id": entry.id, "isActive": False}, if_match='"1"')
    changed = await registration.call(
        contract.UPDATE_BLACKLIST_ENTRY,
        {"id": entry.id, "isActive": False, "email": None, "nameVariations": "V Bout,Bout V", "reason": None},
        if_match=etag_of(entry.updated_at),
    )
    assert (changed.is_active, changed.email, changed.name_variations) == (False, None, ["V Bout", "Bout V"])
    assert changed.reason == "r" and changed.name == "Viktor Bout"  # a null reason is left alone, never cleared
    assert changed.updated_at > entry.updated_at
    with pytest.raises(PreconditionFailed):  # the old version is stale now
        await registration.call(
            contract.UPDATE_BLACKLIST_ENTRY, {"id": entry.id, "isActive": True}, if_match=etag_of(entry.updated_at)
        )

    with pytest.raises(ValidationFailed):  # nothing left that says whom it screens
        await registration.call(contract.UPDATE_BLACKLIST_ENTRY, {"id": entry.id, "name": None, "nameVariations": []})
    again = await registration.call(contract.UPDATE_BLACKLIST_ENTRY, {"id": entry.id, "isActive": True})
    assert again.is_active and again.name == "Viktor Bout"

    updates = await registration.events(contract.BLACKLIST_ENTRY_UPDATED)
    assert [u["entry"]["isActive"] for u in updates] == [False, True]


async def test_deleting_an_entry_removes_it_and_says_so(registration):
    entry = await _entry(registration)
    assert await registration.call(contract.DELETE_BLACKLIST_ENTRY, {"id": entry.id}) == contract.BlacklistRef(
        id=entry.id
    )
    with pytest.raises(NotFound):
        await registration.call(contract.DELETE_BLACKLIST_ENTRY, {"id": entry.id})
    (deleted,) = await registration.events(contract.BLACKLIST_ENTRY_DELETED)
    assert deleted["entry"]["id"] == entry.id and deleted["entry"]["name"] == "Viktor Bout"


async def test_the_list_filters_by_type_activity_and_text_and_pages_by_25(registration):
    now = datetime.now(UTC)
    rows = [
        {
            "id": new_id(),
            "tenant_id": TENANT,
            "type": "INDIVIDUAL",
            "name": f"Person {i:02}",
            "reason": "r",
            "added_by": "admin-user",
            "created_at": now - timedelta(minutes=5) + timedelta(seconds=i),
            "updated_at": now,
        }
        for i in range(26)
    ]
    await registration.execute(sa.insert(blacklist).values(rows))
    org = await _entry(registration, {"type": "ORGANIZATION", "organization": "Shell Co 100%", "reason": "r"})
    alias = await _entry(registration, {"nameVariations": ["Doctor_Evil"], "passportNumber": "ZZ-9", "reason": "r"})
    await registration.call(contract.UPDATE_BLACKLIST_ENTRY, {"id": alias.id, "isActive": False})

    first = await registration.call(contract.LIST_BLACKLIST, {})
    assert (first.meta.page_size, first.meta.total, first.meta.total_pages) == (25, 28, 2)
    assert first.data[0].id == alias.id  # newest first
    last = await registration.call(contract.LIST_BLACKLIST, {"page": 2, "sort": "name:asc"})
    assert len(last.data) == 3

    async def found(**query) -> list[str]:
        return [e.id for e in (await registration.call(contract.LIST_BLACKLIST, query)).data]

    assert await found(type="ORGANIZATION") == [org.id]
    assert await found(isActive=False) == [alias.id]
    assert len(await found(isActive=True, pageSize=100)) == 27
    assert await found(q="doctor_e") == [alias.id]  # a name variation; `_` matches itself only
    assert await found(q="zz-9") == [alias.id] and await found(q="doctor%") == []
    assert await found(q="co 100%") == [org.id]
    assert await found(q="person 07") == [rows[7]["id"]]
    with pytest.raises(ValidationFailed):
        await registration.call(contract.LIST_BLACKLIST, {"sort": "reason:asc"})
    with pytest.raises(ValidationFailed):
        await registration.call(contract.LIST_BLACKLIST, contract.ListBlacklist.model_construct(scope="everyone"))
