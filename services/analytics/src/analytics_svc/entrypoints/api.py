"""The dashboard's operations, snapshots, and rebuilds (a global admin's)."""

from plenary_contracts.catalog import analytics as contract
from plenary_kit.service import Runtime

from ..application import figures, snapshots
from ..application.figures import Figures
from ..application.rebuild import Rebuilds


def register(runtime: Runtime, exports: Figures, rebuilds: Rebuilds) -> None:
    runtime.serve(contract.GET_DASHBOARD, exports.get_dashboard)
    runtime.serve(contract.EXPORT_DASHBOARD, exports.export_dashboard)
    runtime.serve(contract.GET_FUNNEL, figures.get_funnel)
    runtime.serve(contract.GET_SLA_COMPLIANCE, figures.get_sla_compliance)
    runtime.serve(contract.GET_THROUGHPUT, figures.get_throughput)
    runtime.serve(contract.GET_STATUS_DISTRIBUTION, figures.get_status_distribution)
    runtime.serve(contract.GET_SUMMARY, figures.get_summary)
    runtime.serve(contract.GET_SCAN_ACTIVITY, figures.get_scan_activity)
    runtime.serve(contract.GET_USAGE, figures.get_usage)
    runtime.serve(contract.RECORD_SNAPSHOT, snapshots.record_snapshot)
    runtime.serve(contract.QUERY_SNAPSHOTS, snapshots.query_snapshots)
    runtime.serve(contract.DELETE_SNAPSHOTS, snapshots.delete_snapshots)
    runtime.serve(contract.START_REBUILD, rebuilds.start)
    runtime.serve(contract.GET_REBUILD, rebuilds.get)
