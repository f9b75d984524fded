from datetime import UTC, datetime, timedelta

from gateway_svc.domain.usage import UsageTally

from plenary_contracts.usage import Usage

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def test_requests_of_one_key_add_up_and_keep_the_latest_time_and_address():
    tally = UsageTally()
    tally.record("k1", T0, "192.0.2.1")
    tally.record("k1", T0 + timedelta(seconds=2), "192.0.2.2")
    tally.record("k2", T0, None)
    usages = {u.key_id: u for u in tally.drain()}
    assert usages["k1"] == Usage("k1", 2, T0 + timedelta(seconds=2), "192.0.2.2")
    assert usages["k2"].count == 1
    assert len(tally) == 0


def test_a_batch_put_back_merges_with_what_came_meanwhile():
    tally = UsageTally()
    tally.record("k1", T0 + timedelta(seconds=5), "192.0.2.9")
    tally.restore([Usage("k1", 3, T0, "192.0.2.1")])
    (usage,) = tally.drain()
    assert usage == Usage("k1", 4, T0 + timedelta(seconds=5), "192.0.2.9")
