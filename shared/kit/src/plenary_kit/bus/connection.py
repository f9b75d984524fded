import nats
from nats.aio.client import Client


async def connect(url: str, name: str, *, connect_timeout: float = 5.0) -> Client:
    """A client that keeps reconnecting for as long as the process lives."""
    return await nats.connect(
        servers=[url],
        name=name,
        connect_timeout=connect_timeout,
        reconnect_time_wait=0.5,
        max_reconnect_attempts=-1,
        allow_reconnect=True,
    )
