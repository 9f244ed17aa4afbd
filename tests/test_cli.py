"""The `hub` command as owners use it: clear exits, no tracebacks, previews that send nothing."""

from __future__ import annotations

import json
import os
import subprocess
from importlib.metadata import version
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from hub.cli import app
from hub.core.storage.db import MIGRATIONS
from tests.builders import COMMUNITY_YAML, HUB, with_secret, write_config


def hub(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    base = {
        k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL", "HUB_CONFIG")
    }
    return subprocess.run(
        [HUB, *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**base, **(env or {})},
        timeout=120,
    )


def test_validate_accepts_the_example_and_exits_0() -> None:
    result = hub("validate", "--config", "config/communities/example.yaml")
    assert result.returncode == 0, result.stderr
    assert "Inside Freelancing" in result.stdout


def test_validate_lists_every_problem_and_exits_1_without_a_traceback(tmp_path: Path) -> None:
    bad = COMMUNITY_YAML.replace("Europe/Paris", "Europe/Pariss").replace(
        "spaces: [main]}", "spaces: [mian]}"
    )
    result = hub("validate", "--config", str(write_config(tmp_path, bad)))
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if "community.yaml:" in line]
    assert len(lines) == 2
    assert any("community.timezone" in line and "Europe/Paris" in line for line in lines)
    assert any(
        "rituals.welcome.spaces.0" in line and "did you mean 'main'?" in line for line in lines
    )
    assert "Traceback" not in result.stderr + result.stdout


def test_validate_finds_an_override_using_a_variable_its_text_is_never_given(
    tmp_path: Path,
) -> None:
    bad = COMMUNITY_YAML + '  help:\n    unknown: "Connais pas {{ verbe }}"\n'
    result = hub("validate", "--config", str(write_config(tmp_path, bad)))
    assert result.returncode == 1
    assert "1 problem in the configuration" in result.stderr
    (line,) = [line for line in result.stderr.splitlines() if "community.yaml:" in line]
    assert "community.yaml:13:14: rituals.help.unknown: text 'unknown' uses verbe" in line
    assert "(hint: known variables: community, member, verb)" in line


def test_validate_reports_a_missing_file_without_a_traceback(tmp_path: Path) -> None:
    result = hub("validate", "--config", str(tmp_path / "nope.yaml"))
    assert result.returncode == 1
    assert "no such file or folder" in result.stderr
    assert "Traceback" not in result.stderr


def test_validate_takes_the_config_from_hub_config(tmp_path: Path) -> None:
    result = hub("validate", env={"HUB_CONFIG": str(write_config(tmp_path))})
    assert result.returncode == 0, result.stderr


def test_schema_describes_rituals_and_platforms_and_is_committed_up_to_date(tmp_path: Path) -> None:
    result = hub("schema")
    assert result.returncode == 0
    schema = json.loads(result.stdout)
    assert {"community", "platforms", "rituals"} <= set(schema["properties"])
    assert "icebreaker" in json.dumps(schema) and "webchat" in json.dumps(schema)
    committed = json.loads(Path("config/hub.schema.json").read_text(encoding="utf-8"))
    assert committed == schema, "run `hub schema -o config/hub.schema.json`"


def test_schedule_prints_the_next_occurrences_in_local_time(tmp_path: Path) -> None:
    result = hub("schedule", "--days", "14", "--config", str(write_config(tmp_path)))
    assert result.returncode == 0, result.stderr
    rows = [line for line in result.stdout.splitlines() if "icebreaker" in line]
    assert len(rows) == 2
    assert all("09:00" in row and "Mon" in row for row in rows)


def test_a_dry_run_prints_each_space_rendered_and_sends_nothing(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    result = hub("ritual", "run", "icebreaker", "--dry-run", "--config", str(config), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "2 messages would be sent" in result.stdout
    assert "webchat #main" in result.stdout and "webchat #annonces" in result.stdout
    assert result.stdout.count("Question de la semaine") == 2
    with create_engine(f"sqlite:///{tmp_path}/var/hub.db").connect() as connection:
        assert connection.execute(text("select count(*) from deliveries")).scalar() == 0
        assert connection.execute(text("select count(*) from occurrences")).scalar() == 0


def test_running_an_unknown_ritual_is_a_clear_error(tmp_path: Path) -> None:
    result = hub(
        "ritual", "run", "spotlight", "--config", str(write_config(tmp_path)), cwd=tmp_path
    )
    assert result.returncode == 1
    assert "No community has the ritual 'spotlight' enabled" in result.stderr


def test_db_upgrade_creates_the_schema(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path}/other.db"
    result = hub(
        "db",
        "upgrade",
        "--config",
        str(write_config(tmp_path)),
        cwd=tmp_path,
        env={"DATABASE_URL": database},
    )
    assert result.returncode == 0, result.stderr
    head = ScriptDirectory(str(MIGRATIONS)).get_current_head()
    with create_engine(database).connect() as connection:
        version = connection.execute(text("select version_num from alembic_version")).scalar()
    assert version == head == sorted(p.name for p in MIGRATIONS.glob("versions/0*.py"))[-1][:4]


def test_no_secret_reaches_the_logs(tmp_path: Path) -> None:
    secret = "tok-9f8e7d6c5b4a-SECRET"
    config = write_config(tmp_path, with_secret("${WEBCHAT_SECRET}"))
    result = hub(
        "ritual",
        "run",
        "icebreaker",
        "--dry-run",
        "--config",
        str(config),
        cwd=tmp_path,
        env={"WEBCHAT_SECRET": secret, "REDIS_URL": f"redis://user:{secret}@127.0.0.1:1/0"},
    )
    assert result.returncode == 0, result.stderr
    assert secret not in result.stdout + result.stderr


def test_validate_never_prints_a_value_from_the_environment(tmp_path: Path) -> None:
    token = "xoxb-17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy"
    text = COMMUNITY_YAML.replace(
        "locale: fr}", 'locale: fr}\nserver: {public_url: "${PUBLIC_URL}"}'
    )
    result = hub(
        "validate", "--config", str(write_config(tmp_path, text)), env={"PUBLIC_URL": token}
    )
    assert result.returncode == 1
    assert token not in result.stdout + result.stderr
    assert (
        "server.public_url" in result.stderr
        and "(value from ${PUBLIC_URL} not shown)" in result.stderr
    )


COMMANDS = [
    ["validate"],
    ["schedule"],
    ["ritual", "run", "icebreaker", "--dry-run"],
    ["db", "upgrade"],
    ["serve"],
    ["worker"],
    ["scheduler"],
    ["gateway"],
    ["run"],
    ["telegram", "set-webhook"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_every_command_refuses_to_start_on_an_empty_secret(
    tmp_path: Path, command: list[str]
) -> None:
    config = write_config(tmp_path, with_secret("${WEBCHAT_SECRET}"))
    result = CliRunner().invoke(
        app, [*command, "--config", str(config)], env={"WEBCHAT_SECRET": ""}
    )
    assert result.exit_code == 1
    assert "community.yaml:6:13: platforms.webchat.secret: WEBCHAT_SECRET is empty" in result.stderr


def test_hub_version_prints_the_installed_version() -> None:
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout == f"hub {version('growth-hub')}\n"


@pytest.mark.parametrize(
    "command",
    [["schedule"], ["ritual", "run", "icebreaker", "--dry-run"], ["db", "upgrade"]],
    ids=" ".join,
)
def test_command_output_goes_to_stdout_and_every_log_line_to_stderr_as_json(
    tmp_path: Path, command: list[str]
) -> None:
    result = hub(*command, "--config", str(write_config(tmp_path)), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stderr.splitlines()]
    assert records and records[0]["event"] == "broker.embedded"  # on embedded defaults
    assert all({"event", "level", "timestamp"} <= set(r) for r in records)
    assert "broker.embedded" not in result.stdout and '"event"' not in result.stdout


def test_problems_and_owners_text_print_as_written_without_markup_or_emoji(
    tmp_path: Path,
) -> None:
    broken = "#\n" * 99 + "community: {id: Not_An_Id, name: X}\n"
    result = hub("validate", "--config", str(write_config(tmp_path, broken, "broken.yaml")))
    assert result.returncode == 1
    assert "broken.yaml:100:17: community.id:" in result.stderr and "💯" not in result.stderr
    named = COMMUNITY_YAML.replace("name: Inside Freelancing", 'name: "[bold]Les :100: [/bold]"')
    result = hub("validate", "--config", str(write_config(tmp_path, named)))
    assert result.returncode == 0, result.stderr
    assert ": [bold]Les :100: [/bold] (inside-freelancing) — platforms: webchat" in result.stdout
