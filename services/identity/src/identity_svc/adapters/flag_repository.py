from dataclasses import asdict

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from plenary_contracts.flags import FlagState

from ..domain.flags import Flag
from .tables import feature_flag

_COLUMNS = (
    feature_flag.c.key,
    feature_flag.c.description,
    feature_flag.c.enabled,
    feature_flag.c.enabled_for_tenants,
    feature_flag.c.enabled_for_roles,
    feature_flag.c.enabled_for_users,
    feature_flag.c.disabled_for_tenants,
)
_LISTS = ("enabled_for_tenants", "enabled_for_roles", "enabled_for_users", "disabled_for_tenants")


def _flag(row: sa.Row) -> Flag:  # type: ignore[type-arg]
    values = row._asdict()
    return Flag(**{k: tuple(v) if k in _LISTS else v for k, v in values.items()})


def to_state(flag: Flag) -> FlagState:
    return FlagState.model_validate(asdict(flag))


# Built once: every evaluation reads a flag, and building the statement cost more than running it.
_BY_KEY = sa.select(*_COLUMNS).where(feature_flag.c.key == sa.bindparam("key"))
_BY_KEY_LOCKED = _BY_KEY.with_for_update()


async def get(session: AsyncSession | AsyncConnection, key: str, *, for_update: bool = False) -> Flag | None:
    row = (await session.execute(_BY_KEY_LOCKED if for_update else _BY_KEY, {"key": key})).first()
    return _flag(row) if row else None


async def list_all(session: AsyncSession | AsyncConnection) -> list[Flag]:
    rows = (await session.execute(sa.select(*_COLUMNS).order_by(feature_flag.c.key))).all()
    return [_flag(r) for r in rows]


async def save(session: AsyncSession, flag: Flag) -> None:
    values = {k: list(v) if k in _LISTS else v for k, v in asdict(flag).items() if k != "key"}
    await session.execute(
        sa.update(feature_flag).where(feature_flag.c.key == flag.key).values(**values, updated_at=sa.func.now())
    )
