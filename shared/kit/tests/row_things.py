"""A table of things with a field of every kind, as a column and as a JSONB extra, for the list query tests."""

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

from plenary_contracts.enums import FieldDataType as T
from plenary_contracts.row_queries import SortKey
from plenary_kit.db import RowField, RowSource

metadata = sa.MetaData()
thing = sa.Table(
    "thing",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("tenant_id", sa.String(32), nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("name", sa.Text),
    sa.Column("score", sa.Numeric),
    sa.Column("active", sa.Boolean),
    sa.Column("day", sa.Date),
    sa.Column("at", sa.DateTime(timezone=True)),
    sa.Column("tags", pg.ARRAY(sa.Text)),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("extras", pg.JSONB, nullable=False, server_default="{}"),
)
STATUSES = ("DRAFT", "OPEN", "CLOSED")
DIETS = ("VEGAN", "HALAL", "NONE")
extras = thing.c.extras

FIELDS = [
    RowField.column("status", "Status", T.ENUM, thing.c.status, options=STATUSES, groupable=True),
    RowField.column("name", "Name", T.TEXT, thing.c.name, groupable=True),
    RowField.column("score", "Score", T.NUMBER, thing.c.score, groupable=True),
    RowField.column("active", "Active", T.BOOLEAN, thing.c.active, groupable=True),
    RowField.column("day", "Day", T.DATE, thing.c.day),
    RowField.column("at", "At", T.DATETIME, thing.c.at),
    RowField.column("tags", "Tags", T.MULTI_ENUM, thing.c.tags),
    RowField.column("createdAt", "Created", T.DATETIME, thing.c.created_at),
    RowField.json("xText", "Extra text", T.TEXT, extras, "xText"),
    RowField.json("diet", "Diet", T.ENUM, extras, "diet", options=DIETS, groupable=True),
    RowField.json("xNumber", "Extra number", T.NUMBER, extras, "xNumber", groupable=True),
    RowField.json("xBool", "Extra flag", T.BOOLEAN, extras, "xBool"),
    RowField.json("xDate", "Extra date", T.DATE, extras, "xDate"),
    RowField.json("xTime", "Extra time", T.DATETIME, extras, "xTime"),
    RowField.json("xList", "Extra list", T.MULTI_ENUM, extras, "xList"),
    RowField.json("xJson", "Extra JSON", T.JSON, extras, "xJson"),
    RowField.json("status", "Shadowed extra", T.TEXT, extras, "status"),  # a built-in wins
    RowField.column("secret", "Not filterable", T.TEXT, thing.c.name, filterable=False, sortable=False),
]
SOURCE = RowSource(FIELDS, thing.c.id, [SortKey(field="createdAt", direction="desc")])


def base(tenant: str = "t1") -> sa.Select:
    return sa.select().select_from(thing).where(thing.c.tenant_id == tenant)
