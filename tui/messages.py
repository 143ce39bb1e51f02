"""Textual messages: engine events going up into the app, selections going up from panes."""

from __future__ import annotations

from textual.message import Message

from claudedex.events import Event, PriceTicked


class EngineEvents(Message):
    """A batch of engine events in arrival order (ticks excluded: see :class:`PriceTicks`)."""

    def __init__(self, events: tuple[Event, ...]) -> None:
        super().__init__()
        self.events = events


class PriceTicks(Message):
    """The latest tick per pair since the last batch; bursts collapse into one message."""

    def __init__(self, ticks: dict[str, PriceTicked]) -> None:
        super().__init__()
        self.ticks = ticks

    def can_replace(self, message: Message) -> bool:
        # Textual asks whether the *newer* pending ``message`` may supersede this one: fold
        # this batch's ticks into it (newer ticks win) so no pair loses its update.
        if isinstance(message, PriceTicks):
            for pair, tick in self.ticks.items():
                message.ticks.setdefault(pair, tick)
            return True
        return False


class ProposalSelected(Message):
    """The approvals pane's cursor moved to another proposal (or to none)."""

    def __init__(self, proposal_id: str | None) -> None:
        super().__init__()
        self.proposal_id = proposal_id


class PairSelected(Message):
    """The feed's cursor moved to another pair."""

    def __init__(self, pair: str | None) -> None:
        super().__init__()
        self.pair = pair
