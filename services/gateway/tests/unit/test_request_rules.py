import pytest
from gateway_svc.domain.requests import (
    acting_tenant,
    clean_user_agent,
    event_id_of,
    safe_correlation_id,
    unstorable_text_at,
)


def test_a_safe_correlation_id_is_kept_and_an_unsafe_one_skipped():
    assert safe_correlation_id("abc-1.2:3_x", "other") == "abc-1.2:3_x"
    assert safe_correlation_id("bad id", "req-7") == "req-7"
    assert safe_correlation_id("x" * 129, None) is None
    assert safe_correlation_id(None, None) is None


def test_a_user_agent_loses_control_characters_and_is_capped():
    assert clean_user_agent("curl/8\r\nX-Evil: 1") == "curl/8X-Evil: 1"
    assert len(clean_user_agent("a" * 2000) or "") == 512
    assert clean_user_agent("\x00") is None


def test_the_event_id_comes_from_the_first_source_that_names_one():
    assert event_id_of({"id": "1"}, {"eventId": "e1"}, {"eventId": "e2"}) == "e1"
    assert event_id_of({}, None, {"eventId": 3}) is None


def test_a_global_admin_may_act_in_any_tenant():
    assert acting_tenant(None, True, "t9") == "t9"
    assert acting_tenant(None, True, None) is None


def test_anyone_else_may_only_name_their_own_tenant():
    assert acting_tenant("t1", False, "t1") == "t1"
    assert acting_tenant("t1", False, None) == "t1"
    with pytest.raises(PermissionError):
        acting_tenant("t1", False, "t2")
    with pytest.raises(PermissionError):
        acting_tenant(None, False, "t2")


def test_text_no_service_can_store_is_found_with_its_place():
    assert unstorable_text_at({"a": ["ok", "nul\x00"]}) == ("a", 1)
    assert unstorable_text_at({"lone\ud800": 1}) == ("lone?",)
    assert unstorable_text_at({"a": "fine", "b": [1, {"c": "ü"}]}) is None
