"""The platform's own messages, as system templates every tenant holds (written on first need).

A tenant changes one of them by cloning it under the same name followed by ``.custom`` (same channel) and
editing the clone: a platform message is rendered from the tenant's ``.custom`` template when there is one.
"""

from dataclasses import dataclass

from plenary_contracts.enums import MessageChannel

from ..adapters import template_repository as templates
from ..adapters.template_repository import Db
from ..domain.rendering import variables_of

OVERRIDE_SUFFIX = ".custom"


@dataclass(frozen=True)
class SystemTemplate:
    name: str
    channel: MessageChannel
    subject: str | None
    body: str


WORKFLOW_NOTICE = SystemTemplate(
    "workflow.notification",
    MessageChannel.EMAIL,
    "{{title}}",
    "Hello {{userName}},\n\n{{message}}\n\n-- Plenary",
)
WAITLIST_OFFER = SystemTemplate(
    "waitlist.promoted",
    MessageChannel.EMAIL,
    "A place is free for you at {{eventName}}",
    "Dear {{firstName}} {{lastName}},\n\nA place opened up at {{eventName}}. Confirm it before {{deadline}} "
    "(waitlist entry {{entryId}}), or it goes to the next person waiting.\n\n-- Plenary",
)
WAITLIST_CONFIRMED = SystemTemplate(
    "waitlist.confirmed",
    MessageChannel.EMAIL,
    "You are registered for {{eventName}}",
    "Dear {{firstName}} {{lastName}},\n\nYou took the place offered at {{eventName}}: you are registered.\n\n"
    "-- Plenary",
)
DELEGATION_INVITE = SystemTemplate(
    "delegation.invite",
    MessageChannel.EMAIL,
    "You are invited to {{eventName}}",
    "Hello,\n\n{{organizationId}} invites you as its delegate to {{eventName}}. Accept before {{expiresAt}} "
    "with this link, then register: {{acceptLink}}\n\n-- Plenary",
)
ALL = (WORKFLOW_NOTICE, WAITLIST_OFFER, WAITLIST_CONFIRMED, DELEGATION_INVITE)


async def ensure(db: Db, tenant_id: str) -> None:
    """The tenant holds every system template (those it lacks are written)."""
    rows = [
        {
            "name": t.name,
            "channel": t.channel,
            "subject": t.subject,
            "body": t.body,
            "variables": variables_of(t.subject, t.body),
        }
        for t in ALL
    ]
    await templates.insert_system(db, tenant_id, rows)  # type: ignore[arg-type]


async def text_of(db: Db, tenant_id: str, template: SystemTemplate) -> tuple[str | None, str]:
    """The subject and body a platform message is rendered from: the tenant's override, else the system one."""
    override = await templates.by_name(db, tenant_id, template.name + OVERRIDE_SUFFIX, template.channel)
    if override is not None:
        return override.subject, override.body
    return template.subject, template.body
