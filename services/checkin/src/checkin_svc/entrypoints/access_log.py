"""Access log operations: thin handlers over the use cases."""

from plenary_contracts.catalog import checkin as contract
from plenary_kit.service import Runtime

from ..application import access_log
from ..application.access_log import AccessLogExports


def register(runtime: Runtime, exports: AccessLogExports) -> None:
    runtime.serve(contract.LIST_ACCESS_LOG, access_log.list_access_log)
    runtime.serve(contract.EXPORT_ACCESS_LOG, exports.export_access_log)
