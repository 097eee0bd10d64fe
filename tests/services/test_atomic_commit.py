"""The atomic folder commit behind ParquetLoader: swap, recovery, and SIGKILL at any moment."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dwh.services import atomic_commit
from dwh.services.atomic_commit import commit, local_path, previous_versions, recover, stage_path

FILES = ("part-0", "part-1", "part-2")


def write_version(folder: Path, version: int) -> None:
    folder.mkdir(parents=True)
    for name in FILES:
        (folder / name).write_text(str(version))


def version_of(folder: Path) -> int:
    """The one version all files hold; fails on a missing, partial or mixed folder."""
    assert sorted(p.name for p in folder.iterdir()) == list(FILES)
    versions = {(folder / name).read_text() for name in FILES}
    assert len(versions) == 1, f"mixed versions {versions}"
    return int(versions.pop())


def test_first_commit_renames_the_staged_folder_in(tmp_path: Path) -> None:
    target = tmp_path / "day=24"
    staged = stage_path(target)
    assert staged.parent == tmp_path and staged.name.startswith(".day=24.dwh-staging-")
    write_version(staged, 1)
    commit(staged, target)
    assert version_of(target) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["day=24"]


def test_commit_keeps_exactly_one_hidden_previous_version(tmp_path: Path) -> None:
    """A reader that opened the old folder before the swap finds it whole, not emptying."""
    target = tmp_path / "out"
    for version in (1, 2, 3):
        staged = stage_path(target)
        write_version(staged, version)
        commit(staged, target)
    assert version_of(target) == 3
    [previous] = previous_versions(target)
    assert version_of(previous) == 2 and previous.name.startswith(".out.dwh-previous-")
    assert sorted(p.name for p in tmp_path.iterdir()) == [previous.name, "out"]
    assert recover(target) == [] and previous.exists(), "recover keeps the previous version"


def test_a_reader_holding_the_old_folder_lists_it_whole_after_the_swap(tmp_path: Path) -> None:
    target = tmp_path / "out"
    write_version(target, 1)
    reader = os.open(target, os.O_RDONLY)  # a reader that opened the folder before the swap
    try:
        staged = stage_path(target)
        write_version(staged, 2)
        commit(staged, target)
        listed = sorted(os.listdir(reader))
    finally:
        os.close(reader)
    assert listed == sorted(FILES), "the old version was not deleted under the reader"
    assert version_of(target) == 2


def test_commit_without_a_staged_folder_changes_nothing(tmp_path: Path) -> None:
    target = tmp_path / "out"
    write_version(target, 1)
    with pytest.raises(FileNotFoundError):
        commit(stage_path(target), target)
    assert version_of(target) == 1


def dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_recover_restores_a_backup_and_sweeps_dead_leftovers(tmp_path: Path) -> None:
    target = tmp_path / "out"
    pid = dead_pid()
    write_version(tmp_path / f".out.dwh-backup-{pid}-00ff", 1)  # killed between two renames
    write_version(tmp_path / f".out.dwh-staging-{pid}-0aaa", 2)  # killed while writing
    live = tmp_path / f".out.dwh-staging-{os.getppid()}-0bbb"  # a live writer's: kept
    write_version(live, 3)
    other = tmp_path / f".other.dwh-staging-{pid}-0ccc"  # another target's: not ours
    write_version(other, 4)
    removed = recover(target)
    assert version_of(target) == 1
    assert removed == [tmp_path / f".out.dwh-staging-{pid}-0aaa"]
    assert live.exists() and other.exists()


def test_two_rename_fallback_gives_the_same_result(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The fallback for file systems without RENAME_EXCHANGE, forced here.
    monkeypatch.setattr(atomic_commit, "_exchange", lambda a, b: False)
    target = tmp_path / "out"
    for version in (1, 2):
        staged = stage_path(target)
        write_version(staged, version)
        commit(staged, target)
    assert version_of(target) == 2
    [previous] = previous_versions(target)
    assert version_of(previous) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == [previous.name, "out"]


@pytest.mark.parametrize(
    ("path", "local"),
    [
        ("/data/out", Path("/data/out")),
        ("file:///data/out", Path("/data/out")),
        ("file:/data/out", Path("/data/out")),
        ("relative/out", Path("relative/out")),
        ("s3://bucket/out", None),
        ("hdfs://nn:8020/out", None),
    ],
)
def test_local_path(path: str, local: Path | None) -> None:
    assert local_path(path) == local


# The writer loads only atomic_commit (stdlib only), not the dwh package, so it starts fast.
WRITER = """
import importlib.util, sys
from pathlib import Path
spec = importlib.util.spec_from_file_location("atomic_commit", sys.argv[2])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
commit, recover, stage_path = module.commit, module.recover, module.stage_path
target = Path(sys.argv[1])
print("ready", flush=True)
version = 1
while True:
    recover(target)
    staged = stage_path(target)
    staged.mkdir()
    for name in ("part-0", "part-1", "part-2"):
        (staged / name).write_text(str(version))
    commit(staged, target)
    version += 1
"""


@pytest.mark.parametrize("keep", [1, 2])
def test_sigkill_at_random_moments_never_leaves_a_missing_or_mixed_target(
    tmp_path: Path, keep: int
) -> None:
    target = tmp_path / "out"
    env = {**os.environ, "DWH_KEEP_VERSIONS": str(keep)}
    write_version(target, 0)
    rng = random.Random(3)
    versions = []
    for _ in range(20):
        writer = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(target), atomic_commit.__file__],
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert writer.stdout is not None and writer.stdout.readline() == "ready\n"
        time.sleep(rng.uniform(0.0, 0.05))
        writer.send_signal(signal.SIGKILL)
        writer.wait()
        writer.stdout.close()
        seen = version_of(target)  # what a reader sees right after the kill: one whole version
        recover(target)  # what the next run does first
        assert version_of(target) == seen
        names = [p.name for p in tmp_path.iterdir()]
        assert [n for n in names if ".dwh-previous-" not in n] == ["out"]
        assert len(names) <= 1 + keep, f"{keep} previous versions at most"
        versions.append(seen)
    assert max(versions) >= 1, "the writer never committed: the kills tested nothing"


def commit_versions(target: Path, versions: range, **options: int) -> None:
    for version in versions:
        staged = stage_path(target)
        write_version(staged, version)
        commit(staged, target, **options)


def test_the_replaced_version_is_the_baseline_until_the_next_commit_and_no_longer(
    tmp_path: Path,
) -> None:
    """The guarantee dwh diff rests on: previous_versions()[0] is what the last commit replaced."""
    target = tmp_path / "out"
    commit_versions(target, range(1, 2))
    assert previous_versions(target) == [], "a first commit replaces nothing"
    for version in range(2, 6):
        commit_versions(target, range(version, version + 1))
        [baseline] = previous_versions(target)
        assert version_of(baseline) == version - 1, "exactly the replaced version survives"


@pytest.mark.parametrize("keep", [0, 1, 2, 3])
def test_keep_sets_how_many_replaced_versions_survive_newest_first(
    tmp_path: Path, keep: int
) -> None:
    target = tmp_path / "out"
    commit_versions(target, range(1, 7), keep=keep)
    assert version_of(target) == 6
    assert [version_of(p) for p in previous_versions(target)] == [5, 4, 3, 2, 1][:keep]
    assert len(list(tmp_path.iterdir())) == 1 + keep


def test_dwh_keep_versions_is_the_default_and_a_bad_value_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dwh.errors import UsageError

    target = tmp_path / "out"
    monkeypatch.setenv("DWH_KEEP_VERSIONS", "2")
    commit_versions(target, range(1, 5))
    assert [version_of(p) for p in previous_versions(target)] == [3, 2]
    monkeypatch.setenv("DWH_KEEP_VERSIONS", "0")
    commit_versions(target, range(5, 6))
    assert previous_versions(target) == []
    monkeypatch.setenv("DWH_KEEP_VERSIONS", "many")
    with pytest.raises(UsageError, match=r"DWH_KEEP_VERSIONS must be a whole number.*'many'"):
        commit_versions(target, range(6, 7))
    assert version_of(target) == 5, "a bad setting replaces nothing"


@pytest.mark.parametrize("keep", [0, 1, 2])
def test_a_single_file_keeps_its_replaced_versions_too(tmp_path: Path, keep: int) -> None:
    from dwh.services.atomic_commit import commit_file

    target = tmp_path / "report.csv"
    for version in range(1, 5):
        new = tmp_path / f".report.csv.dwh-staging-1-{version:04x}"
        new.write_text(f"v\n{version}\n")
        commit_file(new, target, keep=keep)
    assert target.read_text() == "v\n4\n"
    assert [p.read_text() for p in previous_versions(target)] == ["v\n3\n", "v\n2\n"][:keep]
    assert len(list(tmp_path.iterdir())) == 1 + keep
