"""The one list of flows, and every central table derived from it.

A flow declares its commands, event handlers, words, forms and item kinds once (see
`workflow.flows.flow.Flow`); adding one to FLOWS is all it takes for the bus, the
interpreter, the forms and the cards to know it. `tests/unit/test_flow_registry.py`
checks that each table is complete.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from workflow import audit
from workflow.domain.commands import Command
from workflow.domain.events import Event
from workflow.flows import (
    change_requests,
    checkins,
    closing,
    feedback,
    insight,
    invitations,
    notices,
    projects,
    reports,
    requests,
    schedule,
    signoffs,
    waiting,
)
from workflow.flows.flow import Check, CommandHandler, EventHandler, Flow, FormEntry, Item, Word
from workflow.messagebus import MessageBus
from workflow.ports import UnitOfWork
from workflow.presentation.forms import FormKind

FLOWS: tuple[Flow, ...] = (
    projects.FLOW,
    change_requests.FLOW,
    signoffs.FLOW,
    reports.FLOW,
    checkins.FLOW,
    insight.FLOW,
    requests.FLOW,
    notices.FLOW,
    feedback.FLOW,
    invitations.FLOW,
    closing.FLOW,
    schedule.FLOW,
)


K = TypeVar("K")
V = TypeVar("V")


def _unique(pairs: Sequence[tuple[K, V]], what: str) -> dict[K, V]:
    table: dict[K, V] = {}
    for key, value in pairs:
        if key in table:
            raise ValueError(f"two flows declare the same {what}: {key}")
        table[key] = value
    return table


COMMAND_HANDLERS: dict[type[Command], CommandHandler] = _unique(
    [pair for f in FLOWS for pair in f.commands.items()], "command"
)
EVENT_HANDLERS: dict[type[Event], Sequence[EventHandler]] = _unique(
    [pair for f in FLOWS for pair in f.events.items()], "event"
)
CHECKS: dict[type[Command], Check] = _unique(
    [pair for f in FLOWS for pair in f.checks.items()], "check"
)
WORDS: dict[str, Word] = _unique([(w.word, w) for f in FLOWS for w in f.words], "word")
ALIASES: dict[str, str] = _unique(
    [(alias, w.word) for w in WORDS.values() for alias in w.aliases], "alias"
)
FORMS: dict[FormKind, FormEntry] = _unique(
    [(form.kind, form) for f in FLOWS for form in f.forms], "form"
)
ITEMS: dict[str, Item] = _unique([(i.kind, i) for f in FLOWS for i in f.items], "item kind")
waiting.register(
    [f.waiting for f in FLOWS if f.waiting is not None],
    ITEMS,
)
checkins.carried.register(ITEMS)
TEXT_LABELS: dict[tuple[str, str], tuple[str, bool]] = {
    (item.kind, verb): label for item in ITEMS.values() for verb, label in item.text_labels.items()
}


def make_bus(
    uow_factory: Callable[[], UnitOfWork],
    after_commit: Callable[[], Awaitable[None]] | None = None,
) -> MessageBus:
    """The bus with every flow's use cases; every event wakes its project for the scheduler.
    Just before a transaction commits, the check-ins carrying a decision whose cards were
    updated are updated too (after every flow's own updates, so once), then its events are
    written to the audit trail (the project row is then locked before the audit head, in
    the order the scheduler's own transactions take them)."""
    return MessageBus(
        uow_factory,
        COMMAND_HANDLERS,
        EVENT_HANDLERS,
        every_event=[schedule.wake],
        before_commit=[checkins.keep_current, audit.record_all],
        after_commit=after_commit,
    )
