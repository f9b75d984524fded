"""numbered names keyed apart by their numbers; an import can end CANCELLED

Revision ID: 8e2f6a1c4d73
Revises: 3c1d0e7a9b42
Create Date: 2026-11-30 09:00:00.000000
"""

from collections.abc import Callable, Iterable, Sequence

import sqlalchemy as sa
from alembic import op

# Blocking keys are derived data: the upgrade writes exactly what the code deployed with it looks up.
from registration_svc.domain import name_keys, screening

revision: str = "8e2f6a1c4d73"
down_revision: str | None = "3c1d0e7a9b42"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BATCH = 5000
_STATUS = "ck_bulk_operation_bulk_operation_status"
_STATUSES = ("VALIDATING", "PREVIEW", "CONFIRMED", "PROCESSING", "COMPLETED", "FAILED", "ROLLED_BACK")
_participant = sa.table(
    "participant",
    sa.column("id"),
    sa.column("tenant_id"),
    sa.column("event_id"),
    sa.column("first_name"),
    sa.column("last_name"),
    schema="registration",
)
_key = sa.table(
    "blocking_key",
    sa.column("participant_id"),
    sa.column("tenant_id"),
    sa.column("event_id"),
    sa.column("key"),
    schema="registration",
)


def _rekey_numbered(keys_of: Callable[[str, str], Iterable[str]]) -> None:
    """Replace the name and Soundex keys of every indexed participant whose name carries a number."""
    bind = op.get_bind()
    indexed = sa.select(_key.c.participant_id).where(_key.c.participant_id == _participant.c.id).exists()
    people = bind.execute(sa.select(_participant).where(indexed).execution_options(yield_per=_BATCH))
    for chunk in people.partitions():
        numbered = [p for p in chunk if screening.numbers(screening.full_name(p.first_name, p.last_name))]
        if not numbered:
            continue
        bind.execute(
            sa.delete(_key).where(
                _key.c.participant_id.in_([p.id for p in numbered]),
                sa.or_(_key.c.key.startswith(name_keys.PREFIX), _key.c.key.startswith("soundex:")),
            )
        )
        rows = [
            {"participant_id": p.id, "tenant_id": p.tenant_id, "event_id": p.event_id, "key": key}
            for p in numbered
            for key in keys_of(p.first_name, p.last_name)
        ]
        bind.execute(sa.insert(_key), rows)


def _name_keys(first: str, last: str) -> set[str]:
    return screening.blocking_keys(screening.Person(None, first, last))


def _old_name_keys(first: str, last: str) -> set[str]:
    keys = name_keys.indexed(screening.full_name(first, last))
    codes = screening.soundex(first), screening.soundex(last)
    return keys | ({f"soundex:{codes[0]}:{codes[1]}"} if all(codes) else set())


def _statuses(*statuses: str) -> None:
    op.drop_constraint(op.f(_STATUS), "bulk_operation", schema="registration", type_="check")
    listed = ", ".join(f"'{s}'" for s in statuses)
    op.create_check_constraint(op.f(_STATUS), "bulk_operation", sa.text(f"status IN ({listed})"), schema="registration")


def upgrade() -> None:
    _rekey_numbered(_name_keys)
    _statuses(*_STATUSES, "CANCELLED")


def downgrade() -> None:
    op.execute("UPDATE registration.bulk_operation SET status = 'FAILED' WHERE status = 'CANCELLED'")
    _statuses(*_STATUSES)
    _rekey_numbered(_old_name_keys)
