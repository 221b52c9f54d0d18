"""Availability of a 10-SKU basket on the large network: the query (network-wide and nearest
stores within 50 km), the API one call at a time, and the API under 16 concurrent clients.

    python bench/availability.py
    python bench/availability.py --small    # CI smoke size: 20 rounds, 2 s of load, tiny network
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

network_availability, stores_near = internals().network_availability, internals().stores_near
ROUNDS = sized("BENCH_ROUNDS", 400, 20)
PORT = int(os.environ.get("BENCH_PORT", "8765"))
POINTS = [(48.857, 2.352), (45.764, 4.836), (43.297, 5.370), (50.629, 3.057), (44.838, -0.579)]


def basket(rng: random.Random) -> list[str]:
    return [f"BN-{rng.randrange(N_SKUS):06d}" for _ in range(10)]


def main() -> None:
    if subprocess.run([sys.executable, str(ROOT / "bench/generate_network.py")], check=False).returncode:
        raise SystemExit("could not generate the network")
    rng = random.Random(7)
    for _ in range(20):  # warm caches
        network_availability(sku_codes=basket(rng))
    network_ms = [timed(lambda: network_availability(sku_codes=basket(rng))) for _ in range(ROUNDS)]
    near_ms = []
    for _ in range(ROUNDS):
        lat, lon = rng.choice(POINTS)
        codes = basket(rng)
        near_ms.append(
            timed(
                lambda: (
                    network_availability(sku_codes=codes),
                    stores_near(sku_codes=codes, lat=lat, lon=lon, radius_km=50),
                )
            )
        )
    network, near = summary(network_ms), summary(near_ms)

    token = web_shop_key()
    server = gunicorn(PORT)
    try:
        urls = []
        for _ in range(500):
            lat, lon = rng.choice(POINTS)
            urls.append(
                f"/api/v1/availability/?skus={','.join(basket(rng))}&lat={lat}&lon={lon}&radius_km=50"
            )
        api_ms = []
        for path in urls[:ROUNDS]:
            request = urllib.request.Request(
                f"http://127.0.0.1:{PORT}{path}", headers={"Authorization": f"Token {token}"}
            )
            api_ms.append(timed(lambda r=request: json.load(urllib.request.urlopen(r))))  # noqa: S310 - loopback
        api = summary(api_ms)
        per_s = load(urls, token)
    finally:
        server.terminate()
        server.wait()
    result(
        "availability",
        p50_ms=near["p50_ms"],
        p95_ms=near["p95_ms"],
        network_p50_ms=network["p50_ms"],
        network_p95_ms=network["p95_ms"],
        api_p50_ms=api["p50_ms"],
        api_p95_ms=api["p95_ms"],
        api_per_s=per_s,
    )


def load(urls: list[str], token: str) -> float:
    """Calls per second with 16 concurrent clients for 15 s (wrk, Debian's package)."""
    script = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
    paths = ",".join(json.dumps(u) for u in urls)
    script.write(
        f"local paths = {{{paths}}}\nlocal i = 0\n"
        "request = function() i = i % #paths + 1\n"
        f'  return wrk.format("GET", paths[i], {{["Authorization"] = "Token {token}"}}) end\n'
    )
    script.close()
    return load_script_run(script.name, PORT)


if __name__ == "__main__":
    started = time.perf_counter()
    main()
    print(f"took {time.perf_counter() - started:.0f} s", file=sys.stderr)
