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


async def get(session: AsyncSession | AsyncConnection, key: str, *, for_update: bool = False) -> Flag | None:
    query = sa.select(*_COLUMNS).where(feature_flag.c.key == key)
    if for_update:
        query = query.with_for_update()
    row = (await session.execute(query)).first()
    return _flag(row) if row else None


async def list_all(session: AsyncSession | AsyncConnection) -> list[Flag]:
    rows = (await session.execute(sa.select(*_COLUMNS).order_by(feature_flag.c.key))).all()
    return [_flag(r) for r in rows]


async def save(session: AsyncSession, flag: Flag) -> None:
    values = {k: list(v) if k in _LISTS else v for k, v in asdict(flag).items() if k != "key"}
    await session.execute(
        sa.update(feature_flag).where(feature_flag.c.key == flag.key).values(**values, updated_at=sa.func.now())
    )
