"""How much each area does. The defaults are the real bench; ``--size small`` (or ``--size name=N``) shrinks
it to check that an area runs at all without loading a shared machine for minutes."""

import dataclasses
from dataclasses import dataclass


@dataclass(frozen=True)
class Sizes:
    # limits
    js_pipelined: int = 20_000
    js_sequential: int = 2_000
    core_sequential: int = 2_000
    core_concurrent: int = 10_000
    pg_commits: int = 2_000
    pg_rows: int = 100_000
    # pipeline
    pipeline_events: int = 10_000
    paced_seconds: int = 5
    writer_events: int = 64  # per writer, 32 writers
    # rpc
    rpc_sequential: int = 1_000
    rpc_calls_200: int = 4_000
    rpc_burst: int = 1_000
    # gateway
    gateway_seconds: int = 10
    # workflow
    workflow_sequential: int = 100
    workflow_actions: int = 1_500
    condition_rounds: int = 200_000
    # registration
    import_rows: int = 100_000
    fairness_rows: int = 10_000
    registrations: int = 500  # one caller; 8 callers do this many each
    # checkin
    badge_verifications: int = 20_000
    checkin_participants: int = 20_000  # badges for the scans through the gateway (each first scan takes one)
    # webhooks
    webhook_events: int = 10_000  # to one subscription, as fast as they come
    webhook_paced_seconds: int = 10  # at 1,000 events/s
    webhook_fanout_events: int = 1_000  # to ten subscriptions (one of them hanging, the second time)
    webhook_replay_events: int = 100_000
    # comms
    comms_recipients: int = 10_000  # one e-mail broadcast
    # views
    views_participants: int = 1_000_000  # loaded with COPY into registration's table
    views_deep_pages: int = 200  # pages of 50 walked before the deep page is timed
    views_records: int = 1_000_000  # custom object records, loaded with COPY
    # analytics
    analytics_participants: int = 100_000  # one event's registrations, projected live, then replayed
    analytics_paced_seconds: int = 10  # registrations and approvals at 1,000 events/s
    # audit
    audit_tenants: int = 100  # tenants whose events fill the streams
    audit_events_per_tenant: int = 1_000  # each tenant's day

    def with_overrides(self, overrides: dict[str, int]) -> "Sizes":
        return dataclasses.replace(self, **overrides)


SMALL = Sizes(
    js_pipelined=2_000,
    js_sequential=200,
    core_sequential=200,
    core_concurrent=1_000,
    pg_commits=200,
    pg_rows=5_000,
    pipeline_events=500,
    paced_seconds=1,
    writer_events=5,
    rpc_sequential=100,
    rpc_calls_200=400,
    rpc_burst=1_000,
    gateway_seconds=2,
    workflow_sequential=10,
    workflow_actions=100,
    condition_rounds=10_000,
    import_rows=1_000,
    fairness_rows=300,
    registrations=20,
    badge_verifications=500,
    checkin_participants=300,
    webhook_events=500,
    webhook_paced_seconds=2,
    webhook_fanout_events=100,
    webhook_replay_events=1_000,
    comms_recipients=500,
    views_participants=20_000,
    views_deep_pages=20,
    views_records=20_000,
    analytics_participants=5_000,
    analytics_paced_seconds=2,
    audit_tenants=20,
    audit_events_per_tenant=100,
)


class BadSize(ValueError):
    pass


def parse_sizes(specs: list[str]) -> Sizes:
    """``small`` picks the small preset; ``name=N`` overrides one size (later ones win)."""
    sizes = Sizes()
    names = {f.name for f in dataclasses.fields(Sizes)}
    overrides: dict[str, int] = {}
    for spec in specs:
        if spec == "small":
            sizes = SMALL
            continue
        name, sep, value = spec.partition("=")
        if not sep or name not in names or not value.isdigit():
            raise BadSize(f"--size {spec!r}: expected 'small' or NAME=N with NAME among {', '.join(sorted(names))}")
        overrides[name] = int(value)
    return sizes.with_overrides(overrides)
