# Sourced by bin/dev and bin/test: create .venv and install pinned dependencies when
# pyproject.toml changed since the last install.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PYTHON="${PYTHON:-python3.11}"
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3
if [ ! -x .venv/bin/python ]; then
  echo "Creating virtualenv in .venv ($("$PYTHON" --version))"
  "$PYTHON" -m venv .venv
fi
EXTRAS="${OMNI_EXTRAS:-}"
stamp=".venv/.installed-$( (cat pyproject.toml; echo "$EXTRAS") | sha256sum | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  echo "Installing dependencies${EXTRAS:+ [$EXTRAS]}…"
  .venv/bin/python -m pip install --quiet --disable-pip-version-check ".${EXTRAS:+[$EXTRAS]}"
  rm -rf build ./*.egg-info
  touch "$stamp"
fi
export PATH="$ROOT/.venv/bin:$PATH"
