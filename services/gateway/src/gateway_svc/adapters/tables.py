"""gateway's schema."""

from plenary_kit.db import add_messaging_tables, service_metadata

metadata = service_metadata("gateway")
messaging = add_messaging_tables(metadata)
