from audit_svc.adapters.tables import metadata

from plenary_kit.migrations import run_migrations

run_migrations(metadata)
