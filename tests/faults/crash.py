#!/usr/bin/env python3
"""Fault scenario 2: kill -9 during a burst of survey submissions, then a restart.

On SQLite (`crash_sqlite`) and on PostgreSQL (`crash_postgres`): a demo org of
30 teams / 3000 people, one open DevEx cycle, then 32 threads submit answers
(half over the JSON API, 201; half through the HTML form, 303) until, after
about 1.5 s, the server gets SIGKILL with many submissions in flight. The
server restarts on the same database, and the database must show that:

  * every submission answered 201 or 303 is stored: its invitation is used;
  * none that could not have been stored is (refused with 503, sent after the
    kill, never sent): their invitations are unused;
  * responses stored == invitations used (for the cycle, and team by team);
  * every response holds exactly one complete set of the answers a client
    sent (each client sends one of a few distinct sets), none half-written;
    no answer is without its response;
  * SQLite: PRAGMA integrity_check is ok, PRAGMA foreign_key_check is empty;
  * after the restart an in-flight token is refused (409) if its invitation
    was used and accepted (201) otherwise; an untouched token still submits
    (201 over the API, 303 through the form); an acknowledged one gets 409.

Any status during the burst other than 201, 303 or 503 fails the scenario,
as does a connection that failed before the kill. The restarted server gets
SIGTERM at the end and must exit cleanly within STOP_SECONDS, though the
mailer has ~3000 queued invitations to send: the last checks run after that.

    python3 tests/faults/crash.py [crash_sqlite] [crash_postgres]

To see it fail on purpose, DEVPULSE_FAULTS_CRASH_SABOTAGE damages the database
after the restart, before the checks: `response` deletes one response with its
answers, `answer` deletes one answer row, `unuse` marks the invitation of one
acknowledged submission unused again. Each must end in "FAILED ..." and exit 1.
"""
import http.client
import json
import os
import sqlite3
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
from harness import check, log  # noqa: E402

TEAMS, PEOPLE = 30, 3000
THREADS = 32
# The kill comes once BURST_SECONDS have passed and at least KILL_AFTER_ACKED
# submissions were acknowledged, or at MAX_BURST_SECONDS whatever the count.
BURST_SECONDS = 1.5
KILL_AFTER_ACKED = 60
MAX_BURST_SECONDS = 8.0
# Fewer acknowledged than this before the kill: the setup failed to test anything.
MIN_ACKED = 20
# Tokens kept out of the burst, for the checks after the restart.
RESERVED = 20
# Distinct answer sets (answers_for seeds); each response must equal one of them.
SEEDS = 5
REQUEST_TIMEOUT = 15
STOP_SECONDS = 5
JOIN_SECONDS = 30

ACKED, REFUSED, CONN = "acknowledged", "refused", "connection failed"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Leaves a 303 as it is (raised as an HTTPError) instead of following it."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def is_thanks(location):
    """The thank-you page, in the member's language (German members get `/thanks?lang=de`)."""
    return location == "/thanks" or (location or "").startswith("/thanks?lang=")


def _send(req):
    """(status, Location, body) of one request; HTTP statuses never raise,
    connection failures do."""
    try:
        with _OPENER.open(req, timeout=REQUEST_TIMEOUT) as r:
            status, location = r.status, r.headers.get("Location")
            try:
                body = r.read()
            except (OSError, http.client.HTTPException):
                body = b""  # the status arrived: the outcome is known
            return status, location, body
    except urllib.error.HTTPError as e:
        try:
            body = e.read()
        except (OSError, http.client.HTTPException):
            body = b""
        return e.code, e.headers.get("Location"), body


def submit_api(base, token, answers):
    req = urllib.request.Request(base + "/api/v1/responses", method="POST",
                                 data=json.dumps({"token": token, "answers": answers}).encode(),
                                 headers={"Content-Type": "application/json"})
    return _send(req)


def submit_form(base, token, answers):
    fields = []
    for a in answers:
        name = "q_" + a["question_id"]
        if "choices" in a:
            fields.extend((name, c) for c in a["choices"])
        elif "text" in a:
            fields.append((name, a["text"]))
        else:
            fields.append((name, str(a["value"])))
    req = urllib.request.Request(base + "/s/" + token, method="POST",
                                 data=urllib.parse.urlencode(fields).encode(),
                                 headers={"Content-Type": "application/x-www-form-urlencoded"})
    return _send(req)


def expected_rows(survey, seed):
    """The answer rows (question_id, value_num, choice, text) one submission
    of answers_for(survey, seed) stores: one per pick for priority_pick."""
    rows = []
    for a in h.answers_for(survey, seed):
        if "choices" in a:
            rows.extend((a["question_id"], None, c, None) for c in a["choices"])
        elif "text" in a:
            rows.append((a["question_id"], None, None, a["text"]))
        else:
            rows.append((a["question_id"], float(a["value"]), None, None))
    return frozenset(rows)


class Attempt:
    __slots__ = ("index", "via", "seed", "started", "ended", "outcome", "status", "detail")

    def __init__(self, index, via, seed):
        self.index, self.via, self.seed = index, via, seed
        self.started = self.ended = None
        self.outcome = self.status = self.detail = None


class Burst:
    """THREADS threads submitting one token after another (tokens[0:limit]),
    each stopping at its first connection failure, at `stop`, or at the deadline."""

    def __init__(self, base, tokens, survey, limit):
        self.base, self.tokens, self.limit = base, tokens, limit
        self.answers = [h.answers_for(survey, seed) for seed in range(SEEDS)]
        self.lock = threading.Lock()
        self.next = 0
        self.attempts = []
        self.acked = 0
        self.stop = threading.Event()
        self.deadline = None
        self.threads = []

    def take(self):
        with self.lock:
            if self.next >= self.limit:
                return None
            i, self.next = self.next, self.next + 1
            a = Attempt(i, "api" if i % 2 == 0 else "form", i % SEEDS)
            self.attempts.append(a)
            return a

    def run(self):
        while not self.stop.is_set() and time.monotonic() < self.deadline:
            a = self.take()
            if a is None:
                return
            send = submit_api if a.via == "api" else submit_form
            a.started = time.monotonic()
            try:
                a.status, location, body = send(self.base, self.tokens[a.index], self.answers[a.seed])
            except (urllib.error.URLError, OSError, http.client.HTTPException) as e:
                a.ended, a.outcome, a.detail = time.monotonic(), CONN, repr(e)
                return
            a.ended = time.monotonic()
            if (a.via, a.status) in (("api", 201), ("form", 303)):
                a.outcome = ACKED
                if a.via == "form" and not is_thanks(location):
                    a.detail = f"303 to {location!r}"
                with self.lock:
                    self.acked += 1
            else:
                a.outcome, a.detail = REFUSED, body[:300]

    def start(self):
        self.deadline = time.monotonic() + MAX_BURST_SECONDS + REQUEST_TIMEOUT
        self.threads = [threading.Thread(target=self.run, daemon=True) for _ in range(THREADS)]
        for t in self.threads:
            t.start()

    def join(self):
        self.stop.set()
        until = time.monotonic() + JOIN_SECONDS
        for t in self.threads:
            t.join(max(0.0, until - time.monotonic()))
        alive = sum(t.is_alive() for t in self.threads)
        check(alive == 0, f"{alive} submitting threads still running {JOIN_SECONDS}s after the kill")


def crash(backend):
    with h.Workdir(f"crash-{backend}") as wd:
        db = h.Database(backend, wd)
        servers = []
        try:
            run(backend, db, wd, servers)
        finally:
            for s in servers:
                s.kill9()
            db.drop()


def run(backend, db, wd, servers):
    setup_started = time.monotonic()
    h.demo(db.url, teams=TEAMS, people=PEOPLE)
    api_token = h.api_token(db.url)
    server = h.Server(db.url, wd, name="serve")
    servers.append(server)
    server.start()
    survey, cycle = h.open_cycle(server, api_token)
    cycle_id = cycle["cycle_id"]
    invitation_ids = [r[0] for r in db.rows(f"SELECT invitation_id FROM invitations WHERE used = {db.false()} "
                                            "ORDER BY invitation_id")]
    tokens = h.invitation_tokens(db)  # same order as invitation_ids
    check(len(tokens) == len(invitation_ids) and len(tokens) >= PEOPLE,
          f"{len(tokens)} tokens for {len(invitation_ids)} unused invitations; expected about {PEOPLE}")
    limit = len(tokens) - RESERVED
    log(f"{backend}: {len(tokens)} invitations of an open cycle ready in {time.monotonic() - setup_started:.1f}s")

    # The burst, and the kill in the middle of it.
    burst = Burst(server.base, tokens, survey, limit)
    started = time.monotonic()
    burst.start()
    while True:
        elapsed = time.monotonic() - started
        with burst.lock:
            acked, taken = burst.acked, burst.next
        if (elapsed >= BURST_SECONDS and acked >= KILL_AFTER_ACKED) or elapsed >= MAX_BURST_SECONDS:
            break
        check(taken < limit, f"all {limit} tokens were used up before the kill: nothing left in flight to test")
        check(server.proc.poll() is None,
              f"devpulse exited with {server.proc.returncode} during the burst; see {server.log_path()}")
        time.sleep(0.02)
    kill_started = time.monotonic()
    check(server.proc.poll() is None,
          f"devpulse exited with {server.proc.returncode} during the burst; see {server.log_path()}")
    server.kill9()
    killed = time.monotonic()
    burst.join()
    burst_seconds = kill_started - started

    attempts = burst.attempts
    acked = [a for a in attempts if a.outcome == ACKED]
    refused = [a for a in attempts if a.outcome == REFUSED]
    failed = [a for a in attempts if a.outcome == CONN]
    # Whatever was sent before the process was gone may or may not be stored.
    in_flight = [a for a in failed if a.started < killed]
    after_kill = [a for a in failed if a.started >= killed]
    broken = [a for a in attempts if a.outcome is None]  # a thread died on something unforeseen
    log(f"{backend}: burst of {burst_seconds:.2f}s with {THREADS} threads: {len(acked)} acknowledged "
        f"({sum(a.via == 'api' for a in acked)} x 201, {sum(a.via == 'form' for a in acked)} x 303), "
        f"{len(in_flight)} in flight at the kill, {len(refused)} refused, {len(after_kill)} sent after it")

    check(not broken, f"test bug: {len(broken)} submissions have no outcome (a thread raised)")
    check(len(acked) >= MIN_ACKED,
          f"test setup: only {len(acked)} submissions were acknowledged in {burst_seconds:.2f}s before the kill "
          f"(need {MIN_ACKED}); the server was too slow to test anything")
    check(in_flight, "test setup: no submission was in flight at the kill")
    early = [a for a in failed if a.ended < kill_started]
    check(not early, f"{len(early)} connections failed before the kill, first: {early[0].detail if early else ''}"
                     f"; see {server.log_path()}")
    odd = [a for a in acked if a.detail]
    check(not odd, f"{len(odd)} form submissions redirected elsewhere than /thanks: {odd[0].detail if odd else ''}")
    not_503 = [a for a in refused if a.status != 503]
    check(not not_503, f"{len(not_503)} submissions answered neither 201/303 nor 503 during the burst: "
                       + "; ".join(f"{a.via} {a.status} {a.detail!r}" for a in not_503[:3])
                       + f"; see {server.log_path()}")

    # The restart on the same database.
    restarted = h.Server(db.url, wd, name="restart")
    servers.append(restarted)
    restart_started = time.monotonic()
    restarted.start()
    log(f"{backend}: restarted and healthy in {time.monotonic() - restart_started:.2f}s")
    sabotage(db, invitation_ids, acked)

    checks_started = time.monotonic()
    stored = verify(db, backend, survey, cycle_id, invitation_ids, acked, in_flight)
    log(f"{backend}: stored after the restart: {stored} responses = {len(acked)} acknowledged "
        f"+ {stored - len(acked)} of the {len(in_flight)} in flight "
        f"(checked in {time.monotonic() - checks_started:.1f}s)")

    # After the restart: retries and fresh submissions behave.
    used = used_invitations(db)
    answers = h.answers_for(survey, 0)
    for a in in_flight:
        status, _, body = submit_api(restarted.base, tokens[a.index], answers)
        want = 409 if invitation_ids[a.index] in used else 201
        check(status == want, f"after the restart, the in-flight token #{a.index} (invitation "
                              f"{invitation_ids[a.index]}, used={want == 409}) answered {status}, not {want}: "
                              f"{body[:200]!r}")
    status, _, body = submit_api(restarted.base, tokens[limit], answers)
    check(status == 201, f"after the restart, an unused token answered {status} over the API, not 201: {body[:200]!r}")
    status, location, body = submit_form(restarted.base, tokens[limit + 1], answers)
    check(status == 303 and is_thanks(location),
          f"after the restart, an unused token answered {status} {location} through the form, not 303 /thanks")
    for via, send in (("api", submit_api), ("form", submit_form)):
        done = next(a for a in acked if a.via == via)
        status, _, body = send(restarted.base, tokens[done.index], answers)
        check(status == 409, f"after the restart, a token acknowledged before the kill ({via}) answered {status} "
                             f"through the {via}, not 409: {body[:200]!r}")
    retried = sum(invitation_ids[a.index] not in used for a in in_flight)
    stop_briefly(restarted)
    final = count_consistent(db, cycle_id)
    check(final == stored + retried + 2, f"after the retries {final} responses, expected {stored} + {retried} + 2")
    if backend == "sqlite":
        integrity(db)
    log(f"{backend}: after the restart {retried} in-flight submissions retried (201) and "
        f"{len(in_flight) - retried} refused (409); {final} responses in the end")


def stop_briefly(server):
    """SIGTERM must stop devpulse within STOP_SECONDS even while the mailer
    has the cycle's ~3000 queued invitations in hand: a drain returns after
    the email it is sending, and the rest stays queued."""
    started = time.monotonic()
    server.proc.send_signal(h.signal.SIGTERM)
    try:
        server.proc.wait(timeout=STOP_SECONDS)
        log(f"stopped on SIGTERM in {time.monotonic() - started:.1f}s, exit {server.proc.returncode}")
    except h.subprocess.TimeoutExpired:
        mails = len(os.listdir(os.path.join(server.workdir, "mail")))
        server.kill9()
        raise h.Failure(f"devpulse had not stopped {STOP_SECONDS}s after SIGTERM ({mails} emails written so far: "
                        "the mailer still draining the outbox?)")
    check(server.proc.returncode == 0, f"devpulse exited {server.proc.returncode} on SIGTERM")


def used_invitations(db):
    return {r[0] for r in db.rows(f"SELECT invitation_id FROM invitations WHERE used = {db.true()}")}


def count_consistent(db, cycle_id):
    """count(responses) == count(invitations used), for the cycle and team by team; returns the count."""
    responses = int(db.scalar(f"SELECT COUNT(*) FROM responses WHERE cycle_id = '{cycle_id}'"))
    used = int(db.scalar(f"SELECT COUNT(*) FROM invitations WHERE cycle_id = '{cycle_id}' AND used = {db.true()}"))
    check(responses == used, f"{responses} responses stored but {used} invitations used")
    by_team = {}
    for team, n in db.rows(f"SELECT team_id, COUNT(*) FROM responses WHERE cycle_id = '{cycle_id}' GROUP BY team_id"):
        by_team[team] = [int(n), 0]
    for team, n in db.rows(f"SELECT team_id, COUNT(*) FROM invitations WHERE cycle_id = '{cycle_id}' "
                           f"AND used = {db.true()} GROUP BY team_id"):
        by_team.setdefault(team, [0, 0])[1] = int(n)
    wrong = {t: v for t, v in by_team.items() if v[0] != v[1]}
    check(not wrong, "responses != invitations used for teams (team: [responses, used]): "
                     + ", ".join(f"{t}: {v}" for t, v in list(wrong.items())[:5]))
    return responses


def verify(db, backend, survey, cycle_id, invitation_ids, acked, in_flight):
    used = used_invitations(db)
    lost = [a for a in acked if invitation_ids[a.index] not in used]
    check(not lost, f"{len(lost)} acknowledged submissions are not stored (their invitation is unused), first: "
                    + ", ".join(f"#{a.index} {a.via} {a.status} invitation {invitation_ids[a.index]}"
                                for a in lost[:3]))
    may_be_used = {invitation_ids[a.index] for a in acked + in_flight}
    extra = used - may_be_used
    check(not extra, f"{len(extra)} invitations are used that were never acknowledged nor in flight "
                     f"(refused, sent after the kill or never sent), e.g. {sorted(extra)[:3]}")
    stored = count_consistent(db, cycle_id)
    check(len(acked) <= stored <= len(acked) + len(in_flight),
          f"{stored} responses: not between {len(acked)} acknowledged and {len(acked) + len(in_flight)}")

    # Every response is exactly one complete answer set; no orphan answer.
    wanted = {expected_rows(survey, seed): seed for seed in range(SEEDS)}
    whole = len(expected_rows(survey, 0))
    rows_by_response = {}
    for rid, qid, value, choice, text in db.rows(
            "SELECT a.response_id, a.question_id, a.value_num, a.choice, a.text_value FROM answers a "
            f"JOIN responses r ON r.response_id = a.response_id WHERE r.cycle_id = '{cycle_id}'"):
        row = (qid, None if value in (None, "") else float(value), choice or None, text or None)
        rows_by_response.setdefault(rid, []).append(row)
    response_ids = [r[0] for r in db.rows(f"SELECT response_id FROM responses WHERE cycle_id = '{cycle_id}'")]
    seeds = Counter()
    bad = []
    for rid in response_ids:
        rows = rows_by_response.get(rid, [])
        seed = wanted.get(frozenset(rows))
        if seed is None or len(rows) != len(frozenset(rows)):
            questions = {r[0] for r in rows}
            bad.append(f"{rid}: {len(rows)} answer rows (a whole set has {whole}) "
                       f"for {len(questions)} of {len(survey['questions'])} questions")
        else:
            seeds[seed] += 1
    check(not bad, f"{len(bad)} responses are not one complete answer set (half-written?), first: "
                   + "; ".join(bad[:3]))
    orphans = int(db.scalar("SELECT COUNT(*) FROM answers a LEFT JOIN responses r ON r.response_id = a.response_id "
                            "WHERE r.response_id IS NULL"))
    check(orphans == 0, f"{orphans} answers have no response")
    acked_seeds = Counter(a.seed for a in acked)
    flight_seeds = Counter(a.seed for a in in_flight)
    off = [s for s in range(SEEDS) if not acked_seeds[s] <= seeds[s] <= acked_seeds[s] + flight_seeds[s]]
    check(not off, "responses per answer set outside [acknowledged, acknowledged + in flight]: "
                   + ", ".join(f"set {s}: {seeds[s]} stored, {acked_seeds[s]} acknowledged, "
                               f"{flight_seeds[s]} in flight" for s in off))
    if backend == "sqlite":
        integrity(db)
    return stored


def integrity(db):
    conn = sqlite3.connect(db.path, timeout=30)
    try:
        result = [r[0] for r in conn.execute("PRAGMA integrity_check")]
        foreign = conn.execute("PRAGMA foreign_key_check").fetchall()
    finally:
        conn.close()
    check(result == ["ok"], f"PRAGMA integrity_check: {result[:5]}")
    check(not foreign, f"PRAGMA foreign_key_check: {len(foreign)} rows, first {foreign[:3]}")


def sabotage(db, invitation_ids, acked):
    """Damage on purpose (DEVPULSE_FAULTS_CRASH_SABOTAGE), to see the checks fail."""
    what = os.environ.get("DEVPULSE_FAULTS_CRASH_SABOTAGE")
    if not what:
        return
    log(f"sabotage: {what}")
    if what == "response":
        rid = db.scalar("SELECT response_id FROM responses ORDER BY response_id LIMIT 1")
        db.execute(f"DELETE FROM answers WHERE response_id = '{rid}'")
        db.execute(f"DELETE FROM responses WHERE response_id = '{rid}'")
    elif what == "answer":
        rid, aid = db.rows("SELECT response_id, answer_id FROM answers ORDER BY response_id, answer_id LIMIT 1")[0]
        db.execute(f"DELETE FROM answers WHERE response_id = '{rid}' AND answer_id = '{aid}'")
    elif what == "unuse":
        invitation = invitation_ids[acked[0].index]
        db.execute(f"UPDATE invitations SET used = {db.false()} WHERE invitation_id = '{invitation}'")
    else:
        raise h.Failure(f"unknown DEVPULSE_FAULTS_CRASH_SABOTAGE {what!r}: response, answer or unuse")


def crash_sqlite():
    crash("sqlite")


def crash_postgres():
    crash("postgres")


if __name__ == "__main__":
    h.main({"crash_sqlite": crash_sqlite, "crash_postgres": crash_postgres})
