"""invites: waitlist, participant, place released

Revision ID: 5d2a8c41e7b9
Revises: 0a3e03f22203
Create Date: 2026-12-07 20:55:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '5d2a8c41e7b9'
down_revision: str | None = '0a3e03f22203'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('delegation_invite', sa.Column('waitlisted_at', sa.DateTime(timezone=True), nullable=True), schema='delegation')
    op.add_column('delegation_invite', sa.Column('participant_id', sa.String(length=32), nullable=True), schema='delegation')
    op.add_column('delegation_invite', sa.Column('place_released_at', sa.DateTime(timezone=True), nullable=True), schema='delegation')
    op.create_index(op.f('ix_delegation_invite_participant_id'), 'delegation_invite', ['participant_id'], unique=False, schema='delegation')
    op.create_index(op.f('ix_delegation_invite_quota_id_waitlisted_at'), 'delegation_invite', ['quota_id', 'waitlisted_at'], unique=False, schema='delegation')


def downgrade() -> None:
    op.drop_index(op.f('ix_delegation_invite_quota_id_waitlisted_at'), table_name='delegation_invite', schema='delegation')
    op.drop_index(op.f('ix_delegation_invite_participant_id'), table_name='delegation_invite', schema='delegation')
    op.drop_column('delegation_invite', 'place_released_at', schema='delegation')
    op.drop_column('delegation_invite', 'participant_id', schema='delegation')
    op.drop_column('delegation_invite', 'waitlisted_at', schema='delegation')
