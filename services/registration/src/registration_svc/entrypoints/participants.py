"""registration's participants on the bus: register, screen, list, get, update, delete."""

from plenary_contracts.catalog import registration as contract
from plenary_kit.service import Runtime

from ..application.roster import Roster


def register(runtime: Runtime, roster: Roster) -> None:
    runtime.serve(contract.REGISTER_PARTICIPANT, roster.register)
    runtime.serve(contract.SCREEN_PARTICIPANT, roster.screen)
    runtime.serve(contract.LIST_PARTICIPANTS, roster.list_participants)
    runtime.serve(contract.GET_PARTICIPANT, roster.get)
    runtime.serve(contract.UPDATE_PARTICIPANT, roster.update)
    runtime.serve(contract.DELETE_PARTICIPANT, roster.delete)
