"""Typed errors: what a handler raises, what travels back on the bus, what the gateway maps to HTTP.

The codes are stable words (VALIDATION_ERROR, NOT_FOUND, ...) that integrators can match on; the gateway
turns them into RFC 9457 problem+json with ``type`` built from the code.
"""

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field


class ErrorCode(StrEnum):
    BAD_REQUEST = "BAD_REQUEST"
    VALIDATION_ERROR = "VALIDATION_ERROR"
    UNAUTHORIZED = "UNAUTHORIZED"
    FORBIDDEN = "FORBIDDEN"
    NOT_FOUND = "NOT_FOUND"
    FEATURE_DISABLED = "FEATURE_DISABLED"
    CONFLICT = "CONFLICT"
    IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"
    METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED"
    PAYLOAD_TOO_LARGE = "PAYLOAD_TOO_LARGE"
    PRECONDITION_FAILED = "PRECONDITION_FAILED"
    REQUEST_TIMEOUT = "REQUEST_TIMEOUT"
    RATE_LIMITED = "RATE_LIMITED"
    INTERNAL_ERROR = "INTERNAL_ERROR"
    SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE"
    TIMEOUT = "TIMEOUT"
    SYSTEM_TEMPLATE = "SYSTEM_TEMPLATE"  # a system message template cannot be changed or deleted


HTTP_STATUS: dict[ErrorCode, int] = {
    ErrorCode.BAD_REQUEST: 400,
    ErrorCode.VALIDATION_ERROR: 422,
    ErrorCode.UNAUTHORIZED: 401,
    ErrorCode.FORBIDDEN: 403,
    ErrorCode.NOT_FOUND: 404,
    ErrorCode.FEATURE_DISABLED: 404,
    ErrorCode.CONFLICT: 409,
    ErrorCode.IDEMPOTENCY_KEY_REUSED: 422,
    ErrorCode.METHOD_NOT_ALLOWED: 405,
    ErrorCode.PAYLOAD_TOO_LARGE: 413,
    ErrorCode.PRECONDITION_FAILED: 412,
    ErrorCode.REQUEST_TIMEOUT: 408,
    ErrorCode.RATE_LIMITED: 429,
    ErrorCode.INTERNAL_ERROR: 500,
    ErrorCode.SERVICE_UNAVAILABLE: 503,
    ErrorCode.TIMEOUT: 504,
    ErrorCode.SYSTEM_TEMPLATE: 403,
}


PROBLEM_TYPE_PREFIX = "urn:plenary:problem:"


def problem_type(code: ErrorCode) -> str:
    """RFC 9457 ``type`` of a problem: stable, and carries the error's code."""
    return PROBLEM_TYPE_PREFIX + code.value


class FieldError(BaseModel):
    loc: list[str | int]
    msg: str
    type: str


class ErrorBody(BaseModel):
    code: ErrorCode
    message: str
    status: int
    errors: list[FieldError] = Field(default_factory=list)
    details: dict[str, Any] = Field(default_factory=dict)


class PlenaryError(Exception):
    """Base of every expected failure; anything else is an internal error."""

    code: ErrorCode = ErrorCode.INTERNAL_ERROR

    def __init__(
        self,
        message: str,
        *,
        errors: list[FieldError] | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.errors = errors or []
        self.details = details or {}

    def to_body(self) -> ErrorBody:
        return ErrorBody(
            code=self.code,
            message=self.message,
            status=HTTP_STATUS[self.code],
            errors=self.errors,
            details=self.details,
        )

    @classmethod
    def from_body(cls, body: ErrorBody) -> "PlenaryError":
        error_type = _BY_CODE.get(body.code, PlenaryError)
        error = error_type(body.message, errors=body.errors, details=body.details)
        error.code = body.code
        return error


class BadRequest(PlenaryError):
    code = ErrorCode.BAD_REQUEST


class ValidationFailed(PlenaryError):
    code = ErrorCode.VALIDATION_ERROR


class Unauthorized(PlenaryError):
    code = ErrorCode.UNAUTHORIZED


class Forbidden(PlenaryError):
    code = ErrorCode.FORBIDDEN


class NotFound(PlenaryError):
    code = ErrorCode.NOT_FOUND


class FeatureDisabled(PlenaryError):
    code = ErrorCode.FEATURE_DISABLED


class Conflict(PlenaryError):
    code = ErrorCode.CONFLICT


class PreconditionFailed(PlenaryError):
    code = ErrorCode.PRECONDITION_FAILED


class IdempotencyKeyReused(PlenaryError):
    code = ErrorCode.IDEMPOTENCY_KEY_REUSED


class ServiceUnavailable(PlenaryError):
    code = ErrorCode.SERVICE_UNAVAILABLE


class Timeout(PlenaryError):
    code = ErrorCode.TIMEOUT


class SystemTemplate(PlenaryError):
    code = ErrorCode.SYSTEM_TEMPLATE


_BY_CODE: dict[ErrorCode, type[PlenaryError]] = {
    t.code: t
    for t in (
        BadRequest,
        ValidationFailed,
        Unauthorized,
        Forbidden,
        NotFound,
        FeatureDisabled,
        Conflict,
        PreconditionFailed,
        IdempotencyKeyReused,
        ServiceUnavailable,
        Timeout,
        SystemTemplate,
    )
}
