from plenary_contracts.catalog import webhooks as contract
from plenary_contracts.catalog import workflow

from .conftest import OTHER_TENANT, acted, eventually


async def test_the_deliveries_of_one_bus_event_are_listed_by_its_id_in_its_tenant_only(webhooks, receiver):
    await webhooks.subscribe(receiver.url, ["participant.approved"])
    await webhooks.subscribe(receiver.url, ["*"])
    event = await webhooks.publish(workflow.PARTICIPANT_APPROVED, acted("p1"))
    await webhooks.approve()  # another bus event: not listed
    await eventually(lambda: len(receiver.received) >= 4)

    page = await webhooks.call(contract.LIST_BUS_EVENT_DELIVERIES, {"busEventId": str(event.id)})
    assert len(page.data) == 2 and {d.event_type for d in page.data} == {"participant.approved"}
    assert len({d.event_id for d in page.data}) == 1  # one public event, two subscriptions
    other = await webhooks.call(contract.LIST_BUS_EVENT_DELIVERIES, {"busEventId": str(event.id)}, tenant=OTHER_TENANT)
    assert other.data == []
