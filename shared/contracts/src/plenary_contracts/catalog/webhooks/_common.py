"""What every area of the webhooks catalog shares: the spec builders, the permission, the flag, error sets."""

from ...errors import ErrorCode
from ...flags import FlagKey
from ...permissions import Permission
from ...specs import Specs, route

SERVICE = "webhooks"
_SPECS = Specs(SERVICE)
_event, _cmd, _qry = _SPECS.event, _SPECS.command, _SPECS.query
_route = route
TAG = "webhooks"
_MANAGE = Permission("webhooks", "manage")
_MANAGING = {"permission": _MANAGE, "flag": FlagKey.WEBHOOKS}
_NOT_FOUND = (ErrorCode.NOT_FOUND,)
_WRITE_ERRORS = (ErrorCode.NOT_FOUND, ErrorCode.CONFLICT, ErrorCode.VALIDATION_ERROR, ErrorCode.BAD_REQUEST)
_STATE_ERRORS = (ErrorCode.NOT_FOUND, ErrorCode.CONFLICT)
