"""comms service: the version of workflow's decision a participant's status reflects

Revision ID: 5e81c2d7a4b9
Revises: 9d3e5a7c1f20
Create Date: 2026-12-08 00:45:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '5e81c2d7a4b9'
down_revision: str | None = '9d3e5a7c1f20'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        'participant', sa.Column('status_version', sa.Integer(), server_default='0', nullable=False), schema='comms'
    )


def downgrade() -> None:
    op.drop_column('participant', 'status_version', schema='comms')
