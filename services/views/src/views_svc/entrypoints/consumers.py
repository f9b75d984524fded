"""Identity's events views follows: its users (owners' names, deleted users' views) and deleted tenants. Every
event type a consumer's filter brings is listed (a type missing here would be dead-lettered)."""

from typing import Any

from plenary_contracts.catalog import identity
from plenary_contracts.envelope import CloudEvent
from plenary_contracts.streams import consumer
from plenary_kit.db import UnitOfWork
from plenary_kit.service import Runtime

from ..application import owners


async def _user_changed(uow: UnitOfWork, event: CloudEvent, payload: identity.UserChanged) -> None:
    await owners.user_changed(uow, event.tenantid, payload)


async def _user_deleted(uow: UnitOfWork, event: CloudEvent, payload: identity.UserDeleted) -> None:
    await owners.user_deleted(uow, event.tenantid, payload)


async def _ignored(uow: UnitOfWork, event: CloudEvent, payload: Any) -> None:
    return None


async def _tenant_deleted(uow: UnitOfWork, event: CloudEvent, payload: identity.TenantDeleted) -> None:
    await owners.tenant_deleted(uow, payload.tenant_id)


def register(runtime: Runtime) -> None:
    runtime.consume_each(
        consumer("views_user_directory"),
        {
            identity.USER_CREATED: _user_changed,
            identity.USER_UPDATED: _user_changed,
            identity.USER_DELETED: _user_deleted,
            identity.USER_ROLE_ASSIGNED: _ignored,
            identity.USER_ROLE_UNASSIGNED: _ignored,
            identity.USER_LOGGED_IN: _ignored,
            identity.USER_LOGIN_FAILED: _ignored,
        },
    )
    runtime.consume(consumer("views_tenant_cleanup"), [identity.TENANT_DELETED], _tenant_deleted)
