"""Unsubscribing through the signed link of a broadcast e-mail: the participant it names receives no more
non-emergency broadcasts. The link needs no sign-in; its signature is the proof."""

from plenary_contracts.catalog import comms as contract
from plenary_contracts.errors import BadRequest
from plenary_kit.db import UnitOfWork

from ..adapters import directory_repository as directory
from ..domain.unsubscribe import token_for, verify


class Unsubscribing:
    def __init__(self, secret: str, public_url: str) -> None:
        self.secret = secret
        self.public_url = public_url.rstrip("/")

    def link(self, tenant_id: str, participant_id: str) -> str:
        path = contract.UNSUBSCRIBE.http.url() if contract.UNSUBSCRIBE.http else "/unsubscribe"
        return f"{self.public_url}{path}?token={token_for(self.secret, tenant_id, participant_id)}"

    async def unsubscribe(self, request: contract.Unsubscribe, uow: UnitOfWork) -> contract.Unsubscribed:
        found = verify(self.secret, request.token)
        if found is None:
            raise BadRequest("this unsubscribe link is not valid")
        tenant_id, participant_id = found
        await directory.opt_out_participant(uow.session, tenant_id, participant_id)
        return contract.Unsubscribed(unsubscribed=True)
