"""Delegation's invite e-mail: ``invite.sent`` carries the token sealed; comms opens it only to render the
accept link of the one e-mail it sends."""

from datetime import UTC, datetime, timedelta
from typing import Any

from plenary_contracts.catalog import delegation
from plenary_kit.sealing import Sealer

from .conftest import eventually

TOKEN = "ab" * 32


def sealed(comms: Any) -> str:
    """The token as delegation seals it for comms (the same deployment secret)."""
    return Sealer(comms.runtime.base_settings.delegation_invite_secret, delegation.SEALING_PURPOSE).seal(TOKEN)


def invite_payload(event: Any, invite_id: str, email: str) -> dict[str, Any]:
    now = datetime.now(UTC)
    return {
        "id": invite_id,
        "tenantId": event.tenant_id,
        "quotaId": "quota1",
        "eventId": event.id,
        "organizationId": "org-ghana",
        "email": email,
        "status": "PENDING",
        "invitedBy": "admin",
        "expiresAt": (now + timedelta(days=14)).isoformat(),
        "createdAt": now.isoformat(),
        "updatedAt": now.isoformat(),
    }


async def test_an_invite_is_emailed_with_its_accept_link(comms):
    event = await comms.seed_event(timezone="UTC", name="Summit")
    invite = invite_payload(event, "invite1", "kofi@example.org")
    await comms.publish(delegation.INVITE_SENT, {"invite": invite, "sealedToken": sealed(comms)})
    await eventually(lambda: len(comms.sink.to("kofi@example.org")) == 1, timeout=20)
    (email,) = comms.sink.to("kofi@example.org")
    assert email["Subject"] == "You are invited to Summit"
    body = email.get_payload(decode=True).decode()
    assert f"/delegation/accept?token={TOKEN}" in body and "org-ghana" in body


async def test_an_invite_naming_another_tenant_than_its_events_is_not_emailed(comms):
    event = await comms.seed_event()
    stray = invite_payload(event, "invite2", "ama@example.org") | {"tenantId": "another-tenant"}
    await comms.publish(delegation.INVITE_SENT, {"invite": stray, "sealedToken": sealed(comms)})
    then = invite_payload(event, "invite3", "kofi@example.org")
    await comms.publish(delegation.INVITE_SENT, {"invite": then, "sealedToken": sealed(comms)})
    await eventually(lambda: len(comms.sink.to("kofi@example.org")) == 1, timeout=20)  # handled after the stray
    assert comms.sink.to("ama@example.org") == []
