"""One event day, scripted from outside through the gateway's HTTP API only, on the platform as `make run`
starts it: the global admin opens a tenant and its staff and turns the day's flags on; the organisers build an
event with dynamic fields and participant types and a fork/join workflow with a conditional route; an
organisation's delegate is invited, accepts through the public route and registers; 500 people register
through the API and an import; reviewers and batch actions approve them; badges are scanned at two gates with
an exit and a re-entry; a kiosk ticket is called; the approved get a broadcast e-mail; every registration
reaches a webhook receiver signed; analytics equal registration's own counts; the audit log holds the day.

The tests run in order on one platform (the package's), each a part of the day building on the last."""

import email
import email.policy
import re
import time
from collections import Counter
from collections.abc import Iterator
from collections.abc import Set as AbstractSet
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from plenary_kit.ids import new_id
from plenary_kit.testing.receiver import HttpReceiver, serving_in_thread

from .conftest import Platform

pytestmark = pytest.mark.timeout(400)  # the first test also waits for the platform to come up

API = "/api/v1"
PASSWORD = "a-long-enough-password"
DAY_FLAGS = (
    "FF_REST_API",
    "FF_DELEGATION_PORTAL",
    "FF_BULK_OPERATIONS",
    "FF_CONDITIONAL_ROUTING",
    "FF_PARALLEL_WORKFLOWS",
    "FF_KIOSK_MODE",
    "FF_WEBHOOKS",
    "FF_COMMUNICATION_HUB",
    "FF_ANALYTICS_DASHBOARD",
)
BY_API, BY_IMPORT = 440, 60  # the day's 500 registrations, beside the delegate
CLEARED = 8  # registered with clearance "required": the conditional route sends them through the fork
REJECTED = 3  # refused at the badge desk
SCANNED, EXITED, RETURNED = 40, 10, 6  # admitted at the north gate; out by the south gate; back in
STATUSES = ("PENDING", "IN_PROGRESS", "APPROVED", "REJECTED")


class Gateway:
    """The platform's public API, as an integrator's HTTP client sees it (one pooled client, thread-safe)."""

    def __init__(self, base: str) -> None:
        self.client = httpx.Client(base_url=base + API, timeout=60, limits=httpx.Limits(max_connections=32))

    def request(
        self, method: str, path: str, *, token: str | None = None, key: str | None = None, **kwargs: Any
    ) -> httpx.Response:
        headers = dict(kwargs.pop("headers", None) or {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if key:
            headers["X-API-Key"] = key
        return self.client.request(method, path, headers=headers, **kwargs)

    def ok(self, method: str, path: str, status: int = 200, **kwargs: Any) -> Any:
        response = self.request(method, path, **kwargs)
        assert response.status_code == status, (method, path, response.status_code, response.text)
        return response.json()["data"] if response.content else None

    def until(self, check, timeout: float = 30.0, what: str = "condition"):  # type: ignore[no-untyped-def]
        """Poll ``check`` until it gives something truthy: changes travel by events and mirrors."""
        deadline = time.monotonic() + timeout
        while True:
            value = check()
            if value:
                return value
            assert time.monotonic() < deadline, f"{what} not met within {timeout:.0f} s (last: {value!r})"
            time.sleep(0.2)

    def created_once_ready(self, path: str, body: dict[str, Any], key: str, timeout: float = 30.0) -> Any:
        """POST ``body`` until 201: a service answers 404 until it has learnt of a new event or type."""
        return self.until(
            lambda: (r := self.request("POST", path, key=key, json=body)).status_code == 201 and r.json()["data"],
            timeout,
            f"POST {path} answered 201",
        )

    def page(self, path: str, key: str, **params: Any) -> dict[str, Any]:
        """One page of a list: its ``data`` and ``meta``."""
        response = self.request("GET", path, key=key, params=params)
        assert response.status_code == 200, (path, response.status_code, response.text)
        return response.json()

    def total(self, path: str, key: str, **params: Any) -> int:
        return self.page(path, key, pageSize=1, **params)["meta"]["total"]

    def all_pages(self, path: str, key: str, **params: Any) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        page = 1
        while True:
            body = self.page(path, key, **params, page=page, pageSize=100)
            rows += body["data"]
            if page >= body["meta"]["totalPages"]:
                return rows
            page += 1


@dataclass
class Day:
    """What the day has built so far, handed from one part to the next."""

    api: Gateway
    platform: Platform
    receiver: HttpReceiver
    tenant: str = ""
    key: str = ""  # the organisers' API key (TENANT_ADMIN's, every permission)
    reviewer: str = ""  # the reviewer's bearer token (VALIDATOR)
    event: str = ""
    types: dict[str, str] = field(default_factory=dict)  # code -> participant type id
    steps: dict[str, str] = field(default_factory=dict)  # name -> workflow step id
    secret: str = ""  # the webhook subscription's signing secret
    people: dict[str, str] = field(default_factory=dict)  # participant id -> e-mail address
    delegate: str = ""
    cleared: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    approved: list[str] = field(default_factory=list)

    @property
    def participants(self) -> str:
        return f"/events/{self.event}/participants"

    def counts(self) -> dict[str, int]:
        """Participants by status, from registration's own list."""
        return {status: self.api.total(self.participants, self.key, status=status) for status in STATUSES}


@pytest.fixture(scope="module")
def receiver() -> Iterator[HttpReceiver]:
    with serving_in_thread(HttpReceiver()) as running:
        yield running


@pytest.fixture(scope="module")
def day(platform: Platform, receiver: HttpReceiver) -> Iterator[Day]:
    api = Gateway(platform.gateway)
    yield Day(api, platform, receiver)
    api.client.close()


def _login(api: Gateway, identifier: str, password: str = PASSWORD) -> str:
    return api.ok("POST", "/auth/login", json={"identifier": identifier, "password": password})["accessToken"]


def _user(api: Gateway, admin: str, tenant: str, username: str, role: str) -> str:
    body = {
        "email": f"{username}@staff.test",
        "username": username,
        "name": username.title(),
        "password": PASSWORD,
        "tenantId": tenant,
        "roles": [{"role": role}],
    }
    return api.ok("POST", "/users", 201, token=admin, json=body)["id"]


def _emails(mail: Path, before: AbstractSet[Path] = frozenset()) -> list[email.message.EmailMessage]:
    """The e-mails the SMTP sink has kept since ``before`` (the files there then)."""
    return [
        email.message_from_bytes(path.read_bytes(), policy=email.policy.default)  # type: ignore[misc]
        for path in sorted(set(mail.glob("*.eml")) - before)
    ]


def _text(message: email.message.EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    return part.get_content() if part is not None else ""


def test_the_global_admin_opens_a_tenant_with_its_staff_and_turns_the_day_s_flags_on(day: Day):
    api = day.api
    admin = _login(api, "admin", day.platform.admin_password)
    slug = f"summit-{new_id()[:6].lower()}"
    body = {"name": slug.title(), "slug": slug, "email": f"office@{slug}.test", "phone": "+1 555 0100"}
    day.tenant = api.ok("POST", "/tenants", 201, token=admin, json=body)["id"]
    _user(api, admin, day.tenant, f"{slug}-organiser", "TENANT_ADMIN")
    _user(api, admin, day.tenant, f"{slug}-reviewer", "VALIDATOR")
    organiser = _login(api, f"{slug}-organiser")
    day.reviewer = _login(api, f"{slug}-reviewer")

    for flag in DAY_FLAGS:
        api.ok("PATCH", f"/feature-flags/{flag}", token=admin, json={"enabledForTenants": [day.tenant]})
    flags = {f["key"]: f for f in api.ok("GET", "/feature-flags", token=admin)}
    assert all(flags[flag]["enabledForTenants"] == [day.tenant] for flag in DAY_FLAGS)

    key = api.ok(
        "POST",
        "/api-keys",
        201,
        token=organiser,
        json={"name": "day", "permissions": ["*"], "rateLimitTier": "CUSTOM", "rateLimitCustom": 100_000},
    )
    day.key = key["rawKey"]
    api.until(lambda: api.request("GET", "/auth/me", key=day.key).status_code == 200, what="the key usable")
    # each gated route answers once the flag has reached the gateway's and the service's mirrors
    for gated in ("/delegation/quotas", "/webhook-subscriptions", "/broadcasts", "/analytics/summary"):
        api.until(lambda g=gated: api.request("GET", g, key=day.key).status_code == 200, what=f"{gated} on")
    assert api.request("GET", "/tenants", token=day.reviewer).status_code == 403

    # the integrator's endpoint hears of every registration from now on
    subscription = api.ok(
        "POST",
        "/webhook-subscriptions",
        201,
        key=day.key,
        json={"url": day.receiver.url, "events": ["participant.registered"], "description": "CRM"},
    )
    assert subscription["subscription"]["status"] == "ACTIVE" and subscription["secret"].startswith("whsec_")
    day.secret = subscription["secret"]


def test_the_event_has_dynamic_fields_participant_types_and_a_published_fork_join_workflow(day: Day):
    api, key = day.api, day.key
    start = datetime.now(UTC) - timedelta(hours=2)  # under way: badges are scanned today
    event = {
        "name": "Climate Summit",
        "startDate": start.isoformat(),
        "endDate": (start + timedelta(days=3)).isoformat(),
        "timezone": "Africa/Nairobi",
        "status": "PUBLISHED",
    }
    day.event = api.ok("POST", "/events", 201, key=key, json=event)["id"]
    for code, name in (("DELEGATE", "Delegate"), ("OBSERVER", "Observer")):
        kind = {"name": name, "code": code}
        day.types[code] = api.ok("POST", f"/events/{day.event}/participant-types", 201, key=key, json=kind)["id"]
    clearance = {
        "eventId": day.event,
        "name": "clearance",
        "label": "Security clearance",
        "dataType": "ENUM",
        "config": {"options": [{"value": "standard"}, {"value": "required"}]},
    }
    api.ok("POST", "/field-definitions", 201, key=key, json=clearance)
    seats = {"eventId": day.event, "name": "seats", "label": "Seats", "dataType": "NUMBER"}
    seats["validation"] = [{"rule": "min", "value": 1}, {"rule": "max", "value": 4}]
    api.ok("POST", "/field-definitions", 201, key=key, json=seats)
    fields = api.ok("GET", "/field-definitions", key=key, params={"eventId": day.event})
    assert {f["name"] for f in fields} >= {"clearance", "seats"}

    route = {"type": "simple", "field": "clearance", "operator": "eq", "value": "required"}
    steps = [
        {
            "key": "review",
            "name": "Review",
            "order": 1,
            "isEntryPoint": True,
            "nextStepId": "badge",
            "config": {"conditionalRoutes": [{"condition": route, "targetStepId": "checks", "priority": 1}]},
        },
        {
            "key": "checks",
            "name": "Checks",
            "order": 2,
            "stepType": "FORK",
            "config": {
                "branches": [{"branchStepId": "security"}, {"branchStepId": "protocol"}],
                "joinStepId": "joined",
            },
        },
        {"key": "security", "name": "Security", "order": 3},
        {"key": "protocol", "name": "Protocol", "order": 4},
        {
            "key": "joined",
            "name": "Joined",
            "order": 5,
            "stepType": "JOIN",
            "nextStepId": "badge",
            "config": {"strategy": "ALL"},  # both branches must approve
        },
        {"key": "badge", "name": "Badge", "order": 6, "isTerminal": True},
    ]
    workflow = api.ok(
        "POST", "/workflows", 201, key=key, json={"eventId": day.event, "name": "Accreditation", "steps": steps}
    )
    day.steps = {s["name"]: s["id"] for s in workflow["steps"]}
    assert set(day.steps) == {"Review", "Checks", "Security", "Protocol", "Joined", "Badge"}
    published = api.ok("POST", f"/workflows/{workflow['id']}/publish", key=key)
    assert published["created"] is True and published["version"]["version"] == 1
    expand = {"expand": "participantTypes,workflows"}

    def listed() -> dict[str, Any] | None:  # events learns of the workflow from workflow's events
        read = api.ok("GET", f"/events/{day.event}", key=key, params=expand)
        return read if [(w["id"], w["status"]) for w in read["workflows"]] == [(workflow["id"], "PUBLISHED")] else None

    read = api.until(listed, 30, "the event lists its published workflow")
    assert {t["code"] for t in read["participantTypes"]} == {"DELEGATE", "OBSERVER"}


def _accept_link(platform: Platform, address: str, before: AbstractSet[Path]) -> str | None:
    """The token of the accept link in a new invite e-mail the SMTP sink kept for ``address``, once it came."""
    for message in _emails(platform.mail, before):
        if address in str(message["To"]):
            found = re.search(r"[?&]token=([0-9A-Za-z_-]+)", _text(message))
            if found:
                return found.group(1)
    return None


def test_an_invited_delegate_accepts_through_the_public_route_and_registers_within_the_quota(day: Day):
    api, key = day.api, day.key
    quota = api.ok(
        "PUT",
        "/delegation/quotas",
        key=key,
        json={"eventId": day.event, "organizationId": "org-ghana", "maxParticipants": 1},
    )
    before = set(day.platform.mail.glob("*.eml"))
    invite = api.ok(
        "POST", f"/delegation/quotas/{quota['id']}/invites", 201, key=key, json={"email": "kofi@ghana.test"}
    )
    assert invite["status"] == "PENDING" and "token" not in invite
    token = api.until(lambda: _accept_link(day.platform, "kofi@ghana.test", before), 30, "the invite e-mail")

    assert api.request("POST", "/delegation/accept", json={"token": "0" * 64}).status_code == 404
    accepted = api.ok("POST", "/delegation/accept", json={"token": token})  # no credential: the public route
    assert accepted["status"] == "ACCEPTED" and not accepted["alreadyAccepted"]
    delegate = {"participantTypeId": day.types["DELEGATE"], "firstName": "Kofi", "lastName": "Mensah"}
    delegate["extras"] = {"clearance": "standard"}
    registered = api.until(
        lambda: (
            (r := api.request("POST", "/delegation/register", json={"token": token, "delegate": delegate})).status_code
            == 201
            and r.json()["data"]
        ),
        30,
        "the delegate registered",
    )
    day.delegate = registered["participantId"]
    day.people[day.delegate] = "kofi@ghana.test"
    again = api.request("POST", "/delegation/register", json={"token": token, "delegate": delegate})
    assert again.status_code == 409
    participant = api.ok("GET", f"{day.participants}/{day.delegate}", key=key)
    assert (participant["organization"], participant["email"]) == ("org-ghana", "kofi@ghana.test")
    assert api.ok("GET", f"/delegation/quotas/{quota['id']}", key=key)["usedCount"] == 1
    full = api.request("POST", f"/delegation/quotas/{quota['id']}/invites", key=key, json={"email": "ama@ghana.test"})
    assert full.status_code == 400


def _person(day: Day, n: int) -> dict[str, Any]:
    """The n-th person of the day: numbered names (screening tells Guest1 and Guest11 apart), their own e-mail."""
    return {
        "participantTypeId": day.types["DELEGATE" if n % 3 else "OBSERVER"],
        "firstName": f"Guest{n}",
        "lastName": f"Visitor{n}",
        "email": f"guest{n}@day.test",
        "organization": f"Delegation {n % 40}",
        "extras": {"clearance": "required" if n < CLEARED else "standard", "seats": 1 + n % 4},
    }


def test_five_hundred_people_register_through_the_api_and_an_import(day: Day):
    api, key = day.api, day.key
    fields = f"{day.participants}/query/fields"
    api.until(
        lambda: (
            (r := api.request("GET", fields, key=key)).status_code == 200
            and {"clearance", "seats"} <= {f["name"] for f in r.json()["data"]["fields"]}
        ),
        30,
        "registration knows the event's fields",
    )
    refused = api.request("POST", day.participants, key=key, json=_person(day, 0) | {"extras": {"seats": 9}})
    assert refused.status_code == 422 and "seats" in refused.text, refused.text
    first = api.created_once_ready(day.participants, _person(day, 0), key)

    def register(n: int) -> dict[str, Any]:
        response = api.request("POST", day.participants, key=key, json=_person(day, n))
        assert response.status_code == 201, (n, response.text)
        return response.json()["data"]

    with ThreadPoolExecutor(16) as pool:
        registered = [first, *pool.map(register, range(1, BY_API))]
    assert len({p["id"] for p in registered}) == BY_API
    assert not any(p["flagged"] for p in registered)
    assert len({p["registrationCode"] for p in registered}) == BY_API
    for n, participant in enumerate(registered):
        day.people[participant["id"]] = f"guest{n}@day.test"
        if n < CLEARED:
            day.cleared.append(participant["id"])

    rows = "".join(
        f"Imported{n};Attendee{n};imported{n}@day.test;Press {n % 7}\r\n" for n in range(BY_API, BY_API + BY_IMPORT)
    )
    csv = ("\ufeffFirst Name;Last Name;E-mail;Company\r\n" + rows).encode()
    path = f"/events/{day.event}/imports?fileName=people.csv&participantTypeId={day.types['OBSERVER']}"
    created = api.ok("POST", path, 201, key=key, content=csv, headers={"Content-Type": "text/csv"})
    operation = f"/bulk-operations/{created['id']}"
    preview = api.ok("POST", f"{operation}/validate", key=key, json={})
    assert preview["counts"] == {"total": BY_IMPORT, "valid": BY_IMPORT, "warning": 0, "error": 0}
    assert api.ok("POST", f"{operation}/confirm", key=key)["status"] == "CONFIRMED"
    done = api.until(
        lambda: (op := api.ok("GET", operation, key=key))["status"] in ("COMPLETED", "FAILED") and op, 60, "the import"
    )
    assert (done["status"], done["successCount"], done["failureCount"]) == ("COMPLETED", BY_IMPORT, 0)

    everyone = api.all_pages(day.participants, key)
    imported = [p for p in everyone if p["email"].startswith("imported")]
    assert len(imported) == BY_IMPORT and len(everyone) == BY_API + BY_IMPORT + 1
    for participant in imported:
        day.people[participant["id"]] = participant["email"]
    assert set(day.people) == {p["id"] for p in everyone}


def _dry_run(day: Day, action: str, ids: list[str]) -> dict[str, Any]:
    body = {"eventId": day.event, "action": action, "participantIds": ids}
    return day.api.ok("POST", "/batch-actions/dry-run", key=day.key, json=body)


def _batch(day: Day, action: str, ids: list[str]) -> dict[str, Any]:
    """A batch action, once it has run: its operation."""
    body = {"eventId": day.event, "action": action, "participantIds": ids, "remarks": "the day's batch"}
    started = day.api.ok("POST", "/batch-actions", 201, key=day.key, json=body)
    return day.api.until(
        lambda: (
            (op := day.api.ok("GET", f"/batch-actions/{started['id']}", key=day.key)["operation"])["status"]
            in ("COMPLETED", "FAILED")
            and op
        ),
        120,
        f"the {action} batch",
    )


def _progress(day: Day, pid: str) -> dict[str, Any]:
    return day.api.ok("GET", f"/participants/{pid}/workflow", token=day.reviewer)


def test_reviewers_and_batch_actions_take_the_participants_through_the_fork_to_approval(day: Day):
    api, everyone = day.api, list(day.people)
    # everyone has entered the workflow at Review
    api.until(lambda: _dry_run(day, "APPROVE", everyone)["counts"]["eligible"] == len(everyone), 60, "all at Review")

    # the reviewer approves the cleared ones one by one: the conditional route sends them to the fork
    for pid in day.cleared:
        progress = _progress(day, pid)
        assert progress["currentStepId"] == day.steps["Review"]
        moved = api.ok(
            "POST", f"/participants/{pid}/approve", token=day.reviewer, json={"expectedVersion": progress["version"]}
        )
        assert moved["nextStepId"] == day.steps["Checks"], moved
    for pid in day.cleared:
        for branch in ("Security", "Protocol"):
            api.ok("POST", f"/participants/{pid}/branches/{day.steps[branch]}/approve", token=day.reviewer, json={})
        api.until(lambda p=pid: _progress(day, p)["currentStepId"] == day.steps["Badge"], 30, "joined to Badge")

    # a batch approves the rest at Review: the route's default takes them straight to Badge
    rest = [pid for pid in everyone if pid not in day.cleared]
    plan = _dry_run(day, "APPROVE", rest)
    assert plan["counts"]["eligible"] == len(rest), plan["counts"]
    batch = _batch(day, "APPROVE", rest)
    assert (batch["status"], batch["successCount"], batch["failureCount"]) == ("COMPLETED", len(rest), 0), batch
    assert {_progress(day, pid)["currentStepId"] for pid in rest[:: len(rest) // 10]} == {day.steps["Badge"]}

    # at the badge desk the reviewer refuses three, and a second batch approves everyone else
    day.rejected = rest[-REJECTED:]
    for pid in day.rejected:
        done = api.ok("POST", f"/participants/{pid}/reject", token=day.reviewer, json={"comment": "no accreditation"})
        assert done["status"] == "REJECTED"
    day.approved = [pid for pid in everyone if pid not in day.rejected]
    plan = _dry_run(day, "APPROVE", everyone)
    assert plan["counts"]["eligible"] == len(day.approved) and len(plan["ineligible"]) == REJECTED
    batch = _batch(day, "APPROVE", day.approved)
    assert (batch["status"], batch["successCount"], batch["failureCount"]) == ("COMPLETED", len(day.approved), 0)
    assert _progress(day, day.cleared[0])["status"] == "APPROVED"

    # registration follows the workflow's outcome
    expected = {"PENDING": 0, "IN_PROGRESS": 0, "APPROVED": len(day.approved), "REJECTED": REJECTED}
    api.until(lambda: day.counts() == expected, 60, f"registration's counts {expected}")


def _scan(day: Day, scanner: str, checkpoint: str, badge: str) -> dict[str, Any]:
    return day.api.ok("POST", f"/checkpoints/{checkpoint}/scans", key=scanner, json={"payload": badge})


def _venue(day: Day) -> int:
    zones = day.api.ok("GET", f"/events/{day.event}/occupancy", key=day.key)["zones"]
    return next(zone["currentCount"] for zone in zones if zone["zoneId"] is None)


def test_badges_are_scanned_at_two_gates_with_an_exit_and_a_re_entry(day: Day):
    api, key = day.api, day.key
    checkpoints = f"/events/{day.event}/checkpoints"
    north = api.created_once_ready(
        checkpoints, {"name": "North gate", "direction": "entry", "reentry": "after-exit"}, key
    )
    south = api.ok("POST", checkpoints, 201, key=key, json={"name": "South gate", "direction": "exit"})
    api.ok("PUT", f"/events/{day.event}/occupancy", key=key, json={"zones": [{"zoneId": None, "maxCapacity": 600}]})
    paired = api.ok("POST", f"/events/{day.event}/devices", 201, key=key, json={"name": "Handheld 1"})
    scanner = paired["deviceKey"]
    api.until(lambda: api.request("GET", "/checkin/badge-keys", key=scanner).status_code == 200, what="scanner usable")
    assert api.request("GET", f"/participants/{day.approved[0]}/badge", key=scanner).status_code == 403

    visitors = day.approved[:SCANNED]
    with ThreadPoolExecutor(8) as pool:
        badges = dict(
            zip(
                visitors,
                pool.map(lambda p: api.ok("GET", f"/participants/{p}/badge", key=key)["payload"], visitors),
                strict=True,
            )
        )
    for pid in visitors:
        admitted = _scan(day, scanner, north["id"], badges[pid])
        assert (admitted["result"], admitted["participantId"]) == ("VALID", pid), admitted
    again = _scan(day, scanner, north["id"], badges[visitors[-1]])  # still inside: admitted again only after an exit
    assert again["result"] == "ALREADY_SCANNED", again
    leaving, returning = visitors[:EXITED], visitors[:RETURNED]
    for pid in leaving:
        assert _scan(day, scanner, south["id"], badges[pid])["result"] == "VALID"
    for pid in returning:
        back = _scan(day, scanner, north["id"], badges[pid])
        assert back["result"] == "VALID", back
    refused = api.ok("GET", f"/participants/{day.rejected[0]}/badge", key=key)["payload"]
    assert _scan(day, scanner, north["id"], refused)["result"] == "REVOKED"

    inside = SCANNED - EXITED + RETURNED
    assert _venue(day) == inside
    rebuilt = api.ok("POST", f"/events/{day.event}/occupancy/rebuild", key=key)  # recounted from the access log
    assert next(z["currentCount"] for z in rebuilt["zones"] if z["zoneId"] is None) == inside
    log = api.request("GET", f"/events/{day.event}/access-log/export", key=key)
    assert log.status_code == 200, log.text
    lines = log.content.decode("utf-8-sig").splitlines()[1:]
    logged = Counter(line.split('","')[6] for line in lines if line)
    assert logged == {"VALID": SCANNED + EXITED + RETURNED, "ALREADY_SCANNED": 1, "REVOKED": 1}, logged


def test_a_kiosk_takes_a_queue_ticket_and_the_desk_calls_the_highest_priority_first(day: Day):
    api, key = day.api, day.key
    kiosk = api.ok("POST", f"/events/{day.event}/kiosks", 201, key=key, json={"name": "Hall A", "location": "Lobby"})
    at_kiosk = kiosk["deviceKey"]
    api.until(lambda: api.request("POST", "/kiosk/heartbeat", key=at_kiosk, json={}).status_code == 200, what="kiosk")
    walk_in, vip = day.approved[-1], day.approved[-2]
    first = api.ok("POST", "/kiosk/queue", 201, key=at_kiosk, json={"participantId": walk_in})
    assert (first["status"], first["ticketNumber"]) == ("WAITING", "A001")
    urgent = api.ok("POST", f"/events/{day.event}/queue", 201, key=key, json={"participantId": vip, "priority": 10})
    assert urgent["ticketNumber"] == "A002"

    called = api.ok("POST", f"/events/{day.event}/queue/call-next", key=key, json={"counterNumber": 3})["ticket"]
    assert (called["id"], called["status"], called["counterNumber"]) == (urgent["id"], "CALLED", 3)
    nxt = api.ok("POST", f"/events/{day.event}/queue/call-next", key=key, json={"counterNumber": 4})["ticket"]
    assert (nxt["id"], nxt["participantId"]) == (first["id"], walk_in)
    api.ok("POST", f"/queue-tickets/{called['id']}/start", key=key, json={})
    assert api.ok("POST", f"/queue-tickets/{called['id']}/complete", key=key, json={})["status"] == "COMPLETED"
    nobody = api.ok("POST", f"/events/{day.event}/queue/call-next", key=key, json={"counterNumber": 3})
    assert nobody["ticket"] is None


def test_every_registration_reached_the_webhook_receiver_signed_the_standard_webhooks_way(day: Day):
    verifier = Webhook(day.secret)

    def delivered() -> dict[str, dict[str, Any]]:
        seen = {}
        for request in list(day.receiver.received):
            payload = verifier.verify(request.body, request.headers)  # the library's own check, not ours
            assert payload["type"] == "participant.registered" and payload["id"] == request.headers["webhook-id"]
            seen[payload["data"]["participantId"]] = payload
        return seen if len(seen) >= len(day.people) else {}

    seen = day.api.until(delivered, 90, "a delivery per registration")
    assert set(seen) == set(day.people)
    assert {payload["data"]["eventId"] for payload in seen.values()} == {day.event}
    forged = day.receiver.received[0]
    with pytest.raises(WebhookVerificationError):  # signed with the subscription's secret, no other
        Webhook("whsec_" + "A" * 43 + "=").verify(forged.body, forged.headers)
    ids = [request.headers["webhook-id"] for request in day.receiver.received]
    assert len(ids) == len(set(ids)) == len(day.people)  # answered 2xx at once: each delivered once


def test_the_analytics_equal_registration_s_own_counts(day: Day):
    api, key = day.api, day.key
    owners = day.counts()
    assert owners == {"PENDING": 0, "IN_PROGRESS": 0, "APPROVED": len(day.approved), "REJECTED": REJECTED}

    def settled() -> dict[str, Any] | None:
        summary = api.ok("GET", "/analytics/summary", key=key, params={"eventId": day.event})
        figures = {
            "PENDING": summary["pending"],
            "IN_PROGRESS": summary["inProgress"],
            "APPROVED": summary["approved"],
            "REJECTED": summary["rejected"],
        }
        return summary if figures == owners and summary["total"] == len(day.people) else None

    summary = api.until(settled, 60, f"analytics equal to {owners}")
    assert summary["completionRate"] == 100
    board = api.ok("GET", "/analytics/dashboard", key=key)
    assert {e["eventId"]: e["count"] for e in board["participantsByEvent"]}[day.event] == len(day.people)


def _audit(day: Day, event_type: str) -> list[dict[str, Any]]:
    """The tenant's events of one type today, every page."""
    found: list[dict[str, Any]] = []
    params: dict[str, Any] = {"types": event_type, "limit": 500, "order": "oldest"}
    while True:
        page = day.api.request("GET", "/audit/events", key=day.key, params=params).json()
        found += [entry["event"] for entry in page["data"]]
        if not page.get("nextCursor"):
            return found
        params["after"] = page["nextCursor"]


def test_the_audit_log_of_the_day_holds_every_registration_and_approval(day: Day):
    registered_type = "plenary.registration.participant.registered.v1"
    approved_type = "plenary.workflow.participant.approved.v1"

    def complete() -> tuple[list[dict[str, Any]], list[dict[str, Any]]] | None:
        registered, approvals = _audit(day, registered_type), _audit(day, approved_type)
        ids = {e["data"]["participant"]["id"] for e in registered}
        approved = Counter(e["data"]["participantId"] for e in approvals)
        done = ids == set(day.people) and all(approved[pid] >= 2 for pid in day.approved)
        return (registered, approvals) if done else None

    registered, approvals = day.api.until(complete, 60, "the audit log complete")
    assert {e["tenantid"] for e in registered + approvals} == {day.tenant}
    assert len(registered) == len(day.people)  # each registration once
    # Review for everyone; the Badge desk for the approved; the fork's join for the cleared
    assert len(approvals) == len(day.people) + len(day.approved) + CLEARED, Counter(
        e["data"].get("stepId") for e in approvals
    )


def test_a_broadcast_reaches_every_approved_participant_by_email_and_nobody_else(day: Day):
    api, key = day.api, day.key
    audience = {"eventId": day.event, "filters": {"statuses": ["APPROVED"]}}
    api.until(
        lambda: api.ok("POST", "/broadcasts/audience/count", key=key, json=audience)["count"] == len(day.approved),
        30,
        "comms' audience of the approved equal to registration's",
    )
    subject = f"Your accreditation {new_id()[:6]}"
    body = audience | {"channel": "EMAIL", "subject": subject, "body": "Dear {{firstName}}, your badge is ready."}
    draft = api.ok("POST", "/broadcasts", 201, key=key, json=body)
    assert draft["status"] == "DRAFT"
    before = set(day.platform.mail.glob("*.eml"))
    api.ok("POST", f"/broadcasts/{draft['id']}/send", key=key)
    sent = api.until(
        lambda: (b := api.ok("GET", f"/broadcasts/{draft['id']}", key=key))["status"] in ("SENT", "FAILED") and b,
        90,
        "the broadcast sent",
    )
    assert sent["status"] == "SENT" and sent["deliveryStats"].get("SENT") == len(day.approved), sent

    def arrived() -> list[email.message.EmailMessage]:
        mine = [m for m in _emails(day.platform.mail, before) if m["Subject"] == subject]
        return mine if len(mine) >= len(day.approved) else []

    messages = api.until(arrived, 30, "every broadcast e-mail in the sink")
    recipients = Counter(str(m["To"]) for m in messages)
    assert set(recipients) == {day.people[pid] for pid in day.approved}
    assert set(recipients.values()) == {1}  # each once
    kofi = next(m for m in messages if str(m["To"]) == day.people[day.delegate])
    assert "Dear Kofi, your badge is ready." in _text(kofi)
