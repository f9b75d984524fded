"""registration's bulk operations on the bus: imports, exports, undo, and the background import runner."""

from plenary_contracts.catalog import registration as contract
from plenary_kit.service import Runtime

from ..application.exports import Exports
from ..application.import_runner import ImportRunner
from ..application.imports import Imports


def register(runtime: Runtime, imports: Imports, exports: Exports, runner: ImportRunner) -> None:
    runtime.serve(contract.CREATE_IMPORT, imports.create_import)
    runtime.serve(contract.VALIDATE_IMPORT, imports.validate_import)
    runtime.serve(contract.CONFIRM_IMPORT, imports.confirm_import)
    runtime.serve(contract.CANCEL_IMPORT, imports.cancel_import)
    runtime.serve(contract.UNDO_BULK_OPERATION, imports.undo)
    runtime.serve(contract.GET_BULK_OPERATION, imports.get_operation)
    runtime.serve(contract.LIST_BULK_OPERATIONS, imports.list_operations)
    runtime.serve(contract.LIST_BULK_ITEMS, imports.list_items)
    runtime.serve(contract.DOWNLOAD_BULK_FILE, imports.download_file)
    runtime.serve(contract.EXPORT_PARTICIPANTS, exports.export_participants)

    # Imports interrupted by a crash or a redeploy resume here, on whichever replica polls first.
    runtime.every(runtime.base_settings.import_poll_seconds, runner.run_pending)
    runtime.on_stop(runner.stop)
