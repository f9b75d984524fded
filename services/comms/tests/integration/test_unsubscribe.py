"""The unsubscribe link at the end of every broadcast e-mail: signed, public, and honoured by every later
broadcast but an emergency."""

from urllib.parse import parse_qs, urlsplit

import pytest

from plenary_contracts.catalog import comms as contract
from plenary_contracts.errors import BadRequest


async def _send(comms, event, **body):
    draft = await comms.call(
        contract.CREATE_BROADCAST, {"eventId": event.id, "channel": "EMAIL", "body": "Hi {{firstName}}", **body}
    )
    await comms.call(contract.SEND_BROADCAST, {"id": draft.id})
    return await comms.settled(draft.id)


async def test_an_unsubscribed_participant_gets_only_emergencies(comms):
    event = await comms.seed_event()
    leaving, staying = await comms.populate(event, 2)
    first = await _send(comms, event)
    assert first.recipient_count == 2
    (email,) = comms.sink.to(leaving["email"])
    link = email["List-Unsubscribe"].strip("<>")
    assert link in email.get_payload(decode=True).decode()
    assert link.startswith(f"http://{comms.settings.http_host}:{comms.settings.http_port}/api/v1/unsubscribe?token=")
    token = parse_qs(urlsplit(link).query)["token"][0]

    answer = await comms.call(contract.UNSUBSCRIBE, {"token": token}, tenant=None, actor=None)
    assert answer.unsubscribed
    again = await comms.call(contract.UNSUBSCRIBE, {"token": token}, tenant=None, actor=None)
    assert again.unsubscribed  # a second click changes nothing

    count = await comms.call(contract.COUNT_AUDIENCE, {"eventId": event.id})
    emergency_count = await comms.call(contract.COUNT_AUDIENCE, {"eventId": event.id, "isEmergency": True})
    assert (count.count, emergency_count.count) == (1, 2)
    routine = await _send(comms, event, subject="routine")
    assert routine.recipient_count == 1
    urgent = await _send(comms, event, subject="urgent", isEmergency=True)
    assert urgent.recipient_count == 2
    assert [m["Subject"] for m in comms.sink.to(leaving["email"])] == ["Notification", "urgent"]
    assert [m["Subject"] for m in comms.sink.to(staying["email"])] == ["Notification", "routine", "urgent"]


async def test_a_forged_or_altered_token_is_refused(comms):
    event = await comms.seed_event()
    (person,) = await comms.populate(event, 1)
    await _send(comms, event)
    (email,) = comms.sink.to(person["email"])
    token = parse_qs(urlsplit(email["List-Unsubscribe"].strip("<>")).query)["token"][0]
    tenant, participant, signature = token.split(".")
    for forged in (f"{tenant}.someone-else.{signature}", f"{tenant}.{participant}.{'0' * 32}", "nonsense"):
        with pytest.raises(BadRequest):
            await comms.call(contract.UNSUBSCRIBE, {"token": forged}, tenant=None, actor=None)
    assert (await comms.call(contract.COUNT_AUDIENCE, {"eventId": event.id})).count == 1
