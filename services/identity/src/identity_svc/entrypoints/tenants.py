"""Tenants on the bus."""

from plenary_contracts.catalog import identity as contract
from plenary_kit.service import Runtime

from ..application import tenants


def register(runtime: Runtime) -> None:
    runtime.serve(contract.CREATE_TENANT, tenants.create_tenant)
    runtime.serve(contract.LIST_TENANTS, tenants.list_tenants)
    runtime.serve(contract.GET_TENANT, tenants.get_tenant)
    runtime.serve(contract.UPDATE_TENANT, tenants.update_tenant)
    runtime.serve(contract.TENANT_EXISTS, tenants.tenant_exists)
    runtime.serve(contract.DELETE_TENANT, tenants.delete_tenant)
