"""Points for taking part: a message in a space, and counted reactions to it."""

from __future__ import annotations

from hub.core.model.events import Event, MessageReceived, ReactionAdded
from hub.core.model.ritual import NOTHING, RitualContext, RitualResult
from hub.rituals.points.book import Book, config_of
from hub.rituals.points.config import PointsConfig
from hub.rituals.points.state import Authored

KEEP_MESSAGES = 1000  # the most recent messages whose reactions still count


def on_message(ctx: RitualContext, event: Event) -> RitualResult:
    """A message in a space earns `message` points and is remembered for its reactions."""
    assert isinstance(event, MessageReceived)
    if event.space is None or ctx.member is None:
        return NOTHING
    book = Book(ctx)
    book.award(ctx.member.id, "message", "message")
    key = _message_key(event.platform, event.space, event.message_id)
    entry = Authored(message=key, author=ctx.member.id)
    book.state.authors = [*book.state.authors, entry][-KEEP_MESSAGES:]
    return book.result()


def on_reaction(ctx: RitualContext, event: Event) -> RitualResult:
    """A counted emoji on a member's message earns its author points, once per reactor."""
    assert isinstance(event, ReactionAdded)
    if ctx.member is None or _emoji(event.emoji) not in _counted_emoji(config_of(ctx)):
        return NOTHING
    book = Book(ctx)
    key = _message_key(event.platform, event.space, event.message_id)
    entry = next((e for e in book.state.authors if e.message == key), None)
    if entry is None or ctx.member.id in (entry.author, *entry.reactors):
        return NOTHING
    entry.reactors.append(ctx.member.id)
    book.award(entry.author, "reaction_received", _emoji(event.emoji))
    return book.result()


def _message_key(platform: str, space: str | None, message_id: str) -> str:
    """Message ids are only unique within a chat on some platforms: qualify them."""
    return f"{platform}:{space}:{message_id}"


def _emoji(emoji: str) -> str:
    """An emoji as compared: `:+1:` is `+1`, and ❤ is ❤️ (skin tones are the translators')."""
    return emoji.strip().strip(":").replace("\ufe0f", "")


def _counted_emoji(config: PointsConfig) -> set[str]:
    """The reactions that earn points, compared as `_emoji` does."""
    return {_emoji(e) for e in config.reaction_emoji}
