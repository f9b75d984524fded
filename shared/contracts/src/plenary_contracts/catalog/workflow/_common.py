"""What every area of the workflow catalog shares: the spec builders, text types, permissions and error sets."""

from typing import Annotated

from pydantic import StringConstraints

from ...errors import ErrorCode
from ...permissions import Permission
from ...specs import Specs, route

SERVICE = "workflow"
_SPECS = Specs(SERVICE)
_event, _cmd, _qry = _SPECS.event, _SPECS.command, _SPECS.query
_route = route

Description = Annotated[str, StringConstraints(max_length=2000)]
Remarks = Annotated[str, StringConstraints(max_length=2000)]

_WF_CREATE, _WF_READ, _WF_UPDATE, _WF_DELETE = (
    Permission("workflow", a) for a in ("create", "read", "update", "delete")
)
_PARTICIPANT_READ = Permission("participant", "read")
_NOT_FOUND = (ErrorCode.NOT_FOUND,)
_WRITE_ERRORS = (ErrorCode.NOT_FOUND, ErrorCode.CONFLICT, ErrorCode.VALIDATION_ERROR, ErrorCode.BAD_REQUEST)
