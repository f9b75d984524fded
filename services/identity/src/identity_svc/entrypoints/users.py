"""Users and their roles on the bus."""

from plenary_contracts.catalog import identity as contract
from plenary_kit.service import Runtime

from ..application.users import Users


def register(runtime: Runtime, users: Users) -> None:
    runtime.serve(contract.CREATE_USER, users.create_user)
    runtime.serve(contract.LIST_USERS, users.list_users)
    runtime.serve(contract.GET_USER, users.get_user)
    runtime.serve(contract.UPDATE_USER, users.update_user)
    runtime.serve(contract.DELETE_USER, users.delete_user)
    runtime.serve(contract.ASSIGN_ROLE, users.assign_role)
    runtime.serve(contract.UNASSIGN_ROLE, users.unassign_role)
    runtime.serve(contract.LIST_ROLES, users.list_roles)
