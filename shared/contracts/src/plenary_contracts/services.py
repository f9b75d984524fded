"""The services of Plenary: the one list every registry, stream and tool is built from."""

SERVICES: tuple[str, ...] = (
    "identity",
    "events",
    "registration",
    "workflow",
    "delegation",
    "views",
    "custom-objects",
    "analytics",
    "webhooks",
    "checkin",
    "comms",
    "gateway",
    "audit",
)


def schema_of(service: str) -> str:
    """The service's Postgres schema (and the stem of its role): `custom-objects` -> `custom_objects`."""
    return service.replace("-", "_")


def package_of(service: str) -> str:
    return f"{schema_of(service)}_svc"
