"""Invite tokens: 32 random bytes as 64 hex characters, shown only in the e-mail's link; what is stored and
looked up is their SHA-256, so a copy of the table accepts no invite."""

import hashlib
import secrets

TOKEN_BYTES = 32


def new_token() -> str:
    return secrets.token_hex(TOKEN_BYTES)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()
