"""Apply the streams, durable consumers and KV buckets declared in the contracts."""

import asyncio

from nats.js import JetStreamContext
from nats.js.api import (
    AckPolicy,
    ConsumerConfig,
    DeliverPolicy,
    KeyValueConfig,
    ObjectStoreConfig,
    RetentionPolicy,
    StorageType,
    StreamConfig,
)
from nats.js.errors import BucketNotFoundError, NotFoundError

from plenary_contracts import streams as contracts


def stream_config(spec: contracts.StreamSpec, replicas: int = 1) -> StreamConfig:
    return StreamConfig(
        name=spec.name,
        description=spec.description,
        subjects=spec.subjects,
        retention=RetentionPolicy(spec.retention),
        storage=StorageType(spec.storage),
        max_age=float(spec.max_age_seconds),
        duplicate_window=float(spec.duplicate_window_seconds),
        num_replicas=replicas,
        # A message read by its sequence (the auditor's log, a dead letter) is answered by any replica, and
        # without a consumer: the cheapest read JetStream offers.
        allow_direct=True,
    )


def consumer_config(spec: contracts.ConsumerSpec, lane: contracts.LaneDurable) -> ConsumerConfig:
    return ConsumerConfig(
        durable_name=lane.durable,
        name=lane.durable,
        description=spec.description,
        filter_subjects=lane.filter_subjects,
        deliver_policy=DeliverPolicy.ALL,
        ack_policy=AckPolicy.EXPLICIT,
        ack_wait=float(spec.ack_wait_seconds),
        max_deliver=spec.max_deliver,
        max_ack_pending=spec.max_ack_pending,
    )


async def apply_topology(
    js: JetStreamContext,
    stream_specs: list[contracts.StreamSpec] | None = None,
    consumer_specs: list[contracts.ConsumerSpec] | None = None,
    bucket_specs: list[contracts.KvBucketSpec] | None = None,
    object_specs: list[contracts.ObjectBucketSpec] | None = None,
    replicas: int = 1,
) -> list[str]:
    """Create or update streams and buckets; create missing durables. An existing durable keeps its
    settings and position; only its filter subjects follow the contract (the server updates them in place).

    The requests go out together (streams and buckets, then the durables, which need their streams): one
    at a time, the round trips of about 150 of them were most of a service's start and of a test's setup.

    ``replicas`` is how many copies the JetStream cluster keeps of each stream and bucket (durables follow
    their stream); an existing stream is updated to it, an existing bucket is left as it is."""
    streams = contracts.STREAMS if stream_specs is None else stream_specs
    consumers = contracts.CONSUMERS if consumer_specs is None else consumer_specs
    buckets = contracts.KV_BUCKETS if bucket_specs is None else bucket_specs
    objects = contracts.OBJECT_BUCKETS if object_specs is None else object_specs
    stream_lines, bucket_lines, object_lines = await asyncio.gather(
        asyncio.gather(*(_apply_stream(js, spec, replicas) for spec in streams)),
        asyncio.gather(*(_apply_bucket(js, spec, replicas) for spec in buckets)),
        asyncio.gather(*(_apply_object_bucket(js, spec, replicas) for spec in objects)),
    )
    durable_lines = await asyncio.gather(
        *(_apply_durable(js, spec, lane) for spec in consumers for lane in spec.durables())
    )
    return [*stream_lines, *durable_lines, *bucket_lines, *object_lines]


async def _apply_stream(js: JetStreamContext, spec: contracts.StreamSpec, replicas: int) -> str:
    config = stream_config(spec, replicas)
    try:
        await js.stream_info(spec.name)
    except NotFoundError:
        await js.add_stream(config)
        return f"stream {spec.name}: created"
    await js.update_stream(config)
    return f"stream {spec.name}: updated"


async def _apply_bucket(js: JetStreamContext, spec: contracts.KvBucketSpec, replicas: int) -> str:
    try:
        await js.key_value(spec.name)
        return f"bucket {spec.name}: exists"
    except BucketNotFoundError:
        await js.create_key_value(
            KeyValueConfig(
                bucket=spec.name,
                description=spec.description,
                history=spec.history,
                storage=StorageType(spec.storage),
                ttl=spec.ttl_seconds,
                replicas=replicas,
            )
        )
        return f"bucket {spec.name}: created"


async def _apply_object_bucket(js: JetStreamContext, spec: contracts.ObjectBucketSpec, replicas: int) -> str:
    try:
        await js.object_store(spec.name)
        return f"object bucket {spec.name}: exists"
    except BucketNotFoundError:
        config = ObjectStoreConfig(
            description=spec.description, ttl=spec.ttl_seconds, storage=StorageType(spec.storage), replicas=replicas
        )
        await js.create_object_store(spec.name, config=config)
        return f"object bucket {spec.name}: created"


async def _apply_durable(js: JetStreamContext, spec: contracts.ConsumerSpec, lane: contracts.LaneDurable) -> str:
    name = f"consumer {spec.stream}/{lane.durable}"
    try:
        existing = (await js.consumer_info(spec.stream, lane.durable)).config
    except NotFoundError:
        await js.add_consumer(spec.stream, consumer_config(spec, lane))
        return f"{name}: created"
    current = existing.filter_subjects or ([existing.filter_subject] if existing.filter_subject else [])
    if sorted(current) == sorted(lane.filter_subjects):
        return f"{name}: exists, left as is"
    await js.add_consumer(spec.stream, existing.evolve(filter_subject=None, filter_subjects=lane.filter_subjects))
    return f"{name}: filter subjects updated"
