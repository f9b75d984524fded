"""delegation's schema: per-organisation quotas for an event and the invites sent against them."""

import sqlalchemy as sa

from plenary_contracts.enums import DelegationInviteStatus
from plenary_kit.db import (
    add_messaging_tables,
    created_at,
    cross_service_ref,
    enum_column,
    foreign_key,
    id_column,
    service_metadata,
    tenant_id_column,
    updated_at,
)

metadata = service_metadata("delegation")
messaging = add_messaging_tables(metadata)

delegation_quota = sa.Table(
    "delegation_quota",
    metadata,
    id_column(),
    tenant_id_column(),
    cross_service_ref("event_id"),
    # a free-text external id: there is no organisation model
    sa.Column("organization_id", sa.Text, nullable=False),
    sa.Column("max_participants", sa.Integer, nullable=False),
    sa.Column("used_count", sa.Integer, nullable=False, server_default="0"),
    created_at(),
    updated_at(),
    sa.UniqueConstraint("tenant_id", "event_id", "organization_id"),
    sa.Index(None, "tenant_id", "event_id"),
    # A quota is never overdrawn: with the atomic `used_count = used_count + 1 WHERE used_count < max_participants`
    sa.CheckConstraint("used_count <= max_participants", name="used_count_within_max"),
    sa.CheckConstraint("used_count >= 0", name="used_count_not_negative"),
)

delegation_invite = sa.Table(
    "delegation_invite",
    metadata,
    id_column(),
    tenant_id_column(),
    foreign_key("quota_id", "delegation_quota.id", ondelete="CASCADE"),
    sa.Column("email", sa.Text, nullable=False, index=True),
    # the SHA-256 (hex) of the invite's token: the token itself is only in the e-mail's link
    sa.Column("token", sa.Text, nullable=False, unique=True),
    enum_column("status", DelegationInviteStatus, default=DelegationInviteStatus.PENDING),
    sa.Column("invited_by", sa.String(32), nullable=False),
    sa.Column("accepted_at", sa.DateTime(timezone=True)),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    # refused for a full quota, the delegate waits for a place: the first place given back accepts the invite
    sa.Column("waitlisted_at", sa.DateTime(timezone=True)),
    # the delegate registered with this invite (at most one), and when their place came back (at most once)
    cross_service_ref("participant_id", nullable=True),
    sa.Column("place_released_at", sa.DateTime(timezone=True)),
    created_at(),
    updated_at(),
    sa.Index(None, "quota_id", "status"),
    # for the expiry sweeper: PENDING invites past expires_at
    sa.Index(None, "status", "expires_at"),
    sa.Index(None, "participant_id"),
    sa.Index(None, "quota_id", "waitlisted_at"),
)
