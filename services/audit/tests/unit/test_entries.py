from audit_svc.domain.entries import entity_of


def test_the_cloudevent_subject_names_the_entity_when_the_producer_set_one():
    assert entity_of("kiosk-1", {"kiosk": {"id": "other"}}) == "kiosk-1"


def test_else_the_payloads_own_id():
    assert entity_of(None, {"id": "p1", "eventId": "e1"}) == "p1"


def test_else_the_id_of_the_one_record_the_payload_carries():
    assert entity_of(None, {"participant": {"id": "p1"}, "reason": "x"}) == "p1"


def test_a_payload_about_several_records_or_none_names_no_entity():
    assert entity_of(None, {"before": {"id": "a"}, "after": {"id": "b"}}) is None
    assert entity_of(None, {"participantId": "p1"}) is None
    assert entity_of("", {}) is None
