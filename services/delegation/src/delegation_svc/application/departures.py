"""Places come back: registration frees a participant's slot when they are cancelled, rejected (workflow's
decision, mirrored by registration) or deleted, and names the survivor when they were merged. A delegate's
invite gives its place back exactly once (the invite records when); a merged delegate's invite follows the
survivor, who keeps the delegation (unless the survivor holds an invite of their own: then the merged one's
place comes back)."""

from plenary_contracts.catalog import delegation as contract
from plenary_contracts.catalog import registration
from plenary_contracts.catalog.identity import SYSTEM_USER_ID
from plenary_kit import context as ctx
from plenary_kit.acting import utcnow
from plenary_kit.db import UnitOfWork

from ..adapters import invite_repository as invites
from .places import give_back, publish_invite


async def slots_freed(uow: UnitOfWork, tenant_id: str | None, freed: registration.SlotsFreed) -> None:
    if tenant_id is None or freed.trigger_entity_id is None:
        return
    invite = await invites.by_participant(uow.session, tenant_id, freed.trigger_entity_id)
    if invite is None:
        return  # not a delegate
    with ctx.acting(tenant_id=tenant_id, actor_id=SYSTEM_USER_ID):
        if freed.survivor_id is not None:
            if await invites.by_participant(uow.session, tenant_id, freed.survivor_id) is None:
                await invites.change(uow.session, invite.id, participant_id=freed.survivor_id, updated_at=utcnow())
                await publish_invite(uow, contract.INVITE_REGISTERED, tenant_id, invite.id)
                return
        if await give_back(uow, invite):
            await publish_invite(uow, contract.INVITE_RELEASED, tenant_id, invite.id)
