"""events's operations and consumers on the bus. Handlers translate; the use cases decide."""

from typing import Any

from plenary_contracts.catalog import events as contract
from plenary_contracts.catalog import identity, workflow
from plenary_contracts.envelope import CloudEvent
from plenary_contracts.streams import consumer
from plenary_kit.db import UnitOfWork
from plenary_kit.service import Runtime

from ..application import events, field_definitions, intake, participant_types, series

# The consumer's filter (evt.workflow.workflow.>) also brings `published`; a publication changes the
# status through `updated`, so it is acknowledged and nothing more.
_WORKFLOW_EVENTS = [
    workflow.WORKFLOW_CREATED,
    workflow.WORKFLOW_UPDATED,
    workflow.WORKFLOW_DELETED,
    workflow.WORKFLOW_PUBLISHED,
]


def register(runtime: Runtime) -> None:
    runtime.serve(contract.CREATE_EVENT, events.create_event)
    runtime.serve(contract.LIST_EVENTS, events.list_events)
    runtime.serve(contract.GET_EVENT, events.get_event)
    runtime.serve(contract.UPDATE_EVENT, events.update_event)
    runtime.serve(contract.DELETE_EVENT, events.delete_event)
    runtime.serve(contract.GET_EVENT_SCHEMA, events.get_event_schema)

    runtime.serve(contract.CREATE_PARTICIPANT_TYPE, participant_types.create_participant_type)
    runtime.serve(contract.LIST_PARTICIPANT_TYPES, participant_types.list_participant_types)
    runtime.serve(contract.UPDATE_PARTICIPANT_TYPE, participant_types.update_participant_type)
    runtime.serve(contract.DELETE_PARTICIPANT_TYPE, participant_types.delete_participant_type)

    runtime.serve(contract.CREATE_FIELD_DEFINITION, field_definitions.create_field_definition)
    runtime.serve(contract.LIST_FIELD_DEFINITIONS, field_definitions.list_field_definitions)
    runtime.serve(contract.GET_FIELD_DEFINITION, field_definitions.get_field_definition)
    runtime.serve(contract.UPDATE_FIELD_DEFINITION, field_definitions.update_field_definition)
    runtime.serve(contract.DELETE_FIELD_DEFINITION, field_definitions.delete_field_definition)

    runtime.serve(contract.CREATE_SERIES, series.create_series)
    runtime.serve(contract.LIST_SERIES, series.list_series)
    runtime.serve(contract.GET_SERIES, series.get_series)
    runtime.serve(contract.UPDATE_SERIES, series.update_series)
    runtime.serve(contract.DELETE_SERIES, series.delete_series)
    runtime.serve(contract.ADD_EDITION, series.add_edition)
    runtime.serve(contract.UPDATE_EDITION, series.update_edition)
    runtime.serve(contract.REMOVE_EDITION, series.remove_edition)

    async def on_workflow(uow: UnitOfWork, event: CloudEvent, payload: Any) -> None:
        if isinstance(payload, workflow.WorkflowChanged):
            await intake.workflow_changed(uow, payload, deleted=event.type == workflow.WORKFLOW_DELETED.type)

    async def on_tenant_deleted(uow: UnitOfWork, event: CloudEvent, payload: identity.TenantDeleted) -> None:
        await intake.tenant_deleted(uow, payload.tenant_id)

    runtime.consume(consumer("events_workflow_directory"), _WORKFLOW_EVENTS, on_workflow)
    runtime.consume(consumer("events_tenant_cleanup"), [identity.TENANT_DELETED], on_tenant_deleted)
