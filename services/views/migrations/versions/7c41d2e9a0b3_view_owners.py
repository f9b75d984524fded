"""view owners: identity's users who own views, by name

Revision ID: 7c41d2e9a0b3
Revises: 2a8010cbbb3a
Create Date: 2026-12-07 20:50:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '7c41d2e9a0b3'
down_revision: str | None = '2a8010cbbb3a'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('view_owner',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('tenant_id', sa.String(length=32), nullable=True),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('source_updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_view_owner')),
    schema='views'
    )


def downgrade() -> None:
    op.drop_table('view_owner', schema='views')
