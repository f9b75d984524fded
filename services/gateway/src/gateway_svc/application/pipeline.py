"""The gateway's request pipeline: an HTTP request for one contract, checked step by step, becomes a
bus call; the reply becomes the HTTP response.

Order: client address, credential, rate limit, permission, event scope, tenant, feature flag,
validation, idempotency, the call, the reply. An upload route's file is read and described at
validation, stored just before the call (so nothing is kept for a request refused earlier) and
dropped if the service refuses it; a download route's reply names a file the response carries.
"""

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from nats.aio.client import Client
from nats.errors import Error as NatsError
from pydantic import BaseModel

from plenary_contracts.access import (
    Grant,
    authorize,
    encode_grants,
    etag_of,
    if_match_holds,
    key_permits,
    requests_per_minute,
)
from plenary_contracts.credentials import API_KEY_HEADER
from plenary_contracts.enums import PermissionAccess, RoleScope
from plenary_contracts.errors import (
    BadRequest,
    ErrorCode,
    FeatureDisabled,
    FieldError,
    Forbidden,
    NotFound,
    PlenaryError,
    ServiceUnavailable,
    Timeout,
    ValidationFailed,
)
from plenary_contracts.files import StoredFile
from plenary_contracts.flags import FlagContext, FlagKey
from plenary_contracts.listing import sparse
from plenary_contracts.operations import IDEMPOTENCY_KEY, IDEMPOTENCY_KEY_ALIAS, SHOWN_ONCE
from plenary_contracts.permissions import Permission
from plenary_kit import context as ctx
from plenary_kit.bus import rpc
from plenary_kit.files import belongs_to, describe_file, file_key
from plenary_kit.flags import FlagClient
from plenary_kit.logging import bound, get_logger

from ..adapters.file_store import FileStore
from ..adapters.idempotency_store import Claim, IdempotencyStore, InFlight, Replay
from ..adapters.jwks import JwksCache
from ..adapters.key_mirror import ApiKeyMirror
from ..adapters.rate_limiter import KvRateLimiter
from ..adapters.revocation_mirror import RevocationMirror
from ..adapters.tenant_directory import TenantDirectory
from ..adapters.usage_batcher import UsageBatcher
from ..domain import idempotency
from ..domain.addresses import client_ip
from ..domain.downloads import download_headers
from ..domain.problems import PROBLEM_JSON
from ..domain.rate_headers import rate_limit_headers
from ..domain.requests import TENANT_ID, acting_tenant, clean_user_agent, event_id_of
from ..domain.uploads import FILE_PART, NoFile, UnreadableUpload, Upload, read_upload
from .callers import BEARER_CHALLENGE, Authenticator, Caller, Unauthenticated, ready
from .exchange import JSON, Incoming, Outgoing, dumps, failure, problem_response
from .requests import FILE_NAME_PARAM, RoutePlan

log = get_logger(__name__)

MUTATING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
PUBLIC_POLICY = "PUBLIC"
CALL_MARGIN_SECONDS = 1.0
UPLOADS = "uploads"  # the kind of file an upload route stores (the second part of its key)


@dataclass
class _State:
    """What one request collected on its way: headers every response to it carries."""

    headers: dict[str, str] = field(default_factory=dict)


class Gateway:
    def __init__(
        self,
        *,
        authenticator: Authenticator,
        keys: ApiKeyMirror,
        jwks: JwksCache,
        revocations: RevocationMirror,
        tenants: TenantDirectory,
        flags: FlagClient,
        limiter: KvRateLimiter,
        idempotency_store: IdempotencyStore,
        files: FileStore,
        usage: UsageBatcher,
        connection: Callable[[], Client | None],
        trusted_proxies: list[str],
        public_requests_per_minute: int,
        max_body_bytes: int,
        max_upload_bytes: int,
        usage_flush_seconds: float = 5.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.authenticator = authenticator
        self.keys = keys
        self.jwks = jwks
        self.revocations = revocations
        self.tenants = tenants
        self.usage_flush_seconds = usage_flush_seconds
        self.flags = flags
        self.limiter = limiter
        self.idempotency = idempotency_store
        self.files = files
        self.usage = usage
        self.connection = connection
        self.trusted_proxies = trusted_proxies
        self.public_requests_per_minute = public_requests_per_minute
        self.max_body_bytes = max_body_bytes
        self.max_upload_bytes = max_upload_bytes
        self.clock = clock

    async def handle(self, plan: RoutePlan, request: Incoming) -> Outgoing:
        state = _State()
        try:
            return await self._handle(plan, request, state)
        except PlenaryError as error:
            if isinstance(error, Unauthenticated):
                state.headers["WWW-Authenticate"] = error.challenge
            if isinstance(error, InFlight):
                state.headers["Retry-After"] = "1"
            return problem_response(error, request.path, request.correlation_id, state.headers)
        except (NatsError, OSError) as error:  # the buckets behind limits and idempotency
            log.warning("gateway state unavailable", error=repr(error))
            unavailable = ServiceUnavailable("the gateway cannot reach its shared state; retry shortly")
            return problem_response(unavailable, request.path, request.correlation_id, state.headers)

    async def _handle(self, plan: RoutePlan, request: Incoming, state: _State) -> Outgoing:
        address = client_ip(request.peer, request.header("x-forwarded-for"), self.trusted_proxies)
        caller = await self.admit(request, address, state.headers, public=plan.op.public)
        body = await request.read_body() if plan.takes_json_body else b""
        body_error: PlenaryError | None = None
        try:
            parsed = plan.parse_body(body) if plan.takes_json_body else {}
        except PlenaryError as error:  # reported after the checks that come first
            parsed, body_error = None, error
        query = dict(request.query)
        event_id = event_id_of(request.path_params, query, parsed if isinstance(parsed, dict) else None)
        self.authorize(plan.op.permission, caller, event_id, global_only=plan.op.global_only)
        tenant = await self.tenant_of(caller, request.header("x-tenant-id"))
        await self.check_flag(plan.op.flag, caller, tenant)
        if body_error is not None:
            raise body_error

        scope = caller.credential or f"anonymous:{address}"
        upload: Received | None = None
        if plan.upload is None:
            validated = plan.validate(request.path_params, request.query, parsed)
            key = self._idempotency_key(request) if plan.method in MUTATING else None
        else:
            key = self._idempotency_key(request)
            upload = await self._receive(request, tenant, scope, key)
            validated = plan.validate(request.path_params, request.query, None, upload.file.model_dump(mode="json"))
            body = upload.fingerprint
        claim: Claim | None = None
        if key is not None:
            outcome = await self.idempotency.begin(
                idempotency.scoped_key(scope, key),
                idempotency.fingerprint(plan.method, _target(request), body),
                plan.op.timeout_seconds,
            )
            if isinstance(outcome, Replay):
                return replayed(outcome.record, state.headers)
            claim = outcome
        context = ctx.Context(
            tenant_id=tenant,
            actor_id=caller.actor_id,
            roles=caller.roles,
            correlation_id=request.correlation_id,
            idempotency_key=f"{scope}:{key}" if key is not None else None,
            grants=self._encoded_grants(plan, caller, event_id) or None,
            credential=caller.credential,
            client_ip=address,
            user_agent=clean_user_agent(request.header("user-agent")),
            if_match=request.header("if-match"),
        )
        response = await self._answer(plan, request, validated, context, claim, upload)
        response.headers = {**state.headers, **response.headers}
        return response

    async def _receive(self, request: Incoming, tenant: str | None, scope: str, key: str | None) -> "Received":
        """The uploaded file, described (name, type, key in the acting tenant's files) but not yet stored."""
        if tenant is None:
            raise BadRequest("a file belongs to a tenant: a global admin must choose one (X-Tenant-Id)")
        body = await request.read_body()
        try:  # up to max_upload_bytes to search and hash: off the event loop
            upload = await asyncio.to_thread(
                read_upload,
                body,
                request.header("content-type"),
                request.header("content-disposition"),
                _last(request.query, FILE_NAME_PARAM),
            )
        except UnreadableUpload as error:
            raise BadRequest(str(error)) from error
        except NoFile as error:
            raise ValidationFailed(
                "request failed validation",
                errors=[FieldError(loc=["body", FILE_PART], msg=str(error), type="file_missing")],
            ) from error
        return await asyncio.to_thread(_described, upload, tenant, scope, key)

    async def admit(self, request: Incoming, address: str | None, headers: dict[str, str], *, public: bool) -> Caller:
        """Who calls, and whether their rate limit lets them in; a key's use is counted. ``headers`` gets
        what every response to the request carries (CORS, rate limit)."""
        now = self.clock()
        moment = datetime.fromtimestamp(now, UTC)
        origin = request.header("origin")
        caller = await self.authenticator.caller(
            api_key=request.header(API_KEY_HEADER),
            authorization=request.header("authorization"),
            public=public,
            client_ip=address,
            origin=origin,
            now=moment,
        )
        if caller.key is not None and origin is not None and origin in caller.key.allowed_origins:
            headers.update(cors_headers(origin))
        await self._rate_limit(caller, address, now, headers)
        if caller.key is not None:
            self.usage.record(caller.key.id, moment, address)
        return caller

    async def check_flag(self, flag: FlagKey | None, caller: Caller, tenant: str | None) -> None:
        if flag is None:
            return
        await ready(self.flags.loaded, "the feature flags")
        if not self.flags.is_enabled(flag, FlagContext(tenant_id=tenant, roles=caller.roles, user_id=caller.actor_id)):
            raise FeatureDisabled(f"{flag.value} is off")

    async def _answer(
        self,
        plan: RoutePlan,
        request: Incoming,
        validated: BaseModel,
        context: ctx.Context,
        claim: Claim | None,
        upload: "Received | None",
    ) -> Outgoing:
        """Call the service; with an idempotency claim, keep the answer (or free the key) afterwards.

        An upload is stored just before the call and dropped again if the service refuses it."""
        try:
            with bound(tenant=context.tenant_id, actor=context.actor_id, operation=plan.op.subject):
                try:
                    if upload is not None:
                        await self.files.keep(upload.file, upload.data)
                    try:
                        reply = await self._call(plan, validated, context)
                    except PlenaryError as error:
                        # after a timeout the service may still have taken the file: it expires with the bucket
                        if upload is not None and not isinstance(error, Timeout):
                            await self._drop(upload.file)
                        raise
                    if plan.download:
                        response = await self._download(request, reply, context.tenant_id)
                    else:
                        response = self._reply(plan, request, validated, reply)
                except PlenaryError as error:
                    response = problem_response(error, request.path, request.correlation_id)
        except BaseException:
            if claim is not None:
                await asyncio.shield(self.idempotency.abandon(claim))
            raise
        if claim is not None:
            body_text = response.body.decode() if response.body else None
            kept = idempotency.kept_body(body_text, plan.op.shown_once, SHOWN_ONCE)
            await self.idempotency.finish(claim, response.status, kept, response.headers)
        return response

    async def _drop(self, file: StoredFile) -> None:
        try:
            await self.files.drop(file)
        except (NatsError, OSError, PlenaryError) as error:  # the bucket's TTL removes it in the end
            log.warning("could not drop a refused upload", key=file.key, error=repr(error))

    async def _download(self, request: Incoming, reply: BaseModel, tenant: str | None) -> Outgoing:
        """The file a download route's reply names, if it is the acting tenant's: its bytes and headers."""
        if not isinstance(reply, StoredFile) or not belongs_to(reply, tenant):
            raise NotFound("no such file")
        headers = download_headers(reply.file_name, reply.content_type, reply.sha256)
        etag = headers.get("ETag")
        none_match = request.header("if-none-match")
        if etag is not None and none_match is not None and if_match_holds(none_match, etag):
            return Outgoing(304, headers={"ETag": etag})
        data = await self.files.read(reply)
        return Outgoing(200, data, None, headers)

    async def _rate_limit(self, caller: Caller, address: str | None, now: float, headers: dict[str, str]) -> None:
        if caller.key is not None:
            policy = caller.key.rate_limit_tier.value
            limit = requests_per_minute(caller.key.rate_limit_tier, caller.key.rate_limit_custom)
            bucket_key = f"key.{caller.key.id}"
        elif caller.kind == "anonymous":
            policy, limit, bucket_key = PUBLIC_POLICY, self.public_requests_per_minute, f"ip.{address or 'unknown'}"
        else:
            return
        verdict = await self.limiter.acquire(kv_safe(bucket_key), limit)
        headers.update(rate_limit_headers(policy, verdict, now))
        if not verdict.allowed:
            raise failure(ErrorCode.RATE_LIMITED, f"rate limit exceeded: {limit} requests per minute")

    @staticmethod
    def authorize(
        permission: Permission | None, caller: Caller, event_id: str | None, *, global_only: bool = False
    ) -> None:
        if global_only and caller.key is not None:
            raise Unauthenticated("this operation needs a user's access token, not an API key", BEARER_CHALLENGE)
        if global_only and not caller.global_admin:
            raise Forbidden("only a global administrator may do this")
        if permission is not None:
            if caller.key is not None:
                if not key_permits(caller.key.permissions, permission):
                    raise Forbidden(f"API key lacks required permission: {permission.code}")
            elif not authorize(caller.grants, permission, actor_id=caller.actor_id, event_id=event_id):
                raise Forbidden(f"lacks required permission: {permission.code}")
        scopes = caller.key.scopes if caller.key is not None else None
        if scopes is not None and scopes.event_ids and event_id is not None and event_id not in scopes.event_ids:
            raise Forbidden(f"this API key is not scoped to event {event_id}")

    async def tenant_of(
        self, caller: Caller, requested: str | None, where: tuple[str, str] = ("header", "X-Tenant-Id")
    ) -> str | None:
        """The tenant the request acts in; ``where`` names the header or parameter ``requested`` came from."""
        if requested is not None and not TENANT_ID.match(requested):
            raise ValidationFailed(
                "request failed validation",
                errors=[FieldError(loc=list(where), msg="not a tenant id", type="string_pattern_mismatch")],
            )
        try:
            tenant = acting_tenant(caller.tenant_id, caller.global_admin, requested)
        except PermissionError as error:
            raise Forbidden("only a global administrator may act in another tenant") from error
        if tenant is not None and tenant != caller.tenant_id and not await self.tenants.exists(tenant):
            raise NotFound(f"tenant {tenant} not found")
        return tenant

    @classmethod
    def _encoded_grants(cls, plan: RoutePlan, caller: Caller, event_id: str | None) -> str:
        grants = cls._grants(plan, caller, event_id)
        return caller.encoded_grants if grants is caller.grants else encode_grants(grants)

    @staticmethod
    def _grants(plan: RoutePlan, caller: Caller, event_id: str | None) -> tuple[Grant, ...]:
        """A user's own grants; an API key, already checked here, carries the one permission it uses, bound to
        the events it is scoped to, so a service can still refuse a participant of another event when the
        route names no event."""
        if caller.key is None or plan.op.permission is None:
            return caller.grants
        code = plan.op.permission.code
        scoped_events = caller.key.scopes.event_ids if caller.key.scopes is not None else []
        if not scoped_events:
            return (Grant(code, PermissionAccess.ANY, RoleScope.TENANT),)
        events = [event_id] if event_id is not None else scoped_events
        return tuple(Grant(code, PermissionAccess.ANY, RoleScope.EVENT, e) for e in events)

    @staticmethod
    def _idempotency_key(request: Incoming) -> str | None:
        first, second = request.header(IDEMPOTENCY_KEY), request.header(IDEMPOTENCY_KEY_ALIAS)
        if first is not None and second is not None and first != second:
            raise failure(ErrorCode.BAD_REQUEST, f"{IDEMPOTENCY_KEY} and {IDEMPOTENCY_KEY_ALIAS} differ")
        key = first if first is not None else second
        if key is not None and not 1 <= len(key) <= idempotency.MAX_KEY_LENGTH:
            raise ValidationFailed(
                "request failed validation",
                errors=[
                    FieldError(
                        loc=["header", IDEMPOTENCY_KEY],
                        msg=f"must be 1 to {idempotency.MAX_KEY_LENGTH} characters",
                        type="string_length",
                    )
                ],
            )
        return key

    async def _call(self, plan: RoutePlan, request: BaseModel, context: ctx.Context) -> BaseModel:
        nc = self.connection()
        if nc is None or not nc.is_connected:
            raise ServiceUnavailable("the gateway is not connected to the bus")
        op = plan.op
        try:
            return await asyncio.wait_for(
                rpc.call(nc, op, request, context=context, timeout=op.timeout_seconds),
                op.timeout_seconds + CALL_MARGIN_SECONDS,
            )
        except TimeoutError as error:
            raise Timeout(f"{op.service} did not answer {op.name} in time") from error
        except (NatsError, OSError) as error:
            log.warning("bus call failed", operation=op.subject, error=repr(error))
            raise ServiceUnavailable(f"{op.service} could not be reached") from error

    def _reply(self, plan: RoutePlan, request: Incoming, validated: BaseModel, reply: BaseModel) -> Outgoing:
        assert plan.op.http is not None
        status = plan.op.http.status_code
        if status == 204:
            return Outgoing(204)
        headers: dict[str, str] = {}
        updated_at = getattr(reply, "updated_at", None)
        if not plan.reply_is_list and isinstance(updated_at, datetime):
            etag = etag_of(updated_at)
            headers["ETag"] = etag
            none_match = request.header("if-none-match")
            if plan.method == "GET" and none_match is not None and if_match_holds(none_match, etag):
                return Outgoing(304, headers=headers)
        fields = getattr(validated, "fields", None)
        if isinstance(fields, str) and fields:
            data: Any = reply.model_dump(mode="json")
            if plan.reply_is_list:
                data["data"] = [sparse(item, fields) for item in data["data"]]
                body = dumps(data)
            else:
                body = dumps({"data": sparse(data, fields)})
        elif plan.reply_is_list:
            body = reply.model_dump_json().encode()
        else:
            body = b'{"data":' + reply.model_dump_json().encode() + b"}"
        return Outgoing(status, body, JSON, headers)


@dataclass(frozen=True)
class Received:
    """An upload described for the request, and its bytes, to be stored just before the call."""

    file: StoredFile
    data: bytes

    @property
    def fingerprint(self) -> bytes:
        """What a retry must repeat: the file's name, type and content (not how a form happened to wrap it)."""
        return f"{self.file.file_name}\n{self.file.content_type}\n{self.file.sha256}".encode()


def _described(upload: Upload, tenant: str, scope: str, key: str | None) -> Received:
    """The file as the request will name it. With an Idempotency-Key, a retry of the same file names the same
    object, so the service sees the same request again; another file under a reused key never replaces it."""
    file = describe_file(tenant, UPLOADS, upload.file_name, upload.content_type, upload.data)
    if key is not None:
        unique = idempotency.scoped_key(scope, f"{key}\n{file.sha256}")[:32]
        file = file.model_copy(update={"key": file_key(tenant, UPLOADS, upload.file_name, unique)})
    return Received(file, upload.data)


def _last(query: list[tuple[str, str]], name: str) -> str | None:
    values = [value for each, value in query if each == name]
    return values[-1] if values else None


def _target(request: Incoming) -> str:
    query = "&".join(f"{name}={value}" for name, value in sorted(request.query))
    return f"{request.path}?{query}" if query else request.path


def replayed(record: idempotency.Record, headers: dict[str, str]) -> Outgoing:
    assert record.status is not None
    media_type = None
    if record.body:
        media_type = PROBLEM_JSON if record.status >= 400 else JSON
    body = record.body.encode() if record.body else b""
    return Outgoing(record.status, body, media_type, {**headers, **record.headers, "Idempotent-Replayed": "true"})


EXPOSED_HEADERS = (
    "X-Correlation-Id, ETag, Retry-After, Idempotent-Replayed, X-RateLimit-Limit, X-RateLimit-Remaining, "
    "X-RateLimit-Reset, RateLimit, RateLimit-Policy"
)
ALLOWED_HEADERS = (
    f"Content-Type, {API_KEY_HEADER}, Authorization, {IDEMPOTENCY_KEY}, {IDEMPOTENCY_KEY_ALIAS}, If-Match, "
    "If-None-Match, X-Tenant-Id, X-Correlation-Id, X-Request-Id, Last-Event-ID"
)


def cors_headers(origin: str) -> dict[str, str]:
    return {"Access-Control-Allow-Origin": origin, "Access-Control-Expose-Headers": EXPOSED_HEADERS, "Vary": "Origin"}


def preflight_headers(origin: str, methods: str) -> dict[str, str]:
    return {
        "Access-Control-Allow-Origin": origin,
        "Access-Control-Allow-Methods": methods,
        "Access-Control-Allow-Headers": ALLOWED_HEADERS,
        "Access-Control-Max-Age": "600",
        "Vary": "Origin",
    }


def kv_safe(name: str) -> str:
    return "".join(c if c.isascii() and (c.isalnum() or c in "-_=.") else "_" for c in name)
