"""`plenary doctor`: what is wrong, in plain words."""

import asyncio

import nats
import psycopg
import sqlalchemy as sa
import typer
from nats.js.errors import BucketNotFoundError, NotFoundError
from sqlalchemy.engine import make_url

from plenary_contracts import streams
from plenary_kit import migrations
from plenary_kit.discovery import load_services
from plenary_kit.settings import Settings, async_url, libpq_url


def _say(ok: bool, what: str, fix: str = "") -> bool:
    typer.echo(f"{'ok  ' if ok else 'FAIL'} {what}" + ("" if ok or not fix else f"\n     -> {fix}"))
    return ok


def run(settings: Settings) -> bool:
    healthy = _check_postgres(settings)
    healthy = asyncio.run(_check_nats(settings)) and healthy
    _warn_development_secrets(settings)
    typer.echo("all good" if healthy else "some checks failed")
    return healthy


def _warn_development_secrets(settings: Settings) -> None:
    """Development defaults work out of the box; outside a laptop they must be replaced."""
    defaults = Settings.model_fields
    for name in (
        "api_key_secret",
        "badge_key_secret",
        "personal_data_secret",
        "webhook_secret_key",
        "comms_unsubscribe_secret",
        "comms_provider_report_secret",
        "delegation_invite_secret",
        "db_role_password",
    ):
        if getattr(settings, name) == defaults[name].default:
            typer.echo(f"warn {name} is the development default -> set PLENARY_{name.upper()} in production")


def _shown(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def _check_postgres(settings: Settings) -> bool:
    try:
        with psycopg.connect(libpq_url(settings.database_url), connect_timeout=3) as conn:
            version = conn.execute("SHOW server_version").fetchone()[0]  # type: ignore[index]
        _say(True, f"PostgreSQL {version} answers at the administrative URL")
    except Exception as error:
        return _say(
            False,
            f"PostgreSQL does not answer at {_shown(settings.database_url)}: {error}".strip(),
            f"start it (`make run` starts one on PLENARY_PG_PORT, now {settings.pg_port}) "
            "or point PLENARY_DATABASE_URL at a running server"
            if settings.embedded_postgres
            else "start it or fix PLENARY_DATABASE_URL",
        )
    healthy = True
    for spec in load_services():
        service = settings.service(spec.name)
        engine = sa.create_engine(async_url(service.database_url), poolclass=sa.pool.NullPool)
        try:
            with engine.connect() as conn:
                conn.execute(sa.text(f'SELECT 1 FROM "{spec.schema}".outbox LIMIT 1'))
            current = migrations.current_revision(service.database_url, spec.schema)
            heads = migrations.heads(spec.migrations_dir)
            healthy &= _say(
                current in heads,
                f"{spec.name}: role {service.role} reaches schema {spec.schema}, revision {current}",
                f"run `plenary migrate {spec.name}` (head is {', '.join(heads)})",
            )
        except Exception as error:
            healthy &= _say(
                False,
                f"{spec.name}: cannot use schema {spec.schema} as {service.role}: {type(error).__name__}",
                f"run `plenary migrate {spec.name}`",
            )
        finally:
            engine.dispose()
    return healthy


async def _ignore(error: Exception) -> None:
    pass


async def _check_nats(settings: Settings) -> bool:
    try:
        nc = await nats.connect(  # one attempt, no reconnection and no logged tracebacks: doctor only asks
            servers=[settings.nats_url],
            name="plenary-doctor",
            connect_timeout=3,
            allow_reconnect=False,
            max_reconnect_attempts=1,  # 0 would mean "forever" to the client
            reconnect_time_wait=0.1,
            error_cb=_ignore,
        )
    except Exception as error:
        return _say(
            False,
            f"NATS does not answer at {settings.nats_url}: {type(error).__name__} {error}".strip(),
            f"start it (`make run` starts one on PLENARY_NATS_PORT, now {settings.nats_port}) "
            "or point PLENARY_NATS_URL at a nats-server running with -js"
            if settings.embedded_nats
            else "start nats-server with -js or fix PLENARY_NATS_URL",
        )
    healthy = _say(True, f"NATS answers at {settings.nats_url}")
    try:
        js = nc.jetstream()
        try:
            info = await js.account_info()
            _say(True, f"JetStream is enabled ({info.streams} streams)")
        except Exception as error:
            return _say(False, f"JetStream is not enabled: {error}", "start nats-server with -js")
        for spec in streams.STREAMS:
            try:
                await js.stream_info(spec.name)
                healthy &= _say(True, f"stream {spec.name}")
            except NotFoundError:
                healthy &= _say(False, f"stream {spec.name} is missing", "run `plenary streams apply`")
        for consumer in streams.CONSUMERS:
            try:
                info = await js.consumer_info(consumer.stream, consumer.durable)
                healthy &= _say(True, f"consumer {consumer.durable} ({info.num_pending} pending)")
            except NotFoundError:
                healthy &= _say(False, f"consumer {consumer.durable} is missing", "run `plenary streams apply`")
        for bucket in streams.KV_BUCKETS:
            try:
                await js.key_value(bucket.name)
                healthy &= _say(True, f"KV bucket {bucket.name}")
            except BucketNotFoundError:
                healthy &= _say(False, f"KV bucket {bucket.name} is missing", "run `plenary streams apply`")
        for objects in streams.OBJECT_BUCKETS:
            try:
                await js.object_store(objects.name)
                healthy &= _say(True, f"object bucket {objects.name}")
            except BucketNotFoundError:
                healthy &= _say(False, f"object bucket {objects.name} is missing", "run `plenary streams apply`")
        dead = (await js.stream_info(streams.DEAD_LETTER_STREAM.name)).state.messages
        healthy &= _say(dead == 0, f"{dead} dead letter(s)", "inspect them with `plenary dlq list`")
    except NotFoundError:
        pass
    finally:
        await nc.drain()
    return healthy
