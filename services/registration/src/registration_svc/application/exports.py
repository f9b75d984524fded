"""Exporting an event's participants to CSV behind a download link.

Rows stream from the database in batches (a server-side cursor), so a 100k-participant export never
holds them all as objects; the file goes to the files bucket and an EXPORT_PARTICIPANTS operation,
COMPLETED at once, names it.
"""

import io
from collections.abc import Callable
from typing import Any

from nats.js import JetStreamContext

from plenary_contracts.catalog import registration as contract
from plenary_contracts.enums import BulkOperationStatus, BulkOperationType
from plenary_contracts.errors import ValidationFailed
from plenary_kit.acting import actor, field_error, tenant, utcnow
from plenary_kit.db import UnitOfWork
from plenary_kit.files import put_file
from plenary_kit.ids import new_id

from ..adapters import bulk_repository as bulk
from ..domain import export_csv
from .directory import EventDirectory
from .imports import publish, reloaded

CONTENT_TYPE = "text/csv; charset=utf-8"
BATCH = 2000


class Exports:
    def __init__(self, directory: EventDirectory, jetstream: Callable[[], JetStreamContext]) -> None:
        self.directory = directory
        self.jetstream = jetstream

    async def export_participants(
        self, request: contract.ExportParticipants, uow: UnitOfWork
    ) -> contract.BulkOperation:
        tenant_id = tenant()
        schema = await self.directory.schema(uow, tenant_id, request.event_id)
        try:
            chosen = export_csv.columns([(f.name, f.label) for f in schema.field_definitions], request.fields)
        except export_csv.UnknownFields as error:
            problem = f"{', '.join(error.unknown)} unknown; export any of {', '.join(error.known)}"
            raise ValidationFailed("unknown export fields", errors=[field_error(["fields"], problem)]) from None
        type_names = {t.id: t.name for t in schema.participant_types}
        started = utcnow()
        out = io.BytesIO()
        out.write((export_csv.BOM + export_csv.encode([export_csv.header(chosen)])).encode())
        count = 0
        batches = bulk.exported_participants(
            uow.session,
            tenant_id,
            request.event_id,
            batch=BATCH,
            status=request.status,
            participant_type_id=request.participant_type_id,
            created_from=request.created_from,
            created_to=request.created_to,
        )
        async for rows in batches:
            lines = [export_csv.row(chosen, _fixed(r, type_names), r.extras or {}) for r in rows]
            out.write(export_csv.encode(lines).encode())
            count += len(lines)
        name = f"participants-{request.event_id}-{started:%Y%m%dT%H%M%SZ}.csv"
        stored = await put_file(self.jetstream(), tenant_id, "exports", name, CONTENT_TYPE, out.getvalue())
        operation_id = new_id()
        await bulk.insert(
            uow.session,
            id=operation_id,
            tenant_id=tenant_id,
            event_id=request.event_id,
            type=BulkOperationType.EXPORT_PARTICIPANTS,
            status=BulkOperationStatus.COMPLETED,
            description=f"Export of {count} participants",
            filters=request.model_dump(mode="json", exclude={"event_id"}, exclude_none=True),
            total_items=count,
            processed_items=count,
            success_count=count,
            output_file=stored.model_dump(mode="json"),
            started_at=started,
            completed_at=utcnow(),
            created_by=actor(),
        )
        return publish(uow, contract.BULK_OPERATION_COMPLETED, await reloaded(uow, operation_id))


def _fixed(r: bulk.ExportedParticipant, type_names: dict[str, str]) -> dict[str, Any]:
    """The fixed columns' values of an exported participant."""
    return {
        "firstName": r.first_name,
        "lastName": r.last_name,
        "email": r.email,
        "organization": r.organization,
        "jobTitle": r.job_title,
        "nationality": r.nationality,
        "registrationCode": r.registration_code,
        "status": r.status.value if r.status is not None else None,
        "participantType": type_names.get(r.participant_type_id, ""),
        "createdAt": r.created_at,
    }
