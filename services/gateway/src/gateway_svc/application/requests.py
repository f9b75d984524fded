"""How an HTTP request maps onto a contract's request model: path, query or body, and its validation.

Path parameters come from the route; GET and DELETE carry the other fields as query parameters,
POST, PUT and PATCH as a JSON object body. Values are validated strictly (a JSON string is not a
number), with text from the path and query first turned into the JSON type the field asks for.
"""

import json
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

from plenary_contracts.errors import BadRequest, FieldError, ValidationFailed
from plenary_contracts.operations import OperationSpec

from ..domain.params import Schema, coerce
from ..domain.requests import unstorable_text_at

API_PREFIX = "/api/v1"
QUERY_METHODS = frozenset({"GET", "DELETE"})
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


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
    def reads_query(self) -> bool:
        return self.method in QUERY_METHODS

    @property
    def query_params(self) -> list[str]:
        return [name for name in self.properties if name not in self.path_params] if self.reads_query else []

    @property
    def reply_is_list(self) -> bool:
        """Lists (``{data, meta}``) go out as they are; anything else is wrapped in ``{data}``."""
        return "data" in self.op.reply.model_fields

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

    def validate(self, path_params: dict[str, str], query: list[tuple[str, str]], body: Any) -> BaseModel:
        values: dict[str, Any] = {}
        if self.reads_query:
            by_name: dict[str, list[str]] = {}
            for name, value in query:
                if name in self.properties and name not in self.path_params:
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
        return "query" if self.reads_query else "body"

    def _unstorable(self, loc: tuple[str | int, ...]) -> FieldError:
        safe = [part if isinstance(part, int) else part.encode("utf-8", "replace").decode() for part in loc]
        return FieldError(
            loc=[self._where(safe), *safe],
            msg="text may not contain NUL characters or unpaired surrogates",
            type="string_unstorable",
        )
