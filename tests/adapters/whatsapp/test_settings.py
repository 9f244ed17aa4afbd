"""`platforms.whatsapp` as owners write it: what `hub validate` says when it is wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from hub.bootstrap import load_config
from hub.core.config.loader import ConfigError, ConfigIssue
from tests.adapters.whatsapp.conftest import ENV, PUBLIC_URL, TEMPLATE_SID, WHATSAPP_YAML
from tests.builders import write_config

GOOD = WHATSAPP_YAML.format(
    public_url=PUBLIC_URL, url="http://127.0.0.1:9", mps=80, template=TEMPLATE_SID
)


def issues(tmp_path: Path, text: str, env: dict[str, str] = ENV) -> list[ConfigIssue]:
    with pytest.raises(ConfigError) as caught:
        load_config(write_config(tmp_path, text), env)
    return caught.value.issues


def test_a_good_section_loads_as_opt_in_lists(tmp_path: Path) -> None:
    (loaded,) = load_config(write_config(tmp_path, GOOD), ENV)
    section = loaded.config.platform_sections()["whatsapp"]
    assert section.spaces == {"main": "membres"} and section.spaces_are_opt_in_lists


def test_whatsapp_without_a_public_url_is_refused_with_the_reason(tmp_path: Path) -> None:
    (issue,) = issues(tmp_path, GOOD.replace(f'server: {{public_url: "{PUBLIC_URL}"}}\n', ""))
    assert "platforms.whatsapp needs server.public_url" in issue.message


def test_exactly_one_sender_is_required(tmp_path: Path) -> None:
    both = GOOD.replace(
        'from: "whatsapp:+14155238886"',
        'from: "whatsapp:+14155238886"\n    messaging_service_sid: MG' + "3" * 32,
    )
    (issue,) = issues(tmp_path, both)
    assert issue.path == "platforms.whatsapp" and "exactly one of `from`" in issue.message
    assert issue.line == 6  # the section's first key


def test_a_sender_that_is_not_a_whatsapp_address_points_at_its_line(tmp_path: Path) -> None:
    (issue,) = issues(tmp_path, GOOD.replace('"whatsapp:+14155238886"', '"+14155238886"'))
    assert issue.path == "platforms.whatsapp.from" and issue.line == 8


def test_a_literal_auth_token_is_rejected_and_never_echoed(tmp_path: Path) -> None:
    text = GOOD.replace("${TWILIO_AUTH_TOKEN}", "literal-token-0042")
    with pytest.raises(ConfigError) as caught:
        load_config(write_config(tmp_path, text), ENV)
    (issue,) = caught.value.issues
    assert issue.hint == "write ${TWILIO_AUTH_TOKEN} and set TWILIO_AUTH_TOKEN in the environment"
    assert "literal-token-0042" not in str(caught.value)


def test_a_template_with_a_bad_content_sid_or_variable_is_reported(tmp_path: Path) -> None:
    broken = GOOD.replace(TEMPLATE_SID, "HX123").replace('"{{ text }}"', '"{{ text "')
    found = issues(tmp_path, broken)
    paths = {i.path for i in found}
    assert "platforms.whatsapp.templates.icebreaker.content_sid" in paths
    assert "platforms.whatsapp.templates.icebreaker.variables.2" in paths
