"""Self-service kiosks: staff register, change and remove them; a kiosk itself beats its heart, looks visitors
up, checks them in, takes queue tickets and records visitors' sessions; a timer marks silent kiosks offline
and ends sessions left open.

A kiosk is paired like a scanner: identity issues it an API key limited to ``check-in:scan`` at its event,
shown once at registration. The kiosk's own operations are called with that key, and the kiosk is found by
the key's id: its tenant and event are the kiosk's, never anything the request says, so a kiosk reaches
only the participants, checkpoints and queue of the event it stands at.
"""

from collections.abc import Callable
from typing import Any, Protocol

from plenary_contracts.catalog import checkin as contract
from plenary_contracts.catalog.identity import SYSTEM_USER_ID
from plenary_contracts.credentials import api_key_of
from plenary_contracts.errors import BadRequest, Conflict, Forbidden, NotFound
from plenary_kit import context as ctx
from plenary_kit.acting import located, refuse, require_grant, tenant, utcnow
from plenary_kit.db import UnitOfWork, drain
from plenary_kit.ids import new_id
from plenary_kit.logging import get_logger

from ..adapters import kiosk_repository as kiosks
from ..adapters import queue_repository as tickets
from ..adapters.identity_client import DeviceKey, IdentityClient
from ..domain.kiosks import average_duration_seconds, exactly_one, idle_cutoff, offline_cutoff
from .directory import known_event
from .queue import Queue

log = get_logger(__name__)

MANAGE = contract.REGISTER_KIOSK.permission
KIOSK_ACTOR = "kiosk"  # how a kiosk's scans name who scanned
IDLE_BATCH = 1000


class Scanner(Protocol):
    """The scan use case a kiosk checks people in through, as scanners at a gate do."""

    async def scan(
        self, uow: UnitOfWork, request: contract.ProcessScan, *, scanned_by: str, device_id: str | None
    ) -> contract.ScanOutcome: ...

    async def manual_entry(
        self, uow: UnitOfWork, request: contract.ManualEntry, *, scanned_by: str, device_id: str | None
    ) -> contract.ScanOutcome: ...


class Kiosks:
    """Staff's kiosk operations (``kiosk:manage``)."""

    def __init__(self, identity: IdentityClient) -> None:
        self.identity = identity

    async def register(self, request: contract.RegisterKiosk, uow: UnitOfWork) -> contract.RegisteredKiosk:
        """Register a kiosk at an event of the caller's tenant, with a name of its own in that event, and pair
        it: identity issues its key, whose raw value is returned this once (identity keeps only its HMAC, this
        service only its id and prefix). Should the kiosk not be stored after all, the key is revoked again, so
        no working key is left without a kiosk."""
        tenant_id = tenant()
        await known_event(uow, tenant_id, request.event_id)
        if await kiosks.name_taken(uow.session, tenant_id, request.event_id, request.name):
            raise Conflict(f"the event has a kiosk named {request.name!r} already")
        key = await self.identity.issue_device_key(name=f"Kiosk {request.name}", event_id=request.event_id)
        try:
            kiosk = await self._store(uow, tenant_id, request, key)
        except Exception:
            await self.identity.revoke_device_key(key.api_key_id)
            raise
        uow.publish(contract.KIOSK_REGISTERED, contract.KioskChanged(kiosk=kiosk), subject=kiosk.id)
        return contract.RegisteredKiosk(kiosk=kiosk, device_key=key.raw_key)

    async def _store(
        self, uow: UnitOfWork, tenant_id: str, request: contract.RegisterKiosk, key: DeviceKey
    ) -> contract.Kiosk:
        now = utcnow()
        kiosk = await kiosks.insert_kiosk(
            uow.session,
            {
                "id": new_id(),
                "tenant_id": tenant_id,
                "event_id": request.event_id,
                "name": request.name,
                "location": request.location,
                "language": request.language,
                "mode": request.mode,
                "is_online": True,
                "last_heartbeat": now,
                "api_key_id": key.api_key_id,
                "key_prefix": key.key_prefix,
                "created_at": now,
                "updated_at": now,
            },
        )
        if kiosk is None:
            raise Conflict(f"the event has a kiosk named {request.name!r} already")
        return kiosk

    async def list_kiosks(self, request: contract.ListKiosks, uow: UnitOfWork) -> contract.KioskPage:
        tenant_id = tenant()
        await known_event(uow, tenant_id, request.event_id)
        found, meta = await kiosks.page(uow.session, tenant_id, request)
        return contract.KioskPage(data=found, meta=meta)

    async def get(self, request: contract.KioskRef, uow: UnitOfWork) -> contract.Kiosk:
        kiosk = await kiosks.get_kiosk(uow.session, tenant(), request.id)
        if kiosk is None:
            raise NotFound(f"kiosk {request.id} not found")
        require_grant(MANAGE, kiosk.event_id)  # type: ignore[arg-type]
        return kiosk

    async def _locked(self, uow: UnitOfWork, kiosk_id: str) -> kiosks.LockedKiosk:
        locked = await kiosks.lock_kiosk(uow.session, tenant(), kiosk_id)
        if locked is None:
            raise NotFound(f"kiosk {kiosk_id} not found")
        require_grant(MANAGE, locked.kiosk.event_id)  # type: ignore[arg-type]
        return locked

    async def update(self, request: contract.UpdateKiosk, uow: UnitOfWork) -> contract.Kiosk:
        current = (await self._locked(uow, request.id)).kiosk
        changes: dict[str, Any] = {
            name: value
            for name in ("name", "location", "language", "mode")
            if (value := getattr(request, name)) is not None and value != getattr(current, name)
        }
        if not changes:
            return current
        if "name" in changes and await kiosks.name_taken(
            uow.session, current.tenant_id, current.event_id, changes["name"], other_than=current.id
        ):
            raise Conflict(f"the event has a kiosk named {changes['name']!r} already")
        kiosk = await kiosks.update_kiosk(uow.session, current.id, {**changes, "updated_at": utcnow()})
        uow.publish(contract.KIOSK_UPDATED, contract.KioskChanged(kiosk=kiosk), subject=kiosk.id)
        return kiosk

    async def decommission(self, request: contract.KioskRef, uow: UnitOfWork) -> contract.Kiosk:
        """Remove the kiosk with its sessions, and revoke its key. The key is revoked before the removal
        commits: should identity not answer, the kiosk stays as it was (its key still working) and the
        removal can be tried again, rather than a removed kiosk keeping a working key."""
        locked = await self._locked(uow, request.id)
        await kiosks.delete_kiosk(uow.session, locked.kiosk.id)
        if locked.api_key_id is not None:
            await self.identity.revoke_device_key(locked.api_key_id)
        uow.publish(contract.KIOSK_DECOMMISSIONED, contract.KioskChanged(kiosk=locked.kiosk), subject=locked.kiosk.id)
        return locked.kiosk

    async def stats(self, request: contract.KioskStatsQuery, uow: UnitOfWork) -> contract.KioskStats:
        tenant_id = tenant()
        await known_event(uow, tenant_id, request.event_id)
        counts = await kiosks.session_counts(uow.session, tenant_id, request.event_id)
        return contract.KioskStats(
            total_sessions=counts.total,
            avg_duration_seconds=average_duration_seconds(counts.ended_seconds, counts.total),
            sessions_by_type=counts.by_type,
            timed_out_count=counts.timed_out,
        )


class AtKiosk:
    """What a kiosk itself does, called with its device key."""

    def __init__(self, scanning: Scanner, queue: Queue) -> None:
        self.scanning = scanning
        self.queue = queue

    @staticmethod
    async def _calling_kiosk(uow: UnitOfWork) -> kiosks.KioskDevice:
        """The kiosk whose key the caller authenticated with; anyone else (a user's session, another key,
        a key of another tenant than the one acted in) is refused."""
        caller = ctx.current()
        key_id = api_key_of(caller.credential)
        kiosk = await kiosks.by_api_key(uow.session, key_id) if key_id else None
        if kiosk is None or (caller.tenant_id is not None and caller.tenant_id != kiosk.tenant_id):
            raise Forbidden("only a registered kiosk's device key may do this")
        return kiosk

    async def heartbeat(self, request: contract.NoRequest, uow: UnitOfWork) -> contract.Kiosk:
        device = await self._calling_kiosk(uow)
        beat = await kiosks.heartbeat(uow.session, device.id, utcnow())
        if beat is None:  # decommissioned since its key was looked up
            raise Forbidden("only a registered kiosk's device key may do this")
        kiosk, was_online = beat
        with ctx.acting(tenant_id=device.tenant_id):
            if not was_online:  # back after the sweep marked it offline: staff's lists follow it
                uow.publish(contract.KIOSK_UPDATED, contract.KioskChanged(kiosk=kiosk), subject=kiosk.id)
        return kiosk

    async def lookup(self, request: contract.KioskLookup, uow: UnitOfWork) -> contract.ParticipantCard:
        """A participant of the kiosk's event, by e-mail (any case) or exact registration code."""
        device = await self._calling_kiosk(uow)
        refuse(
            "give an e-mail or a registration code",
            located((), exactly_one({"email": request.email, "registrationCode": request.registration_code})),
        )
        card = await kiosks.find_participant(
            uow.session,
            device.tenant_id,
            device.event_id,
            email=request.email,
            registration_code=request.registration_code,
        )
        if card is None:
            raise NotFound("no participant of this event has that e-mail or code")
        return card

    async def check_in(self, request: contract.KioskCheckIn, uow: UnitOfWork) -> contract.ScanOutcome:
        """Check a visitor in at the event's first active checkpoint (the oldest), as a scan by ``kiosk`` from
        this device: a badge goes through the scan, a registration code through manual entry, with every
        rule of a scan at a gate."""
        device = await self._calling_kiosk(uow)
        refuse(
            "give a badge or a registration code",
            located((), exactly_one({"payload": request.payload, "registrationCode": request.registration_code})),
        )
        with ctx.acting(tenant_id=device.tenant_id):
            checkpoint_id = await kiosks.first_active_checkpoint(uow.session, device.tenant_id, device.event_id)
            if checkpoint_id is None:
                raise BadRequest("the event has no active checkpoint to check in at")
            if request.payload is not None:
                scan = contract.ProcessScan(checkpoint_id=checkpoint_id, payload=request.payload)
                return await self.scanning.scan(uow, scan, scanned_by=KIOSK_ACTOR, device_id=device.id)
            assert request.registration_code is not None
            entry = contract.ManualEntry(checkpoint_id=checkpoint_id, registration_code=request.registration_code)
            return await self.scanning.manual_entry(uow, entry, scanned_by=KIOSK_ACTOR, device_id=device.id)

    async def join_queue(self, request: contract.KioskJoinQueue, uow: UnitOfWork) -> contract.QueueTicket:
        device = await self._calling_kiosk(uow)
        with ctx.acting(tenant_id=device.tenant_id):
            return await self.queue.take(
                uow, device.tenant_id, device.event_id, request.participant_id, request.priority
            )

    async def start_session(self, request: contract.StartKioskSession, uow: UnitOfWork) -> contract.KioskSession:
        """A visitor starts using the kiosk, in the kiosk's language unless they chose another; the visitor,
        when known, must be a participant of the kiosk's event."""
        device = await self._calling_kiosk(uow)
        if request.participant_id is not None and not await tickets.participant_in_event(
            uow.session, device.tenant_id, device.event_id, request.participant_id
        ):
            raise NotFound(f"participant {request.participant_id} not found in this event")
        return await kiosks.insert_session(
            uow.session,
            {
                "id": new_id(),
                "tenant_id": device.tenant_id,
                "device_id": device.id,
                "participant_id": request.participant_id,
                "session_type": request.session_type,
                "language": request.language or device.language,
                "started_at": utcnow(),
                "timed_out": False,
            },
        )

    async def end_session(self, request: contract.EndKioskSession, uow: UnitOfWork) -> contract.KioskSession:
        """End one of this kiosk's open sessions (``timedOut`` when the kiosk reset itself after 120 s idle).
        One already ended, by the kiosk or by the sweep, is a conflict."""
        device = await self._calling_kiosk(uow)
        session = await kiosks.lock_session(uow.session, device.id, request.id)
        if session is None:
            raise NotFound(f"session {request.id} not found on this kiosk")
        if session.ended_at is not None:
            raise Conflict("the session has ended already", details={"timedOut": session.timed_out})
        values: dict[str, Any] = {"ended_at": utcnow(), "timed_out": request.timed_out}
        if request.metadata is not None:
            values["metadata"] = request.metadata
        return await kiosks.end_session(uow.session, session.id, values)


class KioskSweep:
    """The stale sweep (every minute): kiosks silent for 3 minutes go offline, and sessions left open past
    the idle time-out end as timed out (domain.kiosks says what "idle" means)."""

    def __init__(self, new_uow: Callable[[], UnitOfWork]) -> None:
        self.new_uow = new_uow

    async def mark_next_offline(self, uow: UnitOfWork) -> bool:
        """One silent kiosk offline, with its event; False when none is left. Claimed with SKIP LOCKED."""
        now = utcnow()
        kiosk = await kiosks.claim_stale(uow.session, offline_cutoff(now), now)
        if kiosk is None:
            return False
        with ctx.acting(tenant_id=kiosk.tenant_id, actor_id=SYSTEM_USER_ID):  # nobody asked for it directly
            uow.publish(contract.KIOSK_OFFLINE, contract.KioskChanged(kiosk=kiosk), subject=kiosk.id)
        return True

    async def end_idle_sessions(self, uow: UnitOfWork) -> bool:
        """A batch of abandoned sessions ended as timed out; False once none is left."""
        return await kiosks.end_idle_sessions(uow.session, idle_cutoff(utcnow()), IDLE_BATCH) > 0

    async def sweep(self) -> dict[str, int]:
        """One run: each kiosk marked offline in its own unit of work (each publishes its event), the idle
        sessions in batches. Returns how many kiosks went offline and how many batches of sessions ended."""
        done: dict[str, int] = {}
        for name, step in (("offline", self.mark_next_offline), ("sessions", self.end_idle_sessions)):
            try:
                done[name] = await drain(self.new_uow, step)
            except Exception:  # one failing half must not hold up the other
                log.exception("kiosk sweep failed", sweep=name)
                done[name] = 0
        return done
