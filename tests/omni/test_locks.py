"""Every row lock lives behind a named function in its app's ``locks.py`` (STYLE.md), where
the lock order is written down: no other module may call ``select_for_update``."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SKIPPED_DIRS = {".venv", ".git", "tests", "migrations", "bench", "node_modules"}


def _modules():
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT)
        if SKIPPED_DIRS.intersection(relative.parts[:-1]) or path.name == "locks.py":
            continue
        yield relative, path


def test_select_for_update_only_in_locks_modules():
    offenders = [
        f"{relative}:{number}"
        for relative, path in _modules()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if "select_for_update(" in line
    ]
    assert not offenders, (
        "select_for_update() outside a locks.py: move it behind a named function in the "
        "app's locks.py and document where it comes in the lock order:\n" + "\n".join(offenders)
    )


def test_the_scan_sees_the_apps():
    modules = {str(relative) for relative, _path in _modules()}
    assert "inventory/services/stock.py" in modules
    assert "orders/services/payments.py" in modules
