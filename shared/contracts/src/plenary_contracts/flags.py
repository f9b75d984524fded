"""Feature flags: the 23 keys, their descriptions, and how a flag is evaluated.

Evaluation (``flag_rules``) is global OR tenant OR role OR user plus an
explicit per-tenant off switch.
"""

from enum import StrEnum

from pydantic import ConfigDict, Field

from .flag_rules import flag_is_enabled
from .model import Model


class FlagKey(StrEnum):
    # the platform's earlier flags
    VISUAL_FORM_DESIGNER = "FF_VISUAL_FORM_DESIGNER"
    SSE_UPDATES = "FF_SSE_UPDATES"
    KEYBOARD_SHORTCUTS = "FF_KEYBOARD_SHORTCUTS"
    NOTIFICATIONS = "FF_NOTIFICATIONS"
    GLOBAL_SEARCH = "FF_GLOBAL_SEARCH"
    I18N = "FF_I18N"
    CONDITIONAL_ROUTING = "FF_CONDITIONAL_ROUTING"
    STEP_ASSIGNMENT = "FF_STEP_ASSIGNMENT"
    AUTO_ACTIONS = "FF_AUTO_ACTIONS"
    DELEGATION_PORTAL = "FF_DELEGATION_PORTAL"
    SAVED_VIEWS = "FF_SAVED_VIEWS"
    CUSTOM_OBJECTS = "FF_CUSTOM_OBJECTS"
    ANALYTICS_DASHBOARD = "FF_ANALYTICS_DASHBOARD"
    PWA = "FF_PWA"
    OFFLINE_MODE = "FF_OFFLINE_MODE"
    REST_API = "FF_REST_API"
    WEBHOOKS = "FF_WEBHOOKS"
    BULK_OPERATIONS = "FF_BULK_OPERATIONS"
    EVENT_CLONE = "FF_EVENT_CLONE"
    WAITLIST = "FF_WAITLIST"
    COMMUNICATION_HUB = "FF_COMMUNICATION_HUB"
    KIOSK_MODE = "FF_KIOSK_MODE"
    PARALLEL_WORKFLOWS = "FF_PARALLEL_WORKFLOWS"


FLAG_DESCRIPTIONS: dict[FlagKey, str] = {
    FlagKey.VISUAL_FORM_DESIGNER: "Visual drag-and-drop form designer",
    FlagKey.SSE_UPDATES: "Real-time updates over server-sent events",
    FlagKey.KEYBOARD_SHORTCUTS: "Keyboard shortcuts for reviewers",
    FlagKey.NOTIFICATIONS: "In-app notifications",
    FlagKey.GLOBAL_SEARCH: "Global search across participants, events and workflows",
    FlagKey.I18N: "Internationalization and multi-language support",
    FlagKey.CONDITIONAL_ROUTING: "Conditional workflow routing based on participant data",
    FlagKey.STEP_ASSIGNMENT: "Step assignment and reassignment with strategies",
    FlagKey.AUTO_ACTIONS: "Automatic action rules engine for workflow steps",
    FlagKey.DELEGATION_PORTAL: "Delegation quota management and invite portal",
    FlagKey.SAVED_VIEWS: "Saved views with table, kanban, calendar, and gallery layouts",
    FlagKey.CUSTOM_OBJECTS: "Tenant-defined custom entity types",
    FlagKey.ANALYTICS_DASHBOARD: "Analytics dashboard with charts and metrics",
    FlagKey.PWA: "Progressive Web App shell and service worker",
    FlagKey.OFFLINE_MODE: "Offline mode with IndexedDB mutation queue and sync",
    FlagKey.REST_API: "Public REST API with API key authentication",
    FlagKey.WEBHOOKS: "Outbound webhooks with signed deliveries and retries",
    FlagKey.BULK_OPERATIONS: "Bulk import, export, batch actions and undo",
    FlagKey.EVENT_CLONE: "Event cloning and event series",
    FlagKey.WAITLIST: "Waitlist with priority promotion",
    FlagKey.COMMUNICATION_HUB: "Communication hub: templates and broadcasts",
    FlagKey.KIOSK_MODE: "Self-service kiosks and queue management",
    FlagKey.PARALLEL_WORKFLOWS: "Parallel workflow paths with fork and join steps",
}


class FlagContext(Model):
    """Who is asking: always pass all three, so a flag turned on for a role or a user is seen."""

    model_config = ConfigDict(frozen=True)

    tenant_id: str | None = None
    roles: tuple[str, ...] = ()
    user_id: str | None = None


class FlagState(Model):
    """A flag as identity stores it and as the KV bucket mirrors it."""

    key: str
    description: str | None = None
    enabled: bool = False
    enabled_for_tenants: list[str] = Field(default_factory=list)
    enabled_for_roles: list[str] = Field(default_factory=list)
    enabled_for_users: list[str] = Field(default_factory=list)
    disabled_for_tenants: list[str] = Field(default_factory=list)

    def is_enabled(self, context: FlagContext) -> bool:
        return flag_is_enabled(
            enabled=self.enabled,
            enabled_for_tenants=self.enabled_for_tenants,
            enabled_for_roles=self.enabled_for_roles,
            enabled_for_users=self.enabled_for_users,
            disabled_for_tenants=self.disabled_for_tenants,
            tenant_id=context.tenant_id,
            roles=context.roles,
            user_id=context.user_id,
        )


def evaluate(flags: dict[str, FlagState], key: str, context: FlagContext) -> bool:
    """A missing flag is off."""
    state = flags.get(key)
    return state is not None and state.is_enabled(context)
