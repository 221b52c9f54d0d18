from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.access import OPERATIONS
from accounts.matrix import api_operations, role_matrix_markdown

DEFAULT_PATH = Path(settings.BASE_DIR) / "docs" / "role-matrix.md"


class Command(BaseCommand):
    help = "Write docs/role-matrix.md (role/profile × API operation) from accounts.access.GRANTS."

    def add_arguments(self, parser):
        parser.add_argument("--output", default=str(DEFAULT_PATH))
        parser.add_argument("--check", action="store_true", help="Fail when the file is not current.")

    def handle(self, *args, output: str, check: bool, **options):
        undeclared = [f"{op.method} {op.path}" for op in api_operations() if op.scope not in OPERATIONS]
        if undeclared:
            raise CommandError("API operations without a known scope: " + ", ".join(undeclared))
        text = role_matrix_markdown()
        path = Path(output)
        if check:
            if not path.exists() or path.read_text() != text:
                raise CommandError(f"{path} is not current: run manage.py role_matrix")
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        self.stdout.write(f"Wrote {path} ({len(api_operations())} operations).")
