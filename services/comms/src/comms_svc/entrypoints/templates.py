"""Template operations: thin handlers over the use cases."""

from plenary_contracts.catalog import comms as contract
from plenary_kit.service import Runtime

from ..application import templates


def register(runtime: Runtime) -> None:
    runtime.serve(contract.CREATE_TEMPLATE, templates.create_template)
    runtime.serve(contract.LIST_TEMPLATES, templates.list_templates)
    runtime.serve(contract.GET_TEMPLATE, templates.get_template)
    runtime.serve(contract.UPDATE_TEMPLATE, templates.update_template)
    runtime.serve(contract.DELETE_TEMPLATE, templates.delete_template)
    runtime.serve(contract.CLONE_TEMPLATE, templates.clone_template)
    runtime.serve(contract.PREVIEW_TEMPLATE, templates.preview_template)
