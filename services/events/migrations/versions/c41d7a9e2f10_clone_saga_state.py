"""clone saga state

Revision ID: c41d7a9e2f10
Revises: b80e235ec162
Create Date: 2026-12-07 23:59:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql


revision: str = 'c41d7a9e2f10'
down_revision: str | None = 'b80e235ec162'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('clone_operation', sa.Column('phase', sa.Text(), server_default='COPYING', nullable=False), schema='events')
    op.add_column('clone_operation', sa.Column('id_map', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False), schema='events')
    op.add_column('clone_operation', sa.Column('steps', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False), schema='events')
    op.add_column('clone_operation', sa.Column('claimed_until', sa.DateTime(timezone=True), nullable=True), schema='events')
    op.create_index('ix_clone_operation_unfinished', 'clone_operation', ['claimed_until'], unique=False, schema='events', postgresql_where=sa.text("phase <> 'DONE'"))


def downgrade() -> None:
    op.drop_index('ix_clone_operation_unfinished', table_name='clone_operation', schema='events', postgresql_where=sa.text("phase <> 'DONE'"))
    op.drop_column('clone_operation', 'claimed_until', schema='events')
    op.drop_column('clone_operation', 'steps', schema='events')
    op.drop_column('clone_operation', 'id_map', schema='events')
    op.drop_column('clone_operation', 'phase', schema='events')
