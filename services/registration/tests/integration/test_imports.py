"""Participant imports over the bus: upload, validation with errors, warnings and a preview,
column mapping, the background run through the one registration path, the state machine, cancel, undo."""

import io
from datetime import timedelta

import pytest
import sqlalchemy as sa
from openpyxl import Workbook
from registration_svc.adapters.tables import bulk_operation, participant
from registration_svc.application.registrar import Registrar

from plenary_contracts.access import Grant, encode_grants
from plenary_contracts.catalog import registration as contract
from plenary_contracts.enums import RoleScope
from plenary_contracts.errors import BadRequest, Forbidden, NotFound, ValidationFailed
from plenary_contracts.flags import FlagKey
from plenary_kit.acting import utcnow

from .bulk_support import (
    XLSX,
    create_import,
    csv_bytes,
    imported,
    items_of,
    participants_of,
    previewed,
    settled,
)
from .conftest import OTHER_TENANT

FIELDS = (
    {"name": "dietary", "label": "Dietary Needs", "dataType": "ENUM",
     "config": {"options": [{"value": "veg"}, {"value": "none"}]}},
    {"name": "seats", "label": "Seats", "dataType": "NUMBER"},
)  # fmt: skip
HEADER = ["First Name", "Last Name", "Email", "Company", "Code", "Dietary Needs", "Seats"]


@pytest.fixture
async def bulk(registration):  # type: ignore[no-untyped-def]
    await registration.flags(FlagKey.BULK_OPERATIONS)
    return registration


async def test_a_csv_import_registers_every_row_without_errors_and_announces_each(bulk):
    event = await bulk.seed_event(fields=FIELDS)
    data = csv_bytes(
        [
            HEADER,
            ["Ada", "Lovelace", "ada@example.org", "Analytical\nEngines Ltd", "A-1", "veg", "2"],
            ["Grace", "Hopper", "grace@example.org", "Navy", "", "", ""],
            ["Alan", "Turing", "ADA@example.org", "", "A-3", "none", ""],
            ["", "Nameless", "x@example.org", "", "", "", ""],
        ]
    )

    preview = await previewed(bulk, event, data)

    assert preview.counts == contract.ImportCounts(total=4, valid=2, warning=1, error=1)
    assert preview.operation.status == "PREVIEW" and preview.operation.total_items == 3
    assert [r.status for r in preview.preview] == ["valid", "valid", "warning", "error"]
    await bulk.call(contract.CONFIRM_IMPORT, {"id": preview.operation.id})
    done = await settled(bulk, preview.operation.id)

    # the row warned of for Ada's e-mail goes through screening like any registration: a duplicate, blocked
    assert (done.status, done.processed_items, done.success_count, done.failure_count) == ("COMPLETED", 3, 2, 1)
    assert done.undo_deadline is not None and done.completed_at is not None
    people = {p.last_name: p for p in await participants_of(bulk, event.id)}
    assert set(people) == {"Lovelace", "Hopper"}
    assert people["Lovelace"].organization == "Analytical\nEngines Ltd"
    assert people["Lovelace"].extras == {"dietary": "veg", "seats": 2}
    assert people["Lovelace"].registration_code == "A-1" and people["Lovelace"].status == "PENDING"
    assert people["Hopper"].registration_code == f"BULK-{done.id[-6:]}-0002"
    assert all(p.participant_type_id == event.type_id for p in people.values())
    announced = [e["participant"]["id"] for e in await bulk.events(contract.PARTICIPANT_REGISTERED)]
    assert sorted(announced) == sorted(p.id for p in people.values())
    items = await items_of(bulk, done.id)
    assert [(i.row_number, i.status) for i in items] == [(1, "success"), (2, "success"), (3, "error"), (4, "error")]
    assert [i.participant_id for i in items[:2]] == [people["Lovelace"].id, people["Hopper"].id]
    assert items[2].error_message == "registration refused by screening" and items[2].processed_at is not None
    assert items[3].error_message == "firstName: is required" and items[3].processed_at is None
    (blocked,) = await bulk.events(contract.REGISTRATION_BLOCKED)
    assert (blocked["lastName"], blocked["source"]) == ("Turing", "import")
    lifecycle = [
        contract.BULK_OPERATION_CREATED,
        contract.BULK_OPERATION_VALIDATED,
        contract.BULK_OPERATION_CONFIRMED,
        contract.BULK_OPERATION_PROGRESSED,
        contract.BULK_OPERATION_COMPLETED,
    ]
    for spec in lifecycle:
        assert [e["operation"]["id"] for e in await bulk.events(spec)] == [done.id], spec.type


async def test_an_xlsx_import_reads_the_first_sheet_with_cells_as_shown(bulk):
    event = await bulk.seed_event(fields=FIELDS)
    book = Workbook()
    sheet = book.active
    for values in (HEADER, ["Ada", "Lovelace", "ada@example.org", "", "X-1", "veg", 3.0], [None] * 7):
        sheet.append(values)
    sheet.append(["Grace", "Hopper", None, None, None, None, 12])
    out = io.BytesIO()
    book.save(out)

    done = await imported(bulk, out.getvalue(), event, name="people.xlsx", content_type=XLSX)

    assert (done.status, done.success_count, done.file_name) == ("COMPLETED", 2, "people.xlsx")
    people = {p.last_name: p for p in await participants_of(bulk, event.id)}
    assert people["Lovelace"].extras == {"dietary": "veg", "seats": 3}
    assert people["Hopper"].extras == {"seats": 12}


async def test_validation_checks_rows_against_the_file_and_the_event_and_previews_twenty(bulk):
    event = await bulk.seed_event(fields=FIELDS)
    await bulk.call(
        contract.REGISTER_PARTICIPANT,
        {"eventId": event.id, "participantTypeId": event.type_id, "firstName": "Old", "lastName": "Timer",
         "email": "old@example.org", "registrationCode": "TAKEN"},
    )  # fmt: skip
    rows = [
        ["Ada", "Lovelace", "ada@example", "", "", "", ""],
        ["Bob", "Smith", "old@EXAMPLE.org", "", "TAKEN", "", ""],
        ["Cy", "Jones", "", "", "C-1", "meat", "many"],
        ["Di", "Brown", "", "", "C-1", "", ""],
        ["Ed", "", "", "", "bad code!", "", ""],
    ]
    rows += [[f"P{n}", "Filler", f"p{n}@example.org", "", "", "", ""] for n in range(20)]

    preview = await previewed(bulk, event, csv_bytes([HEADER, *rows]))

    messages = {r.row_number: r.message for r in preview.preview}
    assert len(preview.preview) == contract.PREVIEW_ROWS
    assert messages[1] == "email: is not a valid e-mail address"
    assert messages[2] == "registrationCode: already used in this event; email: already registered in this event"
    assert messages[3] == "dietary: must be one of: veg, none; seats: must be a number"
    assert messages[4] == "registrationCode: same as row 3"
    assert messages[5] == "lastName: is required; registrationCode: may hold only letters, digits and _ . - /"
    assert preview.counts == contract.ImportCounts(total=25, valid=20, warning=0, error=5)
    assert preview.preview[5].data == {"firstName": "P0", "lastName": "Filler", "email": "p0@example.org"}
    errors = await bulk.call(contract.LIST_BULK_ITEMS, {"id": preview.operation.id, "status": "error"})
    assert [i.row_number for i in errors.data] == [1, 2, 3, 4, 5] and errors.meta.total == 5


async def test_columns_map_by_name_label_alias_and_close_spelling_and_a_mapping_can_be_given(bulk):
    event = await bulk.seed_event(fields=FIELDS)
    data = csv_bytes(
        [
            ["Given Name", "surname", "E-mail", "Organisaton", "dietary needs", "Notes"],
            ["Ada", "L", "", "X", "veg", "n"],
        ],
        delimiter=";",
    )

    preview = await previewed(bulk, event, data)

    assert preview.mappings == {
        "Given Name": "firstName",
        "surname": "lastName",
        "E-mail": "email",
        "Organisaton": "organization",
        "dietary needs": "dietary",
    }
    assert preview.unmapped_required == [] and preview.counts.valid == 1
    operation_id = preview.operation.id

    again = await bulk.call(
        contract.VALIDATE_IMPORT, {"id": operation_id, "mappings": {"Given Name": "lastName", "Notes": "firstName"}}
    )
    assert again.unmapped_required == [] and again.preview[0].data == {"lastName": "Ada", "firstName": "n"}
    assert len(await items_of(bulk, operation_id)) == 1

    partial = await bulk.call(contract.VALIDATE_IMPORT, {"id": operation_id, "mappings": {"surname": "lastName"}})
    assert partial.unmapped_required == ["firstName"] and partial.counts.error == 1
    with pytest.raises(ValidationFailed) as refused:
        await bulk.call(
            contract.VALIDATE_IMPORT,
            {"id": operation_id, "mappings": {"surname": "lastName", "Notes": "lastName", "Nope": "email"}},
        )
    assert sorted(e.loc for e in refused.value.errors) == [["mappings", "Nope"], ["mappings", "Notes"]]


async def test_an_upload_must_be_a_csv_or_xlsx_of_a_known_event_within_the_row_limit(bulk):
    event = await bulk.seed_event()
    with pytest.raises(ValidationFailed) as not_a_table:
        await create_import(bulk, event, b"\x89PNG\r\n\x1a\n\x00\x00", name="photo.png", content_type="image/png")
    assert not_a_table.value.errors[0].loc == ["file"]
    with pytest.raises(NotFound):
        await create_import(bulk, type("Gone", (), {"id": "no-such-event"})(), csv_bytes([["a"]]))
    with pytest.raises(ValidationFailed):
        await create_import(bulk, event, csv_bytes([["a"]]), participantTypeId="not-a-type")

    empty = await create_import(bulk, event, csv_bytes([HEADER]))
    with pytest.raises(BadRequest):
        await bulk.call(contract.VALIDATE_IMPORT, {"id": empty.id})
    workbook_in_name_only = await create_import(bulk, event, b"PK\x03\x04junk", name="p.xlsx", content_type=XLSX)
    with pytest.raises(ValidationFailed):
        await bulk.call(contract.VALIDATE_IMPORT, {"id": workbook_in_name_only.id})
    huge = b"First Name,Last Name\n" + b"A,B\n" * (contract.MAX_IMPORT_ROWS + 1)
    too_many = await create_import(bulk, event, huge)
    with pytest.raises(ValidationFailed) as refused:
        await bulk.call(contract.VALIDATE_IMPORT, {"id": too_many.id})
    assert "more than 100,000" in refused.value.errors[0].msg
    assert (await bulk.call(contract.GET_BULK_OPERATION, {"id": too_many.id})).status == "VALIDATING"


async def test_each_step_is_refused_out_of_order(bulk):
    event = await bulk.seed_event()
    data = csv_bytes([HEADER, ["Ada", "Lovelace", "", "", "", "", ""]])
    operation = await create_import(bulk, event, data)
    with pytest.raises(BadRequest):
        await bulk.call(contract.CONFIRM_IMPORT, {"id": operation.id})
    with pytest.raises(BadRequest):
        await bulk.call(contract.UNDO_BULK_OPERATION, {"id": operation.id})
    await bulk.call(contract.VALIDATE_IMPORT, {"id": operation.id})
    await bulk.call(contract.CONFIRM_IMPORT, {"id": operation.id})
    done = await settled(bulk, operation.id)
    for step in (contract.VALIDATE_IMPORT, contract.CONFIRM_IMPORT, contract.CANCEL_IMPORT):
        with pytest.raises(BadRequest):
            await bulk.call(step, {"id": done.id})

    only_errors = await previewed(bulk, event, csv_bytes([HEADER, ["", "", "nobody@example.org", "", "", "", ""]]))
    with pytest.raises(BadRequest) as nothing:
        await bulk.call(contract.CONFIRM_IMPORT, {"id": only_errors.operation.id})
    assert "every row has errors" in nothing.value.message


async def test_cancel_drops_an_unconfirmed_import_with_its_rows(bulk):
    event = await bulk.seed_event()
    preview = await previewed(bulk, event, csv_bytes([HEADER, ["Ada", "Lovelace", "", "", "", "", ""]]))

    await bulk.call(contract.CANCEL_IMPORT, {"id": preview.operation.id})

    with pytest.raises(NotFound):
        await bulk.call(contract.GET_BULK_OPERATION, {"id": preview.operation.id})
    assert await items_of(bulk, preview.operation.id) == []
    assert [e["operation"]["id"] for e in await bulk.events(contract.BULK_OPERATION_CANCELLED)] == [
        preview.operation.id
    ]


async def test_a_running_import_can_be_cancelled_and_stops_after_its_chunk_in_flight(bulk):
    event = await bulk.seed_event()
    rows = [["First Name", "Last Name"], *([f"Runner{n}", f"Stopped{n}"] for n in range(1, 1201))]
    operation = (await previewed(bulk, event, csv_bytes(rows))).operation
    async with bulk.screening_held(event.id):
        await bulk.call(contract.CONFIRM_IMPORT, {"id": operation.id})
        await bulk.waiting_for_locks(1)  # the first chunk of 500 rows waits to screen

        await bulk.call(contract.CANCEL_IMPORT, {"id": operation.id})

        assert (await bulk.call(contract.GET_BULK_OPERATION, {"id": operation.id})).status == "CANCELLED"
    # the runner takes one import at a time: a later one completes once it has let go of the cancelled one
    later = await imported(bulk, csv_bytes([["First Name", "Last Name"], ["Ada", "Lovelace"]]), event)
    assert later.status == "COMPLETED"
    cancelled = await bulk.call(contract.GET_BULK_OPERATION, {"id": operation.id})
    assert (cancelled.status, cancelled.processed_items, cancelled.success_count) == ("CANCELLED", 500, 500)
    assert len(await participants_of(bulk, event.id)) == 501
    statuses = [item.status for item in await items_of(bulk, operation.id)]
    assert (statuses.count("success"), statuses.count("valid")) == (500, 700)
    (announced,) = await bulk.events(contract.BULK_OPERATION_CANCELLED)
    assert announced["operation"]["status"] == "CANCELLED"
    for step in (contract.CONFIRM_IMPORT, contract.CANCEL_IMPORT):
        with pytest.raises(BadRequest):
            await bulk.call(step, {"id": operation.id})

    undone = await bulk.call(contract.UNDO_BULK_OPERATION, {"id": operation.id})

    assert undone.status == "ROLLED_BACK" and len(await participants_of(bulk, event.id)) == 1


async def test_undo_deletes_what_the_import_created_and_keeps_participants_changed_since(bulk):
    event = await bulk.seed_event()
    before = await bulk.call(
        contract.REGISTER_PARTICIPANT,
        {"eventId": event.id, "participantTypeId": event.type_id, "firstName": "Old", "lastName": "Timer"},
    )
    rows = [["Ada", "Lovelace"], ["Grace", "Hopper"], ["Alan", "Turing"]]
    done = await imported(bulk, csv_bytes([["First Name", "Last Name"], *rows]), event)
    turing = next(p for p in await participants_of(bulk, event.id) if p.last_name == "Turing")
    created = {i.participant_id for i in await items_of(bulk, done.id)}
    await bulk.execute(
        sa.update(participant)
        .where(participant.c.id == turing.id)
        .values(job_title="Mathematician", updated_at=utcnow())
    )

    undone = await bulk.call(contract.UNDO_BULK_OPERATION, {"id": done.id})

    assert undone.status == "ROLLED_BACK" and undone.rolled_back_at is not None
    assert undone.error_log == [f"row 3: Alan Turing ({turing.id}) changed since the import; kept"]
    assert {p.id for p in await participants_of(bulk, event.id)} == {before.id, turing.id}
    deleted = await bulk.events(contract.PARTICIPANT_DELETED)
    assert sorted(e["participantId"] for e in deleted) == sorted(created - {turing.id}) and len(deleted) == 2
    assert [e["operation"]["status"] for e in await bulk.events(contract.BULK_OPERATION_ROLLED_BACK)] == ["ROLLED_BACK"]
    with pytest.raises(BadRequest):
        await bulk.call(contract.UNDO_BULK_OPERATION, {"id": done.id})


async def test_undo_after_the_deadline_is_refused(bulk):
    event = await bulk.seed_event()
    done = await imported(bulk, csv_bytes([["First Name", "Last Name"], ["Ada", "Lovelace"]]), event)
    await bulk.execute(
        sa.update(bulk_operation)
        .where(bulk_operation.c.id == done.id)
        .values(undo_deadline=utcnow() - timedelta(minutes=1))
    )

    with pytest.raises(BadRequest) as refused:
        await bulk.call(contract.UNDO_BULK_OPERATION, {"id": done.id})

    assert "undo window" in refused.value.message
    assert len(await participants_of(bulk, event.id)) == 1


async def test_operations_are_listed_by_event_type_and_status_and_belong_to_their_tenant(bulk):
    event = await bulk.seed_event()
    data = csv_bytes([["First Name", "Last Name"], ["Ada", "Lovelace"]])
    first = await create_import(bulk, event, data)
    second = (await previewed(bulk, event, data)).operation

    listed = await bulk.call(contract.LIST_BULK_OPERATIONS, {"eventId": event.id, "sort": "createdAt:asc"})
    assert [o.id for o in listed.data] == [first.id, second.id]
    previewing = await bulk.call(contract.LIST_BULK_OPERATIONS, {"eventId": event.id, "status": "PREVIEW"})
    assert [o.id for o in previewing.data] == [second.id]
    exports = await bulk.call(contract.LIST_BULK_OPERATIONS, {"eventId": event.id, "type": "EXPORT_PARTICIPANTS"})
    assert exports.data == []
    download = await bulk.call(contract.DOWNLOAD_BULK_FILE, {"id": first.id})
    assert download.file_name == "people.csv" and download.size == len(data)

    await bulk.flags(FlagKey.BULK_OPERATIONS, tenant=OTHER_TENANT)
    with pytest.raises(NotFound):
        await bulk.call(contract.GET_BULK_OPERATION, {"id": first.id}, tenant=OTHER_TENANT)
    with pytest.raises(NotFound):
        await bulk.call(contract.LIST_BULK_ITEMS, {"id": second.id}, tenant=OTHER_TENANT)


async def test_a_role_bound_to_another_event_may_not_touch_this_events_import(bulk):
    event = await bulk.seed_event()
    operation = await create_import(bulk, event, csv_bytes([["First Name", "Last Name"], ["Ada", "L"]]))
    grants = _event_grants("other-event")

    with pytest.raises(Forbidden):
        await bulk.call(contract.GET_BULK_OPERATION, {"id": operation.id}, grants=grants)
    assert (await bulk.call(contract.GET_BULK_OPERATION, {"id": operation.id}, grants=_event_grants(event.id))).id


def _event_grants(event_id: str) -> str:
    """An EVENT-scoped role's grant of bulk operations, bound to ``event_id``."""
    return encode_grants([Grant("bulk-operations:execute", scope=RoleScope.EVENT, event_id=event_id)])


async def test_an_import_whose_every_row_is_refused_ends_failed_and_cannot_be_undone(bulk):
    event = await bulk.seed_event()
    await bulk.call(
        contract.REGISTER_PARTICIPANT,
        {"eventId": event.id, "participantTypeId": event.type_id, "firstName": "Ada", "lastName": "Lovelace",
         "email": "ada@example.org"},
    )  # fmt: skip
    rows = [["Ada", "Byron", "ada@example.org"], ["Augusta", "King", "ADA@example.org"]]

    done = await imported(bulk, csv_bytes([["First Name", "Last Name", "Email"], *rows]), event)

    assert (done.status, done.processed_items, done.success_count, done.failure_count) == ("FAILED", 2, 0, 2)
    assert done.undo_deadline is None
    assert [e["operation"]["id"] for e in await bulk.events(contract.BULK_OPERATION_FAILED)] == [done.id]
    with pytest.raises(BadRequest):
        await bulk.call(contract.UNDO_BULK_OPERATION, {"id": done.id})


async def test_a_row_that_breaks_the_registration_path_fails_alone_and_the_rest_import(bulk, monkeypatch):
    register = Registrar.register

    async def breaking(self, uow, drafts):  # type: ignore[no-untyped-def]
        if any(d.details.first_name == "Boom" for d in drafts):
            raise RuntimeError("a bug in the registration path")
        return await register(self, uow, drafts)

    monkeypatch.setattr(Registrar, "register", breaking)
    event = await bulk.seed_event()
    rows = [["Ada", "Lovelace"], ["Boom", "Crash"], ["Grace", "Hopper"]]

    done = await imported(bulk, csv_bytes([["First Name", "Last Name"], *rows]), event)

    assert (done.status, done.success_count, done.failure_count) == ("COMPLETED", 2, 1)
    items = await items_of(bulk, done.id)
    assert [i.status for i in items] == ["success", "error", "success"]
    assert items[1].error_message == "could not be imported (internal error); see the service log"
