"""Exporting participants over the bus: filters, fixed then dynamic columns, the CSV's form, and
the file behind the download route."""

import csv
import io
from datetime import timedelta

import pytest
import sqlalchemy as sa
from registration_svc.adapters.tables import participant

from plenary_contracts.catalog import registration as contract
from plenary_contracts.errors import NotFound, ValidationFailed
from plenary_contracts.flags import FlagKey
from plenary_kit.acting import utcnow
from plenary_kit.files import read_file

from .bulk_support import create_import, csv_bytes
from .conftest import OTHER_TENANT, TENANT

FIELDS = (
    {"name": "dietary", "label": "Dietary Needs", "dataType": "TEXT"},
    {"name": "tags", "label": "Tags", "dataType": "MULTI_ENUM",
     "config": {"options": [{"value": "press"}, {"value": "speaker"}]}},
)  # fmt: skip
FIXED = [
    "First Name",
    "Last Name",
    "Email",
    "Organization",
    "Job Title",
    "Nationality",
    "Registration Code",
    "Status",
    "Participant Type",
    "Created At",
]


@pytest.fixture
async def bulk(registration):  # type: ignore[no-untyped-def]
    await registration.flags(FlagKey.BULK_OPERATIONS)
    return registration


async def _register(bulk, event, first: str, last: str, type_code: str = "DELEGATE", **fields):  # type: ignore[no-untyped-def]
    body = {"eventId": event.id, "participantTypeId": event.types[type_code], "firstName": first, "lastName": last}
    return await bulk.call(contract.REGISTER_PARTICIPANT, {**body, **fields})


async def _file(bulk, operation: contract.BulkOperation) -> bytes:  # type: ignore[no-untyped-def]
    stored = await bulk.call(contract.DOWNLOAD_BULK_FILE, {"id": operation.id})
    return await read_file(bulk.nc.jetstream(), stored.key)


def _rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


async def test_an_export_holds_every_participant_with_fixed_then_dynamic_columns(bulk):
    event = await bulk.seed_event(types=("DELEGATE", "PRESS"), fields=FIELDS)
    ada = await _register(
        bulk, event, "Ada", "Lovelace", email="ada@example.org", organization='The "Engine" Co, Ltd',
        registrationCode="A-1", extras={"dietary": "veg\nno nuts", "tags": ["press", "speaker"]},
    )  # fmt: skip
    await _register(bulk, event, "Grace", "Hopper", type_code="PRESS", registrationCode="G-1")

    operation = await bulk.call(contract.EXPORT_PARTICIPANTS, {"eventId": event.id})

    assert (operation.type, operation.status, operation.total_items) == ("EXPORT_PARTICIPANTS", "COMPLETED", 2)
    assert operation.download_url == f"/api/v1/bulk-operations/{operation.id}/file"
    assert operation.file_name is not None and operation.file_name.endswith(".csv")
    data = await _file(bulk, operation)
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" not in data
    first_line = data.decode("utf-8-sig").split("\n", 1)[0]
    assert first_line == ",".join(f'"{c}"' for c in [*FIXED, "Dietary Needs", "Tags"])
    _, *rows = _rows(data)
    assert [r[6] for r in rows] == ["A-1", "G-1"]  # oldest first
    assert rows[0][:9] == ["Ada", "Lovelace", "ada@example.org", 'The "Engine" Co, Ltd', "", "", "A-1", "PENDING",
                           "Delegate"]  # fmt: skip
    assert rows[0][9] == ada.created_at.isoformat()
    assert rows[0][10:] == ["veg\nno nuts", "press; speaker"]
    assert rows[1][8] == "Press" and rows[1][10:] == ["", ""]
    (announced,) = await bulk.events(contract.BULK_OPERATION_COMPLETED)
    assert announced["operation"]["id"] == operation.id


async def test_filters_narrow_the_rows_and_fields_the_columns(bulk):
    event = await bulk.seed_event(types=("DELEGATE", "PRESS"), fields=FIELDS)
    ada = await _register(bulk, event, "Ada", "Lovelace", extras={"dietary": "veg"})
    grace = await _register(bulk, event, "Grace", "Hopper", type_code="PRESS")
    alan = await _register(bulk, event, "Alan", "Turing")
    await bulk.execute(sa.update(participant).where(participant.c.id == alan.id).values(status="APPROVED"))
    await bulk.execute(
        sa.update(participant).where(participant.c.id == ada.id).values(created_at=utcnow() - timedelta(days=3))
    )

    async def exported(**filters) -> list[list[str]]:  # type: ignore[no-untyped-def]
        operation = await bulk.call(contract.EXPORT_PARTICIPANTS, {"eventId": event.id, **filters})
        return _rows(await _file(bulk, operation))

    assert [r[1] for r in (await exported(status="APPROVED"))[1:]] == ["Turing"]
    assert [r[1] for r in (await exported(participantTypeId=event.types["PRESS"]))[1:]] == ["Hopper"]
    recent = await exported(createdFrom=(utcnow() - timedelta(days=1)).isoformat())
    assert sorted(r[1] for r in recent[1:]) == ["Hopper", "Turing"]
    old = await exported(createdTo=(utcnow() - timedelta(days=1)).isoformat())
    assert [r[1] for r in old[1:]] == ["Lovelace"]
    chosen = await exported(fields=["dietary", "lastName", "registrationCode"])
    assert chosen[0] == ["Last Name", "Registration Code", "Dietary Needs"]
    assert chosen[1] == ["Lovelace", ada.registration_code, "veg"]
    assert grace.id


async def test_an_export_refuses_unknown_fields_and_unknown_events(bulk):
    event = await bulk.seed_event(fields=FIELDS)
    with pytest.raises(ValidationFailed) as refused:
        await bulk.call(contract.EXPORT_PARTICIPANTS, {"eventId": event.id, "fields": ["email", "shoeSize"]})
    assert refused.value.errors[0].loc == ["fields"] and "shoeSize" in refused.value.errors[0].msg
    with pytest.raises(NotFound):
        await bulk.call(contract.EXPORT_PARTICIPANTS, {"eventId": "no-such-event"})


async def test_an_empty_event_exports_the_header_alone(bulk):
    event = await bulk.seed_event()
    operation = await bulk.call(contract.EXPORT_PARTICIPANTS, {"eventId": event.id})
    assert _rows(await _file(bulk, operation)) == [FIXED]


async def test_the_download_names_an_imports_upload_and_stays_in_its_tenant(bulk):
    event = await bulk.seed_event()
    data = csv_bytes([["First Name", "Last Name"], ["Ada", "Lovelace"]])
    upload = await create_import(bulk, event, data)
    stored = await bulk.call(contract.DOWNLOAD_BULK_FILE, {"id": upload.id})
    assert stored.key.startswith(f"{TENANT}/") and await read_file(bulk.nc.jetstream(), stored.key) == data

    await bulk.flags(FlagKey.BULK_OPERATIONS, tenant=OTHER_TENANT)
    with pytest.raises(NotFound):
        await bulk.call(contract.DOWNLOAD_BULK_FILE, {"id": upload.id}, tenant=OTHER_TENANT)
