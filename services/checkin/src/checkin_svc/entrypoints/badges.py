"""checkin's badges and badge keys on the bus."""

from plenary_contracts.catalog import checkin as contract
from plenary_kit.service import Runtime

from ..application.badge_keys import BadgeKeys
from ..application.badges import Badges


def register(runtime: Runtime, badge_keys: BadgeKeys, badges: Badges) -> None:
    runtime.serve(contract.LIST_BADGE_KEYS, badge_keys.list_keys)
    runtime.serve(contract.ROTATE_BADGE_KEY, badge_keys.rotate)
    runtime.serve(contract.RETIRE_BADGE_KEY, badge_keys.retire)
    runtime.serve(contract.GET_BADGE, badges.get)
    runtime.serve(contract.REISSUE_BADGE, badges.reissue)
    runtime.serve(contract.GET_BADGE_IMAGE, badges.image)
