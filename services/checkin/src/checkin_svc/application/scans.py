"""Scans at a checkpoint: a badge read by a scanner or a kiosk, a registration code typed by staff, and a
scanner's offline scans uploaded late.

Every outcome is logged, INVALID included, against the checkpoint the scan was made at; a checkpoint the
caller's tenant does not have is a 404 for the request itself, since there is nothing to log it against.
The decision is the domain's (``scanning.decide`` and ``admit``, checks in their documented order); this
module reads what it needs in one statement, verifies the badge's signature in-process, and writes the
outcome, the presence and the head count in one more.

A scan with a ``nonce`` is answered once: a repeat (a retry after a dropped connection, an offline batch
uploaded again) gets the first answer rebuilt from its log row and writes nothing, and when two requests
carry one nonce at once, the access log's unique index lets one in and the other answers with its outcome.

``scannedAt`` is the device's time of an offline scan: "today" for the re-entry policy, the event's end for
EXPIRED and the order of an upload all go by it. It may run ahead of the server's clock by ``CLOCK_SKEW``
at most; further is refused.
"""

from collections.abc import Sequence
from datetime import datetime, timedelta

from nacl.signing import VerifyKey

from plenary_contracts.catalog import checkin as contract
from plenary_contracts.credentials import api_key_of
from plenary_contracts.enums import ScanResult, ScanType
from plenary_contracts.errors import FieldError, NotFound
from plenary_contracts.permissions import Permission
from plenary_kit import context as ctx
from plenary_kit.acting import Loc, actor, field_error, refuse, require_grant, tenant, utcnow
from plenary_kit.db import UnitOfWork
from plenary_kit.ids import new_id

from ..adapters import scan_repository as scans
from ..adapters.scan_repository import Entry, LoggedScan, Scene
from ..domain import badges
from ..domain.scanning import Decision, Movement, Reason, admit, decide
from .occupancy import publish_zone

CLOCK_SKEW = timedelta(minutes=2)
SCAN = Permission("check-in", "scan")

MESSAGES = {
    Reason.UNREADABLE: "Not a valid badge",
    Reason.OTHER_TENANT: "Badge of a different organisation",
    Reason.UNKNOWN_PARTICIPANT: "Participant not found",
    Reason.PARTICIPANT_REVOKED: "Registration cancelled or rejected",
    Reason.BADGE_REPLACED: "Badge replaced by a newer one",
    Reason.EVENT_ENDED: "The event has ended",
    Reason.UNKNOWN_CHECKPOINT: "Unknown checkpoint",
    Reason.CHECKPOINT_INACTIVE: "Checkpoint closed",
    Reason.OTHER_EVENT: "Badge for another event",
    Reason.ZONE_NOT_ALLOWED: "Not allowed in this zone",
    Reason.ALREADY_TODAY: "Already scanned today",
    Reason.ALREADY_ONCE: "Already scanned",
    Reason.STILL_INSIDE: "Already inside: scan out first",
    Reason.ADMITTED: "Welcome",
    Reason.OVERRIDDEN: "Admitted by override",
}
CODE_NOT_FOUND = "Registration code not found"
EXIT_MESSAGE = "Goodbye"

BadgeScan = contract.ProcessScan | contract.OfflineScan


def _message(reason: str, movement: str | None, *, manual: bool = False) -> str:
    if manual and reason == Reason.UNKNOWN_PARTICIPANT:
        return CODE_NOT_FOUND
    if reason in (Reason.ADMITTED, Reason.OVERRIDDEN) and movement == Movement.OUT:
        return EXIT_MESSAGE
    try:
        return MESSAGES[Reason(reason)]
    except ValueError:  # a reason this version does not know (a newer replica logged it)
        return reason


def _caller_key() -> str | None:
    """The API key the caller authenticates with, if any: a paired scanner is the device holding it."""
    return api_key_of(ctx.current().credential)


def _scan_time(scanned_at: datetime | None, now: datetime, loc: Loc) -> datetime:
    if scanned_at is None:
        return now
    refuse("scannedAt is in the future", _ahead(scanned_at, now, loc))
    return scanned_at


def _ahead(scanned_at: datetime, now: datetime, loc: Loc) -> list[FieldError]:
    if scanned_at > now + CLOCK_SKEW:
        return [field_error(loc, f"is ahead of the server's clock by more than {int(CLOCK_SKEW.total_seconds())} s")]
    return []


def _read(payload: str) -> badges.SignedBadge | badges.BadgeUnreadable:
    try:
        return badges.read(payload)
    except badges.BadgeUnreadable as unreadable:
        return unreadable


def _verified(
    signed: badges.SignedBadge | badges.BadgeUnreadable, tenant_id: str, public_key: bytes | None
) -> badges.Badge | badges.BadgeUnreadable:
    """The badge once its signature checks out with its key. Another tenant's badge is not checked: it is
    refused as another organisation's whether genuine or not, and nothing of that tenant is read."""
    if isinstance(signed, badges.BadgeUnreadable):
        return signed
    if signed.badge.tenant_id != tenant_id:
        return signed.badge
    if public_key is None:
        return badges.BadgeUnreadable(badges.Unreadable.UNKNOWN_KEY)
    try:
        return signed.verified_by(VerifyKey(public_key))
    except badges.BadgeUnreadable as unreadable:
        return unreadable


def replayed(seen: LoggedScan) -> contract.ScanOutcome:
    """A nonce's first answer, rebuilt from its log row."""
    return contract.ScanOutcome(
        result=seen.result,
        reason=seen.reason,
        message=_message(seen.reason, seen.movement, manual=seen.scan_type is ScanType.MANUAL_ENTRY),
        participant_id=seen.participant_id,
        participant_name=seen.participant_name,
        registration_code=seen.registration_code,
        access_log_id=seen.id,
        movement=seen.movement,
        passback=seen.passback,
        nonce=seen.nonce,
    )


class Scanning:
    """The scan use cases. ``scan`` and ``manual_entry`` serve any caller that has its own unit of work and
    says who scans (a kiosk: ``scanned_by="kiosk"`` and its device id); the handlers below serve the bus."""

    # --- for other use cases (kiosks) ------------------------------------------------------------

    async def scan(
        self, uow: UnitOfWork, request: contract.ProcessScan, *, scanned_by: str, device_id: str | None
    ) -> contract.ScanOutcome:
        return await self._badge(uow, request, scanned_by=scanned_by, device_id=device_id, api_key_id=None)

    async def manual_entry(
        self, uow: UnitOfWork, request: contract.ManualEntry, *, scanned_by: str, device_id: str | None
    ) -> contract.ScanOutcome:
        return await self._code(uow, request, scanned_by=scanned_by, device_id=device_id, api_key_id=None)

    # --- handlers --------------------------------------------------------------------------------

    async def process_scan(self, request: contract.ProcessScan, uow: UnitOfWork) -> contract.ScanOutcome:
        return await self._badge(uow, request, scanned_by=actor(), device_id=None, api_key_id=_caller_key())

    async def enter_manually(self, request: contract.ManualEntry, uow: UnitOfWork) -> contract.ScanOutcome:
        return await self._code(uow, request, scanned_by=actor(), device_id=None, api_key_id=_caller_key())

    async def upload(self, request: contract.UploadScans, uow: UnitOfWork) -> contract.UploadedScans:
        """Offline scans, applied in device time order (ties in the order sent), answered in the order sent.

        The scans' participants are locked before the first scan (and the tenant's uploads run one at a
        time), so an upload never waits on a participant while holding a head count. A scan whose
        checkpoint is unknown fails the upload (404), as it would alone: it has nothing to be logged
        against, and the device is told which."""
        now = utcnow()
        refuse("a scan is dated in the future", _future(request.scans, now))
        tenant_id = tenant()
        read = [_read(scan.payload) for scan in request.scans]
        ours = [
            r.badge.participant_id for r in read if isinstance(r, badges.SignedBadge) and r.badge.tenant_id == tenant_id
        ]
        await scans.serialize(uow.session, tenant_id, ours, upload=True)
        caller = actor()
        api_key_id = _caller_key()
        outcomes: list[contract.ScanOutcome | None] = [None] * len(request.scans)
        for index in sorted(range(len(request.scans)), key=lambda i: (request.scans[i].scanned_at, i)):
            outcomes[index] = await self._badge(
                uow,
                request.scans[index],
                scanned_by=caller,
                device_id=None,
                api_key_id=api_key_id,
                signed=read[index],
                locked=True,
            )
        return contract.UploadedScans(outcomes=[o for o in outcomes if o is not None])

    # --- the two ways in -------------------------------------------------------------------------

    async def _badge(
        self,
        uow: UnitOfWork,
        request: BadgeScan,
        *,
        scanned_by: str,
        device_id: str | None,
        api_key_id: str | None,
        signed: badges.SignedBadge | badges.BadgeUnreadable | None = None,
        locked: bool = False,
    ) -> contract.ScanOutcome:
        tenant_id = tenant()
        at = _scan_time(request.scanned_at, utcnow(), ["scannedAt"])
        signed = _read(request.payload) if signed is None else signed
        # what a badge of the caller's tenant claims, to be read and then checked; nothing of another's is read
        ours = isinstance(signed, badges.SignedBadge) and signed.badge.tenant_id == tenant_id
        claimed = signed.badge if isinstance(signed, badges.SignedBadge) and ours else None
        if claimed is not None and not locked:
            await scans.serialize(uow.session, tenant_id, [claimed.participant_id])
        scene = await scans.scene_by_badge(
            uow.session,
            tenant_id=tenant_id,
            checkpoint_id=request.checkpoint_id,
            participant_id=None if claimed is None else claimed.participant_id,
            event_id=None if claimed is None else claimed.event_id,
            key_id=signed.key_id.hex() if isinstance(signed, badges.SignedBadge) and ours else None,
            api_key_id=api_key_id,
            nonce=request.nonce,
            at=at,
        )
        scene = _found(scene, request.checkpoint_id)
        if scene.seen is not None:
            return replayed(scene.seen)
        badge = _verified(signed, tenant_id, scene.public_key)
        decision = decide(
            badge=badge,
            tenant_id=tenant_id,
            participant=scene.participant,
            event=scene.event,
            checkpoint=scene.checkpoint,
            history=scene.history,
            now=at,
            override_reason=request.override_reason,
        )
        known = isinstance(badge, badges.Badge) and scene.participant is not None
        return await self._log(
            uow, scene, decision, request, request.scan_type, request.payload, at, scanned_by, device_id, known=known
        )

    async def _code(
        self,
        uow: UnitOfWork,
        request: contract.ManualEntry,
        *,
        scanned_by: str,
        device_id: str | None,
        api_key_id: str | None,
    ) -> contract.ScanOutcome:
        """By registration code in the checkpoint's event: a code not found is logged INVALID; a participant
        found goes through the same checks as a badge from REVOKED on, the re-entry policy included."""
        tenant_id = tenant()
        at = utcnow()

        async def scene() -> Scene:
            found = await scans.scene_by_code(
                uow.session,
                tenant_id=tenant_id,
                checkpoint_id=request.checkpoint_id,
                registration_code=request.registration_code,
                api_key_id=api_key_id,
                nonce=request.nonce,
                at=at,
            )
            return _found(found, request.checkpoint_id)

        seen = await scene()
        if seen.participant is not None and seen.seen is None:
            # the participant is known only now: lock their scans, then read again under the lock
            await scans.serialize(uow.session, tenant_id, [seen.participant.id])
            seen = await scene()
        if seen.seen is not None:
            return replayed(seen.seen)
        if seen.participant is None:
            decision = Decision(ScanResult.INVALID, Reason.UNKNOWN_PARTICIPANT)
        else:
            decision = admit(
                seen.participant,
                seen.event,
                seen.checkpoint,
                seen.history,
                now=at,
                override_reason=request.override_reason,
            )
        return await self._log(
            uow,
            seen,
            decision,
            request,
            ScanType.MANUAL_ENTRY,
            request.registration_code,
            at,
            scanned_by,
            device_id,
            known=seen.participant is not None,
            manual=True,
        )

    # --- the outcome -----------------------------------------------------------------------------

    async def _log(
        self,
        uow: UnitOfWork,
        scene: Scene,
        decision: Decision,
        request: BadgeScan | contract.ManualEntry,
        scan_type: ScanType,
        qr_payload: str,
        at: datetime,
        scanned_by: str,
        device_id: str | None,
        *,
        known: bool,
        manual: bool = False,
    ) -> contract.ScanOutcome:
        """Write the outcome and publish it: SCAN_COMPLETED always, OCCUPANCY_CHANGED when a count moved,
        ALERT_CREATED on passback. ``known``: the participant is who the badge (verified) or code names,
        so the row and the answer may name them; a forged badge's claimed participant is never logged."""
        checkpoint = scene.checkpoint
        participant = scene.participant if known else None
        entry = Entry(
            id=new_id(),
            tenant_id=checkpoint.tenant_id,
            checkpoint_id=checkpoint.id,
            event_id=checkpoint.event_id,
            participant_id=None if participant is None else participant.id,
            scan_type=scan_type,
            scan_result=decision.result,
            reason=decision.reason.value,
            movement=decision.movement,
            passback=decision.passback,
            zone_id=checkpoint.zone_id,
            nonce=request.nonce,
            qr_payload=qr_payload,
            scanned_by=scanned_by,
            device_id=device_id or scene.device_id,
            override_reason=request.override_reason,
            scanned_at=at,
        )
        recorded = await scans.record(uow.session, entry)
        if not recorded.logged:  # another request logged this nonce first: its answer is the answer
            assert entry.nonce is not None
            first = await scans.logged(uow.session, checkpoint.tenant_id, entry.nonce)
            assert first is not None
            return replayed(first)
        uow.publish(contract.SCAN_COMPLETED, contract.ScanCompleted(scan=_log_entry(entry)))
        if recorded.zone is not None:
            publish_zone(uow, recorded.zone)
        if decision.passback and participant is not None:
            alert = contract.AlertCreated(
                kind="passback",
                event_id=checkpoint.event_id,
                checkpoint_id=checkpoint.id,
                participant_id=participant.id,
                access_log_id=entry.id,
                refused=not decision.admitted,
                at=at,
            )
            uow.publish(contract.ALERT_CREATED, alert)
        movement = None if decision.movement is None else decision.movement.value
        return contract.ScanOutcome(
            result=decision.result,
            reason=decision.reason.value,
            message=_message(decision.reason, movement, manual=manual),
            participant_id=entry.participant_id,
            participant_name=scene.participant_name if known else None,
            registration_code=scene.registration_code if known else None,
            access_log_id=entry.id,
            movement=movement,
            passback=decision.passback,
            nonce=entry.nonce,
        )


def _found(scene: Scene | None, checkpoint_id: str) -> Scene:
    """The scene of a checkpoint of the caller's tenant, which the caller's grants reach (an EVENT-scoped
    role or device key bound to another event is refused)."""
    if scene is None:
        raise NotFound(f"checkpoint {checkpoint_id} not found")
    require_grant(SCAN, scene.checkpoint.event_id)
    return scene


def _future(offline: Sequence[contract.OfflineScan], now: datetime) -> list[FieldError]:
    return [e for i, scan in enumerate(offline) for e in _ahead(scan.scanned_at, now, ["scans", i, "scannedAt"])]


def _log_entry(entry: Entry) -> contract.AccessLogEntry:
    return contract.AccessLogEntry(
        id=entry.id,
        tenant_id=entry.tenant_id,
        event_id=entry.event_id,
        checkpoint_id=entry.checkpoint_id,
        participant_id=entry.participant_id,
        scan_type=entry.scan_type,
        scan_result=entry.scan_result,
        reason=entry.reason,
        movement=None if entry.movement is None else entry.movement.value,
        qr_payload=entry.qr_payload,
        scanned_by=entry.scanned_by,
        device_id=entry.device_id,
        override_reason=entry.override_reason,
        nonce=entry.nonce,
        scanned_at=entry.scanned_at,
    )
