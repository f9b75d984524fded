"""The one registration path (API, bulk import, waitlist confirmation, later delegation invites):
extras checked against the event's effective fields, registration code unique in the event, screening
(blacklist blocks; likely duplicates found through blocking keys are flagged), the participant stored
with its blocking keys, and ``participant.registered`` published so workflow enters it.

The tenant and the actor come from the context (``plenary_kit.context``), as everywhere.
"""

import asyncio
import base64
import secrets
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal

from plenary_contracts.catalog import registration as contract
from plenary_contracts.catalog.events import EventSchema
from plenary_contracts.enums import ParticipantStatus
from plenary_contracts.errors import Conflict, NotFound, PlenaryError, ValidationFailed
from plenary_kit.acting import field_error, located, tenant, utcnow
from plenary_kit.db import UnitOfWork
from plenary_kit.ids import new_id

from ..adapters import participant_repository as participant_store
from ..adapters import screening_repository as screening_store
from ..domain import extras as extras_rules
from ..domain import screening
from .blacklist import screened_against
from .directory import EventDirectory, field_specs, participant_type

Source = Literal["api", "import", "waitlist", "invite"]
ROWS_BETWEEN_YIELDS = 20
# A call screening this many identity keys or fewer locks them one by one; a larger batch (an import's
# chunk) locks its events' screening as a whole instead (see ``_lock``).
MAX_KEY_LOCKS = 256


async def _let_others_run(index: int) -> None:
    """A batch's loops give the event loop back every few rows, so this process's request handlers keep
    answering while an import chunk is checked, screened and stored."""
    if index % ROWS_BETWEEN_YIELDS == ROWS_BETWEEN_YIELDS - 1:
        await asyncio.sleep(0)


@dataclass(frozen=True)
class Draft:
    event_id: str
    details: contract.ParticipantDetails
    source: Source
    row: int | None = None  # an import's row number, for messages


@dataclass(frozen=True)
class Registered:
    """A stored participant. Its reply model is built only when asked for: an import's chunk needs only the
    ids of the thousands it registers."""

    record: contract.ParticipantRecord
    flagged: bool
    screening: contract.Screening

    @property
    def id(self) -> str:
        return self.record.id

    @cached_property
    def participant(self) -> contract.Participant:  # with ``screening`` filled
        return participant_store.with_screening(self.record, self.flagged, self.screening)


@dataclass(frozen=True)
class Refused:
    error: PlenaryError  # ValidationFailed (field errors), Conflict (code taken; BLOCK with the matches), NotFound


Outcome = Registered | Refused


@dataclass
class _Prepared:
    """A draft that passed the checks before screening, with what storing it needs."""

    index: int
    draft: Draft
    schema: EventSchema
    type_code: str
    id: str
    code: str
    extras: dict[str, Any]
    person: screening.Person
    keys: set[str] = field(default_factory=set)  # indexed under
    probes: set[str] = field(default_factory=set)  # looked up by screening

    @property
    def event_id(self) -> str:
        return self.draft.event_id


def new_registration_code() -> str:
    """``REG-`` and 8 upper-case base32 characters (40 random bits)."""
    return "REG-" + base64.b32encode(secrets.token_bytes(5)).decode()


def blocked_error(verdict: contract.Screening) -> Conflict:
    return Conflict("registration refused by screening", details={"screening": verdict.model_dump(mode="json")})


class Registrar:
    def __init__(self, directory: EventDirectory, new_uow: Callable[[], UnitOfWork]) -> None:
        self.directory = directory
        self.new_uow = new_uow  # for what must outlive a refusal: ``registration.blocked``

    async def check(self, uow: UnitOfWork, event_id: str, details: contract.ParticipantDetails) -> None:
        """What registering would refuse before screening (unknown event or type, invalid extras, a taken
        code), raised; nothing is stored. The waitlist checks a person's data with it when they join."""
        (outcome,) = await self._prepare(uow, tenant(), [Draft(event_id, details, "api")])
        if isinstance(outcome, Refused):
            raise outcome.error

    async def screen(self, uow: UnitOfWork, event_id: str, details: contract.ParticipantDetails) -> contract.Screening:
        """What screening would say of a registration (after the same checks); nothing is stored."""
        tenant_id = tenant()
        (outcome,) = await self._prepare(uow, tenant_id, [Draft(event_id, details, "api")])
        if isinstance(outcome, Refused):
            raise outcome.error
        return (await self._screen(uow, tenant_id, [outcome]))[outcome.index]

    async def register(self, uow: UnitOfWork, drafts: Sequence[Draft]) -> list[Outcome]:
        """Register many in the caller's unit of work; one outcome per draft, in order.

        A refused draft leaves no trace but a ``registration.blocked`` event when screening blocked it;
        the others are stored. Candidates are screened against stored participants and against the
        drafts before them in the same call. The caller commits.
        """
        tenant_id = tenant()
        prepared = await self._prepare(uow, tenant_id, drafts)
        ready = [p for p in prepared if isinstance(p, _Prepared)]
        verdicts = await self._screen(uow, tenant_id, ready, storing=True)
        outcomes: list[Outcome | None] = [p if isinstance(p, Refused) else None for p in prepared]
        blocked = [p for p in ready if not verdicts[p.index].allowed]
        for p in blocked:
            outcomes[p.index] = Refused(blocked_error(verdicts[p.index]))
        accepted = [p for p in ready if verdicts[p.index].allowed]
        for index, outcome in (await self._store(uow, tenant_id, accepted, verdicts)).items():
            outcomes[index] = outcome
        if blocked:
            await self._announce_blocked(blocked, verdicts)
        assert all(o is not None for o in outcomes)
        return outcomes  # type: ignore[return-value]

    async def register_one(self, uow: UnitOfWork, draft: Draft) -> contract.Participant:
        """``register`` for one draft: its refusal is raised."""
        (outcome,) = await self.register(uow, [draft])
        if isinstance(outcome, Refused):
            raise outcome.error
        return outcome.participant

    # --- before screening ------------------------------------------------------------------------

    async def _prepare(self, uow: UnitOfWork, tenant_id: str, drafts: Sequence[Draft]) -> list[_Prepared | Refused]:
        schemas: dict[str, EventSchema | NotFound] = {}
        results: list[_Prepared | Refused] = []
        for index, draft in enumerate(drafts):
            await _let_others_run(index)
            if draft.event_id not in schemas:
                named = [d.details for d in drafts if d.event_id == draft.event_id]
                try:
                    schemas[draft.event_id] = await self.directory.schema(
                        uow,
                        tenant_id,
                        draft.event_id,
                        type_ids={d.participant_type_id for d in named},
                        field_names={key for d in named for key in d.extras},
                    )
                except NotFound as missing:
                    schemas[draft.event_id] = missing
            schema = schemas[draft.event_id]
            if isinstance(schema, NotFound):
                results.append(Refused(schema))
                continue
            results.append(_checked(index, draft, schema))
        await self._refuse_taken_codes(uow, tenant_id, results)
        await self._refuse_taken_unique_values(uow, tenant_id, results)
        return results

    async def _refuse_taken_codes(self, uow: UnitOfWork, tenant_id: str, results: list[_Prepared | Refused]) -> None:
        """A code the draft gives that the event or an earlier draft already uses is refused. A generated
        code is not looked up (40 random bits: a clash is practically never, and storing draws another)."""
        by_event: dict[str, list[_Prepared]] = defaultdict(list)
        for p in results:
            if isinstance(p, _Prepared):
                by_event[p.event_id].append(p)
        for event_id, batch in by_event.items():
            given = {p.code for p in batch if p.draft.details.registration_code is not None}
            taken = await participant_store.codes_taken(uow.session, tenant_id, event_id, given)
            seen: set[str] = set()
            for p in batch:
                while p.draft.details.registration_code is None and p.code in seen | given:
                    p.code = new_registration_code()
                if p.code in taken or p.code in seen:
                    results[p.index] = Refused(
                        Conflict(f"registration code {p.code} is already used in this event", details={"code": p.code})
                    )
                seen.add(p.code)

    async def _refuse_taken_unique_values(
        self, uow: UnitOfWork, tenant_id: str, results: list[_Prepared | Refused]
    ) -> None:
        by_event: dict[str, list[_Prepared]] = defaultdict(list)
        for p in results:
            if isinstance(p, _Prepared):
                by_event[p.event_id].append(p)
        for event_id, batch in by_event.items():
            for spec in (s for s in field_specs(batch[0].schema) if s.unique):
                holders = [p for p in batch if spec.name in p.extras]
                values = {extras_rules.unique_key(p.extras[spec.name]) for p in holders}
                taken = await participant_store.values_taken(uow.session, tenant_id, event_id, spec.name, values)
                seen: set[str] = set()
                for p in holders:
                    if not isinstance(results[p.index], _Prepared):
                        continue
                    value = extras_rules.unique_key(p.extras[spec.name])
                    if value in taken or value in seen:
                        results[p.index] = Refused(
                            ValidationFailed(
                                "a unique field's value is already used",
                                errors=[
                                    field_error(["extras", spec.name], f"{spec.label} is already used in this event")
                                ],
                            )
                        )
                    else:
                        seen.add(value)

    # --- screening -------------------------------------------------------------------------------

    async def _screen(
        self, uow: UnitOfWork, tenant_id: str, batch: Sequence[_Prepared], *, storing: bool = False
    ) -> dict[int, contract.Screening]:
        """Each draft's screening, in order: blacklist, then duplicates among stored participants in scope
        (found through blocking keys) and the drafts before it that screening let through.

        When ``storing``, what it screens stays locked until the caller commits (``_lock``): two registrations
        that could be each other's candidates never screen at the same time, each blind to the other."""
        if not batch:
            return {}
        entries = await screened_against(uow, self.directory.cache, tenant_id, utcnow())
        scopes: dict[str, frozenset[str]] = {}
        for p in batch:
            if p.event_id not in scopes:
                scopes[p.event_id] = await self.directory.scope(uow, p.schema)
        if storing:
            await _lock(uow, tenant_id, batch, scopes)
        stored: dict[int, dict[str, screening.Person]] = defaultdict(dict)
        for event_id, scope in scopes.items():
            probes = {p.index: p.probes for p in batch if p.event_id == event_id}
            for found in await screening_store.find_candidates(uow.session, tenant_id, scope, probes):
                stored[found.person][found.candidate.id] = found.candidate
        verdicts: dict[int, contract.Screening] = {}
        earlier = _EarlierDrafts()
        for n, p in enumerate(batch):
            await _let_others_run(n)
            candidates = [*stored[p.index].values(), *earlier.candidates_of(p, scopes[p.event_id])]
            verdicts[p.index] = _verdict(p.person, entries, candidates)
            if verdicts[p.index].allowed:
                earlier.add(p)
        return verdicts

    # --- storing ---------------------------------------------------------------------------------

    async def _store(
        self,
        uow: UnitOfWork,
        tenant_id: str,
        accepted: Sequence[_Prepared],
        verdicts: dict[int, contract.Screening],
    ) -> dict[int, Outcome]:
        if not accepted:
            return {}
        now = utcnow()
        rows = {
            p.index: {
                "id": p.id,
                "tenant_id": tenant_id,
                "event_id": p.event_id,
                "participant_type_id": p.draft.details.participant_type_id,
                "workflow_id": p.draft.details.workflow_id,
                "registration_code": p.code,
                "first_name": p.draft.details.first_name,
                "last_name": p.draft.details.last_name,
                "email": p.draft.details.email,
                "organization": p.draft.details.organization,
                "job_title": p.draft.details.job_title,
                "nationality": p.draft.details.nationality,
                "status": ParticipantStatus.PENDING,
                "extras": p.extras,
                "flagged": bool(verdicts[p.index].duplicates),
                "created_at": now,
                "updated_at": now,
            }
            for p in accepted
        }
        outcomes: dict[int, Outcome] = {}
        generated = {p.index for p in accepted if p.draft.details.registration_code is None}
        keys = {p.index: p.keys for p in accepted}
        pending = rows
        while pending:
            clashed = await participant_store.insert_unless_code_taken(uow.session, pending, keys)
            for index in clashed - generated:
                code = rows[index]["registration_code"]
                taken = Conflict(f"registration code {code} is already used in this event", details={"code": code})
                outcomes[index] = Refused(taken)
            pending = {index: rows[index] for index in clashed & generated}
            for row in pending.values():  # practically never: another registration drew the same code
                row["registration_code"] = new_registration_code()
        kept = [p for p in accepted if p.index not in outcomes]
        # a candidate among this call's drafts counts only if it was stored too
        lost = {p.id for p in accepted} - {p.id for p in kept}
        pairs = [(p, found) for p in kept for found in verdicts[p.index].duplicates if found.participant_id not in lost]
        candidates = await screening_store.upsert_candidates(
            uow.session, [_candidate_row(tenant_id, p, d) for p, d in pairs]
        )
        for n, p in enumerate(kept):
            await _let_others_run(n)
            record = participant_store.to_record(rows[p.index], p.type_code)
            outcomes[p.index] = Registered(record, rows[p.index]["flagged"], verdicts[p.index])
            uow.publish(contract.PARTICIPANT_REGISTERED, contract.ParticipantChanged(participant=record), subject=p.id)
        for (p, _), candidate in zip(pairs, candidates, strict=True):
            flagged = contract.DuplicateFlagged(
                participant_id=p.id,
                event_id=p.event_id,
                candidate=candidate,
            )
            uow.publish(contract.DUPLICATE_FLAGGED, flagged, subject=p.id)
        return outcomes

    async def _announce_blocked(self, blocked: Sequence[_Prepared], verdicts: dict[int, contract.Screening]) -> None:
        """In a unit of work of its own: the refusal is a fact even when the caller rolls back."""
        async with self.new_uow() as own:
            for p in blocked:
                details = p.draft.details
                payload = contract.RegistrationBlocked(
                    event_id=p.event_id,
                    first_name=details.first_name,
                    last_name=details.last_name,
                    email=details.email,
                    screening=verdicts[p.index],
                    source=p.draft.source,
                )
                own.publish(contract.REGISTRATION_BLOCKED, payload, subject=p.event_id)
            await own.commit()


async def _lock(uow: UnitOfWork, tenant_id: str, batch: Sequence[_Prepared], scopes: dict[str, frozenset[str]]) -> None:
    """Serialise exactly the registrations that could find each other. A registration finds another
    through a key among its probes that the other is indexed under, so each locks its keys and its
    probes: any two that could be each other's candidates share a lock, the later one waits for the
    earlier to commit and then sees it. Its own event is locked shared, so a large batch of an
    overlapping event, which locks its whole scope exclusively instead of thousands of keys, still
    excludes it."""
    keys = {key for p in batch for key in (*p.keys, *p.probes)}
    if len(keys) <= MAX_KEY_LOCKS:
        await screening_store.lock_keys(uow.session, tenant_id, {p.event_id for p in batch}, keys)
    else:
        await screening_store.lock_scope(uow.session, tenant_id, set().union(*scopes.values()))


def _checked(index: int, draft: Draft, schema: EventSchema) -> _Prepared | Refused:
    details = draft.details
    try:
        kind = participant_type(schema, details.participant_type_id)
    except NotFound as missing:
        return Refused(missing)
    checked = extras_rules.check_extras(details.extras, field_specs(schema))
    if checked.problems:
        errors = located(["extras"], checked.problems)
        return Refused(ValidationFailed("extras do not match the event's fields", errors=errors))
    pid = new_id()
    person = screening_store.person_of(
        {
            "id": pid,
            "first_name": details.first_name,
            "last_name": details.last_name,
            "email": details.email,
            "extras": checked.extras,
        }
    )
    return _Prepared(
        index=index,
        draft=draft,
        schema=schema,
        type_code=kind.code,
        id=pid,
        code=details.registration_code or new_registration_code(),
        extras=checked.extras,
        person=person,
        keys=screening.blocking_keys(person),
        probes=screening.probe_keys(person),
    )


class _EarlierDrafts:
    """Drafts of this call already let through, found by the same lookups as stored participants."""

    def __init__(self) -> None:
        self.by_key: dict[str, list[_Prepared]] = defaultdict(list)

    def add(self, p: _Prepared) -> None:
        for key in p.keys:
            self.by_key[key].append(p)

    def candidates_of(self, p: _Prepared, scope: set[str]) -> list[screening.Person]:
        crowds = (self.by_key.get(key, ())[: screening.POSTINGS_PER_KEY] for key in p.probes)
        found = {other.id: other for crowd in crowds for other in crowd}
        return [o.person for o in found.values() if o.event_id in scope]


def _verdict(
    person: screening.Person, entries: Sequence[screening.BlacklistEntry], candidates: Sequence[screening.Person]
) -> contract.Screening:
    hits = screening.blacklist_hits(person, entries)
    scored = screening.flagged(person, candidates)
    duplicates = [
        contract.ScreenedDuplicate(
            participant_id=s.candidate_id or "",
            score=s.score,
            risk=s.risk.value,
            matches=[_match(m) for m in s.matches],
        )
        for s in scored
    ]
    blocked = bool(hits) or any(s.risk is screening.Risk.BLOCK for s in scored)
    risk = "BLOCK" if blocked else "WARN" if scored else "PASS"
    return contract.Screening(
        risk=risk,
        allowed=not blocked,
        blacklist=[
            contract.BlacklistMatch(
                blacklist_id=h.blacklist_id,
                match_type=h.match_type,
                match_field=h.match_field,
                match_value=h.match_value,
            )
            for h in hits
        ],
        duplicates=duplicates,
    )


def _match(m: screening.FieldMatch) -> contract.DuplicateMatch:
    return contract.DuplicateMatch(
        field=m.field, source_value=m.source_value, match_value=m.match_value, score=m.score, match_type=m.match_type
    )


def _candidate_row(tenant_id: str, p: _Prepared, found: contract.ScreenedDuplicate) -> dict[str, Any]:
    first, second = screening_store.ordered_pair(p.id, found.participant_id)
    return {
        "id": new_id(),
        "tenant_id": tenant_id,
        "event_id": p.event_id,
        "participant_a_id": first,
        "participant_b_id": second,
        "confidence_score": found.score,
        "match_fields": [m.model_dump(mode="json") for m in found.matches],
    }
