"""Users and their roles, scoped by the caller's tenant (no tenant: the global users)."""

from plenary_contracts.catalog import identity as contract
from plenary_contracts.enums import UserStatus
from plenary_contracts.errors import Forbidden, NotFound, ValidationFailed
from plenary_contracts.operations import Empty
from plenary_kit.acting import field_error, utcnow
from plenary_kit.db import UnitOfWork
from plenary_kit.ids import new_id
from plenary_kit.preconditions import require_if_match

from ..adapters import role_repository as roles
from ..adapters import tenant_repository as tenants
from ..adapters import user_repository as users
from ..adapters.passwords import Passwords
from ..adapters.role_repository import RoleRecord
from ..adapters.user_repository import UserRecord
from ..domain.grants import may_hold
from . import revocations
from .caller import caller, caller_tenant, publish_about


async def _get(uow: UnitOfWork, user_id: str, *, for_update: bool = False) -> UserRecord:
    """Another tenant's user, like a missing or deleted one, is not found. A global caller (no tenant, as
    a global admin without X-Tenant-Id) finds any live user by id, whatever its tenant: it may act in
    every tenant anyway, and it creates tenants' users without naming one."""
    tenant_id = caller_tenant()
    if tenant_id is None:
        row = await users.get_live(uow.session, user_id, for_update=for_update)
    else:
        row = await users.get(uow.session, user_id, tenant_id, for_update=for_update)
    if row is None:
        raise NotFound(f"user {user_id} not found")
    return row


def _not_the_system_user(user_id: str) -> None:
    if user_id == contract.SYSTEM_USER_ID:
        raise Forbidden("the system user cannot be changed")


async def _role_for(uow: UnitOfWork, ref: str, tenant_id: str | None, loc: list[str | int]) -> RoleRecord:
    found = await roles.find(uow.session, ref, tenant_id)
    if found is None:
        raise ValidationFailed(f"no role {ref!r}", errors=[field_error(loc, f"no role {ref!r} here")])
    if not may_hold(found.scope, tenant_id):
        raise Forbidden(f"{found.name} is a GLOBAL role: only users without a tenant may hold it")
    return found


async def _assign(uow: UnitOfWork, user_id: str, found: RoleRecord, request: contract.RoleRequest) -> str:
    return await users.assign(uow.session, user_id, found.id, request.event_id, request.step_id)


def _publish_changed(uow: UnitOfWork, spec, changed: contract.User) -> None:  # type: ignore[no-untyped-def]
    publish_about(uow, spec, contract.UserChanged(user=changed), tenant_id=changed.tenant_id, subject=changed.id)


class Users:
    def __init__(self, passwords: Passwords) -> None:
        self.passwords = passwords

    async def create_user(self, request: contract.CreateUser, uow: UnitOfWork) -> contract.User:
        tenant_id = caller_tenant()
        if tenant_id is None:
            tenant_id = request.tenant_id
            if tenant_id is not None and not await tenants.exists(uow.session, tenant_id):
                raise NotFound(f"tenant {tenant_id} not found")
        elif request.tenant_id not in (None, tenant_id):
            raise Forbidden("users are created in your own tenant")
        granted = [await _role_for(uow, r.role, tenant_id, ["roles", i, "role"]) for i, r in enumerate(request.roles)]
        now = utcnow()
        user_id = new_id()
        await users.insert(
            uow.session,
            user_id=user_id,
            email=request.email,
            username=request.username,
            name=request.name,
            tenant_id=tenant_id,
            password_hash=await self.passwords.hash(request.password),
            now=now,
        )
        assigned: set[tuple[str, str | None, str | None]] = set()
        for role_row, role_request in zip(granted, request.roles, strict=True):
            binding = (role_row.id, role_request.event_id, role_request.step_id)
            if binding not in assigned:  # the same role twice in one request is given once
                assigned.add(binding)
                await _assign(uow, user_id, role_row, role_request)
        created = await _viewed(uow, user_id)
        _publish_changed(uow, contract.USER_CREATED, created)
        return created

    async def update_user(self, request: contract.UpdateUser, uow: UnitOfWork) -> contract.User:
        current = await _get(uow, request.id, for_update=True)
        _not_the_system_user(request.id)
        require_if_match(current.updated_at)
        now = utcnow()
        values: dict[str, object] = {"updated_at": now}
        if request.email is not None:
            values["email"] = request.email
        if request.name is not None:
            values["name"] = request.name
        if request.status is not None:
            values["status"] = request.status
            if request.status is UserStatus.ACTIVE:  # an administrator's unlock clears the lockout too
                values |= {"failed_logins": 0, "locked_until": None}
            elif request.status is UserStatus.LOCKED and current.status is not UserStatus.LOCKED:
                values["locked_until"] = None  # locked by hand: until someone unlocks
        if request.password is not None:
            values["password_hash"] = await self.passwords.hash(request.password)
        await users.update(uow.session, request.id, values)
        if request.password is not None or (request.status not in (None, UserStatus.ACTIVE)):
            await users.revoke_sessions(uow.session, request.id, now)
            reason = (
                revocations.status_changed(request.status)
                if request.status not in (None, UserStatus.ACTIVE)
                else revocations.PASSWORD_CHANGED
            )
            await revocations.make_tokens_stale(uow, current, reason)
        updated = await _viewed(uow, request.id)
        _publish_changed(uow, contract.USER_UPDATED, updated)
        return updated

    async def list_users(self, request: contract.ListUsers, uow: UnitOfWork) -> contract.UserPage:
        found, meta = await users.page(uow.session, caller_tenant(), request)
        return contract.UserPage(data=found, meta=meta)

    async def get_user(self, request: contract.UserRef, uow: UnitOfWork) -> contract.User:
        tenant_id = caller_tenant()
        if tenant_id is None:
            found = await users.view_live(uow.session, request.id)
        else:
            found = await users.view(uow.session, request.id, tenant_id)
        if found is None:
            raise NotFound(f"user {request.id} not found")
        return found

    async def delete_user(self, request: contract.UserRef, uow: UnitOfWork) -> Empty:
        current = await _get(uow, request.id, for_update=True)
        _not_the_system_user(request.id)
        require_if_match(current.updated_at)
        if request.id == caller():
            raise Forbidden("you cannot delete yourself")
        now = utcnow()
        await users.mark_deleted(uow.session, request.id, now)
        await users.revoke_sessions(uow.session, request.id, now)
        await revocations.make_tokens_stale(uow, current, revocations.DELETED)
        publish_about(
            uow,
            contract.USER_DELETED,
            contract.UserDeleted(user_id=request.id, tenant_id=current.tenant_id),
            tenant_id=current.tenant_id,
            subject=request.id,
        )
        return Empty()

    async def assign_role(self, request: contract.AssignRole, uow: UnitOfWork) -> contract.User:
        target = await _get(uow, request.user_id, for_update=True)
        _not_the_system_user(request.user_id)
        role_row = await _role_for(uow, request.role, target.tenant_id, ["role"])
        assignment_id = await _assign(uow, target.id, role_row, request)
        return await _role_changed(uow, contract.USER_ROLE_ASSIGNED, target.id, target.tenant_id, assignment_id)

    async def unassign_role(self, request: contract.UnassignRole, uow: UnitOfWork) -> contract.User:
        target = await _get(uow, request.user_id, for_update=True)
        assignment = next(
            (
                a
                for a in (await users.assignments(uow.session, [target.id]))[target.id]
                if a.id == request.assignment_id
            ),
            None,
        )
        if assignment is None:
            raise NotFound(f"role assignment {request.assignment_id} not found")
        await users.unassign(uow.session, assignment.id)
        now = utcnow()
        await users.touch(uow.session, target.id, now)
        await revocations.make_tokens_stale(uow, target, revocations.ROLE_REMOVED)
        changed = contract.UserRoleChanged(user_id=target.id, tenant_id=target.tenant_id, assignment=assignment)
        publish_about(uow, contract.USER_ROLE_UNASSIGNED, changed, tenant_id=target.tenant_id, subject=target.id)
        return await _viewed(uow, target.id)

    async def list_roles(self, request: contract.ListRoles, uow: UnitOfWork) -> contract.RolePage:
        found, meta = await roles.page(uow.session, caller_tenant(), request)
        return contract.RolePage(data=found, meta=meta)


async def _viewed(uow: UnitOfWork, user_id: str) -> contract.User:
    """A user this unit of work has just changed, as it now looks."""
    found = await users.view_live(uow.session, user_id)
    assert found is not None
    return found


async def _role_changed(
    uow: UnitOfWork, spec, user_id: str, tenant_id: str | None, assignment_id: str
) -> contract.User:  # type: ignore[no-untyped-def]
    await users.touch(uow.session, user_id, utcnow())
    updated = await _viewed(uow, user_id)
    assignment = next(a for a in updated.roles if a.id == assignment_id)
    changed = contract.UserRoleChanged(user_id=user_id, tenant_id=tenant_id, assignment=assignment)
    publish_about(uow, spec, changed, tenant_id=tenant_id, subject=user_id)
    return updated
