"""Owners get every problem at once, each with file, line, column, key path and a hint."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from hub.bootstrap import load_config
from hub.core.config.loader import ConfigError, ConfigIssue
from tests.builders import COMMUNITY_YAML, with_secret, write_config

ENV = {"WEBCHAT_SECRET": "s3cr3t-value-xyz-0123"}


def issues_of(path: Path, env: dict[str, str] | None = None) -> list[ConfigIssue]:
    with pytest.raises(ConfigError) as caught:
        load_config(path, env if env is not None else ENV)
    return caught.value.issues


def only_issue(tmp_path: Path, text: str, env: dict[str, str] | None = None) -> ConfigIssue:
    (issue,) = issues_of(write_config(tmp_path, text), env)
    return issue


def test_the_example_community_file_validates() -> None:
    (loaded,) = load_config(Path("config/communities/example.yaml"), {})
    assert loaded.config.community.id == "inside-freelancing"
    assert set(loaded.config.ritual_sections()) == {
        "welcome",
        "icebreaker",
        "poll",
        "shoutout",
        "spotlight",
        "points",
        "profile",
        "link",
        "privacy",
        "admin",
    }  # every ritual the hub has, configured in French


def test_a_folder_holds_several_communities(tmp_path: Path) -> None:
    write_config(tmp_path, COMMUNITY_YAML, "a.yaml")
    write_config(
        tmp_path, COMMUNITY_YAML.replace("id: inside-freelancing", "id: founders"), "b.yml"
    )
    assert [c.config.community.id for c in load_config(tmp_path, ENV)] == [
        "inside-freelancing",
        "founders",
    ]


def test_two_files_cannot_share_a_community_id(tmp_path: Path) -> None:
    write_config(tmp_path, COMMUNITY_YAML, "a.yaml")
    write_config(tmp_path, COMMUNITY_YAML, "b.yaml")
    (issue,) = issues_of(tmp_path)
    assert issue.path == "community.id"
    assert "also used by" in issue.message


def test_invalid_yaml_points_at_the_line(tmp_path: Path) -> None:
    issue = only_issue(tmp_path, "community: {id: x, name: [oops\n")
    assert issue.line == 2
    assert issue.message.startswith("invalid YAML")


def test_reports_unknown_ritual_with_did_you_mean(tmp_path: Path) -> None:
    text = COMMUNITY_YAML.replace("  welcome: {spaces: [main]}", "  welcom: {spaces: [main]}")
    issue = only_issue(tmp_path, text)
    assert (issue.path, issue.message, issue.hint) == (
        "rituals.welcom",
        "unknown key 'welcom'",
        "did you mean 'welcome'?",
    )
    assert (issue.line, issue.column) == (7, 3)


def test_reports_unknown_keys_anywhere(tmp_path: Path) -> None:
    issue = only_issue(tmp_path, COMMUNITY_YAML.replace("locale: fr}", "locale: fr, timzone: UTC}"))
    assert issue.path == "community.timzone"
    assert issue.hint == "did you mean 'timezone'?"


def test_reports_a_bad_cron_with_an_example(tmp_path: Path) -> None:
    issue = only_issue(tmp_path, COMMUNITY_YAML.replace('"0 9 * * MON"', '"0 9 * *"'))
    assert issue.path == "rituals.icebreaker.schedule"
    assert "5-field cron" in issue.message and "0 9 * * MON" in issue.message
    assert (issue.line, issue.column) == (9, 15)


def test_reports_a_bad_timezone_with_the_closest_name(tmp_path: Path) -> None:
    issue = only_issue(tmp_path, COMMUNITY_YAML.replace("Europe/Paris", "Europe/Pariss"))
    assert issue.path == "community.timezone"
    assert "did you mean 'Europe/Paris'" in issue.message


def test_reports_a_reference_to_an_unknown_space(tmp_path: Path) -> None:
    issue = only_issue(
        tmp_path, COMMUNITY_YAML.replace("spaces: [main, annonces]", "spaces: [main, anonces]")
    )
    assert (issue.path, issue.message, issue.hint) == (
        "rituals.icebreaker.spaces.1",
        "unknown space 'anonces'",
        "did you mean 'annonces'?",
    )
    assert (issue.line, issue.column) == (10, 20)


def test_reports_a_template_syntax_error_before_it_is_ever_sent(tmp_path: Path) -> None:
    text = COMMUNITY_YAML.replace(
        "welcome: {spaces: [main]}", 'welcome: {spaces: [main], public: "Hi {{ member.name "}'
    )
    issue = only_issue(tmp_path, text)
    assert issue.path == "rituals.welcome.public"
    assert "template syntax error" in issue.message


def test_reports_a_missing_environment_variable(tmp_path: Path) -> None:
    issue = only_issue(tmp_path, with_secret("${WEBCHAT_SECRET}"), env={})
    assert issue.path == "platforms.webchat.secret"
    assert issue.message == "environment variable WEBCHAT_SECRET is not set"


def test_interpolates_variables_and_defaults(tmp_path: Path) -> None:
    text = COMMUNITY_YAML.replace("name: Inside Freelancing", 'name: "${NAME:-Inside} ${SUFFIX}"')
    (loaded,) = load_config(write_config(tmp_path, text), {"SUFFIX": "Freelancing"})
    assert loaded.config.community.name == "Inside Freelancing"


def test_a_literal_secret_is_rejected_and_never_echoed(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(write_config(tmp_path, with_secret("hunter2-literal")), {})
    (issue,) = caught.value.issues
    assert issue.path == "platforms.webchat.secret"
    assert issue.hint == "write ${WEBCHAT_SECRET} and set WEBCHAT_SECRET in the environment"
    assert "hunter2" not in str(caught.value)


def test_lists_every_problem_at_once(tmp_path: Path) -> None:
    text = textwrap.dedent(
        """
        community: {id: inside-freelancing, name: X, timezone: Mars/Olympus, locale: fr}
        platforms:
          webchat: {spaces: {main: salon}}
        rituals:
          welcome: {spaces: [mian]}
          icebreakr: {}
          icebreaker: {schedule: "99 9 * * MON", spaces: [main], questions: [Q]}
        """
    )
    issues = issues_of(write_config(tmp_path, text))
    assert sorted(i.path for i in issues) == [
        "community.timezone",
        "rituals.icebreaker.schedule",
        "rituals.icebreakr",
        "rituals.welcome.spaces.0",
    ]
    assert all(i.file.endswith("community.yaml") and i.line for i in issues)
