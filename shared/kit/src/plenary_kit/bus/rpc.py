"""Request/reply: serve a command or query contract, and call one.

The server side validates the request against the contract, checks the gating flag, runs the
handler inside a unit of work (a query's only reads, outside any transaction), stores an idempotent
command's reply in the same transaction, and turns every failure into an error reply: a bad request
never takes the service down. A body that nests deeper than ``json_depth.MAX_JSON_DEPTH`` is refused
before it is parsed.
"""

import hashlib
import time
from collections.abc import Awaitable, Callable
from typing import Any

import sqlalchemy as sa
from nats.aio.client import Client
from nats.errors import NoRespondersError
from nats.errors import TimeoutError as NatsTimeout
from pydantic import BaseModel, ValidationError
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import IntegrityError

from plenary_contracts import operations as ops
from plenary_contracts.errors import (
    Conflict,
    ErrorBody,
    ErrorCode,
    FeatureDisabled,
    FieldError,
    IdempotencyKeyReused,
    NotFound,
    PlenaryError,
    ServiceUnavailable,
    Timeout,
    ValidationFailed,
)
from plenary_contracts.flags import FlagContext
from plenary_contracts.operations import OperationKind, OperationSpec, Reply

from .. import context as ctx
from ..db.uow import UnitOfWork
from ..json_depth import check_json_depth
from ..logging import bound, get_logger
from ..metrics import HANDLER_SECONDS

log = get_logger(__name__)

Handler = Callable[[Any, UnitOfWork], Awaitable[BaseModel]]
_JSON_NUL = b"\\u0000"  # PostgreSQL text cannot hold it: refuse it as bad input, not a server error


def context_from_headers(headers: dict[str, str] | None) -> ctx.Context:
    headers = headers or {}
    roles = headers.get(ops.ROLES, "")
    return ctx.Context(
        tenant_id=headers.get(ops.TENANT) or None,
        actor_id=headers.get(ops.ACTOR) or None,
        roles=tuple(r for r in roles.split(",") if r),
        correlation_id=headers.get(ops.CORRELATION_ID) or None,
        idempotency_key=headers.get(ops.IDEMPOTENCY_KEY) or None,
        grants=headers.get(ops.GRANTS) or None,
        credential=headers.get(ops.CREDENTIAL) or None,
        client_ip=headers.get(ops.CLIENT_IP) or None,
        user_agent=headers.get(ops.USER_AGENT) or None,
        if_match=headers.get(ops.IF_MATCH) or None,
    )


def headers_from_context(context: ctx.Context) -> dict[str, str]:
    headers = {
        ops.TENANT: context.tenant_id,
        ops.ACTOR: context.actor_id,
        ops.ROLES: ",".join(context.roles) or None,
        ops.CORRELATION_ID: context.correlation_id,
        ops.IDEMPOTENCY_KEY: context.idempotency_key,
        ops.GRANTS: context.grants,
        ops.CREDENTIAL: context.credential,
        ops.CLIENT_IP: context.client_ip,
        ops.USER_AGENT: context.user_agent,
        ops.IF_MATCH: context.if_match,
    }
    return {k: v for k, v in headers.items() if v}


def validation_errors(error: ValidationError) -> list[FieldError]:
    return [FieldError(loc=list(e["loc"]), msg=e["msg"], type=e["type"]) for e in error.errors()]


def error_reply(error: PlenaryError) -> bytes:
    return Reply(ok=False, error=error.to_body()).model_dump_json().encode()


_OK_HEAD = b'{"ok":true,"data":'
_OK_TAIL = b',"error":null}'


def ok_reply(data: BaseModel) -> bytes:
    """``Reply(ok=True, data=...)`` on the wire, the data serialised once, straight to bytes."""
    return _OK_HEAD + data.__pydantic_serializer__.to_json(data) + _OK_TAIL


def ok_data(raw: bytes) -> bytes | None:
    """The data of a reply written as ``ok_reply`` writes it, cut out without parsing the rest; None for
    any other reply (an error, or a shape this side does not expect), which is then read in full."""
    if raw.startswith(_OK_HEAD) and raw.endswith(_OK_TAIL):
        return raw[len(_OK_HEAD) : -len(_OK_TAIL)]
    return None


class OperationServer:
    def __init__(
        self,
        spec: OperationSpec,
        handler: Handler,
        new_uow: Callable[[], UnitOfWork],
        flag_enabled: Callable[[str, FlagContext], bool],
    ) -> None:
        self.spec = spec
        self.handler = handler
        self.new_uow = new_uow
        self.flag_enabled = flag_enabled

    async def __call__(self, headers: dict[str, str] | None, body: bytes) -> bytes:
        started = time.perf_counter()
        outcome = "error"
        context = context_from_headers(headers)
        token = ctx.use(context)
        try:
            with bound(operation=self.spec.subject, tenant=context.tenant_id, correlation_id=context.correlation_id):
                reply = await self._handle(context, body)
            outcome = "ok"
            return reply
        except PlenaryError as error:
            return error_reply(error)
        except IntegrityError as error:
            return error_reply(_integrity_error(error))
        except Exception:
            log.exception("operation failed")
            return error_reply(PlenaryError("internal error"))
        finally:
            ctx.reset(token)
            HANDLER_SECONDS.labels(self.spec.subject, outcome).observe(time.perf_counter() - started)

    async def _handle(self, context: ctx.Context, body: bytes) -> bytes:
        check_json_depth(body or b"")
        if _JSON_NUL in (body or b""):
            raise ValidationFailed(
                "text may not contain NUL characters",
                errors=[FieldError(loc=[], msg="NUL (\\u0000) is not allowed in text", type="string_nul")],
            )
        try:
            request = self.spec.request.model_validate_json(body or b"{}")
        except ValidationError as error:
            raise ValidationFailed("request failed validation", errors=validation_errors(error)) from error
        if self.spec.flag is not None and not self.flag_enabled(
            self.spec.flag,
            FlagContext(tenant_id=context.tenant_id, roles=context.roles, user_id=context.actor_id),
        ):
            raise FeatureDisabled(f"{self.spec.flag.value} is off")
        if self.spec.kind is OperationKind.QUERY:
            async with self.new_uow().for_reading() as reading:
                return ok_reply(await self.handler(request, reading))
        idempotent = context.idempotency_key is not None
        request_hash = hashlib.sha256(body or b"").hexdigest()
        async with self.new_uow() as uow:
            if idempotent:
                await _wait_for_same_key(uow, self.spec.subject, context)
                stored = await _stored_reply(uow, self.spec.subject, context, request_hash)
                if stored is not None:
                    return stored
            reply = ok_reply(await self.handler(request, uow))
            if idempotent and not await _store_reply(uow, self.spec, context, request_hash, reply):
                await uow.rollback()
                async with self.new_uow() as again:
                    stored = await _stored_reply(again, self.spec.subject, context, request_hash)
                assert stored is not None
                return stored
            await uow.commit()
            return reply


def _integrity_error(error: IntegrityError) -> PlenaryError:
    """A constraint the handler did not check first is still the caller's mistake, not a server error."""
    sqlstate = getattr(error.orig, "sqlstate", None)
    if sqlstate == "23503":
        return NotFound("a resource this request refers to does not exist")
    if sqlstate == "23505":
        return Conflict("a resource with these values already exists")
    log.exception("constraint violation")
    return ValidationFailed("the request breaks a rule of the data")


async def _wait_for_same_key(uow: UnitOfWork, operation: str, context: ctx.Context) -> None:
    """Hold a lock of the key to the end of this transaction, so a repeat that arrives while the first
    request still runs (its caller gave up waiting: a 504 at the gateway) waits for it, then finds its
    stored reply and replays it instead of running the command a second time."""
    key = f"idempotency:{context.tenant_id or ''}:{operation}:{context.idempotency_key}"
    await uow.session.execute(sa.select(sa.func.pg_advisory_xact_lock(sa.func.hashtextextended(key, 0))))


async def _stored_reply(uow: UnitOfWork, operation: str, context: ctx.Context, request_hash: str) -> bytes | None:
    table = uow.tables.idempotency
    row = (
        await uow.session.execute(
            sa.select(table.c.request_hash, table.c.reply).where(
                table.c.tenant_id == (context.tenant_id or ""),
                table.c.operation == operation,
                table.c.key == context.idempotency_key,
            )
        )
    ).first()
    if row is None:
        return None
    if row.request_hash != request_hash:
        raise IdempotencyKeyReused("Idempotency-Key was already used with a different request")
    return Reply.model_validate(row.reply).model_dump_json().encode()


async def _store_reply(
    uow: UnitOfWork, spec: OperationSpec, context: ctx.Context, request_hash: str, reply: bytes
) -> bool:
    """Keep the reply for a retry with the same key; a secret the reply shows once is kept as a marker only."""
    table = uow.tables.idempotency
    stored = Reply.model_validate_json(reply).model_dump(mode="json")
    for name in spec.shown_once:
        if isinstance(stored.get("data"), dict) and name in stored["data"]:
            stored["data"][name] = ops.SHOWN_ONCE
    result = await uow.session.execute(
        insert(table)
        .values(
            tenant_id=context.tenant_id or "",
            operation=spec.subject,
            key=context.idempotency_key,
            request_hash=request_hash,
            reply=stored,
        )
        .on_conflict_do_nothing()
        .returning(table.c.key)
    )
    return result.first() is not None


async def call(
    nc: Client,
    spec: OperationSpec,
    request: BaseModel | dict[str, Any],
    *,
    context: ctx.Context | None = None,
    timeout: float | None = None,
) -> Any:
    """Send a command or query; returns the reply model, raises the typed error the service sent.

    Only the fields the caller set travel: a partial update must tell "left out" from "set to null".
    """
    model = request if isinstance(request, BaseModel) else spec.request.model_validate(request)
    body = model.model_dump_json(exclude_unset=True)
    try:
        msg = await nc.request(
            spec.subject,
            body.encode(),
            timeout=timeout or spec.timeout_seconds,
            headers=headers_from_context(context or ctx.current()),
        )
    except NoRespondersError as error:
        raise ServiceUnavailable(f"no {spec.service} service is answering") from error
    except (NatsTimeout, TimeoutError) as error:
        raise Timeout(f"{spec.service} did not answer {spec.name} in time") from error
    data = ok_data(msg.data)
    if data is not None:  # the data read once, straight into the reply model
        return spec.reply.model_validate_json(data)
    try:
        reply = Reply.model_validate_json(msg.data)
    except ValidationError as error:
        raise PlenaryError(f"{spec.service} sent a reply to {spec.name} that could not be read") from error
    if not reply.ok:
        raise PlenaryError.from_body(reply.error or ErrorBody(code=ErrorCode.INTERNAL_ERROR, message="", status=500))
    return spec.reply.model_validate(reply.data)


async def find(nc: Client, spec: OperationSpec, request: BaseModel, *, tenant_id: str) -> Any | None:
    """Ask the service that owns an object for it in ``tenant_id``, as the current caller; None when that
    service does not know it there. How a service checks an id of another service's object it is given."""
    caller = ctx.current()
    asked = ctx.Context(tenant_id=tenant_id, actor_id=caller.actor_id, correlation_id=caller.correlation_id)
    try:
        return await call(nc, spec, request, context=asked)
    except NotFound:
        return None
