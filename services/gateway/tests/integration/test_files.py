"""Uploads and downloads through the gateway: the file goes to the object store, only its reference on the bus.

The registration contracts CREATE_IMPORT (upload) and DOWNLOAD_BULK_FILE (download) are answered by a fake
registration on the real bus; the files bucket is the real one.
"""

import hashlib
from datetime import UTC, datetime
from typing import Any

import pytest
from nats.js.errors import NotFoundError

from plenary_contracts.catalog import registration
from plenary_contracts.enums import BulkOperationStatus, BulkOperationType
from plenary_contracts.errors import Conflict, FieldError, ValidationFailed
from plenary_contracts.files import StoredFile
from plenary_contracts.flags import FlagContext, FlagKey
from plenary_contracts.streams import FILES_BUCKET
from plenary_kit.files import put_file, read_file
from plenary_kit.testing.plugin import eventually

from .app_harness import TENANT, Edge, problem, put_flag

pytestmark = pytest.mark.integration

LIMIT = 2 * 1_048_576  # above the 1 MiB limit of every other body
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
IMPORTS = "/api/v1/events/e1/imports"
GRANT = "bulk-operations:execute;any;TENANT;"


@pytest.fixture
def max_upload_bytes() -> int:
    return LIMIT


class FakeRegistration:
    """Takes imports (refusing one described "refuse") and names the file each bulk operation has."""

    def __init__(self) -> None:
        self.files: dict[str, dict[str, Any]] = {}
        self.busy = 0  # imports to answer "try again" first

    def create_import(self, body: dict[str, Any]) -> dict[str, Any]:
        if body.get("description") == "refuse":
            raise ValidationFailed("no usable column", errors=[FieldError(loc=["file"], msg="no columns", type="x")])
        if self.busy:
            self.busy -= 1
            raise Conflict("another import of this event is being read")
        now = datetime(2026, 3, 1, tzinfo=UTC)
        return registration.BulkOperation(
            id="op1", tenant_id=TENANT, event_id=body["eventId"], type=BulkOperationType.IMPORT_PARTICIPANTS,
            status=BulkOperationStatus.VALIDATING, description=body.get("description") or "",
            file_name=body["file"]["fileName"], total_items=0, processed_items=0, success_count=0, failure_count=0,
            created_by="u1", created_at=now, updated_at=now,
        ).model_dump(mode="json")  # fmt: skip

    def download(self, body: dict[str, Any]) -> dict[str, Any]:
        return self.files[body["id"]]


@pytest.fixture
async def files(edge: Edge) -> FakeRegistration:
    fake = FakeRegistration()
    await edge.services.answer(registration.CREATE_IMPORT, fake.create_import)
    await edge.services.answer(registration.DOWNLOAD_BULK_FILE, fake.download)
    await put_flag(edge.nc, FlagKey.BULK_OPERATIONS.value, enabled_for_tenants=[TENANT], enabled_for_users=["admin"])
    on = FlagContext(tenant_id=TENANT)
    await eventually(lambda: edge.runtime.flags.is_enabled(FlagKey.BULK_OPERATIONS, on))
    return fake


def _auth(edge: Edge, **token: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {edge.tokens.issue(grants=(GRANT,), **token)}"}


async def _live_keys(edge: Edge) -> list[str]:
    store = await edge.nc.jetstream().object_store(FILES_BUCKET.name)
    try:
        entries = await store.list(ignore_deletes=True)
    except NotFoundError:
        return []
    return sorted(entry.name for entry in entries if not entry.deleted)


def _passed_file(edge: Edge, index: int = -1) -> StoredFile:
    return StoredFile.model_validate(edge.services.calls_to(registration.CREATE_IMPORT)[index].body["file"])


async def test_a_raw_upload_is_stored_in_the_tenants_files_and_passed_to_the_service_by_reference(edge, files):
    data = b"firstName,lastName\r\n" + b"Ada,Lovelace\r\n" * 100_000  # 1.4 MB: more than a JSON body may be
    response = await edge.client.post(
        f"{IMPORTS}?fileName=people.csv&description=March",
        content=data,
        headers=_auth(edge) | {"Content-Type": "text/csv"},
    )
    assert response.status_code == 201, response.text
    assert response.json()["data"]["fileName"] == "people.csv"
    (call,) = edge.services.calls_to(registration.CREATE_IMPORT)
    assert (call.body["eventId"], call.body["description"]) == ("e1", "March")
    file = _passed_file(edge)
    assert file.key.startswith(f"{TENANT}/uploads/") and file.key.endswith("/people.csv")
    assert (file.file_name, file.content_type, file.size) == ("people.csv", "text/csv", len(data))
    assert file.sha256 == hashlib.sha256(data).hexdigest()
    assert len(call.body["file"]) < 1000  # a reference, not the content
    assert await read_file(edge.nc.jetstream(), file.key) == data


async def test_a_multipart_upload_stores_its_file_part_under_its_own_name(edge, files):
    data = bytes(range(256)) * 40
    response = await edge.client.post(
        IMPORTS, files={"file": ("Übersicht.xlsx", data, XLSX)}, data={"ignored": "x"}, headers=_auth(edge)
    )
    assert response.status_code == 201, response.text
    file = _passed_file(edge)
    assert (file.file_name, file.content_type) == ("Übersicht.xlsx", XLSX)
    assert await read_file(edge.nc.jetstream(), file.key) == data


async def test_too_large_empty_or_malformed_uploads_are_refused_and_nothing_is_stored(edge, files):
    headers = _auth(edge)
    too_large = await edge.client.post(IMPORTS, content=b"x" * (LIMIT + 1), headers=headers)
    problem(too_large, 413, "PAYLOAD_TOO_LARGE")

    async def chunks():  # no Content-Length: the limit holds while reading
        for _ in range(3):
            yield b"x" * (LIMIT // 2)

    problem(await edge.client.post(IMPORTS, content=chunks(), headers=headers), 413, "PAYLOAD_TOO_LARGE")
    empty = problem(await edge.client.post(IMPORTS, content=b"", headers=headers), 422, "VALIDATION_ERROR")
    assert [e["loc"] for e in empty["errors"]] == [["body", "file"]]
    form = {"Content-Type": "multipart/form-data; boundary=xyz"}
    problem(await edge.client.post(IMPORTS, content=b"--xyz\r\nbroken", headers=headers | form), 400, "BAD_REQUEST")
    bad_query = await edge.client.post(f"{IMPORTS}?description=", content=b"a", headers=headers)
    assert [e["loc"] for e in problem(bad_query, 422, "VALIDATION_ERROR")["errors"]] == [["query", "description"]]
    assert not edge.services.calls_to(registration.CREATE_IMPORT)
    assert await _live_keys(edge) == []


async def test_a_disabled_flag_answers_before_anything_is_stored_and_a_file_needs_a_tenant(edge, files):
    elsewhere = await edge.client.post(IMPORTS, content=b"a,b", headers=_auth(edge, sub="u2", tid="tenant2"))
    problem(elsewhere, 404, "FEATURE_DISABLED")
    admin = _auth(edge, sub="admin", tid=None)
    problem(await edge.client.post(IMPORTS, content=b"a,b", headers=admin), 400, "BAD_REQUEST")
    assert await _live_keys(edge) == []
    acting = await edge.client.post(IMPORTS, content=b"a,b", headers=admin | {"X-Tenant-Id": TENANT})
    assert acting.status_code == 201 and _passed_file(edge).key.startswith(f"{TENANT}/")


async def test_an_upload_the_service_refuses_is_deleted_again(edge, files):
    refused = await edge.client.post(f"{IMPORTS}?description=refuse", content=b"a;b", headers=_auth(edge))
    problem(refused, 422, "VALIDATION_ERROR")
    assert len(edge.services.calls_to(registration.CREATE_IMPORT)) == 1
    assert await _live_keys(edge) == []


async def test_a_retried_upload_is_replayed_even_in_a_new_form_and_another_file_under_the_key_refused(edge, files):
    headers = _auth(edge) | {"Idempotency-Key": "import-1"}
    first = await edge.client.post(IMPORTS, files={"file": ("a.csv", b"a,b\n", "text/csv")}, headers=headers)
    again = await edge.client.post(IMPORTS, files={"file": ("a.csv", b"a,b\n", "text/csv")}, headers=headers)
    assert first.status_code == 201, first.text
    assert (again.status_code, again.json(), again.headers["Idempotent-Replayed"]) == (201, first.json(), "true")
    assert len(edge.services.calls_to(registration.CREATE_IMPORT)) == 1
    other = await edge.client.post(IMPORTS, files={"file": ("a.csv", b"c,d\n", "text/csv")}, headers=headers)
    problem(other, 422, "IDEMPOTENCY_KEY_REUSED")
    assert await _live_keys(edge) == [_passed_file(edge).key]


async def test_a_retry_after_a_try_again_answer_passes_the_service_the_same_file(edge, files):
    files.busy = 1
    headers = _auth(edge) | {"Idempotency-Key": "import-2", "Content-Type": "text/csv"}
    problem(await edge.client.post(IMPORTS, content=b"a,b\n", headers=headers), 409, "CONFLICT")
    assert (await edge.client.post(IMPORTS, content=b"a,b\n", headers=headers)).status_code == 201
    first, retried = (_passed_file(edge, i) for i in (0, 1))
    assert first == retried  # so the service's own idempotency sees the same request
    assert await _live_keys(edge) == [retried.key]


async def test_a_download_sends_the_tenants_file_with_its_name_type_length_and_version(edge, files):
    data = "Vorname;Name\r\nÜlkü;Ağaoğlu\r\n".encode("utf-8-sig")
    stored = await put_file(edge.nc.jetstream(), TENANT, "exports", "Teilnehmer März.csv", "text/csv", data)
    files.files["op1"] = stored.model_dump(mode="json")
    response = await edge.client.get("/api/v1/bulk-operations/op1/file", headers=_auth(edge))
    assert response.status_code == 200, response.text
    assert response.content == data
    assert response.headers["Content-Type"] == "text/csv"
    assert response.headers["Content-Length"] == str(len(data))
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=\"Teilnehmer Marz.csv\"; filename*=UTF-8''Teilnehmer%20M%C3%A4rz.csv"
    )
    assert response.headers["ETag"] == f'"{stored.sha256}"'
    assert response.headers["X-Correlation-Id"]
    cached = await edge.client.get(
        "/api/v1/bulk-operations/op1/file", headers=_auth(edge) | {"If-None-Match": response.headers["ETag"]}
    )
    assert (cached.status_code, cached.content, cached.headers["ETag"]) == (304, b"", response.headers["ETag"])


async def test_another_tenants_file_or_one_no_longer_stored_is_404(edge, files):
    foreign = await put_file(edge.nc.jetstream(), "tenant2", "exports", "theirs.csv", "text/csv", b"secret")
    files.files["theirs"] = foreign.model_dump(mode="json")
    gone = StoredFile(key=f"{TENANT}/exports/{'0' * 32}/gone.csv", file_name="gone", content_type="text/csv", size=1)
    files.files["gone"] = gone.model_dump(mode="json")
    for operation in ("theirs", "gone"):
        response = await edge.client.get(f"/api/v1/bulk-operations/{operation}/file", headers=_auth(edge))
        assert b"secret" not in response.content
        problem(response, 404, "NOT_FOUND")
