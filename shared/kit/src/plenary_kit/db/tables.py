"""Column and table helpers so every service's schema looks the same.

Enums are stored as text with a CHECK constraint (not native Postgres enums: those survive a
``drop_table`` in Alembic and break a downgrade followed by an upgrade).
"""

from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

from ..ids import new_id

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def service_metadata(schema: str) -> sa.MetaData:
    return sa.MetaData(schema=schema, naming_convention=NAMING_CONVENTION)


def id_column() -> sa.Column[str]:
    return sa.Column("id", sa.String(32), primary_key=True, default=new_id)


def tenant_id_column(*, nullable: bool = False) -> sa.Column[str]:
    """A tenant id: identity owns tenants, so elsewhere this is a reference, not a foreign key."""
    return sa.Column("tenant_id", sa.String(32), nullable=nullable)


def cross_service_ref(name: str, *, nullable: bool = False) -> sa.Column[str]:
    """An id owned by another service: no foreign key; the owner's deletion event drives cascades."""
    return sa.Column(name, sa.String(32), nullable=nullable)


def foreign_key(name: str, target: str, *, ondelete: str, nullable: bool = False, **kw: Any) -> sa.Column[str]:
    """A real foreign key inside this service's schema; ``target`` is ``table.column``."""
    return sa.Column(name, sa.String(32), sa.ForeignKey(target, ondelete=ondelete), nullable=nullable, **kw)


def created_at() -> sa.Column[Any]:
    return sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now())


def updated_at() -> sa.Column[Any]:
    return sa.Column(
        "updated_at",
        sa.DateTime(timezone=True),
        nullable=False,
        server_default=sa.func.now(),
        onupdate=sa.func.now(),
    )


def enum_column(name: str, enum: type[StrEnum], *, default: StrEnum | None = None, **kw: Any) -> sa.Column[Any]:
    type_name = "".join("_" + c.lower() if c.isupper() else c for c in enum.__name__).lstrip("_")
    column_type = sa.Enum(
        enum,
        name=type_name,
        native_enum=False,
        create_constraint=True,
        length=max(len(m.value) for m in enum),
        values_callable=lambda e: [m.value for m in e],
        validate_strings=True,
    )
    if default is not None:
        kw.setdefault("server_default", default.value)
        kw.setdefault("nullable", False)
    return sa.Column(name, column_type, **kw)


def jsonb_column(name: str, *, default: str | None = None, nullable: bool | None = None) -> sa.Column[Any]:
    """``default`` is a JSON literal such as ``'[]'`` or ``'{}'``; it becomes the server default."""
    if default is None:
        return sa.Column(name, JSONB, nullable=True if nullable is None else nullable)
    return sa.Column(
        name,
        JSONB,
        nullable=False if nullable is None else nullable,
        server_default=sa.text(f"'{default}'::jsonb"),
    )


def text_array(name: str) -> sa.Column[Any]:
    return sa.Column(name, ARRAY(sa.Text), nullable=False, server_default=sa.text("'{}'::text[]"))
