"""Race real threads against real PostgreSQL: every client starts at the same instant."""

import threading

from django.db import connection


def race(clients: int, attempt) -> list:
    """Run ``attempt(i)`` in ``clients`` threads at once; each outcome or the exception it raised."""
    barrier = threading.Barrier(clients)
    outcomes: list = [None] * clients

    def run(i: int) -> None:
        try:
            barrier.wait()
            outcomes[i] = attempt(i)
        except Exception as exc:  # noqa: BLE001 - collected and asserted on by the caller
            outcomes[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes
