"""erasure saga: the erasure report with its receipts; a participant's erased_at

Revision ID: c7d94e2a1f60
Revises: eeb54d6cd5f1
Create Date: 2026-12-08 00:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "c7d94e2a1f60"
down_revision: str | None = "eeb54d6cd5f1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "participant", sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True), schema="registration"
    )
    op.create_table(
        "erasure",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("tenant_id", sa.String(length=32), nullable=False),
        sa.Column("participant_id", sa.String(length=32), nullable=False),
        sa.Column("event_id", sa.String(length=32), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "IN_PROGRESS",
                "COMPLETED",
                name="erasure_status",
                native_enum=False,
                create_constraint=True,
                schema="registration",
            ),
            server_default="IN_PROGRESS",
            nullable=False,
        ),
        sa.Column("requested_by", sa.String(length=32), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_erasure")),
        sa.UniqueConstraint("tenant_id", "participant_id", name=op.f("uq_erasure_tenant_id_participant_id")),
        schema="registration",
    )
    op.create_index(
        op.f("ix_erasure_tenant_id_started_at"), "erasure", ["tenant_id", "started_at"], schema="registration"
    )
    op.create_index(
        "ix_erasure_unfinished",
        "erasure",
        ["lease_until"],
        schema="registration",
        postgresql_where=sa.text("status = 'IN_PROGRESS'"),
    )
    op.create_table(
        "erasure_receipt",
        sa.Column("erasure_id", sa.String(length=32), nullable=False),
        sa.Column("service", sa.Text(), nullable=False),
        sa.Column("tenant_id", sa.String(length=32), nullable=False),
        sa.Column(
            "erased", postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False
        ),
        sa.Column(
            "anonymised", postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False
        ),
        sa.Column("received_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["erasure_id"],
            ["registration.erasure.id"],
            name=op.f("fk_erasure_receipt_erasure_id_erasure"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("erasure_id", "service", name=op.f("pk_erasure_receipt")),
        schema="registration",
    )


def downgrade() -> None:
    op.drop_table("erasure_receipt", schema="registration")
    op.drop_index("ix_erasure_unfinished", table_name="erasure", schema="registration")
    op.drop_index(op.f("ix_erasure_tenant_id_started_at"), table_name="erasure", schema="registration")
    op.drop_table("erasure", schema="registration")
    op.drop_column("participant", "erased_at", schema="registration")
