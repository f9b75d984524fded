"""`plenary replay`: a tenant's events from the auditor's log, one CloudEvent per line, oldest first by default.

It asks the audit service over the bus (the index says where each event sits; the events come from the
streams), as the platform's global admin acting in the tenant, page after page until the window is read."""

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from plenary_contracts.catalog import audit
from plenary_contracts.catalog.identity import SYSTEM_USER_ID
from plenary_kit import context as ctx
from plenary_kit.bus.connection import connect
from plenary_kit.bus.rpc import call
from plenary_kit.settings import Settings

GLOBAL_ADMIN = "ADMIN"


def request_of(
    *,
    since: datetime | None,
    until: datetime | None,
    types: list[str],
    entity_id: str | None,
    actor_id: str | None,
    newest_first: bool,
) -> dict[str, Any]:
    request: dict[str, Any] = {"order": "newest" if newest_first else "oldest", "limit": audit.MAX_PAGE}
    for name, value in (("from", since), ("to", until)):
        if value is not None:
            request[name] = value.isoformat()
    for name, given in (("types", types or None), ("entityId", entity_id), ("actorId", actor_id)):
        if given is not None:
            request[name] = given
    return request


async def replay(settings: Settings, tenant_id: str, request: dict[str, Any], emit: Callable[[str], None]) -> int:
    """Print every event of the window; the number printed."""
    nc = await connect(settings.nats_url, "plenary-replay")
    caller = ctx.Context(tenant_id=tenant_id, actor_id=SYSTEM_USER_ID, roles=(GLOBAL_ADMIN,))
    printed = 0
    try:
        after = None
        while True:
            page = await call(nc, audit.LIST_EVENTS, {**request, **({"after": after} if after else {})}, context=caller)
            for item in page.data:
                emit(json.dumps(item.event, ensure_ascii=False, separators=(",", ":")))
            printed += len(page.data)
            after = page.next_cursor
            if after is None:
                return printed
    finally:
        await nc.drain()
