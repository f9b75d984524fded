"""An event's participant types on the bus."""

from plenary_contracts.catalog import events as contract
from plenary_kit.service import Runtime

from ..application import participant_types


def register(runtime: Runtime) -> None:
    runtime.serve(contract.CREATE_PARTICIPANT_TYPE, participant_types.create_participant_type)
    runtime.serve(contract.LIST_PARTICIPANT_TYPES, participant_types.list_participant_types)
    runtime.serve(contract.UPDATE_PARTICIPANT_TYPE, participant_types.update_participant_type)
    runtime.serve(contract.DELETE_PARTICIPANT_TYPE, participant_types.delete_participant_type)
