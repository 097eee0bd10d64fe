"""``dwh new``: a scaffolded job passes ``dwh check`` and its own tests straight away."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from dwh.devtools.scaffold import plan_job

FILES = [
    "tmpjobs/clean_orders/__init__.py",
    "tmpjobs/clean_orders/clean_orders_config.py",
    "tmpjobs/clean_orders/clean_orders_job.py",
    "tmpjobs/clean_orders/clean_orders_transformer.py",
    "tmpjobs/clean_orders/clean_orders_job_factory.py",
    "tests/jobs/clean_orders/test_clean_orders_job.py",
    "tests/jobs/clean_orders/test_clean_orders_spark.py",
    "examples/configs/clean_orders/example.json",
    "notebooks/clean_orders.ipynb",
]


def fakes_tier(job_package: Path) -> subprocess.CompletedProcess[str]:
    """Run the scaffolded tests' fakes tier in ``job_package`` (the Spark tier is run in
    tests/devtools/test_scaffold_in_repo.py), with the dwh under test and its plugin."""
    repo = Path(__file__).resolve().parents[2]
    path = os.pathsep.join([str(job_package), str(repo)])
    env = {**os.environ, "PYTHONPATH": path, "DWH_JOB_PACKAGES": "tmpjobs"}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-m", "not spark", "."],
        cwd=job_package,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_new_job_passes_check_and_its_own_tests(invoke, job_package: Path) -> None:
    created = invoke("new", "clean_orders")

    assert created.exit_code == 0, created.stderr
    assert sorted(
        str(p.relative_to(job_package)) for p in job_package.rglob("*") if p.is_file()
    ) == sorted([*FILES, "tmpjobs/__init__.py", "pyproject.toml"])
    listed = json.loads(invoke("list", "--json").stdout)
    assert [job["module"] for job in listed] == ["tmpjobs.clean_orders.clean_orders_job_factory"]

    checked = invoke("check")
    assert checked.exit_code == 0, checked.stdout
    assert "1 jobs keep the contract" in checked.stdout

    validated = invoke("validate", "clean_orders", "examples/configs/clean_orders/example.json")
    assert validated.exit_code == 0, validated.stderr

    tests = fakes_tier(job_package)
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert "5 passed, 2 deselected" in tests.stdout


def test_new_job_code_is_lint_clean(invoke, job_package: Path) -> None:
    invoke("new", "clean_orders")
    ruff = Path(sys.executable).parent / "ruff"
    repo_config = Path(__file__).resolve().parents[2] / "pyproject.toml"
    # Import order depends on which packages count as first-party, so sorting is left out.
    lint = subprocess.run(
        [str(ruff), "check", "--config", str(repo_config), "--extend-ignore", "I001", "."],
        cwd=job_package,
        capture_output=True,
        text=True,
        check=False,
    )
    fmt = subprocess.run(
        [str(ruff), "format", "--check", "--config", str(repo_config), "."],
        cwd=job_package,
        capture_output=True,
        text=True,
        check=False,
    )
    assert lint.returncode == 0, lint.stdout
    assert fmt.returncode == 0, fmt.stdout


def test_new_notebook_is_a_valid_papermill_notebook(invoke, job_package: Path) -> None:
    invoke("new", "clean_orders")

    notebook = nbformat.read(job_package / "notebooks" / "clean_orders.ipynb", as_version=4)

    nbformat.validate(notebook)
    tagged = [c for c in notebook.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1 and "job_config: " in tagged[0].source
    assert notebook.metadata.kernelspec.name == "python3"
    assert all(c.get("outputs", []) == [] for c in notebook.cells)
    assert "tmpjobs.clean_orders.clean_orders_job_factory" in "".join(
        c.source for c in notebook.cells
    )


def test_new_refuses_an_existing_job_and_writes_nothing(invoke, job_package: Path) -> None:
    invoke("new", "clean_orders")

    again = invoke("new", "clean_orders")
    taken = invoke("new", "noop", "--package", "dwh.jobs")

    assert again.exit_code == 2
    assert "a job named 'clean_orders' already exists" in again.stderr
    assert taken.exit_code == 2
    assert "package 'dwh.jobs' is not a job package" in taken.stderr


@pytest.mark.parametrize("name", ["CleanOrders", "1st", "clean-orders", "class", "trailing_", ""])
def test_new_refuses_a_bad_name_in_one_line(invoke, job_package: Path, name: str) -> None:
    result = invoke("new", name)

    assert result.exit_code == 2
    assert result.stderr.startswith(f"dwh: error: invalid job name {name!r}")
    assert result.stderr.count("\n") == 1
    assert not (job_package / "tmpjobs" / name).exists() or name == ""


def test_dry_run_lists_files_and_writes_nothing(invoke, job_package: Path) -> None:
    result = invoke("new", "clean_orders", "--dry-run")

    assert result.exit_code == 0
    assert result.stdout.count("would write") == len(FILES)
    assert not (job_package / "tmpjobs" / "clean_orders").exists()


def test_plan_never_targets_the_real_job_package(job_package: Path) -> None:
    scaffold = plan_job("clean_orders")

    assert scaffold.package == "tmpjobs"
    real = Path(__file__).resolve().parents[2] / "dwh" / "jobs"
    assert not any(real in path.parents for path in scaffold.files)


def test_check_rejects_a_notebook_whose_default_config_went_stale(
    invoke, job_package: Path
) -> None:
    invoke("new", "clean_orders")
    # A notebook scaffolded before output_path existed: its baked-in default lacks it.
    stale = Path(__file__).parent / "fixtures" / "stale_clean_orders.ipynb"
    (job_package / "notebooks" / "stale_clean_orders.ipynb").write_text(stale.read_text())

    checked = invoke("check")

    assert checked.exit_code == 1
    line = next(x for x in checked.stdout.splitlines() if "[notebook]" in x)
    assert "notebooks/stale_clean_orders.ipynb:1: [notebook] clean_orders:" in line
    assert "'output_path': required field is missing" in checked.stdout
    assert "clean_orders.ipynb:" not in checked.stdout.replace("stale_clean_orders", "")


def test_papermill_shows_the_scaffolded_notebooks_parameter_types(
    invoke, job_package: Path
) -> None:
    invoke("new", "clean_orders")
    papermill = Path(sys.executable).parent / "papermill"

    shown = subprocess.run(
        [str(papermill), "--help-notebook", "notebooks/clean_orders.ipynb"],
        cwd=job_package,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert shown.returncode == 0, shown.stderr
    assert "Unknown type" not in shown.stdout
    assert "job_config: Optional[Union[dict, str]] (default None)" in shown.stdout
    assert "has_spark: bool (default True)" in shown.stdout


def test_new_from_another_folder_writes_every_file_under_the_project_root(
    invoke, job_package: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "deeper").mkdir(parents=True)
    monkeypatch.chdir(elsewhere / "deeper")

    result = invoke("new", "clean_orders")

    assert result.exit_code == 0, result.stderr
    assert not any(elsewhere.rglob("*.*")), "nothing lands in the working directory"
    written = sorted(str(p.relative_to(job_package)) for p in job_package.rglob("*") if p.is_file())
    assert written == sorted([*FILES, "tmpjobs/__init__.py", "pyproject.toml"])
    assert f"cd {job_package.resolve()} && dwh check clean_orders" in result.stdout


def test_new_without_a_project_root_refuses_and_writes_nothing(
    invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sys.modules.pop("loosejobs", None)
    loose = tmp_path / "loose"
    (loose / "loosejobs").mkdir(parents=True)
    (loose / "loosejobs" / "__init__.py").write_text("")
    monkeypatch.syspath_prepend(str(loose))
    monkeypatch.setenv("DWH_JOB_PACKAGES", "loosejobs")
    monkeypatch.chdir(tmp_path)
    before = sorted(tmp_path.rglob("*"))

    result = invoke("new", "clean_orders")

    sys.modules.pop("loosejobs", None)
    assert result.exit_code == 2
    assert result.stderr.startswith("dwh: error: no project root for job package 'loosejobs'")
    assert result.stderr.count("\n") == 1
    assert sorted(tmp_path.rglob("*")) == before


def test_new_refuses_a_root_that_does_not_hold_the_package(
    invoke, job_package: Path, tmp_path: Path
) -> None:
    other = tmp_path / "other"
    other.mkdir()
    (other / "pyproject.toml").write_text("[project]\nname = 'other'\n")

    result = invoke("new", "clean_orders", "--root", str(other))

    assert result.exit_code == 2
    assert "does not hold job package 'tmpjobs'" in result.stderr
    assert [p.name for p in other.iterdir()] == ["pyproject.toml"]
    assert not (job_package / "tmpjobs" / "clean_orders").exists()


def test_new_refuses_a_root_without_a_pyproject(invoke, job_package: Path) -> None:
    result = invoke("new", "clean_orders", "--root", "/")

    assert result.exit_code == 2
    assert result.stderr == "dwh: error: --root / is not a project root: it has no pyproject.toml\n"


@pytest.mark.parametrize(
    ("name", "shadowed"),
    [
        ("list", "the dwh command `dwh list`"),
        ("preview", "the dwh command `dwh preview`"),
        ("print", "the Python builtin 'print'"),
        ("json", "the standard-library module 'json'"),
        ("email", "the standard-library module 'email'"),
    ],
)
def test_new_refuses_a_name_that_shadows_a_command_builtin_or_module(
    invoke, job_package: Path, name: str, shadowed: str
) -> None:
    result = invoke("new", name)

    assert result.exit_code == 2
    assert result.stderr == (
        f"dwh: error: invalid job name {name!r}: it shadows {shadowed}; "
        f"pick another name (for example {name}_job)\n"
    )
    assert not (job_package / "tmpjobs" / name).exists()
    assert not (job_package / "tests").exists()


def test_new_with_inputs_scaffolds_one_reader_each_and_passes_its_fakes_tests(
    invoke, job_package: Path
) -> None:
    created = invoke("new", "shop_orders", "--inputs", "orders,customers")

    assert created.exit_code == 0, created.stderr
    folder = job_package / "tmpjobs" / "shop_orders"
    factory = (folder / "shop_orders_job_factory.py").read_text()
    assert "orders_reader=ParquetReader(spark)," in factory
    assert "customers_reader=ParquetReader(spark)," in factory
    transformer = (folder / "shop_orders_transformer.py").read_text()
    assert "def transform(self, orders: DataFrame, customers: DataFrame) -> DataFrame:" in (
        transformer
    )
    example = json.loads((job_package / "examples/configs/shop_orders/example.json").read_text())
    assert example == {
        "orders_path": "data/shop_orders/orders",
        "customers_path": "data/shop_orders/customers",
        "output_path": "data/shop_orders/output",
        "key_columns": ["id"],
    }
    assert invoke("check").exit_code == 0
    shown = invoke("show", "shop_orders").stdout
    assert "orders_path" in shown and "customers_path" in shown

    tests = fakes_tier(job_package)
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert "5 passed, 2 deselected" in tests.stdout


def test_show_gives_the_scaffolded_key_columns_default_as_a_list(invoke, job_package: Path) -> None:
    invoke("new", "clean_orders")

    out = invoke("show", "clean_orders").stdout

    row = next(line for line in out.splitlines() if "key_columns" in line)
    assert "[]" in row and "null" not in row


@pytest.mark.parametrize(
    ("inputs", "message"),
    [
        ("orders,Bad-Name", "invalid --inputs name 'Bad-Name': use up to 16 lower-case"),
        ("orders,list", "invalid --inputs name 'list': it is a Python builtin"),
        ("orders,output", "invalid --inputs name 'output': it is a Python builtin or a name"),
        ("orders,orders", "--inputs names 'orders' twice"),
        ("orders,", "--inputs needs input names, comma-separated"),
    ],
)
def test_new_refuses_bad_input_names_in_one_line(
    invoke, job_package: Path, inputs: str, message: str
) -> None:
    result = invoke("new", "clean_orders", "--inputs", inputs)

    assert result.exit_code == 2
    assert result.stderr.startswith(f"dwh: error: {message}")
    assert result.stderr.count("\n") == 1
    assert not (job_package / "tmpjobs" / "clean_orders").exists()


def test_a_scaffolded_jobs_lineage_has_its_inputs_and_its_outputs_schema(
    invoke, job_package: Path
) -> None:
    from types import SimpleNamespace

    from dwh.lineage import to_json
    from dwh.lineage._mapping import RunEventMapper
    from dwh.run_context import RunContext
    from dwh.testing import InMemoryReader, RecordingEventPublisher, RecordingLoader

    invoke("new", "shop_orders", "--inputs", "orders,customers")
    from tmpjobs.shop_orders.shop_orders_job import ShopOrdersJob

    column = SimpleNamespace(name="id", dataType=SimpleNamespace(simpleString=lambda: "int"))
    frame = SimpleNamespace(schema=SimpleNamespace(fields=[column]), count=lambda: 2)
    publisher = RecordingEventPublisher()
    ShopOrdersJob(
        orders_reader=InMemoryReader({"/d/orders": frame}),
        customers_reader=InMemoryReader({"/d/customers": frame}),
        transformer=SimpleNamespace(transform=lambda *frames: frame),
        loader=RecordingLoader(),
        publisher=publisher,
        context=RunContext(job="shop_orders", run_id="20261207T010000Z-abcdef"),
    ).run(orders_path="/d/orders", customers_path="/d/customers", output_path="/d/out")

    mapper = RunEventMapper("dwh")
    events = [mapper.map(event) for event in publisher.events]
    complete = json.loads(
        to_json(next(e for e in events if e is not None and e.eventType.name == "COMPLETE"))
    )
    assert [i["name"] for i in complete["inputs"]] == ["/d/orders", "/d/customers"]
    [output] = complete["outputs"]
    assert output["name"] == "/d/out"
    [field] = output["facets"]["schema"]["fields"]
    assert (field["name"], field["type"]) == ("id", "int")
