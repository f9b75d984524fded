"""Channel rules a message must meet before it is sent."""

from plenary_contracts.enums import MessageChannel

SMS_LIMIT = 160
DEFAULT_SUBJECT = "Notification"


def sms_problem(text: str) -> str | None:
    """An SMS is one message of at most 160 characters: a longer one is refused, never cut."""
    if len(text) > SMS_LIMIT:
        return f"an SMS holds at most {SMS_LIMIT} characters; this one has {len(text)}"
    return None


def body_problem(channel: MessageChannel, body: str) -> str | None:
    """Checked when a template or broadcast is saved (its text before rendering) and on each rendered SMS."""
    return sms_problem(body) if channel is MessageChannel.SMS else None


def recipient_of(channel: MessageChannel, email: str | None, phone: str | None = None) -> str:
    """E-mail and in-app messages reach the person's e-mail address (in-app: the user with that address);
    SMS and push the phone number the participant gave, if any ("" when none: the delivery then fails)."""
    if channel in (MessageChannel.EMAIL, MessageChannel.IN_APP):
        return email or ""
    return phone or ""
