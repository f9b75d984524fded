"""How a flag is evaluated, as a plain function (no pydantic) so a service's domain can use it too.

Global OR tenant OR role OR user, plus one addition: a tenant in
``disabled_for_tenants`` is off whatever else says yes.
"""

from collections.abc import Collection, Iterable


def flag_is_enabled(
    *,
    enabled: bool,
    enabled_for_tenants: Collection[str],
    enabled_for_roles: Collection[str],
    enabled_for_users: Collection[str],
    disabled_for_tenants: Collection[str],
    tenant_id: str | None,
    roles: Iterable[str],
    user_id: str | None,
) -> bool:
    if tenant_id is not None and tenant_id in disabled_for_tenants:
        return False
    return (
        enabled
        or (tenant_id is not None and tenant_id in enabled_for_tenants)
        or not set(roles).isdisjoint(enabled_for_roles)
        or (user_id is not None and user_id in enabled_for_users)
    )
