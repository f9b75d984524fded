"""How an HTTP request maps onto a contract's request model: path, query or body, and its validation.

Path parameters come from the route; GET and DELETE carry the other fields as query parameters,
POST, PUT and PATCH as a JSON object body. Values are validated strictly (a JSON string is not a
number), with text from the path and query first turned into the JSON type the field asks for.

An upload route's body is the file itself: the gateway stores it and fills the route's ``upload``
field with the stored file; its other fields come from the query, as on a GET.
"""

import json
from dataclasses import dataclass
from typing import Any, get_origin

from pydantic import BaseModel, ValidationError

from plenary_contracts.errors import BadRequest, FieldError, ValidationFailed
from plenary_contracts.operations import API_PREFIX, OperationSpec

from ..domain.params import Schema, coerce
from ..domain.requests import unstorable_text_at

QUERY_METHODS = frozenset({"GET", "DELETE"})
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
FILE_NAME_PARAM = "fileName"  # an upload's name, when the body does not carry one


@dataclass(frozen=True)
class RoutePlan:
    """One contract as an HTTP route, worked out once at start-up."""

    op: OperationSpec
    method: str
    path: str
    path_params: tuple[str, ...]
    properties: dict[str, Schema]  # request fields by wire name
    defs: dict[str, Schema]

    @classmethod
    def of(cls, op: OperationSpec) -> "RoutePlan":
        assert op.http is not None
        schema = op.request.model_json_schema()
        return cls(
            op=op,
            method=op.http.method,
            path=API_PREFIX + op.http.path,
            path_params=tuple(op.http.path_params),
            properties=schema.get("properties", {}),
            defs=schema.get("$defs", {}),
        )

    @property
    def upload(self) -> str | None:
        """The request field an uploaded file goes in (its wire name), on an upload route."""
        assert self.op.http is not None
        field = self.op.http.upload
        if field is None:
            return None
        info = self.op.request.model_fields[field]
        return info.alias or field

    @property
    def download(self) -> bool:
        assert self.op.http is not None
        return self.op.http.download

    @property
    def takes_json_body(self) -> bool:
        return self.method in BODY_METHODS and self.upload is None

    @property
    def reads_query(self) -> bool:
        return self.method in QUERY_METHODS or self.upload is not None

    @property
    def query_params(self) -> list[str]:
        if not self.reads_query:
            return []
        return [name for name in self.properties if name not in self.path_params and name != self.upload]

    @property
    def reply_is_list(self) -> bool:
        """Lists (``{data: [...], meta}``) go out as they are; anything else is wrapped in ``{data}``, a record
        with a ``data`` field of its own (a custom object's record, a notification) too."""
        found = self.op.reply.model_fields.get("data")
        return found is not None and get_origin(found.annotation) is list

    def resolve(self, ref: str) -> Schema:
        return self.defs.get(ref.rsplit("/", 1)[-1], {})

    def parse_body(self, body: bytes) -> Any:
        """The JSON body (no body at all is an empty object); malformed JSON is a 400."""
        if not body:
            return {}
        try:
            return json.loads(body)
        except (ValueError, UnicodeDecodeError) as error:
            raise BadRequest("the request body is not valid JSON") from error

    def validate(
        self,
        path_params: dict[str, str],
        query: list[tuple[str, str]],
        body: Any,
        file: dict[str, Any] | None = None,
    ) -> BaseModel:
        """The contract's request; on an upload route ``file`` is the stored file (as JSON) and ``body`` unused."""
        values: dict[str, Any] = {}
        if self.reads_query:
            by_name: dict[str, list[str]] = {}
            for name, value in query:
                if name in self.query_params:
                    by_name.setdefault(name, []).append(value)
            for name, given in by_name.items():
                values[name] = coerce(given, self.properties[name], self.resolve)
        else:
            if not isinstance(body, dict):
                raise ValidationFailed(
                    "request failed validation",
                    errors=[FieldError(loc=["body"], msg="Input should be a JSON object", type="dict_type")],
                )
            values.update(body)
        if self.upload is not None and file is not None:
            values[self.upload] = file
        for name in self.path_params:
            values[name] = coerce([path_params[name]], self.properties.get(name, {}), self.resolve)
        unstorable = unstorable_text_at(values)
        if unstorable is not None:
            raise ValidationFailed("request failed validation", errors=[self._unstorable(unstorable)])
        try:
            return self.op.request.model_validate_json(json.dumps(values), strict=True)
        except ValidationError as error:
            raise ValidationFailed("request failed validation", errors=self._field_errors(error)) from error

    def _field_errors(self, error: ValidationError) -> list[FieldError]:
        errors = []
        for item in error.errors(include_url=False):
            loc = list(item["loc"])
            errors.append(FieldError(loc=[self._where(loc), *loc], msg=item["msg"], type=item["type"]))
        return errors

    def _where(self, loc: list[Any]) -> str:
        if loc and loc[0] in self.path_params:
            return "path"
        if loc and loc[0] == self.upload:
            return "body"
        return "query" if self.reads_query else "body"

    def _unstorable(self, loc: tuple[str | int, ...]) -> FieldError:
        safe = [part if isinstance(part, int) else part.encode("utf-8", "replace").decode() for part in loc]
        return FieldError(
            loc=[self._where(safe), *safe],
            msg="text may not contain NUL characters or unpaired surrogates",
            type="string_unstorable",
        )
