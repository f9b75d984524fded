"""Return once one service may start: its schema is at the head revision of its migrations (`plenary migrate`
ran for this release) and its durable consumers and the KV buckets exist (`plenary streams apply` ran).

The Kubernetes Deployments run it as an init container while the provisioning Job runs; it connects as the
service's own role, never with the administrative URL. Usage: wait_provisioned.py <service> [--every SECONDS]
"""

import argparse
import asyncio
import sys

import nats
from nats.js.errors import BucketNotFoundError, NotFoundError

from plenary_contracts import streams
from plenary_kit import migrations
from plenary_kit.discovery import load_services
from plenary_kit.settings import Settings


def schema_missing(name: str) -> str | None:
    spec = load_services([name])[0]
    url = Settings().service(name).database_url
    try:
        current = migrations.current_revision(url, spec.schema)
    except Exception as error:
        return f"schema {spec.schema} not reachable as its role: {type(error).__name__}"
    heads = migrations.heads(spec.migrations_dir)
    return None if current in heads else f"schema {spec.schema} at {current}, head is {', '.join(heads)}"


async def streams_missing(name: str) -> str | None:
    settings = Settings().service(name)
    try:
        nc = await nats.connect(servers=[settings.nats_url], connect_timeout=3, allow_reconnect=False)
    except Exception as error:
        return f"NATS not reachable at {settings.nats_url}: {type(error).__name__}"
    try:
        js = nc.jetstream()
        for consumer in streams.consumers_of(name):
            for lane in consumer.durables():
                try:
                    await js.consumer_info(consumer.stream, lane.durable)
                except NotFoundError:
                    return f"durable {consumer.stream}/{lane.durable} missing"
        for bucket in streams.KV_BUCKETS:
            try:
                await js.key_value(bucket.name)
            except BucketNotFoundError:
                return f"KV bucket {bucket.name} missing"
        return None
    finally:
        await nc.close()


async def wait(name: str, every: float) -> None:
    while True:
        missing = schema_missing(name) or await streams_missing(name)
        if missing is None:
            print(f"{name}: provisioned", flush=True)
            return
        print(f"{name}: waiting for the provisioning job ({missing})", flush=True)
        await asyncio.sleep(every)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("service")
    parser.add_argument("--every", type=float, default=5.0, help="seconds between two looks")
    args = parser.parse_args()
    try:
        asyncio.run(wait(args.service, args.every))
    except KeyError as error:
        sys.exit(f"wait_provisioned: {error}")


if __name__ == "__main__":
    main()
