"""Assertions on a live database's schema, written from the spec rather than from the tables."""

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy import pool
from sqlalchemy.ext.asyncio import AsyncEngine

from ..settings import async_url


@dataclass(frozen=True)
class ForeignKey:
    columns: tuple[str, ...]
    referred_table: str
    ondelete: str | None  # "CASCADE", "SET NULL", or None for NO ACTION


@dataclass(frozen=True)
class TableExpectation:
    name: str
    columns: frozenset[str] | set[str]
    unique: list[tuple[str, ...]] = field(default_factory=list)
    indexes: list[tuple[str, ...]] = field(default_factory=list)
    foreign_keys: list[ForeignKey] = field(default_factory=list)


def assert_schema(database_url: str, schema: str, expected: list[TableExpectation]) -> None:
    """Fail with every difference at once: missing tables, columns, unique keys, indexes, foreign keys."""
    engine = sa.create_engine(async_url(database_url), poolclass=pool.NullPool)
    problems: list[str] = []
    try:
        with engine.connect() as conn:
            inspector = sa.inspect(conn)
            tables = set(inspector.get_table_names(schema=schema))
            for table in expected:
                if table.name not in tables:
                    problems.append(f"table {schema}.{table.name} is missing")
                    continue
                columns = {c["name"] for c in inspector.get_columns(table.name, schema=schema)}
                for missing in sorted(set(table.columns) - columns):
                    problems.append(f"{table.name}.{missing} is missing")
                indexes = inspector.get_indexes(table.name, schema=schema)
                unique_sets = {
                    tuple(u["column_names"]) for u in inspector.get_unique_constraints(table.name, schema=schema)
                }
                unique_sets |= {tuple(i["column_names"]) for i in indexes if i["unique"]}
                pk = tuple(inspector.get_pk_constraint(table.name, schema=schema)["constrained_columns"])
                unique_sets.add(pk)
                for wanted in table.unique:
                    if wanted not in unique_sets:
                        problems.append(f"{table.name}: no unique constraint on {wanted}")
                index_sets = {tuple(i["column_names"]) for i in indexes} | unique_sets
                for wanted in table.indexes:
                    if wanted not in index_sets:
                        problems.append(f"{table.name}: no index on {wanted}")
                fks = {
                    (
                        tuple(fk["constrained_columns"]),
                        fk["referred_table"],
                        (fk.get("options") or {}).get("ondelete"),
                    )
                    for fk in inspector.get_foreign_keys(table.name, schema=schema)
                }
                for wanted_fk in table.foreign_keys:
                    if (wanted_fk.columns, wanted_fk.referred_table, wanted_fk.ondelete) not in fks:
                        problems.append(
                            f"{table.name}: no foreign key {wanted_fk.columns} -> {wanted_fk.referred_table}"
                            f" ON DELETE {wanted_fk.ondelete or 'NO ACTION'}"
                        )
    finally:
        engine.dispose()
    assert not problems, "schema differs from the spec:\n  " + "\n  ".join(problems)


_TABLES = sa.text(
    "SELECT table_name, bool_or(column_name = 'tenant_id') FROM information_schema.columns"
    " WHERE table_schema = :schema GROUP BY table_name ORDER BY table_name"
)


async def rows_holding(
    engine: AsyncEngine, schema: str, *needles: str, skip_tenant: str | None = None
) -> dict[str, int]:
    """How many rows of each table of ``schema`` hold any of ``needles`` anywhere in their text (every column,
    JSON and arrays included), in any case; ``skip_tenant``'s rows left out. What an erasure test looks for."""
    found: dict[str, int] = {}
    wanted = {f"n{k}": needle.lower() for k, needle in enumerate(needles)}
    holds = " OR ".join(f"strpos(lower(r::text), :{name}) > 0" for name in wanted)
    async with engine.connect() as conn:
        for table, has_tenant in (await conn.execute(_TABLES, {"schema": schema})).all():
            skip = " AND r.tenant_id IS DISTINCT FROM :skip" if has_tenant and skip_tenant else ""
            query = f'SELECT count(*) FROM "{schema}"."{table}" AS r WHERE ({holds}){skip}'
            count = (await conn.execute(sa.text(query), wanted | {"skip": skip_tenant})).scalar_one()
            if count:
                found[table] = count
    return found
