"""Each way in, and each way of being turned away."""

import base64
import json

from plenary_contracts.catalog.identity import ADMIN_USERNAME
from plenary_kit.testing.api import PASSWORD, Api

from .conftest import ADMIN_PASSWORD, Tenant


def _problem(response, status: int, code: str) -> dict:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert (body["status"], body["code"], body["type"]) == (status, code, f"urn:plenary:problem:{code}")
    return body


def test_login_gives_a_token_the_gateway_accepts_and_me_answers_who(api: Api):
    pair = api.login(ADMIN_USERNAME, ADMIN_PASSWORD)
    assert pair["tokenType"] == "Bearer" and pair["expiresIn"] > 0
    me = api.ok("GET", "/api/v1/auth/me", token=pair["accessToken"])["data"]
    assert (me["username"], me["tenantId"]) == (ADMIN_USERNAME, None)
    assert [r["roleName"] for r in me["roles"]] == ["ADMIN"]


def test_a_wrong_password_and_an_unknown_user_are_the_same_401(api: Api):
    wrong = api.request("POST", "/api/v1/auth/login", json={"identifier": ADMIN_USERNAME, "password": "nope"})
    unknown = api.request("POST", "/api/v1/auth/login", json={"identifier": "ghost", "password": "nope"})
    assert _problem(wrong, 401, "UNAUTHORIZED")["detail"] == _problem(unknown, 401, "UNAUTHORIZED")["detail"]


def test_no_credential_is_401_with_a_challenge(api: Api):
    response = api.request("GET", "/api/v1/users")
    _problem(response, 401, "UNAUTHORIZED")
    assert "WWW-Authenticate" in response.headers


def test_a_tampered_or_garbage_bearer_token_is_401(api: Api):
    token = api.admin
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["tid"] = "someone-else"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    for bad in (f"{header}.{forged}.{signature}", "not-a-jwt", token[:-4] + "AAAA"):
        _problem(api.request("GET", "/api/v1/auth/me", token=bad), 401, "UNAUTHORIZED")


def test_an_unknown_or_malformed_api_key_is_401(api: Api, acme: Tenant):
    wrong_secret = acme.key[:-6] + "abcdef" if not acme.key.endswith("abcdef") else acme.key[:-6] + "fedcba"
    for bad in ("nope", "ak_xxxx_0000000000000000_" + "0" * 64, wrong_secret):
        _problem(api.request("GET", "/api/v1/auth/me", key=bad), 401, "UNAUTHORIZED")


def test_two_credentials_at_once_are_refused(api: Api, acme: Tenant):
    _problem(api.request("GET", "/api/v1/auth/me", key=acme.key, token=acme.admin_token), 400, "BAD_REQUEST")


def test_refresh_rotates_and_reusing_the_old_refresh_token_ends_the_session(api: Api, acme: Tenant):
    first = api.login("acme-admin")
    second = api.ok("POST", "/api/v1/auth/refresh", json={"refreshToken": first["refreshToken"]})["data"]
    assert second["refreshToken"] != first["refreshToken"]
    api.ok("GET", "/api/v1/auth/me", token=second["accessToken"])

    reused = api.request("POST", "/api/v1/auth/refresh", json={"refreshToken": first["refreshToken"]})
    _problem(reused, 401, "UNAUTHORIZED")
    # the reuse ended the whole session: the newer refresh token is dead too
    after = api.request("POST", "/api/v1/auth/refresh", json={"refreshToken": second["refreshToken"]})
    _problem(after, 401, "UNAUTHORIZED")


def test_logout_ends_the_session(api: Api, acme: Tenant):
    pair = api.login("acme-admin", PASSWORD)
    api.ok("POST", "/api/v1/auth/logout", 204, json={"refreshToken": pair["refreshToken"]})
    _problem(
        api.request("POST", "/api/v1/auth/refresh", json={"refreshToken": pair["refreshToken"]}), 401, "UNAUTHORIZED"
    )


def test_the_key_set_is_public_and_verifies_tokens(api: Api):
    import jwt

    keys = api.ok("GET", "/api/v1/auth/jwks")["data"]["keys"]
    token = api.admin
    kid = jwt.get_unverified_header(token)["kid"]
    jwk = next(k for k in keys if k["kid"] == kid)
    claims = jwt.decode(token, jwt.PyJWK(jwk).key, algorithms=["EdDSA"], audience="plenary", issuer="plenary-identity")
    assert claims["tid"] is None and "tenant:manage;any;GLOBAL;" in claims["grants"]
