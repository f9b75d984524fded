import copy

from plenary_contracts.schema_export import breaking_changes, contract_schemas, read_snapshot

REFRESH = "run `make contracts` (python -m plenary_contracts.schema_export --write) and commit the snapshot"


def test_no_contract_breaks_its_published_snapshot():
    current = contract_schemas()
    problems = []
    for name, old in read_snapshot().items():
        if name not in current:
            problems.append(f"{name}: contract removed")
        else:
            problems += [f"{name}: {p}" for p in breaking_changes(old, current[name])]
    assert not problems, "breaking contract changes (publish a new version instead):\n" + "\n".join(problems)


def test_snapshot_matches_the_code():
    assert read_snapshot() == contract_schemas(), f"the contract snapshot is stale: {REFRESH}"


def test_removing_a_field_is_breaking():
    old = {
        "type": "object",
        "properties": {"a": {"type": "string"}, "b": {"type": "integer"}},
        "required": ["a"],
    }
    new = copy.deepcopy(old)
    del new["properties"]["b"]
    assert breaking_changes(old, new) == ["$.b: removed"]


def test_adding_an_optional_field_is_not_breaking():
    old = {"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]}
    new = copy.deepcopy(old)
    new["properties"]["z"] = {"type": "string"}
    assert breaking_changes(old, new) == []


def test_requiring_a_field_changing_a_type_or_dropping_an_enum_value_is_breaking():
    old = {
        "type": "object",
        "properties": {"a": {"type": "string"}, "s": {"enum": ["X", "Y"]}},
        "required": [],
    }
    new = {
        "type": "object",
        "properties": {"a": {"type": "integer"}, "s": {"enum": ["X"]}},
        "required": ["a"],
    }
    problems = breaking_changes(old, new)
    assert "$: newly required ['a']" in problems
    assert "$.a: type changed from string to integer" in problems
    assert "$.s: values removed ['Y']" in problems
