"""Who calls, and the tenant an event is about.

Events about a tenant, user or key carry that tenant (and, for a sign-in, that user as the actor),
whoever caused them: a global admin acting on a tenant's user, the sweeper, a login."""

from pydantic import BaseModel

from plenary_contracts.events import EventSpec
from plenary_kit import context as ctx
from plenary_kit.db import UnitOfWork

_KEEP = object()


def publish_about(
    uow: UnitOfWork,
    spec: EventSpec,
    payload: BaseModel,
    *,
    tenant_id: str | None,
    actor_id: object = _KEEP,
    subject: str | None = None,
) -> None:
    changes: dict[str, object] = {"tenant_id": tenant_id}
    if actor_id is not _KEEP:
        changes["actor_id"] = actor_id
    with ctx.acting(**changes):
        uow.publish(spec, payload, subject=subject)


def caller_tenant() -> str | None:
    return ctx.current().tenant_id


def caller() -> str | None:
    return ctx.current().actor_id
