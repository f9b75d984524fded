"""What `plenary seed` puts in identity: permissions, the built-in roles, flags (off), the system user
and the global admin."""

from plenary_contracts.catalog import identity as contract
from plenary_contracts.flags import FLAG_DESCRIPTIONS, FlagState
from plenary_contracts.permissions import ALL_PERMISSIONS, SEED_ROLES, Permission, RoleSeed

SYSTEM_USER_ID = contract.SYSTEM_USER_ID
SYSTEM_USER_EMAIL = "system@plenary.invalid"
ADMIN_USERNAME = contract.ADMIN_USERNAME
ADMIN_EMAIL = "admin@plenary.local"
ADMIN_ROLE = "ADMIN"


def permissions() -> tuple[Permission, ...]:
    return ALL_PERMISSIONS


def roles() -> tuple[RoleSeed, ...]:
    return SEED_ROLES


def flags() -> list[FlagState]:
    return [FlagState(key=key.value, description=text) for key, text in FLAG_DESCRIPTIONS.items()]
