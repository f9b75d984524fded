"""The interactive documentation works without the internet: every asset it loads is the gateway's own."""

import re

import pytest

pytestmark = pytest.mark.integration

# What a page loads: src/href/spec-url attributes, and Swagger UI's `url: '...'` (the document).
_LOADED = re.compile(r"""(?:src|href|spec-url)="([^"]+)"|\burl: '([^']+)'""")


def _references(html: str) -> set[str]:
    return {first or second for first, second in _LOADED.findall(html)}


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
async def test_a_docs_page_names_no_other_host_and_every_asset_it_loads_is_served(edge, page):
    response = await edge.client.get(page)
    assert response.status_code == 200
    assert not re.search(r"https?:|[\"']//", response.text), response.text
    references = _references(response.text)
    assert "/openapi.json" in references and len(references) >= 3, references
    for each in references:
        asset = await edge.client.get(each)
        assert asset.status_code == 200, each
        assert len(asset.content) > 100, each


async def test_the_swagger_ui_assets_are_the_script_and_style_themselves(edge):
    page = (await edge.client.get("/docs")).text
    script = next(each for each in _references(page) if each.endswith(".js"))
    style = next(each for each in _references(page) if each.endswith(".css"))
    js, css = await edge.client.get(script), await edge.client.get(style)
    assert "javascript" in js.headers["content-type"] and "SwaggerUIBundle" in js.text
    assert css.headers["content-type"].startswith("text/css") and ".swagger-ui" in css.text


async def test_a_missing_asset_is_a_404_problem(edge):
    response = await edge.client.get("/docs/assets/nothing.js")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
