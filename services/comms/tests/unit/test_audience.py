from datetime import UTC, datetime

from comms_svc.domain.audience import Audience, Person

T0 = datetime(2027, 1, 1, tzinfo=UTC)


def person(**kw):
    base = {
        "id": "p1",
        "participant_type_id": "delegate",
        "status": "APPROVED",
        "registered_at": T0,
        "delegation_id": None,
        "fields": {"firstName": "Ada", "nationality": "FR"},
        "extras": {"diet": "vegan", "tier": 2, "vip": True},
    }
    return Person(**{**base, **kw})


def test_an_empty_filter_reaches_everyone():
    assert Audience().predicate()(person())


def test_every_custom_field_key_must_match_not_only_the_first():
    matches = Audience(custom_fields={"diet": "vegan", "tier": 3}).predicate()
    assert not matches(person())
    assert Audience(custom_fields={"diet": "vegan", "tier": 2}).predicate()(person())


def test_custom_fields_compare_as_json_values():
    assert not Audience(custom_fields={"tier": "2"}).predicate()(person())
    assert Audience(custom_fields={"tier": 2.0}).predicate()(person())
    assert not Audience(custom_fields={"vip": 1}).predicate()(person())
    assert not Audience(custom_fields={"missing": None}).predicate()(person())


def test_criteria_are_and_ed():
    audience = Audience(participant_types=["delegate"], statuses=["PENDING"]).predicate()
    assert not audience(person())
    assert audience(person(status="PENDING"))
    assert not audience(person(status="PENDING", participant_type_id="press"))


def test_registered_after_is_inclusive_and_before_exclusive():
    audience = Audience(registered_after=T0, registered_before=datetime(2027, 1, 2, tzinfo=UTC)).predicate()
    assert audience(person(registered_at=T0))
    assert not audience(person(registered_at=datetime(2027, 1, 2, tzinfo=UTC)))
    assert not audience(person(registered_at=datetime(2026, 12, 31, tzinfo=UTC)))


def test_delegations_reach_only_their_members():
    audience = Audience(delegation_ids=["d1", "d2"]).predicate()
    assert audience(person(delegation_id="d2"))
    assert not audience(person(delegation_id="d3"))
    assert not audience(person())


def test_a_condition_reads_fields_and_extras():
    condition = {
        "type": "compound",
        "operator": "and",
        "conditions": [
            {"type": "simple", "field": "nationality", "operator": "in", "value": ["FR", "BE"]},
            {"type": "simple", "field": "diet", "operator": "eq", "value": "VEGAN"},
        ],
    }
    assert Audience(condition=condition).predicate()(person())
    assert not Audience(condition=condition).predicate()(person(fields={"nationality": "DE"}))


def test_filters_read_from_their_stored_form():
    audience = Audience.of(
        {"participantTypes": ["delegate"], "registeredAfter": "2027-01-01T00:00:00+00:00", "customFields": {"a": 1}}
    )
    assert audience.participant_types == ("delegate",)
    assert audience.registered_after == T0
    assert audience.custom_fields == {"a": 1}


def test_problems_name_the_field():
    assert Audience(registered_after=T0, registered_before=T0).problems() == [
        (("registeredBefore",), "must be after registeredAfter")
    ]
    bad = Audience(condition={"type": "simple", "field": "x", "operator": "nope", "value": 1}).problems()
    assert bad and bad[0][0][0] == "condition"
