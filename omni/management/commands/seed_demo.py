"""Load the demo retailer, or repair what an interrupted load left out. Safe to run again."""

from django.core.management.base import BaseCommand, CommandError

from inventory.models import Location
from omni.demo import orders, seed


class Command(BaseCommand):
    help = (
        "Load the demo (network, users, catalogue, stock, orders, store work): each part that is "
        "incomplete is filled, a complete one is left as is."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--skip-other-data",
            action="store_true",
            help="Do nothing when the database holds locations but none of the demo's (bin/dev uses this).",
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help=(
                "Write nothing; report each part and exit 1 when one is incomplete or the "
                f"{orders.STORE_WORK_LOCATION} store has no work waiting."
            ),
        )

    def handle(self, *args, skip_other_data: bool = False, check: bool = False, **options):
        if check:
            return self._check()
        if skip_other_data and seed.holds_other_data():
            self.stdout.write("This database holds other locations than the demo's: demo not loaded.")
            return
        try:
            filled = seed.demo_seed(write=self._write)
        except KeyboardInterrupt:
            self.stderr.write("Interrupted: what was seeded is kept, the next start completes the demo.")
            raise SystemExit(130) from None
        if filled:
            self.stdout.write(self.style.SUCCESS(f"Demo ready (filled: {', '.join(filled)})."))
        else:
            self.stdout.write("Demo complete: nothing to do.")
        if "API clients" not in filled:
            self.stdout.write(
                "API keys are shown once, when made: rotate one at /accounts/api-clients/ to see it."
            )

    def _write(self, text: str) -> None:
        self.stdout.write(text)
        self.stdout.flush()

    def _check(self) -> None:
        from store.selectors import store_queue

        missing = seed.demo_missing()
        for part in seed.PARTS:
            lacks = missing.get(part.name)
            state = (
                f"missing {len(lacks)}: {', '.join(lacks[:5])}{'…' if len(lacks) > 5 else ''}"
                if lacks
                else "complete"
            )
            self.stdout.write(f"{part.name}: {state}")
        store = Location.objects.filter(code=orders.STORE_WORK_LOCATION).first()
        queue = store_queue(store) if store else None
        waiting = len(queue.to_do) + len(queue.incoming) if queue else 0
        self.stdout.write(f"{orders.STORE_WORK_LOCATION} work waiting: {waiting}")
        if missing or not waiting:
            raise CommandError("The demo is incomplete.")
        self.stdout.write(self.style.SUCCESS("The demo is complete."))
