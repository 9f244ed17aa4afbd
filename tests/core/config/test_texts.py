"""`hub validate` checks what owners' texts say, not only how: an override may only use the
variables its text is given, and the error says where, which text, and what it could use."""

from __future__ import annotations

from pathlib import Path

import pytest

from hub.bootstrap import load_config
from hub.core.config.loader import ConfigError, ConfigIssue
from tests.builders import COMMUNITY_YAML, write_config

ENV = {"WEBCHAT_SECRET": "s3cr3t-value-xyz-0123"}
POINTS = """
  points:
    texts:
      kudos_told: "{{ membr.name }} merci : {{ reason }}"
"""


def line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


def issues_of(tmp_path: Path, text: str) -> list[ConfigIssue]:
    with pytest.raises(ConfigError) as caught:
        load_config(write_config(tmp_path, text), ENV)
    return caught.value.issues


def test_an_override_using_a_variable_its_text_is_never_given_is_an_error_at_its_line(
    tmp_path: Path,
) -> None:
    (issue,) = issues_of(tmp_path, COMMUNITY_YAML + POINTS)
    assert issue.path == "rituals.points.texts.kudos_told"
    assert issue.line == line_of(COMMUNITY_YAML + POINTS, "kudos_told")
    assert issue.message == "text 'kudos_told' uses membr, which it is never given"
    assert issue.hint == "known variables: community, member, reason"


def test_a_variable_another_text_is_given_is_still_unknown_to_this_one(tmp_path: Path) -> None:
    text = COMMUNITY_YAML + '  privacy:\n    texts:\n      in_private: "Vu : {{ reason }}"\n'
    (issue,) = issues_of(tmp_path, text)
    assert issue.path == "rituals.privacy.texts.in_private"
    assert "uses reason" in issue.message and issue.hint == "known variables: community, member"


def test_a_text_that_is_a_field_of_its_ritual_is_checked_too(tmp_path: Path) -> None:
    text = COMMUNITY_YAML.replace(
        "welcome: {spaces: [main]}", 'welcome: {spaces: [main], public: "Salut {{ membre }}"}'
    )
    (issue,) = issues_of(tmp_path, text)
    assert issue.path == "rituals.welcome.public" and "uses membre" in issue.message
    assert issue.line == line_of(text, "welcome:")


def test_a_shared_text_overridden_in_a_ritual_knows_the_shared_variables(tmp_path: Path) -> None:
    text = (
        COMMUNITY_YAML
        + '  admin:\n    texts:\n      admin_only: "{{ community.name }} : {{ x }}"\n'
    )
    (issue,) = issues_of(tmp_path, text)
    assert issue.path == "rituals.admin.texts.admin_only" and "uses x," in issue.message


def test_overrides_using_what_their_text_is_given_validate(tmp_path: Path) -> None:
    text = (
        COMMUNITY_YAML
        + POINTS.replace("membr", "member")
        + '  poll:\n    question: Q\n    options: [a, b]\n    schedule: "0 9 * * MON"\n'
        + "    tally: \"{% for o in options %}{{ o.label }}{% endfor %} {{ total|plural('x', 'y') }}\"\n"
    )
    (loaded,) = load_config(write_config(tmp_path, text), ENV)
    points = loaded.config.ritual_sections()["points"]
    assert points.texts["kudos_told"].startswith("{{ member.name }}")


def test_every_problem_of_the_file_is_told_at_once(tmp_path: Path) -> None:
    text = COMMUNITY_YAML.replace("locale: fr", "locale: fr, timzone: UTC") + POINTS
    issues = issues_of(tmp_path, text)
    assert {i.path for i in issues} == {"community.timzone", "rituals.points.texts.kudos_told"}


WHATSAPP = """
community: {id: x1, name: X}
server: {public_url: "https://hub.example.org"}
platforms:
  whatsapp:
    account_sid: AC00000000000000000000000000000000
    auth_token: ${TWILIO_AUTH_TOKEN}
    from: "whatsapp:+14155238886"
    spaces: {main: membres}
    texts:
      stopped: "Plus rien de {{ community.name }} : renvoie {{ keyword }} ({{ raison }})"
      help: "{{ keyword }} : {{ lists }}"
"""


def test_a_platform_s_texts_are_checked_against_its_own_part(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(write_config(tmp_path, WHATSAPP), {"TWILIO_AUTH_TOKEN": "t" * 32})
    (issue,) = caught.value.issues
    assert issue.path == "platforms.whatsapp.texts.stopped" and "uses raison" in issue.message
    assert issue.line == line_of(WHATSAPP, "stopped:")


def test_what_every_text_of_a_part_is_given_is_known_to_each_of_them(tmp_path: Path) -> None:
    """WhatsApp answers every keyword with `keyword`, `lists` and `list` at hand: `stopped`
    may name the join keyword though its default does not."""
    text = WHATSAPP.replace(" ({{ raison }})", "")
    config = load_config(write_config(tmp_path, text), {"TWILIO_AUTH_TOKEN": "t" * 32})
    assert [loaded.config.community.id for loaded in config] == ["x1"]
