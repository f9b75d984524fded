"""Saved views: the caller's own views and the tenant's shared ones. Only a view's owner changes or deletes
it; a view is checked against its entity's fields (asked of the entity's owner) whenever what it names
changes; a user has one default view per entity type; copies take a free "(copy n)" name."""

from collections.abc import Mapping
from typing import Any

from plenary_contracts.catalog import views as contract
from plenary_contracts.enums import ViewType
from plenary_contracts.errors import Forbidden, NotFound, ValidationFailed
from plenary_contracts.row_queries import EntityOperations, ViewEntity
from plenary_kit.acting import actor, field_error, located, refuse, tenant, utcnow
from plenary_kit.db import UnitOfWork
from plenary_kit.ids import new_id
from plenary_kit.preconditions import require_if_match

from ..adapters import view_repository as views
from ..adapters.entity_client import EntityClient, operations_of
from ..adapters.view_repository import ViewRecord
from ..domain.fields import ViewShape, field_problems, missing_fields, names_fields, shape_problems
from ..domain.views import Layout, copy_name, layout_problems, owns

BODY = ("body",)
_NAMING = ("view_type", "filters", "sorts", "columns", "config")  # what names fields: checked when changed
_SCOPE_AT = {"event_id": "eventId", "definition_id": "definitionId"}


def layout_of(view_type: ViewType, config: Mapping[str, Any]) -> Layout:
    return Layout(
        view_type=ViewType(view_type),
        group_by=config.get("groupBy"),
        date_field=config.get("dateField"),
        end_date_field=config.get("endDateField"),
        cover_field=config.get("coverField"),
        title_field=config.get("titleField"),
    )


def shape_of(values: Mapping[str, Any]) -> ViewShape:
    """What a view (stored values, wire names inside its JSON) names."""
    return ViewShape(
        filters=values["filters"],
        sort_fields=[s["field"] for s in values["sorts"]],
        column_fields=[c["field"] for c in values["columns"]],
        layout=layout_of(values["view_type"], values["config"]),
    )


def entity_of(entity_type: str) -> EntityOperations:
    """The owner's operations for a stored entity type; one no service serves (yet) is refused."""
    operations = operations_of(ViewEntity(entity_type))
    if operations is None:
        raise ValidationFailed(
            f"no service serves {entity_type} lists",
            errors=[field_error([*BODY, "entityType"], f"{entity_type} lists cannot be viewed yet")],
        )
    return operations


def scope_of(operations: EntityOperations, config: Mapping[str, Any]) -> dict[str, str]:
    """The list the view shows (``{"event_id": …}``), as the entity's queries take it; 422 when it is missing."""
    if operations.scope is None:
        return {}
    wire = _SCOPE_AT[operations.scope]
    if not config.get(wire):
        raise ValidationFailed(
            f"a view of this list needs config.{wire}",
            errors=[field_error([*BODY, "config", wire], "required for this entity type")],
        )
    return {operations.scope: config[wire]}


def _dumped(request: Any, name: str) -> Any:
    value = getattr(request, name)
    if name == "filters":
        return [dict(c) for c in value]
    if name == "config":
        return value.model_dump(by_alias=True, exclude_none=True)
    return [item.model_dump(by_alias=True, exclude_none=True) for item in value]


class SavedViews:
    def __init__(self, entities: EntityClient) -> None:
        self.entities = entities

    async def check(self, values: Mapping[str, Any]) -> None:
        """The view's conditions and layout, then every field it names against its entity's fields (the scope,
        an event or a definition, checked to exist in the caller's tenant on the way)."""
        shape = shape_of(values)
        refuse("the view is not valid", located(BODY, [*shape_problems(shape.filters), *layout_problems(shape.layout)]))
        operations = entity_of(values["entity_type"])
        scope = scope_of(operations, values["config"])
        if not scope and not names_fields(shape):
            return  # nothing to ask the list's owner about
        try:
            fields = await self.entities.fields(operations, scope)
        except NotFound as error:
            at = [*BODY, "config", _SCOPE_AT[operations.scope]] if operations.scope else [*BODY, "entityType"]
            raise ValidationFailed(str(error), errors=[field_error(at, "not found in this tenant")]) from error
        problems = field_problems(shape, fields)
        if problems:
            unknown = missing_fields(shape, fields)
            raise ValidationFailed(
                "the view names fields its list does not have or cannot use that way",
                errors=located(BODY, problems),
                details={"fields": unknown} if unknown else {},
            )

    async def create(self, request: contract.CreateSavedView, uow: UnitOfWork) -> contract.SavedView:
        values: dict[str, Any] = {
            "entity_type": request.entity_type.value,
            "view_type": request.view_type.value,
            **{name: _dumped(request, name) for name in ("filters", "sorts", "columns", "config")},
        }
        await self.check(values)
        now, view_id = utcnow(), new_id()
        await views.insert_view(
            uow.session,
            values
            | {
                "id": view_id,
                "tenant_id": tenant(),
                "user_id": actor(),
                "name": request.name,
                "is_shared": request.is_shared,
                "is_default": False,
                "created_at": now,
                "updated_at": now,
            },
        )
        return views.to_view(await visible_view(uow, view_id))

    async def update(self, request: contract.UpdateSavedView, uow: UnitOfWork) -> contract.SavedView:
        current = await _own(uow, request.id, "update")
        require_if_match(current.updated_at)
        sent = request.model_fields_set - {"id"}
        changes: dict[str, Any] = {}
        for name in sent & {"name", "is_shared", "is_default", "view_type"}:
            value = getattr(request, name)
            if value is not None:
                changes[name] = value.value if name == "view_type" else value
        for name in sent & {"filters", "sorts", "columns", "config"}:
            if getattr(request, name) is not None:
                changes[name] = _dumped(request, name)
        if not changes:
            return views.to_view(current)
        if changes.keys() & set(_NAMING):
            await self.check({k: getattr(current, k) for k in ("entity_type", *_NAMING)} | changes)
        if changes.get("is_default"):
            await views.lock_namespace(uow.session, current.tenant_id, actor(), current.entity_type)
            await views.clear_defaults(uow.session, current.tenant_id, actor(), current.entity_type, keep=current.id)
        await views.update_view(uow.session, current.id, changes | {"updated_at": utcnow()})
        return views.to_view(await visible_view(uow, current.id))


# --- the rest needs no entity's fields -------------------------------------------------------------


async def visible_view(uow: UnitOfWork, view_id: str, *, for_update: bool = False) -> ViewRecord:
    """A view the caller sees (their own or a shared one); another's private view is not found."""
    found = await views.get_visible(uow.session, view_id, tenant(), actor(), for_update=for_update)
    if found is None:
        raise NotFound(f"view {view_id} not found")
    return found


async def _own(uow: UnitOfWork, view_id: str, verb: str) -> ViewRecord:
    found = await visible_view(uow, view_id, for_update=True)
    if not owns(found.user_id, actor()):
        raise Forbidden(f"You can only {verb} your own views")
    return found


async def list_views(request: contract.ListSavedViews, uow: UnitOfWork) -> contract.SavedViewPage:
    found, meta = await views.page_views(uow.session, tenant(), actor(), request)
    return contract.SavedViewPage(data=found, meta=meta)


async def get_view(request: contract.SavedViewRef, uow: UnitOfWork) -> contract.SavedView:
    return views.to_view(await visible_view(uow, request.id))


async def get_default_view(request: contract.DefaultViewQuery, uow: UnitOfWork) -> contract.DefaultView:
    found = await views.default_of(uow.session, tenant(), actor(), request.entity_type.value)
    return contract.DefaultView(view=views.to_view(found) if found is not None else None)


async def delete_view(request: contract.SavedViewRef, uow: UnitOfWork) -> contract.SavedViewRef:
    current = await _own(uow, request.id, "delete")
    await views.delete_view(uow.session, current.id)
    return contract.SavedViewRef(id=current.id)


async def duplicate_view(request: contract.SavedViewRef, uow: UnitOfWork) -> contract.SavedView:
    """A private, non-default copy owned by the caller, under the first free "(copy n)" name of theirs."""
    source = await visible_view(uow, request.id)
    owner, now, copy_id = actor(), utcnow(), new_id()
    await views.lock_namespace(uow.session, source.tenant_id, owner, source.entity_type)
    # every name a copy could take starts with the source's name (shortened only past the name's length limit)
    taken = await views.names_starting(uow.session, source.tenant_id, owner, source.entity_type, source.name[:150])
    await views.insert_view(
        uow.session,
        {
            "id": copy_id,
            "tenant_id": source.tenant_id,
            "user_id": owner,
            "name": copy_name(source.name, taken),
            "entity_type": source.entity_type,
            "view_type": source.view_type,
            "filters": source.filters,
            "sorts": source.sorts,
            "columns": source.columns,
            "config": source.config,
            "is_shared": False,
            "is_default": False,
            "created_at": now,
            "updated_at": now,
        },
    )
    return views.to_view(await visible_view(uow, copy_id))
