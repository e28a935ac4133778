#!/usr/bin/env python3
"""Scenario 5 of the fault suite: the database goes away or fills up.

- sqlite_disk_full: devpulse runs in a mount namespace of its own whose
  database folder is a small tmpfs; a file fills it.
- sqlite_read_only: the database files are made immutable (chattr +i): root
  ignores file modes, and a read-only remount is refused while the process
  holds the file open for writing (EBUSY), so this is how a file goes
  read-only under a running process.
- postgres_stopped: a private PostgreSQL cluster on its own port (other tests
  keep theirs), stopped with `pg_ctl stop -m fast`, then started again.

In each: survey submissions answer 503 with a page that keeps every answer
(the form again, or the fields ready to send again) and `Retry-After`, the JSON
API answers 503, `/ready` answers 503, the invitation stays unused (never a 2xx
for what was not committed); then the fault is lifted and service comes back
without a restart: `/ready` 200, the same link submits and is stored once.

    python3 tests/faults/database.py [sqlite_disk_full|sqlite_read_only|postgres_stopped]
"""
import os
import shutil
import subprocess
import time
import urllib.parse

import harness as h

COMMENT = "Flaky integration tests \u2014 kept across the outage"


def form_body(survey):
    """The survey form as a browser sends it (a comment that must come back)."""
    fields = []
    for i, q in enumerate(survey["questions"]):
        name = "q_" + q["question_id"]
        if q["kind"] == "likert5":
            fields.append((name, str(1 + i % 5)))
        elif q["kind"] == "priority_pick":
            fields += [(name, "ci"), (name, "docs")]
        elif q["kind"] == "hours":
            fields.append((name, "3"))
        elif q["kind"] == "nps":
            fields.append((name, "7"))
        else:
            fields.append((name, COMMENT))
    return urllib.parse.urlencode(fields).encode()


def post_form(server, token, body):
    return h.request("POST", f"{server.base}/s/{token}", raw=body,
                     headers={"Content-Type": "application/x-www-form-urlencoded"})


def prepared(workdir, backend_url, db):
    """A demo organisation with an open cycle; returns (survey, tokens, api token)."""
    h.demo(backend_url, teams=5, people=60)
    api_token = h.api_token(backend_url)
    server = h.Server(backend_url, workdir, name="prepare").start()
    try:
        survey, _ = h.open_cycle(server, api_token)
    finally:
        server.stop()
    return survey, h.invitation_tokens(db), api_token


def expect_outage(server, survey, token, used_count):
    """During the fault: 503 everywhere that writes, the answers kept, nothing stored."""
    status, headers, page = post_form(server, token, form_body(survey))
    text = page.decode("utf-8", "replace")
    h.check(status == 503, f"form submission during the outage answered {status}, not 503")
    h.check("retry-after" in {k.lower() for k in headers}, "the 503 page has no Retry-After")
    # In the member's language (every fourth demo member reads German).
    said = "not saved" in text.lower() or "nicht gespeichert" in text.lower()
    h.check(said, "the 503 page does not say the answers were not saved")
    kept = COMMENT.replace("\u2014", "&#8212;") in text or COMMENT in text or \
        urllib.parse.quote_plus(COMMENT) in text
    h.check(kept or "Flaky integration tests" in text, "the 503 page lost the comment that was typed")
    h.check('value="ci"' in text, "the 503 page lost the priority picks")
    status, _ = h.api(server, "POST", "/api/v1/responses", {"token": token, "answers": h.answers_for(survey)})
    h.check(status == 503, f"JSON submission during the outage answered {status}, not 503")
    status, _, _ = h.request("GET", server.base + "/ready")
    h.check(status == 503, f"/ready answered {status} during the outage")
    status, _, _ = h.request("GET", server.base + "/health")
    h.check(status == 200, f"/health answered {status}: the process should live on")
    return used_count


def expect_recovery(server, survey, token, seconds=30):
    deadline = time.time() + seconds
    status = None
    while time.time() < deadline:
        status, _, _ = h.request("GET", server.base + "/ready")
        if status == 200:
            break
        time.sleep(0.5)
    h.check(status == 200, f"/ready still {status} {seconds}s after the fault was lifted")
    status, headers, _ = post_form(server, token, form_body(survey))
    h.check(status == 303, f"the same link after recovery answered {status}, not 303")
    status, _, _ = post_form(server, token, form_body(survey))
    h.check(status == 409, f"sending it once more answered {status}, not 409")


def stored(db, path_db=None):
    return int(db.scalar("SELECT COUNT(*) FROM responses")), int(
        db.scalar(f"SELECT COUNT(*) FROM invitations WHERE used = {db.true()}"))


def fill(pid, folder):
    """Fills the tmpfs mounted at `folder` inside the namespace of `pid`."""
    subprocess.run(["nsenter", "-t", str(pid), "-m", "sh", "-c",
                    f"dd if=/dev/zero of={folder}/filler bs=64k 2>/dev/null; sync; true"], check=True, timeout=60)


def free(pid, folder):
    subprocess.run(["nsenter", "-t", str(pid), "-m", "rm", "-f", f"{folder}/filler"], check=True, timeout=30)


def sqlite_disk_full():
    with h.Workdir("diskfull") as w:
        seed = h.Database("sqlite", w)
        survey, tokens, _ = prepared(w, seed.url, seed)
        folder = os.path.join(w, "small")
        os.makedirs(folder)
        mounted = ("mount -t tmpfs -o size=24m devpulse-faults {d} && cp {src} {d}/devpulse.db && "
                   'exec "$0" "$@"').format(d=folder, src=seed.path)
        url = f"sqlite://{folder}/devpulse.db?mode=rwc"
        server = h.Server(url, w, wrap=["unshare", "-m", "--propagation", "private", "sh", "-c", mounted]).start()
        try:
            inside = h.Database("sqlite", w)
            inside.path, inside.namespace_of = f"{folder}/devpulse.db", server.proc.pid
            first, second = tokens[0], tokens[1]
            status, _ = h.api(server, "POST", "/api/v1/responses", {"token": first, "answers": h.answers_for(survey)})
            h.check(status == 201, f"before the fault: {status}")
            fill(server.proc.pid, folder)
            # The WAL reuses space it already has: write until the disk is really full.
            for _ in range(200):
                status, _, _ = h.request("GET", server.base + "/ready")
                if status == 503:
                    break
            h.check(status == 503, "the disk filled but /ready kept answering 200 after 200 probes")
            before = stored(inside)
            expect_outage(server, survey, second, before)
            h.check(stored(inside) == before, f"something was stored during the outage: {before} -> {stored(inside)}")
            free(server.proc.pid, folder)
            expect_recovery(server, survey, second)
            after = stored(inside)
            h.check(after == (before[0] + 1, before[1] + 1), f"after recovery {after}, expected one more than {before}")
            ok = inside.scalar("PRAGMA integrity_check")
            h.check(ok == "ok", f"integrity_check: {ok}")
            h.log(f"disk full: 503 while full, stored {before} -> {after}, integrity ok")
        finally:
            server.stop()


def chattr(flag, paths):
    subprocess.run(["chattr", flag, *[p for p in paths if os.path.exists(p)]], check=True)


def sqlite_read_only():
    with h.Workdir("readonly") as w:
        db = h.Database("sqlite", w)
        survey, tokens, _ = prepared(w, db.url, db)
        server = h.Server(db.url, w).start()
        # The database and its write-ahead log; not the -shm index, which SQLite
        # maps into memory: a write fault there is a SIGBUS, not an error.
        files = [db.path, db.path + "-wal"]
        try:
            status, _ = h.api(server, "POST", "/api/v1/responses",
                              {"token": tokens[0], "answers": h.answers_for(survey)})
            h.check(status == 201, f"before the fault: {status}")
            before = stored(db)
            chattr("+i", files)
            try:
                expect_outage(server, survey, tokens[1], before)
            finally:
                chattr("-i", files)
            h.check(stored(db) == before, "something was stored while the file was read-only")
            expect_recovery(server, survey, tokens[1])
            after = stored(db)
            h.check(after == (before[0] + 1, before[1] + 1), f"after recovery {after}, expected one more than {before}")
            h.log(f"read-only: 503 while read-only, stored {before} -> {after}")
        finally:
            chattr("-i", files)
            server.stop()


class Cluster:
    """A private PostgreSQL cluster in `folder` on its own port, run as the
    postgres user (initdb refuses root)."""

    def __init__(self, folder):
        self.folder, self.port = folder, h.free_port()
        version = sorted(os.listdir("/usr/lib/postgresql"))[-1]
        self.bin = f"/usr/lib/postgresql/{version}/bin"
        os.makedirs(folder, exist_ok=True)
        shutil.chown(folder, "postgres", "postgres")
        self.as_postgres(f"{self.bin}/initdb", "-D", f"{folder}/data", "-A", "trust", "-U", "postgres")
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def as_postgres(self, *argv):
        subprocess.run(["runuser", "-u", "postgres", "--", *argv], check=True, capture_output=True, timeout=120)

    def start(self):
        self.as_postgres(f"{self.bin}/pg_ctl", "-D", f"{self.folder}/data", "-w", "-l", f"{self.folder}/pg.log",
                         "-o", f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1", "start")

    def stop(self):
        self.as_postgres(f"{self.bin}/pg_ctl", "-D", f"{self.folder}/data", "-w", "-m", "fast", "stop")


def postgres_stopped():
    with h.Workdir("pgstop") as w:
        os.chmod(w, 0o755)
        cluster = Cluster(os.path.join(w, "pg"))
        cluster.start()
        server = None
        try:
            db = h.Database("sqlite", w)  # only for its query helpers, pointed at the cluster below
            db.backend, db.name = "postgres", "postgres"
            db.psql = lambda name, sql: [line for line in subprocess.run(
                ["psql", cluster.url, "-At", "-c", sql], check=True, capture_output=True,
                text=True).stdout.splitlines() if line]
            survey, tokens, _ = prepared(w, cluster.url, db)
            server = h.Server(cluster.url, w).start()
            status, _ = h.api(server, "POST", "/api/v1/responses",
                              {"token": tokens[0], "answers": h.answers_for(survey)})
            h.check(status == 201, f"before the fault: {status}")
            before = stored(db)
            cluster.stop()
            expect_outage(server, survey, tokens[1], before)
            cluster.start()
            h.check(stored(db) == before, "something was stored while the server was stopped")
            expect_recovery(server, survey, tokens[1])
            after = stored(db)
            h.check(after == (before[0] + 1, before[1] + 1), f"after recovery {after}, expected one more than {before}")
            h.log(f"PostgreSQL stopped: 503 while down, stored {before} -> {after}")
        finally:
            if server:
                server.stop()
            try:
                cluster.stop()
            except subprocess.CalledProcessError:
                pass


if __name__ == "__main__":
    h.main({"sqlite_disk_full": sqlite_disk_full, "sqlite_read_only": sqlite_read_only,
            "postgres_stopped": postgres_stopped})
