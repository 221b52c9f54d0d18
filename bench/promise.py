"""The checkout promise for a 3-line cart through the API: p95 one call at a time, then calls
per second with 16 concurrent clients (wrk). Baseline in the same run: the same promise
computed in-process, without HTTP, Django's request cycle or DRF.

    python bench/promise.py
    python bench/promise.py --small    # CI smoke size: 20 rounds, 2 s of load, tiny network
"""

import json
import os
import random
import subprocess
import sys
import tempfile
import time
import urllib.request

from common import (
    N_SKUS,
    ROOT,
    gunicorn,
    internals,
    load_script_run,
    result,
    setup_django,
    sized,
    summary,
    timed,
    web_shop_key,
)

setup_django()

app = internals()
ROUNDS = sized("BENCH_ROUNDS", 300, 20)
PORT = int(os.environ.get("BENCH_PORT", "8767"))
POSTCODES = ["75011", "69002", "13001", "59000", "33000", "31000", "67000", "44000"]


def bodies(rng: random.Random, n: int) -> list[dict]:
    return [
        {
            "lines": [{"sku": f"BN-{rng.randrange(N_SKUS):06d}", "quantity": 1} for _ in range(3)],
            "destination": {"postcode": rng.choice(POSTCODES)},
        }
        for _ in range(n)
    ]


def main() -> None:
    if subprocess.run([sys.executable, str(ROOT / "bench/generate_network.py")], check=False).returncode:
        raise SystemExit("could not generate the network")
    rng = random.Random(5)
    carts = bodies(rng, 500)
    profile = app.profile_current()
    rules = app.profile_rules(profile)

    def in_process(body):
        skus = app.SKU.objects.in_bulk([line["sku"] for line in body["lines"]], field_name="code")
        postcode = body["destination"]["postcode"]
        with app.network_facts_recent(max_age=60):
            app.promise_options(lines=[(skus[line["sku"]], 1) for line in body["lines"]], point=app.postcode_point(postcode),
                            postcode=postcode, profile=profile, rules=rules)  # fmt: skip

    baseline = summary([timed(lambda b=b: in_process(b)) for b in carts[:ROUNDS]])
    token = web_shop_key()
    server = gunicorn(PORT)
    try:
        api_ms = []
        for body in carts[:ROUNDS]:
            request = urllib.request.Request(
                f"http://127.0.0.1:{PORT}/api/v1/promise/",
                data=json.dumps(body).encode(),
                headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
            )
            api_ms.append(timed(lambda r=request: json.load(urllib.request.urlopen(r))))  # noqa: S310 - loopback
        api = summary(api_ms)
        script = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
        payloads = ",".join(json.dumps(json.dumps(b)) for b in carts)
        script.write(
            f"local bodies = {{{payloads}}}\nlocal i = 0\n"
            "request = function() i = i % #bodies + 1\n"
            f'  return wrk.format("POST", "/api/v1/promise/", {{["Authorization"] = "Token {token}", '
            '["Content-Type"] = "application/json"}, bodies[i]) end\n'
        )
        script.close()
        per_s = load_script_run(script.name, PORT)
    finally:
        server.terminate()
        server.wait()
    result("promise", p95_ms=api["p95_ms"], p50_ms=api["p50_ms"], per_s=per_s,
           baseline_in_process_p95_ms=baseline["p95_ms"])  # fmt: skip


if __name__ == "__main__":
    started = time.perf_counter()
    main()
    print(f"took {time.perf_counter() - started:.0f} s", file=sys.stderr)
