"""Folding a batch of facts into the changes the projections need: participant states, count deltas per
bucket, and additive counts per step, checkpoint and feature. The same fold serves the live consumers (one
fetched batch) and a rebuild (one chunk of a stream): the store loads the states before, writes the changes."""

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime

from . import participants
from .facts import (
    EventSeen,
    Fact,
    ParticipantGone,
    ParticipantSeen,
    Scanned,
    StatusDecided,
    StepActed,
    Used,
    WorkflowSeen,
)
from .participants import Bucket, ParticipantState

StepKey = tuple[str, str, str, str, datetime, str]  # tenant, event, participant type, step, hour, kind
CheckpointKey = tuple[str, str, str, datetime, str, str]  # tenant, event, checkpoint, hour, movement, result
UsageKey = tuple[str, str, str, datetime]  # tenant, event, kind, hour


def hour_of(at: datetime) -> datetime:
    return at.replace(minute=0, second=0, microsecond=0)


@dataclass
class Changes:
    states: dict[str, ParticipantState] = field(default_factory=dict)
    counts: dict[Bucket, tuple[int, float]] = field(default_factory=dict)
    steps: dict[StepKey, int] = field(default_factory=dict)
    step_names: dict[tuple[str, str], str] = field(default_factory=dict)  # (tenant, step) -> its latest name
    checkpoints: dict[CheckpointKey, int] = field(default_factory=dict)
    usage: dict[UsageKey, int] = field(default_factory=dict)
    events: dict[str, EventSeen] = field(default_factory=dict)
    workflows: dict[str, WorkflowSeen] = field(default_factory=dict)

    def deleted_events(self) -> set[str]:
        return {seen.event_id for seen in self.events.values() if seen.deleted}


def participant_ids(facts: Iterable[Fact]) -> set[str]:
    """The participants whose state a fold reads (their state before the batch is loaded first)."""
    return {
        fact.participant_id
        for fact in facts
        if isinstance(fact, ParticipantSeen | ParticipantGone | StatusDecided | StepActed)
    }


def event_ids(facts: Iterable[Fact]) -> set[str]:
    """The events whose deletion a fold must know of (their participants and figures count nowhere)."""
    return {fact.event_id for fact in facts if not isinstance(fact, EventSeen | WorkflowSeen)}


def _newer(held: EventSeen | WorkflowSeen | None, fact: EventSeen | WorkflowSeen) -> bool:
    return held is None or (not held.deleted and fact.at >= held.at) or fact.deleted


def fold(
    facts: Iterable[Fact], before: Mapping[str, ParticipantState], deleted_events: set[str] = frozenset()
) -> Changes:
    """``before``: the held states of the batch's participants; ``deleted_events``: the events already known
    deleted (their participants count nowhere, as registration deleted them with the event)."""
    changes = Changes()
    after = changes.states
    steps: dict[StepKey, int] = defaultdict(int)
    checkpoints: dict[CheckpointKey, int] = defaultdict(int)
    usage: dict[UsageKey, int] = defaultdict(int)
    for fact in facts:
        if isinstance(fact, ParticipantSeen | StatusDecided | ParticipantGone):
            pid = fact.participant_id
            after[pid] = participants.apply(after.get(pid, before.get(pid)), fact)
        elif fact.event_id in deleted_events and not isinstance(fact, EventSeen | WorkflowSeen):
            continue  # a late figure of an event already deleted
        elif isinstance(fact, StepActed):
            state = after.get(fact.participant_id, before.get(fact.participant_id))
            kind = state.participant_type_id if state is not None else ""
            steps[(fact.tenant_id, fact.event_id, kind, fact.step_id, hour_of(fact.at), fact.kind)] += 1
            changes.step_names[(fact.tenant_id, fact.step_id)] = fact.step_name
        elif isinstance(fact, Scanned):
            key = (
                fact.tenant_id,
                fact.event_id,
                fact.checkpoint_id,
                hour_of(fact.at),
                fact.movement,
                fact.scan_result,
            )
            checkpoints[key] += 1
        elif isinstance(fact, Used):
            usage[(fact.tenant_id, fact.event_id, fact.kind, hour_of(fact.at))] += fact.amount
        elif isinstance(fact, EventSeen):
            if _newer(changes.events.get(fact.event_id), fact):
                changes.events[fact.event_id] = fact
        elif isinstance(fact, WorkflowSeen) and _newer(changes.workflows.get(fact.workflow_id), fact):
            changes.workflows[fact.workflow_id] = fact
    gone_events = deleted_events | changes.deleted_events()
    counts: dict[Bucket, list[float]] = defaultdict(lambda: [0, 0.0])
    for pid, state in after.items():
        if state.event_id in gone_events and not state.deleted:
            state = after[pid] = replace(state, deleted=True)
        for bucket, delta, seconds in participants.moves(before.get(pid), state):
            counts[bucket][0] += delta
            counts[bucket][1] += seconds
    changes.counts = {bucket: (int(n), s) for bucket, (n, s) in counts.items() if n or s}
    changes.steps, changes.checkpoints, changes.usage = dict(steps), dict(checkpoints), dict(usage)
    return changes
