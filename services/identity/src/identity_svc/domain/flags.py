"""Feature flag rules: a partial update keeps what it does not name; each list holds an id once."""

from dataclasses import dataclass, fields, replace
from typing import Any

from plenary_contracts.flag_rules import flag_is_enabled


@dataclass(frozen=True)
class Flag:
    key: str
    description: str | None = None
    enabled: bool = False
    enabled_for_tenants: tuple[str, ...] = ()
    enabled_for_roles: tuple[str, ...] = ()
    enabled_for_users: tuple[str, ...] = ()
    disabled_for_tenants: tuple[str, ...] = ()

    def updated(self, changes: dict[str, Any]) -> "Flag":
        names = {f.name for f in fields(self)} - {"key", "description"}
        values: dict[str, Any] = {}
        for name, value in changes.items():
            if name not in names or value is None:
                continue
            values[name] = tuple(dict.fromkeys(value)) if isinstance(value, list | tuple) else bool(value)
        return replace(self, **values)

    def is_enabled(self, tenant_id: str | None, roles: tuple[str, ...], user_id: str | None) -> bool:
        return flag_is_enabled(
            enabled=self.enabled,
            enabled_for_tenants=self.enabled_for_tenants,
            enabled_for_roles=self.enabled_for_roles,
            enabled_for_users=self.enabled_for_users,
            disabled_for_tenants=self.disabled_for_tenants,
            tenant_id=tenant_id,
            roles=roles,
            user_id=user_id,
        )
