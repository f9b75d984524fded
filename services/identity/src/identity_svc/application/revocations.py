"""Access tokens that stop working before they expire.

A change that ends a session, takes grants away or removes a tenant records ``tokens.revoked`` in its
unit of work. Right after the commit the outbox relay publishes it and puts the revocation into the
gateways' bucket (``write_after_publish``); the ``identity_token_revocations`` consumer puts it again,
so a write missed there (bus trouble, a crash between publish and write) is healed.
"""

from collections.abc import Awaitable, Callable

from nats.js import JetStreamContext

from plenary_contracts.catalog import identity as contract
from plenary_contracts.credentials import TokenRevocation, revocation_key
from plenary_contracts.enums import UserStatus
from plenary_contracts.envelope import CloudEvent
from plenary_kit.db import UnitOfWork
from plenary_kit.logging import get_logger

from ..adapters import revocation_mirror
from ..adapters import user_repository as users
from ..adapters.user_repository import UserRecord
from .caller import publish_about

log = get_logger(__name__)

LOGGED_OUT = "logged_out"
REFRESH_REUSED = "refresh_token_reused"
PASSWORD_CHANGED = "password_changed"
DELETED = "deleted"
ROLE_REMOVED = "role_removed"
TENANT_DELETED = "tenant_deleted"


def status_changed(status: UserStatus) -> str:
    return f"status_{status.value.lower()}"


def end_session(uow: UnitOfWork, session_id: str, tenant_id: str | None, reason: str) -> None:
    revoked = contract.TokensRevoked(scope="session", id=session_id, reason=reason)
    publish_about(uow, contract.TOKENS_REVOKED, revoked, tenant_id=tenant_id, subject=session_id)


async def make_tokens_stale(uow: UnitOfWork, owner: UserRecord, reason: str) -> None:
    """Refuse every access token the user holds now. ``owner`` is the user, read locked for update: tokens
    are issued under the same lock, so each carries the generation before this change or after it."""
    generation = await users.next_token_generation(uow.session, owner.id)
    revoked = contract.TokensRevoked(scope="user", id=owner.id, generation=generation, reason=reason)
    publish_about(uow, contract.TOKENS_REVOKED, revoked, tenant_id=owner.tenant_id, subject=owner.id)


def tenant_gone(uow: UnitOfWork, tenant_id: str) -> None:
    revoked = contract.TokensRevoked(scope="tenant", id=tenant_id, reason=TENANT_DELETED)
    publish_about(uow, contract.TOKENS_REVOKED, revoked, tenant_id=tenant_id, subject=tenant_id)


async def mirror_revocation(uow: UnitOfWork, revoked: contract.TokensRevoked, js: JetStreamContext) -> None:
    """Put the revocation into the bucket. A user's generation is read from the row, not the event: it only
    grows, so a late or repeated event never lowers it."""
    generation = revoked.generation
    if revoked.scope == "user":
        current = await users.token_generation(uow.session, revoked.id)
        generation = max(generation or 0, current or 0)
    revocation = TokenRevocation(generation=generation)
    await revocation_mirror.put(js, revocation_key(revoked.scope, revoked.id), revocation)


def write_after_publish(
    new_uow: Callable[[], UnitOfWork], jetstream: Callable[[], JetStreamContext]
) -> Callable[[CloudEvent], Awaitable[None]]:
    """The outbox relay's hook: the fast path, within moments of the commit. It never fails the relay."""

    async def write(event: CloudEvent) -> None:
        if event.type != contract.TOKENS_REVOKED.type:
            return
        try:
            async with new_uow() as uow:
                await mirror_revocation(uow, contract.TokensRevoked.model_validate(event.data), jetstream())
        except Exception as error:
            log.warning("revocation not written at once; its consumer will", event_id=str(event.id), error=repr(error))

    return write
