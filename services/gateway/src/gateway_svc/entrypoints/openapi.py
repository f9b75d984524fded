"""The OpenAPI 3.1 document of the contract routes, the live feeds and the webhooks the platform sends,
built from the contracts alone.

The routes themselves take the raw request (the pipeline validates, so every error is problem+json);
this module says what they accept and answer: parameters, bodies, replies, every error, security. A feed
answers ``text/event-stream``; OpenAPI 3.1 cannot describe the events inside, so ``x-sse-events`` names
each SSE event and the schema of its data.
"""

import copy
from collections import Counter
from typing import Any

from pydantic import TypeAdapter
from pydantic.json_schema import models_json_schema

from plenary_contracts.catalog.webhooks import openapi_webhooks
from plenary_contracts.credentials import API_KEY_HEADER
from plenary_contracts.errors import HTTP_STATUS, PROBLEM_TYPE_PREFIX, ErrorCode
from plenary_contracts.feeds import CLOSED_EVENT, FeedSpec
from plenary_contracts.fields import Id
from plenary_contracts.operations import IDEMPOTENCY_KEY, IDEMPOTENCY_KEY_ALIAS, OperationSpec

from ..application.feeds import (
    ACCESS_TOKEN_PARAM,
    LAST_EVENT_ID_HEADER,
    LAST_EVENT_ID_PARAM,
    RETRY_MILLISECONDS,
    TENANT_PARAM,
    FeedPlan,
)
from ..application.requests import BODY_METHODS, FILE_NAME_PARAM, RoutePlan
from ..domain.idempotency import MAX_KEY_LENGTH
from ..domain.params import kind_of
from ..domain.problems import PROBLEM_JSON, title_of
from ..domain.requests import TENANT_ID
from ..domain.uploads import CSV, FILE_PART, OCTET_STREAM, XLSX

Schema = dict[str, Any]
REF = "#/components/schemas/{model}"
MUTATING = {"POST", "PUT", "PATCH", "DELETE"}
CONDITIONAL = {"PUT", "PATCH", "DELETE"}
ALWAYS = {400, 401, 403, 404, 422, 429, 500, 503, 504}

SECURITY_SCHEMES = {
    "ApiKeyAuth": {
        "type": "apiKey",
        "in": "header",
        "name": API_KEY_HEADER,
        "description": "An API key of a tenant (`ak_…`); the tenant needs the FF_REST_API feature flag.",
    },
    "BearerAuth": {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "A user's access token from `POST /api/v1/auth/login` (EdDSA-signed JWT).",
    },
    "AccessTokenQuery": {
        "type": "apiKey",
        "in": "query",
        "name": ACCESS_TOKEN_PARAM,
        "description": "A user's access token in the URL, for a browser's EventSource, which cannot send headers. "
        "Accepted on live feeds (`text/event-stream`) only; the gateway logs no query string holding it, but "
        "keep such URLs out of other logs and histories: the token is short-lived, so reconnect with a fresh one.",
    },
}
FEED_STATUSES = {400, 401, 403, 404, 422, 429, 500, 503}


def _integer_header(description: str) -> Schema:
    return {"description": description, "schema": {"type": "integer"}}


def _text_header(description: str) -> Schema:
    return {"description": description, "schema": {"type": "string"}}


HEADERS: dict[str, Schema] = {
    "X-Correlation-Id": _text_header(
        "The request's correlation id (yours if safe, else a new one); in every log line."
    ),
    "X-RateLimit-Limit": _integer_header("Requests allowed per 60 s window."),
    "X-RateLimit-Remaining": _integer_header("Requests left in the window after this one."),
    "X-RateLimit-Reset": _integer_header("Epoch seconds when the oldest counted request leaves the window."),
    "RateLimit-Policy": _text_header('IETF rate-limit policy, e.g. `"STANDARD";q=100;w=60`.'),
    "RateLimit": _text_header('IETF rate-limit state, e.g. `"STANDARD";r=99;t=60`.'),
    "Retry-After": _integer_header("Seconds to wait before retrying."),
    "ETag": _text_header("The resource's version (its last change in epoch ms, quoted); send it back in If-Match."),
    "Idempotent-Replayed": {
        "description": "Present when this is the stored response to an earlier request with the same Idempotency-Key.",
        "schema": {"type": "string", "enum": ["true"]},
    },
    "WWW-Authenticate": _text_header("How to authenticate."),
    "Content-Disposition": _text_header(
        '`attachment; filename="…"` (with `filename*` when the name is not plain ASCII).'
    ),
    "FileETag": _text_header("The file's SHA-256, quoted; send it back in If-None-Match."),
}
BINARY: Schema = {"type": "string", "format": "binary"}
UPLOAD_BODY: dict[str, Any] = {
    "required": True,
    "description": "The file itself, raw (its name in `fileName` or a Content-Disposition `filename`) or as "
    f"multipart/form-data with one part named `{FILE_PART}`. Larger than the upload limit is 413, empty is 422.",
    "content": {
        CSV: {"schema": {"type": "string"}},
        XLSX: {"schema": BINARY},
        OCTET_STREAM: {"schema": BINARY},
        "multipart/form-data": {
            "schema": {"type": "object", "properties": {FILE_PART: BINARY}, "required": [FILE_PART]},
            "encoding": {FILE_PART: {"contentType": f"{CSV}, {XLSX}, {OCTET_STREAM}"}},
        },
    },
}
FILE_ETAG = {"ETag": {"$ref": "#/components/headers/FileETag"}}
DOWNLOAD_CONTENT: dict[str, Any] = {
    CSV: {"schema": {"type": "string"}},
    XLSX: {"schema": BINARY},
    OCTET_STREAM: {"schema": BINARY},
    "*/*": {"schema": BINARY},  # a file keeps the type it was stored with
}
ID_SCHEMA: Schema = TypeAdapter(Id).json_schema()
RATE_HEADERS = ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "RateLimit-Policy", "RateLimit")

FIELD_ERROR: Schema = {
    "type": "object",
    "properties": {
        "loc": {"type": "array", "items": {"type": ["string", "integer"]}},
        "msg": {"type": "string"},
        "type": {"type": "string"},
    },
    "required": ["loc", "msg", "type"],
}
PROBLEM: Schema = {
    "type": "object",
    "description": "RFC 9457 problem details.",
    "properties": {
        "type": {"type": "string", "description": f"`{PROBLEM_TYPE_PREFIX}<code>`"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string", "description": "The request path."},
        "code": {"type": "string", "enum": [code.value for code in ErrorCode]},
        "correlationId": {"type": ["string", "null"]},
        "errors": {"type": "array", "items": {"$ref": REF.format(model="FieldError")}},
        "details": {"type": "object"},
    },
    "required": ["type", "title", "status", "detail", "code"],
}


def _header_refs(*names: str) -> dict[str, Schema]:
    return {name: {"$ref": f"#/components/headers/{name}"} for name in ("X-Correlation-Id", *RATE_HEADERS, *names)}


def _name(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


def _parameter_schema(schema: Schema) -> Schema:
    """A field's schema as a parameter: absent rather than null, no title."""
    schema = {k: v for k, v in schema.items() if k != "title"}
    if schema.get("default", 0) is None:
        del schema["default"]
    choices = schema.get("anyOf")
    if choices is not None:
        concrete = [c for c in choices if c.get("type") != "null"]
        if len(concrete) == 1:
            rest = {k: v for k, v in schema.items() if k != "anyOf"}
            schema = {**concrete[0], **rest}
        else:
            schema["anyOf"] = concrete
    return schema


class _Builder:
    def __init__(self, plans: list[RoutePlan], feed_plans: list[FeedPlan] | None = None) -> None:
        self.plans = plans
        self.feed_plans = feed_plans or []
        pairs: list[tuple[Any, Any]] = []
        for plan in plans:
            for pair in ((plan.op.request, "validation"), (plan.op.reply, "serialization")):
                if pair not in pairs:
                    pairs.append(pair)
        for feed_plan in self.feed_plans:
            for each in feed_plan.feed.events:
                if (each.data_model, "serialization") not in pairs:
                    pairs.append((each.data_model, "serialization"))
        self.refs, top = models_json_schema(pairs, ref_template=REF)  # type: ignore[arg-type]
        self.schemas: dict[str, Schema] = dict(top.get("$defs", {}))
        names = Counter(plan.op.name for plan in plans)
        self.unique = {name for name, count in names.items() if count == 1}

    def resolve(self, ref: str) -> Schema:
        return self.schemas.get(_name(ref), {})

    def model_schema(self, model: Any, mode: str) -> tuple[str, Schema]:
        ref = self.refs[(model, mode)]["$ref"]  # type: ignore[index]
        return _name(ref), self.schemas[_name(ref)]

    def document(self) -> tuple[dict[str, Any], dict[str, Any]]:
        paths: dict[str, Any] = {}
        for plan in self.plans:
            paths.setdefault(plan.path, {})[plan.method.lower()] = self.operation(plan)
        for feed_plan in self.feed_plans:
            paths.setdefault(feed_plan.path, {})["get"] = self.feed(feed_plan)
        self.schemas["Problem"] = PROBLEM
        self.schemas["FieldError"] = FIELD_ERROR
        components = {"schemas": self.schemas, "securitySchemes": SECURITY_SCHEMES, "headers": HEADERS}
        return paths, components

    def operation(self, plan: RoutePlan) -> dict[str, Any]:
        op = plan.op
        assert op.http is not None
        request_name, request = self.model_schema(op.request, "validation")
        properties: dict[str, Schema] = request.get("properties", {})
        required = set(request.get("required", []))
        sparse = "fields" in properties
        etag = self.has_etag(plan)
        document: dict[str, Any] = {
            "operationId": op.name if op.name in self.unique else f"{op.service}_{op.name}",
            "summary": op.http.summary or op.name,
            "description": self.description(op),
            "tags": list(op.http.tags),
            "parameters": self.parameters(plan, properties, required, etag),
            "responses": self.responses(plan, sparse, etag),
            "security": self.security(op),
            "x-bus-subject": op.subject,
        }
        if op.permission is not None:
            document["x-permission"] = op.permission.code
        if op.flag is not None:
            document["x-feature-flag"] = op.flag.value
        if plan.upload is not None:
            document["requestBody"] = copy.deepcopy(UPLOAD_BODY)
        elif plan.method in BODY_METHODS:
            document["requestBody"] = self.request_body(plan, request_name, request)
        return document

    @staticmethod
    def description(op: OperationSpec) -> str:
        lines = [op.description]
        if op.public:
            lines.append("Public: no credential needed (anonymous calls are rate-limited per client address).")
        if op.permission is not None:
            lines.append(f"Needs permission `{op.permission.code}`.")
        if op.global_only:
            lines.append("Only a global administrator (a user without a tenant) may call it; API keys never may (401).")
        if op.flag is not None:
            lines.append(f"Gated by feature flag `{op.flag.value}` (404 FEATURE_DISABLED when off).")
        if op.http is not None and op.http.upload is not None:
            lines.append(
                "The body is the file (raw, or multipart/form-data with a `file` part); the gateway keeps it in "
                "the tenant's files and passes the service a reference, so a global admin must name a tenant."
            )
        if op.http is not None and op.http.download:
            lines.append("Answers the file itself as an attachment; a file of another tenant is 404.")
        return "\n\n".join(lines)

    @staticmethod
    def security(op: OperationSpec) -> list[dict[str, list[str]]]:
        if op.public:
            return []
        if op.global_only:
            return [{"BearerAuth": []}]
        return [{"ApiKeyAuth": []}, {"BearerAuth": []}]

    def has_etag(self, plan: RoutePlan) -> bool:
        if plan.reply_is_list or plan.op.http is None or plan.op.http.status_code == 204:
            return False
        return "updated_at" in plan.op.reply.model_fields

    def parameters(self, plan: RoutePlan, properties: dict[str, Schema], required: set[str], etag: bool) -> list:
        parameters: list[dict[str, Any]] = []
        for name in plan.path_params:
            parameters.append(
                {"name": name, "in": "path", "required": True, "schema": _parameter_schema(properties[name])}
            )
        for name in plan.query_params:
            field = properties[name]
            parameter: dict[str, Any] = {"name": name, "in": "query", "required": name in required}
            if field.get("description"):
                parameter["description"] = field["description"]
            kind, _ = kind_of(field, self.resolve)
            if kind == "object":
                parameter["content"] = {"application/json": {"schema": _parameter_schema(field)}}
            else:
                parameter["schema"] = _parameter_schema(field)
            parameters.append(parameter)
        if plan.upload is not None:
            parameters.append(
                {
                    "name": FILE_NAME_PARAM,
                    "in": "query",
                    "required": False,
                    "description": "The file's name (else a Content-Disposition or form `filename`, else `upload`).",
                    "schema": {"type": "string", "maxLength": 255},
                }
            )
        if not plan.op.public:
            parameters.append(
                {
                    "name": "X-Tenant-Id",
                    "in": "header",
                    "required": False,
                    "description": "A global administrator acts in this tenant; anyone else may only name their own.",
                    "schema": {"type": "string", "pattern": TENANT_ID.pattern},
                }
            )
        if plan.method in MUTATING:
            parameters.append(
                {
                    "name": IDEMPOTENCY_KEY,
                    "in": "header",
                    "required": False,
                    "description": "Makes a retry safe: the first response is stored for 24 h per credential and "
                    f"key and replayed (with `Idempotent-Replayed: true`); `{IDEMPOTENCY_KEY_ALIAS}` works too.",
                    "schema": {"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH},
                }
            )
        if plan.method in CONDITIONAL:
            parameters.append(
                {
                    "name": "If-Match",
                    "in": "header",
                    "required": False,
                    "description": "The ETag you last read; the change is refused with 412 if the resource moved on.",
                    "schema": {"type": "string"},
                }
            )
        if plan.method == "GET" and (etag or plan.download):
            parameters.append(
                {
                    "name": "If-None-Match",
                    "in": "header",
                    "required": False,
                    "description": "An ETag you hold; 304 Not Modified when it is still current.",
                    "schema": {"type": "string"},
                }
            )
        return parameters

    def request_body(self, plan: RoutePlan, name: str, request: Schema) -> dict[str, Any]:
        schema: Schema = {"$ref": REF.format(model=name)}
        required = [r for r in request.get("required", []) if r not in plan.path_params]
        if plan.path_params:
            body = copy.deepcopy(request)
            body["properties"] = {k: v for k, v in body.get("properties", {}).items() if k not in plan.path_params}
            body["required"] = required
            if not required:
                del body["required"]
            body["title"] = f"{name}Body"
            self.schemas[f"{name}Body"] = body
            schema = {"$ref": REF.format(model=f"{name}Body")}
        return {"required": bool(required), "content": {"application/json": {"schema": schema}}}

    def reply_schema(self, plan: RoutePlan, sparse: bool) -> Schema:
        name, reply = self.model_schema(plan.op.reply, "serialization")
        if plan.reply_is_list:
            if not sparse:
                return {"$ref": REF.format(model=name)}
            page = copy.deepcopy(reply)
            items = page["properties"]["data"].get("items", {})
            if "$ref" in items:
                page["properties"]["data"]["items"] = {
                    "$ref": REF.format(model=self.sparse_variant(_name(items["$ref"])))
                }
            page["title"] = f"{name}Sparse"
            self.schemas[f"{name}Sparse"] = page
            return {"$ref": REF.format(model=f"{name}Sparse")}
        data = {"$ref": REF.format(model=self.sparse_variant(name) if sparse else name)}
        return {"type": "object", "properties": {"data": data}, "required": ["data"]}

    def sparse_variant(self, name: str) -> str:
        """The item as `fields=` may trim it: every property optional but `id`."""
        variant = f"{name}Sparse"
        if variant not in self.schemas:
            item = copy.deepcopy(self.schemas[name])
            item["required"] = [r for r in item.get("required", []) if r == "id"]
            item["title"] = variant
            item["description"] = "With `fields=`, only the fields named (and `id`)."
            self.schemas[variant] = item
        return variant

    def responses(self, plan: RoutePlan, sparse: bool, etag: bool) -> dict[str, Any]:
        op = plan.op
        assert op.http is not None
        success_headers = _header_refs(
            *(("ETag",) if etag else ()), *(("Idempotent-Replayed",) if plan.method in MUTATING else ())
        )
        responses: dict[str, Any] = {}
        status = op.http.status_code
        success: dict[str, Any] = {"description": op.http.summary or "Success", "headers": success_headers}
        if plan.download:
            success["description"] = f"{op.http.summary or 'The file'}: its bytes, as an attachment."
            success["headers"] = {**_header_refs("Content-Disposition"), **FILE_ETAG}
            success["content"] = copy.deepcopy(DOWNLOAD_CONTENT)
        elif status != 204:
            success["content"] = {"application/json": {"schema": self.reply_schema(plan, sparse)}}
        responses[str(status)] = success
        if plan.method == "GET" and (etag or plan.download):
            responses["304"] = {
                "description": "Not Modified: your If-None-Match is current.",
                "headers": {**_header_refs(), **FILE_ETAG} if plan.download else _header_refs("ETag"),
            }
        statuses = set(ALWAYS) | {HTTP_STATUS[code] for code in op.errors}
        if plan.method in MUTATING:
            statuses.add(409)
        if plan.method in CONDITIONAL:
            statuses.add(412)
        if plan.method in BODY_METHODS:
            statuses.add(413)
        for code in sorted(statuses):
            responses[str(code)] = self.problem_response(code)
        return responses

    def feed(self, plan: FeedPlan) -> dict[str, Any]:
        """A live feed: a GET answered with an event stream."""
        feed = plan.feed
        events: dict[str, Any] = {}
        for each in feed.events:
            name, _ = self.model_schema(each.data_model, "serialization")
            events[each.name] = {
                "description": f"{each.event.description} `id` is the message's sequence in {feed.stream}.",
                "schema": {"$ref": REF.format(model=name)},
            }
        events[CLOSED_EVENT] = {
            "description": "The server ends the stream (no `id`): the credential was revoked or expired (401), a "
            "permission or the tenant went (403, 404), the flag was turned off (404), the gateway stops (503).",
            "schema": {"$ref": REF.format(model="Problem")},
        }
        lines = [
            feed.description,
            f"Answers `text/event-stream`: `retry: {RETRY_MILLISECONDS}` first, then one SSE message per change "
            "(`id:` its stream sequence, `event:` its name, `data:` one line of JSON), and a `: keep-alive` comment "
            "when the stream has been quiet a while. " + _whose(feed),
            f"Resume: send `{LAST_EVENT_ID_HEADER}` (a browser does when it reconnects) or `{LAST_EVENT_ID_PARAM}`, "
            "the last `id` received: the stream goes on with the next message, none missed, none repeated. "
            "Without either it starts with the next change.",
            f"Authenticate as anywhere else, or with the access token as `{ACCESS_TOKEN_PARAM}` (EventSource "
            f"cannot send headers); a global administrator names the tenant with X-Tenant-Id or `{TENANT_PARAM}`. "
            "The credential, permission, tenant and flag are checked again every second while the stream is open.",
        ]
        if feed.permission is not None:
            lines.append(f"Needs permission `{feed.permission.code}`.")
        if feed.flag is not None:
            lines.append(f"Gated by feature flag `{feed.flag.value}` (404 FEATURE_DISABLED when off).")
        parameters: list[dict[str, Any]] = [
            {"name": name, "in": "path", "required": True, "schema": ID_SCHEMA} for name in feed.path_params
        ]
        parameters += [
            {
                "name": LAST_EVENT_ID_HEADER,
                "in": "header",
                "required": False,
                "description": "The `id` of the last message received; the stream resumes after it.",
                "schema": {"type": "string", "pattern": "^[0-9]+$"},
            },
            {
                "name": LAST_EVENT_ID_PARAM,
                "in": "query",
                "required": False,
                "description": f"As `{LAST_EVENT_ID_HEADER}`, for a new EventSource; the header wins when both come.",
                "schema": {"type": "integer", "minimum": 0},
            },
            {
                "name": TENANT_PARAM,
                "in": "query",
                "required": False,
                "description": "As X-Tenant-Id, for a new EventSource: the tenant a global administrator acts in.",
                "schema": {"type": "string", "pattern": TENANT_ID.pattern},
            },
            {
                "name": "X-Tenant-Id",
                "in": "header",
                "required": False,
                "description": "A global administrator acts in this tenant; anyone else may only name their own.",
                "schema": {"type": "string", "pattern": TENANT_ID.pattern},
            },
        ]
        responses: dict[str, Any] = {
            "200": {
                "description": "The open stream.",
                "headers": _header_refs(),
                "content": {"text/event-stream": {"schema": {"type": "string"}}},
            }
        }
        for status in sorted(FEED_STATUSES):
            responses[str(status)] = self.problem_response(status)
        document: dict[str, Any] = {
            "operationId": f"stream_{feed.name}",
            "summary": feed.summary,
            "description": "\n\n".join(lines),
            "tags": [feed.tag],
            "parameters": parameters,
            "responses": responses,
            "security": [{"BearerAuth": []}, {"AccessTokenQuery": []}]
            if feed.personal
            else [{"ApiKeyAuth": []}, {"BearerAuth": []}, {"AccessTokenQuery": []}],
            "x-sse-events": events,
            "x-jetstream": {"stream": feed.stream, "subjects": feed.subjects},
        }
        if feed.permission is not None:
            document["x-permission"] = feed.permission.code
        if feed.flag is not None:
            document["x-feature-flag"] = feed.flag.value
        return document

    @staticmethod
    def problem_response(status: int) -> dict[str, Any]:
        codes = ", ".join(code.value for code, each in HTTP_STATUS.items() if each == status)
        extra: tuple[str, ...] = ()
        if status in (409, 429, 503):
            extra = ("Retry-After",)
        elif status == 401:
            extra = ("WWW-Authenticate",)
        return {
            "description": f"{title_of(status)} ({codes})" if codes else title_of(status),
            "headers": _header_refs(*extra),
            "content": {PROBLEM_JSON: {"schema": {"$ref": REF.format(model="Problem")}}},
        }


def contract_document(
    plans: list[RoutePlan], feed_plans: list[FeedPlan] | None = None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The ``paths`` and ``components`` the contract routes and the live feeds add to the app's OpenAPI document."""
    return _Builder(plans, feed_plans).document()


def webhook_document(schemas: dict[str, Schema]) -> dict[str, Any]:
    """OpenAPI 3.1's top-level ``webhooks``: what the platform POSTs to a subscriber, one entry per public type.

    A body schema comes self-contained, its nested models under ``$defs`` with ``#/$defs/…`` references,
    which inside this document would point at its root. They move into ``schemas`` (the document's
    ``components.schemas``, given here and added to) and the references follow; a name another model
    already holds with a different schema gets a ``Webhook`` prefix."""
    section: dict[str, Any] = {}
    for event_type, item in copy.deepcopy(openapi_webhooks()).items():
        body = item["post"]["requestBody"]["content"]["application/json"]["schema"]
        definitions = _pop_definitions(body)
        own_names = {name: name for name in definitions}
        names: dict[str, str] = {}
        for name, definition in definitions.items():
            target = name
            while target in schemas and schemas[target] != _point_at_components(definition, own_names):
                target = f"Webhook{target}"
            names[name] = target
        for name, definition in definitions.items():
            schemas[names[name]] = _point_at_components(definition, names)
        section[event_type] = _point_at_components(item, names)
    return section


def _pop_definitions(schema: Any) -> dict[str, Schema]:
    """Every ``$defs`` entry below ``schema``, removed from where it was."""
    found: dict[str, Schema] = {}
    if isinstance(schema, dict):
        found.update(schema.pop("$defs", {}))
        for value in schema.values():
            found.update(_pop_definitions(value))
    elif isinstance(schema, list):
        for value in schema:
            found.update(_pop_definitions(value))
    return found


def _point_at_components(node: Any, names: dict[str, str]) -> Any:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            node = {**node, "$ref": REF.format(model=names[_name(ref)])}
        return {key: _point_at_components(value, names) for key, value in node.items()}
    if isinstance(node, list):
        return [_point_at_components(value, names) for value in node]
    return node


def _whose(feed: FeedSpec) -> str:
    """Which messages a stream of ``feed`` gets."""
    if feed.personal:
        return (
            "A personal feed: only the signed-in user's own messages in the acting tenant are sent, and only to a "
            "user's access token (an API key is refused with 401)."
        )
    return (
        "Only the acting tenant's messages about the path's `eventId` are sent; an event id the tenant does not "
        "have simply stays silent."
    )
