"""identity: API keys, their scopes and rate limits, and the credential the gateway checks."""

from datetime import datetime
from typing import Annotated

from pydantic import Field, StringConstraints

from ...enums import ApiKeyStatus, RateLimitTier
from ...errors import ErrorCode
from ...fields import AwareDatetime, Id, Name
from ...listing import ListQuery, Page
from ...model import Model
from ...operations import HttpRoute
from ...permissions import Permission
from ._common import _PRECONDITION, _cmd, _event, _qry


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


# --- domain events -------------------------------------------------------------------------------

API_KEY_CREATED = _event("api_key", "created", ApiKeyChanged, "An API key was created.")
API_KEY_UPDATED = _event("api_key", "updated", ApiKeyChanged, "An API key's settings changed.")
API_KEY_REVOKED = _event("api_key", "revoked", ApiKeyChanged, "An API key was revoked.")
API_KEY_ROTATED = _event(
    "api_key", "rotated", ApiKeyRotated, "An API key was replaced; the old one has a grace period."
)
API_KEY_EXPIRED = _event(
    "api_key", "expired", ApiKeyChanged, "An API key passed its expiry, or a rotated key its grace end."
)
_KEYS = Permission("api-keys", "manage")


# --- operations ----------------------------------------------------------------------------------

CREATE_API_KEY = _cmd(
    "create_api_key",
    CreateApiKey,
    ApiKeyCreated,
    "Create an API key; the raw key is in this reply only.",
    errors=(ErrorCode.VALIDATION_ERROR, ErrorCode.BAD_REQUEST),
    permission=_KEYS,
    shown_once=("rawKey",),
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
    shown_once=("rawKey",),
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
