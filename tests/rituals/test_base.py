"""The helpers every ritual shares."""

from hub.core.config.models import RitualSection
from hub.core.model.richtext import parse_markup
from hub.rituals.base import posts, web_address
from tests.rituals.conftest import context


def test_a_web_address_is_http_or_https_with_a_host_and_nothing_else() -> None:
    assert web_address("https://ana.design/a_b?x=1") == "https://ana.design/a_b?x=1"
    assert web_address("<https://ana.design|ana.design>") is None  # Slack's: the translator's
    for token in ("ana.design", "ftp://ana.design", "https://", "https://localhost", "http://[::1"):
        assert web_address(token) is None, token
    assert web_address("https://a.fr/" + "x" * 20, limit=20) is None


def test_posts_go_to_the_rituals_spaces_or_to_every_space() -> None:
    body = parse_markup("Bonjour")
    every = posts(context(RitualSection(), {}), "k", body)
    assert [p.target.space for p in every] == ["main"]  # type: ignore[union-attr]
    assert posts(context(RitualSection(spaces=["annonces"]), {}), "k", body)[0].target.space == (  # type: ignore[union-attr]
        "annonces"
    )
