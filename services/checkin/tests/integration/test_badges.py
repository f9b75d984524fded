"""Badges and the tenant's badge keys: issued on first request and reproduced after, reissued to revoke,
drawn as a QR code; keys made on first need, rotated with overlap, retired, served to devices."""

import asyncio
import base64

import pytest
import segno
import sqlalchemy as sa
from checkin_svc.adapters import tables
from nacl.signing import VerifyKey

from plenary_contracts.catalog import checkin as contract
from plenary_contracts.enums import ScanResult
from plenary_contracts.errors import Conflict, NotFound, ValidationFailed
from plenary_kit.files import read_file
from plenary_kit.ids import new_id

from .conftest import OTHER_TENANT, CheckinService, add_checkpoint

k = tables.badge_key.c
p = tables.participant.c


def _raw(public_key: str) -> bytes:
    return base64.urlsafe_b64decode(public_key + "=" * (-len(public_key) % 4))


async def _scan(checkin: CheckinService, checkpoint_id: str, payload: str) -> contract.ScanOutcome:
    return await checkin.call(contract.PROCESS_SCAN, {"checkpointId": checkpoint_id, "payload": payload})


async def test_a_badge_is_issued_on_first_request_and_the_same_payload_comes_back_after(checkin: CheckinService):
    event = await checkin.seed_event()
    person = await checkin.register(event)
    first = await checkin.call(contract.GET_BADGE, {"participantId": person.id})
    assert (first.participant_id, first.event_id, first.generation) == (person.id, event.id, 0)
    assert first.issued_at.microsecond == 0  # a badge carries whole seconds
    again = await checkin.call(contract.GET_BADGE, {"participantId": person.id})
    assert again == first
    held = (await checkin.execute(sa.select(p.badge_issued_at, p.badge_key_id).where(p.id == person.id))).one()
    assert (held.badge_issued_at, held.badge_key_id) == (first.issued_at, first.key_id)
    assert set(first.payload) <= set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:")  # QR alphanumeric


async def test_a_badge_of_an_unknown_or_another_tenants_participant_is_not_found(checkin: CheckinService):
    event = await checkin.seed_event()
    person = await checkin.register(event)
    for operation in (contract.GET_BADGE, contract.REISSUE_BADGE, contract.GET_BADGE_IMAGE):
        with pytest.raises(NotFound):
            await checkin.call(operation, {"participantId": new_id()})
        with pytest.raises(NotFound):
            await checkin.call(operation, {"participantId": person.id}, tenant=OTHER_TENANT)
    assert await checkin.count(tables.badge_key) == 0  # nobody's key was made for nothing


async def test_the_signing_key_is_made_once_even_when_first_requests_race(checkin: CheckinService):
    event = await checkin.seed_event()
    people = await asyncio.gather(*(checkin.register(event) for _ in range(6)))
    issued = await asyncio.gather(*(checkin.call(contract.GET_BADGE, {"participantId": x.id}) for x in people))
    assert len({b.key_id for b in issued}) == 1
    assert await checkin.count(tables.badge_key) == 1
    assert len(await checkin.events(contract.BADGE_KEY_ROTATED)) == 1


async def test_a_first_request_racing_for_one_participant_hands_out_one_badge(checkin: CheckinService):
    event = await checkin.seed_event()
    person = await checkin.register(event)
    issued = await asyncio.gather(*(checkin.call(contract.GET_BADGE, {"participantId": person.id}) for _ in range(5)))
    assert len({b.payload for b in issued}) == 1


async def test_devices_get_the_public_keys_and_the_private_ones_are_stored_sealed(checkin: CheckinService):
    assert (await checkin.call(contract.LIST_BADGE_KEYS, {})).keys == []  # none before a first badge
    event = await checkin.seed_event()
    badge = await checkin.call(contract.GET_BADGE, {"participantId": (await checkin.register(event)).id})
    (key,) = (await checkin.call(contract.LIST_BADGE_KEYS, {})).keys
    assert (key.key_id, key.signing, key.algorithm, key.retired_at) == (badge.key_id, True, "Ed25519", None)
    assert "=" not in key.public_key and len(_raw(key.public_key)) == 32
    # the device verifies offline with what it was given
    from checkin_svc.domain.badges import verify

    ring = {(event.tenant_id, bytes.fromhex(key.key_id)): VerifyKey(_raw(key.public_key))}
    assert verify(badge.payload, ring).participant_id == badge.participant_id
    sealed = await checkin.scalar(sa.select(k.sealed_private_key))
    assert len(sealed) == 24 + 16 + 32  # nonce, tag, seed: never the seed in clear
    assert (await checkin.call(contract.LIST_BADGE_KEYS, {}, tenant=OTHER_TENANT)).keys == []


async def test_a_rotation_signs_new_badges_while_older_ones_keep_verifying(checkin: CheckinService):
    event = await checkin.seed_event()
    gate = await add_checkpoint(checkin, event, reentry="unlimited")
    early, late = await checkin.register(event), await checkin.register(event)
    old = await checkin.call(contract.GET_BADGE, {"participantId": early.id})
    rotated = await checkin.call(contract.ROTATE_BADGE_KEY, {})
    assert rotated.signing and rotated.key_id != old.key_id
    new = await checkin.call(contract.GET_BADGE, {"participantId": late.id})
    assert new.key_id == rotated.key_id
    assert await checkin.call(contract.GET_BADGE, {"participantId": early.id}) == old  # not reissued
    assert (await _scan(checkin, gate, old.payload)).result is ScanResult.VALID  # the overlap
    assert (await _scan(checkin, gate, new.payload)).result is ScanResult.VALID
    listed = (await checkin.call(contract.LIST_BADGE_KEYS, {})).keys
    assert [(x.key_id, x.signing) for x in listed] == [(rotated.key_id, True), (old.key_id, False)]
    assert [e["key"]["keyId"] for e in await checkin.events(contract.BADGE_KEY_ROTATED)] == [old.key_id, rotated.key_id]


async def test_a_retired_key_stops_verifying_and_the_next_request_issues_with_the_signing_key(checkin: CheckinService):
    event = await checkin.seed_event()
    gate = await add_checkpoint(checkin, event, reentry="unlimited")
    person = await checkin.register(event)
    old = await checkin.call(contract.GET_BADGE, {"participantId": person.id})
    with pytest.raises(Conflict):
        await checkin.call(contract.RETIRE_BADGE_KEY, {"keyId": old.key_id})  # it still signs
    rotated = await checkin.call(contract.ROTATE_BADGE_KEY, {})
    retired = await checkin.call(contract.RETIRE_BADGE_KEY, {"keyId": old.key_id})
    assert retired.retired_at is not None and not retired.signing
    assert await checkin.call(contract.RETIRE_BADGE_KEY, {"keyId": old.key_id}) == retired  # again: unchanged
    assert len(await checkin.events(contract.BADGE_KEY_RETIRED)) == 1
    refused = await _scan(checkin, gate, old.payload)
    assert (refused.result, refused.reason, refused.participant_id) == (ScanResult.INVALID, "unreadable", None)
    renewed = await checkin.call(contract.GET_BADGE, {"participantId": person.id})
    assert (renewed.key_id, renewed.generation) == (rotated.key_id, old.generation)
    assert (await _scan(checkin, gate, renewed.payload)).result is ScanResult.VALID
    assert [x.key_id for x in (await checkin.call(contract.LIST_BADGE_KEYS, {})).keys] == [rotated.key_id]


async def test_retiring_an_unknown_or_another_tenants_key_is_not_found(checkin: CheckinService):
    event = await checkin.seed_event()
    badge = await checkin.call(contract.GET_BADGE, {"participantId": (await checkin.register(event)).id})
    await checkin.call(contract.ROTATE_BADGE_KEY, {})
    with pytest.raises(NotFound):
        await checkin.call(contract.RETIRE_BADGE_KEY, {"keyId": "00000000"})
    with pytest.raises(NotFound):
        await checkin.call(contract.RETIRE_BADGE_KEY, {"keyId": badge.key_id}, tenant=OTHER_TENANT)
    with pytest.raises(ValidationFailed) as refused:
        await checkin.call(contract.RETIRE_BADGE_KEY, contract.BadgeKeyRef.model_construct(key_id="XYZ"))
    assert refused.value.errors[0].loc == ["keyId"]


async def test_a_reissue_raises_the_generation_and_revokes_the_older_badge(checkin: CheckinService):
    event = await checkin.seed_event()
    gate = await add_checkpoint(checkin, event, reentry="unlimited")
    person = await checkin.register(event)
    old = await checkin.call(contract.GET_BADGE, {"participantId": person.id})
    new = await checkin.call(contract.REISSUE_BADGE, {"participantId": person.id})
    assert new.generation == old.generation + 1 and new.payload != old.payload
    assert await checkin.call(contract.GET_BADGE, {"participantId": person.id}) == new
    assert await checkin.events(contract.BADGE_REISSUED) == [
        {"participantId": person.id, "eventId": event.id, "generation": new.generation}
    ]
    revoked = await _scan(checkin, gate, old.payload)
    assert (revoked.result, revoked.reason, revoked.participant_id) == (ScanResult.REVOKED, "badge_replaced", person.id)
    assert (await _scan(checkin, gate, new.payload)).result is ScanResult.VALID


@pytest.mark.parametrize("kind", ["png", "svg"])
async def test_the_badge_image_is_a_qr_code_download(checkin: CheckinService, kind: str):
    event = await checkin.seed_event()
    person = await checkin.register(event)
    stored = await checkin.call(contract.GET_BADGE_IMAGE, {"participantId": person.id, "format": kind, "scale": 4})
    assert stored.key.startswith(f"{event.tenant_id}/badges/") and stored.file_name.endswith(f".{kind}")
    data = await read_file(checkin.nc.jetstream(), stored.key)
    assert stored.size == len(data)
    # the code drawn is the badge's payload at error correction M, with a 2-module border
    badge = await checkin.call(contract.GET_BADGE, {"participantId": person.id})
    width, _ = segno.make(badge.payload, error="m", boost_error=False).symbol_size(scale=4, border=2)
    if kind == "png":
        assert stored.content_type == "image/png" and data.startswith(b"\x89PNG\r\n\x1a\n")
        assert int.from_bytes(data[16:20], "big") == width  # IHDR's width
    else:
        assert stored.content_type == "image/svg+xml" and b"<svg" in data
        assert f'width="{width}"'.encode() in data
