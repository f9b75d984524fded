"""analytics: the dashboard's figures, counted from projections of the owners' events (never their tables)."""

from datetime import date
from typing import Literal

from pydantic import Field

from ...enums import ParticipantStatus
from ...fields import Id
from ...files import StoredFile
from ...model import Model
from ._common import _READ_ERRORS, _VIEWING, TAG, AnalyticsFilter, _qry, _route


class StatusCount(Model):
    status: ParticipantStatus
    count: int


class EventCount(Model):
    event_id: str
    event_name: str
    count: int


class DayActivity(Model):
    date: date
    registrations: int
    approvals: int


class DashboardQuery(Model):
    event_id: Id | None = Field(None, description="Counts of this event only; the event list stays tenant-wide.")


class DashboardMetrics(Model):
    total_events: int = Field(description="The tenant's events, deleted ones left out.")
    total_participants: int
    total_workflows: int
    pending_approvals: int = Field(description="Participants whose status is PENDING.")
    registrations_by_status: list[StatusCount]
    participants_by_event: list[EventCount] = Field(description="Tenant-wide, most participants first.")
    recent_activity: list[DayActivity] = Field(description="The last 14 days (UTC), oldest first.")


class FunnelStage(Model):
    stage: Literal["registered", "reviewed", "approved", "printed"]
    count: int
    percentage: float = Field(description="Of the registered, to one decimal.")


class Funnel(Model):
    stages: list[FunnelStage]


class StepCompliance(Model):
    step_id: str
    step_name: str
    total_processed: int = Field(description="Approvals, rejections and bypasses at the step.")
    within_sla: int
    compliance_rate: float = Field(description="Percent, to one decimal; 100 when nothing was processed.")


class SlaCompliance(Model):
    steps: list[StepCompliance]


class ThroughputQuery(AnalyticsFilter):
    granularity: Literal["hour", "day", "week"] = "day"


class ThroughputPoint(Model):
    period: str = Field(description="The period's start: an ISO hour, day, or the Monday of the ISO week.")
    step_id: str
    step_name: str
    count: int


class Throughput(Model):
    points: list[ThroughputPoint]


class StatusShare(Model):
    status: ParticipantStatus
    count: int
    color: str


class StatusDistribution(Model):
    statuses: list[StatusShare]


class Summary(Model):
    total: int
    approved: int
    rejected: int
    pending: int
    in_progress: int
    completion_rate: float = Field(description="Decided (approved or rejected) of the total, percent.")
    avg_processing_time_minutes: float = Field(description="From registration to the decision, decided only.")


class CheckpointHour(Model):
    checkpoint_id: str
    hour: str
    entries: int
    exits: int
    refused: int
    occupancy_change: int = Field(description="Admitted entries minus admitted exits.")


class ScanActivity(Model):
    hours: list[CheckpointHour]


class UsageCount(Model):
    kind: str = Field(
        description="`waitlist.<verb>`, `delegation.invite.<verb>`, `broadcast.<outcome>`, `webhooks.<verb>`."
    )
    count: int


class Usage(Model):
    usage: list[UsageCount]


GET_DASHBOARD = _qry(
    "get_dashboard", DashboardQuery, DashboardMetrics, "The dashboard's totals, statuses, events and last 14 days.",
    errors=_READ_ERRORS, **_VIEWING, http=_route("GET", "/analytics/dashboard", "Dashboard metrics", TAG),
)  # fmt: skip
EXPORT_DASHBOARD = _qry(
    "export_dashboard", DashboardQuery, StoredFile,
    "The dashboard as CSV: four blocks (metrics, statuses, events, days) separated by blank lines.",
    errors=_READ_ERRORS, **_VIEWING, timeout_seconds=30.0,
    http=_route("GET", "/analytics/dashboard/export", "Export the dashboard", TAG, download=True),
)  # fmt: skip
GET_FUNNEL = _qry(
    "get_funnel", AnalyticsFilter, Funnel, "Registered, reviewed, approved and printed participants.",
    errors=_READ_ERRORS, **_VIEWING, http=_route("GET", "/analytics/funnel", "Funnel", TAG),
)  # fmt: skip
GET_SLA_COMPLIANCE = _qry(
    "get_sla_compliance", AnalyticsFilter, SlaCompliance, "Per step: processed, within the SLA, the rate.",
    errors=_READ_ERRORS, **_VIEWING, http=_route("GET", "/analytics/sla-compliance", "SLA compliance", TAG),
)  # fmt: skip
GET_THROUGHPUT = _qry(
    "get_throughput", ThroughputQuery, Throughput, "Actions taken per step and hour, day or week.",
    errors=_READ_ERRORS, **_VIEWING, http=_route("GET", "/analytics/throughput", "Throughput", TAG),
)  # fmt: skip
GET_STATUS_DISTRIBUTION = _qry(
    "get_status_distribution", AnalyticsFilter, StatusDistribution, "Participants per status, with a chart colour.",
    errors=_READ_ERRORS, **_VIEWING,
    http=_route("GET", "/analytics/status-distribution", "Status distribution", TAG),
)  # fmt: skip
GET_SUMMARY = _qry(
    "get_summary", AnalyticsFilter, Summary, "Totals per outcome, completion rate, average processing time.",
    errors=_READ_ERRORS, **_VIEWING, http=_route("GET", "/analytics/summary", "Summary", TAG),
)  # fmt: skip
GET_SCAN_ACTIVITY = _qry(
    "get_scan_activity", AnalyticsFilter, ScanActivity, "Scans and occupancy change per checkpoint and hour.",
    errors=_READ_ERRORS, **_VIEWING, http=_route("GET", "/analytics/scans", "Scans per checkpoint", TAG),
)  # fmt: skip
GET_USAGE = _qry(
    "get_usage", AnalyticsFilter, Usage, "Waitlist, delegation, broadcast and webhook outcomes counted.",
    errors=_READ_ERRORS, **_VIEWING, http=_route("GET", "/analytics/usage", "Feature usage", TAG),
)  # fmt: skip
