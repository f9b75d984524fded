"""What the use cases share: the caller's definition (by id or slug), its fields as the domain reads them,
versions that move."""

from datetime import datetime, timedelta

from plenary_contracts.catalog import custom_objects as contract
from plenary_contracts.errors import NotFound
from plenary_kit.acting import tenant, utcnow
from plenary_kit.db import UnitOfWork

from ..adapters import definition_repository as definitions
from ..adapters.definition_repository import Lock
from ..domain.fields import FieldSpec

DATA_AT = ("body", "data")


async def live_definition(uow: UnitOfWork, key: str, *, lock: Lock = None) -> contract.CustomObjectDefinition:
    """The caller's tenant's definition named by id or slug; another tenant's is not found."""
    found = await definitions.get(uow.session, tenant(), key, lock=lock)
    if found is None:
        raise NotFound(f"custom object {key} not found")
    return found


def field_specs(fields: list[contract.CustomField]) -> list[FieldSpec]:
    return [
        FieldSpec(
            name=f.name,
            label=f.label,
            data_type=f.data_type,
            required=f.required,
            options=None if f.options is None else tuple(f.options),
            default_value=f.default_value,
            sort_order=f.sort_order,
            config=f.config,
        )
        for f in fields
    ]


def touched(previous: datetime) -> datetime:
    """The ``updated_at`` of a change to a row last changed at ``previous``: later, so its ETag changes."""
    return max(utcnow(), previous + timedelta(microseconds=1))
