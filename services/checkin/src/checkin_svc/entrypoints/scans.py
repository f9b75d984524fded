"""checkin's scans on the bus: a badge at a checkpoint, a registration code typed in, offline uploads."""

from plenary_contracts.catalog import checkin as contract
from plenary_kit.service import Runtime

from ..application.scans import Scanning


def register(runtime: Runtime, scanning: Scanning) -> None:
    runtime.serve(contract.PROCESS_SCAN, scanning.process_scan)
    runtime.serve(contract.MANUAL_ENTRY, scanning.enter_manually)
    runtime.serve(contract.UPLOAD_SCANS, scanning.upload)
