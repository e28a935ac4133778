#!/usr/bin/env bash
# The fault suite of the reliability issue, every scenario in turn, on the
# debug build (or $DEVPULSE_BIN). Loopback addresses only; each scenario
# bounds its loops in count and time. Needs root for the mount namespace
# (disk full), chattr (read-only file) and a private PostgreSQL cluster.
#   bash tests/faults/run.sh            # all of them
#   bash tests/faults/run.sh crash smtp # some of them
set -euo pipefail
cd "$(dirname "$0")"
export PYTHONDONTWRITEBYTECODE=1
# The SMTP scenarios need aiosmtpd (installed by .ci/test); three instances
# share DEVPULSE_FAULTS_PEOPLE members' emails (10,000 by hand, fewer in CI).
all=(crash database smtp instances hostile backup fuzz mix)
run() {
  local started=$SECONDS
  echo "==> faults: $1"
  case "$1" in
    crash) python3 crash.py ;;
    database) python3 database.py ;;
    smtp) python3 smtp.py ;;
    instances) python3 instances.py ;;
    hostile) python3 hostile.py ;;
    backup) python3 backup.py ;;
    fuzz) bash fuzz.sh ;;
    # Scenario 1, short: the full 60 s run on the release build is in the README.
    mix) python3 ../load/mix.py --seconds "${MIX_SECONDS:-15}" --people 3000 --connections 8 \
           --min-rps "${MIX_MIN_RPS:-20}" --max-p99-ms "${MIX_MAX_P99_MS:-5000}" ;;
    *) echo "unknown scenario $1 (one of: ${all[*]})"; exit 2 ;;
  esac
  echo "<== faults: $1 passed in $((SECONDS - started)) s"
}
for s in "${@:-${all[@]}}"; do run "$s"; done
