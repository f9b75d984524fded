"""Which service answers a list query over each viewable entity: the one mapping the views service dispatches by.

An owner adds its entity here when it serves the three operations (rows, groups, fields) of
``plenary_contracts.row_queries``."""

from .catalog import custom_objects, events, registration, workflow
from .row_queries import EntityOperations, ViewEntity

VIEWABLE: dict[ViewEntity, EntityOperations] = {
    ViewEntity.PARTICIPANT: EntityOperations(
        registration.QUERY_PARTICIPANT_ROWS,
        registration.QUERY_PARTICIPANT_GROUPS,
        registration.PARTICIPANT_FIELDS,
        scope="event_id",
    ),
    ViewEntity.EVENT: EntityOperations(events.QUERY_EVENT_ROWS, events.QUERY_EVENT_GROUPS, events.EVENT_FIELDS),
    ViewEntity.PROGRESS: EntityOperations(
        workflow.QUERY_PROGRESS_ROWS,
        workflow.QUERY_PROGRESS_GROUPS,
        workflow.PROGRESS_FIELDS,
        scope="event_id",
    ),
    ViewEntity.RECORD: EntityOperations(
        custom_objects.QUERY_RECORD_ROWS,
        custom_objects.QUERY_RECORD_GROUPS,
        custom_objects.RECORD_FIELDS,
        scope="definition_id",
    ),
}
