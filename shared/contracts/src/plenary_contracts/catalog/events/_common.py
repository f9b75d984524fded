"""What every area of the events catalog shares: the spec builders, text types, permissions and error sets."""

from typing import Annotated

from pydantic import StringConstraints

from ...errors import ErrorCode
from ...permissions import Permission
from ...specs import Specs, route

SERVICE = "events"
_SPECS = Specs(SERVICE)
_event, _cmd, _qry = _SPECS.event, _SPECS.command, _SPECS.query
_route = route
Text = Annotated[str, StringConstraints(max_length=2000)]

_EVENT_CREATE, _EVENT_READ, _EVENT_UPDATE, _EVENT_DELETE = (
    Permission("event", a) for a in ("create", "read", "update", "delete")
)
_NOT_FOUND = (ErrorCode.NOT_FOUND,)
_WRITE_ERRORS = (ErrorCode.NOT_FOUND, ErrorCode.CONFLICT, ErrorCode.VALIDATION_ERROR, ErrorCode.BAD_REQUEST)
_UPDATE_ERRORS = (*_WRITE_ERRORS, ErrorCode.PRECONDITION_FAILED)
