"""What every area of the comms catalog shares: the spec builders, the permission, the flags, error sets."""

from ...errors import ErrorCode
from ...flags import FlagKey
from ...permissions import Permission
from ...specs import Specs, route

SERVICE = "comms"
_SPECS = Specs(SERVICE)
_event, _cmd, _qry = _SPECS.event, _SPECS.command, _SPECS.query
_route = route
TAG = "communication"
_BROADCAST = Permission("communication", "broadcast")
# Templates and broadcasts are the communication hub's: its flag gates both, one permission covers both.
_HUB = {"permission": _BROADCAST, "flag": FlagKey.COMMUNICATION_HUB}
# A user's own in-app notifications: any signed-in user, for themselves only.
_MINE = {"flag": FlagKey.NOTIFICATIONS}
_NOT_FOUND = (ErrorCode.NOT_FOUND,)
_WRITE_ERRORS = (ErrorCode.NOT_FOUND, ErrorCode.CONFLICT, ErrorCode.VALIDATION_ERROR, ErrorCode.BAD_REQUEST)
_TEMPLATE_ERRORS = (*_WRITE_ERRORS, ErrorCode.SYSTEM_TEMPLATE)
_STATE_ERRORS = (ErrorCode.NOT_FOUND, ErrorCode.BAD_REQUEST, ErrorCode.VALIDATION_ERROR)
