import asyncio

import pytest
import sqlalchemy as sa
from delegation_svc.adapters.tables import delegation_invite
from delegation_svc.application.invites import Invites, invite_sealer
from delegation_svc.bootstrap import SERVICE as DELEGATION
from delegation_svc.domain.tokens import token_hash

from plenary_contracts.catalog import delegation as contract
from plenary_contracts.errors import BadRequest, NotFound
from plenary_contracts.flags import FlagKey
from plenary_kit.service import Runtime

from .conftest import OTHER_TENANT, DelegationService, eventually


async def test_tokens_are_not_stored_in_clear_only_their_hash(delegation: DelegationService):
    quota = await delegation.quota(3)
    token = await delegation.invite(quota)
    stored = await delegation.scalar(sa.select(delegation_invite.c.token))
    assert stored != token and stored == token_hash(token)
    tokens_in_table = await delegation.scalar(
        sa.select(sa.func.count()).where(sa.cast(delegation_invite.c.token, sa.Text).contains(token))
    )
    assert tokens_in_table == 0
    (sent,) = await delegation.events(contract.INVITE_SENT)
    assert token not in str(sent)  # the event carries it sealed, for comms' e-mail only
    assert "token" not in sent["invite"]


async def test_an_invite_is_not_sent_against_a_full_quota(delegation: DelegationService):
    quota = await delegation.quota(1)
    await delegation.accept(await delegation.invite(quota))
    with pytest.raises(BadRequest):
        await delegation.call(contract.SEND_INVITE, {"quotaId": quota.id, "email": "late@example.org"})


async def test_pending_invites_hold_no_place(delegation: DelegationService):
    quota = await delegation.quota(2)
    for n in range(5):
        await delegation.invite(quota, f"d{n}@example.org")
    assert await delegation.used(quota.id) == 0


async def test_resending_gives_a_new_link_and_expiry_and_the_old_link_stops_working(delegation: DelegationService):
    quota = await delegation.quota(2)
    old = await delegation.invite(quota, expiresInDays=1)
    invite_id = (await delegation.invite_row_by_email("delegate@example.org")).id
    before = (await delegation.invite_row(invite_id)).expires_at
    resent = await delegation.call(contract.RESEND_INVITE, {"id": invite_id})
    assert resent.expires_at > before
    new = await delegation.token_of(invite_id)
    assert new != old
    with pytest.raises(NotFound):
        await delegation.accept(old)
    assert (await delegation.accept(new)).status == "ACCEPTED"
    with pytest.raises(BadRequest):  # PENDING only
        await delegation.call(contract.RESEND_INVITE, {"id": invite_id})


async def test_cancelling_an_accepted_invite_gives_its_place_back_and_a_pending_one_leaves_the_count(
    delegation: DelegationService,
):
    quota = await delegation.quota(2)
    accepted = await delegation.accept(await delegation.invite(quota, "a@example.org"))
    await delegation.invite(quota, "p@example.org")
    pending_id = (await delegation.invite_row_by_email("p@example.org")).id
    assert await delegation.used(quota.id) == 1
    await delegation.call(contract.CANCEL_INVITE, {"id": pending_id})
    assert await delegation.used(quota.id) == 1
    cancelled = await delegation.call(contract.CANCEL_INVITE, {"id": accepted.invite_id})
    assert cancelled.status == "CANCELLED" and await delegation.used(quota.id) == 0
    assert (await delegation.events(contract.QUOTA_CHANGED))[-1]["freed"] == 1
    with pytest.raises(BadRequest):
        await delegation.call(contract.CANCEL_INVITE, {"id": accepted.invite_id})


async def test_invites_list_newest_first_by_organisation_and_status(delegation: DelegationService):
    ghana, peru = await delegation.quota(3), await delegation.quota(3, org="org-peru")
    await delegation.invite(ghana, "g1@example.org")
    await delegation.invite(ghana, "g2@example.org")
    await delegation.accept(await delegation.invite(peru, "p1@example.org"))
    listed = await delegation.call(contract.LIST_INVITES, {"organizationId": "org-ghana"})
    assert [i.email for i in listed.data] == ["g2@example.org", "g1@example.org"]
    accepted = await delegation.call(contract.LIST_INVITES, {"status": "ACCEPTED"})
    assert [(i.email, i.organization_id) for i in accepted.data] == [("p1@example.org", "org-peru")]


async def test_another_tenants_invite_is_not_found(delegation: DelegationService):
    quota = await delegation.quota(3)
    await delegation.invite(quota)
    invite_id = (await delegation.invite_row_by_email("delegate@example.org")).id
    await delegation.flags(FlagKey.DELEGATION_PORTAL, tenant=OTHER_TENANT)
    for spec in (contract.CANCEL_INVITE, contract.RESEND_INVITE):
        with pytest.raises(NotFound):
            await delegation.call(spec, {"id": invite_id}, tenant=OTHER_TENANT)
    with pytest.raises(NotFound):
        await delegation.call(
            contract.SEND_INVITE, {"quotaId": quota.id, "email": "x@example.org"}, tenant=OTHER_TENANT
        )
    assert (await delegation.call(contract.LIST_INVITES, {}, tenant=OTHER_TENANT)).meta.total == 0
    assert (await delegation.call(contract.LIST_QUOTAS, {}, tenant=OTHER_TENANT)).meta.total == 0


async def test_an_expired_invite_becomes_expired_by_the_sweeper_without_anyone_touching_it(
    delegation: DelegationService,
):
    quota = await delegation.quota(3)
    await delegation.invite(quota, "late@example.org")
    await delegation.invite(quota, "live@example.org")
    late = await delegation.invite_row_by_email("late@example.org")
    await delegation.expire_in_table(late.id)
    # a replica whose timer runs often: nobody calls anything
    replica = Runtime(DELEGATION, delegation.settings.model_copy(update={"delegation_sweep_seconds": 0.1}))
    await replica.start()
    try:

        async def expired() -> bool:
            return (await delegation.invite_row(late.id)).status == "EXPIRED"

        await eventually(expired)
    finally:
        await replica.stop()
    assert (await delegation.invite_row_by_email("live@example.org")).status == "PENDING"
    (event,) = await delegation.events(contract.INVITE_EXPIRED)
    assert event["invite"]["id"] == late.id


async def test_sweepers_on_two_replicas_expire_each_due_invite_once(delegation: DelegationService):
    quota = await delegation.quota(30)
    for n in range(20):
        await delegation.invite(quota, f"d{n}@example.org")
    await delegation.execute(
        sa.update(delegation_invite).values(expires_at=sa.func.now() - sa.text("interval '1 minute'"))
    )
    sealer = invite_sealer(delegation.settings.delegation_invite_secret)
    one, two = Invites(sealer, delegation.runtime.uow), Invites(sealer, delegation.runtime.uow)
    done = await asyncio.gather(one.sweep(), two.sweep())
    assert sum(done) == 20
    assert len(await delegation.events(contract.INVITE_EXPIRED)) == 20
