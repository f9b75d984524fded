"""The dashboard's derived figures from counts: funnel, SLA compliance, summary, colours, and the CSV."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

STATUS_ORDER = ("PENDING", "IN_PROGRESS", "APPROVED", "REJECTED", "CANCELLED", "PRINTED")
STATUS_COLORS = {
    "PENDING": "#f59e0b",
    "IN_PROGRESS": "#3b82f6",
    "APPROVED": "#10b981",
    "REJECTED": "#ef4444",
    "CANCELLED": "#6b7280",
    "PRINTED": "#8b5cf6",
}
PROCESSED = ("APPROVE", "REJECT", "BYPASS")  # the actions an SLA is met or missed by
BREACHED = "SLA_BREACHED"
RECENT_DAYS = 14


def percent(part: float, whole: float) -> float:
    return round(part * 100.0 / whole, 1) if whole else 0.0


def ordered(by_status: Mapping[str, int]) -> list[tuple[str, int]]:
    """Every status, in the workflow's order, zeros included."""
    return [(status, by_status.get(status, 0)) for status in STATUS_ORDER]


def funnel(by_status: Mapping[str, int]) -> list[tuple[str, int, float]]:
    """Registered: every live participant; reviewed: no longer PENDING; approved: APPROVED or PRINTED (printing
    follows approval); printed: PRINTED."""
    total = sum(by_status.values())
    reviewed = total - by_status.get("PENDING", 0)
    approved = by_status.get("APPROVED", 0) + by_status.get("PRINTED", 0)
    printed = by_status.get("PRINTED", 0)
    stages = (("registered", total), ("reviewed", reviewed), ("approved", approved), ("printed", printed))
    return [(stage, count, percent(count, total)) for stage, count in stages]


@dataclass(frozen=True)
class StepFigures:
    step_id: str
    step_name: str
    processed: int
    within: int
    rate: float


def sla_compliance(per_step: Mapping[tuple[str, str], Mapping[str, int]]) -> list[StepFigures]:
    """``per_step``: (step id, name) -> counts per kind. Within the SLA: processed less the breaches (a breach is
    one participant who waited too long at the step, whatever was done with it after)."""
    out = []
    for (step_id, name), kinds in sorted(per_step.items(), key=lambda item: item[0][1]):
        processed = sum(kinds.get(kind, 0) for kind in PROCESSED)
        within = max(processed - kinds.get(BREACHED, 0), 0)
        out.append(StepFigures(step_id, name, processed, within, percent(within, processed) if processed else 100.0))
    return out


@dataclass(frozen=True)
class SummaryFigures:
    total: int
    approved: int
    rejected: int
    pending: int
    in_progress: int
    completion_rate: float
    avg_processing_minutes: float


def summary(by_status: Mapping[str, int], processing_seconds: float) -> SummaryFigures:
    """Approved counts printed ones too (printing follows approval); the average is over decided participants."""
    total = sum(by_status.values())
    approved = by_status.get("APPROVED", 0) + by_status.get("PRINTED", 0)
    rejected = by_status.get("REJECTED", 0)
    decided = approved + rejected
    return SummaryFigures(
        total=total,
        approved=approved,
        rejected=rejected,
        pending=by_status.get("PENDING", 0),
        in_progress=by_status.get("IN_PROGRESS", 0),
        completion_rate=percent(decided, total),
        avg_processing_minutes=round(processing_seconds / 60.0 / decided, 1) if decided else 0.0,
    )


def period_start(hour: datetime, granularity: str) -> str:
    if granularity == "hour":
        return hour.strftime("%Y-%m-%dT%H:00:00Z")
    day = hour.date()
    if granularity == "week":
        day -= timedelta(days=day.weekday())
    return day.isoformat()


def recent_days(today: date) -> list[date]:
    return [today - timedelta(days=n) for n in range(RECENT_DAYS - 1, -1, -1)]


@dataclass(frozen=True)
class Dashboard:
    total_events: int
    total_participants: int
    total_workflows: int
    pending_approvals: int
    by_status: Sequence[tuple[str, int]]
    by_event: Sequence[tuple[str, str, int]]  # (event id, name, count)
    recent: Sequence[tuple[date, int, int]]  # (day, registrations, approvals)


def _quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def dashboard_csv(d: Dashboard) -> str:
    """Four blocks separated by a blank line: metrics, statuses, events (names quoted), days. Lines end with
    ``\\n``; the last line has none."""
    blocks = [
        [
            "Metric,Value",
            f"Total Events,{d.total_events}",
            f"Total Participants,{d.total_participants}",
            f"Total Workflows,{d.total_workflows}",
            f"Pending Approvals,{d.pending_approvals}",
        ],
        ["Status,Count", *(f"{status},{count}" for status, count in d.by_status)],
        ["Event,Participants", *(f"{_quoted(name)},{count}" for _, name, count in d.by_event)],
        ["Date,Registrations,Approvals", *(f"{day.isoformat()},{r},{a}" for day, r, a in d.recent)],
    ]
    return "\n\n".join("\n".join(lines) for lines in blocks)
