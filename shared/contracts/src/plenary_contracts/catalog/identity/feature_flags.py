"""identity: feature flags, their targeting and their evaluation for a caller."""

from pydantic import Field

from ...flags import FlagContext, FlagKey, FlagState
from ...model import Model
from ...operations import HttpRoute
from ...permissions import Permission
from ._common import _NF_VALID, _cmd, _event, _qry


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


# --- domain events -------------------------------------------------------------------------------

FEATURE_FLAG_CHANGED = _event("feature_flag", "changed", FeatureFlagChanged, "A feature flag's targeting changed.")

_FLAG_MANAGE = Permission("feature-flag", "manage")


# --- operations ----------------------------------------------------------------------------------

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
