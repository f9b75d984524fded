"""Event series and their editions on the bus."""

from plenary_contracts.catalog import events as contract
from plenary_kit.service import Runtime

from ..application import series


def register(runtime: Runtime) -> None:
    runtime.serve(contract.CREATE_SERIES, series.create_series)
    runtime.serve(contract.LIST_SERIES, series.list_series)
    runtime.serve(contract.GET_SERIES, series.get_series)
    runtime.serve(contract.UPDATE_SERIES, series.update_series)
    runtime.serve(contract.DELETE_SERIES, series.delete_series)
    runtime.serve(contract.ADD_EDITION, series.add_edition)
    runtime.serve(contract.UPDATE_EDITION, series.update_edition)
    runtime.serve(contract.REMOVE_EDITION, series.remove_edition)
