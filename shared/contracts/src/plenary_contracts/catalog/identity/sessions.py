"""identity: signing in and out, refreshing a session, the token key set and revoked tokens."""

from typing import Annotated, Any

from pydantic import Field, StringConstraints

from ...credentials import RevocationScope
from ...errors import ErrorCode
from ...model import Model
from ...operations import Empty, HttpRoute
from ._common import _NF, _cmd, _event, _qry
from .users import User


class Login(Model):
    identifier: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=254)] = Field(
        description="E-mail address or username."
    )
    password: Annotated[str, StringConstraints(min_length=1, max_length=256)]


class TokenPair(Model):
    access_token: str
    refresh_token: str
    token_type: str = "Bearer"
    expires_in: int = Field(description="Seconds until the access token expires.")
    refresh_expires_in: int


class RefreshSession(Model):
    refresh_token: Annotated[str, StringConstraints(min_length=1, max_length=512)]


class KeySet(Model):
    """The JSON Web Key Set that verifies access tokens (RFC 7517)."""

    keys: list[dict[str, Any]]


class UserLoggedIn(Model):
    user_id: str
    tenant_id: str | None = None
    session_id: str


class TokensRevoked(Model):
    """Access tokens that stop working before they expire (a ``credentials.TokenRevocation``): every token
    of a session (signed out, its refresh token reused) or of a tenant (deleted), or a user's tokens of a
    generation before ``generation`` (suspended, deleted, password changed, a role taken away)."""

    scope: RevocationScope
    id: str = Field(description="The session, user or tenant.")
    generation: int | None = Field(None, description="Only for a user: its new token generation.")
    reason: str


class LoginFailed(Model):
    identifier: str
    user_id: str | None = None
    reason: str


# --- domain events -------------------------------------------------------------------------------

USER_LOGGED_IN = _event("user", "logged_in", UserLoggedIn, "A user signed in and a session began.")
USER_LOGIN_FAILED = _event("user", "login_failed", LoginFailed, "A sign-in was refused.")
TOKENS_REVOKED = _event(
    "tokens", "revoked", TokensRevoked, "Access tokens stop working before they expire (session, user or tenant)."
)


# --- operations ----------------------------------------------------------------------------------

LOGIN = _cmd(
    "login",
    Login,
    TokenPair,
    "Sign in with e-mail or username and password; returns a short-lived access token and a refresh token.",
    errors=(ErrorCode.UNAUTHORIZED, ErrorCode.VALIDATION_ERROR),
    public=True,
    http=HttpRoute("POST", "/auth/login", summary="Sign in", tags=("auth",)),
)
REFRESH_SESSION = _cmd(
    "refresh_session",
    RefreshSession,
    TokenPair,
    "Trade a refresh token for a new pair; a refresh token works once, and reusing one ends its session.",
    errors=(ErrorCode.UNAUTHORIZED, ErrorCode.VALIDATION_ERROR),
    public=True,
    http=HttpRoute("POST", "/auth/refresh", summary="Refresh a session", tags=("auth",)),
)
LOGOUT = _cmd(
    "logout",
    RefreshSession,
    Empty,
    "End the session the refresh token belongs to.",
    errors=(ErrorCode.VALIDATION_ERROR,),
    public=True,
    http=HttpRoute("POST", "/auth/logout", status_code=204, summary="Sign out", tags=("auth",)),
)
GET_KEY_SET = _qry(
    "get_key_set",
    Empty,
    KeySet,
    "The public keys that verify access tokens.",
    public=True,
    http=HttpRoute("GET", "/auth/jwks", summary="Token verification keys (JWKS)", tags=("auth",)),
)
GET_CURRENT_USER = _qry(
    "get_current_user",
    Empty,
    User,
    "The signed-in user, with roles.",
    errors=_NF,
    http=HttpRoute("GET", "/auth/me", summary="Current user", tags=("auth",)),
)
