"""identity's side of the flags KV bucket: it alone writes there."""

from nats.js import JetStreamContext

from plenary_contracts.streams import FLAGS_BUCKET

from ..domain.flags import Flag
from .flag_repository import to_state


async def put(js: JetStreamContext, flags: list[Flag]) -> None:
    kv = await js.key_value(FLAGS_BUCKET.name)
    for flag in flags:
        await kv.put(flag.key, to_state(flag).model_dump_json().encode())
