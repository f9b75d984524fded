"""Subscriptions: create (the secret returned once), read, change, pause and resume, delete, rotate, test.

A URL must be https (unless the deployment allows http) and resolve to public addresses only (or the
deployment's allowed networks); it is checked here and again at every connection. A tenant holds at most 50
subscriptions of at most 20 event types each. Leaving ACTIVE parks a subscription's waiting deliveries;
resuming clears failures, breaker and trips and sends them.
"""

import os
import uuid
from collections.abc import Callable
from datetime import timedelta

from plenary_contracts.catalog import webhooks as contract
from plenary_contracts.enums import DeliveryStatus, WebhookStatus
from plenary_contracts.errors import Conflict, NotFound
from plenary_kit.acting import actor, field_error, refuse, tenant, utcnow
from plenary_kit.db import UnitOfWork
from plenary_kit.ids import new_id
from plenary_kit.outbound import OutboundClient
from plenary_kit.sealing import Sealer

from ..adapters import delivery_repository as deliveries
from ..adapters import subscription_repository as subscriptions
from ..adapters.delivery_repository import Due
from ..adapters.subscription_repository import StoredSubscription
from ..domain import catalog, signing
from ..domain import subscriptions as rules
from .sending import Sender, response_text

TEST_MESSAGE = "This is a test webhook from Plenary."


class Subscriptions:
    def __init__(
        self,
        client: OutboundClient,
        sealer: Sealer,
        sender: Sender,
        default_schedule: list[int],
        random: Callable[[int], bytes] = os.urandom,
    ) -> None:
        self.client = client
        self.sealer = sealer
        self.sender = sender
        self.default_schedule = default_schedule
        self.random = random

    async def _check(self, url: str | None, events: list[str] | None) -> None:
        errors = []
        if events is not None:
            unknown = catalog.unknown_types(events)
            if unknown:
                errors.append(field_error(["body", "events"], f"Invalid event types: {', '.join(unknown)}"))
        if url is not None:
            problem = await self.client.destination_problem(url)
            if problem is not None:
                errors.append(field_error(["body", "url"], problem))
        refuse("the subscription cannot be saved", errors)

    async def create(self, request: contract.CreateSubscription, uow: UnitOfWork) -> contract.CreatedSubscription:
        tenant_id = tenant()
        await self._check(request.url, request.events)
        if await subscriptions.count(uow.session, tenant_id) >= contract.MAX_SUBSCRIPTIONS:
            raise Conflict(f"a tenant holds at most {contract.MAX_SUBSCRIPTIONS} webhook subscriptions")
        secret = signing.new_secret(self.random(signing.SECRET_BYTES))
        schedule = self.default_schedule if request.retry_schedule is None else request.retry_schedule
        created = await subscriptions.insert(
            uow.session,
            {
                "id": new_id(),
                "tenant_id": tenant_id,
                "url": request.url,
                "description": request.description,
                "events": _unique(request.events),
                "secret": self.sealer.seal(secret),
                "version": request.version,
                "headers": request.headers,
                "timeout_ms": request.timeout_ms,
                "retry_backoff_ms": [s * 1000 for s in schedule],
                "max_retries": len(schedule),
                "created_by": actor(),
            },
        )
        uow.publish(contract.SUBSCRIPTION_CREATED, contract.SubscriptionChanged(subscription=created.model()))
        return contract.CreatedSubscription(subscription=created.model(), secret=secret)

    async def list_subscriptions(
        self, request: contract.ListSubscriptions, uow: UnitOfWork
    ) -> contract.SubscriptionPage:
        _, found = await subscriptions.page(uow.session, tenant(), request)
        return found

    async def get(self, request: contract.SubscriptionRef, uow: UnitOfWork) -> contract.WebhookSubscription:
        return (await _found(uow, request.id)).model()

    async def update(self, request: contract.UpdateSubscription, uow: UnitOfWork) -> contract.WebhookSubscription:
        current = await _found(uow, request.id, for_update=True)
        problem = rules.update_problem(current.status)
        if problem:
            raise Conflict(problem)
        await self._check(request.url, request.events)
        values = {
            name: value
            for name, value in {
                "url": request.url,
                "description": request.description,
                "events": _unique(request.events) if request.events is not None else None,
                "version": request.version,
                "headers": request.headers,
                "timeout_ms": request.timeout_ms,
            }.items()
            if name in request.model_fields_set
        }
        if "retry_schedule" in request.model_fields_set:
            schedule = self.default_schedule if request.retry_schedule is None else request.retry_schedule
            values |= {"retry_backoff_ms": [s * 1000 for s in schedule], "max_retries": len(schedule)}
        if not values:
            return current.model()
        return await _changed(uow, current.id, values)

    async def delete(self, request: contract.SubscriptionRef, uow: UnitOfWork) -> contract.SubscriptionRef:
        current = await _found(uow, request.id, for_update=True)
        await subscriptions.delete(uow.session, current.id)
        uow.publish(
            contract.SUBSCRIPTION_DELETED,
            contract.SubscriptionDeleted(id=current.id, tenant_id=current.tenant_id),
            subject=current.id,
        )
        return contract.SubscriptionRef(id=current.id)

    async def pause(self, request: contract.SubscriptionRef, uow: UnitOfWork) -> contract.WebhookSubscription:
        current = await _found(uow, request.id, for_update=True)
        problem = rules.pause_problem(current.status)
        if problem:
            raise Conflict(problem)
        await deliveries.defer_subscription(uow.session, current.id, "infinity")
        return await _changed(uow, current.id, {"status": WebhookStatus.PAUSED})

    async def resume(self, request: contract.SubscriptionRef, uow: UnitOfWork) -> contract.WebhookSubscription:
        current = await _found(uow, request.id, for_update=True)
        problem = rules.resume_problem(current.status)
        if problem:
            raise Conflict(problem)
        values = subscriptions.breaker_values(failures=0, open_=False, reset_at=None, trips=0)
        await deliveries.unpark(uow.session, current.id)
        return await _changed(uow, current.id, {**values, "status": WebhookStatus.ACTIVE})

    async def rotate(self, request: contract.SubscriptionRef, uow: UnitOfWork) -> contract.RotatedSecret:
        current = await _found(uow, request.id, for_update=True)
        secret = signing.new_secret(self.random(signing.SECRET_BYTES))
        values = {
            "secret": self.sealer.seal(secret),
            "previous_secret": current.secret,
            "previous_secret_expires_at": utcnow() + timedelta(hours=contract.ROTATION_OVERLAP_HOURS),
        }
        saved = await _changed(uow, current.id, values)
        return contract.RotatedSecret(subscription=saved, secret=secret)

    async def test(self, request: contract.SubscriptionRef, uow: UnitOfWork) -> contract.TestResult:
        """One ``test.ping`` attempt now, whatever the subscription's status and breaker; logged, never retried."""
        current = await _found(uow, request.id)
        now = utcnow()
        event_id = uuid.uuid4()
        data = {"message": TEST_MESSAGE, "timestamp": now.isoformat().replace("+00:00", "Z")}
        due = _test_due(current, new_id(), event_id, data, now)
        sent = await self.sender.send(due)
        await deliveries.insert_test(
            uow.session,
            {
                "id": due.id,
                "tenant_id": current.tenant_id,
                "subscription_id": current.id,
                "event_type": catalog.TEST_PING,
                "event_id": event_id,
                "payload": data,
                "status": DeliveryStatus.PENDING,
                "max_attempts": 1,
                "occurred_at": now,
            },
        )
        outcome = sent.outcome
        status = DeliveryStatus.DELIVERED if outcome.ok else DeliveryStatus.FAILED
        error_type = None
        if not outcome.ok:
            error_type = "NETWORK_ERROR" if outcome.status_code is None else "HTTP_ERROR"
        message = (
            outcome.error if outcome.status_code is None else (None if outcome.ok else f"HTTP {outcome.status_code}")
        )
        await deliveries.record(
            uow.session,
            [
                deliveries.Result(
                    id=due.id,
                    attempt=1,
                    tenant_id=current.tenant_id,
                    attempted_at=sent.attempted_at,
                    status=status,
                    next_retry_at=None,
                    response_code=outcome.status_code,
                    response_body=response_text(sent.response),
                    response_headers=sent.response.headers if sent.response else None,
                    latency_ms=outcome.latency_ms,
                    error_type=error_type,
                    error_message=message,
                )
            ],
        )
        return contract.TestResult(
            delivery_id=due.id,
            event_id=str(event_id),
            success=outcome.ok,
            response_code=outcome.status_code,
            response_body=response_text(sent.response),
            latency_ms=outcome.latency_ms,
            error_type=error_type,
            error_message=message,
        )


def _unique(types: list[str] | None) -> list[str] | None:
    return None if types is None else list(dict.fromkeys(types))


async def _found(uow: UnitOfWork, subscription_id: str, *, for_update: bool = False) -> StoredSubscription:
    found = await subscriptions.get(uow.session, tenant(), subscription_id, for_update=for_update)
    if found is None:
        raise NotFound(f"webhook subscription {subscription_id} not found")
    return found


async def _changed(uow: UnitOfWork, subscription_id: str, values: dict) -> contract.WebhookSubscription:
    saved = (await subscriptions.update(uow.session, subscription_id, values)).model()
    uow.publish(contract.SUBSCRIPTION_UPDATED, contract.SubscriptionChanged(subscription=saved), subject=saved.id)
    return saved


def _test_due(subscription: StoredSubscription, delivery_id: str, event_id: uuid.UUID, data: dict, now) -> Due:
    return Due(
        id=delivery_id,
        tenant_id=subscription.tenant_id,
        subscription_id=subscription.id,
        event_type=catalog.TEST_PING,
        event_id=event_id,
        payload=data,
        occurred_at=now,
        attempts=0,
        max_attempts=1,
        url=subscription.url,
        version=subscription.version,
        secret=subscription.secret,
        previous_secret=subscription.previous_secret,
        previous_secret_expires_at=subscription.previous_secret_expires_at,
        headers=subscription.headers,
        timeout_ms=subscription.timeout_ms,
        retry_backoff_ms=[],
        circuit_breaker_open=False,
        circuit_breaker_reset_at=None,
    )
