"""A turn that lost an e_tag race re-runs once on fresh state (bot state shared by replicas).

Why: with ``STATE_BACKEND=azure-blob`` several replicas serve one conversation (Teams sends a
user's quick second message, or a retry, to whichever replica it likes). The per-conversation
lock of :mod:`bot.teams_bot` only covers one process, so two replicas can run a turn of the
same conversation at once; the second save is refused (:class:`bot.state.ETagConflictError`).
Failing that turn would lose the user's message; instead it runs again, once, on the state the
other replica saved. A second conflict fails the turn: the error handler apologizes and clears
nothing (:mod:`bot.adapter`), since the stored state is another turn's good state.

A re-run must not say things twice, so each attempt runs on its own :class:`TurnContext`
whose replies are held back (``expectReplies`` replies are collected by the context anyway;
others are kept here instead of going to the connector) and delivered only once the attempt
has saved its state. A failed attempt's replies are dropped with its state. Consequence: the
replies of a turn leave together at its end, after its state is saved; if they then cannot be
delivered, the state has moved on (``/api/messages`` answers 502 as before).
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Awaitable, Callable

from botbuilder.core import TurnContext
from botbuilder.schema import Activity, ResourceResponse

from bot.state import ETagConflictError
from knowledge.logsafe import clean

log = logging.getLogger(__name__)

TurnLogic = Callable[[TurnContext], Awaitable[None]]

#: Runs of one turn: the first, and one re-run after a conflict.
TURN_TRIES = 2


class _Attempt:
    """One run of a turn on a context of its own, its outgoing activities held back."""

    def __init__(self, context: TurnContext) -> None:
        self.outer = context
        self.held: list[list[Activity]] = []
        self.context = TurnContext(context)  # same adapter, activity, handlers; fresh turn_state
        self.context.turn_state.update(context.turn_state)  # the adapter's clients and identity
        real = context.adapter
        holding = copy.copy(real)  # a CloudAdapter whose send_activities holds instead of sends

        async def hold(_: TurnContext, activities: list[Activity]) -> list[ResourceResponse]:
            self.held.append(list(activities))
            return [ResourceResponse(id="") for _ in activities]

        holding.send_activities = hold
        self.context.adapter = holding
        self._real = real

    async def deliver(self) -> None:
        """Send what the attempt held back, then hand its outcome to the outer context."""
        for activities in self.held:
            await self._real.send_activities(self.context, activities)
        self.hand_over()

    def hand_over(self) -> None:
        """What the adapter reads off the outer context after the turn: expectReplies replies,
        the invoke response, ``responded``; and the turn's state (its language for an apology)."""
        self.outer.buffered_reply_activities.extend(self.context.buffered_reply_activities)
        self.outer.turn_state.update(self.context.turn_state)
        if self.context.responded:
            self.outer.responded = True


def retrying_turn(logic: TurnLogic, tries: int = TURN_TRIES) -> TurnLogic:
    """``logic`` as a turn callback that re-runs it on fresh state after an e_tag conflict."""

    async def turn(context: TurnContext) -> None:
        for number in range(1, tries + 1):
            attempt = _Attempt(context)
            try:
                await logic(attempt.context)
            except ETagConflictError as exc:
                if number < tries:
                    log.warning(
                        "turn of activity %s lost an e_tag race (%s); running it again on fresh state",
                        clean(context.activity.id),
                        clean(exc),
                    )
                    continue
                context.turn_state.update(attempt.context.turn_state)  # its language, for the apology
                raise
            except BaseException:
                context.turn_state.update(attempt.context.turn_state)
                raise
            await attempt.deliver()
            return

    return turn
