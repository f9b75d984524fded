"""What every area of the audit catalog shares: the spec builders, the permission, error sets."""

from ...errors import ErrorCode
from ...permissions import Permission
from ...specs import Specs, route

SERVICE = "audit"
_SPECS = Specs(SERVICE)
_event, _cmd, _qry = _SPECS.event, _SPECS.command, _SPECS.query
_route = route
TAG = "audit"
# No flag: the auditor's log is part of the platform, as the streams it reads are.
_READING = {"permission": Permission("audit", "read")}
_LIST_ERRORS = (ErrorCode.BAD_REQUEST, ErrorCode.VALIDATION_ERROR, ErrorCode.SERVICE_UNAVAILABLE)
_TRACE_ERRORS = (ErrorCode.NOT_FOUND, ErrorCode.VALIDATION_ERROR, ErrorCode.SERVICE_UNAVAILABLE)
