"""Templates: CRUD with its refusals, system templates protected, clone, list filters, preview."""

import pytest

from plenary_contracts.catalog import comms as contract
from plenary_contracts.catalog import identity
from plenary_contracts.errors import Conflict, FeatureDisabled, NotFound, SystemTemplate, ValidationFailed
from plenary_contracts.flags import FlagKey
from plenary_kit.testing.flags import put_flag

from .conftest import OTHER_TENANT, TENANT, eventually


async def _system(comms):
    page = await comms.call(contract.LIST_TEMPLATES, {"q": "waitlist.promoted"})
    (found,) = page.data
    return found


async def test_templates_are_created_read_changed_and_deleted_with_their_variables(comms):
    created = await comms.call(
        contract.CREATE_TEMPLATE,
        {"name": "Welcome", "channel": "EMAIL", "subject": "Hi {{firstName}}", "body": "See you at {{eventName}}"},
    )
    assert (created.is_system, created.variables, created.created_by) == (
        False,
        ["firstName", "eventName"],
        "admin-user",
    )
    changed = await comms.call(
        contract.UPDATE_TEMPLATE, {"id": created.id, "body": "Bye {{lastName}}", "subject": None}
    )
    assert (changed.subject, changed.body, changed.variables) == (None, "Bye {{lastName}}", ["lastName"])
    assert (await comms.call(contract.GET_TEMPLATE, {"id": created.id})).body == "Bye {{lastName}}"
    await comms.call(contract.DELETE_TEMPLATE, {"id": created.id})
    with pytest.raises(NotFound):
        await comms.call(contract.GET_TEMPLATE, {"id": created.id})
    kinds = [
        len(await comms.events(spec))
        for spec in (contract.TEMPLATE_CREATED, contract.TEMPLATE_UPDATED, contract.TEMPLATE_DELETED)
    ]
    assert kinds == [1, 1, 1]


async def test_a_name_is_unique_per_channel_and_an_sms_holds_160_characters(comms):
    await comms.call(contract.CREATE_TEMPLATE, {"name": "Reminder", "channel": "EMAIL", "body": "x"})
    await comms.call(contract.CREATE_TEMPLATE, {"name": "Reminder", "channel": "SMS", "body": "x"})
    with pytest.raises(Conflict):
        await comms.call(contract.CREATE_TEMPLATE, {"name": "Reminder", "channel": "EMAIL", "body": "y"})
    with pytest.raises(ValidationFailed) as refused:
        await comms.call(contract.CREATE_TEMPLATE, {"name": "Long", "channel": "SMS", "body": "x" * 161})
    assert refused.value.errors[0].loc == ["body", "body"]


async def test_system_templates_are_refused_403_but_cloned_freely(comms):
    await comms.call(
        contract.CREATE_TEMPLATE, {"name": "Any", "channel": "EMAIL", "body": "x"}
    )  # gives the tenant its system templates
    system = await _system(comms)
    assert system.is_system
    with pytest.raises(SystemTemplate) as refused:
        await comms.call(contract.UPDATE_TEMPLATE, {"id": system.id, "body": "mine"})
    assert refused.value.to_body().status == 403
    with pytest.raises(SystemTemplate):
        await comms.call(contract.DELETE_TEMPLATE, {"id": system.id})
    copy = await comms.call(contract.CLONE_TEMPLATE, {"id": system.id, "name": "waitlist.promoted.custom"})
    assert (copy.is_system, copy.body, copy.channel) == (False, system.body, "EMAIL")
    edited = await comms.call(contract.UPDATE_TEMPLATE, {"id": copy.id, "body": "mine"})
    assert edited.body == "mine"


async def test_a_new_tenant_gets_the_system_templates(comms):
    tenant = {
        "id": TENANT,
        "name": "A",
        "slug": "a",
        "email": "office@a.test",
        "phone": "+251000000",
        "subscriptionPlan": "basic",
        "createdAt": "2026-01-01T00:00:00Z",
        "updatedAt": "2026-01-01T00:00:00Z",
    }
    await comms.publish(identity.TENANT_CREATED, {"tenant": tenant})

    async def held() -> bool:
        return (await comms.call(contract.LIST_TEMPLATES, {})).meta.total >= 3

    await eventually(held, timeout=20)


async def test_the_list_filters_by_channel_and_name_in_any_case(comms):
    for name, channel in (("Gate info", "EMAIL"), ("gate SMS", "SMS"), ("Other", "EMAIL")):
        await comms.call(contract.CREATE_TEMPLATE, {"name": name, "channel": channel, "body": "x"})
    names = {t.name for t in (await comms.call(contract.LIST_TEMPLATES, {"q": "GATE"})).data}
    assert names == {"Gate info", "gate SMS"}
    emails = {t.name for t in (await comms.call(contract.LIST_TEMPLATES, {"q": "gate", "channel": "EMAIL"})).data}
    assert emails == {"Gate info"}


async def test_preview_renders_sample_data_or_the_data_given(comms):
    created = await comms.call(
        contract.CREATE_TEMPLATE,
        {"name": "P", "channel": "EMAIL", "subject": "For {{name}}", "body": "<b>{{firstName}}</b> {{seat}}"},
    )
    sample = await comms.call(contract.PREVIEW_TEMPLATE, {"id": created.id})
    assert (sample.subject, sample.body, sample.unknown_variables) == (
        "For Ada Lovelace",
        "<b>Ada</b> {{seat}}",
        ["seat"],
    )
    given = await comms.call(contract.PREVIEW_TEMPLATE, {"id": created.id, "data": {"firstName": "<i>", "seat": 4}})
    assert given.body == "<b>&lt;i&gt;</b> 4"
    assert given.unknown_variables == ["name"]


async def test_another_tenants_template_is_not_found_and_the_hub_flag_gates_templates(comms):
    created = await comms.call(contract.CREATE_TEMPLATE, {"name": "Mine", "channel": "EMAIL", "body": "x"})
    await comms.hub(tenant=OTHER_TENANT)
    for spec, body in (
        (contract.GET_TEMPLATE, {"id": created.id}),
        (contract.UPDATE_TEMPLATE, {"id": created.id, "body": "y"}),
        (contract.DELETE_TEMPLATE, {"id": created.id}),
        (contract.CLONE_TEMPLATE, {"id": created.id, "name": "stolen"}),
    ):
        with pytest.raises(NotFound):
            await comms.call(spec, body, tenant=OTHER_TENANT)
    await put_flag(comms.nc, FlagKey.COMMUNICATION_HUB, tenants=())

    async def off() -> bool:
        try:
            await comms.call(contract.LIST_TEMPLATES, {})
        except FeatureDisabled:
            return True
        return False

    await eventually(off, timeout=10)
