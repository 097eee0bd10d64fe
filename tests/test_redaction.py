"""Secrets are `***` everywhere a config can appear; the job still gets the real value."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lifecycle_support import SUPPORT_DIR, TEST_JOB_PACKAGES, job_env, run_entry

from dwh.errors import ConfigError
from dwh.redaction import REDACTED, is_secret_key, redact, redact_text, secret_values
from dwh.testing import RecordingEventPublisher
from dwh.triggers import run_with_triggers

TOKEN = "tok-9f8e7d6c5b"
PASSWORD = "hunter2-pw"
URL_PASSWORD = "urlpass-77"
CONFIG: dict[str, Any] = {
    "message": "hello",
    "api_token": TOKEN,
    "connection": {
        "DB_Password": PASSWORD,
        "url": f"postgres://etl:{URL_PASSWORD}@db.internal:5432/dwh",
    },
}
SECRETS = (TOKEN, PASSWORD, URL_PASSWORD)


def assert_hidden(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text


@pytest.mark.parametrize(
    "key",
    [
        "password",
        "DB_PASSWORD",
        "dbPassword",
        "dbpassword",
        "api_key",
        "apiKey",
        "ACCESS_KEY_ID",
        "client-secret",
        "clientSecret",
        "auth_token",
        "Token",
        "credentials",
        "gcp.credential",
        "Authorization",
        "passphrase",
    ],
)
def test_secret_looking_keys(key: str) -> None:
    assert is_secret_key(key)


@pytest.mark.parametrize(
    "key", ["message", "partition_keys", "monkey", "keyboard_layout", "base_path", "author"]
)
def test_ordinary_keys(key: str) -> None:
    assert not is_secret_key(key)


def test_redact_hides_nested_values_and_url_passwords_on_a_copy() -> None:
    config = {
        "a": [{"token": "t1"}, {"ok": 1}],
        "creds": {"user": "u", "pass": "p"},
        "Secret": {"deep": ["x", "y"]},
        "jdbc": "jdbc:postgresql://me:pw123@host/db",
        "plain": "http://host/path",
    }

    shown = redact(config)

    assert shown == {
        "a": [{"token": REDACTED}, {"ok": 1}],
        "creds": {"user": "u", "pass": "p"},
        "Secret": REDACTED,
        "jdbc": f"jdbc:postgresql://me:{REDACTED}@host/db",
        "plain": "http://host/path",
    }
    assert config["a"][0]["token"] == "t1"


def test_secret_values_and_redact_text() -> None:
    found = secret_values(CONFIG)

    assert found == set(SECRETS)
    message = f"login failed for {TOKEN} with {PASSWORD} at postgres://etl:{URL_PASSWORD}@db/x"
    assert_hidden(redact_text(message, found))
    assert redact_text("count 1 of 12", {"1", "ab"}) == "count 1 of 12"


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=8),
        lambda inner: (
            st.lists(inner, max_size=3)
            | st.dictionaries(st.sampled_from(["k", "token", "password", "x"]), inner, max_size=3)
        ),
        max_leaves=12,
    )
)
def test_redaction_is_idempotent_and_leaves_no_secret_key_value(value: Any) -> None:
    once = redact(value)

    assert redact(once) == once

    def check(node: Any) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                if is_secret_key(k):
                    assert v == REDACTED
                else:
                    check(v)
        elif isinstance(node, list):
            for v in node:
                check(v)

    check(once)


@pytest.fixture
def relay_main(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Callable[..., Any]:
    monkeypatch.syspath_prepend(str(SUPPORT_DIR))
    monkeypatch.setenv("DWH_JOB_PACKAGES", TEST_JOB_PACKAGES)
    monkeypatch.setenv("DWH_RUN_STORE", str(tmp_path / "runs.db"))
    monkeypatch.setenv("DWH_ALERTS", "off")
    from dwh_test_jobs.relay.relay_job_factory import main

    return main  # type: ignore[no-any-return]


def test_job_gets_real_values_while_events_show_stars(relay_main: Callable[..., Any]) -> None:
    recorder = RecordingEventPublisher()

    results = relay_main(
        relay_job=json.dumps({**CONFIG, "message": TOKEN}), event_publisher=recorder
    )

    # The job saw the real token (it used it as its message) ...
    assert results["message"] == TOKEN
    # ... but no event shows it: not the config, not the metrics, not the outputs.
    started, *_, succeeded = recorder.events
    assert started.payload["config"]["api_token"] == REDACTED
    assert started.payload["config"]["connection"]["DB_Password"] == REDACTED
    assert started.payload["config"]["message"] == REDACTED
    assert URL_PASSWORD not in started.payload["config"]["connection"]["url"]
    assert succeeded.payload["metrics"]["message"] == REDACTED
    assert succeeded.payload["outputs"]["relayed"] == f"relay/{REDACTED}"


def test_config_hash_does_not_depend_on_secret_values(relay_main: Callable[..., Any]) -> None:
    hashes = []
    for token in ("first-secret", "second-secret"):
        recorder = RecordingEventPublisher()
        relay_main(
            relay_job=json.dumps({"message": "m", "api_token": token}), event_publisher=recorder
        )
        hashes.append(recorder.events[0].payload["config_hash"])

    assert hashes[0] == hashes[1]


def test_error_messages_in_events_hide_secrets(relay_main: Callable[..., Any]) -> None:
    recorder = RecordingEventPublisher()
    config = {**CONFIG, "fail_with": f"bad token {TOKEN} for {PASSWORD}"}

    with pytest.raises(RuntimeError):
        relay_main(relay_job=json.dumps(config), event_publisher=recorder)

    failed = recorder.events[-1]
    assert failed.event == "job_failed"
    assert failed.payload["error_message"] == f"RuntimeError: bad token {REDACTED} for {REDACTED}"


def test_config_errors_never_echo_a_secret(relay_main: Callable[..., Any]) -> None:
    with pytest.raises(ConfigError) as info:
        relay_main(relay_job=json.dumps({"message": "m", "api_token": 12345678}))

    assert "12345678" not in str(info.value)
    assert "api_token" in str(info.value)


def test_stream_store_stderr_and_alerts_of_a_failed_run_hide_secrets(tmp_path: Path) -> None:
    stream = tmp_path / "events.jsonl"
    env = job_env(tmp_path, DWH_ALERTS="stderr")
    config = {**CONFIG, "fail_with": f"token {TOKEN} rejected"}

    result = run_entry("relay", json.dumps(config), "--events", str(stream), env=env)

    assert result.returncode == 1
    assert "dwh: alert:" in result.stderr and "token *** rejected" in result.stderr
    assert_hidden(result.stderr + result.stdout)
    assert REDACTED in stream.read_text()
    assert_hidden(stream.read_text())
    db = Path(env["DWH_HOME"]) / "runs.db"
    with sqlite3.connect(db) as conn:
        dump = "\n".join(conn.iterdump())
    assert "api_token" in dump
    assert_hidden(dump)


def test_trigger_runner_hides_secrets_of_downstream_configs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    env = job_env(tmp_path)
    for name in ("DWH_HOME", "DWH_JOB_PACKAGES"):
        monkeypatch.setenv(name, env[name])
    monkeypatch.syspath_prepend(str(SUPPORT_DIR))
    trigger_map = {"noop": [{"job": "relay", "config": CONFIG | {"message": "from map"}}]}
    path = tmp_path / "triggers.json"
    path.write_text(json.dumps(trigger_map))

    runs = run_with_triggers("noop", {}, trigger_map=path, env=env)

    assert [r.status for r in runs] == ["succeeded", "succeeded"]
    assert runs[1].config["api_token"] == REDACTED
    assert_hidden(json.dumps([r.config for r in runs]))
    assert_hidden(json.dumps([e.to_dict() for r in runs for e in r.events]))
    assert_hidden(capsys.readouterr().err)
