import pytest

from plenary_contracts.catalog import delegation as contract
from plenary_contracts.errors import BadRequest, FeatureDisabled, NotFound, ValidationFailed
from plenary_contracts.flags import FlagKey

from .conftest import EVENT, ORG, OTHER_TENANT, DelegationService


async def test_an_organisation_gets_a_quota_at_an_event_and_resizing_keeps_one_quota(delegation: DelegationService):
    created = await delegation.quota(3)
    assert (created.event_id, created.organization_id, created.max_participants, created.used_count) == (
        EVENT,
        ORG,
        3,
        0,
    )
    resized = await delegation.quota(5)
    assert resized.id == created.id and resized.max_participants == 5
    changed = await delegation.events(contract.QUOTA_CHANGED)
    assert [c["quota"]["maxParticipants"] for c in changed] == [3, 5]


async def test_a_quota_for_an_unknown_or_another_tenants_event_is_refused_on_the_field(delegation: DelegationService):
    with pytest.raises(ValidationFailed) as refused:
        await delegation.quota(3, event="no-such-event")
    assert refused.value.errors[0].loc == ["eventId"]
    await delegation.seed_event("event-b", tenant=OTHER_TENANT)
    with pytest.raises(ValidationFailed):
        await delegation.quota(3, event="event-b")


async def test_a_quota_is_never_lowered_below_its_places_in_use(delegation: DelegationService):
    quota = await delegation.quota(2)
    await delegation.accept(await delegation.invite(quota, "a@example.org"))
    await delegation.accept(await delegation.invite(quota, "b@example.org"))
    with pytest.raises(BadRequest):
        await delegation.quota(1)
    assert (await delegation.quota(2)).used_count == 2


async def test_quotas_list_with_invite_counts_by_organisation(delegation: DelegationService):
    ghana = await delegation.quota(3)
    await delegation.quota(4, org="org-peru")
    await delegation.invite(ghana, "a@example.org")
    await delegation.accept(await delegation.invite(ghana, "b@example.org"))
    page = await delegation.call(contract.LIST_QUOTAS, {"organizationId": ORG})
    (only,) = page.data
    assert only.id == ghana.id
    assert only.invite_counts == {"PENDING": 1, "ACCEPTED": 1, "EXPIRED": 0, "CANCELLED": 0}
    assert (await delegation.call(contract.LIST_QUOTAS, {"eventId": EVENT})).meta.total == 2


async def test_a_quota_is_read_with_its_invites_newest_first(delegation: DelegationService):
    quota = await delegation.quota(3)
    for email in ("first@example.org", "second@example.org", "third@example.org"):
        await delegation.invite(quota, email)
    detail = await delegation.call(contract.GET_QUOTA, {"id": quota.id})
    assert [i.email for i in detail.invites] == ["third@example.org", "second@example.org", "first@example.org"]


async def test_another_tenants_quota_is_not_found(delegation: DelegationService):
    quota = await delegation.quota(3)
    await delegation.flags(FlagKey.DELEGATION_PORTAL, tenant=OTHER_TENANT)
    for spec in (contract.GET_QUOTA, contract.DELETE_QUOTA):
        with pytest.raises(NotFound):
            await delegation.call(spec, {"id": quota.id}, tenant=OTHER_TENANT)


async def test_the_portal_flag_off_hides_quotas(delegation: DelegationService):
    with pytest.raises(FeatureDisabled):
        await delegation.call(contract.LIST_QUOTAS, {}, tenant=OTHER_TENANT)


async def test_a_quota_with_an_accepted_invite_is_not_deleted_until_it_is_cancelled(delegation: DelegationService):
    quota = await delegation.quota(3)
    token = await delegation.invite(quota)
    accepted = await delegation.accept(token)
    await delegation.invite(quota, "pending@example.org")
    with pytest.raises(BadRequest):
        await delegation.call(contract.DELETE_QUOTA, {"id": quota.id})
    await delegation.call(contract.CANCEL_INVITE, {"id": accepted.invite_id})
    await delegation.call(contract.DELETE_QUOTA, {"id": quota.id})
    with pytest.raises(NotFound):
        await delegation.call(contract.GET_QUOTA, {"id": quota.id})
    (deleted,) = await delegation.events(contract.QUOTA_DELETED)
    assert deleted["quota"]["id"] == quota.id


async def test_warning_at_80_percent_and_exhausted_at_100_are_announced_once_per_crossing(
    delegation: DelegationService,
):
    quota = await delegation.quota(5)
    tokens = [await delegation.invite(quota, f"d{n}@example.org") for n in range(5)]
    for token in tokens[:4]:
        await delegation.accept(token)
    assert len(await delegation.events(contract.QUOTA_WARNING)) == 1  # at 4 of 5
    assert await delegation.events(contract.QUOTA_EXHAUSTED) == []
    await delegation.accept(tokens[4])
    assert len(await delegation.events(contract.QUOTA_EXHAUSTED)) == 1
    await delegation.accept(tokens[4])  # accepted again: idempotent, nothing crosses
    assert len(await delegation.events(contract.QUOTA_EXHAUSTED)) == 1
    invite_id = (await delegation.invite_row_by_email("d0@example.org")).id
    await delegation.call(contract.CANCEL_INVITE, {"id": invite_id})  # 4 of 5: still above 80 %
    await delegation.quota(6)  # 4 of 6: below
    await delegation.quota(4)  # 4 of 4: both crossed again
    assert len(await delegation.events(contract.QUOTA_WARNING)) == 2
    assert len(await delegation.events(contract.QUOTA_EXHAUSTED)) == 2
