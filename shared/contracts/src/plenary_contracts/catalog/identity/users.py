"""identity: users and the roles assigned to them."""

from datetime import datetime
from typing import Annotated

from pydantic import Field, StringConstraints

from ...enums import PermissionAccess, RoleScope, UserStatus
from ...errors import ErrorCode
from ...fields import Id, Name
from ...listing import ListQuery, Page
from ...model import Model
from ...operations import Empty, HttpRoute
from ...permissions import Permission
from ._common import _NF, _NF_VALID, _PRECONDITION, Email, _cmd, _event, _qry

SYSTEM_USER_ID = "system"  # the one actor for automatic actions (auto-actions, SLA, timeouts, kiosks)
ADMIN_USERNAME = "admin"  # the global administrator created by the seed
Username = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9._-]{3,64}$")]
Password = Annotated[str, StringConstraints(min_length=12, max_length=256)]


class RoleAssignment(Model):
    id: str
    role_id: str
    role_name: str
    scope: RoleScope
    event_id: str | None = None
    step_id: str | None = None


class User(Model):
    id: str
    email: str
    username: str
    name: str | None = None
    status: UserStatus
    tenant_id: str | None = None
    roles: list[RoleAssignment] = Field(default_factory=list)
    created_at: datetime
    updated_at: datetime


class RoleRequest(Model):
    role: Annotated[str, StringConstraints(min_length=1, max_length=64)] = Field(
        description="The role's name (ADMIN, TENANT_ADMIN, VALIDATOR, …) or id."
    )
    event_id: Id | None = Field(None, description="Binds an EVENT-scoped role to one event.")
    step_id: Id | None = None


class CreateUser(Model):
    email: Email
    username: Username
    name: Name | None = None
    password: Password
    tenant_id: Id | None = Field(
        None, description="Only a global admin picks the tenant; everyone else creates users in their own."
    )
    roles: list[RoleRequest] = Field(default_factory=list, max_length=50)


class UpdateUser(Model):
    id: Id
    email: Email | None = None
    name: Name | None = None
    status: UserStatus | None = None
    password: Password | None = None


class UserRef(Model):
    id: Id


class ListUsers(ListQuery):
    status: UserStatus | None = None
    search: Annotated[str, StringConstraints(max_length=200)] | None = None


class UserPage(Page[User]):
    pass


class AssignRole(RoleRequest):
    user_id: Id


class UnassignRole(Model):
    user_id: Id
    assignment_id: Id


class RolePermission(Model):
    permission: str
    access: PermissionAccess


class Role(Model):
    id: str
    tenant_id: str | None = None
    name: str
    description: str | None = None
    scope: RoleScope
    permissions: list[RolePermission] = Field(default_factory=list)


class ListRoles(ListQuery):
    sort: str = Field("name:asc", pattern=r"^[A-Za-z][A-Za-z0-9_]*:(asc|desc)$")


class RolePage(Page[Role]):
    pass


class UserChanged(Model):
    user: User


class UserDeleted(Model):
    user_id: str
    tenant_id: str | None = None


class UserRoleChanged(Model):
    user_id: str
    tenant_id: str | None = None
    assignment: RoleAssignment


# --- domain events -------------------------------------------------------------------------------

USER_CREATED = _event("user", "created", UserChanged, "A user was created.")
USER_UPDATED = _event("user", "updated", UserChanged, "A user's details, status or password changed.")
USER_DELETED = _event("user", "deleted", UserDeleted, "A user was deleted; owners of references to it cascade.")
USER_ROLE_ASSIGNED = _event("user", "role_assigned", UserRoleChanged, "A user was given a role.")
USER_ROLE_UNASSIGNED = _event("user", "role_unassigned", UserRoleChanged, "A role was taken from a user.")
_ROLE_READ = Permission("role", "read")
_ROLE_ASSIGN = Permission("role", "assign")


def _user(action: str) -> Permission:
    return Permission("user", action)


# --- operations ----------------------------------------------------------------------------------

CREATE_USER = _cmd(
    "create_user",
    CreateUser,
    User,
    "Create a user with a password and roles.",
    errors=(ErrorCode.VALIDATION_ERROR, ErrorCode.CONFLICT, ErrorCode.NOT_FOUND, ErrorCode.FORBIDDEN),
    permission=_user("create"),
    http=HttpRoute("POST", "/users", status_code=201, summary="Create a user", tags=("users",)),
)
LIST_USERS = _qry(
    "list_users",
    ListUsers,
    UserPage,
    "The tenant's users (a global admin sees global users); `search` matches e-mail, username or name.",
    errors=(ErrorCode.VALIDATION_ERROR,),
    permission=_user("read"),
    http=HttpRoute("GET", "/users", summary="List users", tags=("users",)),
)
GET_USER = _qry(
    "get_user",
    UserRef,
    User,
    "One user with roles.",
    errors=_NF,
    permission=_user("read"),
    http=HttpRoute("GET", "/users/{id}", summary="Get a user", tags=("users",)),
)
UPDATE_USER = _cmd(
    "update_user",
    UpdateUser,
    User,
    "Change a user's e-mail, name, status or password; honours If-Match.",
    errors=(*_PRECONDITION, ErrorCode.CONFLICT, ErrorCode.FORBIDDEN),
    permission=_user("update"),
    http=HttpRoute("PATCH", "/users/{id}", summary="Update a user", tags=("users",)),
)
DELETE_USER = _cmd(
    "delete_user",
    UserRef,
    Empty,
    "Soft-delete a user and end its sessions.",
    errors=(ErrorCode.NOT_FOUND, ErrorCode.PRECONDITION_FAILED, ErrorCode.FORBIDDEN),
    permission=_user("delete"),
    http=HttpRoute("DELETE", "/users/{id}", status_code=204, summary="Delete a user", tags=("users",)),
)
ASSIGN_ROLE = _cmd(
    "assign_role",
    AssignRole,
    User,
    "Give a user a role, optionally bound to an event (EVENT scope) or step.",
    errors=(*_NF_VALID, ErrorCode.CONFLICT, ErrorCode.FORBIDDEN),
    permission=_ROLE_ASSIGN,
    http=HttpRoute("POST", "/users/{userId}/roles", status_code=201, summary="Assign a role", tags=("users",)),
)
UNASSIGN_ROLE = _cmd(
    "unassign_role",
    UnassignRole,
    User,
    "Take a role assignment from a user.",
    errors=_NF,
    permission=_ROLE_ASSIGN,
    http=HttpRoute("DELETE", "/users/{userId}/roles/{assignmentId}", summary="Remove a role", tags=("users",)),
)
LIST_ROLES = _qry(
    "list_roles",
    ListRoles,
    RolePage,
    "The system roles and the tenant's own, with their permissions.",
    errors=(ErrorCode.VALIDATION_ERROR,),
    permission=_ROLE_READ,
    http=HttpRoute("GET", "/roles", summary="List roles", tags=("users",)),
)
