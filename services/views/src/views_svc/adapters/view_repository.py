"""Saved views and their owners' names: rows ↔ records and contract models."""

from collections.abc import Collection, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from plenary_contracts.catalog import identity
from plenary_contracts.catalog import views as contract
from plenary_contracts.listing import PageMeta
from plenary_kit.db import execute_unique, fetch_page

from .tables import saved_view, view_owner

NAME_TAKEN = "uq_saved_view_tenant_id_user_id_name_entity_type"
_CONFLICT = {NAME_TAKEN: "you already have a view of this entity type with this name"}
SORTABLE = {"name": saved_view.c.name, "createdAt": saved_view.c.created_at, "updatedAt": saved_view.c.updated_at}


@dataclass(frozen=True)
class ViewRecord:
    id: str
    tenant_id: str
    user_id: str | None
    name: str
    entity_type: str
    view_type: str
    filters: list[dict[str, Any]]
    sorts: list[dict[str, Any]]
    columns: list[dict[str, Any]]
    config: dict[str, Any]
    is_shared: bool
    is_default: bool
    created_at: datetime
    updated_at: datetime
    owner_name: str | None


def _visible(tenant_id: str, actor_id: str) -> sa.Select[Any]:
    """The tenant's views the actor sees (their own and the shared ones), each with its owner's name."""
    return (
        sa.select(saved_view, view_owner.c.name.label("owner_name"))
        .outerjoin(view_owner, view_owner.c.id == saved_view.c.user_id)
        .where(
            saved_view.c.tenant_id == tenant_id,
            sa.or_(saved_view.c.is_shared, saved_view.c.user_id == actor_id),
        )
    )


def _record(row: sa.Row[Any] | None) -> ViewRecord | None:
    return ViewRecord(**row._mapping) if row is not None else None


async def get_visible(
    db: AsyncSession, view_id: str, tenant_id: str, actor_id: str, *, for_update: bool = False
) -> ViewRecord | None:
    query = _visible(tenant_id, actor_id).where(saved_view.c.id == view_id)
    if for_update:
        query = query.with_for_update(of=saved_view)
    return _record((await db.execute(query)).first())


async def page_views(
    db: AsyncSession, tenant_id: str, actor_id: str, request: contract.ListSavedViews
) -> tuple[list[contract.SavedView], PageMeta]:
    """The caller's default view first, then the requested order (fetch_page appends it)."""
    query = _visible(tenant_id, actor_id)
    if request.entity_type is not None:
        query = query.where(saved_view.c.entity_type == request.entity_type)
    mine_first = sa.and_(saved_view.c.is_default, saved_view.c.user_id == actor_id)
    rows, meta = await fetch_page(db, query.order_by(mine_first.desc()), request, SORTABLE, saved_view.c.id)
    return [to_view(ViewRecord(**r._mapping)) for r in rows], meta


async def default_of(db: AsyncSession, tenant_id: str, actor_id: str, entity_type: str) -> ViewRecord | None:
    query = _visible(tenant_id, actor_id).where(
        saved_view.c.user_id == actor_id, saved_view.c.entity_type == entity_type, saved_view.c.is_default
    )
    return _record((await db.execute(query.limit(1))).first())


async def insert_view(db: AsyncSession, values: Mapping[str, Any]) -> None:
    """A name the owner already gave a view of the same entity type is a Conflict."""
    await execute_unique(db, sa.insert(saved_view).values(**values), _CONFLICT)


async def update_view(db: AsyncSession, view_id: str, values: Mapping[str, Any]) -> None:
    statement = sa.update(saved_view).where(saved_view.c.id == view_id).values(**values)
    await execute_unique(db, statement, _CONFLICT)


async def clear_defaults(db: AsyncSession, tenant_id: str, user_id: str, entity_type: str, keep: str) -> None:
    """The owner's other views of the entity type stop being the default."""
    await db.execute(
        sa.update(saved_view)
        .where(
            saved_view.c.tenant_id == tenant_id,
            saved_view.c.user_id == user_id,
            saved_view.c.entity_type == entity_type,
            saved_view.c.is_default,
            saved_view.c.id != keep,
        )
        .values(is_default=False)
    )


async def delete_view(db: AsyncSession, view_id: str) -> None:
    await db.execute(sa.delete(saved_view).where(saved_view.c.id == view_id))


async def lock_namespace(db: AsyncSession, tenant_id: str, user_id: str | None, entity_type: str) -> None:
    """Serialise changes to one namespace (one owner's views, or the ownerless ones, of one entity type) to the
    end of the transaction: two copies made at once never pick the same name, two defaults never both stay."""
    key = f"views:names:{tenant_id}:{user_id or ''}:{entity_type}"
    await db.execute(sa.select(sa.func.pg_advisory_xact_lock(sa.func.hashtextextended(key, 0))))


async def names_starting(
    db: AsyncSession, tenant_id: str, user_id: str | None, entity_type: str, prefix: str
) -> set[str]:
    owner = saved_view.c.user_id.is_(None) if user_id is None else saved_view.c.user_id == user_id
    query = sa.select(saved_view.c.name).where(
        saved_view.c.tenant_id == tenant_id,
        owner,
        saved_view.c.entity_type == entity_type,
        saved_view.c.name.startswith(prefix, autoescape=True),
    )
    return set((await db.execute(query)).scalars())


# --- an event's views, for the clone saga ---------------------------------------------------------


def _of_event(tenant_id: str, event_id: str) -> sa.ColumnElement[bool]:
    return sa.and_(saved_view.c.tenant_id == tenant_id, saved_view.c.config["eventId"].astext == event_id)


async def views_of_event(db: AsyncSession, tenant_id: str, event_id: str) -> list[ViewRecord]:
    """The tenant's views (everyone's) whose ``config.eventId`` is the event, oldest first."""
    query = (
        sa.select(saved_view, sa.null().label("owner_name"))
        .where(_of_event(tenant_id, event_id))
        .order_by(saved_view.c.created_at, saved_view.c.id)
    )
    return [ViewRecord(**r._mapping) for r in await db.execute(query)]


async def existing_ids(db: AsyncSession, tenant_id: str, view_ids: Collection[str]) -> set[str]:
    if not view_ids:
        return set()
    query = sa.select(saved_view.c.id).where(saved_view.c.tenant_id == tenant_id, saved_view.c.id.in_(view_ids))
    return set((await db.execute(query)).scalars())


async def insert_copies(db: AsyncSession, rows: Sequence[Mapping[str, Any]]) -> None:
    """Copies under ids of their own; one already there (a repeated copy) is left as it is."""
    if rows:
        await db.execute(insert(saved_view).values(list(rows)).on_conflict_do_nothing(index_elements=["id"]))


async def delete_of_event(db: AsyncSession, tenant_id: str, event_id: str) -> int:
    deleted = await db.execute(sa.delete(saved_view).where(_of_event(tenant_id, event_id)).returning(saved_view.c.id))
    return len(deleted.all())


# --- a deleted user's views ----------------------------------------------------------------------


async def delete_private_views(db: AsyncSession, user_id: str) -> None:
    await db.execute(sa.delete(saved_view).where(saved_view.c.user_id == user_id, sa.not_(saved_view.c.is_shared)))


async def shared_views_of(db: AsyncSession, user_id: str) -> list[ViewRecord]:
    query = (
        sa.select(saved_view, sa.null().label("owner_name"))
        .where(saved_view.c.user_id == user_id)
        .order_by(saved_view.c.created_at, saved_view.c.id)
        .with_for_update()
    )
    return [ViewRecord(**r._mapping) for r in await db.execute(query)]


async def disown(db: AsyncSession, view_id: str, name: str) -> None:
    """The view stays, shared, without an owner (and so nobody's default)."""
    await db.execute(
        sa.update(saved_view).where(saved_view.c.id == view_id).values(user_id=None, name=name, is_default=False)
    )


# --- owners' names, from identity's user events --------------------------------------------------


async def upsert_owner(db: AsyncSession, user: identity.User) -> None:
    """Events that arrive out of order never take a name back (``source_updated_at``)."""
    values = {
        "id": user.id,
        "tenant_id": user.tenant_id,
        "name": user.name or user.username,
        "source_updated_at": user.updated_at,
    }
    statement = insert(view_owner).values(**values)
    await db.execute(
        statement.on_conflict_do_update(
            index_elements=[view_owner.c.id],
            set_={name: statement.excluded[name] for name in values if name != "id"},
            where=view_owner.c.source_updated_at <= statement.excluded.source_updated_at,
        )
    )


async def delete_owner(db: AsyncSession, user_id: str) -> None:
    await db.execute(sa.delete(view_owner).where(view_owner.c.id == user_id))


def to_view(record: ViewRecord) -> contract.SavedView:
    fields = asdict(record)
    owner_name = fields.pop("owner_name")
    owner = {"id": record.user_id, "name": owner_name} if record.user_id is not None else None
    return contract.SavedView.model_validate(fields | {"owner": owner})
