"""registration's participants as a list query on the bus: rows, groups, fields."""

from plenary_contracts.catalog import registration as contract
from plenary_kit.service import Runtime

from ..application.participant_rows import ParticipantRows


def register(runtime: Runtime, participant_rows: ParticipantRows) -> None:
    runtime.serve(contract.QUERY_PARTICIPANT_ROWS, participant_rows.rows)
    runtime.serve(contract.QUERY_PARTICIPANT_GROUPS, participant_rows.groups)
    runtime.serve(contract.PARTICIPANT_FIELDS, participant_rows.fields)
