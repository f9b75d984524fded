"""JetStream streams, durable consumers and KV buckets, as data.

``plenary streams apply`` creates or updates the streams and buckets and creates missing durables;
a service never declares them at start-up, and an existing durable is never changed by a redeploy
(but for its filter subjects, which follow the contract).

Lanes: events caused by a bulk operation (an import, a batch action, and whatever those events cause in
turn) are published on ``bulk.<subject>`` instead of ``<subject>``. Every stream captures both. A consumer
reads both lanes through one durable, unless it declares ``bulk_lane``: then a second durable
(``<durable>_bulk``) reads the bulk lane beside it, so one tenant's 10,000 imported participants never
queue in front of another tenant's single registration. Events keep their order within a lane; a consumer
with a bulk lane may see an entity's interactive event before a bulk event about it that is still queued.
"""

from pydantic import BaseModel

from .credentials import TOKEN_LEEWAY_SECONDS
from .services import SERVICES

DAY = 24 * 3600


class StreamSpec(BaseModel):
    name: str
    subjects: list[str]
    description: str
    max_age_seconds: int = 3650 * DAY
    duplicate_window_seconds: int = 2 * 3600
    storage: str = "file"
    retention: str = "limits"


BULK_LANE = "bulk"


def lane_subject(subject: str, lane: str | None) -> str:
    """The subject an event goes out on: its own, or its lane's (``bulk.<subject>``)."""
    return f"{lane}.{subject}" if lane else subject


class LaneDurable(BaseModel):
    """One JetStream durable serving a consumer: its name and the subjects it reads."""

    durable: str
    filter_subjects: list[str]


class ConsumerSpec(BaseModel):
    service: str
    durable: str  # also the name the inbox records handled events under, whatever lane brought them
    stream: str
    filter_subject: str
    description: str
    max_deliver: int = 6
    ack_wait_seconds: int = 30
    max_ack_pending: int = 1000
    bulk_lane: bool = False  # read bulk events through a durable of their own (see the module's docstring)

    @property
    def dead_letter_subject(self) -> str:
        return dead_letter_subject(self.service, self.durable)

    @property
    def bulk_durable(self) -> str:
        return f"{self.durable}_bulk"

    def durables(self) -> list[LaneDurable]:
        interactive, bulk = self.filter_subject, lane_subject(self.filter_subject, BULK_LANE)
        if not self.bulk_lane:
            return [LaneDurable(durable=self.durable, filter_subjects=[interactive, bulk])]
        return [
            LaneDurable(durable=self.durable, filter_subjects=[interactive]),
            LaneDurable(durable=self.bulk_durable, filter_subjects=[bulk]),
        ]


class KvBucketSpec(BaseModel):
    name: str
    description: str
    history: int = 1
    storage: str = "file"
    ttl_seconds: float | None = None  # entries older than this vanish


class ObjectBucketSpec(BaseModel):
    name: str
    description: str
    ttl_seconds: float | None = None
    storage: str = "file"


def cache_changed_subject(service: str, cache: str) -> str:
    """Core NATS subject (no stream) on which a service's processes tell each other a cache went stale."""
    return f"cache.{service}.{cache}_changed"


def event_stream_name(service: str) -> str:
    return "EVT_" + service.replace("-", "_").upper()


def events_of(service: str) -> str:
    """The subject filter of every event ``service`` publishes (interactive lane)."""
    return f"evt.{service}.>"


def dead_letter_subject(service: str, durable: str) -> str:
    return f"dlq.{service}.{durable}"


EVENT_STREAMS: list[StreamSpec] = [
    StreamSpec(
        name=event_stream_name(service),
        subjects=[events_of(service), lane_subject(events_of(service), BULK_LANE)],
        description=f"Every event the {service} service publishes; the audit trail, kept ten years.",
    )
    for service in SERVICES
]

DEAD_LETTER_STREAM = StreamSpec(
    name="DLQ",
    subjects=["dlq.>"],
    description="Copies of events a consumer gave up on, with the error; listed and replayed by CLI.",
    max_age_seconds=90 * DAY,
)

STREAMS: list[StreamSpec] = [*EVENT_STREAMS, DEAD_LETTER_STREAM]

FLAGS_BUCKET = KvBucketSpec(
    name="plenary_flags",
    description="Mirror of identity's feature flags; every service watches it.",
)

API_KEYS_BUCKET = KvBucketSpec(
    name="plenary_api_keys",
    description="Usable API keys by lookup id (hash and settings, never the key); the gateway watches it.",
)
# An entry must outlive every token it refuses: an access token lives at most this long (identity refuses
# to start with a longer PLENARY_ACCESS_TOKEN_SECONDS), plus the verifiers' leeway, plus a margin.
MAX_ACCESS_TOKEN_SECONDS = 1800
TOKEN_REVOCATIONS_BUCKET = KvBucketSpec(
    name="plenary_token_revocations",
    description="Access tokens refused before they expire: ended sessions, users' stale grants, deleted tenants.",
    ttl_seconds=MAX_ACCESS_TOKEN_SECONDS + TOKEN_LEEWAY_SECONDS + 60,
)
RATE_LIMITS_BUCKET = KvBucketSpec(
    name="plenary_rate_limits",
    description="Per-second request counts in a sliding 60 s window per API key or address, for all gateway replicas.",
    storage="memory",
    ttl_seconds=120,
)
IDEMPOTENCY_BUCKET = KvBucketSpec(
    name="plenary_idempotency",
    description="The gateway's first reply per credential and Idempotency-Key, kept 24 h.",
    ttl_seconds=24 * 3600,
)

PERSON_KEYS_BUCKET = KvBucketSpec(
    name="plenary_person_keys",
    description="Each person's key for the personal data sealed inside events (sealed itself); erasure purges it.",
)

KV_BUCKETS: list[KvBucketSpec] = [
    FLAGS_BUCKET,
    API_KEYS_BUCKET,
    TOKEN_REVOCATIONS_BUCKET,
    RATE_LIMITS_BUCKET,
    IDEMPOTENCY_BUCKET,
    PERSON_KEYS_BUCKET,
]

FILES_BUCKET = ObjectBucketSpec(
    name="plenary_files",
    description="Uploads (imports) and generated files (exports), kept 7 days; never carried in a message.",
    ttl_seconds=7 * DAY,
)
OBJECT_BUCKETS: list[ObjectBucketSpec] = [FILES_BUCKET]

CONSUMERS: list[ConsumerSpec] = [
    ConsumerSpec(
        service="identity",
        durable="identity_flag_mirror",
        stream=event_stream_name("identity"),
        filter_subject="evt.identity.feature_flag.changed",
        description="Writes each changed flag's current state into the flags KV bucket.",
    ),
    ConsumerSpec(
        service="identity",
        durable="identity_api_key_mirror",
        stream=event_stream_name("identity"),
        filter_subject="evt.identity.api_key.>",
        description="Puts each changed API key's credential into the API key bucket, or removes it.",
    ),
    ConsumerSpec(
        service="identity",
        durable="identity_token_revocations",
        stream=event_stream_name("identity"),
        filter_subject="evt.identity.tokens.revoked",
        description="Puts each revocation into the token revocation bucket (heals a missed direct write).",
    ),
    ConsumerSpec(
        service="identity",
        durable="identity_event_keys",
        stream=event_stream_name("events"),
        filter_subject="evt.events.event.deleted",
        description="Revokes the API keys scoped to a deleted event alone (scanners, kiosks); narrows the others.",
    ),
    ConsumerSpec(
        service="workflow",
        durable="workflow_participant_intake",
        stream=event_stream_name("registration"),
        filter_subject="evt.registration.participant.>",
        description="Keeps workflow's participant read model; a registration enters the participant's workflow.",
        bulk_lane=True,
    ),
    ConsumerSpec(
        service="workflow",
        durable="workflow_arrivals",
        stream=event_stream_name("workflow"),
        filter_subject="evt.workflow.participant.step_entered",
        description="On each arrival at a step: the auto-action chain, then reviewer assignment.",
        bulk_lane=True,
    ),
    ConsumerSpec(
        service="workflow",
        durable="workflow_event_cleanup",
        stream=event_stream_name("events"),
        filter_subject="evt.events.event.deleted",
        description="Deletes a deleted event's workflows and the participant progress under them.",
    ),
    ConsumerSpec(
        service="workflow",
        durable="workflow_user_directory",
        stream=event_stream_name("identity"),
        filter_subject="evt.identity.user.>",
        description="Keeps reviewer names for assignment lists; a deleted user's assignments go.",
    ),
    ConsumerSpec(
        service="workflow",
        durable="workflow_tenant_cleanup",
        stream=event_stream_name("identity"),
        filter_subject="evt.identity.tenant.deleted",
        description="Purges a deleted tenant's workflow rows.",
    ),
    ConsumerSpec(
        service="events",
        durable="events_workflow_directory",
        stream=event_stream_name("workflow"),
        filter_subject="evt.workflow.workflow.>",
        description="Keeps each event's workflows (name, status, type) for `expand=workflows`.",
    ),
    ConsumerSpec(
        service="events",
        durable="events_tenant_cleanup",
        stream=event_stream_name("identity"),
        filter_subject="evt.identity.tenant.deleted",
        description="Purges a deleted tenant's events, types, fields, series and editions.",
    ),
    ConsumerSpec(
        service="registration",
        durable="registration_event_directory",
        stream=event_stream_name("events"),
        filter_subject="evt.events.>",
        description="Keeps events, participant types and field definitions; a deleted event's participants go.",
    ),
    ConsumerSpec(
        service="registration",
        durable="registration_status_mirror",
        stream=event_stream_name("workflow"),
        filter_subject="evt.workflow.participant.status_changed",
        description="Mirrors the workflow's status onto participants; a rejection frees the slot.",
    ),
    ConsumerSpec(
        service="registration",
        durable="registration_slot_offers",
        stream=event_stream_name("registration"),
        filter_subject="evt.registration.slots.freed",
        description="Offers freed slots to the waitlist, first in queue order.",
    ),
    ConsumerSpec(
        service="registration",
        durable="registration_tenant_cleanup",
        stream=event_stream_name("identity"),
        filter_subject="evt.identity.tenant.deleted",
        description="Purges a deleted tenant's participants, screening, waitlist and bulk rows.",
    ),
    ConsumerSpec(
        service="checkin",
        durable="checkin_participant_directory",
        stream=event_stream_name("registration"),
        filter_subject="evt.registration.participant.>",
        description="Keeps the participants a scan decides from; a merge moves scans, tickets and sessions.",
        bulk_lane=True,
    ),
    ConsumerSpec(
        service="checkin",
        durable="checkin_status_mirror",
        stream=event_stream_name("workflow"),
        filter_subject="evt.workflow.participant.status_changed",
        description="Mirrors workflow's status decisions onto checkin's participants (a rejection revokes).",
        bulk_lane=True,
    ),
    ConsumerSpec(
        service="checkin",
        durable="checkin_event_directory",
        stream=event_stream_name("events"),
        filter_subject="evt.events.event.>",
        description="Keeps each event's end and timezone; a deleted event's check-in rows go.",
    ),
    ConsumerSpec(
        service="checkin",
        durable="checkin_tenant_cleanup",
        stream=event_stream_name("identity"),
        filter_subject="evt.identity.tenant.deleted",
        description="Purges a deleted tenant's check-in rows.",
    ),
    *(
        ConsumerSpec(
            service="webhooks",
            durable=f"webhooks_dispatch_{producer}",
            stream=event_stream_name(producer),
            filter_subject=events_of(producer),
            description=f"Queues a delivery per matching subscription for each of {producer}'s public events.",
            bulk_lane=producer != "checkin",  # an import's or a batch action's events never delay a single one
        )
        for producer in ("registration", "workflow", "checkin", "custom-objects")
    ),
    ConsumerSpec(
        service="webhooks",
        durable="webhooks_tenant_cleanup",
        stream=event_stream_name("identity"),
        filter_subject="evt.identity.tenant.deleted",
        description="Purges a deleted tenant's subscriptions, deliveries and replays.",
    ),
    ConsumerSpec(
        service="comms",
        durable="comms_participant_directory",
        stream=event_stream_name("registration"),
        filter_subject="evt.registration.participant.>",
        description="Keeps the participants broadcasts reach; a merge re-points deliveries to the survivor.",
        bulk_lane=True,
    ),
    ConsumerSpec(
        service="comms",
        durable="comms_waitlist_notices",
        stream=event_stream_name("registration"),
        filter_subject="evt.registration.waitlist.>",
        description="E-mails a waitlist offer (promoted) and its confirmation to the person.",
    ),
    ConsumerSpec(
        service="comms",
        durable="comms_status_mirror",
        stream=event_stream_name("workflow"),
        filter_subject="evt.workflow.participant.status_changed",
        description="Mirrors workflow's status decisions onto comms' participants (audiences filter on status).",
        bulk_lane=True,
    ),
    ConsumerSpec(
        service="comms",
        durable="comms_event_directory",
        stream=event_stream_name("events"),
        filter_subject="evt.events.event.>",
        description="Keeps each event's name, start and timezone for rendering; a deleted event's drafts lose it.",
    ),
    ConsumerSpec(
        service="comms",
        durable="comms_participant_types",
        stream=event_stream_name("events"),
        filter_subject="evt.events.participant_type.>",
        description="Keeps participant types' names for the participantType variable.",
    ),
    ConsumerSpec(
        service="comms",
        durable="comms_user_directory",
        stream=event_stream_name("identity"),
        filter_subject="evt.identity.user.>",
        description="Keeps users' e-mails: in-app broadcasts find the user, notifications e-mail them.",
    ),
    ConsumerSpec(
        service="comms",
        durable="comms_notification_requests",
        stream=event_stream_name("workflow"),
        filter_subject="evt.workflow.notification.requested",
        description="Turns workflow's notices (assignments, SLA warnings and breaches) into notifications and e-mails.",
    ),
    ConsumerSpec(
        service="comms",
        durable="comms_tenants",
        stream=event_stream_name("identity"),
        filter_subject="evt.identity.tenant.>",
        description="Gives a new tenant the system templates; purges a deleted tenant's rows.",
    ),
    ConsumerSpec(
        service="views",
        durable="views_user_directory",
        stream=event_stream_name("identity"),
        filter_subject="evt.identity.user.>",
        description="Keeps views' owners' names; a deleted user's private views go, shared ones lose their owner.",
    ),
    ConsumerSpec(
        service="views",
        durable="views_tenant_cleanup",
        stream=event_stream_name("identity"),
        filter_subject="evt.identity.tenant.deleted",
        description="Purges a deleted tenant's saved views.",
    ),
    ConsumerSpec(
        service="comms",
        durable="comms_delegation_invites",
        stream=event_stream_name("delegation"),
        filter_subject="evt.delegation.invite.sent",
        description="E-mails a delegation invite with its accept link (the token unsealed only to render it).",
    ),
    ConsumerSpec(
        service="delegation",
        durable="delegation_places",
        stream=event_stream_name("registration"),
        filter_subject="evt.registration.slots.freed",
        description="Gives a delegate's place back when registration frees it (cancelled, rejected, deleted); "
        "a merged delegate's invite follows the survivor instead.",
    ),
    ConsumerSpec(
        service="delegation",
        durable="delegation_event_cleanup",
        stream=event_stream_name("events"),
        filter_subject="evt.events.event.deleted",
        description="Deletes a deleted event's quotas and their invites.",
    ),
    ConsumerSpec(
        service="delegation",
        durable="delegation_tenant_cleanup",
        stream=event_stream_name("identity"),
        filter_subject="evt.identity.tenant.deleted",
        description="Purges a deleted tenant's quotas and invites.",
    ),
    ConsumerSpec(
        service="custom-objects",
        durable="custom_objects_tenant_cleanup",
        stream=event_stream_name("identity"),
        filter_subject="evt.identity.tenant.deleted",
        description="Purges a deleted tenant's custom object definitions and records.",
    ),
    *(
        ConsumerSpec(
            service="analytics",
            durable=f"analytics_{producer.replace('-', '_')}",
            stream=event_stream_name(producer),
            filter_subject=subject,
            description=f"Projects {producer}'s events into the dashboard's counts (replayed by a rebuild).",
        )
        for producer, subject in (
            ("registration", "evt.registration.>"),
            ("workflow", "evt.workflow.>"),
            ("checkin", "evt.checkin.scan.completed"),
            ("events", "evt.events.event.>"),
            ("comms", "evt.comms.broadcast.sent"),
            ("webhooks", "evt.webhooks.>"),
            ("delegation", "evt.delegation.invite.>"),
        )
    ),
    ConsumerSpec(
        service="analytics",
        durable="analytics_tenant_cleanup",
        stream=event_stream_name("identity"),
        filter_subject="evt.identity.tenant.deleted",
        description="Purges a deleted tenant's projections and snapshots.",
    ),
    *(
        ConsumerSpec(
            service="audit",
            durable=f"audit_index_{producer.replace('-', '_')}",
            stream=event_stream_name(producer),
            filter_subject=events_of(producer),
            description=f"Indexes {producer}'s events by tenant, time, type, entity and actor for the auditor's log.",
            max_ack_pending=2000,  # a batch of 500 per fetch, a few fetches in flight
        )
        for producer in SERVICES
        if producer != "audit"
    ),
    ConsumerSpec(
        service="audit",
        durable="audit_tenant_cleanup",
        stream=event_stream_name("identity"),
        filter_subject="evt.identity.tenant.deleted",
        description="Deletes a deleted tenant's index entries (its events stay in the streams until their max age).",
    ),
]


def consumers_of(service: str) -> list[ConsumerSpec]:
    return [c for c in CONSUMERS if c.service == service]


def consumer(durable: str) -> ConsumerSpec:
    for spec in CONSUMERS:
        if spec.durable == durable:
            return spec
    raise KeyError(durable)


# Headers a dead-lettered copy carries besides the original ones.
DEAD_LETTER_PREFIX = "Plenary-Dead-Letter-"
DEAD_LETTER_ERROR = DEAD_LETTER_PREFIX + "Error"
DEAD_LETTER_CONSUMER = DEAD_LETTER_PREFIX + "Consumer"
DEAD_LETTER_DELIVERIES = DEAD_LETTER_PREFIX + "Deliveries"
DEAD_LETTER_SUBJECT = DEAD_LETTER_PREFIX + "Subject"
