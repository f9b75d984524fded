"""Each public webhook body's JSON Schema stands alone: every reference in it points at a definition it carries."""

import json
import re

import pytest

from plenary_contracts.catalog.webhooks.public import PUBLIC_TYPES, TEST_PING, delivery_body_schema


@pytest.mark.parametrize("event_type", [*PUBLIC_TYPES, TEST_PING])
def test_every_reference_of_a_body_schema_resolves_inside_it(event_type: str):
    body = delivery_body_schema(event_type)
    references = set(re.findall(r'"\$ref": "#/\$defs/([^"]+)"', json.dumps(body)))
    assert references <= set(body.get("$defs", {})), references - set(body.get("$defs", {}))
    assert "$defs" not in body["properties"]["data"]
