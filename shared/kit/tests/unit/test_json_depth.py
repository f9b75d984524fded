import json

import pytest

from plenary_contracts.errors import ValidationFailed
from plenary_kit.json_depth import MAX_JSON_DEPTH, check_json_depth, json_depth_exceeds


def nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


def test_a_document_exactly_at_the_limit_passes_and_one_level_more_does_not():
    assert not json_depth_exceeds(nested(MAX_JSON_DEPTH))
    assert json_depth_exceeds(nested(MAX_JSON_DEPTH + 1))


def test_ten_thousand_levels_are_found_without_recursion():
    assert json_depth_exceeds(nested(10_000))
    assert json_depth_exceeds(b'{"extras":{"a":' + nested(10_000) + b"}}")


def test_objects_and_arrays_count_alike():
    value: object = 1
    for level in range(5):
        value = {"k": value} if level % 2 else [value]
    data = json.dumps(value).encode()
    assert not json_depth_exceeds(data, limit=5)
    assert json_depth_exceeds(data, limit=4)


def test_brackets_inside_strings_do_not_count_escaped_quotes_included():
    data = json.dumps({"text": "[[[[{{{{", "quoted": 'say "[[[[" \\ ]]]', "list": ["[", "{"]}).encode()
    assert not json_depth_exceeds(data, limit=2)


def test_many_siblings_are_wide_not_deep():
    data = json.dumps([[{"a": [1]}] for _ in range(10_000)]).encode()
    assert not json_depth_exceeds(data, limit=4)
    assert json_depth_exceeds(data, limit=3)


def test_an_unterminated_string_hides_nothing_before_it():
    assert json_depth_exceeds(nested(10)[:10] + b'"never closed [[[', limit=9)
    assert not json_depth_exceeds(b'["never closed ' + b"[" * 100, limit=2)


def test_a_refusal_is_a_validation_error_naming_where():
    with pytest.raises(ValidationFailed) as caught:
        check_json_depth(nested(MAX_JSON_DEPTH + 1), loc=["body"])
    (error,) = caught.value.errors
    assert (error.loc, error.type) == (["body"], "json_too_deep")
    check_json_depth(nested(MAX_JSON_DEPTH))
