"""identity's side of the token revocation bucket: what the gateways refuse before it expires."""

from nats.js import JetStreamContext

from plenary_contracts.credentials import TokenRevocation
from plenary_contracts.streams import TOKEN_REVOCATIONS_BUCKET


async def put(js: JetStreamContext, key: str, revocation: TokenRevocation) -> None:
    kv = await js.key_value(TOKEN_REVOCATIONS_BUCKET.name)
    await kv.put(key, revocation.model_dump_json().encode())
