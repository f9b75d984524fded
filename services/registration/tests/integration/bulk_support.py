"""Uploading import files as the gateway does and driving an import through its states, for the bulk tests."""

import csv
import io
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from registration_svc.adapters.tables import bulk_operation_item, participant

from plenary_contracts.catalog import registration as contract
from plenary_contracts.files import StoredFile
from plenary_kit.files import put_file
from plenary_kit.testing.plugin import eventually

from .conftest import TENANT

CSV = "text/csv"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def csv_bytes(rows: Sequence[Sequence[Any]], *, delimiter: str = ",", bom: bool = True) -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return (("\ufeff" if bom else "") + out.getvalue()).encode()


async def upload(
    registration, data: bytes, name: str = "people.csv", content_type: str = CSV, tenant: str = TENANT
) -> StoredFile:
    """Store a file in the files bucket as the gateway does with an upload's body."""
    return await put_file(registration.nc.jetstream(), tenant, "imports", name, content_type, data)


async def create_import(registration, event, data: bytes, name: str = "people.csv", content_type: str = CSV, **body):  # type: ignore[no-untyped-def]
    stored = await upload(registration, data, name, content_type)
    return await registration.call(
        contract.CREATE_IMPORT, {"eventId": event.id, "file": stored.model_dump(mode="json"), **body}
    )


async def previewed(registration, event, data: bytes, **kw: Any) -> contract.ImportPreview:  # type: ignore[no-untyped-def]
    operation = await create_import(registration, event, data, **kw)
    return await registration.call(contract.VALIDATE_IMPORT, {"id": operation.id})


async def settled(registration, operation_id: str, timeout: float = 30) -> contract.BulkOperation:  # type: ignore[no-untyped-def]
    """The operation once it left CONFIRMED and PROCESSING."""

    async def done() -> contract.BulkOperation | None:
        found = await registration.call(contract.GET_BULK_OPERATION, {"id": operation_id})
        return found if found.status not in ("CONFIRMED", "PROCESSING") else None

    return await eventually(done, timeout=timeout, interval=0.2)


async def imported(registration, data: bytes, event, **kw: Any) -> contract.BulkOperation:  # type: ignore[no-untyped-def]
    """Upload, validate, confirm and wait until the import ran."""
    preview = await previewed(registration, event, data, **kw)
    await registration.call(contract.CONFIRM_IMPORT, {"id": preview.operation.id})
    return await settled(registration, preview.operation.id)


async def participants_of(registration, event_id: str) -> list[Any]:  # type: ignore[no-untyped-def]
    rows = await registration.execute(
        sa.select(participant).where(participant.c.event_id == event_id).order_by(participant.c.registration_code)
    )
    return list(rows)


async def items_of(registration, operation_id: str) -> list[Any]:  # type: ignore[no-untyped-def]
    rows = await registration.execute(
        sa.select(bulk_operation_item)
        .where(bulk_operation_item.c.operation_id == operation_id)
        .order_by(bulk_operation_item.c.row_number)
    )
    return list(rows)
