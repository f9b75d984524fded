"""Saved views and running them, on the bus."""

from plenary_contracts.catalog import views as contract
from plenary_kit.service import Runtime

from ..application import saved_views
from ..application.running import ViewRunner
from ..application.saved_views import SavedViews


def register(runtime: Runtime, book: SavedViews, runner: ViewRunner) -> None:
    runtime.serve(contract.CREATE_VIEW, book.create)
    runtime.serve(contract.LIST_VIEWS, saved_views.list_views)
    runtime.serve(contract.GET_DEFAULT_VIEW, saved_views.get_default_view)
    runtime.serve(contract.GET_VIEW, saved_views.get_view)
    runtime.serve(contract.UPDATE_VIEW, book.update)
    runtime.serve(contract.DELETE_VIEW, saved_views.delete_view)
    runtime.serve(contract.DUPLICATE_VIEW, saved_views.duplicate_view)
    runtime.serve(contract.RUN_VIEW, runner.run)
    runtime.serve(contract.MOVE_CARD, runner.move)
