"""The gateway's copy of the token revocation bucket: access tokens refused before they expire."""

from nats.aio.msg import Msg

from plenary_contracts.credentials import AccessClaims, TokenRevocation, revocation_key, revocation_keys
from plenary_contracts.streams import TOKEN_REVOCATIONS_BUCKET
from plenary_kit.kv_mirror import KvMirror

from .changes import Changes


class RevocationMirror(KvMirror[TokenRevocation]):
    def __init__(self, resync_seconds: float = 30.0, changes: Changes | None = None) -> None:
        super().__init__(TOKEN_REVOCATIONS_BUCKET.name, TokenRevocation.model_validate_json, resync_seconds)
        self.changes = changes or Changes()

    def refuses(self, claims: AccessClaims) -> bool:
        """Whether the token's session ended, its user's tokens of its generation were revoked, or its
        tenant is gone."""
        for key in revocation_keys(claims):
            revocation = self.get(key)
            if revocation is not None and revocation.refuses(claims):
                return True
        return False

    def tenant_deleted(self, tenant_id: str) -> bool:
        return self.get(revocation_key("tenant", tenant_id)) is not None

    async def _on_change(self, msg: Msg) -> None:
        await super()._on_change(msg)
        self.changes.notify()  # open event streams re-check their credential now
