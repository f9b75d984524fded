"""Definition and record operations: thin handlers over the use cases."""

from plenary_contracts.catalog import custom_objects as contract
from plenary_kit.service import Runtime

from ..application import definitions, record_rows, records


def register(runtime: Runtime) -> None:
    runtime.serve(contract.CREATE_DEFINITION, definitions.create_definition)
    runtime.serve(contract.LIST_DEFINITIONS, definitions.list_definitions)
    runtime.serve(contract.GET_DEFINITION, definitions.get_definition)
    runtime.serve(contract.UPDATE_DEFINITION, definitions.update_definition)
    runtime.serve(contract.DELETE_DEFINITION, definitions.delete_definition)
    runtime.serve(contract.CREATE_RECORD, records.create_record)
    runtime.serve(contract.LIST_RECORDS, records.list_records)
    runtime.serve(contract.GET_RECORD, records.get_record)
    runtime.serve(contract.UPDATE_RECORD, records.update_record)
    runtime.serve(contract.DELETE_RECORD, records.delete_record)
    runtime.serve(contract.QUERY_RECORD_ROWS, record_rows.query_record_rows)
    runtime.serve(contract.QUERY_RECORD_GROUPS, record_rows.query_record_groups)
    runtime.serve(contract.RECORD_FIELDS, record_rows.record_fields)
