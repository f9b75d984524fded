"""comms service: the participant a notice is about, and the indexes an erasure finds a person's deliveries by

Revision ID: 9d3e5a7c1f20
Revises: 4b258aa2391c
Create Date: 2026-12-08 00:10:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '9d3e5a7c1f20'
down_revision: str | None = '4b258aa2391c'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('message_delivery', sa.Column('about_participant_id', sa.String(length=32), nullable=True), schema='comms')
    op.create_index(op.f('ix_message_delivery_tenant_id_participant_id'), 'message_delivery', ['tenant_id', 'participant_id'], unique=False, schema='comms')
    op.create_index(op.f('ix_message_delivery_tenant_id_about_participant_id'), 'message_delivery', ['tenant_id', 'about_participant_id'], unique=False, schema='comms')
    op.create_index(op.f('ix_message_delivery_tenant_id'), 'message_delivery', ['tenant_id', sa.literal_column('lower(recipient)')], unique=False, schema='comms')


def downgrade() -> None:
    op.drop_index(op.f('ix_message_delivery_tenant_id'), table_name='message_delivery', schema='comms')
    op.drop_index(op.f('ix_message_delivery_tenant_id_about_participant_id'), table_name='message_delivery', schema='comms')
    op.drop_index(op.f('ix_message_delivery_tenant_id_participant_id'), table_name='message_delivery', schema='comms')
    op.drop_column('message_delivery', 'about_participant_id', schema='comms')
