import asyncio
from datetime import UTC, datetime
from typing import Annotated

import typer

from plenary_kit.settings import Settings

from . import dead_letters
from .bench.registry import BY_NAME as AREA_NAMES

# The services, their migrations and the runtime are imported by the commands that use them: a command such as
# `plenary dlq list` starts in a fraction of the time.

app = typer.Typer(
    help="Plenary: run it, migrate it, provision it, diagnose it.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
streams_app = typer.Typer(help="JetStream streams, durable consumers and KV buckets.", no_args_is_help=True)
app.add_typer(streams_app, name="streams")
app.add_typer(dead_letters.app, name="dlq")

Services = Annotated[list[str] | None, typer.Argument(help="services (all when none is named)")]


def _print(lines: list[str]) -> None:
    for line in lines:
        typer.echo(line)


@app.command("dev")
def dev_command() -> None:
    """Start everything on embedded defaults (what `make run` runs); Ctrl-C stops it all."""
    from . import dev

    raise typer.Exit(dev.run(Settings()))


@app.command()
def migrate(
    services: Services = None,
    downgrade: Annotated[bool, typer.Option("--downgrade", help="downgrade instead of upgrade")] = False,
    revision: Annotated[str | None, typer.Option(help="target revision (head / base by default)")] = None,
) -> None:
    """Create each service's role and schema if needed, then run its Alembic history."""
    from plenary_kit import provision
    from plenary_kit.discovery import load_services

    settings = Settings()
    specs = load_services(services)
    if downgrade:
        _print(provision.downgrade(settings, specs, revision or "base"))
    else:
        _print(provision.migrate(settings, specs))


@app.command()
def revision(
    service: Annotated[str, typer.Argument(help="the service whose schema changed")],
    message: Annotated[str, typer.Option("-m", "--message")],
) -> None:
    """Autogenerate a migration from the service's tables (the database must be at head)."""
    from plenary_kit import migrations, provision
    from plenary_kit.discovery import load_services

    settings = Settings()
    (spec,) = load_services([service])
    provision.migrate(settings, [spec])
    migrations.revision(spec.migrations_dir, settings.service(spec.name).database_url, message)


@app.command()
def check(services: Services = None) -> None:
    """Fail when a service's tables drifted from its migrations."""
    from plenary_kit import migrations
    from plenary_kit.discovery import load_services

    settings = Settings()
    for spec in load_services(services):
        migrations.check(spec.migrations_dir, settings.service(spec.name).database_url)
        typer.echo(f"{spec.name}: no drift")


@streams_app.command("apply")
def streams_apply() -> None:
    """Create or update streams and buckets, create missing durables (existing ones are kept)."""
    from plenary_kit import provision

    _print(asyncio.run(provision.apply_streams(Settings())))


@app.command()
def seed(services: Services = None) -> None:
    """Seed permissions, roles, flags and the system user; safe to run again."""
    from plenary_kit import provision
    from plenary_kit.discovery import load_services

    _print(asyncio.run(provision.seed(Settings(), load_services(services))))


@app.command("bench")
def bench_command(
    areas: Annotated[
        list[str] | None,
        typer.Argument(
            help=f"areas: {', '.join(AREA_NAMES)} (all when none is named)",
            show_default=False,
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="one JSON object a line instead of a table")] = False,
    size: Annotated[
        list[str] | None, typer.Option("--size", hidden=True, help="'small', or NAME=N to resize one part")
    ] = None,
) -> None:
    """Measure the platform's paths on servers it starts itself; each figure beside its goal and raw limit."""
    from . import bench
    from .bench.registry import UnknownArea
    from .bench.sizes import BadSize, parse_sizes

    try:
        sizes = parse_sizes(size or [])
        code = bench.run(areas or [], sizes, as_json)
    except (UnknownArea, BadSize) as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None
    except bench.MissingProgram as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from None
    raise typer.Exit(code)


@app.command("routes")
def routes_command(
    service: Annotated[str | None, typer.Option("--service", help="only this service's routes")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="a JSON list instead of a table")] = False,
) -> None:
    """Every HTTP route: method, path, subject, permission, flag and the module of its handler."""
    from . import routes

    found = routes.routes(service)
    if as_json:
        typer.echo(routes.render_json(found))
    else:
        _print(routes.render_table(found))


analytics_app = typer.Typer(help="The analytics service's projections.", no_args_is_help=True)
app.add_typer(analytics_app, name="analytics")


@analytics_app.command("rebuild")
def analytics_rebuild_command() -> None:
    """Replay the streams into a fresh copy of the projections and swap it in (live events go on)."""
    from analytics_svc.entrypoints.cli import rebuild

    raise typer.Exit(0 if asyncio.run(rebuild(Settings(), typer.echo)) else 1)


@app.command("replay")
def replay_command(
    tenant: Annotated[str, typer.Argument(help="the tenant whose events to print")],
    since: Annotated[
        datetime | None, typer.Option("--from", help="at or after (UTC); default: a day before --to")
    ] = None,
    until: Annotated[datetime | None, typer.Option("--to", help="before (UTC); default: now")] = None,
    types: Annotated[list[str] | None, typer.Option("--type", help="a CloudEvent type; repeat for several")] = None,
    entity: Annotated[str | None, typer.Option(help="only events about this entity id")] = None,
    actor: Annotated[str | None, typer.Option(help="only events this user or key caused")] = None,
    newest_first: Annotated[bool, typer.Option("--newest-first", help="newest first (default: oldest)")] = False,
) -> None:
    """Print a tenant's events from the auditor's log as JSON lines, read from the streams by the audit service."""
    from . import replay

    request = replay.request_of(
        since=_utc(since),
        until=_utc(until),
        types=types or [],
        entity_id=entity,
        actor_id=actor,
        newest_first=newest_first,
    )
    printed = asyncio.run(replay.replay(Settings(), tenant, request, typer.echo))
    typer.echo(f"{printed} event(s)", err=True)


def _utc(value: datetime | None) -> datetime | None:
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


@app.command("doctor")
def doctor_command() -> None:
    """Check PostgreSQL, NATS, JetStream, streams and schemas; say what is wrong in plain words."""
    from . import doctor

    raise typer.Exit(0 if doctor.run(Settings()) else 1)


def main() -> None:
    """The console entry point: expected failures read as one plain sentence, not a traceback."""
    import sys

    import psycopg
    from nats.errors import Error as NatsError
    from sqlalchemy.exc import OperationalError

    try:
        app()
    except (OperationalError, psycopg.OperationalError) as error:
        typer.echo(f"error: PostgreSQL is not reachable: {str(error).splitlines()[0]}", err=True)
        typer.echo("hint: start it (`make run`) or fix PLENARY_DATABASE_URL; `plenary doctor` says more", err=True)
        sys.exit(1)
    except (NatsError, OSError) as error:
        typer.echo(f"error: NATS is not reachable or refused: {error!r}", err=True)
        typer.echo("hint: start nats-server -js (`make run`) or fix PLENARY_NATS_URL; see `plenary doctor`", err=True)
        sys.exit(1)
    except KeyError as error:
        typer.echo(f"error: {error.args[0]}", err=True)
        sys.exit(2)
