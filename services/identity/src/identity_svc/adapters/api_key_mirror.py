"""identity's side of the API key bucket: usable keys' credentials by lookup id, nothing else."""

from datetime import datetime

from nats.js import JetStreamContext

from plenary_contracts.catalog import identity as contract
from plenary_contracts.streams import API_KEYS_BUCKET


def lookup_id_of(key_prefix: str) -> str:
    """The lookup id inside a display prefix ``ak_<tenant4>_<lookup id>``."""
    return key_prefix.rsplit("_", 1)[-1]


async def reflect(
    js: JetStreamContext,
    credential: contract.ApiKeyCredential | None,
    key_prefix: str,
    now: datetime,
) -> None:
    """Put the key's credential when it is usable now; otherwise make sure the bucket forgets it."""
    kv = await js.key_value(API_KEYS_BUCKET.name)
    if credential is not None and credential.usable_at(now):
        await kv.put(credential.lookup_id, credential.model_dump_json().encode())
    else:
        await kv.delete(credential.lookup_id if credential is not None else lookup_id_of(key_prefix))
