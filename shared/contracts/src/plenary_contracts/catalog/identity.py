"""identity: tenants, users and sessions, roles, API keys, feature flags."""

from datetime import datetime
from typing import Annotated, Any

from pydantic import Field, StringConstraints

from ..credentials import RevocationScope
from ..enums import ApiKeyStatus, PermissionAccess, RateLimitTier, RoleScope, UserStatus
from ..errors import ErrorCode
from ..fields import AwareDatetime, Id, Name
from ..flags import FlagContext, FlagKey, FlagState
from ..listing import ListQuery, Page
from ..model import Model
from ..operations import Empty, HttpRoute
from ..permissions import Permission
from ..specs import Specs

SERVICE = "identity"
_SPECS = Specs(SERVICE)
_event, _cmd, _qry = _SPECS.event, _SPECS.command, _SPECS.query
SYSTEM_USER_ID = "system"  # the one actor for automatic actions (auto-actions, SLA, timeouts, kiosks)
ADMIN_USERNAME = "admin"  # the global administrator created by the seed

Email = Annotated[
    str,
    StringConstraints(strip_whitespace=True, to_lower=True, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$"),
]
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{1,62}$")]
Username = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9._-]{3,64}$")]
Password = Annotated[str, StringConstraints(min_length=12, max_length=256)]


# --- tenants -------------------------------------------------------------------------------------


class Tenant(Model):
    id: str
    name: str
    slug: str
    email: str
    phone: str
    subscription_plan: str
    extras: dict[str, Any] = Field(default_factory=dict)
    created_at: datetime
    updated_at: datetime


class CreateTenant(Model):
    name: Name
    slug: Slug
    email: Email
    phone: Annotated[str, StringConstraints(strip_whitespace=True, max_length=40)] = ""
    subscription_plan: Annotated[str, StringConstraints(min_length=1, max_length=40)] = "free"
    extras: dict[str, Any] = Field(default_factory=dict)


class UpdateTenant(Model):
    id: Id
    name: Name | None = None
    email: Email | None = None
    phone: Annotated[str, StringConstraints(strip_whitespace=True, max_length=40)] | None = None
    subscription_plan: Annotated[str, StringConstraints(min_length=1, max_length=40)] | None = None
    extras: dict[str, Any] | None = None


class TenantRef(Model):
    id: Id


class ListTenants(ListQuery):
    search: Annotated[str, StringConstraints(max_length=200)] | None = None


class TenantPage(Page[Tenant]):
    pass


class TenantDeleted(Model):
    tenant_id: str


class TenantExistence(Model):
    id: str
    exists: bool


# --- users, roles, sessions ----------------------------------------------------------------------


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


class Login(Model):
    identifier: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=254)] = Field(
        description="E-mail address or username."
    )
    password: Annotated[str, StringConstraints(min_length=1, max_length=256)]


class TokenPair(Model):
    access_token: str
    refresh_token: str
    token_type: str = "Bearer"
    expires_in: int = Field(description="Seconds until the access token expires.")
    refresh_expires_in: int


class RefreshSession(Model):
    refresh_token: Annotated[str, StringConstraints(min_length=1, max_length=512)]


class KeySet(Model):
    """The JSON Web Key Set that verifies access tokens (RFC 7517)."""

    keys: list[dict[str, Any]]


class UserChanged(Model):
    user: User


class UserDeleted(Model):
    user_id: str
    tenant_id: str | None = None


class UserRoleChanged(Model):
    user_id: str
    tenant_id: str | None = None
    assignment: RoleAssignment


class UserLoggedIn(Model):
    user_id: str
    tenant_id: str | None = None
    session_id: str


class TokensRevoked(Model):
    """Access tokens that stop working before they expire (a ``credentials.TokenRevocation``): every token
    of a session (signed out, its refresh token reused) or of a tenant (deleted), or a user's tokens of a
    generation before ``generation`` (suspended, deleted, password changed, a role taken away)."""

    scope: RevocationScope
    id: str = Field(description="The session, user or tenant.")
    generation: int | None = Field(None, description="Only for a user: its new token generation.")
    reason: str


class LoginFailed(Model):
    identifier: str
    user_id: str | None = None
    reason: str


class TenantChanged(Model):
    tenant: Tenant


# --- API keys ------------------------------------------------------------------------------------


class ApiKeyScopes(Model):
    event_ids: list[Id] = Field(default_factory=list, max_length=500)


class ApiKey(Model):
    """An API key as listed: never its hash, never the raw key."""

    id: str
    tenant_id: str
    name: str
    description: str | None = None
    key_prefix: str
    permissions: list[str]
    scopes: ApiKeyScopes | None = None
    rate_limit_tier: RateLimitTier
    rate_limit_custom: int | None = None
    status: ApiKeyStatus
    expires_at: datetime | None = None
    last_used_at: datetime | None = None
    last_used_ip: str | None = None
    usage_count: int = 0
    allowed_ips: list[str] = Field(default_factory=list)
    allowed_origins: list[str] = Field(default_factory=list)
    rotated_from_id: str | None = None
    rotation_grace_end: datetime | None = None
    created_by: str
    revoked_at: datetime | None = None
    created_at: datetime
    updated_at: datetime


PermissionPattern = Annotated[str, StringConstraints(pattern=r"^(\*|[a-z][a-z-]*:(\*|[a-z][a-z-]*))$")]
IpOrNetwork = Annotated[str, StringConstraints(min_length=2, max_length=64, pattern=r"^[0-9A-Fa-f:.]+(/\d{1,3})?$")]
Origin = Annotated[str, StringConstraints(max_length=255, pattern=r"^https?://[A-Za-z0-9.-]+(:\d{1,5})?$")]
CustomLimit = Annotated[int, Field(ge=1, le=100_000)]


class CreateApiKey(Model):
    name: Name
    description: Annotated[str, StringConstraints(max_length=1000)] | None = None
    permissions: list[PermissionPattern] = Field(min_length=1, max_length=100)
    scopes: ApiKeyScopes | None = None
    rate_limit_tier: RateLimitTier = RateLimitTier.STANDARD
    rate_limit_custom: CustomLimit | None = None
    expires_at: AwareDatetime | None = None
    allowed_ips: list[IpOrNetwork] = Field(default_factory=list, max_length=100)
    allowed_origins: list[Origin] = Field(default_factory=list, max_length=100)


class UpdateApiKey(Model):
    id: Id
    name: Name | None = None
    description: Annotated[str, StringConstraints(max_length=1000)] | None = None
    permissions: list[PermissionPattern] | None = Field(None, min_length=1, max_length=100)
    scopes: ApiKeyScopes | None = None
    rate_limit_tier: RateLimitTier | None = None
    rate_limit_custom: CustomLimit | None = None
    expires_at: AwareDatetime | None = None
    allowed_ips: list[IpOrNetwork] | None = Field(None, max_length=100)
    allowed_origins: list[Origin] | None = Field(None, max_length=100)


class ApiKeyRef(Model):
    id: Id


class RotateApiKey(Model):
    id: Id
    grace_hours: int = Field(24, ge=0, le=720, description="How long the old key keeps working.")


class ListApiKeys(ListQuery):
    status: ApiKeyStatus | None = None


class ApiKeyPage(Page[ApiKey]):
    pass


class ApiKeyCreated(Model):
    api_key: ApiKey
    raw_key: str = Field(description="The key itself; shown once, never stored.")


class ApiKeyUsage(Model):
    key_id: Id
    count: int = Field(ge=1)
    last_used_at: AwareDatetime
    last_used_ip: str | None = None


class RecordApiKeyUsage(Model):
    usages: list[ApiKeyUsage] = Field(max_length=10_000)


class UsageRecorded(Model):
    keys: int


class ApiKeyChanged(Model):
    api_key: ApiKey


class ApiKeyRotated(Model):
    old_key: ApiKey
    new_key: ApiKey


class ApiKeyCredential(Model):
    """What the gateway needs to authenticate a key, mirrored into the API key bucket by lookup id."""

    id: str
    lookup_id: str
    tenant_id: str
    key_hash: str
    permissions: list[str]
    scopes: ApiKeyScopes | None = None
    rate_limit_tier: RateLimitTier
    rate_limit_custom: int | None = None
    status: ApiKeyStatus
    expires_at: datetime | None = None
    rotation_grace_end: datetime | None = None
    allowed_ips: list[str] = Field(default_factory=list)
    allowed_origins: list[str] = Field(default_factory=list)
    created_by: str

    def usable_at(self, now: datetime) -> bool:
        """ACTIVE and not past expiry, or ROTATED and still inside its grace period."""
        if self.expires_at is not None and self.expires_at <= now:
            return False
        if self.status is ApiKeyStatus.ACTIVE:
            return True
        return (
            self.status is ApiKeyStatus.ROTATED
            and self.rotation_grace_end is not None
            and self.rotation_grace_end > now
        )


class FindApiKeyCredential(Model):
    lookup_id: Annotated[str, StringConstraints(pattern=r"^[a-z0-9]{16}$")]


class FoundApiKeyCredential(Model):
    credential: ApiKeyCredential | None = Field(None, description="Only a key usable now.")


# --- feature flags -------------------------------------------------------------------------------


class FeatureFlagChanged(Model):
    key: str
    state: FlagState


class SetFeatureFlag(Model):
    """A partial update: fields left out keep their value."""

    key: FlagKey
    enabled: bool | None = None
    enabled_for_tenants: list[str] | None = None
    enabled_for_roles: list[str] | None = None
    enabled_for_users: list[str] | None = None
    disabled_for_tenants: list[str] | None = None


class ListFeatureFlags(Model):
    pass


class FeatureFlagList(Model):
    data: list[FlagState]


class EvaluateFeatureFlag(Model):
    key: FlagKey
    context: FlagContext = Field(default_factory=FlagContext)


class FeatureFlagEvaluation(Model):
    key: FlagKey
    enabled: bool


# --- events --------------------------------------------------------------------------------------


FEATURE_FLAG_CHANGED = _event("feature_flag", "changed", FeatureFlagChanged, "A feature flag's targeting changed.")
TENANT_CREATED = _event("tenant", "created", TenantChanged, "A tenant was created.")
TENANT_UPDATED = _event("tenant", "updated", TenantChanged, "A tenant's details changed.")
TENANT_DELETED = _event("tenant", "deleted", TenantDeleted, "A tenant was deleted; every service purges its rows.")
USER_CREATED = _event("user", "created", UserChanged, "A user was created.")
USER_UPDATED = _event("user", "updated", UserChanged, "A user's details, status or password changed.")
USER_DELETED = _event("user", "deleted", UserDeleted, "A user was deleted; owners of references to it cascade.")
USER_ROLE_ASSIGNED = _event("user", "role_assigned", UserRoleChanged, "A user was given a role.")
USER_ROLE_UNASSIGNED = _event("user", "role_unassigned", UserRoleChanged, "A role was taken from a user.")
USER_LOGGED_IN = _event("user", "logged_in", UserLoggedIn, "A user signed in and a session began.")
USER_LOGIN_FAILED = _event("user", "login_failed", LoginFailed, "A sign-in was refused.")
API_KEY_CREATED = _event("api_key", "created", ApiKeyChanged, "An API key was created.")
API_KEY_UPDATED = _event("api_key", "updated", ApiKeyChanged, "An API key's settings changed.")
API_KEY_REVOKED = _event("api_key", "revoked", ApiKeyChanged, "An API key was revoked.")
API_KEY_ROTATED = _event(
    "api_key", "rotated", ApiKeyRotated, "An API key was replaced; the old one has a grace period."
)
API_KEY_EXPIRED = _event(
    "api_key", "expired", ApiKeyChanged, "An API key passed its expiry, or a rotated key its grace end."
)
TOKENS_REVOKED = _event(
    "tokens", "revoked", TokensRevoked, "Access tokens stop working before they expire (session, user or tenant)."
)

EVENTS = [
    FEATURE_FLAG_CHANGED,
    TENANT_CREATED,
    TENANT_UPDATED,
    TENANT_DELETED,
    USER_CREATED,
    USER_UPDATED,
    USER_DELETED,
    USER_ROLE_ASSIGNED,
    USER_ROLE_UNASSIGNED,
    USER_LOGGED_IN,
    USER_LOGIN_FAILED,
    API_KEY_CREATED,
    API_KEY_UPDATED,
    API_KEY_REVOKED,
    API_KEY_ROTATED,
    API_KEY_EXPIRED,
    TOKENS_REVOKED,
]

# --- operations ----------------------------------------------------------------------------------

_FLAG_MANAGE = Permission("feature-flag", "manage")
_TENANT_MANAGE = Permission("tenant", "manage")
_KEYS = Permission("api-keys", "manage")
_ROLE_READ = Permission("role", "read")
_ROLE_ASSIGN = Permission("role", "assign")
_NF = (ErrorCode.NOT_FOUND,)
_NF_VALID = (ErrorCode.NOT_FOUND, ErrorCode.VALIDATION_ERROR)
_PRECONDITION = (ErrorCode.NOT_FOUND, ErrorCode.VALIDATION_ERROR, ErrorCode.PRECONDITION_FAILED)


def _user(action: str) -> Permission:
    return Permission("user", action)


LOGIN = _cmd(
    "login",
    Login,
    TokenPair,
    "Sign in with e-mail or username and password; returns a short-lived access token and a refresh token.",
    errors=(ErrorCode.UNAUTHORIZED, ErrorCode.VALIDATION_ERROR),
    public=True,
    http=HttpRoute("POST", "/auth/login", summary="Sign in", tags=("auth",)),
)
REFRESH_SESSION = _cmd(
    "refresh_session",
    RefreshSession,
    TokenPair,
    "Trade a refresh token for a new pair; a refresh token works once, and reusing one ends its session.",
    errors=(ErrorCode.UNAUTHORIZED, ErrorCode.VALIDATION_ERROR),
    public=True,
    http=HttpRoute("POST", "/auth/refresh", summary="Refresh a session", tags=("auth",)),
)
LOGOUT = _cmd(
    "logout",
    RefreshSession,
    Empty,
    "End the session the refresh token belongs to.",
    errors=(ErrorCode.VALIDATION_ERROR,),
    public=True,
    http=HttpRoute("POST", "/auth/logout", status_code=204, summary="Sign out", tags=("auth",)),
)
GET_KEY_SET = _qry(
    "get_key_set",
    Empty,
    KeySet,
    "The public keys that verify access tokens.",
    public=True,
    http=HttpRoute("GET", "/auth/jwks", summary="Token verification keys (JWKS)", tags=("auth",)),
)
GET_CURRENT_USER = _qry(
    "get_current_user",
    Empty,
    User,
    "The signed-in user, with roles.",
    errors=_NF,
    http=HttpRoute("GET", "/auth/me", summary="Current user", tags=("auth",)),
)

CREATE_TENANT = _cmd(
    "create_tenant",
    CreateTenant,
    Tenant,
    "Create a tenant.",
    errors=(ErrorCode.VALIDATION_ERROR, ErrorCode.CONFLICT),
    permission=_TENANT_MANAGE,
    global_only=True,
    http=HttpRoute("POST", "/tenants", status_code=201, summary="Create a tenant", tags=("tenants",)),
)
LIST_TENANTS = _qry(
    "list_tenants",
    ListTenants,
    TenantPage,
    "Every tenant; `search` matches name, slug or e-mail.",
    errors=(ErrorCode.VALIDATION_ERROR,),
    permission=_TENANT_MANAGE,
    global_only=True,
    http=HttpRoute("GET", "/tenants", summary="List tenants", tags=("tenants",)),
)
GET_TENANT = _qry(
    "get_tenant",
    TenantRef,
    Tenant,
    "One tenant.",
    errors=_NF,
    permission=_TENANT_MANAGE,
    global_only=True,
    http=HttpRoute("GET", "/tenants/{id}", summary="Get a tenant", tags=("tenants",)),
)
UPDATE_TENANT = _cmd(
    "update_tenant",
    UpdateTenant,
    Tenant,
    "Change a tenant's details; honours If-Match.",
    errors=(*_PRECONDITION, ErrorCode.CONFLICT),
    permission=_TENANT_MANAGE,
    global_only=True,
    http=HttpRoute("PATCH", "/tenants/{id}", summary="Update a tenant", tags=("tenants",)),
)
TENANT_EXISTS = _qry(
    "tenant_exists",
    TenantRef,
    TenantExistence,
    "Whether a tenant exists (the gateway checks a global admin's X-Tenant-Id).",
)
DELETE_TENANT = _cmd(
    "delete_tenant",
    TenantRef,
    Empty,
    "Delete a tenant with its users, roles and keys; other services purge on the event.",
    errors=(ErrorCode.NOT_FOUND, ErrorCode.PRECONDITION_FAILED),
    permission=_TENANT_MANAGE,
    global_only=True,
    http=HttpRoute("DELETE", "/tenants/{id}", status_code=204, summary="Delete a tenant", tags=("tenants",)),
)

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

CREATE_API_KEY = _cmd(
    "create_api_key",
    CreateApiKey,
    ApiKeyCreated,
    "Create an API key; the raw key is in this reply only.",
    errors=(ErrorCode.VALIDATION_ERROR, ErrorCode.BAD_REQUEST),
    permission=_KEYS,
    http=HttpRoute("POST", "/api-keys", status_code=201, summary="Create an API key", tags=("api-keys",)),
)
LIST_API_KEYS = _qry(
    "list_api_keys",
    ListApiKeys,
    ApiKeyPage,
    "The tenant's API keys, without their hashes.",
    errors=(ErrorCode.VALIDATION_ERROR, ErrorCode.BAD_REQUEST),
    permission=_KEYS,
    http=HttpRoute("GET", "/api-keys", summary="List API keys", tags=("api-keys",)),
)
GET_API_KEY = _qry(
    "get_api_key",
    ApiKeyRef,
    ApiKey,
    "One API key.",
    errors=(ErrorCode.NOT_FOUND, ErrorCode.BAD_REQUEST),
    permission=_KEYS,
    http=HttpRoute("GET", "/api-keys/{id}", summary="Get an API key", tags=("api-keys",)),
)
UPDATE_API_KEY = _cmd(
    "update_api_key",
    UpdateApiKey,
    ApiKey,
    "Change an ACTIVE key's settings; honours If-Match.",
    errors=(*_PRECONDITION, ErrorCode.BAD_REQUEST),
    permission=_KEYS,
    http=HttpRoute("PATCH", "/api-keys/{id}", summary="Update an API key", tags=("api-keys",)),
)
REVOKE_API_KEY = _cmd(
    "revoke_api_key",
    ApiKeyRef,
    ApiKey,
    "Revoke a key at once; honours If-Match.",
    errors=(ErrorCode.NOT_FOUND, ErrorCode.BAD_REQUEST, ErrorCode.PRECONDITION_FAILED),
    permission=_KEYS,
    http=HttpRoute("POST", "/api-keys/{id}/revoke", summary="Revoke an API key", tags=("api-keys",)),
)
ROTATE_API_KEY = _cmd(
    "rotate_api_key",
    RotateApiKey,
    ApiKeyCreated,
    "Replace an ACTIVE key: the new key copies every setting, the old one works until the grace period ends.",
    errors=(*_PRECONDITION, ErrorCode.BAD_REQUEST),
    permission=_KEYS,
    http=HttpRoute("POST", "/api-keys/{id}/rotate", status_code=201, summary="Rotate an API key", tags=("api-keys",)),
)
FIND_API_KEY_CREDENTIAL = _qry(
    "find_api_key_credential",
    FindApiKeyCredential,
    FoundApiKeyCredential,
    "A usable key's credential by lookup id, for a gateway whose key mirror has not caught up yet.",
    errors=(ErrorCode.VALIDATION_ERROR,),
)
RECORD_API_KEY_USAGE = _cmd(
    "record_api_key_usage",
    RecordApiKeyUsage,
    UsageRecorded,
    "Add the gateway's batched usage counts (count, last use, last IP) to the keys.",
    errors=(ErrorCode.VALIDATION_ERROR,),
)

SET_FEATURE_FLAG = _cmd(
    "set_feature_flag",
    SetFeatureFlag,
    FlagState,
    "Change a feature flag's targeting; the change reaches every service through the flags bucket.",
    errors=_NF_VALID,
    permission=_FLAG_MANAGE,
    global_only=True,
    http=HttpRoute("PATCH", "/feature-flags/{key}", summary="Update a feature flag", tags=("flags",)),
)
LIST_FEATURE_FLAGS = _qry(
    "list_feature_flags",
    ListFeatureFlags,
    FeatureFlagList,
    "Every feature flag with its targeting.",
    permission=_FLAG_MANAGE,
    http=HttpRoute("GET", "/feature-flags", summary="List feature flags", tags=("flags",)),
)
EVALUATE_FEATURE_FLAG = _qry(
    "evaluate_feature_flag",
    EvaluateFeatureFlag,
    FeatureFlagEvaluation,
    "Whether a flag is on for a tenant, roles and user.",
)

OPERATIONS = [
    LOGIN,
    REFRESH_SESSION,
    LOGOUT,
    GET_KEY_SET,
    GET_CURRENT_USER,
    CREATE_TENANT,
    LIST_TENANTS,
    GET_TENANT,
    UPDATE_TENANT,
    TENANT_EXISTS,
    DELETE_TENANT,
    CREATE_USER,
    LIST_USERS,
    GET_USER,
    UPDATE_USER,
    DELETE_USER,
    ASSIGN_ROLE,
    UNASSIGN_ROLE,
    LIST_ROLES,
    CREATE_API_KEY,
    LIST_API_KEYS,
    GET_API_KEY,
    UPDATE_API_KEY,
    REVOKE_API_KEY,
    ROTATE_API_KEY,
    FIND_API_KEY_CREDENTIAL,
    RECORD_API_KEY_USAGE,
    SET_FEATURE_FLAG,
    LIST_FEATURE_FLAGS,
    EVALUATE_FEATURE_FLAG,
]
