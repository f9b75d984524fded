"""Dynamic field definitions on the bus."""

from plenary_contracts.catalog import events as contract
from plenary_kit.service import Runtime

from ..application import field_definitions


def register(runtime: Runtime) -> None:
    runtime.serve(contract.CREATE_FIELD_DEFINITION, field_definitions.create_field_definition)
    runtime.serve(contract.LIST_FIELD_DEFINITIONS, field_definitions.list_field_definitions)
    runtime.serve(contract.GET_FIELD_DEFINITION, field_definitions.get_field_definition)
    runtime.serve(contract.UPDATE_FIELD_DEFINITION, field_definitions.update_field_definition)
    runtime.serve(contract.DELETE_FIELD_DEFINITION, field_definitions.delete_field_definition)
