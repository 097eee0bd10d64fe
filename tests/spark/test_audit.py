"""Write, audit, publish: output checks on real Spark, against staged copies.

A small two-output job (orders, then customers) runs in-process through its factory on
the suite's local session. Its outputs are published only when every error-severity
check passes on every output; otherwise each earlier version stays byte for byte.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar

import pytest

from dwh.checks import Check, CheckOutcome, custom, unique
from dwh.config import JobConfig
from dwh.errors import CheckInvalidError, ChecksFailedError, ExitCode
from dwh.events import EventName
from dwh.jobs.abstract_job import AbstractJob
from dwh.jobs.abstract_job_factory import AbstractJobFactory
from dwh.services.loaders import CsvLoader, JsonLinesLoader, ParquetLoader
from dwh.services.publishers import RecordingEventPublisher

pytestmark = pytest.mark.spark

ORDERS = [
    {"order_id": 1, "customer_id": 10, "status": "placed", "amount": 5.0},
    {"order_id": 2, "customer_id": 11, "status": "shipped", "amount": 7.5},
    {"order_id": 3, "customer_id": 12, "status": "lost", "amount": -1.0},
    {"order_id": 3, "customer_id": None, "status": None, "amount": 2.0},
    {"order_id": 4, "customer_id": 99, "status": "placed", "amount": 0.0},
]
CUSTOMERS = [{"customer_id": 10}, {"customer_id": 11}, {"customer_id": 12}]


class OrdersConfig(JobConfig):
    out_dir: str
    orders: list[dict[str, Any]]
    customers: list[dict[str, Any]]
    fmt: str = "parquet"


class OrdersJob(AbstractJob):
    def __init__(self, *, spark: Any, loader: Any, **services: Any) -> None:
        super().__init__(**services)
        self.spark, self.loader = spark, loader
        self.failures: list[str] = []

    def execute_job(
        self, out_dir: str, orders: list[dict[str, Any]], customers: list[dict[str, Any]], fmt: str
    ) -> dict[str, Any]:
        schema = "order_id INT, customer_id INT, status STRING, amount DOUBLE"
        frames = {
            "orders_path": self.spark.createDataFrame(orders, schema),
            "customers_path": self.spark.createDataFrame(customers, "customer_id INT"),
        }
        for name, frame in frames.items():
            path = f"{out_dir}/{name.removesuffix('_path')}"
            self.loader.load(frame, path)
            self.record_output(name, path, frame)
        return {"orders": len(orders)}

    def on_success(self, results: Any) -> None:
        pass

    def on_failure(self, error_message: str) -> None:
        self.failures.append(error_message)


class OrdersFactory(AbstractJobFactory[OrdersConfig]):
    job_name = "orders"
    config_model = OrdersConfig
    output_checks: ClassVar[Mapping[str, Sequence[Check]]] = {
        "orders_path": [],
        "customers_path": [unique("customer_id")],
    }
    last_job: OrdersJob | None = None

    def create_job(self, **kwargs: Any) -> OrdersJob:
        config = self.parse_job_config(**kwargs)
        loaders = {"parquet": ParquetLoader(), "csv": CsvLoader(), "json": JsonLinesLoader()}
        job = OrdersJob(
            spark=self.get_spark_session(), loader=loaders[config.fmt], **self.job_services()
        )
        OrdersFactory.last_job = job
        return job


def run(
    out: Path, checks: dict[str, Any] | None = None, store: str = "off", **overrides: Any
) -> RecordingEventPublisher:
    publisher = RecordingEventPublisher()
    config = {"out_dir": str(out), "orders": ORDERS, "customers": CUSTOMERS, **overrides}
    if checks is not None:
        config["output_checks"] = checks
    kwargs = {"orders_job": config, "event_publisher": publisher, "run_store": store}
    OrdersFactory(**kwargs).run(**kwargs)
    return publisher


def published(out: Path, spark: Any) -> dict[str, list[tuple[Any, ...]]]:
    return {
        name: sorted((tuple(r) for r in spark.read.parquet(str(out / name)).collect()), key=repr)
        for name in ("orders", "customers")
    }


def fingerprint(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (hidden ones too), by relative path: its sha256."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and ".dwh-previous-" not in str(p)
    }


def audits(publisher: RecordingEventPublisher) -> dict[str, dict[str, Any]]:
    return {e.payload["output"]: e.payload for e in publisher.of(EventName.CHECKS_FINISHED)}


def test_each_built_in_check_counts_exactly_its_failing_rows(tmp_path: Path, spark: Any) -> None:
    (tmp_path / "ref").mkdir()
    spark.createDataFrame(CUSTOMERS, "customer_id INT").write.parquet(
        str(tmp_path / "ref" / "customers")
    )
    checks = {
        "orders_path": [
            {"unique": ["order_id"], "severity": "warn"},
            {"not_null": ["customer_id", "status"], "severity": "warn"},
            {
                "accepted_values": {"column": "status", "values": ["placed", "shipped"]},
                "severity": "warn",
            },
            {"row_count": {"min": 1, "max": 3}, "severity": "warn"},
            {"expression": "amount >= 0", "severity": "warn"},
            {
                "relationships": {
                    "column": "customer_id",
                    "to": str(tmp_path / "ref" / "customers"),
                    "field": "customer_id",
                },
                "severity": "warn",
            },
        ]
    }

    publisher = run(tmp_path / "out", checks)

    found = {
        c["name"]: (c["status"], c["failing_rows"])
        for c in audits(publisher)["orders_path"]["checks"]
    }
    # Counted independently: order_id 3 twice (one extra row); one row with nulls;
    # 'lost' (the null status is not_null's); 5 rows for at most 3; amount -1.0; 99.
    assert found == {
        "unique(order_id)": ("warned", 1),
        "not_null(customer_id, status)": ("warned", 1),
        "accepted_values(status)": ("warned", 1),
        "row_count(1..3)": ("warned", 2),
        "expression(amount >= 0)": ("warned", 1),
        f"relationships(customer_id -> {tmp_path / 'ref' / 'customers'}.customer_id)": (
            "warned",
            1,
        ),
    }
    samples = {c["name"]: c["samples"] for c in audits(publisher)["orders_path"]["checks"]}
    assert samples["unique(order_id)"] == [{"order_id": 3, "rows": 2}]
    assert samples["accepted_values(status)"] == [
        {"order_id": 3, "customer_id": 12, "status": "lost", "amount": -1.0}
    ]
    assert audits(publisher)["orders_path"]["null_counts"] == {
        "customer_id": 1,
        "order_id": 0,
        "status": 1,
    }
    # Warnings publish.
    assert published(tmp_path / "out", spark)["orders"] == sorted(
        (tuple(o.values()) for o in ORDERS), key=repr
    )
    assert publisher.names[-1] == EventName.JOB_SUCCEEDED


def test_a_failing_check_publishes_no_output_and_keeps_every_previous_version(
    tmp_path: Path, spark: Any
) -> None:
    out = tmp_path / "out"
    run(out)
    before = fingerprint(out)
    assert before

    # Only the second output fails: neither is published.
    with pytest.raises(ChecksFailedError) as caught:
        run(out, customers=[*CUSTOMERS, {"customer_id": 10}], orders=ORDERS[:2])

    assert fingerprint(out) == before
    assert not [p for p in out.iterdir() if ".dwh-staging-" in p.name]
    message = str(caught.value)
    assert message == (
        "1 output check failed, nothing was published: "
        "unique(customer_id) on customers_path (1 failing rows)"
    )
    assert caught.value.exit_code == ExitCode.CHECKS_FAILED == 4
    assert OrdersFactory.last_job is not None
    assert OrdersFactory.last_job.failures == [f"ChecksFailedError: {message}"]


def test_a_config_check_on_the_first_output_fails_the_run_too(tmp_path: Path, spark: Any) -> None:
    out = tmp_path / "out"
    run(out)
    before = fingerprint(out)
    publisher = RecordingEventPublisher()
    config = {
        "out_dir": str(out),
        "orders": ORDERS,
        "customers": [{"customer_id": 1}],
        "output_checks": {"orders_path": [{"expression": "amount >= 0"}]},
    }
    kwargs = {"orders_job": config, "event_publisher": publisher, "run_store": "off"}

    with pytest.raises(
        ChecksFailedError, match=r"expression\(amount >= 0\) on orders_path \(1 failing rows\)"
    ):
        OrdersFactory(**kwargs).run(**kwargs)

    assert fingerprint(out) == before
    failed = publisher.of(EventName.JOB_FAILED)[0].payload
    assert failed["error_type"] == "ChecksFailedError"
    assert {a["output"]: a["passed"] for a in audits(publisher).values()} == {
        "orders_path": False,
        "customers_path": True,
    }


@pytest.mark.parametrize(
    ("check", "says"),
    [
        (
            {"not_null": ["cutsomer_id"]},
            "check not_null(cutsomer_id) on output 'orders_path': the staged output has no column 'cutsomer_id'",
        ),
        (
            {"expression": "amount >>= 0"},
            "check expression(amount >>= 0) on output 'orders_path': the expression does not parse",
        ),
    ],
    ids=["missing-column", "bad-expression"],
)
def test_a_check_that_cannot_be_evaluated_fails_the_run_with_nothing_published(
    tmp_path: Path, spark: Any, check: dict[str, Any], says: str
) -> None:
    out = tmp_path / "out"
    run(out)
    before = fingerprint(out)

    with pytest.raises(CheckInvalidError) as caught:
        run(out, {"orders_path": [check]})

    assert str(caught.value).startswith(says)
    assert caught.value.exit_code == ExitCode.JOB_FAILED
    assert fingerprint(out) == before


def test_relationships_against_another_jobs_output(tmp_path: Path, spark: Any) -> None:
    """The customers a first run published are the reference of a second job's orders."""
    first = tmp_path / "first"
    run(first)
    reference = str(first / "customers")
    check = {"relationships": {"column": "customer_id", "to": reference}}

    with pytest.raises(
        ChecksFailedError,
        match=r"relationships\(customer_id -> .*\) on orders_path \(1 failing rows\)",
    ):
        run(tmp_path / "second", {"orders_path": [check]})

    assert not (tmp_path / "second" / "orders").exists()
    run(tmp_path / "third", {"orders_path": [check]}, orders=ORDERS[:3])
    assert (tmp_path / "third" / "orders").is_dir()


def test_relationships_names_another_jobs_output_by_job_and_output(
    tmp_path: Path, spark: Any
) -> None:
    """``orders.customers_path`` reads what the job's last successful run recorded."""
    store = str(tmp_path / "runs.db")
    run(tmp_path / "first", store=store)
    check = {"relationships": {"column": "customer_id", "to": "orders.customers_path"}}

    with pytest.raises(
        ChecksFailedError,
        match=r"relationships\(customer_id -> orders\.customers_path\.customer_id\) "
        r"on orders_path \(1 failing rows\)",
    ):
        run(tmp_path / "second", {"orders_path": [check]}, store=store)

    assert not (tmp_path / "second" / "orders").exists()
    run(tmp_path / "third", {"orders_path": [check]}, store=store, orders=ORDERS[:3])
    assert (tmp_path / "third" / "orders").is_dir()


def test_a_job_output_no_run_recorded_is_refused_naming_the_job(tmp_path: Path, spark: Any) -> None:
    check = {"relationships": {"column": "customer_id", "to": "billing.accounts_path"}}

    with pytest.raises(CheckInvalidError) as caught:
        run(tmp_path / "out", {"orders_path": [check]}, store=str(tmp_path / "runs.db"))

    assert "nor has a successful run of job 'billing' recorded an output 'accounts_path'" in str(
        caught.value
    )
    assert not (tmp_path / "out" / "orders").exists()


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_csv_and_json_lines_outputs_are_audited_on_their_staged_copy(
    tmp_path: Path, spark: Any, fmt: str
) -> None:
    publisher = run(
        tmp_path / "out", {"orders_path": [{"unique": ["order_id"], "severity": "warn"}]}, fmt=fmt
    )

    (check,) = audits(publisher)["orders_path"]["checks"]
    assert (check["status"], check["failing_rows"]) == ("warned", 1)


def test_a_custom_check_is_a_function_of_the_staged_frame(tmp_path: Path, spark: Any) -> None:
    def big_orders(frame: Any) -> CheckOutcome:
        rows = frame.where("amount > 6").collect()
        return CheckOutcome(len(rows), [r.asDict() for r in rows])

    class Custom(OrdersFactory):
        output_checks: ClassVar[Mapping[str, Sequence[Check]]] = {
            "orders_path": [custom("no_big_orders", big_orders).warn()],
            "customers_path": [],
        }

    publisher = RecordingEventPublisher()
    config = {"out_dir": str(tmp_path), "orders": ORDERS, "customers": CUSTOMERS}
    kwargs = {"orders_job": config, "event_publisher": publisher, "run_store": "off"}
    Custom(**kwargs).run(**kwargs)

    (check,) = audits(publisher)["orders_path"]["checks"]
    assert (check["name"], check["status"], check["failing_rows"]) == ("no_big_orders", "warned", 1)
    assert check["samples"][0]["order_id"] == 2


def _raw_images(folder: Path) -> Path:
    lines = [
        {
            "image_id": f"img-{n}",
            "url": f"https://x.example/{n}.jpg",
            "sha256": f"{n:064x}",
            "width": 10,
            "height": 20,
            "captured_at": "2026-11-25T06:00:00Z",
            "camera": camera,
        }
        for n, camera in enumerate(["Pixel 8", "Pixel 8", None, "Canon"])
    ]
    raw = folder / "raw.jsonl"
    raw.write_text("".join(json.dumps(line) + "\n" for line in lines))
    return raw


def test_a_notebook_run_shows_its_checks_and_a_failing_one_publishes_nothing(
    tmp_path: Path, spark: Any
) -> None:
    from dwh.notebook import check_rows, run_job

    module = "dwh.jobs.transform_images.transform_images_job_factory"
    config = {
        "raw_path": str(_raw_images(tmp_path)),
        "output_path": str(tmp_path / "images"),
        "output_checks": {
            "output_path": [
                {"accepted_values": {"column": "camera", "values": ["Pixel 8"]}, "severity": "warn"}
            ]
        },
    }

    run = run_job(module, config, has_spark=True)

    assert run.succeeded, run.summary()
    rows = {
        (r["output"], r["check"]): (r["status"], r["failing_rows"]) for r in check_rows(run.checks)
    }
    assert rows[("output_path", "accepted_values(camera)")] == ("warned", 1)
    assert rows[("output_path", "unique(image_id)")] == ("passed", 0)
    assert run.to_dict()["checks"] == run.checks

    config["output_path"] = str(tmp_path / "images-2")
    config["output_checks"] = {"output_path": [{"row_count": {"max": 2}}]}
    failed = run_job(module, config, has_spark=True)

    assert isinstance(failed.error, ChecksFailedError)
    assert "row_count(..2) on output_path (2 failing rows)" in failed.summary()
    assert not (tmp_path / "images-2").exists()
    assert not (tmp_path / "images-2_rejects").exists()
