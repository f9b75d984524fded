"""Erasing a person across the real services: afterwards no table of any schema and no event of any stream,
replayed and opened as an auditor's replay opens it, holds their name or e-mail, while another participant's
stay readable. Before the erasure both were there (the search can find them)."""

import json

from plenary_cli.bench.driving import as_admin, create_event, has_entered, publish_workflow, until
from plenary_contracts.catalog import checkin, custom_objects, registration
from plenary_contracts.catalog import workflow as workflow_contract
from plenary_contracts.enums import ApprovalAction
from plenary_contracts.flags import FlagKey
from plenary_contracts.saga_parts import ERASE_ORDER
from plenary_contracts.services import SERVICES, schema_of
from plenary_contracts.streams import EVENT_STREAMS
from plenary_kit.personal_keys import PersonKeys
from plenary_kit.testing.flags import put_flag
from plenary_kit.testing.harness import TENANT
from plenary_kit.testing.schema import rows_holding

from .conftest import platform_of

FIRST, LAST, EMAIL = "Wilhelmina", "Zedekiah", "wilhelmina.zedekiah@example.org"
OTHER_FIRST, OTHER_EMAIL = "Octavius", "octavius.other@example.org"


async def _register(platform, event_id: str, type_id: str, first: str, email: str, code: str):  # type: ignore[no-untyped-def]
    body = {"eventId": event_id, "participantTypeId": type_id, "firstName": first, "lastName": LAST}
    body |= {"email": email, "registrationCode": code}
    return await until(lambda: as_admin(platform.nc, registration.REGISTER_PARTICIPANT, body, TENANT), 60)


async def _streams_text(platform) -> str:  # type: ignore[no-untyped-def]
    """Every event every stream holds, opened with the person keys as a replay opens them, as one text."""
    js = platform.nc.jetstream()
    keys = PersonKeys(platform.settings.personal_data_secret)
    await keys.start(platform.nc)
    try:
        envelopes = []
        for stream in EVENT_STREAMS:
            last = (await js.stream_info(stream.name)).state.last_seq
            for sequence in range(1, last + 1):
                msg = await js.get_msg(stream.name, seq=sequence, direct=True)
                headers = msg.headers or {}
                attributes = {name[3:]: value for name, value in headers.items() if name.startswith("ce-")}
                envelopes.append({**attributes, "data": json.loads(msg.data or b"{}")})
        await keys.unseal_envelopes(envelopes)
        return json.dumps(envelopes).lower()
    finally:
        await keys.stop()


async def _every_schema(platform, *needles: str) -> dict[str, dict[str, int]]:  # type: ignore[no-untyped-def]
    found = {}
    for service in SERVICES:
        if service == "gateway":
            continue
        held = await rows_holding(platform.engine(service), schema_of(service), *needles)
        if held:
            found[service] = held
    return found


async def test_an_erased_person_is_in_no_table_of_any_schema_and_no_replayed_event_while_others_stay(
    plenary_settings,
):
    services = (*ERASE_ORDER, "registration", "audit")
    async with platform_of(plenary_settings, services=services) as platform:
        await put_flag(platform.nc, FlagKey.CUSTOM_OBJECTS, tenants=(TENANT,))
        event_id, type_id = await create_event(platform.nc, TENANT)
        await until(lambda: _published(platform.nc, event_id), 60)
        person = await _register(platform, event_id, type_id, FIRST, EMAIL, "WZ-1")
        other = await _register(platform, event_id, type_id, OTHER_FIRST, OTHER_EMAIL, "OO-1")
        for who in (person, other):
            await until(lambda who=who: has_entered(platform.nc, TENANT, who.id), 60)
            approve = {"participantId": who.id, "comment": f"{who.first_name}'s papers are in order"}
            action = workflow_contract.TAKE_ACTION[ApprovalAction.APPROVE]
            await as_admin(platform.nc, action, approve, TENANT)
        gate = await until(
            lambda: as_admin(platform.nc, checkin.CREATE_CHECKPOINT, {"eventId": event_id, "name": "Gate"}, TENANT), 60
        )
        for code in ("WZ-1", "OO-1"):
            scan = {"checkpointId": gate.id, "registrationCode": code, "overrideReason": f"desk saw {code}"}
            await until(lambda scan=scan: as_admin(platform.nc, checkin.MANUAL_ENTRY, scan, TENANT), 60)
        fields = [{"name": "participant", "label": "Participant", "dataType": "REFERENCE"}]
        fields += [{"name": "notes", "label": "Notes", "dataType": "TEXT", "sortOrder": 1}]
        visas = await until(
            lambda: as_admin(
                platform.nc, custom_objects.CREATE_DEFINITION, {"name": "Visas", "fields": fields}, TENANT
            ),
            60,
        )
        for who in (person, other):
            record = {"definitionId": visas.id, "data": {"participant": who.id, "notes": f"{who.first_name} {LAST}"}}
            await as_admin(platform.nc, custom_objects.CREATE_RECORD, record, TENANT)

        async def everywhere() -> bool:
            return {"registration", "workflow", "checkin"} <= set(await _every_schema(platform, FIRST))

        await until(everywhere, 60)
        assert FIRST.lower() in await _streams_text(platform) and EMAIL in await _streams_text(platform)

        report = await as_admin(platform.nc, registration.ERASE_PARTICIPANT, {"id": person.id}, TENANT)

        async def completed():  # type: ignore[no-untyped-def]
            found = await as_admin(platform.nc, registration.GET_ERASURE, {"id": report.id}, TENANT)
            return found if found.status == "COMPLETED" else None

        done = await until(completed, 60)
        assert sorted(r.service for r in done.receipts) == sorted([*ERASE_ORDER, "registration"])
        assert await _every_schema(platform, FIRST, EMAIL) == {}
        replayed = await _streams_text(platform)
        assert FIRST.lower() not in replayed and EMAIL not in replayed
        # the other participant is untouched, in the tables and in the events
        assert {"registration", "workflow", "checkin"} <= set(await _every_schema(platform, OTHER_FIRST))
        assert OTHER_FIRST.lower() in replayed and OTHER_EMAIL in replayed


async def _published(nc, event_id: str) -> bool:  # type: ignore[no-untyped-def]
    await publish_workflow(nc, TENANT, event_id, steps=1)
    return True
