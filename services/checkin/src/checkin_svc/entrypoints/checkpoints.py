"""Checkpoint operations: thin handlers over the use cases."""

from plenary_contracts.catalog import checkin as contract
from plenary_kit.service import Runtime

from ..application import checkpoints
from ..application.checkpoints import Checkpoints


def register(runtime: Runtime, use_cases: Checkpoints) -> None:
    runtime.serve(contract.CREATE_CHECKPOINT, use_cases.create_checkpoint)
    runtime.serve(contract.LIST_CHECKPOINTS, checkpoints.list_checkpoints)
    runtime.serve(contract.GET_CHECKPOINT, checkpoints.get_checkpoint)
    runtime.serve(contract.UPDATE_CHECKPOINT, use_cases.update_checkpoint)
    runtime.serve(contract.TOGGLE_CHECKPOINT, checkpoints.toggle_checkpoint)
    runtime.serve(contract.DELETE_CHECKPOINT, checkpoints.delete_checkpoint)
