"""Unsubscribe tokens: who may stop receiving broadcasts, signed so nobody else can unsubscribe them.

A token is ``<tenant>.<participant>.<signature>``, the signature the first 32 hex characters of
HMAC-SHA256(secret, ``unsubscribe:<tenant>:<participant>``). It does not expire: an old e-mail's link still
works, and it can do nothing but unsubscribe its one participant.
"""

import hashlib
import hmac

PURPOSE = "unsubscribe"
_SIGNATURE_CHARS = 32


def _signature(secret: str, tenant_id: str, participant_id: str) -> str:
    message = f"{PURPOSE}:{tenant_id}:{participant_id}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()[:_SIGNATURE_CHARS]


def token_for(secret: str, tenant_id: str, participant_id: str) -> str:
    return f"{tenant_id}.{participant_id}.{_signature(secret, tenant_id, participant_id)}"


def verify(secret: str, token: str) -> tuple[str, str] | None:
    """(tenant, participant) of a genuine token; None for any other text."""
    parts = token.split(".")
    if len(parts) != 3 or not all(parts):
        return None
    tenant_id, participant_id, signature = parts
    if not hmac.compare_digest(signature, _signature(secret, tenant_id, participant_id)):
        return None
    return tenant_id, participant_id


def with_link(body: str, link: str, *, html: bool) -> str:
    """The e-mail body with its unsubscribe link at the end."""
    if html:
        return f'{body}\n<p style="font-size:small"><a href="{link}">Unsubscribe</a> from these messages.</p>'
    return f"{body}\n\n--\nUnsubscribe from these messages: {link}"
