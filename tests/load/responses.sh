#!/usr/bin/env bash
# Load test of POST /api/v1/responses: a release build of devpulse serves a fresh
# database with one open DevEx cycle of N invitations; wrk submits one response per
# invitation token for DURATION seconds. Loopback only. Prints wrk's summary.
# SQLite by default; BACKEND=postgres uses a new database on the local server
# (postgres://postgres@127.0.0.1:5432, dropped afterwards).
# REFERENCE=pgbench (with BACKEND=postgres) sends the same statements with pgbench
# instead (tests/load/submit.pgbench): the database's own limit for this work. It
# submits every invitation once, however long that takes.
# REFERENCE=sqlite (SQLite) has a C program send the statements of devpulse's writer
# instead (tests/load/sqlite_reference.c; gcc, with the SQLite sources cargo fetched
# for devpulse, else libsqlite3-dev), in batches of
# BATCH (default 8, about what devpulse's writer takes at once under this load), for
# every invitation once.
#   [BACKEND=postgres [REFERENCE=pgbench]] tests/load/responses.sh [DURATION=30] [PEOPLE=60000] [CONNECTIONS=16]
#   [REFERENCE=sqlite [BATCH=8]] tests/load/responses.sh [DURATION] [PEOPLE]
set -euo pipefail
cd "$(dirname "$0")/../.."
duration=${1:-30}; people=${2:-60000}; connections=${3:-16}
bin=target/release/devpulse
work=$(mktemp -d)
export DEVPULSE_MAIL_DIR="$work/mail" DEVPULSE_TICK_SECONDS=3600
pg="postgres://postgres@127.0.0.1:5432"
dbname="devpulse_load_$$"
if [ "${REFERENCE:-}" = sqlite ] && [ "${BACKEND:-sqlite}" != sqlite ]; then
  echo "REFERENCE=sqlite is the SQLite reference: leave BACKEND unset (REFERENCE=pgbench for PostgreSQL)" >&2
  exit 2
fi
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
if [ "${BACKEND:-sqlite}" = postgres ]; then
  # A steady start: the demo's rows analysed and flushed, not during the run.
  psql "$DATABASE_URL" -qc "VACUUM ANALYZE" -c "CHECKPOINT"
fi
if [ "${REFERENCE:-}" = pgbench ]; then
  # The same submissions without devpulse: pgbench sends its statements.
  kill $server; wait $server 2>/dev/null || true
  python3 tests/load/pgbench_tokens.py "$work/tokens.txt" "$work/answers.json" | psql "$DATABASE_URL" -q \
    -c "CREATE TABLE bench_tokens (n integer PRIMARY KEY, token_hash varchar, response_id varchar, answers text)" \
    -c "\\copy bench_tokens FROM STDIN"
  # Each client submits its share of the invitations once (DURATION is not used).
  per_client=$(( $(wc -l < "$work/tokens.txt") / connections ))
  echo "invitations: $(wc -l < "$work/tokens.txt"); running pgbench, $per_client submissions on each of $connections connections"
  (cd "$work" && pgbench -n -M prepared -c "$connections" -j 2 -t "$per_client" -D k=-1 -D clients="$connections" \
    -D day="$(date -u +%F)" -D survey="$survey_id" -l -f "$OLDPWD/tests/load/submit.pgbench" "$DATABASE_URL" | grep -E "^(tps|latency|number of (trans|fail))")
  cat "$work"/pgbench_log.* | python3 -c 'import sys; l = sorted(int(x.split()[2]) for x in sys.stdin); print(f"p50: {l[len(l)//2]/1000:.2f}ms, p99: {l[len(l)*99//100]/1000:.2f}ms")'
elif [ "${REFERENCE:-}" = sqlite ]; then
  # The same claims and inserts without devpulse: one C program, one connection.
  kill $server; wait $server 2>/dev/null || true
  # Built with the SQLite devpulse bundles (libsqlite3-sys's sqlite3.c, as Cargo.lock
  # pins it, with its build flags), else the system's libsqlite3.
  sys_version=$(awk '/^name = "libsqlite3-sys"/ {getline; gsub(/[^0-9.]/, ""); print}' Cargo.lock)
  bundled=$(ls "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/"libsqlite3-sys-$sys_version"/sqlite3/sqlite3.c 2>/dev/null | head -1)
  if [ -n "$bundled" ]; then
    echo "building the reference with $bundled"
    gcc -O2 -o "$work/reference" -I"$(dirname "$bundled")" tests/load/sqlite_reference.c "$bundled" \
      -DSQLITE_CORE -DSQLITE_DEFAULT_FOREIGN_KEYS=1 -DSQLITE_ENABLE_API_ARMOR -DSQLITE_ENABLE_STAT4 \
      -DSQLITE_ENABLE_MEMORY_MANAGEMENT -DSQLITE_ENABLE_UNLOCK_NOTIFY -DSQLITE_THREADSAFE=1 -DSQLITE_USE_URI \
      -DHAVE_USLEEP=1 -DHAVE_ISNAN -DHAVE_LOCALTIME_R -lpthread -ldl -lm
  else
    echo "libsqlite3-sys $sys_version's sqlite3.c not found (run cargo build first): the system's libsqlite3"
    gcc -O2 -o "$work/reference" tests/load/sqlite_reference.c -lsqlite3
  fi
  python3 - "$work/tokens.txt" "$work/answers.json" "$work/hashes.txt" "$work/rows.tsv" <<'PY'
import hashlib, json, sys
tokens, answers, hashes, rows = sys.argv[1:]
with open(tokens) as f, open(hashes, "w") as out:
    for t in f.read().split():
        out.write(hashlib.sha256(t.encode()).hexdigest() + "\n")
with open(rows, "w") as out:
    for a in json.load(open(answers))["answers"]:
        for c in a.get("choices") or [None]:  # a pick: one row per area
            v = a.get("value")
            out.write("\t".join(["" if x is None else str(x) for x in (a["question_id"], v, c, a.get("text"))]) + "\n")
PY
  echo "invitations: $(wc -l < "$work/tokens.txt"); $(wc -l < "$work/rows.tsv") answer rows each"
  "$work/reference" "$work/load.db" "$work/hashes.txt" "$work/rows.tsv" "$survey_id" "$(date -u +%F)" "${BATCH:-8}"
else
  echo "invitations: $(wc -l < "$work/tokens.txt"); running wrk for ${duration}s with $connections connections"
  TOKENS="$work/tokens.txt" ANSWERS="$work/answers.json" THREADS=2 \
    wrk -t2 -c"$connections" -d"${duration}s" --latency -s tests/load/responses.lua "http://127.0.0.1:$port"
fi
if [ "${BACKEND:-sqlite}" = postgres ]; then
  psql "$DATABASE_URL" -Atc 'SELECT COUNT(*) FROM responses' -c 'SELECT COUNT(*) FROM answers' |
    paste -sd' ' | awk '{print "responses stored: " $1 ", answers stored: " $2}'
else
  python3 -c 'import sqlite3,sys; db = sqlite3.connect(sys.argv[1]); r, a = (db.execute("SELECT COUNT(*) FROM " + t).fetchone()[0] for t in ("responses", "answers")); print(f"responses stored: {r}, answers stored: {a}")' "$work/load.db"
fi
curl -sf "http://127.0.0.1:$port/metrics" | grep -E '^devpulse_submission_batch_size(_sum|_count)' || true
