import pytest

from plenary_contracts.catalog import delegation as contract
from plenary_contracts.errors import BadRequest, NotFound
from plenary_contracts.flags import FlagContext, FlagKey
from plenary_kit.testing.flags import put_flag

from .conftest import OTHER_TENANT, TENANT, DelegationService, at_once, eventually


async def test_quota_of_3_with_5_invites_and_4_accepting_at_once_accepts_exactly_3(delegation: DelegationService):
    quota = await delegation.quota(3)
    tokens = [await delegation.invite(quota, f"d{n}@example.org") for n in range(5)]
    replies = await at_once(*(delegation.accept(token) for token in tokens[:4]))
    accepted = [r for r in replies if isinstance(r, contract.Acceptance)]
    refused = [r for r in replies if isinstance(r, BadRequest)]
    assert len(accepted) == 3 and len(refused) == 1, replies
    assert "full" in refused[0].message
    assert await delegation.used(quota.id) == 3
    assert len(await delegation.events(contract.INVITE_ACCEPTED)) == 3
    assert len(await delegation.events(contract.QUOTA_EXHAUSTED)) == 1


async def test_50_simultaneous_accepts_on_a_quota_of_10_accept_10_and_the_count_never_passes_max(
    delegation: DelegationService,
):
    quota = await delegation.quota(10)
    await delegation.quota(50)  # invites go out while there is room ...
    tokens = [await delegation.invite(quota, f"d{n}@example.org") for n in range(50)]
    await delegation.quota(10)  # ... then the quota is 10
    replies = await at_once(*(delegation.accept(token) for token in tokens))
    assert sum(isinstance(r, contract.Acceptance) for r in replies) == 10
    assert sum(isinstance(r, BadRequest) for r in replies) == 40, [
        r for r in replies if not isinstance(r, (contract.Acceptance, BadRequest))
    ]
    assert await delegation.used(quota.id) == 10
    changes = await delegation.events(contract.QUOTA_CHANGED)
    assert max(c["quota"]["usedCount"] for c in changes) == 10
    assert len(await delegation.events(contract.QUOTA_EXHAUSTED)) == 1


async def test_accepting_again_is_idempotent(delegation: DelegationService):
    quota = await delegation.quota(3)
    token = await delegation.invite(quota)
    first = await delegation.accept(token)
    again = await delegation.accept(token)
    assert (first.already_accepted, again.already_accepted) == (False, True)
    assert again.invite_id == first.invite_id and await delegation.used(quota.id) == 1


async def test_an_unknown_token_is_not_found(delegation: DelegationService):
    with pytest.raises(NotFound):
        await delegation.accept("0" * 64)


async def test_a_cancelled_invite_is_refused(delegation: DelegationService):
    quota = await delegation.quota(3)
    token = await delegation.invite(quota)
    await delegation.call(
        contract.CANCEL_INVITE, {"id": (await delegation.invite_row_by_email("delegate@example.org")).id}
    )
    with pytest.raises(BadRequest, match="cancelled"):
        await delegation.accept(token)


async def test_an_expired_invite_is_persisted_expired_then_refused(delegation: DelegationService):
    quota = await delegation.quota(3)
    token = await delegation.invite(quota)
    row = await delegation.invite_row_by_email("delegate@example.org")
    await delegation.expire_in_table(row.id)
    with pytest.raises(BadRequest, match="expired"):
        await delegation.accept(token)
    assert (await delegation.invite_row(row.id)).status == "EXPIRED"
    assert len(await delegation.events(contract.INVITE_EXPIRED)) == 1
    with pytest.raises(BadRequest, match="expired"):
        await delegation.accept(token)
    assert await delegation.used(quota.id) == 0


async def test_a_full_quota_refuses_the_next_acceptance(delegation: DelegationService):
    quota = await delegation.quota(1)
    first, second = await delegation.invite(quota, "a@example.org"), await delegation.invite(quota, "b@example.org")
    await delegation.accept(first)
    with pytest.raises(BadRequest, match="full"):
        await delegation.accept(second)


async def test_the_portal_flag_off_in_the_invites_tenant_makes_its_tokens_unknown(delegation: DelegationService):
    quota = await delegation.quota(1)
    token = await delegation.invite(quota)
    await put_flag(delegation.nc, FlagKey.DELEGATION_PORTAL, tenants=(OTHER_TENANT,))  # on elsewhere only

    await eventually(
        lambda: not delegation.runtime.flags.is_enabled(FlagKey.DELEGATION_PORTAL, FlagContext(tenant_id=TENANT))
    )
    with pytest.raises(NotFound):
        await delegation.accept(token)
