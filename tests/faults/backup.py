#!/usr/bin/env python3
"""Backup and restore, as the README's Reliability section says to do them.

- sqlite_backup: `VACUUM INTO` a new file while devpulse takes submissions;
  the copy passes `PRAGMA integrity_check`, holds every response committed
  before it began, and devpulse serves it (a response submitted after the
  backup is not in it, and its link still works there).
- postgres_backup: `pg_dump -Fc` while devpulse takes submissions, then
  `pg_restore` into a new database; devpulse serves it with the same counts.

    python3 tests/faults/backup.py [sqlite_backup|postgres_backup]
"""
import os
import subprocess
import threading
import time

import harness as h


def submitting(server, survey, tokens, stop):
    """Submits one token after another until `stop` is set; returns the list of stored tokens."""
    stored = []

    def run():
        for t in tokens:
            if stop.is_set():
                return
            status, _ = h.api(server, "POST", "/api/v1/responses", {"token": t, "answers": h.answers_for(survey)})
            if status == 201:
                stored.append(t)
            time.sleep(0.01)  # a steady stream, so it lasts longer than the backup

    thread = threading.Thread(target=run)
    thread.start()
    return thread, stored


def setup(backend, w):
    db = h.Database(backend, w)
    h.demo(db.url, teams=10, people=400)
    token = h.api_token(db.url)
    server = h.Server(db.url, w).start()
    survey, _ = h.open_cycle(server, token)
    return db, server, survey, h.invitation_tokens(db)


def responses(db):
    return int(db.scalar("SELECT COUNT(*) FROM responses"))


def check_restored(w, url, restored, survey, at_least, tokens):
    got = responses(restored)
    h.check(got >= at_least, f"the backup holds {got} responses, fewer than the {at_least} stored before it began")
    server = h.Server(url, w, name="restored").start()
    try:
        status, _, _ = h.request("GET", server.base + "/ready")
        h.check(status == 200, f"devpulse on the restored copy: /ready {status}")
        used = {r[0] for r in restored.rows(f"SELECT invitation_id FROM invitations WHERE used = {restored.true()}")}
        h.check(len(used) == got, f"restored copy: {len(used)} invitations used, {got} responses")
        fresh = h.invitation_tokens(restored)[-1]
        status, _ = h.api(server, "POST", "/api/v1/responses", {"token": fresh, "answers": h.answers_for(survey)})
        h.check(status == 201, f"a new response on the restored copy: {status}")
    finally:
        server.stop()
    return got


def sqlite_backup():
    with h.Workdir("backup") as w:
        db, server, survey, tokens = setup("sqlite", w)
        stop = threading.Event()
        try:
            thread, stored = submitting(server, survey, tokens[:300], stop)
            time.sleep(0.5)
            before = responses(db)
            target = os.path.join(w, "backup.db")
            started = time.time()
            import sqlite3
            conn = sqlite3.connect(db.path, timeout=30)
            conn.execute(f"VACUUM INTO '{target}'")
            conn.close()
            took = time.time() - started
            time.sleep(0.5)  # submissions go on after the copy too
            stop.set()
            thread.join(timeout=60)
        finally:
            server.stop()
        h.check(len(stored) > before, "no submission went on around the backup")
        restored = h.Database("sqlite", w)
        restored.path = target
        ok = restored.scalar("PRAGMA integrity_check")
        h.check(ok == "ok", f"integrity_check of the backup: {ok}")
        got = check_restored(w, f"sqlite://{target}?mode=rwc", restored, survey, before, tokens)
        h.log(f"VACUUM INTO in {took:.2f}s during submissions: {got} responses in the copy "
              f"({before} before it began, {len(stored)} stored in all)")


def postgres_backup():
    with h.Workdir("pgbackup") as w:
        db, server, survey, tokens = setup("postgres", w)
        restored = h.Database("postgres", w)
        stop = threading.Event()
        try:
            thread, stored = submitting(server, survey, tokens[:300], stop)
            time.sleep(0.5)
            before = responses(db)
            dump = os.path.join(w, "devpulse.dump")
            started = time.time()
            subprocess.run(["pg_dump", "-Fc", "-f", dump, db.url], check=True, timeout=300)
            took = time.time() - started
            time.sleep(0.5)  # submissions go on after the dump too
            stop.set()
            thread.join(timeout=60)
            server.stop()
            h.check(len(stored) > before, "no submission went on around the dump")
            subprocess.run(["pg_restore", "--no-owner", "-d", restored.url, dump], check=True, timeout=300)
            got = check_restored(w, restored.url, restored, survey, before, tokens)
            h.log(f"pg_dump in {took:.2f}s during submissions, pg_restore: {got} responses in the copy "
                  f"({before} before it began, {len(stored)} stored in all)")
        finally:
            server.stop()
            db.drop()
            restored.drop()


if __name__ == "__main__":
    h.main({"sqlite_backup": sqlite_backup, "postgres_backup": postgres_backup})
