"""Bring a database and a NATS server to what the code expects: schemas, migrations, streams, seeds."""

from collections.abc import Iterable

from . import migrations
from .bus.connection import connect
from .bus.topology import apply_topology
from .service import ServiceSpec
from .settings import Settings


def migrate(settings: Settings, services: Iterable[ServiceSpec]) -> list[str]:
    report = []
    for spec in services:
        service = settings.service(spec.name)
        if not service.has_own_database_url:
            migrations.bootstrap_schema(settings.database_url, service)
        migrations.upgrade(spec.migrations_dir, service.database_url)
        report.append(f"{spec.name}: at {migrations.current_revision(service.database_url, spec.schema)}")
    return report


def downgrade(settings: Settings, services: Iterable[ServiceSpec], revision: str = "base") -> list[str]:
    report = []
    for spec in services:
        service = settings.service(spec.name)
        migrations.downgrade(spec.migrations_dir, service.database_url, revision)
        report.append(f"{spec.name}: at {migrations.current_revision(service.database_url, spec.schema)}")
    return report


async def apply_streams(settings: Settings) -> list[str]:
    nc = await connect(settings.nats_url, "plenary-provision")
    try:
        return await apply_topology(nc.jetstream(), replicas=settings.stream_replicas)
    finally:
        await nc.drain()


async def seed(settings: Settings, services: Iterable[ServiceSpec]) -> list[str]:
    report = []
    for spec in services:
        if spec.seed is not None:
            report += [f"{spec.name}: {line}" for line in await spec.seed(settings.service(spec.name))]
    return report
