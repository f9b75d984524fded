"""registration's schema: participants, waitlist, duplicate and blacklist screening, merges, bulk ops."""

import sqlalchemy as sa

from plenary_contracts.catalog.registration import ErasureStatus
from plenary_contracts.enums import (
    BlacklistType,
    BulkItemStatus,
    BulkOperationStatus,
    BulkOperationType,
    DuplicateStatus,
    EventStatus,
    FieldDataType,
    ParticipantStatus,
    WaitlistPriority,
    WaitlistStatus,
)
from plenary_kit.db import (
    add_messaging_tables,
    created_at,
    cross_service_ref,
    enum_column,
    foreign_key,
    id_column,
    jsonb_column,
    service_metadata,
    tenant_id_column,
    text_array,
    updated_at,
)

metadata = service_metadata("registration")
messaging = add_messaging_tables(metadata)

participant = sa.Table(
    "participant",
    metadata,
    id_column(),
    tenant_id_column(),
    cross_service_ref("event_id"),
    cross_service_ref("participant_type_id"),
    cross_service_ref("workflow_id", nullable=True),
    cross_service_ref("workflow_version_id", nullable=True),
    cross_service_ref("current_step_id", nullable=True),
    sa.Column("registration_code", sa.Text, nullable=False),
    sa.Column("first_name", sa.Text, nullable=False),
    sa.Column("last_name", sa.Text, nullable=False),
    sa.Column("email", sa.Text),
    sa.Column("organization", sa.Text),
    sa.Column("job_title", sa.Text),
    sa.Column("nationality", sa.Text),
    enum_column("status", ParticipantStatus, default=ParticipantStatus.PENDING),
    # passportNumber, phone and dateOfBirth live here by convention
    jsonb_column("extras", default="{}"),
    # screening found a likely duplicate (WARN) that nobody reviewed yet
    sa.Column("flagged", sa.Boolean, nullable=False, server_default=sa.false()),
    # the workflow progress version last mirrored (participant.status_changed): older events never win
    sa.Column("progress_version", sa.Integer),
    sa.Column("deleted_at", sa.DateTime(timezone=True)),
    # the person was erased: every personal column is blank, and the row can no longer change
    sa.Column("erased_at", sa.DateTime(timezone=True)),
    created_at(),
    # also the optimistic-lock version (expectedVersion / If-Match)
    updated_at(),
    sa.UniqueConstraint("tenant_id", "event_id", "registration_code"),
    sa.Index(None, "tenant_id", "event_id", "status"),
    sa.Index(None, "tenant_id", "event_id", "created_at"),
    sa.Index(None, "email"),
    sa.Index(None, "participant_type_id"),
    sa.Index(None, "workflow_id"),
    sa.Index(None, "workflow_version_id"),
    sa.Index(None, "current_step_id"),
    sa.Index(None, "deleted_at"),
    # List queries (saved views): a live participant page in date order, with or without status and type,
    # walks one index range and stops at the page; an extras equality is a containment the GIN index serves
    sa.Index(  # kanban counts per status: an index-only scan
        "ix_participant_rows_status",
        "tenant_id",
        "event_id",
        "status",
        postgresql_where=sa.text("deleted_at IS NULL"),
    ),
    sa.Index(
        "ix_participant_rows_created",
        "tenant_id",
        "event_id",
        "created_at",
        "id",
        postgresql_where=sa.text("deleted_at IS NULL"),
    ),
    sa.Index(
        "ix_participant_rows_status_type_created",
        "tenant_id",
        "event_id",
        "status",
        "participant_type_id",
        "created_at",
        "id",
        postgresql_where=sa.text("deleted_at IS NULL"),
    ),
    sa.Index(
        "ix_participant_rows_extras", "extras", postgresql_using="gin", postgresql_ops={"extras": "jsonb_path_ops"}
    ),
)

# Screening finds candidates through these keys, never by scanning every participant.
blocking_key = sa.Table(
    "blocking_key",
    metadata,
    foreign_key("participant_id", "participant.id", ondelete="CASCADE", primary_key=True),
    sa.Column("key", sa.Text, primary_key=True),
    tenant_id_column(),
    cross_service_ref("event_id"),
    # covering: a key's postings are read from the index alone
    sa.Index(None, "tenant_id", "key", "event_id", "participant_id"),
)

# Read models of the events service (kept from its events; fetched on a miss).
event = sa.Table(
    "event",
    metadata,
    id_column(),
    tenant_id_column(),
    sa.Column("name", sa.Text, nullable=False),
    enum_column("status", EventStatus, nullable=False),
    sa.Column("start_date", sa.DateTime(timezone=True), nullable=False),
    sa.Column("end_date", sa.DateTime(timezone=True), nullable=False),
    sa.Column("timezone", sa.Text, nullable=False, server_default="UTC"),
    sa.Column("deleted_at", sa.DateTime(timezone=True)),
    sa.Column("source_updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Index(None, "tenant_id", "start_date", "end_date"),
)

participant_type = sa.Table(
    "participant_type",
    metadata,
    id_column(),
    tenant_id_column(),
    cross_service_ref("event_id"),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("code", sa.Text, nullable=False),
    sa.Column("deleted_at", sa.DateTime(timezone=True)),
    sa.Column("source_updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Index(None, "event_id"),
)

field_definition = sa.Table(
    "field_definition",
    metadata,
    id_column(),
    tenant_id_column(),
    cross_service_ref("event_id", nullable=True),
    sa.Column("entity_type", sa.Text, nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("label", sa.Text, nullable=False),
    enum_column("data_type", FieldDataType, nullable=False),
    sa.Column("sort_order", sa.Integer, nullable=False),
    sa.Column("is_required", sa.Boolean, nullable=False),
    sa.Column("is_unique", sa.Boolean, nullable=False),
    sa.Column("default_value", sa.Text),
    jsonb_column("config", default="{}"),
    jsonb_column("validation", default="[]"),
    sa.Column("deleted_at", sa.DateTime(timezone=True)),
    sa.Column("source_updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Index(None, "tenant_id", "event_id", "entity_type"),
)

waitlist_entry = sa.Table(
    "waitlist_entry",
    metadata,
    id_column(),
    tenant_id_column(),
    cross_service_ref("event_id"),
    # the registered participant, once an offer was confirmed
    foreign_key("participant_id", "participant.id", ondelete="SET NULL", nullable=True, unique=True),
    cross_service_ref("participant_type_id"),
    # who waits (lower e-mail, else lower full name): one row per person and event, so a re-add after
    # a withdrawal reactivates it
    sa.Column("applicant_key", sa.Text, nullable=False),
    enum_column("priority", WaitlistPriority, default=WaitlistPriority.STANDARD),
    sa.Column("position", sa.Integer, nullable=False),
    enum_column("status", WaitlistStatus, default=WaitlistStatus.ACTIVE),
    jsonb_column("registration_data", nullable=False),
    sa.Column("promoted_at", sa.DateTime(timezone=True)),
    sa.Column("promotion_deadline", sa.DateTime(timezone=True)),
    sa.Column("expired_at", sa.DateTime(timezone=True)),
    sa.Column("withdrawn_at", sa.DateTime(timezone=True)),
    sa.Column("notifications_sent", sa.Integer, nullable=False, server_default="0"),
    sa.Column("last_notified_at", sa.DateTime(timezone=True)),
    sa.Column("reminded_at", sa.DateTime(timezone=True)),
    created_at(),
    updated_at(),
    sa.UniqueConstraint("tenant_id", "event_id", "applicant_key"),
    # queue order; the tier order VIP > HIGH > STANDARD is not the text order, so queries rank it with CASE
    sa.Index(
        "ix_waitlist_entry_queue_order",
        "tenant_id",
        "event_id",
        "participant_type_id",
        "status",
        "priority",
        "created_at",
    ),
    sa.Index(None, "tenant_id", "event_id", "status"),
    sa.Index(None, "status", "promotion_deadline"),
)

waitlist_promotion = sa.Table(
    "waitlist_promotion",
    metadata,
    id_column(),
    tenant_id_column(),
    foreign_key("entry_id", "waitlist_entry.id", ondelete="CASCADE", index=True),
    # a user id, or a cause: manual | decline_cascade | expiry_cascade
    sa.Column("triggered_by", sa.Text, nullable=False),
    sa.Column("trigger_entity_id", sa.String(32)),
    cross_service_ref("promoted_by", nullable=True),
    sa.Column("slot_available_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("promoted_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Column("deadline", sa.DateTime(timezone=True), nullable=False),
    sa.Column("confirmed_at", sa.DateTime(timezone=True)),
    sa.Column("declined_at", sa.DateTime(timezone=True)),
    sa.Column("expired_at", sa.DateTime(timezone=True)),
)

duplicate_candidate = sa.Table(
    "duplicate_candidate",
    metadata,
    id_column(),
    tenant_id_column(),
    cross_service_ref("event_id", nullable=True),
    foreign_key("participant_a_id", "participant.id", ondelete="CASCADE"),
    foreign_key("participant_b_id", "participant.id", ondelete="CASCADE", index=True),
    sa.Column("confidence_score", sa.Float, nullable=False),
    jsonb_column("match_fields", default="[]"),
    enum_column("status", DuplicateStatus, default=DuplicateStatus.PENDING_REVIEW),
    cross_service_ref("reviewed_by", nullable=True),
    sa.Column("reviewed_at", sa.DateTime(timezone=True)),
    sa.Column("review_notes", sa.Text),
    created_at(),
    updated_at(),
    sa.UniqueConstraint("participant_a_id", "participant_b_id"),
    # A is the smaller id (byte order, as Python compares), so (B, A) and self-pairs cannot exist
    sa.CheckConstraint('participant_a_id COLLATE "C" < participant_b_id COLLATE "C"', name="ordered_pair"),
    sa.Index(None, "tenant_id", "event_id", "status"),
    sa.Index(None, "confidence_score"),
)

merge_history = sa.Table(
    "merge_history",
    metadata,
    id_column(),
    tenant_id_column(),
    foreign_key("surviving_id", "participant.id", ondelete="CASCADE", index=True),
    foreign_key("merged_id", "participant.id", ondelete="CASCADE", index=True),
    jsonb_column("field_resolution", nullable=False),
    sa.Column("approvals_migrated", sa.Integer, nullable=False),
    cross_service_ref("merged_by"),
    sa.Column("merged_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Index(None, "tenant_id", "merged_at"),
)

blacklist = sa.Table(
    "blacklist",
    metadata,
    id_column(),
    tenant_id_column(nullable=True),
    enum_column("type", BlacklistType, nullable=False),
    sa.Column("name", sa.Text),
    text_array("name_variations"),
    sa.Column("passport_number", sa.Text),
    sa.Column("email", sa.Text),
    sa.Column("date_of_birth", sa.Date),
    sa.Column("nationality", sa.Text),
    sa.Column("organization", sa.Text),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("source", sa.Text),
    cross_service_ref("added_by"),
    sa.Column("expires_at", sa.DateTime(timezone=True)),
    sa.Column("is_active", sa.Boolean, nullable=False, server_default=sa.true()),
    created_at(),
    updated_at(),
    sa.Index(None, "tenant_id", "is_active"),
    sa.Index(None, "passport_number"),
    sa.Index(None, "email"),
    sa.Index(None, "name"),
)

bulk_operation = sa.Table(
    "bulk_operation",
    metadata,
    id_column(),
    tenant_id_column(),
    cross_service_ref("event_id"),
    enum_column("type", BulkOperationType, nullable=False),
    enum_column("status", BulkOperationStatus, default=BulkOperationStatus.VALIDATING),
    sa.Column("description", sa.Text, nullable=False),
    jsonb_column("filters"),
    sa.Column("total_items", sa.Integer, nullable=False, server_default="0"),
    sa.Column("processed_items", sa.Integer, nullable=False, server_default="0"),
    sa.Column("success_count", sa.Integer, nullable=False, server_default="0"),
    sa.Column("failure_count", sa.Integer, nullable=False, server_default="0"),
    jsonb_column("input_file"),  # StoredFile in the files bucket
    jsonb_column("output_file"),
    jsonb_column("headers"),
    jsonb_column("mappings"),
    jsonb_column("counts"),
    jsonb_column("snapshot_data"),
    sa.Column("undo_deadline", sa.DateTime(timezone=True)),
    jsonb_column("error_log"),
    sa.Column("started_at", sa.DateTime(timezone=True)),
    sa.Column("completed_at", sa.DateTime(timezone=True)),
    sa.Column("rolled_back_at", sa.DateTime(timezone=True)),
    cross_service_ref("created_by"),
    created_at(),
    updated_at(),
    sa.CheckConstraint("char_length(description) BETWEEN 1 AND 500", name="description_length"),
    sa.Index(None, "tenant_id", "event_id", "status"),
    sa.Index(None, "tenant_id", "event_id", "created_at"),
    sa.Index(None, "tenant_id", "event_id", "type", "created_at"),
)

bulk_operation_item = sa.Table(
    "bulk_operation_item",
    metadata,
    id_column(),
    tenant_id_column(),
    foreign_key("operation_id", "bulk_operation.id", ondelete="CASCADE"),
    foreign_key("participant_id", "participant.id", ondelete="SET NULL", nullable=True, index=True),
    sa.Column("row_number", sa.Integer),
    enum_column("status", BulkItemStatus, nullable=False),
    jsonb_column("input_data"),
    jsonb_column("previous_state"),
    sa.Column("error_message", sa.Text),
    sa.Column("processed_at", sa.DateTime(timezone=True)),
    sa.UniqueConstraint("operation_id", "row_number"),
    # the import's cursor: rows still to run, in order
    sa.Index(None, "operation_id", "status", "row_number"),
)

# The erasure saga's row, and the report that is kept: ids, receipts, statuses and times, never a name or an
# address. One per participant: erasing again answers this one.
erasure = sa.Table(
    "erasure",
    metadata,
    id_column(),
    tenant_id_column(),
    # no foreign key: the report outlives the participant's row (a tenant purge, say)
    sa.Column("participant_id", sa.String(32), nullable=False),
    cross_service_ref("event_id"),
    enum_column("status", ErasureStatus, default=ErasureStatus.IN_PROGRESS),
    cross_service_ref("requested_by"),
    sa.Column("started_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Column("completed_at", sa.DateTime(timezone=True)),
    # a driver holds the saga until then; past it, the timer hands the saga to whichever replica claims it
    sa.Column("lease_until", sa.DateTime(timezone=True)),
    sa.UniqueConstraint("tenant_id", "participant_id"),
    sa.Index(None, "tenant_id", "started_at"),
    sa.Index("ix_erasure_unfinished", "lease_until", postgresql_where=sa.text("status = 'IN_PROGRESS'")),
)

# One receipt per service, written as it arrives (registration's own last).
erasure_receipt = sa.Table(
    "erasure_receipt",
    metadata,
    foreign_key("erasure_id", "erasure.id", ondelete="CASCADE", primary_key=True),
    sa.Column("service", sa.Text, primary_key=True),
    tenant_id_column(),
    jsonb_column("erased", default="{}"),
    jsonb_column("anonymised", default="{}"),
    sa.Column("received_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
)
