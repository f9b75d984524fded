"""Participants' workflow progress as a list query on the bus: rows, groups, fields."""

from plenary_contracts.catalog import workflow as contract
from plenary_kit.service import Runtime

from ..application.progress_rows import ProgressRows


def register(runtime: Runtime, progress_rows: ProgressRows) -> None:
    runtime.serve(contract.QUERY_PROGRESS_ROWS, progress_rows.rows)
    runtime.serve(contract.QUERY_PROGRESS_GROUPS, progress_rows.groups)
    runtime.serve(contract.PROGRESS_FIELDS, progress_rows.fields)
