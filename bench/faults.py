"""The fault drill: Omni under a steady capture load while PostgreSQL restarts, Redis crashes and
the Celery worker is killed; then what the clients saw and what the database holds are checked.

    python bench/faults.py                 # the full drill: 8 clients, longer outages
    python bench/faults.py --small         # the suite's size (tests/omni/test_faults.py)
    python bench/faults.py --json out.json # also write the whole report as JSON

Everything runs on servers of its own: an embedded PostgreSQL and Redis in a fresh data folder
(never DATABASE_URL / REDIS_URL, which it ignores), owned by this process so it can stop and
start them, and ``bin/dev``'s shape on top (``python -m omni.launcher dev --no-setup`` running
Procfile.dev: the development server, a Celery worker and beat, supervised). E-mails go to files
(``EMAIL_FILE_PATH``) so each can be counted; the outbox sweep runs every few seconds.

The load: client threads place orders through the API (1-3 lines) with an ``Idempotency-Key``
each, and retry the same key on 503, 409 or a broken connection until it is answered 2xx, as a
web shop would. The faults, one after the other, each after a quiet spell:

- **postgres**: fast shutdown of the postmaster (every connection cut, transactions aborted),
  down for a few seconds, started again on the same data folder;
- **redis**: SIGKILL of redis-server (queued task messages are lost with it), down for a few
  seconds, started again;
- **worker**: SIGKILL of the Celery worker's main process; the launcher's supervisor starts it again.

Then it waits for the outbox to drain and checks, printing one figure line per fault and a RESULT:
every key answered 2xx names one order that exists whole (its lines and quantities as sent);
no key made two orders and no order exists that no client was told of; no answer was a 5xx
other than 503; every outbox e-mail was delivered exactly once (counted in the mail files by
its ``X-Omni-Notification`` header); each stock row's reserved count equals the sum of its active
reservations, and nothing is negative. The exit code is 1 when any check fails.

Recovery, per fault: seconds from the dependency's return (PostgreSQL or Redis started again,
the worker's new process up) until both an order is answered 2xx and an e-mail written after
the return has been delivered, i.e. until capture and its side effects work again.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import http.client
import itertools
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
parser.add_argument("--small", action="store_true", help="the suite's size: 4 clients, short outages")
parser.add_argument("--json", type=Path, help="write the report there")
parser.add_argument("--keep", action="store_true", help="keep the data folder (its path is printed)")
ARGS = parser.parse_args()
SMALL = ARGS.small or os.environ.get("BENCH_SMALL", "") not in ("", "0")

CLIENTS = 4 if SMALL else 8
QUIET_SECONDS = 3 if SMALL else 6  # load with nothing wrong, before and between faults
OUTAGE_SECONDS = 3 if SMALL else 8  # how long PostgreSQL and Redis stay down
KEY_PATIENCE_SECONDS = 120  # a client gives up on a key after that long (a failure: "gave up")
DRAIN_SECONDS = 90  # how long the outbox may take to empty after the load
DATABASE = "omni_faults"
N_SKUS = 200  # the small bench network: 20 locations × 200 SKUs


def log(text: str) -> None:
    print(f"{time.strftime('%H:%M:%S', time.gmtime())} {text}", flush=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# ---------------------------------------------------------------------------------------------
# The servers: embedded, owned by this process.


def start_servers(data_dir: Path):
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("REDIS_URL", None)
    os.environ["OMNI_DATA_DIR"] = str(data_dir)
    os.environ["OMNI_EMBEDDED_DATABASE"] = DATABASE
    from omni import embedded

    services = embedded.start_missing()
    os.environ.update(services.env)
    return services


def postmaster_pid(data_dir: Path) -> int:
    return int((data_dir / "postgres" / "postmaster.pid").read_text().split()[0])


def redis_pid(data_dir: Path) -> int:
    import psutil

    for proc in psutil.process_iter(["cmdline"]):
        cmdline = " ".join(proc.info["cmdline"] or [])
        if "redis-server" in cmdline and str(data_dir) in cmdline:
            return proc.pid
    raise RuntimeError("no embedded redis-server found for this data folder")


def wait_until(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise RuntimeError(f"timed out waiting for {what}")


def process_gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


# ---------------------------------------------------------------------------------------------
# The network and the web shop's key, then bin/dev's processes.


def prepare(data_dir: Path) -> str:
    env = {**os.environ, "BENCH_SMALL": "1", "BENCH_DATABASE": DATABASE}
    subprocess.run(  # noqa: S603 - our own script
        [sys.executable, str(ROOT / "bench" / "generate_network.py")], env=env, check=True, cwd=ROOT
    )
    os.environ["BENCH_SMALL"] = "1"
    os.environ["BENCH_DATABASE"] = DATABASE
    from common import setup_django, web_shop_key

    setup_django()
    key = web_shop_key("faults.api")
    from django.db import connections

    connections.close_all()
    return key


def start_omni(data_dir: Path, port: int, mail_dir: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "PORT": str(port),
        "DJANGO_SETTINGS_MODULE": "omni.settings.development",
        "DEBUG": "1",  # as bin/dev: an outage must still be a 503, never a traceback
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
        "OMNI_OUTBOX_SWEEP_SECONDS": "5",
        # An attempt cut short by the killed worker is tried again after its lease: 2 min in
        # production, shorter here so the drill need not wait (longer than its outages).
        "OMNI_OUTBOX_LEASE_SECONDS": "30",
        "PYTHONUNBUFFERED": "1",
        "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
    }
    log_file = open(data_dir / "omni.log", "w")  # noqa: SIM115 - lives as long as the process
    return subprocess.Popen(  # noqa: S603 - our own launcher
        [sys.executable, "-m", "omni.launcher", "dev", "--no-setup", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log_file,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def healthz(port: int) -> dict | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:  # noqa: S310
            return json.load(response)
    except (OSError, ValueError):
        return None


def celery_workers(launcher: subprocess.Popen) -> dict[int, list[int]]:
    """The Celery worker processes under the launcher: {main process: its pool processes}."""
    import psutil

    found: dict[int, list[int]] = {}
    for proc in psutil.Process(launcher.pid).children(recursive=True):
        with contextlib.suppress(psutil.Error):
            cmdline = proc.cmdline()
            parent = proc.parent()
            if "worker" in cmdline and "celery" in " ".join(cmdline) and "worker" not in parent.cmdline():
                found[proc.pid] = [child.pid for child in proc.children()]
    return found


# ---------------------------------------------------------------------------------------------
# The clients.


@dataclass
class Attempt:
    at: float  # seconds since the drill started, when the request was sent
    key: str
    status: int | str  # HTTP status, or "connection" when no answer came
    order: str = ""


@dataclass
class Load:
    port: int
    token: str
    run: str
    started: float = field(default_factory=time.monotonic)
    attempts: list[Attempt] = field(default_factory=list)
    bodies: dict[str, dict] = field(default_factory=dict)
    gave_up: list[str] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def now(self) -> float:
        return time.monotonic() - self.started

    def body(self, rng: random.Random, key: str) -> dict:
        skus = rng.sample(range(N_SKUS), rng.randint(1, 3))
        return {
            "channel": "web",
            "external_reference": key,
            "customer": {"email": f"faults{rng.randrange(50)}@example.fr", "first_name": "Faults", "last_name": key},
            "shipping_address": {"name": "Client", "line1": "1 rue de la Paix", "postcode": "75011", "city": "Paris"},
            "lines": [
                {"sku": f"BN-{sku:06d}", "quantity": rng.randint(1, 2), "delivery": {"method": "ship_to_address"}}
                for sku in skus
            ],
            "payments": [{"method": "card", "reference": f"AUTH-{key}"}],
        }  # fmt: skip

    def client(self, number: int, counter) -> None:
        rng = random.Random(number)
        connection = None
        while not self.stop.is_set():
            key = f"{self.run}-{next(counter)}"
            body = self.body(rng, key)
            with self.lock:
                self.bodies[key] = body
            patience = time.monotonic() + KEY_PATIENCE_SECONDS
            while True:  # the same key until it is answered 2xx, as a web shop retries
                sent = self.now()
                order = ""
                try:
                    connection = connection or http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                    connection.request(
                        "POST",
                        "/api/v1/orders/",
                        body=json.dumps(body),
                        headers={
                            "Authorization": f"Token {self.token}",
                            "Content-Type": "application/json",
                            "Idempotency-Key": key,
                        },
                    )
                    response = connection.getresponse()
                    answer = response.read()
                    status: int | str = response.status
                    if status in (200, 201):
                        order = json.loads(answer)["number"]
                    if response.getheader("Connection", "").lower() == "close":
                        connection.close()
                        connection = None
                except (OSError, http.client.HTTPException):
                    status = "connection"
                    if connection is not None:
                        connection.close()
                    connection = None
                with self.lock:
                    self.attempts.append(Attempt(sent, key, status, order))
                if order:
                    break
                if time.monotonic() > patience:
                    with self.lock:
                        self.gave_up.append(key)
                    break
                if status not in (503, 409, "connection", 429):
                    # Anything else is a defect: recorded above, and the key given up on.
                    with self.lock:
                        self.gave_up.append(key)
                    break
                time.sleep(0.3)

    def start(self) -> list[threading.Thread]:
        counter = itertools.count(1)
        threads = [
            threading.Thread(target=self.client, args=(n, counter), daemon=True) for n in range(CLIENTS)
        ]
        for thread in threads:
            thread.start()
        return threads


# ---------------------------------------------------------------------------------------------
# The faults.


@dataclass
class Fault:
    name: str
    started: float = 0.0  # seconds since the drill started
    back: float = 0.0  # the dependency is back (or, for the worker, was killed: it comes back on its own)
    ended: float = 0.0  # the quiet spell after it ends here
    recovery_s: float | None = None
    answers: dict = field(default_factory=dict)


def fault_postgres(data_dir: Path, services, fault: Fault, load: Load) -> None:
    pid = postmaster_pid(data_dir)
    fault.started = load.now()
    os.kill(pid, signal.SIGINT)  # fast shutdown: connections cut, transactions rolled back
    wait_until(lambda: process_gone(pid), 60, "PostgreSQL to stop")
    time.sleep(OUTAGE_SECONDS)
    services.restart("DATABASE_URL")
    fault.back = load.now()


def fault_redis(data_dir: Path, services, fault: Fault, load: Load) -> None:
    pid = redis_pid(data_dir)
    fault.started = load.now()
    os.kill(pid, signal.SIGKILL)  # a crash: what was queued and not saved is gone
    wait_until(lambda: process_gone(pid), 30, "Redis to die")
    time.sleep(OUTAGE_SECONDS)
    services.restart("REDIS_URL")
    fault.back = load.now()


def fault_worker(launcher: subprocess.Popen, fault: Fault, load: Load) -> None:
    # One worker, settled (after the Redis crash it may itself be restarting under the supervisor).
    wait_until(lambda: len(celery_workers(launcher)) == 1, 60, "one Celery worker under the launcher")
    ((pid, pool),) = celery_workers(launcher).items()
    fault.started = load.now()
    os.kill(pid, signal.SIGKILL)

    def restarted() -> bool:  # a new main process, not one of the old pool's orphans
        return any(main not in (pid, *pool) for main in celery_workers(launcher))

    wait_until(restarted, 60, "the supervisor to start the worker again")
    fault.back = load.now()  # its new process is there (not yet consuming)


# ---------------------------------------------------------------------------------------------
# What happened.


def mails_by_notification(mail_dir: Path) -> collections.Counter:
    sent: collections.Counter = collections.Counter()
    for path in mail_dir.glob("*"):
        for match in re.finditer(r"^X-Omni-Notification: (\d+)$", path.read_text(errors="replace"), re.M):
            sent[int(match.group(1))] += 1
    return sent


def wait_for_outbox(timeout: float) -> int:
    from django.db import connections

    from orders.models import Notification

    deadline = time.monotonic() + timeout
    waiting = -1
    while time.monotonic() < deadline:
        connections.close_all()
        waiting = Notification.objects.filter(sent_at__isnull=True).count()
        if waiting == 0:
            return 0
        time.sleep(1)
    return waiting


def check(load: Load, faults: list[Fault], mail_dir: Path, wall_started: float) -> dict:
    from django.db import connections
    from django.db.models import F, Sum

    from inventory.models import Reservation, StockLevel
    from orders.models import Notification, Order

    connections.close_all()
    answered: dict[str, set[str]] = collections.defaultdict(set)
    for attempt in load.attempts:
        if attempt.order:
            answered[attempt.key].add(attempt.order)
    orders = {
        order.external_reference: order
        for order in Order.objects.filter(external_reference__startswith=load.run).prefetch_related("lines")
    }
    per_reference = collections.Counter(
        Order.objects.filter(external_reference__startswith=load.run).values_list(
            "external_reference", flat=True
        )
    )
    not_whole = []
    for key, numbers in answered.items():
        order = orders.get(key)
        sent = sorted((line["sku"], line["quantity"]) for line in load.bodies[key]["lines"])
        held = sorted((line.sku_code, line.quantity) for line in order.lines.all()) if order else None
        if len(numbers) != 1 or order is None or order.number not in numbers or held != sent:
            not_whole.append(key)
    untold = sorted(set(orders) - set(answered))
    duplicated = sorted(reference for reference, count in per_reference.items() if count > 1)

    mails = mails_by_notification(mail_dir)
    rows = list(Notification.objects.filter(event__order__external_reference__startswith=load.run))
    row_ids = {row.pk for row in rows}
    unsent = [row.pk for row in rows if not row.sent_at]
    undelivered = [row.pk for row in rows if mails[row.pk] == 0]
    delivered_twice = [pk for pk, count in mails.items() if count > 1]
    strangers = [pk for pk in mails if pk not in row_ids]
    confirmations = set(
        Notification.objects.filter(
            event__order__external_reference__startswith=load.run, kind=Notification.Kind.CONFIRMATION
        ).values_list("event__order__external_reference", flat=True)
    )
    no_confirmation = sorted(set(orders) - confirmations)

    active = collections.Counter()
    for row in (
        Reservation.objects.filter(status=Reservation.Status.ACTIVE)
        .values("sku_id", "location_id")
        .annotate(total=Sum("quantity"))
    ):
        active[row["sku_id"], row["location_id"]] = row["total"]
    stock_wrong = [
        f"sku {sku_id} at location {location_id}: reserved {reserved}, active reservations "
        f"{active[sku_id, location_id]}, on hand {on_hand}"
        for sku_id, location_id, reserved, on_hand in StockLevel.objects.values_list(
            "sku_id", "location_id", "reserved", "on_hand"
        )
        if reserved != active[sku_id, location_id] or on_hand < 0 or reserved < 0
    ]
    over_reserved = StockLevel.objects.filter(reserved__gt=F("on_hand")).count()

    # (written, sent) in seconds since the drill started, like the attempts
    mail_times = [
        (row.created_at.timestamp() - wall_started, row.sent_at.timestamp() - wall_started)
        for row in rows
        if row.sent_at is not None
    ]
    for fault in faults:
        window = [a for a in load.attempts if fault.started <= a.at < fault.ended]
        statuses = collections.Counter(str(a.status) for a in window)
        fault.answers = dict(statuses)
        first_order = min((a.at for a in load.attempts if a.order and a.at >= fault.back), default=None)
        # an e-mail written after the dependency returned, and sent: the whole pipeline works
        first_mail = min((sent for written, sent in mail_times if written >= fault.back), default=None)
        if first_order is not None and first_mail is not None:
            fault.recovery_s = round(max(first_order, first_mail) - fault.back, 1)

    server_errors = [
        asdict(a) for a in load.attempts if isinstance(a.status, int) and a.status >= 500 and a.status != 503
    ]
    return {
        "clients": CLIENTS,
        "outage_seconds": OUTAGE_SECONDS,
        "keys": len(load.bodies),
        "keys_answered": len(answered),
        "keys_gave_up": sorted(set(load.gave_up)),
        "attempts": len(load.attempts),
        "answers": dict(collections.Counter(str(a.status) for a in load.attempts)),
        "server_errors_other_than_503": server_errors[:20],
        "server_errors_other_than_503_count": len(server_errors),
        "orders": len(orders),
        "orders_not_whole": not_whole[:20],
        "orders_untold": untold[:20],
        "orders_duplicated": duplicated[:20],
        "orders_without_confirmation_email": no_confirmation[:20],
        "emails": len(rows),
        "emails_unsent": unsent[:20],
        "emails_undelivered": undelivered[:20],
        "emails_delivered_twice": delivered_twice[:20],
        "emails_unknown": strangers[:20],
        "stock_rows_wrong": stock_wrong[:20],
        "stock_rows_over_reserved": over_reserved,
        "faults": [asdict(fault) for fault in faults],
    }


def failures(report: dict) -> list[str]:
    problems = []
    for name in (
        "keys_gave_up",
        "server_errors_other_than_503",
        "orders_not_whole",
        "orders_untold",
        "orders_duplicated",
        "orders_without_confirmation_email",
        "emails_unsent",
        "emails_undelivered",
        "emails_delivered_twice",
        "emails_unknown",
        "stock_rows_wrong",
    ):
        if report[name]:
            problems.append(f"{name}: {report[name]}")
    if report["stock_rows_over_reserved"]:
        problems.append(f"stock_rows_over_reserved: {report['stock_rows_over_reserved']}")
    for fault in report["faults"]:
        if fault["recovery_s"] is None:
            problems.append(f"{fault['name']}: never recovered (no order answered or e-mail sent after it)")
    postgres = next(f for f in report["faults"] if f["name"] == "postgres")
    if not postgres["answers"].get("503"):
        problems.append("postgres: no client saw a 503 while it was down (the outage was not exercised)")
    return problems


# ---------------------------------------------------------------------------------------------


def _stop(signum, _frame) -> None:
    raise SystemExit(128 + signum)  # runs main's clean-up: the launcher and both servers stop


def main() -> int:
    signal.signal(signal.SIGTERM, _stop)
    data_dir = Path(tempfile.mkdtemp(prefix="omni-faults-"))
    mail_dir = data_dir / "mail"
    mail_dir.mkdir()
    log(f"data folder {data_dir}")
    services = start_servers(data_dir)
    launcher = None
    try:
        token = prepare(data_dir)
        port = free_port()
        launcher = start_omni(data_dir, port, mail_dir)
        wait_until(lambda: (healthz(port) or {}).get("ok"), 120, "Omni to answer /healthz")
        log(f"Omni up on port {port}; {CLIENTS} clients placing orders")
        load = Load(port=port, token=token, run=f"FAULTS-{uuid.uuid4().hex[:8]}")
        wall_started = time.time() - load.now()
        threads = load.start()
        faults = []
        time.sleep(QUIET_SECONDS)
        for name in ("postgres", "redis", "worker"):
            fault = Fault(name)
            log(f"fault: {name}")
            if name == "postgres":
                fault_postgres(data_dir, services, fault, load)
            elif name == "redis":
                fault_redis(data_dir, services, fault, load)
            else:
                fault_worker(launcher, fault, load)
            log(f"  {name} back after {fault.back - fault.started:.1f} s")
            time.sleep(QUIET_SECONDS + (5 if name == "worker" else 0))
            fault.ended = load.now()
            faults.append(fault)
        load.stop.set()
        for thread in threads:
            thread.join(KEY_PATIENCE_SECONDS + 30)
        log(
            f"load stopped: {len(load.bodies)} orders sent in {len(load.attempts)} requests; waiting for the outbox"
        )
        waiting = wait_for_outbox(DRAIN_SECONDS)
        if waiting:
            log(f"  {waiting} e-mails still waiting after {DRAIN_SECONDS} s")
        report = check(load, faults, mail_dir, wall_started)
    finally:
        if launcher is not None:
            launcher.send_signal(signal.SIGINT)
            try:
                launcher.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(launcher.pid, signal.SIGKILL)
        with contextlib.suppress(Exception):
            from django.db import connections

            connections.close_all()
        services.stop()
        if not ARGS.keep:
            import shutil

            shutil.rmtree(data_dir, ignore_errors=True)
        else:
            log(f"kept {data_dir} (omni.log holds the launcher's output)")

    for fault in report["faults"]:
        answers = ", ".join(f"{status}×{count}" for status, count in sorted(fault["answers"].items()))
        print(
            f"{fault['name']:<9} down {fault['back'] - fault['started']:4.1f} s · answers during and after: {answers}"
            f" · recovery {fault['recovery_s']} s after it returned",
            flush=True,
        )
    problems = failures(report)
    report["problems"] = problems
    if ARGS.json:
        ARGS.json.write_text(json.dumps(report, indent=2, default=str))
    from common import result

    recovery = {f["name"]: f["recovery_s"] for f in report["faults"]}
    result(
        "faults",
        orders=report["orders"],
        requests=report["attempts"],
        **{"5xx_not_503": report["server_errors_other_than_503_count"]},
        orders_lost=len(report["orders_not_whole"]) + len(report["keys_gave_up"]),
        orders_duplicated=len(report["orders_duplicated"]) + len(report["orders_untold"]),
        emails_lost=len(report["emails_undelivered"]),
        emails_duplicated=len(report["emails_delivered_twice"]),
        stock_rows_wrong=len(report["stock_rows_wrong"]),
        **{f"recovery_{name}_s": seconds for name, seconds in recovery.items()},
    )
    for problem in problems:
        print(f"PROBLEM {problem}", flush=True)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
