#!/usr/bin/env bash
# Every script under bench/ at the small size (20 locations × 200 SKUs, few rounds, short load),
# so that none can rot: each must exit 0 and print its RESULT line. The figures are CI smoke
# figures, not comparable with the targets in BENCHMARKS.md.
#
#   DATABASE_URL=postgres://… REDIS_URL=redis://… BENCH_DATABASE=omni_bench_ci bench/smoke.sh
#
# Starts from an empty BENCH_DATABASE (dropped first) on the server of DATABASE_URL.
OMNI_EXTRAS=test
source "$(dirname "$0")/../bin/_venv.sh"  # cd's to the checkout; set -euo pipefail
: "${DATABASE_URL:?set DATABASE_URL: the smoke runs use their own database on that server}"
: "${REDIS_URL:?set REDIS_URL}"
export BENCH_SMALL=1 BENCH_DATABASE="${BENCH_DATABASE:-omni_bench_small}"
PY="$PWD/.venv/bin/python"
SCRIPTS=(generate_network pricing inventory_sync reserve availability sourcing promise order_capture sla_sweep ship_parcel)

# Every script must be listed: a new one is smoke-run from the day it lands. The fault drill
# is not: it runs at its small size in the suite (tests/omni/test_faults.py), on its own servers.
for file in bench/*.py; do
  name="$(basename "$file" .py)"
  [ "$name" = common ] || [ "$name" = faults ] && continue
  [[ " ${SCRIPTS[*]} " == *" $name "* ]] || { echo "bench/smoke.sh: add $name to SCRIPTS" >&2; exit 1; }
done

(cd bench && "$PY" -c "import common; common.drop_bench_database()")
log="$(mktemp -d /tmp/omni-bench-smoke-XXXXXX)"
failed=()
started=$SECONDS
for name in "${SCRIPTS[@]}"; do
  port="$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  t0=$EPOCHREALTIME
  rc=0
  BENCH_PORT="$port" timeout 120 "$PY" "bench/$name.py" >"$log/$name.out" 2>"$log/$name.err" || rc=$?
  took="$(awk "BEGIN { printf \"%.1f\", $EPOCHREALTIME - $t0 }")"
  line="$(grep "^RESULT $name " "$log/$name.out" || true)"
  if [ "$rc" != 0 ] || [ -z "$line" ]; then
    failed+=("$name")
    echo "FAILED $name (exit $rc, ${took} s); last lines:"
    tail -n 15 "$log/$name.err" "$log/$name.out" | sed 's/^/    /'
  else
    echo "$line  (${took} s)"
  fi
done
echo "bench smoke: $(( ${#SCRIPTS[@]} - ${#failed[@]} )) passed, ${#failed[@]} failed in $(( SECONDS - started )) s"
rm -rf "$log"
[ ${#failed[@]} = 0 ]
