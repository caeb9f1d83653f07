"""The one door from both chat adapters to the core: what a person did in, an Answer out."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable
from zoneinfo import ZoneInfo

from workflow import personal, queries
from workflow.domain import commands as c
from workflow.domain.errors import Conflict, Refused, Unavailable
from workflow.domain.people import Platform
from workflow.domain.projects import Project
from workflow.flows.insight import exports
from workflow.flows.views import views_of
from workflow.follow_ups import FollowUps
from workflow.help import Style
from workflow.interpreter import (
    build_form,
    check_form,
    check_press,
    command_from_form,
    finish_press,
    interpret_press,
    interpret_words,
    main_field,
    press_of,
)
from workflow.messagebus import MessageBus
from workflow.origins import form_refs, place_of, press_refs, require_here, require_seen
from workflow.ports import Clock, Here, UnitOfWork
from workflow.presentation.answers import Answer, Doing, Origin, Pressed, Submitted, Words
from workflow.presentation.forms import FieldErrors, Form, FormKind
from workflow.presentation.presses import NeedText, OpenForm, Outcome, Show, ShowWhat
from workflow.queries import HomeData
from workflow.telemetry import UNWATCHED, Telemetry, refusal_kind

__all__ = ["BUSY", "Dispatcher", "HomeData", "sentence"]

# Requests worked on at once (see Dispatcher.handle): enough to keep the database busy
# (SQLite: one writer and a few readers; PostgreSQL: the pool), few enough to finish each.
IN_FLIGHT = 8
BUSY = "Someone changed this at the same moment; nothing was changed. Please try again."
# How each platform writes a command word in help, and what separates the lines.
HELP_STYLE = {Platform.SLACK: Style("/loop "), Platform.TEAMS: Style("@clientloop ", "\n\n")}
Failure = Refused | Unavailable | Conflict | FieldErrors
FAILURES = (Refused, Unavailable, Conflict, FieldErrors)


def sentence(failure: Failure) -> str:
    """What the person reads when something they asked for did not happen."""
    if isinstance(failure, Refused):
        return failure.reason
    if isinstance(failure, Unavailable):
        return Unavailable.reason
    if isinstance(failure, Conflict):
        return BUSY
    return " ".join(failure.errors.values())


class Dispatcher:
    """Finds the project, interprets, checks, runs the command, and says what happened."""

    def __init__(
        self,
        bus: MessageBus,
        uow: Callable[[], UnitOfWork],
        clock: Clock,
        zone: str = "UTC",
        reads: Callable[[], UnitOfWork] | None = None,
        in_flight: int = IN_FLIGHT,
        telemetry: Telemetry = UNWATCHED,
    ) -> None:
        """`uow` may write; `reads` (default: `uow`) serves what is only shown, so on SQLite
        reads never queue behind the one writer. At most `in_flight` requests are worked on
        at once; the rest wait their turn in arrival order. Refusals are counted on `telemetry`."""
        self._bus, self._uow, self._clock, self._zone = bus, uow, clock, zone
        self._reads, self._telemetry = reads or uow, telemetry
        self._turns = asyncio.Semaphore(in_flight)
        self._follow_ups = FollowUps(bus, self._turns)

    async def handle(self, origin: Origin, doing: Doing) -> Answer:
        """Do what the person asked; refusals and failures come back as their sentence.

        The work takes turns. Without a bound, a burst of thousands started together, all
        shared the database, and none finished (nobody got an answer) until nearly all
        did; in turns, answers leave in the order people asked, at the rate the database
        serves them (the adapters hold the platform's acknowledgement until then, within
        its time limit, so a busy server slows acknowledgements rather than piling up work).
        """
        async with self._turns:
            return await self._handle(origin, doing)

    async def _handle(self, origin: Origin, doing: Doing) -> Answer:
        if isinstance(doing, Submitted):
            return await self._submit(origin, doing)
        try:
            if isinstance(doing, Words):
                return await self._words(origin, doing)
            return await self._carry_out(origin, await self._outcome(origin, doing))
        except FAILURES as failed:
            return Answer(self._said(failed), refused=True)

    async def field_errors(self, origin: Origin, sent: Submitted) -> dict[str, str]:
        """What is wrong with a submission's values, by field, found without a turn (and
        without the database, but for a form's declared check): an adapter shows it within
        the platform's time limit, before it carries the submission out with `handle`.
        Empty when the values can be used."""
        try:
            await check_form(self._reads, sent.kind, self._command(origin, sent))
        except FAILURES as failed:
            said = self._said(failed)
            errors = failed.errors if isinstance(failed, FieldErrors) else {"": said}
        else:
            return {}
        main = main_field(sent.kind)
        return {(name or main): text for name, text in errors.items()}

    async def card(self, origin: Origin, item: str) -> Answer | None:
        """The current card of `item` as this person sees it; None when it is gone. It is
        shown only where it belongs (`require_seen`), else the refusal says why."""
        async with self._turns, self._reads() as uow:
            viewer = await views_of(uow).person_id(origin.identity)
            view = await queries.card_for_item(uow, item, viewer)
            if view is None:
                return None
            try:
                await require_seen(uow, origin, viewer, item)
            except Refused as refused:
                return Answer(self._said(refused), refused=True)
            users = await uow.people.get_many(view.all_actors())
        ids = tuple((p.id, p.identity.user_id) for p in users if p.id is not None)
        return Answer(view=dataclasses.replace(view, actor_users=ids), viewer=viewer)

    async def home(self, origin: Origin) -> HomeData:
        """What the person's home shows: their pending cards and their projects."""
        async with self._turns, self._reads() as uow:
            return await queries.home(uow, origin.identity)

    async def first_time(self, key: str) -> bool:
        """Record an inbound event that causes no command; False for a retry of one seen."""
        async with self._uow() as uow:
            fresh = await uow.inbound.first_time(key, self._clock.now())
            if fresh:
                await uow.commit()
            return fresh

    async def _words(self, origin: Origin, words: Words) -> Answer:
        """Words are read in one read transaction: who asks and the channel's project are
        looked up once, and what is only shown (help, pending...) is answered there."""
        async with self._reads() as uow:
            here, now = await self._here(uow, origin), self._clock.now()
            if origin.personal and here.project is None:
                picked = await personal.pick(uow, origin, here, words, now, self._style(origin))
                if isinstance(picked, Answer):
                    return picked
                here, words = picked
            project_id = here.project.id if here.project else None
            outcome = interpret_words(words, project_id, origin.actor, now, origin.event_id)
            if isinstance(outcome, Show):
                return await self._shown(uow, origin, outcome, here)
        return await self._carry_out(origin, outcome)

    async def _outcome(self, origin: Origin, doing: Pressed | OpenForm) -> Outcome:
        if isinstance(doing, Pressed):
            return await self._pressed(origin, doing)
        return await self._open_here(origin, doing)

    async def _pressed(self, origin: Origin, pressed: Pressed) -> Outcome:
        """What a press comes to, once its item is known to belong where it was pressed and,
        for a press that needs text first, once this person may make it now: a form that
        could only be refused on submit does not open."""
        outcome = interpret_press(press_of(origin, pressed, self._clock.now()))
        async with self._reads() as uow:
            await require_here(uow, origin, press_refs(pressed.item))
            await personal.check_choice(uow, origin, pressed)
            if isinstance(outcome, NeedText):
                await check_press(uow, outcome)
        return outcome

    async def _open_here(self, origin: Origin, wanted: OpenForm) -> OpenForm:
        """A form the adapter opens (the message shortcut) is about this channel's project."""
        if wanted.kind is FormKind.NEW_PROJECT:
            return wanted
        project = await self._project_here(origin)
        if project is None:
            raise Refused(
                "This channel has no clientloop project, so there is nobody to send the "
                f"{wanted.kind.value} to. Use it in the project's channel."
            )
        return OpenForm(wanted.kind, {"project_id": project.id}, wanted.prefill)

    async def _carry_out(self, origin: Origin, outcome: Outcome) -> Answer:
        if isinstance(outcome, c.Command):
            reply = await self._bus.handle(outcome)
            self._follow_ups.start(reply.follow_up)
            return Answer(reply.text, done=reply.changed)
        if isinstance(outcome, NeedText):
            return Answer(form=queries.need_text_form(outcome), need_text=outcome.label)
        if isinstance(outcome, OpenForm):
            return Answer(form=await self._form(origin, outcome))
        return await self._show(origin, outcome)

    async def _form(self, origin: Origin, wanted: OpenForm) -> Form:
        """The form, permission-checked; a new project's is about the origin's channel."""
        if wanted.kind is FormKind.NEW_PROJECT:
            wanted = OpenForm(wanted.kind, {**wanted.context, **place_of(origin)}, wanted.prefill)
        async with self._reads() as uow:
            return await build_form(uow, wanted, origin.identity)

    async def _show(self, origin: Origin, show: Show) -> Answer:
        async with self._reads() as uow:
            return await self._shown(uow, origin, show, await self._here(uow, origin))

    async def _shown(self, uow: UnitOfWork, origin: Origin, show: Show, here: Here) -> Answer:
        """What `show` asks for, in the read transaction that found `here`."""
        identity, now = origin.identity, self._clock.now()
        if here.project is None or here.project.id != show.project_id:
            # A button may show another project than the channel's (or the channel has none).
            project = await uow.projects.get(show.project_id) if show.project_id else None
            here = dataclasses.replace(here, project=project, names={})
        if show.what is ShowWhat.HELP:
            return Answer(self._help(origin, show, here))
        if show.what is ShowWhat.EXPORT:
            return await exports.answer(uow, identity, show.project_id or 0, now, show.formats)
        if show.what is ShowWhat.PENDING:
            view = await queries.pending_here(uow, here, now)
        else:
            view = await queries.digest_view(uow, identity, show.project_id or 0, now)
        return Answer(view=view, viewer=here.viewer)

    def _help(self, origin: Origin, show: Show, here: Here) -> str:
        return queries.help_for(here.viewer, here.project, self._style(origin), show.note)

    def _style(self, origin: Origin) -> Style:
        return dataclasses.replace(HELP_STYLE[origin.platform], personal=origin.personal)

    async def _submit(self, origin: Origin, sent: Submitted) -> Answer:
        """Errors go back onto the fields, with the form again; success says what was done."""
        try:
            async with self._reads() as uow:
                await require_here(uow, origin, form_refs(sent.kind, sent.context))
            command = self._command(origin, sent)
            reply = await self._bus.handle(dataclasses.replace(command, event_id=origin.event_id))
        except FAILURES as failed:
            said = self._said(failed)
            errors = failed.errors if isinstance(failed, FieldErrors) else {"": said}
            return await self._again(origin, sent, errors)
        self._follow_ups.start(reply.follow_up)
        return Answer(reply.text, done=True)

    def _said(self, failed: Failure) -> str:
        self._telemetry.refused(refusal_kind(failed))
        return sentence(failed)

    def _command(self, origin: Origin, sent: Submitted) -> c.Command:
        now = self._clock.now()
        if sent.kind is FormKind.TEXT:
            return finish_press(origin, sent, now)
        context = sent.context
        if sent.kind is FormKind.NEW_PROJECT:
            context = {**context, **place_of(origin)}  # never where the form data says
        zone = ZoneInfo(origin.actor.timezone or self._zone)
        return command_from_form(sent.kind, sent.values, context, origin.actor, now, zone)

    async def _again(self, origin: Origin, sent: Submitted, errors: dict[str, str]) -> Answer:
        """A refusal of the whole submission (key "") is shown on the form's main field."""
        main = main_field(sent.kind)
        on_fields = {(name or main): text for name, text in errors.items()}
        form = await self._form_again(origin, sent)
        return Answer(form=form, errors=on_fields, refused="" in errors, main_field=main)

    async def _form_again(self, origin: Origin, sent: Submitted) -> Form | None:
        """The same form, holding what was typed; None when it can't be opened any more."""
        if sent.kind is FormKind.TEXT:
            return None
        try:
            form = await self._form(origin, OpenForm(sent.kind, sent.context))
        except (*FAILURES, LookupError, ValueError):  # the context may have come back damaged
            return None
        kept = tuple(
            dataclasses.replace(f, initial=value)
            if isinstance(value := sent.values.get(f.name), str) and value
            else f
            for f in form.fields
        )
        return dataclasses.replace(form, fields=kept)

    async def _project_here(self, origin: Origin) -> Project | None:
        async with self._reads() as uow:
            return (await self._here(uow, origin)).project

    async def _here(self, uow: UnitOfWork, origin: Origin) -> Here:
        return await queries.here(
            uow, origin.identity, origin.platform, origin.workspace_id, origin.channel_id
        )
