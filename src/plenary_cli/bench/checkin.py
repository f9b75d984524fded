"""Check-in: a badge verified offline, as a scanner does it, in one process (decode, find the tenant's key
by its id, check the Ed25519 signature). Scans through the gateway join this area with the service."""

import time
from collections.abc import Iterator

from checkin_svc.domain.badges import Badge, issue, verify
from nacl.signing import SigningKey

from plenary_kit.ids import new_id

from .context import Bench
from .report import Figure, at_least

AREA = "checkin"
KEY_ID = b"bnch"


def measure(bench: Bench) -> Iterator[Figure]:
    key = SigningKey.generate()
    tenant, event = new_id(), new_id()
    ring = {(tenant, KEY_ID): key.verify_key}
    count = bench.sizes.badge_verifications
    badges = [issue(Badge(tenant, event, new_id(), issued_at=1_800_000_000 + n), KEY_ID, key) for n in range(count)]
    started = time.perf_counter()
    for payload in badges:
        verify(payload, ring)
    elapsed = time.perf_counter() - started
    yield Figure(AREA, "checkin.verifications_per_s", count / elapsed, "verifications/s", at_least(5000))
    yield Figure(AREA, "checkin.badge_characters", max(map(len, badges)), "characters")
