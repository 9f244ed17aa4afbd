"""The composition root: config → database, broker URL, adapters and rituals, wired once.

The registries below are the only place that names every platform and every ritual; adapter
modules are imported lazily, so a hub that does not use Discord never imports discord.py.
"""

from __future__ import annotations

import importlib
import os
import socket
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import structlog
from sqlalchemy.exc import DBAPIError

from hub.core.config.loader import LoadedConfig, load_configs
from hub.core.config.models import HubConfig, PlatformSection, RitualSection, build_config_model
from hub.core.model.community import CommunityRuntime, build_runtime
from hub.core.model.ritual import Ritual
from hub.core.model.verbs import VerbClaimedTwice
from hub.core.ports import (
    Adapter,
    AdapterResources,
    Enqueue,
    Listener,
    ListenerFactory,
    ListenerSetup,
    StartupError,
)
from hub.core.storage.db import DEFAULT_URL, Database
from hub.core.storage.deliveries import DeliveryStore
from hub.core.storage.repositories.attempts import SqlOccurrenceAttempts
from hub.core.storage.repositories.inbox import SqlInbox
from hub.core.storage.repositories.scheduling import sql_scheduler_stores
from hub.core.storage.unit_of_work import SqlUnitsOfWork
from hub.core.usecases.inbox import Inbox
from hub.core.usecases.keeping import UnitKeeper
from hub.core.usecases.scheduler import Scheduler
from hub.core.usecases.sending import DeliveryService
from hub.core.usecases.service import HubService
from hub.core.usecases.turn import Wiring
from hub.embedded import EmbeddedRedis
from hub.ratelimit import RedisRateLimiter
from hub.webchat_secret import SECRET_FILE, with_webchat_secret

log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class PlatformEntry:
    """Where a platform's pieces live, as "module:attribute" strings imported on demand."""

    settings: str
    adapter: str
    listener: str | None = None


PLATFORMS: dict[str, PlatformEntry] = {
    "webchat": PlatformEntry(
        settings="hub.adapters.webchat.settings:WebchatSettings",
        adapter="hub.adapters.webchat.sender:WebchatSender",
        listener="hub.adapters.webchat.listener:WebchatListener",
    ),
    "telegram": PlatformEntry(
        settings="hub.adapters.telegram.settings:TelegramSettings",
        adapter="hub.adapters.telegram.sender:TelegramSender",
        listener="hub.adapters.telegram.listener:TelegramListener",
    ),
    "slack": PlatformEntry(
        settings="hub.adapters.slack.settings:SlackSettings",
        adapter="hub.adapters.slack.sender:SlackSender",
        listener="hub.adapters.slack.listener:SlackListener",
    ),
    "discord": PlatformEntry(
        settings="hub.adapters.discord.settings:DiscordSettings",
        adapter="hub.adapters.discord.sender:DiscordSender",
        listener="hub.adapters.discord.listener:DiscordListener",
    ),
    "whatsapp": PlatformEntry(
        settings="hub.adapters.whatsapp.settings:WhatsAppSettings",
        adapter="hub.adapters.whatsapp.sender:WhatsAppSender",
        listener="hub.adapters.whatsapp.listener:WhatsAppListener",
    ),
}

RITUALS: dict[str, str] = {
    "welcome": "hub.rituals.welcome:Welcome",
    "icebreaker": "hub.rituals.icebreaker:Icebreaker",
    "help": "hub.rituals.help:Help",
    "poll": "hub.rituals.poll:Poll",
    "link": "hub.rituals.link:Link",
    "privacy": "hub.rituals.privacy:Privacy",
    "admin": "hub.rituals.admin:Admin",
    "shoutout": "hub.rituals.shoutout:Shoutout",
    "profile": "hub.rituals.profile:Profile",
    "points": "hub.rituals.points:Points",
    "spotlight": "hub.rituals.spotlight:Spotlight",
}


def load_object(path: str) -> Any:
    """Import "package.module:attribute"."""
    module, _, attribute = path.partition(":")
    return getattr(importlib.import_module(module), attribute)


def ritual_catalogue() -> dict[str, Ritual]:
    """Every ritual the hub knows, by name."""
    return {name: load_object(path)() for name, path in RITUALS.items()}


def config_model() -> type[HubConfig]:
    """The full model of a community file: core sections, every platform and every ritual."""
    platforms: dict[str, type[PlatformSection]] = {
        n: load_object(e.settings) for n, e in PLATFORMS.items()
    }
    rituals: dict[str, type[RitualSection]] = {
        n: r.config_model for n, r in ritual_catalogue().items()
    }
    return build_config_model(platforms, rituals)


def load_config(path: Path, env: Mapping[str, str] | None = None) -> list[LoadedConfig[HubConfig]]:
    """Load and validate every community file; raises ConfigError listing every problem."""
    loaded: list[LoadedConfig[HubConfig]] = load_configs(
        path, config_model(), dict(os.environ if env is None else env)
    )
    return loaded


@dataclass
class Hub:
    """The composed application that every process (`hub serve`, `worker`, …) starts from."""

    configs: list[LoadedConfig[HubConfig]]
    communities: dict[str, CommunityRuntime]
    database: Database
    redis_url: str
    adapters: dict[tuple[str, str], Adapter]
    service: HubService
    delivery: DeliveryService
    inbox: Inbox
    embedded: list[EmbeddedRedis] = field(default_factory=list)

    @property
    def resources(self) -> AdapterResources:
        """What every adapter is handed besides its own settings."""
        return AdapterResources(
            redis_url=self.redis_url, public_url=self.settings.server.public_url
        )

    @property
    def settings(self) -> HubConfig:
        """Process-wide sections (server, storage, broker) are the same in every file."""
        return self.configs[0].config

    def scheduler(self, clock: Callable[..., Any] | None = None) -> Scheduler:
        """A scheduler named after this host and process, for the claim records."""
        name = f"{socket.gethostname()}:{os.getpid()}"
        if clock is None:
            return Scheduler(sql_scheduler_stores(self.database), self.communities, name)
        return Scheduler(sql_scheduler_stores(self.database), self.communities, name, clock=clock)

    def close(self) -> None:
        """Stop what this process started for itself (the embedded redis-server); idempotent."""
        for server in self.embedded:
            server.close()

    def listeners(self, enqueue: Enqueue) -> list[Listener]:
        """The web listeners of every configured platform, ready to give their routes."""
        found = []
        for platform, entry in PLATFORMS.items():
            sections = [
                (r, r.config.platform_sections().get(platform)) for r in self.communities.values()
            ]
            present = [(r, s) for r, s in sections if s is not None]
            if present and entry.listener:
                found.append(_build_listener(entry.listener, present, self.resources, enqueue))
        return found


def build_hub(
    configs: list[LoadedConfig[HubConfig]],
    env: Mapping[str, str] | None = None,
    *,
    keep_secret: bool = False,
) -> Hub:
    """Wire database, broker URL, adapters and services from validated configs.

    `keep_secret` (`hub run`): on embedded defaults, a webchat with no secret gets one kept
    in var/webchat.secret; other processes leave it unset and the web process refuses to start.
    """
    env = dict(os.environ if env is None else env)
    settings = configs[0].config
    embedded: list[EmbeddedRedis] = []
    database = Database(env.get("DATABASE_URL") or settings.storage.url or DEFAULT_URL)
    broker = env.get("REDIS_URL") or settings.broker.url
    keep_in = SECRET_FILE if keep_secret and not broker else None
    configs = with_webchat_secret(configs, env.get("WEBCHAT_SECRET"), keep_in)
    settings = configs[0].config
    catalogue = ritual_catalogue()
    communities = {c.config.community.id: _runtime(c.config, catalogue) for c in configs}
    redis_url = broker or _embedded_redis(embedded)  # once nothing above can refuse to start
    resources = AdapterResources(redis_url=redis_url, public_url=settings.server.public_url)
    adapters = _build_adapters(communities, resources)
    return Hub(
        configs=configs,
        communities=communities,
        database=database,
        redis_url=redis_url,
        adapters=adapters,
        service=HubService(service_wiring(database, communities, dict(adapters))),
        delivery=DeliveryService(
            DeliveryStore(database), dict(adapters), RedisRateLimiter(redis_url)
        ),
        inbox=Inbox(SqlInbox(database)),
        embedded=embedded,
    )


def _runtime(config: HubConfig, catalogue: Mapping[str, Ritual]) -> CommunityRuntime:
    """The community's runtime; two enabled rituals claiming one verb stop the start."""
    try:
        return build_runtime(config, catalogue)
    except VerbClaimedTwice as error:
        raise StartupError(f"community {config.community.id}: {error}") from error


def service_wiring(
    database: Database,
    communities: Mapping[str, CommunityRuntime],
    renderers: Mapping[tuple[str, str], Adapter],
) -> Wiring:
    """What the inbound pipeline and the ritual runner work with: the SQL units of work."""
    return Wiring(
        units=SqlUnitsOfWork(database),
        communities=communities,
        renderers=renderers,
        keeper=UnitKeeper(),
        attempts=SqlOccurrenceAttempts(database),
        fatal=(DBAPIError,),
    )


def _build_adapters(
    communities: Mapping[str, CommunityRuntime], resources: AdapterResources
) -> dict[tuple[str, str], Adapter]:
    adapters: dict[tuple[str, str], Adapter] = {}
    for community_id, runtime in communities.items():
        own = replace(resources, locale=runtime.community.locale)
        for platform, section in runtime.config.platform_sections().items():
            factory = load_object(PLATFORMS[platform].adapter)
            adapters[(community_id, platform)] = factory(section, own)
    return adapters


def _build_listener(
    path: str,
    sections: list[tuple[CommunityRuntime, PlatformSection]],
    resources: AdapterResources,
    enqueue: Enqueue,
) -> Listener:
    factory: ListenerFactory = load_object(path)
    return factory.from_setup(ListenerSetup(sections, resources, enqueue))


def _embedded_redis(keep: list[EmbeddedRedis]) -> str:
    """Start (or join) the embedded Redis under ./var/ and return its unix-socket URL."""
    Path("var").mkdir(exist_ok=True)
    server = EmbeddedRedis.open(Path("var/redis.db").resolve())
    keep.append(server)
    log.info("broker.embedded", socket=server.socket_file, started=server.started)
    return f"unix://{server.socket_file}"
