"""user token_generation

Revision ID: 7c1d5e9a2b40
Revises: 0f4e29e83021
Create Date: 2026-11-30 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "7c1d5e9a2b40"
down_revision: str | None = "0f4e29e83021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "user", sa.Column("token_generation", sa.Integer(), server_default="0", nullable=False), schema="identity"
    )


def downgrade() -> None:
    op.drop_column("user", "token_generation", schema="identity")
