"""Field definitions, global (no event) or one event's: create with typed rules, list by scope, read,
update (If-Match; name, entity and data type stay), delete."""

from typing import Any

from plenary_contracts.catalog import events as contract
from plenary_contracts.enums import FieldDataType
from plenary_contracts.errors import Conflict, NotFound
from plenary_kit.acting import field_error, located, refuse, tenant, utcnow
from plenary_kit.db import UnitOfWork
from plenary_kit.ids import new_id
from plenary_kit.preconditions import require_if_match

from ..adapters import field_repository as fields
from ..adapters.field_repository import FieldRecord
from ..domain.fields import FieldShape, Rule, definition_problems
from .common import live_event, require_grant_for, touched

_FLAGS = ("label", "description", "sort_order", "is_required", "is_unique", "is_searchable", "is_filterable")


def _shape(
    data_type: FieldDataType,
    config: contract.FieldConfig,
    validation: list[contract.ValidationRule],
    default_value: str | None,
) -> FieldShape:
    return FieldShape(
        data_type=data_type,
        rules=[Rule(r.rule, r.value) for r in validation],
        options=None if config.options is None else [o.value for o in config.options],
        default_value=default_value,
        reference_entity=config.reference_entity,
        formula=config.formula,
    )


def _refuse_invalid(shape: FieldShape) -> None:
    refuse("the field definition is not valid", located(("body",), definition_problems(shape)))


def _stored(config: contract.FieldConfig, validation: list[contract.ValidationRule]) -> dict[str, Any]:
    """config and validation as kept: by wire name, unset config keys left out."""
    return {
        "config": config.model_dump(mode="json", exclude_none=True),
        "validation": [r.model_dump(mode="json", exclude_none=True) for r in validation],
    }


async def _live_field(uow: UnitOfWork, field_id: str, *, for_update: bool = False) -> FieldRecord:
    found = await fields.get_field(uow.session, field_id, tenant(), for_update=for_update)
    if found is None:
        raise NotFound(f"field definition {field_id} not found")
    return found


def _publish(uow: UnitOfWork, spec, stored: FieldRecord) -> contract.FieldDefinition:  # type: ignore[no-untyped-def]
    changed = fields.to_field(stored)
    uow.publish(spec, contract.FieldDefinitionChanged(field_definition=changed), subject=changed.id)
    return changed


async def create_field_definition(request: contract.CreateFieldDefinition, uow: UnitOfWork) -> contract.FieldDefinition:
    if request.event_id is not None:
        await live_event(uow, request.event_id)
    _refuse_invalid(_shape(request.data_type, request.config, request.validation, request.default_value))
    tenant_id = tenant()
    await fields.lock_name(uow.session, tenant_id, request.entity_type, request.name)
    if await fields.name_in_other_scope(uow.session, tenant_id, request.event_id, request.entity_type, request.name):
        # the effective fields of an event are the global ones plus its own: one name, one field
        other = "a global field" if request.event_id is not None else "a field of one of the tenant's events"
        raise Conflict(f"{other} already has this name")
    now, field_id = utcnow(), new_id()
    await fields.insert(
        uow.session,
        {
            "id": field_id,
            "tenant_id": tenant_id,
            "event_id": request.event_id,
            "entity_type": request.entity_type,
            "name": request.name,
            "label": request.label,
            "description": request.description,
            "data_type": request.data_type,
            "sort_order": request.sort_order,
            "is_required": request.is_required,
            "is_unique": request.is_unique,
            "is_searchable": request.is_searchable,
            "is_filterable": request.is_filterable,
            "default_value": request.default_value,
            **_stored(request.config, request.validation),
            "created_at": now,
            "updated_at": now,
        },
    )
    return _publish(uow, contract.FIELD_DEFINITION_CREATED, await _live_field(uow, field_id))


async def list_field_definitions(
    request: contract.ListFieldDefinitions, uow: UnitOfWork
) -> contract.FieldDefinitionPage:
    if request.scope == "event" and request.event_id is None:
        refuse("an event's fields need the event", [field_error(("query", "eventId"), "required with scope=event")])
    if request.event_id is not None and request.scope != "global":
        await live_event(uow, request.event_id)
    found, meta = await fields.page(uow.session, tenant(), request)
    return contract.FieldDefinitionPage(data=found, meta=meta)


async def get_field_definition(request: contract.FieldDefinitionRef, uow: UnitOfWork) -> contract.FieldDefinition:
    found = await _live_field(uow, request.id)
    require_grant_for(contract.GET_FIELD_DEFINITION, found.event_id)
    return fields.to_field(found)


async def update_field_definition(request: contract.UpdateFieldDefinition, uow: UnitOfWork) -> contract.FieldDefinition:
    """Fields left out keep their value; explicit nulls clear the description and the default. The
    result is checked whole: new rules must suit the type and the default must satisfy them."""
    current = await _live_field(uow, request.id, for_update=True)
    require_grant_for(contract.UPDATE_FIELD_DEFINITION, current.event_id)
    require_if_match(current.updated_at)
    sent = request.model_fields_set
    values: dict[str, Any] = {n: getattr(request, n) for n in _FLAGS if getattr(request, n) is not None}
    if "description" in sent:
        values["description"] = request.description
    if "default_value" in sent:
        values["default_value"] = request.default_value
    kept = fields.to_field(current)
    config = request.config if request.config is not None else kept.config
    validation = request.validation if request.validation is not None else kept.validation
    if request.config is not None or request.validation is not None:
        values |= _stored(config, validation)
    if not values:
        return kept
    _refuse_invalid(_shape(kept.data_type, config, validation, values.get("default_value", kept.default_value)))
    await fields.update(uow.session, current.id, values | {"updated_at": touched(current.updated_at)})
    return _publish(uow, contract.FIELD_DEFINITION_UPDATED, await _live_field(uow, current.id))


async def delete_field_definition(request: contract.FieldDefinitionRef, uow: UnitOfWork) -> contract.FieldDefinitionRef:
    """Gone for good; values already kept in participants' extras stay."""
    current = await _live_field(uow, request.id, for_update=True)
    require_grant_for(contract.DELETE_FIELD_DEFINITION, current.event_id)
    await fields.delete(uow.session, current.id)
    _publish(uow, contract.FIELD_DEFINITION_DELETED, current)
    return contract.FieldDefinitionRef(id=current.id)
