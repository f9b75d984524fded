"""The dashboard's queries: read the counts, let the domain derive the figures, answer in the contract."""

from collections import defaultdict
from collections.abc import Callable

from nats.js import JetStreamContext

from plenary_contracts.catalog import analytics as contract
from plenary_contracts.errors import NotFound
from plenary_contracts.files import StoredFile
from plenary_kit.acting import tenant, utcnow
from plenary_kit.db import UnitOfWork
from plenary_kit.files import put_file

from ..adapters import figures_repository as figures
from ..adapters.figures_repository import Scope
from ..domain import reports

ACTIONS = ("APPROVE", "REJECT", "BYPASS", "RETURN", "ESCALATE", "PRINT")  # what throughput counts


async def _scope(uow: UnitOfWork, request: contract.AnalyticsFilter) -> Scope:
    """The caller's tenant and filters; an event filter must name a live event of the tenant."""
    tenant_id = tenant()
    if request.event_id is not None and not await figures.event_exists(uow.session, tenant_id, request.event_id):
        raise NotFound("no such event")
    return Scope(tenant_id, request.event_id, request.participant_type_id, request.date_from, request.date_to)


async def dashboard(uow: UnitOfWork, request: contract.DashboardQuery) -> reports.Dashboard:
    days = reports.recent_days(utcnow().date())
    counts = await figures.dashboard(uow.session, tenant(), request.event_id, days[0], days[-1])
    if not counts.event_live:
        raise NotFound("no such event")
    by_status = counts.by_status
    return reports.Dashboard(
        total_events=len(counts.events),
        total_participants=sum(by_status.values()),
        total_workflows=counts.workflows,
        pending_approvals=by_status.get("PENDING", 0),
        by_status=[(status, n) for status, n in reports.ordered(by_status) if n],
        by_event=counts.events,
        recent=[(day, counts.registrations.get(day, 0), counts.approvals.get(day, 0)) for day in days],
    )


class Figures:
    def __init__(self, jetstream: Callable[[], JetStreamContext]) -> None:
        self.jetstream = jetstream

    async def get_dashboard(self, request: contract.DashboardQuery, uow: UnitOfWork) -> contract.DashboardMetrics:
        d = await dashboard(uow, request)
        return contract.DashboardMetrics(
            total_events=d.total_events,
            total_participants=d.total_participants,
            total_workflows=d.total_workflows,
            pending_approvals=d.pending_approvals,
            registrations_by_status=[contract.StatusCount(status=s, count=n) for s, n in d.by_status],
            participants_by_event=[
                contract.EventCount(event_id=i, event_name=name, count=n) for i, name, n in d.by_event
            ],
            recent_activity=[contract.DayActivity(date=day, registrations=r, approvals=a) for day, r, a in d.recent],
        )

    async def export_dashboard(self, request: contract.DashboardQuery, uow: UnitOfWork) -> StoredFile:
        text = reports.dashboard_csv(await dashboard(uow, request))
        name = f"analytics-dashboard-{utcnow():%Y%m%dT%H%M%SZ}.csv"
        return await put_file(self.jetstream(), tenant(), "exports", name, "text/csv; charset=utf-8", text.encode())


async def get_funnel(request: contract.AnalyticsFilter, uow: UnitOfWork) -> contract.Funnel:
    by_status, _ = await figures.by_status(uow.session, await _scope(uow, request))
    return contract.Funnel(
        stages=[contract.FunnelStage(stage=s, count=n, percentage=p) for s, n, p in reports.funnel(by_status)]  # type: ignore[arg-type]
    )


async def get_sla_compliance(request: contract.AnalyticsFilter, uow: UnitOfWork) -> contract.SlaCompliance:
    per_step = await figures.per_step(uow.session, await _scope(uow, request))
    return contract.SlaCompliance(
        steps=[
            contract.StepCompliance(
                step_id=s.step_id,
                step_name=s.step_name,
                total_processed=s.processed,
                within_sla=s.within,
                compliance_rate=s.rate,
            )
            for s in reports.sla_compliance(per_step)
        ]
    )


async def get_throughput(request: contract.ThroughputQuery, uow: UnitOfWork) -> contract.Throughput:
    rows = await figures.actions_per_hour(uow.session, await _scope(uow, request), ACTIONS)
    counts: dict[tuple[str, str], int] = defaultdict(int)
    names: dict[str, str] = {}
    for hour, step_id, step_name, n in rows:
        counts[(reports.period_start(hour, request.granularity), step_id)] += n
        names.setdefault(step_id, step_name)
    return contract.Throughput(
        points=[
            contract.ThroughputPoint(period=period, step_id=step_id, step_name=names[step_id], count=n)
            for (period, step_id), n in sorted(counts.items())
        ]
    )


async def get_status_distribution(request: contract.AnalyticsFilter, uow: UnitOfWork) -> contract.StatusDistribution:
    by_status, _ = await figures.by_status(uow.session, await _scope(uow, request))
    return contract.StatusDistribution(
        statuses=[
            contract.StatusShare(status=s, count=n, color=reports.STATUS_COLORS[s])  # type: ignore[arg-type]
            for s, n in reports.ordered(by_status)
        ]
    )


async def get_summary(request: contract.AnalyticsFilter, uow: UnitOfWork) -> contract.Summary:
    by_status, seconds = await figures.by_status(uow.session, await _scope(uow, request))
    s = reports.summary(by_status, seconds)
    return contract.Summary(
        total=s.total,
        approved=s.approved,
        rejected=s.rejected,
        pending=s.pending,
        in_progress=s.in_progress,
        completion_rate=s.completion_rate,
        avg_processing_time_minutes=s.avg_processing_minutes,
    )


async def get_scan_activity(request: contract.AnalyticsFilter, uow: UnitOfWork) -> contract.ScanActivity:
    rows = await figures.scans_per_hour(uow.session, await _scope(uow, request))
    hours: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for checkpoint_id, hour, movement, n in rows:
        hours[(checkpoint_id, reports.period_start(hour, "hour"))][movement] += n
    return contract.ScanActivity(
        hours=[
            contract.CheckpointHour(
                checkpoint_id=checkpoint_id,
                hour=hour,
                entries=m["in"],
                exits=m["out"],
                refused=m[""],
                occupancy_change=m["in"] - m["out"],
            )
            for (checkpoint_id, hour), m in sorted(hours.items())
        ]
    )


async def get_usage(request: contract.AnalyticsFilter, uow: UnitOfWork) -> contract.Usage:
    rows = await figures.usage(uow.session, await _scope(uow, request))
    return contract.Usage(usage=[contract.UsageCount(kind=kind, count=n) for kind, n in rows])
