"""identity: tenants, which a global administrator manages and every service purges on deletion."""

from datetime import datetime
from typing import Annotated, Any

from pydantic import Field, StringConstraints

from ...errors import ErrorCode
from ...fields import Id, Name
from ...listing import ListQuery, Page
from ...model import Model
from ...operations import Empty, HttpRoute
from ...permissions import Permission
from ._common import _NF, _PRECONDITION, Email, _cmd, _event, _qry

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{1,62}$")]


class Tenant(Model):
    id: str
    name: str
    slug: str
    email: str
    phone: str
    subscription_plan: str
    extras: dict[str, Any] = Field(default_factory=dict)
    created_at: datetime
    updated_at: datetime


class CreateTenant(Model):
    name: Name
    slug: Slug
    email: Email
    phone: Annotated[str, StringConstraints(strip_whitespace=True, max_length=40)] = ""
    subscription_plan: Annotated[str, StringConstraints(min_length=1, max_length=40)] = "free"
    extras: dict[str, Any] = Field(default_factory=dict)


class UpdateTenant(Model):
    id: Id
    name: Name | None = None
    email: Email | None = None
    phone: Annotated[str, StringConstraints(strip_whitespace=True, max_length=40)] | None = None
    subscription_plan: Annotated[str, StringConstraints(min_length=1, max_length=40)] | None = None
    extras: dict[str, Any] | None = None


class TenantRef(Model):
    id: Id


class ListTenants(ListQuery):
    search: Annotated[str, StringConstraints(max_length=200)] | None = None


class TenantPage(Page[Tenant]):
    pass


class TenantDeleted(Model):
    tenant_id: str


class TenantExistence(Model):
    id: str
    exists: bool


class TenantChanged(Model):
    tenant: Tenant


# --- domain events -------------------------------------------------------------------------------

TENANT_CREATED = _event("tenant", "created", TenantChanged, "A tenant was created.")
TENANT_UPDATED = _event("tenant", "updated", TenantChanged, "A tenant's details changed.")
TENANT_DELETED = _event("tenant", "deleted", TenantDeleted, "A tenant was deleted; every service purges its rows.")
_TENANT_MANAGE = Permission("tenant", "manage")


# --- operations ----------------------------------------------------------------------------------

CREATE_TENANT = _cmd(
    "create_tenant",
    CreateTenant,
    Tenant,
    "Create a tenant.",
    errors=(ErrorCode.VALIDATION_ERROR, ErrorCode.CONFLICT),
    permission=_TENANT_MANAGE,
    global_only=True,
    http=HttpRoute("POST", "/tenants", status_code=201, summary="Create a tenant", tags=("tenants",)),
)
LIST_TENANTS = _qry(
    "list_tenants",
    ListTenants,
    TenantPage,
    "Every tenant; `search` matches name, slug or e-mail.",
    errors=(ErrorCode.VALIDATION_ERROR,),
    permission=_TENANT_MANAGE,
    global_only=True,
    http=HttpRoute("GET", "/tenants", summary="List tenants", tags=("tenants",)),
)
GET_TENANT = _qry(
    "get_tenant",
    TenantRef,
    Tenant,
    "One tenant.",
    errors=_NF,
    permission=_TENANT_MANAGE,
    global_only=True,
    http=HttpRoute("GET", "/tenants/{id}", summary="Get a tenant", tags=("tenants",)),
)
UPDATE_TENANT = _cmd(
    "update_tenant",
    UpdateTenant,
    Tenant,
    "Change a tenant's details; honours If-Match.",
    errors=(*_PRECONDITION, ErrorCode.CONFLICT),
    permission=_TENANT_MANAGE,
    global_only=True,
    http=HttpRoute("PATCH", "/tenants/{id}", summary="Update a tenant", tags=("tenants",)),
)
TENANT_EXISTS = _qry(
    "tenant_exists",
    TenantRef,
    TenantExistence,
    "Whether a tenant exists (the gateway checks a global admin's X-Tenant-Id).",
)
DELETE_TENANT = _cmd(
    "delete_tenant",
    TenantRef,
    Empty,
    "Delete a tenant with its users, roles and keys; other services purge on the event.",
    errors=(ErrorCode.NOT_FOUND, ErrorCode.PRECONDITION_FAILED),
    permission=_TENANT_MANAGE,
    global_only=True,
    http=HttpRoute("DELETE", "/tenants/{id}", status_code=204, summary="Delete a tenant", tags=("tenants",)),
)
