"""Providers' signed reports: a message DELIVERED to its person, or BOUNCED. The delivery's broadcast is
locked before the delivery, as the delivery job does, and its counters move with the delivery."""

from datetime import UTC, datetime

from plenary_contracts.catalog import comms as contract
from plenary_contracts.enums import MessageStatus
from plenary_contracts.errors import BadRequest, NotFound
from plenary_kit.db import UnitOfWork

from ..adapters import broadcast_repository as broadcasts
from ..adapters import delivery_repository as deliveries
from ..domain.reports import genuine, move


class Reports:
    def __init__(self, secret: str) -> None:
        self.secret = secret

    async def provider_report(self, request: contract.ProviderReport, uow: UnitOfWork) -> contract.ReportOutcome:
        if not genuine(self.secret, request.delivery_id, request.status, request.timestamp, request.signature):
            raise BadRequest("the report's signature does not match")
        found = await deliveries.find(uow.session, request.delivery_id)
        if found is None:
            raise NotFound(f"delivery {request.delivery_id} not found")
        if found.broadcast_id is not None:
            await broadcasts.lock_many(uow.session, {found.broadcast_id})
        current = await deliveries.find(uow.session, request.delivery_id, for_update=True)
        if current is None:
            raise NotFound(f"delivery {request.delivery_id} not found")
        reported = MessageStatus(request.status)
        change = move(current.status, reported)
        if change is None:
            return contract.ReportOutcome(delivery_id=current.id, status=current.status, changed=False)
        at = datetime.fromtimestamp(request.timestamp, UTC)
        await deliveries.mark_reported(uow.session, current.id, reported, at, request.reason)
        if current.broadcast_id is not None:
            await broadcasts.add_reported(
                uow.session, current.broadcast_id, delivered=change.delivered, bounced=change.bounced
            )
        return contract.ReportOutcome(delivery_id=current.id, status=reported, changed=True)
