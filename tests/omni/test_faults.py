"""The fault drill at its small size (bench/faults.py): Omni under a capture load while its own
embedded PostgreSQL restarts, its Redis crashes and its Celery worker is killed. What the clients
were told and what the database holds must agree afterwards."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.faults


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("faults") / "report.json"
    drill = subprocess.Popen(  # noqa: S603 - our own script
        [sys.executable, str(ROOT / "bench" / "faults.py"), "--small", "--json", str(out)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        stdout, stderr = drill.communicate(timeout=600)
    except subprocess.TimeoutExpired:
        drill.terminate()  # the drill stops its launcher and servers on SIGTERM
        stdout, stderr = drill.communicate(timeout=120)
    run = subprocess.CompletedProcess(drill.args, drill.returncode, stdout, stderr)
    assert out.exists(), (
        f"the drill did not finish (exit {run.returncode}):\n{run.stdout[-3000:]}\n{run.stderr[-3000:]}"
    )
    report = json.loads(out.read_text())
    report["output"] = run.stdout
    return report


def fault(report: dict, name: str) -> dict:
    return next(f for f in report["faults"] if f["name"] == name)


def test_the_drill_placed_orders_through_every_fault(report):
    assert report["orders"] >= 20, report["output"]
    for name in ("postgres", "redis", "worker"):
        assert fault(report, name)["answers"].get("201"), f"no order placed around the {name} fault"


def test_clients_saw_503_while_postgres_was_down_and_never_another_5xx(report):
    assert fault(report, "postgres")["answers"].get("503"), "the outage was not exercised"
    assert report["server_errors_other_than_503"] == []


def test_capture_needs_no_redis(report):
    answers = fault(report, "redis")["answers"]
    assert set(answers) <= {"201", "200"}, answers


def test_every_order_a_client_was_told_of_exists_whole_and_no_key_made_two(report):
    assert report["keys_gave_up"] == []
    assert report["orders_not_whole"] == []
    assert report["orders_duplicated"] == []
    assert report["orders_untold"] == []
    assert report["orders"] == report["keys_answered"]


def test_every_email_is_delivered_exactly_once_after_recovery(report):
    assert report["emails"] >= report["orders"]  # a confirmation per order at least
    assert report["orders_without_confirmation_email"] == []
    assert report["emails_unsent"] == [] and report["emails_undelivered"] == []
    assert report["emails_delivered_twice"] == [] and report["emails_unknown"] == []


def test_stock_counters_equal_the_active_reservations(report):
    assert report["stock_rows_wrong"] == []
    assert report["stock_rows_over_reserved"] == 0


def test_everything_recovers_after_each_fault(report):
    for name in ("postgres", "redis", "worker"):
        assert fault(report, name)["recovery_s"] is not None, name
    assert report["problems"] == []
