"""Definitions: create (slug made from the name when none is given), list, read with the record count,
update (the slug stays; changed fields are checked against the records), delete while there is no record."""

from typing import Any

from plenary_contracts.catalog import custom_objects as contract
from plenary_contracts.errors import Conflict
from plenary_kit.acting import actor, field_error, located, refuse, tenant, utcnow
from plenary_kit.db import UnitOfWork
from plenary_kit.ids import new_id
from plenary_kit.preconditions import require_if_match

from ..adapters import definition_repository as definitions
from ..adapters import record_repository as records
from ..domain.fields import FieldChanges, FieldSpec, definition_problems, field_changes, ordered
from ..domain.records import check_data
from ..domain.slugs import free_slug, slug_from_name
from .common import field_specs, live_definition, touched

MAX_MISFITS = 50  # records listed when a change of the fields would leave some not fitting


def _publish(uow: UnitOfWork, spec: Any, changed: contract.CustomObjectDefinition) -> contract.CustomObjectDefinition:
    uow.publish(spec, contract.DefinitionChanged(definition=changed), subject=changed.id)
    return changed


def _checked_fields(fields: list[contract.CustomField]) -> list[dict[str, Any]]:
    """The fields as kept (by sortOrder, then name), once the domain finds nothing wrong with them."""
    refuse("the fields are not valid", located(("body",), definition_problems(field_specs(fields))))
    by_name = {f.name: f for f in fields}
    return [by_name[s.name].model_dump(mode="json") for s in ordered(field_specs(fields))]


async def create_definition(request: contract.CreateDefinition, uow: UnitOfWork) -> contract.CustomObjectDefinition:
    fields = _checked_fields(request.fields)
    tenant_id = tenant()
    slug = request.slug
    if slug is None:
        await definitions.lock_slugs(uow.session, tenant_id)
        base = slug_from_name(request.name)
        slug = free_slug(base, await definitions.slugs_like(uow.session, tenant_id, base))
    now = utcnow()
    created = await definitions.insert(
        uow.session,
        {
            "id": new_id(),
            "tenant_id": tenant_id,
            "name": request.name,
            "slug": slug,
            "description": request.description,
            "icon": request.icon,
            "fields": fields,
            "is_active": True,
            "created_by": actor(),
            "created_at": now,
            "updated_at": now,
        },
    )
    return _publish(uow, contract.DEFINITION_CREATED, created)


async def list_definitions(request: contract.ListDefinitions, uow: UnitOfWork) -> contract.DefinitionPage:
    found, meta = await definitions.page(uow.session, tenant(), request)
    return contract.DefinitionPage(data=found, meta=meta)


async def get_definition(request: contract.DefinitionRef, uow: UnitOfWork) -> contract.CustomObjectDefinitionDetail:
    found = await live_definition(uow, request.id)
    count = await definitions.record_count(uow.session, found.tenant_id, found.id)
    return contract.CustomObjectDefinitionDetail(**found.model_dump(), record_count=count)


async def update_definition(request: contract.UpdateDefinition, uow: UnitOfWork) -> contract.CustomObjectDefinition:
    """Only what is given changes; ``description`` and ``icon`` clear with an explicit null. New fields are
    checked against the records first (409 listing those that no longer fit), then removed fields' values
    leave the records and newly required fields' defaults fill them."""
    current = await live_definition(uow, request.id, lock="update")
    require_if_match(current.updated_at)
    given = request.model_fields_set
    if request.slug is not None and request.slug != current.slug:
        refuse("the slug cannot change", [field_error(("body", "slug"), f"stays {current.slug!r}")])
    refuse(
        "these fields cannot be cleared",
        [field_error(("body", _wire(n)), "may be left out but not null")
         for n in ("name", "fields", "is_active") if n in given and getattr(request, n) is None],
    )  # fmt: skip
    values: dict[str, Any] = {
        n: getattr(request, n) for n in ("name", "description", "icon", "is_active") if n in given
    }
    if request.fields is not None:
        values["fields"] = _checked_fields(request.fields)
        changes = field_changes(field_specs(current.fields), field_specs(request.fields))
        if changes.touches_records:
            await _apply_to_records(uow, current, field_specs(request.fields), changes)
    if not values:
        return current
    changed = await definitions.update(uow.session, current.id, values | {"updated_at": touched(current.updated_at)})
    return _publish(uow, contract.DEFINITION_UPDATED, changed)


def _wire(name: str) -> str:
    return "isActive" if name == "is_active" else name


async def _apply_to_records(
    uow: UnitOfWork, of: contract.CustomObjectDefinition, fields: list[FieldSpec], changes: FieldChanges
) -> None:
    if changes.recheck:
        misfits: list[dict[str, Any]] = []
        async for batch in records.kept(uow.session, of):
            for kept in batch:
                problems = check_data(fields, kept.data, only=changes.recheck).problems
                if problems:
                    errors = [{"loc": ["data", *loc], "msg": message} for loc, message in problems]
                    misfits.append({"id": kept.id, "errors": errors})
            if len(misfits) > MAX_MISFITS:
                break
        if misfits:
            raise Conflict(
                f"{'more than ' if len(misfits) > MAX_MISFITS else ''}{min(len(misfits), MAX_MISFITS)} record(s) "
                "would not fit the new fields: change or delete them first, or give the field a default",
                details={"records": misfits[:MAX_MISFITS], "more": len(misfits) > MAX_MISFITS},
            )
    if changes.removed:
        await records.remove_values(uow.session, of, changes.removed)
    if changes.backfill:
        await records.give_defaults(uow.session, of, changes.backfill)


async def delete_definition(request: contract.DefinitionRef, uow: UnitOfWork) -> contract.DefinitionRef:
    """Only a definition without records goes (deactivating keeps the records)."""
    current = await live_definition(uow, request.id, lock="update")
    if await definitions.has_records(uow.session, current.tenant_id, current.id):
        raise Conflict(f"custom object {current.slug} has records: delete them first, or deactivate it")
    await definitions.delete(uow.session, current.id)
    _publish(uow, contract.DEFINITION_DELETED, current)
    return contract.DefinitionRef(id=current.id)
