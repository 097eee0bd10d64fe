"""dwh.settings: every DWH_* variable, its default, and how a set value is read."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from dwh import settings
from dwh.runs.alerts import StderrAlertSink, WebhookAlertSink, alert_sinks_from_env
from dwh.runs.store import store_path_from_env
from dwh.settings import environ_scope


def test_every_variable_has_a_laptop_default() -> None:
    empty: dict[str, str] = {}

    assert settings.dwh_home(empty) == Path(__file__).resolve().parents[1] / ".dwh"
    assert settings.job_packages(empty) == ("dwh.jobs",)
    assert settings.events_target(empty) is None
    assert settings.run_store_setting(empty) == ""
    assert settings.lock_dir(empty) == Path(tempfile.gettempdir()) / "dwh-locks"
    assert settings.alert_sinks_setting(empty) == ""
    assert settings.alert_webhook(empty) == ""
    assert settings.triggers_path(empty) == ""
    assert settings.log_keep_setting(empty) == ""
    assert settings.keep_versions_setting(empty) == ""


def test_set_values_are_read_trimmed_where_the_old_readers_trimmed() -> None:
    env = {
        "DWH_HOME": "/srv/dwh",
        "DWH_JOB_PACKAGES": " acme.jobs. , ,dwh.jobs",
        "DWH_EVENTS": "fd:3",
        "DWH_RUN_STORE": "  /data/runs.db ",
        "DWH_LOCK_DIR": "/run/locks",
        "DWH_ALERTS": " Stderr,WEBHOOK ",
        "DWH_ALERT_WEBHOOK": " https://hooks.example/x ",
        "DWH_TRIGGERS": " triggers.json ",
    }

    assert settings.dwh_home(env) == Path("/srv/dwh")
    assert settings.job_packages(env) == ("acme.jobs", "dwh.jobs")
    assert settings.events_target(env) == "fd:3"
    assert settings.run_store_setting(env) == "/data/runs.db"
    assert settings.lock_dir(env) == Path("/run/locks")
    assert settings.alert_sinks_setting(env) == "stderr,webhook"
    assert settings.alert_webhook(env) == "https://hooks.example/x"
    assert settings.triggers_path(env) == "triggers.json"


def test_an_empty_value_means_the_default() -> None:
    env = {"DWH_HOME": "", "DWH_EVENTS": "", "DWH_LOCK_DIR": "", "DWH_JOB_PACKAGES": " , "}

    assert settings.dwh_home(env) == settings.dwh_home({})
    assert settings.events_target(env) is None
    assert settings.lock_dir(env) == Path(tempfile.gettempdir()) / "dwh-locks"
    assert settings.job_packages(env) == ("dwh.jobs",)


def test_the_process_environment_is_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DWH_HOME", "/var/lib/dwh")
    monkeypatch.setenv("DWH_JOB_PACKAGES", "acme.jobs")

    assert settings.dwh_home() == Path("/var/lib/dwh")
    assert settings.job_packages() == ("acme.jobs",)


def test_the_owners_interpret_the_settings_as_before() -> None:
    """The run store and the alert sinks read through settings, with the same meaning."""
    assert store_path_from_env({"DWH_HOME": "/h"}) == Path("/h/runs.db")
    assert store_path_from_env({"DWH_RUN_STORE": " OFF "}) is None
    assert store_path_from_env({"DWH_RUN_STORE": "/x.db", "DWH_HOME": "/h"}) == Path("/x.db")
    assert alert_sinks_from_env({"DWH_ALERTS": "off"}) == []
    sinks = alert_sinks_from_env(
        {"DWH_ALERTS": "stderr,webhook", "DWH_ALERT_WEBHOOK": "https://hooks.example/x"}
    )
    assert [type(s) for s in sinks] == [StderrAlertSink, WebhookAlertSink]


def test_environ_scope_sets_unsets_and_puts_everything_back(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DWH_T_KEEP", "before")
    monkeypatch.setenv("DWH_T_GONE", "was set")
    monkeypatch.delenv("DWH_T_NEW", raising=False)
    monkeypatch.delenv("DWH_T_SET_INSIDE", raising=False)

    with environ_scope(
        {"DWH_T_KEEP": "during", "DWH_T_GONE": None, "DWH_T_NEW": "new"},
        restore=["DWH_T_SET_INSIDE"],
    ):
        assert os.environ["DWH_T_KEEP"] == "during"
        assert "DWH_T_GONE" not in os.environ
        assert os.environ["DWH_T_NEW"] == "new"
        os.environ["DWH_T_SET_INSIDE"] = "by the block"

    assert os.environ["DWH_T_KEEP"] == "before"
    assert os.environ["DWH_T_GONE"] == "was set"
    assert "DWH_T_NEW" not in os.environ
    assert "DWH_T_SET_INSIDE" not in os.environ
