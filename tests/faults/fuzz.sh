#!/usr/bin/env bash
# Scenario 6: schemathesis against /api/openapi.json, stateless (examples,
# coverage, fuzzing) and stateful, every check, with an API token and a
# member token, on a fresh SQLite database holding the demo organisation.
# Exits non-zero when schemathesis reports any failure, or devpulse logs a
# 5xx, a panic or an "internal error".
#
# Builds nothing: runs target/debug/devpulse, or $DEVPULSE_BIN. Loopback only;
# the run is bounded by FUZZ_EXAMPLES per operation (and FUZZ_MAX_TIME if set)
# and by FUZZ_TIMEOUT overall.
#
#   bash tests/faults/fuzz.sh                     # the CI-sized run (< 3 min on the debug build)
#   FUZZ_EXAMPLES=200 bash tests/faults/fuzz.sh   # a longer run
#   FUZZ_MAX_TIME=900 bash tests/faults/fuzz.sh   # fuzz and stateful repeat for 15 minutes
#
# Environment:
#   DEVPULSE_BIN      binary under test (default target/debug/devpulse)
#   FUZZ_EXAMPLES     test cases per operation and phase (default 50)
#   FUZZ_MAX_TIME     seconds: schemathesis' --max-time (unset: none)
#   FUZZ_SEED         schemathesis seed (default 1; "random" for a new one each run)
#   FUZZ_WORKERS      schemathesis workers (default 2)
#   FUZZ_TIMEOUT      seconds before the whole schemathesis run is killed (default 1800)
#   FUZZ_OUT          folder for the reports and the server log (default: a new temp folder,
#                     removed on success unless FUZZ_KEEP=1)
#   FUZZ_CHECKS       schemathesis --checks (default all)
#   FUZZ_EXCLUDE_CHECKS  schemathesis --exclude-checks (default positive_data_acceptance,use_after_free: see below)
#   FUZZ_SCHEMA       test this OpenAPI file against the server instead of its own /api/openapi.json
#                     (to try a corrected document before changing the code)
#   SCHEMATHESIS_VERSION  version pip installs when `st` is missing (default 4.32.5)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HERE="$ROOT/tests/faults"
BIN="${DEVPULSE_BIN:-$ROOT/target/debug/devpulse}"
EXAMPLES="${FUZZ_EXAMPLES:-50}"
SEED="${FUZZ_SEED:-1}"
WORKERS="${FUZZ_WORKERS:-2}"
TIMEOUT="${FUZZ_TIMEOUT:-1800}"
ST_VERSION="${SCHEMATHESIS_VERSION:-4.32.5}"
# Two checks are left out by default, each for a rule of the contract that
# OpenAPI cannot state (FUZZ_EXCLUDE_CHECKS= runs them too):
# - positive_data_acceptance: a request the document allows may still be
#   refused with 422 naming the field, for rules that depend on stored data
#   (an unknown area_id or team, a merge onto a merged report), on another
#   field or today's date (closes_on after opens_on and after today, reminder
#   days under open_days), or on which token is used (a member token cannot
#   name a team); and serde reads 30.0 as no integer.
# - use_after_free: DELETE /teams/{slug}/members/{email} deactivates the
#   member (interface.md), who stays readable and can be reactivated with
#   PATCH {"active": true}; a 200 after the DELETE is the contract.
EXCLUDE_CHECKS="${FUZZ_EXCLUDE_CHECKS-positive_data_acceptance,use_after_free}"

log() { echo "[fuzz] $*" >&2; }

[ -x "$BIN" ] || { log "$BIN is missing: build it first (cargo build -p devpulse)"; exit 2; }
if ! command -v st >/dev/null 2>&1; then
    log "installing schemathesis==$ST_VERSION"
    python3 -m pip install --quiet "schemathesis==$ST_VERSION" >&2
    hash -r
fi
log "$(st --version)"

if [ -n "${FUZZ_OUT:-}" ]; then
    WORK="$FUZZ_OUT"
    mkdir -p "$WORK"
    KEEP=1
else
    WORK="$(mktemp -d /tmp/devpulse-fuzz.XXXXXX)"
    KEEP="${FUZZ_KEEP:-0}"
fi
SERVER_PID=""
STATUS=1

cleanup() {
    if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        for _ in $(seq 1 100); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    if [ "$STATUS" -eq 0 ] && [ "$KEEP" != 1 ]; then
        rm -rf "$WORK"
    else
        log "reports, server log and database kept in $WORK"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
BASE="http://127.0.0.1:$PORT"
export DATABASE_URL="sqlite://$WORK/devpulse.db?mode=rwc"
export DEVPULSE_MAIL_DIR="$WORK/mail"
export DEVPULSE_TICK_SECONDS=3600
# Far above what the run files, so member filings keep reaching the handler
# (the limit itself, 429, is documented and checked by the fault suite).
export DEVPULSE_FRICTION_PER_HOUR=10000
export RUST_LOG=info

log "demo organisation in $WORK/devpulse.db"
RUST_LOG=warn "$BIN" demo --teams 8 --people 80 --cycles 2 --friction 50 >&2
DP_API_TOKEN="$(RUST_LOG=warn "$BIN" token create fuzz 2>/dev/null | tail -n 1 | tr -d '[:space:]')"
case "$DP_API_TOKEN" in dp_*) ;; *) log "could not create an API token"; exit 2 ;; esac

"$BIN" serve --bind "127.0.0.1:$PORT" --base-url "$BASE" >"$WORK/serve.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 600); do
    kill -0 "$SERVER_PID" 2>/dev/null || { log "devpulse exited; see $WORK/serve.log"; tail -n 20 "$WORK/serve.log" >&2; exit 2; }
    curl -fsS -o /dev/null "$BASE/health" 2>/dev/null && break
    sleep 0.1
done
curl -fsS -o /dev/null "$BASE/health" || { log "devpulse did not become healthy"; exit 2; }

# The member token is the {token} of a member's personal link /p/{token}; the
# member is the first active member of the first team, as the API lists them.
MEMBER_EMAIL="$(curl -fsS -H "Authorization: Bearer $DP_API_TOKEN" "$BASE/api/v1/teams" | python3 -c '
import json, sys
print(json.load(sys.stdin)["items"][0]["slug"])' | xargs -I{} curl -fsS -H "Authorization: Bearer $DP_API_TOKEN" "$BASE/api/v1/teams/{}/members" | python3 -c '
import json, sys
print(next(m["email"] for m in json.load(sys.stdin)["items"] if m["active"]))')"
DP_MEMBER_TOKEN="$(RUST_LOG=warn "$BIN" member link --base-url "$BASE" "$MEMBER_EMAIL" | tail -n 1 | sed 's#.*/p/##' | tr -d '[:space:]')"
[ -n "$DP_MEMBER_TOKEN" ] || { log "could not derive a member token"; exit 2; }
export DP_API_TOKEN DP_MEMBER_TOKEN
log "server $BASE (pid $SERVER_PID); member token of $MEMBER_EMAIL"

# Each security scheme gets its own token: schemathesis applies the first
# satisfiable alternative of an operation, so POST /friction (member_token or
# api_token) runs with the member token in the first pass, and with the API
# token in the second. The configuration also holds dictionaries of real ids,
# slugs, invitation tokens and enum words, mixed into the generated values.
python3 "$HERE/fuzz_helper.py" config "$WORK/both.toml" --base "$BASE" --db "$WORK/devpulse.db" \
    --member-email "$MEMBER_EMAIL"
python3 "$HERE/fuzz_helper.py" config "$WORK/api-only.toml" --base "$BASE" --db "$WORK/devpulse.db" \
    --member-email "$MEMBER_EMAIL" --api-only
SCHEMA="$BASE/api/openapi.json"
SCHEMA_OPTS=()
if [ -n "${FUZZ_SCHEMA:-}" ]; then
    # Another document (e.g. a corrected copy) against the live server.
    SCHEMA="$(cd "$(dirname "$FUZZ_SCHEMA")" && pwd)/$(basename "$FUZZ_SCHEMA")"
    SCHEMA_OPTS=(--url "$BASE")
fi
curl -fsS -o "$WORK/openapi.json" "$BASE/api/openapi.json"

EXTRA=()
[ "$SEED" = random ] || EXTRA+=(--seed "$SEED")
[ -z "${FUZZ_MAX_TIME:-}" ] || EXTRA+=(--max-time "$FUZZ_MAX_TIME")
[ -z "$EXCLUDE_CHECKS" ] || EXTRA+=(--exclude-checks "$EXCLUDE_CHECKS")

run_st() { # NAME CONFIG [extra st options...]
    local name="$1" config="$2"
    shift 2
    local cmd=(st --config-file "$config" run "$SCHEMA" "${SCHEMA_OPTS[@]}"
        --checks "${FUZZ_CHECKS:-all}"
        --phases examples,coverage,fuzzing,stateful
        --max-examples "$EXAMPLES"
        --workers "$WORKERS"
        --continue-on-failure
        --generation-database none
        --request-timeout 30
        --output-sanitize false
        --no-color
        --report junit,ndjson --report-dir "$WORK/$name"
        "${EXTRA[@]}" "$@")
    log "pass $name: ${cmd[*]}"
    local rc=0
    (cd "$WORK" && timeout "$TIMEOUT" "${cmd[@]}") >"$WORK/$name.txt" 2>&1 || rc=$?
    sed -n '/^=* SUMMARY =*$/,$p' "$WORK/$name.txt" >&2
    [ "$rc" -eq 0 ] || log "pass $name: schemathesis exited $rc (full output: $WORK/$name.txt)"
    return "$rc"
}

START=$SECONDS
FAILED=0
run_st both "$WORK/both.toml" || FAILED=1
run_st api-token "$WORK/api-only.toml" --include-operation-id file_report || FAILED=1
log "schemathesis took $((SECONDS - START))s"

if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    log "devpulse died during the run"
    FAILED=1
fi
# The member may have been erased or deactivated by the fuzzer itself; then
# the member-token routes were only seen answering 401 after that point.
if [ "$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer $DP_MEMBER_TOKEN" \
        "$BASE/api/v1/friction/none/me-too")" = 401 ]; then
    log "note: the member token stopped working during the run (member erased or deactivated by the fuzzer)"
fi

python3 "$HERE/fuzz_helper.py" serverlog "$WORK/serve.log" >&2 || FAILED=1
if [ "$FAILED" -ne 0 ]; then
    log "findings (grouped; repro commands use \$DP_API_TOKEN / \$DP_MEMBER_TOKEN):"
    python3 "$HERE/fuzz_helper.py" findings "$WORK/both/*.ndjson" "$WORK/api-token/*.ndjson" \
        --json "$WORK/findings.json" >&2
    log "FAILED: see above, $WORK/findings.json and $WORK/*.txt"
    exit 1
fi
STATUS=0
log "passed: no failure"
