from plenary_contracts import registry, streams
from plenary_contracts.services import SERVICES


def test_every_event_subject_is_captured_by_its_producers_stream():
    by_name = {s.name: s for s in streams.STREAMS}
    for event in registry.EVENTS:
        stream = by_name[streams.event_stream_name(event.producer)]
        assert stream.subjects == [f"evt.{event.producer}.>", f"bulk.evt.{event.producer}.>"]
        assert event.subject.startswith(f"evt.{event.producer}.")


def test_every_service_has_an_event_stream_and_one_dead_letter_stream_exists():
    names = {s.name for s in streams.STREAMS}
    assert {streams.event_stream_name(s) for s in SERVICES} | {"DLQ"} == names


def test_every_consumer_reads_an_existing_stream_within_its_subjects():
    by_name = {s.name: s for s in streams.STREAMS}
    for consumer in streams.CONSUMERS:
        stream = by_name[consumer.stream]
        prefix = stream.subjects[0].removesuffix(">")
        assert consumer.filter_subject.startswith(prefix), consumer.durable
        assert consumer.max_deliver >= 1


def test_a_consumer_reads_both_lanes_through_one_durable_unless_it_gives_the_bulk_lane_its_own():
    plain = streams.ConsumerSpec(service="s", durable="d", stream="EVT_X", filter_subject="evt.x.a.>", description="")
    assert [(d.durable, d.filter_subjects) for d in plain.durables()] == [("d", ["evt.x.a.>", "bulk.evt.x.a.>"])]
    laned = plain.model_copy(update={"bulk_lane": True})
    assert [(d.durable, d.filter_subjects) for d in laned.durables()] == [
        ("d", ["evt.x.a.>"]),
        ("d_bulk", ["bulk.evt.x.a.>"]),
    ]


def test_an_event_of_a_bulk_operation_goes_out_on_the_bulk_lane_of_its_subject():
    assert streams.lane_subject("evt.x.a.created", None) == "evt.x.a.created"
    assert streams.lane_subject("evt.x.a.created", streams.BULK_LANE) == "bulk.evt.x.a.created"


def test_streams_keep_a_long_audit_trail_and_an_explicit_duplicate_window():
    for stream in streams.EVENT_STREAMS:
        assert stream.retention == "limits" and stream.storage == "file"
        assert stream.max_age_seconds >= 365 * streams.DAY
        assert stream.duplicate_window_seconds > 0


def test_operations_are_commands_or_queries_on_their_services_subjects():
    for op in registry.OPERATIONS:
        assert op.subject in (f"cmd.{op.service}.{op.name}", f"qry.{op.service}.{op.name}")
        if op.http is not None:
            assert op.http.path.startswith("/")
