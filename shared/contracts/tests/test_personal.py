"""Where events declare personal data: every path names a field of the payload, and values are found by it."""

import typing

import pytest
from pydantic import BaseModel

from plenary_contracts.personal import Personal, erased_value, is_sealed
from plenary_contracts.registry import EVENTS


def _resolves(model: type[BaseModel], path: list[str]) -> bool:
    """True when the dotted wire path names a field of the model (a free-form dict ends the walk)."""
    if not path:
        return True
    by_wire = {(f.alias or name): f for name, f in model.model_fields.items()}
    field = by_wire.get(path[0])
    if field is None:
        return False
    if len(path) == 1:
        return True
    for candidate in (field.annotation, *typing.get_args(field.annotation)):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return _resolves(candidate, path[1:])
        if candidate is dict or typing.get_origin(candidate) is dict:
            return True
    return False


PERSONAL = [spec for spec in EVENTS if spec.personal is not None]


def test_the_participant_events_that_carry_names_declare_them() -> None:
    declared = {spec.type for spec in PERSONAL}
    for needed in (
        "plenary.registration.participant.registered.v1",
        "plenary.registration.participant.updated.v1",
        "plenary.workflow.participant.approved.v1",
        "plenary.workflow.notification.requested.v1",
        "plenary.comms.notification.created.v1",
        "plenary.delegation.invite.sent.v1",
    ):
        assert needed in declared


@pytest.mark.parametrize("spec", PERSONAL, ids=lambda spec: spec.type)
def test_every_declared_path_names_a_field_of_the_payload(spec) -> None:  # type: ignore[no-untyped-def]
    personal = spec.personal
    assert _resolves(spec.payload, personal.person.split(".")), personal.person
    for path in personal.fields:
        assert _resolves(spec.payload, path.split(".")), path


def test_values_are_found_by_their_paths_and_null_or_absent_ones_are_left_alone() -> None:
    personal = Personal("p.id", ("p.name", "p.email", "p.extras", "p.missing", "q.name"))
    data = {"p": {"id": "x1", "name": "Ada", "email": None, "extras": {"a": 1}}}
    assert personal.person_of(data) == "x1"
    assert [key for _, key in personal.values(data)] == ["name", "extras"]
    assert personal.person_of({"p": {"id": ""}}) is None
    assert personal.person_of({"p": "not an object"}) is None


def test_an_erased_value_keeps_its_json_type() -> None:
    assert [erased_value(v) for v in ("Ada", {"a": 1}, [1], 3, True)] == ["", {}, [], None, None]
    assert is_sealed({"$sealed": "…", "$erased": ""}) and not is_sealed({"sealed": 1}) and not is_sealed("x")
