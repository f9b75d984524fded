"""The dashboard's derived figures and its CSV."""

from datetime import UTC, date, datetime

from analytics_svc.domain import reports


def test_the_csv_has_four_blocks_separated_by_blank_lines_with_event_names_quoted():
    d = reports.Dashboard(
        total_events=2,
        total_participants=5,
        total_workflows=1,
        pending_approvals=3,
        by_status=[("PENDING", 3), ("APPROVED", 2)],
        by_event=[("e1", 'The "Big" Summit', 4), ("e2", "Expo, 2027", 1)],
        recent=[(date(2026, 12, 6), 4, 1), (date(2026, 12, 7), 1, 1)],
    )
    assert reports.dashboard_csv(d) == (
        "Metric,Value\nTotal Events,2\nTotal Participants,5\nTotal Workflows,1\nPending Approvals,3\n"
        "\nStatus,Count\nPENDING,3\nAPPROVED,2\n"
        '\nEvent,Participants\n"The ""Big"" Summit",4\n"Expo, 2027",1\n'
        "\nDate,Registrations,Approvals\n2026-12-06,4,1\n2026-12-07,1,1"
    )


def test_the_funnel_counts_each_stage_of_the_registered():
    stages = reports.funnel({"PENDING": 2, "IN_PROGRESS": 1, "APPROVED": 4, "PRINTED": 1, "REJECTED": 2})
    assert stages == [
        ("registered", 10, 100.0),
        ("reviewed", 8, 80.0),
        ("approved", 5, 50.0),
        ("printed", 1, 10.0),
    ]
    assert reports.funnel({})[0] == ("registered", 0, 0.0)


def test_sla_compliance_is_processed_less_breaches_and_full_when_nothing_was_processed():
    steps = reports.sla_compliance(
        {("s1", "Review"): {"APPROVE": 6, "REJECT": 2, "SLA_BREACHED": 2, "RETURN": 5}, ("s2", "Badge"): {}}
    )
    assert [(s.step_name, s.processed, s.within, s.rate) for s in steps] == [
        ("Badge", 0, 0, 100.0),
        ("Review", 8, 6, 75.0),
    ]


def test_the_summary_averages_processing_over_decided_participants():
    s = reports.summary({"APPROVED": 2, "REJECTED": 1, "PENDING": 1}, processing_seconds=3 * 600)
    assert (s.total, s.approved, s.rejected, s.pending, s.completion_rate) == (4, 2, 1, 1, 75.0)
    assert s.avg_processing_minutes == 10.0
    assert reports.summary({}, 0).avg_processing_minutes == 0.0


def test_periods_start_at_the_hour_the_day_or_the_iso_week_s_monday():
    at = datetime(2026, 12, 10, 14, tzinfo=UTC)  # a Thursday
    assert reports.period_start(at, "hour") == "2026-12-10T14:00:00Z"
    assert reports.period_start(at, "day") == "2026-12-10"
    assert reports.period_start(at, "week") == "2026-12-07"


def test_every_status_has_a_colour_and_the_distribution_keeps_zeros():
    assert set(reports.STATUS_COLORS) == set(reports.STATUS_ORDER)
    assert reports.ordered({"APPROVED": 1})[2] == ("APPROVED", 1)
    assert len(reports.ordered({})) == 6
