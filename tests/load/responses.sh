#!/usr/bin/env bash
# Load test of POST /api/v1/responses: a release build of devpulse serves a fresh
# database with one open DevEx cycle of N invitations; wrk submits one response per
# invitation token for DURATION seconds. Loopback only. Prints wrk's summary.
# SQLite by default; BACKEND=postgres uses a new database on the local server
# (postgres://postgres@127.0.0.1:5432, dropped afterwards).
#   [BACKEND=postgres] tests/load/responses.sh [DURATION=30] [PEOPLE=60000] [CONNECTIONS=16]
set -euo pipefail
cd "$(dirname "$0")/../.."
duration=${1:-30}; people=${2:-60000}; connections=${3:-16}
bin=target/release/devpulse
work=$(mktemp -d)
export DEVPULSE_MAIL_DIR="$work/mail" DEVPULSE_TICK_SECONDS=3600
pg="postgres://postgres@127.0.0.1:5432"
dbname="devpulse_load_$$"
if [ "${BACKEND:-sqlite}" = postgres ]; then
  psql "$pg/postgres" -qc "CREATE DATABASE $dbname"
  export DATABASE_URL="$pg/$dbname"
  tokens_from="$DATABASE_URL"
else
  export DATABASE_URL="sqlite://$work/load.db?mode=rwc"
  tokens_from="$work/load.db"
fi
$bin demo --teams 200 --people "$people" --cycles 0 --friction 0 --no-open-cycle >/dev/null
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
$bin serve --bind "127.0.0.1:$port" 2>"$work/serve.log" &
server=$!
cleanup() {
  kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$work"
  [ "${BACKEND:-sqlite}" = postgres ] && psql "$pg/postgres" -qc "DROP DATABASE IF EXISTS $dbname" || true
}
trap cleanup EXIT
for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.2; done
token=$($bin token create load 2>/dev/null)
api() { curl -sf -H "Authorization: Bearer $token" -H 'Content-Type: application/json' "$@"; }
survey=$(api -d '{"template": "devex"}' "http://127.0.0.1:$port/api/v1/surveys")
survey_id=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["survey_id"])' <<<"$survey")
api -d "{\"opens_on\": \"$(date -u +%F)\"}" "http://127.0.0.1:$port/api/v1/surveys/$survey_id/cycles" >/dev/null
python3 tests/load/tokens.py "$tokens_from" "$work/tokens.txt"
python3 - "$survey" > "$work/answers.json" <<'PY'
import json, sys
s = json.loads(sys.argv[1])
answers = []
for i, q in enumerate(s["questions"]):
    if q["kind"] == "likert5":
        answers.append({"question_id": q["question_id"], "value": 1 + i % 5})
    elif q["kind"] == "priority_pick":
        answers.append({"question_id": q["question_id"], "choices": ["ci", "docs", "on_call"]})
    elif q["kind"] == "hours":
        answers.append({"question_id": q["question_id"], "value": 4})
    else:
        answers.append({"question_id": q["question_id"], "text": "Builds are slow."})
print(json.dumps({"token": "TOKEN", "answers": answers}))
PY
echo "invitations: $(wc -l < "$work/tokens.txt"); running wrk for ${duration}s with $connections connections"
TOKENS="$work/tokens.txt" ANSWERS="$work/answers.json" THREADS=2 \
  wrk -t2 -c"$connections" -d"${duration}s" --latency -s tests/load/responses.lua "http://127.0.0.1:$port"
if [ "${BACKEND:-sqlite}" = postgres ]; then
  echo "responses stored: $(psql "$DATABASE_URL" -Atc 'SELECT COUNT(*) FROM responses')"
else
  echo "responses stored: $(python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT COUNT(*) FROM responses").fetchone()[0])' "$work/load.db")"
fi
curl -sf "http://127.0.0.1:$port/metrics" | grep -E '^devpulse_submission_batch_size(_sum|_count)' || true
