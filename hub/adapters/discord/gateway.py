"""The gateway connection (`hub gateway`, or inside `hub run`): Discord events in, nothing out.

A discord.py Client with the intents the hub needs. Its handlers only translate to core events
and enqueue them (in a thread, so a slow Redis never delays the heartbeat); slash commands and
button clicks are acknowledged at once so Discord never shows "interaction failed".
discord.py resumes dropped sessions, and Discord replays what was missed.
"""

from __future__ import annotations

import asyncio
from typing import Any

import discord
import structlog
from discord import app_commands

from hub.adapters.discord import translate
from hub.adapters.discord.api import use_advertised_gateway
from hub.adapters.discord.translate import Author, Inbound, Interaction
from hub.core.model.cleaning import InboundRejected
from hub.core.model.commands import Said
from hub.core.model.events import Event
from hub.core.ports import Enqueue
from hub.core.usecases.inbox import InboxUnavailable

log = structlog.get_logger(__name__)
STORE_RETRY_DELAYS = (1.0, 2.0, 4.0, 8.0, 15.0)
"""Seconds between attempts to keep a gateway event while the database is down."""
ACKNOWLEDGED = "👍"
INTENTS_HINT = (
    "Discord refused the privileged gateway intents the hub needs. In the Developer Portal, "
    "open your application → Bot → Privileged Gateway Intents and enable 'Server Members "
    "Intent' (for welcomes) and 'Message Content Intent' (to read messages and answers)."
)


TOKEN_HINT = "Discord rejected the bot token: check DISCORD_BOT_TOKEN (Developer Portal → Bot)."


class GatewayRefused(RuntimeError):
    """Discord will not let this bot connect as configured (bad token, intents not enabled)."""


def hub_intents() -> discord.Intents:
    """Guilds, members (privileged), guild messages and message content (privileged), reactions."""
    intents = discord.Intents.default()
    intents.members = True
    intents.message_content = True
    return intents


class HubGateway(discord.Client):
    """One community's bot on the gateway."""

    def __init__(self, inbound: Inbound, enqueue: Enqueue, *, ready_timeout: float = 2.0) -> None:
        super().__init__(
            intents=hub_intents(), chunk_guilds_at_startup=False, guild_ready_timeout=ready_timeout
        )
        self.inbound = inbound
        self.enqueue = enqueue
        self.tree = app_commands.CommandTree(self)
        self.tree.add_command(self._hub_command())

    def _hub_command(self) -> app_commands.Command[Any, ..., None]:
        @app_commands.command(name=translate.COMMAND_NAME, description="Talk to the hub")
        @app_commands.describe(command="e.g. help")
        async def hub(interaction: discord.Interaction, command: str = "help") -> None:
            await self._emit(self.inbound.interaction(_read(interaction)))
            await interaction.response.send_message(ACKNOWLEDGED, ephemeral=True)

        return hub

    async def setup_hook(self) -> None:
        """Before connecting: find the gateway, and register `/hub` with Discord."""
        await use_advertised_gateway(self.http)
        await self.tree.sync()

    async def run_until(self, token: str, stop: asyncio.Event) -> None:
        """Connect and stay connected (discord.py reconnects and resumes) until `stop`."""
        task = asyncio.create_task(self.start(token, reconnect=True))
        stopping = asyncio.create_task(stop.wait())
        try:
            done, _ = await asyncio.wait({task, stopping}, return_when=asyncio.FIRST_COMPLETED)
            if task in done:
                task.result()
        except discord.PrivilegedIntentsRequired:
            raise GatewayRefused(INTENTS_HINT) from None
        except discord.LoginFailure:
            raise GatewayRefused(TOKEN_HINT) from None
        finally:
            stopping.cancel()
            await self.close()

    async def _emit(self, events: list[Event]) -> None:
        for event in events:
            await self._keep(event)

    async def _keep(self, event: Event) -> None:
        """Keep the event; the gateway never sends one again, so wait out a database outage."""
        for delay in (0.0, *STORE_RETRY_DELAYS):
            await asyncio.sleep(delay)
            try:
                await asyncio.to_thread(self.enqueue, event)
                return
            except InboundRejected as error:
                log.warning("discord.event_rejected", event_id=event.event_id, error=str(error))
                return
            except InboxUnavailable:
                continue
        log.error("discord.event_lost", event_id=event.event_id, kind=event.kind)

    async def on_ready(self) -> None:
        """Say the bot is in, and name configured channels it cannot see (a common set-up slip)."""
        visible = {str(c.id) for guild in self.guilds for c in guild.channels}
        log.info("discord.ready", community=self.inbound.community_id, guilds=len(self.guilds))
        for channel, space in self.inbound.spaces.items():
            if channel not in visible:
                log.warning(
                    "discord.channel_not_visible",
                    space=space,
                    channel=channel,
                    hint="invite the bot to the server (see the README) or fix the channel id",
                )

    async def on_member_join(self, member: discord.Member) -> None:
        channels = {str(c.id) for c in member.guild.channels}
        await self._emit(self.inbound.member_joined(channels, _author(member), member.joined_at))

    async def on_raw_member_remove(self, payload: discord.RawMemberRemoveEvent) -> None:
        guild = self.get_guild(payload.guild_id)
        channels = {str(c.id) for c in guild.channels} if guild else set()
        await self._emit(self.inbound.member_left(channels, _author(payload.user)))

    async def on_message(self, message: discord.Message) -> None:
        reference = message.reference.message_id if message.reference else None
        said = Said(message.content, str(message.id), str(reference) if reference else None)
        events = self.inbound.message(
            str(message.channel.id), _author(message.author), said, private=message.guild is None
        )
        await self._emit(events)

    async def on_raw_reaction_add(self, payload: discord.RawReactionActionEvent) -> None:
        if payload.member is None:
            return
        events = self.inbound.reaction(
            str(payload.channel_id),
            str(payload.message_id),
            _author(payload.member),
            str(payload.emoji),
        )
        await self._emit(events)

    async def on_raw_poll_vote_add(self, payload: discord.RawPollVoteActionEvent) -> None:
        user = self.get_user(payload.user_id)
        author = _author(user) if user else Author(str(payload.user_id), str(payload.user_id))
        events = self.inbound.poll_vote(
            str(payload.channel_id), str(payload.message_id), author, payload.answer_id
        )
        await self._emit(events)

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        """Button clicks (slash commands go through the command tree)."""
        if interaction.type is not discord.InteractionType.component:
            return
        await self._emit(self.inbound.interaction(_read(interaction)))
        if not interaction.response.is_done():
            await interaction.response.defer()


def _author(user: discord.abc.User) -> Author:
    return Author(user_id=str(user.id), name=user.display_name, bot=user.bot)


def _read(interaction: discord.Interaction) -> Interaction:
    return Interaction(
        id=str(interaction.id),
        kind=interaction.type.value,
        data=dict(interaction.data or {}),
        author=_author(interaction.user),
        channel_id=str(interaction.channel_id) if interaction.channel_id else None,
        private=interaction.guild_id is None,
        message_id=str(interaction.message.id) if interaction.message else None,
    )
