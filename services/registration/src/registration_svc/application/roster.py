"""An event's roster, the participants' operations: register and screen (through the registrar), list,
read, update (partial, If-Match), soft delete. Routes name the event: a participant of another event or
tenant is not found."""

from typing import Any

from plenary_contracts.catalog import registration as contract
from plenary_contracts.catalog.events import EventSchema
from plenary_contracts.enums import ParticipantStatus
from plenary_contracts.errors import Conflict, FieldError, NotFound
from plenary_kit.acting import field_error, located, refuse, tenant, utcnow
from plenary_kit.db import UnitOfWork
from plenary_kit.preconditions import require_if_match

from ..adapters import participant_repository as participant_store
from ..adapters import screening_repository as screening_store
from ..domain import extras as extras_rules
from .directory import EventDirectory, field_specs, participant_type
from .registrar import Draft, Registrar
from .slots import CLOSED, slots_freed

_REQUIRED = ("first_name", "last_name", "participant_type_id", "registration_code", "status")
_CLEARABLE = ("email", "organization", "job_title", "nationality")
_SCREENED = {"first_name", "last_name", "email", "extras"}


class Roster:
    def __init__(self, registrar: Registrar) -> None:
        self.registrar = registrar
        self.directory: EventDirectory = registrar.directory

    async def register(self, request: contract.RegisterParticipant, uow: UnitOfWork) -> contract.Participant:
        return await self.registrar.register_one(uow, Draft(request.event_id, request, "api"))

    async def screen(self, request: contract.ScreenParticipant, uow: UnitOfWork) -> contract.Screening:
        return await self.registrar.screen(uow, request.event_id, request)

    async def list_participants(self, request: contract.ListParticipants, uow: UnitOfWork) -> contract.ParticipantPage:
        await self.directory.schema(uow, tenant(), request.event_id)
        found, meta = await participant_store.page(uow.session, tenant(), request)
        return contract.ParticipantPage(data=found, meta=meta)

    async def get(self, request: contract.ParticipantRef, uow: UnitOfWork) -> contract.Participant:
        await self.directory.schema(uow, tenant(), request.event_id)
        return participant_store.to_participant(await _live(uow, request.event_id, request.id))

    async def update(self, request: contract.UpdateParticipant, uow: UnitOfWork) -> contract.Participant:
        tenant_id = tenant()
        schema = await self.directory.schema(uow, tenant_id, request.event_id)
        row = await _live(uow, request.event_id, request.id, for_update=True)
        if row.erased_at is not None:
            raise Conflict(f"participant {row.id} was erased; its record can no longer change")
        require_if_match(row.updated_at)
        values = await _changes(uow, schema, row, request)
        changed = {name: value for name, value in values.items() if getattr(row, name) != value}
        if not changed:
            return participant_store.to_participant(row)
        changed["updated_at"] = utcnow()
        updated = await participant_store.change_keeping_code_unique(uow.session, row.id, changed)
        if _SCREENED & changed.keys():
            await screening_store.index_keys(
                uow.session,
                participant_id=row.id,
                tenant_id=tenant_id,
                event_id=row.event_id,
                person=screening_store.person_of(updated),
            )
        if updated.status in CLOSED and row.status not in CLOSED:
            slots_freed(uow, updated, "cancelled" if updated.status is ParticipantStatus.CANCELLED else "rejected")
        record = participant_store.to_record(updated)
        uow.publish(contract.PARTICIPANT_UPDATED, contract.ParticipantChanged(participant=record), subject=row.id)
        return participant_store.to_participant(updated)

    async def delete(self, request: contract.ParticipantRef, uow: UnitOfWork) -> contract.ParticipantRef:
        await self.directory.schema(uow, tenant(), request.event_id)
        row = await _live(uow, request.event_id, request.id, for_update=True)
        now = utcnow()
        await participant_store.change(uow.session, row.id, {"deleted_at": now, "updated_at": now})
        await screening_store.delete_keys(uow.session, [row.id])
        gone = contract.ParticipantDeleted(participant_id=row.id, event_id=row.event_id)
        uow.publish(contract.PARTICIPANT_DELETED, gone, subject=row.id)
        if row.status not in CLOSED:
            slots_freed(uow, row, "deleted")
        return contract.ParticipantRef(event_id=row.event_id, id=row.id)


async def _live(
    uow: UnitOfWork, event_id: str, participant_id: str, *, for_update: bool = False
) -> participant_store.StoredParticipant:
    row = await participant_store.get(uow.session, tenant(), participant_id, for_update=for_update, event_id=event_id)
    if row is None:
        raise NotFound(f"participant {participant_id} not found in event {event_id}")
    return row


async def _changes(
    uow: UnitOfWork,
    schema: EventSchema,
    row: participant_store.StoredParticipant,
    request: contract.UpdateParticipant,
) -> dict[str, Any]:
    """The columns the request sets, checked; left-out fields keep their value, null clears the optional ones."""
    given = request.model_fields_set
    errors: list[FieldError] = []
    values: dict[str, Any] = {}
    for name in _REQUIRED:
        if name in given:
            if getattr(request, name) is None:
                errors.append(field_error([_wire(name)], "cannot be cleared"))
            else:
                values[name] = getattr(request, name)
    values |= {name: getattr(request, name) for name in _CLEARABLE if name in given}
    if "extras" in given and request.extras is not None:
        specs = field_specs(schema)
        checked = extras_rules.check_extras(request.extras, specs, stored=row.extras)
        errors += located(["extras"], checked.problems)
        errors += await _unique_values_taken(uow, row, specs, request.extras, checked.extras)
        values["extras"] = checked.extras
    refuse("the participant's changes are not valid", errors)
    if "participant_type_id" in values:
        participant_type(schema, values["participant_type_id"])
    code = values.get("registration_code")
    if code is not None and code != row.registration_code:
        if await participant_store.codes_taken(uow.session, row.tenant_id, row.event_id, {code}):
            raise Conflict(f"registration code {code} is already used in this event", details={"code": code})
    return values


async def _unique_values_taken(
    uow: UnitOfWork,
    row: participant_store.StoredParticipant,
    specs: list[extras_rules.FieldSpec],
    given: dict[str, Any],
    cleaned: dict[str, Any],
) -> list[FieldError]:
    errors = []
    for spec in specs:
        if spec.unique and spec.name in given and spec.name in cleaned:
            value = extras_rules.unique_key(cleaned[spec.name])
            taken = await participant_store.values_taken(
                uow.session, row.tenant_id, row.event_id, spec.name, {value}, except_id=row.id
            )
            if taken:
                errors.append(field_error(["extras", spec.name], f"{spec.label} is already used in this event"))
    return errors


def _wire(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)
