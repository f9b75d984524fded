"""registration's participants on the bus: register, screen, list, get, update, delete."""

from plenary_contracts.catalog import registration as contract
from plenary_kit.service import Runtime

from ..application.participants import Participants
from ..application.registrar import Registrar


def register(runtime: Runtime, registrar: Registrar) -> None:
    participants = Participants(registrar)
    runtime.serve(contract.REGISTER_PARTICIPANT, participants.register)
    runtime.serve(contract.SCREEN_PARTICIPANT, participants.screen)
    runtime.serve(contract.LIST_PARTICIPANTS, participants.list_participants)
    runtime.serve(contract.GET_PARTICIPANT, participants.get)
    runtime.serve(contract.UPDATE_PARTICIPANT, participants.update)
    runtime.serve(contract.DELETE_PARTICIPANT, participants.delete)
