from pydantic import BaseModel, Field

from ..errors import ErrorCode
from ..events import EventSpec
from ..flags import FlagContext, FlagKey, FlagState
from ..operations import HttpRoute, OperationKind, OperationSpec
from ..permissions import Permission

SERVICE = "identity"
SYSTEM_USER_ID = "system"  # the one actor for automatic actions (auto-actions, SLA, timeouts, kiosks)


class FeatureFlagChanged(BaseModel):
    key: str
    state: FlagState


class UserDeleted(BaseModel):
    user_id: str
    tenant_id: str | None = None


class TenantDeleted(BaseModel):
    tenant_id: str


FEATURE_FLAG_CHANGED = EventSpec(
    SERVICE, "feature_flag", "changed", FeatureFlagChanged, "A feature flag's targeting changed."
)
USER_DELETED = EventSpec(
    SERVICE, "user", "deleted", UserDeleted, "A user was deleted; owners of references to it cascade."
)
TENANT_DELETED = EventSpec(
    SERVICE, "tenant", "deleted", TenantDeleted, "A tenant was deleted; every service purges its rows."
)

EVENTS = [FEATURE_FLAG_CHANGED, USER_DELETED, TENANT_DELETED]


class SetFeatureFlag(BaseModel):
    """A partial update: fields left out keep their value."""

    key: FlagKey
    enabled: bool | None = None
    enabled_for_tenants: list[str] | None = None
    enabled_for_roles: list[str] | None = None
    enabled_for_users: list[str] | None = None
    disabled_for_tenants: list[str] | None = None


class ListFeatureFlags(BaseModel):
    pass


class FeatureFlagList(BaseModel):
    data: list[FlagState]


class EvaluateFeatureFlag(BaseModel):
    key: FlagKey
    context: FlagContext = Field(default_factory=FlagContext)


class FeatureFlagEvaluation(BaseModel):
    key: FlagKey
    enabled: bool


_FLAG_MANAGE = Permission("feature-flag", "manage")

SET_FEATURE_FLAG = OperationSpec(
    SERVICE,
    "set_feature_flag",
    OperationKind.COMMAND,
    SetFeatureFlag,
    FlagState,
    "Change a feature flag's targeting; the change reaches every service through the flags bucket.",
    errors=(ErrorCode.NOT_FOUND, ErrorCode.VALIDATION_ERROR),
    permission=_FLAG_MANAGE,
    http=HttpRoute("PATCH", "/feature-flags/{key}", summary="Update a feature flag", tags=("flags",)),
)
LIST_FEATURE_FLAGS = OperationSpec(
    SERVICE,
    "list_feature_flags",
    OperationKind.QUERY,
    ListFeatureFlags,
    FeatureFlagList,
    "Every feature flag with its targeting.",
    permission=_FLAG_MANAGE,
    http=HttpRoute("GET", "/feature-flags", summary="List feature flags", tags=("flags",)),
)
EVALUATE_FEATURE_FLAG = OperationSpec(
    SERVICE,
    "evaluate_feature_flag",
    OperationKind.QUERY,
    EvaluateFeatureFlag,
    FeatureFlagEvaluation,
    "Whether a flag is on for a tenant, roles and user.",
)

OPERATIONS = [SET_FEATURE_FLAG, LIST_FEATURE_FLAGS, EVALUATE_FEATURE_FLAG]
