from .engine import create_engine_for, create_session_factory
from .listing import contains_any, fetch_page
from .messaging import MessagingTables, add_messaging_tables
from .purge import purge_tenant
from .raw import driver_connection, fetch_one
from .read_models import same_tenant, set_if_newer_version, upsert_if_newer
from .row_queries import RowField, RowSource, fetch_groups, fetch_rows, required_scope, sort_index_sql
from .tables import (
    created_at,
    cross_service_ref,
    enum_column,
    foreign_key,
    id_column,
    jsonb_column,
    service_metadata,
    tenant_id_column,
    text_array,
    updated_at,
)
from .unique import execute_unique, violated_constraint
from .uow import UnitOfWork, drain

__all__ = [
    "MessagingTables",
    "RowField",
    "RowSource",
    "UnitOfWork",
    "add_messaging_tables",
    "contains_any",
    "create_engine_for",
    "create_session_factory",
    "created_at",
    "cross_service_ref",
    "drain",
    "driver_connection",
    "enum_column",
    "execute_unique",
    "fetch_groups",
    "fetch_one",
    "fetch_page",
    "fetch_rows",
    "foreign_key",
    "id_column",
    "jsonb_column",
    "purge_tenant",
    "required_scope",
    "same_tenant",
    "service_metadata",
    "set_if_newer_version",
    "sort_index_sql",
    "tenant_id_column",
    "text_array",
    "updated_at",
    "upsert_if_newer",
    "violated_constraint",
]
