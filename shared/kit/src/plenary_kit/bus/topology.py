"""Apply the streams, durable consumers and KV buckets declared in the contracts."""

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


def stream_config(spec: contracts.StreamSpec) -> StreamConfig:
    return StreamConfig(
        name=spec.name,
        description=spec.description,
        subjects=spec.subjects,
        retention=RetentionPolicy(spec.retention),
        storage=StorageType(spec.storage),
        max_age=float(spec.max_age_seconds),
        duplicate_window=float(spec.duplicate_window_seconds),
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
) -> list[str]:
    """Create or update streams and buckets; create missing durables. An existing durable keeps its
    settings and position; only its filter subjects follow the contract (the server updates them in place)."""
    report: list[str] = []
    for spec in contracts.STREAMS if stream_specs is None else stream_specs:
        config = stream_config(spec)
        try:
            await js.stream_info(spec.name)
        except NotFoundError:
            await js.add_stream(config)
            report.append(f"stream {spec.name}: created")
        else:
            await js.update_stream(config)
            report.append(f"stream {spec.name}: updated")
    for spec in contracts.CONSUMERS if consumer_specs is None else consumer_specs:
        for lane in spec.durables():
            report.append(await _apply_durable(js, spec, lane))
    for spec in contracts.KV_BUCKETS if bucket_specs is None else bucket_specs:
        try:
            await js.key_value(spec.name)
            report.append(f"bucket {spec.name}: exists")
        except BucketNotFoundError:
            await js.create_key_value(
                KeyValueConfig(
                    bucket=spec.name,
                    description=spec.description,
                    history=spec.history,
                    storage=StorageType(spec.storage),
                    ttl=spec.ttl_seconds,
                )
            )
            report.append(f"bucket {spec.name}: created")
    for object_spec in contracts.OBJECT_BUCKETS if object_specs is None else object_specs:
        try:
            await js.object_store(object_spec.name)
            report.append(f"object bucket {object_spec.name}: exists")
        except BucketNotFoundError:
            config = ObjectStoreConfig(
                description=object_spec.description,
                ttl=object_spec.ttl_seconds,
                storage=StorageType(object_spec.storage),
            )
            await js.create_object_store(object_spec.name, config=config)
            report.append(f"object bucket {object_spec.name}: created")
    return report


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
