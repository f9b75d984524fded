"""An event's access log: listed newest first by keyset with filters, and exported as CSV to the files bucket.
Scans are written straight into the access log here, at the times the tests need."""

import base64
import csv
import hashlib
import io
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from checkin_svc.adapters import tables

from plenary_contracts.catalog import checkin as contract
from plenary_contracts.catalog import registration
from plenary_contracts.enums import CheckpointDirection, CheckpointType, ScanResult, ScanType
from plenary_contracts.errors import BadRequest, NotFound
from plenary_contracts.files import StoredFile
from plenary_kit.files import read_file
from plenary_kit.ids import new_id

from .conftest import OTHER_TENANT, TENANT, consumed

BASE = datetime(2026, 5, 4, 8, 0, tzinfo=UTC)
HEADER = [
    "Scanned At",
    "Checkpoint",
    "Location",
    "Participant Name",
    "Registration Code",
    "Scan Type",
    "Result",
    "Override Reason",
    "Scanned By",
]


async def _checkpoint(checkin, event, *, name: str | None = None, location: str | None = None) -> str:
    checkpoint_id = new_id()
    await checkin.execute(
        sa.insert(tables.checkpoint).values(
            id=checkpoint_id,
            tenant_id=event.tenant_id,
            event_id=event.id,
            name=name or f"Gate {checkpoint_id[-6:]}",
            location=location,
            type=CheckpointType.GATE,
            direction=CheckpointDirection.ENTRY,
        )
    )
    return checkpoint_id


def _scan(event, checkpoint_id: str, at: datetime, **fields) -> dict:
    return {
        "id": new_id(),
        "tenant_id": event.tenant_id,
        "event_id": event.id,
        "checkpoint_id": checkpoint_id,
        "participant_id": None,
        "scan_type": ScanType.QR_SCAN,
        "scan_result": ScanResult.VALID,
        "reason": "admitted",
        "qr_payload": "PAYLOAD",
        "scanned_by": "staff-1",
        "device_id": None,
        "override_reason": None,
        "scanned_at": at,
        **fields,
    }


async def _log(checkin, rows: list[dict]) -> list[str]:
    await checkin.execute(sa.insert(tables.access_log), rows)
    return [r["id"] for r in rows]


async def _all_pages(checkin, body: dict, limit: int) -> list[list[str]]:
    pages, after = [], None
    while True:
        page = await checkin.call(
            contract.LIST_ACCESS_LOG, {**body, "limit": limit, **({"after": after} if after else {})}
        )
        pages.append([e.id for e in page.data])
        if page.next_cursor is None:
            return pages
        after = page.next_cursor


# --- the list ------------------------------------------------------------------------------------


async def test_the_log_is_listed_newest_first_and_filtered(checkin):
    event = await checkin.seed_event()
    person = await checkin.register(event)
    gate, door = await _checkpoint(checkin, event), await _checkpoint(checkin, event)
    oldest, refused, door_scan, newest = await _log(
        checkin,
        [
            _scan(event, gate, BASE, participant_id=person.id),
            _scan(event, gate, BASE + timedelta(minutes=1), scan_result=ScanResult.REVOKED, reason="revoked"),
            _scan(event, door, BASE + timedelta(minutes=2), participant_id=person.id),
            _scan(event, gate, BASE + timedelta(minutes=3)),
        ],
    )
    other_event = await checkin.seed_event()
    await _log(checkin, [_scan(other_event, await _checkpoint(checkin, other_event), BASE)])

    def listed(**filters):
        return checkin.call(contract.LIST_ACCESS_LOG, {"eventId": event.id, **filters})

    everything = await listed()
    assert [e.id for e in everything.data] == [newest, door_scan, refused, oldest]
    assert everything.next_cursor is None
    assert everything.data[0].checkpoint_id == gate and everything.data[0].scan_result is ScanResult.VALID
    assert [e.id for e in (await listed(checkpointId=door)).data] == [door_scan]
    assert [e.id for e in (await listed(result="REVOKED")).data] == [refused]
    assert [e.id for e in (await listed(participantId=person.id)).data] == [door_scan, oldest]
    window = await listed(
        since=(BASE + timedelta(minutes=1)).isoformat(), until=(BASE + timedelta(minutes=3)).isoformat()
    )
    assert [e.id for e in window.data] == [door_scan, refused]  # since inclusive, until exclusive


async def test_pages_follow_each_other_without_duplicates_or_gaps_even_on_equal_times(checkin):
    event = await checkin.seed_event()
    gate = await _checkpoint(checkin, event)
    # 23 scans, in threes at the same instant: the id orders those
    rows = [_scan(event, gate, BASE + timedelta(seconds=i // 3)) for i in range(23)]
    await _log(checkin, rows)
    expected = [r["id"] for r in sorted(rows, key=lambda r: (r["scanned_at"], r["id"]), reverse=True)]

    pages = await _all_pages(checkin, {"eventId": event.id}, limit=5)

    assert [len(p) for p in pages] == [5, 5, 5, 5, 3]
    assert [i for p in pages for i in p] == expected


async def test_a_scan_logged_between_pages_neither_repeats_nor_shifts_the_next_page(checkin):
    event = await checkin.seed_event()
    gate = await _checkpoint(checkin, event)
    ids = await _log(checkin, [_scan(event, gate, BASE + timedelta(minutes=i)) for i in range(6)])

    first = await checkin.call(contract.LIST_ACCESS_LOG, {"eventId": event.id, "limit": 3})
    await _log(checkin, [_scan(event, gate, BASE + timedelta(hours=1))])
    second = await checkin.call(contract.LIST_ACCESS_LOG, {"eventId": event.id, "limit": 3, "after": first.next_cursor})

    assert [e.id for e in first.data] == ids[:2:-1]
    assert [e.id for e in second.data] == ids[2::-1]
    assert second.next_cursor is None


def _b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    ["not a cursor!", _b64("not a cursor"), _b64("2026-05-04T08:00:00|abc"), _b64("2026-05-04T08:00:00+00:00|")],
    ids=["garbage", "base64-of-garbage", "naive-time", "no-id"],
)
async def test_a_cursor_the_list_did_not_give_is_a_bad_request(checkin, cursor):
    event = await checkin.seed_event()
    with pytest.raises(BadRequest):
        await checkin.call(contract.LIST_ACCESS_LOG, {"eventId": event.id, "after": cursor})


async def test_an_unknown_or_another_tenants_event_is_not_found(checkin):
    theirs = await checkin.seed_event(tenant=OTHER_TENANT)
    await _log(checkin, [_scan(theirs, await _checkpoint(checkin, theirs), BASE)])
    for event_id in (theirs.id, new_id()):
        for spec in (contract.LIST_ACCESS_LOG, contract.EXPORT_ACCESS_LOG):
            with pytest.raises(NotFound):
                await checkin.call(spec, {"eventId": event_id})
    listed = await checkin.call(contract.LIST_ACCESS_LOG, {"eventId": theirs.id}, tenant=OTHER_TENANT)
    assert len(listed.data) == 1


# --- the export ----------------------------------------------------------------------------------


async def _exported(checkin, body: dict) -> tuple[StoredFile, str]:
    stored = await checkin.call(contract.EXPORT_ACCESS_LOG, body)
    data = await read_file(checkin.nc.jetstream(), stored.key)
    assert (stored.size, stored.sha256) == (len(data), hashlib.sha256(data).hexdigest())
    assert stored.key.startswith(f"{TENANT}/") and stored.content_type.startswith("text/csv")
    return stored, data.decode("utf-8-sig")


async def test_the_export_writes_every_cell_quoted_with_names_in_the_events_timezone(checkin):
    event = await checkin.seed_event(timezone="Asia/Tokyo")
    person = await checkin.register(event, first_name='Ada "The Countess"', last_name="Lovelace")
    gone = await checkin.register(event, first_name="Gone", last_name="Away")
    gate = await _checkpoint(checkin, event, name="North, Gate", location="Hall A")
    await _log(
        checkin,
        [
            _scan(event, gate, BASE, participant_id=person.id, scanned_by="kiosk", device_id="kiosk-1"),
            _scan(
                event,
                gate,
                BASE + timedelta(minutes=5),
                participant_id=gone.id,
                scan_type=ScanType.MANUAL_ENTRY,
                scan_result=ScanResult.MANUAL_OVERRIDE,
                override_reason="Lost wristband",
            ),
        ],
    )
    await checkin.publish(registration.PARTICIPANT_DELETED, {"participantId": gone.id, "eventId": event.id})
    await consumed(checkin, "checkin_participant_directory")

    stored, text = await _exported(checkin, {"eventId": event.id})

    assert stored.file_name.startswith(f"access-log-{event.id}-") and stored.file_name.endswith(".csv")
    lines = text.splitlines()
    assert lines[0] == ",".join(f'"{h}"' for h in HEADER)
    assert lines[1] == (
        '"2026-05-04T17:05:00+09:00","North, Gate","Hall A","","","MANUAL_ENTRY","MANUAL_OVERRIDE",'
        '"Lost wristband","staff-1"'
    )
    assert lines[2] == (
        f'"2026-05-04T17:00:00+09:00","North, Gate","Hall A","Ada ""The Countess"" Lovelace",'
        f'"{person.registration_code}","QR_SCAN","VALID","","kiosk"'
    )
    assert len(lines) == 3


async def test_cells_that_a_spreadsheet_would_run_as_formulas_are_defused(checkin):
    event = await checkin.seed_event()
    person = await checkin.register(event, first_name="=HYPERLINK(1)", last_name="Doe")
    gate = await _checkpoint(checkin, event, name="+Gate", location="@home")
    await _log(
        checkin,
        [_scan(event, gate, BASE, participant_id=person.id, override_reason="-1+2", scanned_by="\tstaff")],
    )

    _, text = await _exported(checkin, {"eventId": event.id})

    (row,) = list(csv.reader(io.StringIO(text)))[1:]
    assert row[1:4] == ["'+Gate", "'@home", "'=HYPERLINK(1) Doe"]
    assert (row[7], row[8]) == ("'-1+2", "'\tstaff")


async def test_the_export_applies_the_filters_and_streams_past_a_chunk(checkin):
    event = await checkin.seed_event()
    gate, door = await _checkpoint(checkin, event), await _checkpoint(checkin, event)
    rows = [_scan(event, gate, BASE + timedelta(seconds=i)) for i in range(5003)]
    rows += [_scan(event, door, BASE, scan_result=ScanResult.INVALID, reason="unreadable") for _ in range(3)]
    await _log(checkin, rows)
    other = await checkin.seed_event()
    await _log(checkin, [_scan(other, await _checkpoint(checkin, other), BASE)])

    _, everything = await _exported(checkin, {"eventId": event.id})
    _, at_gate = await _exported(checkin, {"eventId": event.id, "checkpointId": gate})
    _, invalid = await _exported(checkin, {"eventId": event.id, "result": "INVALID"})
    _, late = await _exported(checkin, {"eventId": event.id, "since": (BASE + timedelta(seconds=5000)).isoformat()})

    def body(text: str) -> list[list[str]]:
        return list(csv.reader(io.StringIO(text)))[1:]

    assert len(body(everything)) == 5006
    gate_rows = body(at_gate)
    assert len(gate_rows) == 5003 and gate_rows[0][0] > gate_rows[-1][0]  # newest first
    assert len({r[0] for r in gate_rows}) == 5003  # every scan once
    assert [r[6] for r in body(invalid)] == ["INVALID"] * 3
    assert len(body(late)) == 3


async def test_an_export_of_nothing_is_the_header_alone(checkin):
    event = await checkin.seed_event()
    _, text = await _exported(checkin, {"eventId": event.id})
    assert text == ",".join(f'"{h}"' for h in HEADER) + "\n"
