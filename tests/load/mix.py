#!/usr/bin/env python3
"""Scenario 1 of the reliability issue: a realistic mix of requests at the rate
a survey link posted at an all-hands brings, against one devpulse.

A demo organisation (closed cycles, friction reports) with a new open cycle;
wrk (tests/load/mix.lua) sends survey page loads and submissions, member
pages, friction filed and me-too, the triage list and the priorities API.
Passes when there is no 5xx and no socket error, p99 is under 1 s, the rate
reaches --min-rps, and every submission answered 201 is in the database.

    python3 tests/load/mix.py [--backend sqlite|postgres] [--seconds 60] [--connections 32] [--min-rps 1000]

$DEVPULSE_BIN picks the binary (the release build for the figures:
DEVPULSE_BIN=target/release/devpulse); the debug build runs it in CI, shorter
and with a lower --min-rps.
"""
import argparse
import base64
import hashlib
import hmac
import json
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "faults"))
import harness as h  # noqa: E402


def member_tokens(db):
    key = db.scalar("SELECT value FROM settings WHERE key = 'invitation_key'").encode()
    rows = db.rows(f"SELECT member_id, token_version FROM members WHERE active = {db.true()} ORDER BY member_id")
    out = []
    for member_id, version in rows:
        mac = hmac.new(key, f"member:{member_id}:{version}".encode(), hashlib.sha256).digest()
        out.append(base64.urlsafe_b64encode(mac).rstrip(b"=").decode())
    return out


def write(folder, name, lines):
    with open(os.path.join(folder, name), "w") as f:
        f.write("\n".join(lines) + "\n")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--backend", default="sqlite", choices=["sqlite", "postgres"])
    p.add_argument("--seconds", type=int, default=60)
    p.add_argument("--connections", type=int, default=32)
    p.add_argument("--min-rps", type=float, default=1000)
    p.add_argument("--people", type=int, default=20000)
    p.add_argument("--max-p99-ms", type=float, default=1000)
    p.add_argument("--weights", default="",
                   help='e.g. "file_friction:50,me_too:50" for the friction load test (default: the realistic mix)')
    a = p.parse_args()
    with h.Workdir("mix") as w:
        db = h.Database(a.backend, w)
        try:
            run(a, w, db)
        except h.Failure as e:
            h.log(f"FAILED load mix ({a.backend}): {e}")
            sys.exit(1)
        finally:
            if not os.environ.get("MIX_KEEP_DB"):
                db.drop()
            else:
                h.log(f"kept the database {db.url}")


def run(a, w, db):
    h.log(f"demo organisation of {a.people} people on {a.backend}")
    h.run_cli(db.url, "demo", "--teams", str(max(a.people // 100, 5)), "--people", str(a.people), "--cycles", "2",
              "--friction", "2000", "--no-open-cycle")
    token = h.api_token(db.url)
    server = h.Server(db.url, w, env={"DEVPULSE_FRICTION_PER_HOUR": "10000", "RUST_LOG": "warn"}).start()
    try:
        survey, cycle = h.open_cycle(server, token)
        closed = db.scalar("SELECT cycle_id FROM cycles WHERE status = 'closed' ORDER BY closes_on DESC LIMIT 1")
        write(w, "invitations.txt", h.invitation_tokens(db, cycle["cycle_id"]))
        write(w, "members.txt", member_tokens(db))
        write(w, "reports.txt", [r[0] for r in db.rows(
            "SELECT report_id FROM friction_reports WHERE status NOT IN ('done', 'wont_fix') LIMIT 2000")])
        write(w, "api_token.txt", [token])
        write(w, "closed_cycle.txt", [closed])
        with open(os.path.join(w, "answers.json"), "w") as f:
            json.dump({"token": "TOKEN", "answers": h.answers_for(survey)}, f)
        with open(os.path.join(w, "friction.json"), "w") as f:
            json.dump({"area_id": "ci", "title": "Slow pipeline", "trying_to": "merge a fix",
                       "blocked_by": "a 40 minute queue", "minutes_lost": 40, "frequency": "daily", "severity": 2,
                       "follow_up": False}, f)
        h.api(server, "GET", f"/api/v1/cycles/{closed}/priorities", token=token, expect=200)
        h.log(f"wrk: {a.seconds}s, {a.connections} connections")
        env = dict(os.environ, MIX_DIR=w, THREADS="2", MIX_WEIGHTS=a.weights)
        out = subprocess.run(["wrk", "-t2", f"-c{a.connections}", f"-d{a.seconds}s", "--timeout", "5s", "--latency",
                              "-s", os.path.join(h.ROOT, "tests", "load", "mix.lua"), server.base],
                             env=env, capture_output=True, text=True, timeout=a.seconds + 120)
        print(out.stdout, flush=True)
        line = next((x for x in out.stdout.splitlines() if x.startswith("MIX ")), None)
        h.check(line is not None, f"wrk printed no summary: {out.stderr[-500:]}")
        f = {k: float(v) for k, v in re.findall(r"(\w+)=([\d.]+)", line)}
        # wrk stops with requests in flight: let the server finish them first.
        server.stop()
        if os.environ.get("MIX_SABOTAGE"):  # to see the check fail: one acknowledged response lost
            db.execute(f"DELETE FROM responses WHERE response_id = (SELECT response_id FROM responses "
                       f"WHERE cycle_id = '{cycle['cycle_id']}' LIMIT 1)")
        stored = int(db.scalar(f"SELECT COUNT(*) FROM responses WHERE cycle_id = '{cycle['cycle_id']}'"))
        used = int(db.scalar(f"SELECT COUNT(*) FROM invitations WHERE cycle_id = '{cycle['cycle_id']}' "
                             f"AND used = {db.true()}"))
        h.log(f"{a.backend}: {f['rps']:.0f} requests/s, p99 {f['p99_ms']:.0f} ms, 5xx {int(f['5xx'])}, "
              f"acknowledged {int(f['acknowledged'])}, stored {stored}")
        h.check(f["5xx"] == 0, f"{int(f['5xx'])} answers were 5xx")
        h.check(f["socket_errors"] == 0, f"{int(f['socket_errors'])} socket errors (timeouts or resets)")
        h.check(f["p99_ms"] < a.max_p99_ms, f"p99 {f['p99_ms']:.0f} ms is over {a.max_p99_ms:.0f} ms")
        h.check(f["rps"] >= a.min_rps, f"{f['rps']:.0f} requests/s is under {a.min_rps:.0f}")
        # wrk stops mid-request: a submission stored whose answer it never read counts as stored, not acknowledged.
        h.check(stored >= f["acknowledged"], f"{int(f['acknowledged'])} acknowledged but {stored} stored")
        h.check(stored <= f["acknowledged"] + a.connections, f"{stored} stored, far more than acknowledged")
        h.check(used == stored, f"{used} invitations used but {stored} responses stored")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
