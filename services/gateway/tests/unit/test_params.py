from gateway_svc.domain.params import coerce

DEFS = {"Status": {"enum": ["A", "B"], "type": "string"}}


def resolve(ref: str) -> dict:
    return DEFS[ref.rsplit("/", 1)[-1]]


def test_numbers_and_booleans_become_json_values():
    assert coerce(["5"], {"type": "integer"}, resolve) == 5
    assert coerce(["1.5"], {"type": "number"}, resolve) == 1.5
    assert coerce(["True"], {"type": "boolean"}, resolve) is True


def test_text_that_does_not_fit_stays_text_for_validation_to_report():
    assert coerce(["five"], {"type": "integer"}, resolve) == "five"
    assert coerce(["nan"], {"type": "number"}, resolve) == "nan"
    assert coerce(["yes"], {"type": "boolean"}, resolve) == "yes"


def test_an_optional_field_takes_its_non_null_type_and_the_last_occurrence():
    assert coerce(["1", "2"], {"anyOf": [{"type": "integer"}, {"type": "null"}]}, resolve) == 2


def test_arrays_take_every_occurrence():
    assert coerce(["1", "2"], {"type": "array", "items": {"type": "integer"}}, resolve) == [1, 2]


def test_references_are_followed():
    assert coerce(["A"], {"$ref": "#/$defs/Status"}, resolve) == "A"


def test_an_object_parameter_is_json():
    assert coerce(['{"a": 1}'], {"type": "object"}, resolve) == {"a": 1}
    assert coerce(["[1]"], {"type": "object"}, resolve) == "[1]"
