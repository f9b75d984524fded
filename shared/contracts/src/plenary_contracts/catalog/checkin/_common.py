"""What every area of the checkin catalog shares: the spec builders, permissions, flags and error sets."""

from typing import Annotated

from pydantic import StringConstraints

from ...errors import ErrorCode
from ...flags import FlagKey
from ...permissions import Permission
from ...specs import Specs, route

SERVICE = "checkin"
_SPECS = Specs(SERVICE)
_event, _cmd, _qry = _SPECS.event, _SPECS.command, _SPECS.query
_route = route
Location = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
_SCAN = Permission("check-in", "scan")
_MANAGE = Permission("check-in", "manage")
_KIOSK_MANAGE = Permission("kiosk", "manage")
_SCANNING = {"permission": _SCAN}  # what a paired scanner's key holds: scan, and read what a gate shows
_MANAGING = {"permission": _MANAGE}  # event staff: checkpoints, scanners, badges, keys, the access log
_KIOSKS = {"permission": _KIOSK_MANAGE, "flag": FlagKey.KIOSK_MODE}
# What a paired kiosk itself may do: its device key holds check-in:scan, and the service checks the key is a kiosk's
_AT_KIOSK = {"permission": _SCAN, "flag": FlagKey.KIOSK_MODE}
_NOT_FOUND = (ErrorCode.NOT_FOUND,)
_WRITE_ERRORS = (ErrorCode.NOT_FOUND, ErrorCode.CONFLICT, ErrorCode.VALIDATION_ERROR, ErrorCode.BAD_REQUEST)
_STATE_ERRORS = (ErrorCode.NOT_FOUND, ErrorCode.BAD_REQUEST, ErrorCode.CONFLICT)
