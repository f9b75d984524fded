"""name keys: participants indexed by name segments instead of name trigrams

Revision ID: 3c1d0e7a9b42
Revises: f04570bab81c
Create Date: 2026-11-23 10:05:00.000000
"""
from collections.abc import Callable, Iterable, Sequence

import sqlalchemy as sa
from alembic import op

# Blocking keys are derived data: the upgrade writes exactly what the code deployed with it looks up.
from registration_svc.domain import name_keys, screening

revision: str = '3c1d0e7a9b42'
down_revision: str | None = 'f04570bab81c'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BATCH = 5000
_participant = sa.table(
    'participant',
    sa.column('id'), sa.column('tenant_id'), sa.column('event_id'), sa.column('first_name'), sa.column('last_name'),
    schema='registration',
)
_key = sa.table(
    'blocking_key',
    sa.column('participant_id'), sa.column('tenant_id'), sa.column('event_id'), sa.column('key'),
    schema='registration',
)


def _rekey(old_prefix: str, keys_of: Callable[[str], Iterable[str]]) -> None:
    bind = op.get_bind()
    indexed = sa.select(_key.c.participant_id).where(_key.c.participant_id == _participant.c.id).exists()
    # a server-side cursor: its snapshot is taken here, before the old keys go
    people = bind.execute(sa.select(_participant).where(indexed).execution_options(yield_per=_BATCH))
    bind.execute(sa.delete(_key).where(_key.c.key.startswith(old_prefix)))
    for chunk in people.partitions():
        rows = [
            {'participant_id': p.id, 'tenant_id': p.tenant_id, 'event_id': p.event_id, 'key': key}
            for p in chunk
            for key in keys_of(screening.full_name(p.first_name, p.last_name))
        ]
        if rows:
            bind.execute(sa.insert(_key), rows)


def _trigrams(name: str) -> set[str]:
    padded = f'  {name}  '
    return {f'trigram:{padded[i : i + 3]}' for i in range(len(padded) - 2)}


def upgrade() -> None:
    _rekey('trigram:', name_keys.indexed)


def downgrade() -> None:
    _rekey(name_keys.PREFIX, _trigrams)
