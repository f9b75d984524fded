"""The document's ``webhooks`` section: every public event type the platform POSTs, with its body's schema,
every reference resolving inside the document."""

import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from gateway_svc.entrypoints.openapi import webhook_document

from plenary_contracts.catalog import webhooks as catalog

PREFIX = "#/components/schemas/"


def _inlined(node: Any, lookup: Callable[[str], Any]) -> Any:
    """``node`` with every ``$ref`` replaced by what it names (the catalog's models are not recursive)."""
    if isinstance(node, dict):
        if "$ref" in node:
            return _inlined(lookup(node["$ref"]), lookup)
        return {key: _inlined(value, lookup) for key, value in node.items() if key != "$defs"}
    if isinstance(node, list):
        return [_inlined(value, lookup) for value in node]
    return node


def _references(node: Any) -> list[str]:
    return re.findall(r'"\$ref": "([^"]+)"', json.dumps(node))


def _body(section: dict[str, Any], event_type: str) -> dict[str, Any]:
    return section[event_type]["post"]["requestBody"]["content"]["application/json"]["schema"]


@pytest.mark.integration
async def test_the_served_document_lists_every_public_type_with_its_payload_schema(edge):
    document = (await edge.client.get("/openapi.json")).json()
    section = document["webhooks"]
    assert list(section) == [*catalog.PUBLIC_TYPES, catalog.TEST_PING]
    schemas = document["components"]["schemas"]

    def in_document(ref: str) -> Any:
        assert ref.startswith(PREFIX), ref
        return schemas[ref.removeprefix(PREFIX)]

    for event_type in section:
        body = _body(section, event_type)
        assert body["required"] == ["id", "type", "timestamp", "data"]
        assert body["properties"]["type"] == {"const": event_type}
        expected = catalog.delivery_body_schema(event_type)
        own = expected.pop("$defs", {})
        assert _inlined(body, in_document) == _inlined(expected, lambda ref, own=own: own[ref.rpartition("/")[2]])
        headers = {p["name"] for p in section[event_type]["post"]["parameters"] if p["in"] == "header"}
        assert headers == {"webhook-id", "webhook-timestamp", "webhook-signature"}
    assert "$defs" not in json.dumps(section)
    for ref in _references(section):
        in_document(ref)
    joined = _body(section, "parallel.joined")["properties"]["data"]
    assert joined["properties"]["summary"] == {"$ref": PREFIX + "BranchSummary"}
    assert set(schemas["BranchSummary"]["properties"]) == {"total", "completed", "approved", "rejected", "pending"}


def test_a_nested_model_whose_name_is_taken_moves_to_components_under_a_prefix():
    taken = {"type": "string", "title": "Somebody else's BranchSummary"}
    schemas: dict[str, Any] = {"BranchSummary": taken}
    section = webhook_document(schemas)
    assert schemas["BranchSummary"] == taken
    data = _body(section, "parallel.joined")["properties"]["data"]
    assert data["properties"]["summary"] == {"$ref": PREFIX + "WebhookBranchSummary"}
    assert schemas["WebhookBranchSummary"]["title"] == "BranchSummary"
    assert {ref.removeprefix(PREFIX) for ref in _references(section)} == {"WebhookBranchSummary"}


def test_the_section_is_built_again_unchanged():
    schemas: dict[str, Any] = {}
    first = webhook_document(schemas)
    assert webhook_document(schemas) == first
    assert list(schemas) == ["BranchSummary"]
