"""Sign-in, refresh, sign-out and the key set on the bus."""

from plenary_contracts.catalog import identity as contract
from plenary_kit.service import Runtime

from ..application.sessions import Sessions


def register(runtime: Runtime, sessions: Sessions) -> None:
    runtime.serve(contract.LOGIN, sessions.login)
    runtime.serve(contract.REFRESH_SESSION, sessions.refresh_session)
    runtime.serve(contract.LOGOUT, sessions.logout)
    runtime.serve(contract.GET_KEY_SET, sessions.get_key_set)
    runtime.serve(contract.GET_CURRENT_USER, sessions.get_current_user)
