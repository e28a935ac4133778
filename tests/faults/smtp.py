"""Scenario 3 of the fault suite: SMTP faults, with a real SMTP server
(aiosmtpd, run inside this process) whose behaviour the test switches.

`faults`: the server is down (nothing listens on its port) while a cycle
opens, then answers 451 (greylisting), during which devpulse is killed with
-9 in the middle of an SMTP transaction and started again; the server keeps
greylisting until every email was refused at least once (the one in flight at
the kill again after its claim expired), then accepts. One recipient always gets 550. Every invitation must be delivered
exactly once (counted at the SMTP server, by Message-ID and by recipient);
the only duplicates allowed are of emails the killed process had claimed at
the kill (none expected: nothing is accepted while greylisting); the 550 one
is marked failed with the reason and reached the server once.

`duplicate_window`: the server accepts but answers slowly; devpulse is killed
with -9 after the server has taken a message and before devpulse could mark
it sent (the window src/mailer.rs documents). The duplicates are measured:
at most the one email in flight, and sent again only after its claim
(DEVPULSE_MAIL_LOCK_SECONDS) expired.

Run: python3 tests/faults/smtp.py [faults|duplicate_window]. Needs aiosmtpd
(python3 -m pip install aiosmtpd; bash .ci/test installs it) and a built
binary (target/debug/devpulse, or $DEVPULSE_BIN). DEVPULSE_FAULTS_KEEP=1 keeps
the work folder with the server logs.

To see it fail on purpose: DEVPULSE_FAULTS_BREAK=accept-550 makes the server
accept the recipient that should get 550 (the checks on the failed email
fail); DEVPULSE_FAULTS_BREAK=duplicate delivers one message twice at the
server (the exactly-once check fails)."""
import asyncio
import collections
import datetime
import email
import email.policy
import os
import signal
import sys
import threading
import time

import harness
from harness import check, log

try:
    from aiosmtpd.controller import Controller
except ImportError:
    sys.exit("aiosmtpd is missing: python3 -m pip install aiosmtpd (bash .ci/test installs it)")

# src/mailer.rs: attempts before an email is given up as failed.
MAX_ATTEMPTS = 8
BREAK = os.environ.get("DEVPULSE_FAULTS_BREAK", "")


class SmtpServer:
    """aiosmtpd in this process, on a port reserved at construction (nothing
    listens there until `start`: connections are refused). Mode 'accept'
    takes every message; 'greylist' answers 451 at the end of DATA. The
    recipients in `reject` get 550 at RCPT in every mode. `slow` seconds of
    wait after a message is taken and before the 250 reply. `on_data(self)`,
    when set, is called in the server's thread after each DATA is counted,
    before the reply."""

    def __init__(self, port=None, reject=(), slow=0.0):
        self.port = port or harness.free_port()
        self.mode = "accept"
        self.reject = {a.lower() for a in reject}
        self.slow = slow
        self.on_data = None
        self.lock = threading.Lock()
        self.rcpt = collections.Counter()  # RCPT commands per recipient, answered whatever way
        self.greylisted = 0  # DATA answered 451
        self.tries = collections.Counter()  # DATA commands per Message-ID, answered whatever way
        self.deliveries = []  # (time, message_id, recipient, kind) of every message taken
        self.controller = None

    @property
    def url(self):
        return f"smtp://127.0.0.1:{self.port}"

    def start(self):
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self):
        if self.controller:
            self.controller.stop()
            self.controller = None

    def snapshot(self):
        with self.lock:
            return list(self.deliveries)

    def by_message_id(self):
        return collections.Counter(d[1] for d in self.snapshot())

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        with self.lock:
            self.rcpt[address.lower()] += 1
        if address.lower() in self.reject:
            return "550 5.1.1 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        message_id = str(msg.get("Message-ID", "")).strip()
        with self.lock:
            self.tries[message_id] += 1
        if self.mode == "greylist":
            with self.lock:
                self.greylisted += 1
            reply = "451 4.7.1 greylisted, try again later"
        else:
            kind = kind_of(str(msg.get("Subject", "")))
            now = time.time()
            with self.lock:
                for r in envelope.rcpt_tos:
                    self.deliveries.append((now, message_id, r.lower(), kind))
                    if BREAK == "duplicate" and len(self.deliveries) == 3:
                        self.deliveries.append((now, message_id, r.lower(), kind))
            reply = "250 2.0.0 OK: queued"
        hook = self.on_data
        if hook:
            hook(self)
        if self.slow and reply.startswith("250"):
            # The message is taken; a kill of the client now leaves devpulse
            # without the 250 (aiosmtpd cancels this wait when the client goes).
            await asyncio.sleep(self.slow)
        return reply


def kind_of(subject):
    """The outbox kind of an email, from its subject (locales/*/main.ftl,
    email-reminder-subject and email-invitation-subject, English or German)."""
    if subject.startswith(("Reminder:", "Erinnerung:")):
        return "reminder"
    if "three minutes, anonymous" in subject or "drei Minuten, anonym" in subject:
        return "invitation"
    return "other"


def wait_for(what, cond, seconds, every=0.1):
    """Polls `cond` until it is true (returns its value) or `seconds` passed (fails)."""
    deadline = time.time() + seconds
    while True:
        value = cond()
        if value:
            return value
        if time.time() > deadline:
            raise harness.Failure(f"timed out after {seconds}s waiting for {what}")
        time.sleep(every)


def epoch(value):
    """A timestamp column as seconds since the epoch: a number (PostgreSQL,
    through extract(epoch ...)) or RFC 3339 text (SQLite, nanoseconds)."""
    if value is None or value == "":
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        pass
    text = str(value).replace(" ", "T", 1)
    head, _, frac = text.partition(".")
    zone = ""
    if frac:
        digits = ""
        for i, c in enumerate(frac):
            if not c.isdigit():
                zone = frac[i:]
                break
            digits += c
        text = f"{head}.{digits[:6].ljust(6, '0')}{zone}"
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def ts(db, column):
    """SQL for a timestamp column that `epoch` reads."""
    return f"extract(epoch from {column})" if db.backend == "postgres" else column


def server(db, workdir, name="serve", tick=1, **env):
    """A devpulse server with the scheduler and mailer every `tick` seconds.
    (harness.Server sets DEVPULSE_TICK_SECONDS itself, so it is overridden here.)"""
    s = harness.Server(db.url, workdir, env={k: str(v) for k, v in env.items()}, name=name)
    s.env["DEVPULSE_TICK_SECONDS"] = str(tick)
    return s


def outbox(db, where="1=1"):
    """Rows of the outbox as dicts."""
    # One line per row for psql -At: no bodies (only whether they were
    # dropped), and no '|' or line break in last_error.
    newline = "E'\\n'" if db.backend == "postgres" else "char(10)"
    cols = {"email_id": "email_id", "kind": "kind", "to_addr": "to_addr", "status": "status", "attempts": "attempts",
            "last_error": f"replace(replace(last_error, '|', '/'), {newline}, ' ')", "locked_by": "locked_by",
            "message_id": "message_id", "scrubbed": "CASE WHEN body_text = '' AND body_html = '' THEN 1 ELSE 0 END",
            "locked_until": ts(db, "locked_until")}
    sql = f"SELECT {', '.join(cols.values())} FROM email_outbox WHERE {where} ORDER BY email_id"
    out = []
    for r in db.rows(sql):
        d = dict(zip(cols, r))
        d["attempts"] = int(d["attempts"])
        d["scrubbed"] = int(d["scrubbed"]) == 1
        d["locked_until"] = epoch(d["locked_until"])
        if db.backend == "postgres" and d["locked_by"] == "":
            d["locked_by"] = None  # psql -At prints NULL as ''
        out.append(d)
    return out


def queued(db):
    return int(db.scalar("SELECT count(*) FROM email_outbox WHERE status = 'queued'"))


def claimed(db):
    """Emails still claimed by someone (queued, locked_by set)."""
    return [e for e in outbox(db, "status = 'queued' AND locked_by IS NOT NULL")]


def duplicates(counts):
    return {mid: n for mid, n in counts.items() if n > 1}


def faults():
    started = time.time()
    with harness.Workdir("smtp") as wd:
        db = harness.Database("sqlite", wd)
        harness.demo(db.url, teams=8, people=50)
        token = harness.api_token(db.url)
        members = [r[0] for r in db.rows("SELECT email FROM members WHERE active ORDER BY email")]
        bad = members[len(members) // 3]
        smtp = SmtpServer(reject=[] if BREAK == "accept-550" else [bad])
        lock = 5
        s = server(db, wd, DEVPULSE_SMTP_URL=smtp.url, DEVPULSE_MAIL_RETRY_SECONDS=1,
                   DEVPULSE_MAIL_LOCK_SECONDS=lock)
        try:
            s.start()
            # 1. Down: the cycle opens and queues its invitations; nothing listens.
            _, cycle = harness.open_cycle(s, token)
            n = int(db.scalar(f"SELECT count(*) FROM invitations WHERE cycle_id = '{cycle['cycle_id']}'"))
            check(n == len(members), f"{n} invitations for {len(members)} active members")
            check(len(outbox(db, "kind = 'invitation'")) == n, "one invitation email per member is queued")
            log(f"cycle opened with {n} invitations; SMTP down on port {smtp.port}")
            wait_for("every email tried twice while SMTP is down",
                     lambda: min(e["attempts"] for e in outbox(db)) >= 2, 20)
            rows = outbox(db)
            check(all(e["status"] == "queued" for e in rows), "an email left 'queued' while SMTP was down")
            check(all("refused" in (e["last_error"] or "").lower() for e in rows),
                  f"last_error while down: {rows[0]['last_error']!r}")
            check(not smtp.rcpt, "the server saw nothing while down")
            log(f"down: attempts {sorted(collections.Counter(e['attempts'] for e in rows).items())}, "
                f"last_error {rows[0]['last_error']!r}")

            # 2. Greylisting; devpulse is killed -9 inside a greylisted transaction.
            killed = threading.Event()
            kill_at = n // 2

            def kill_mid_transaction(server_):
                if server_.greylisted >= kill_at and not killed.is_set():
                    os.kill(s.proc.pid, signal.SIGKILL)
                    killed.set()

            smtp.mode = "greylist"
            smtp.on_data = kill_mid_transaction
            smtp.start()
            t_greylist = time.time()
            wait_for("the kill during greylisting", killed.is_set, 30)
            s.proc.wait(timeout=30)
            smtp.on_data = None
            t_kill = time.time()
            in_flight = claimed(db)
            before_kill = smtp.by_message_id()
            log(f"killed -9 after {smtp.greylisted} greylisted transactions "
                f"({t_kill - t_greylist:.1f}s of greylisting); claims left by the dead process: "
                f"{[(e['message_id'], round(e['locked_until'] - t_kill, 2)) for e in in_flight]}; "
                f"delivered before the kill: {sum(before_kill.values())}")
            check(len(in_flight) <= 1, f"the dead process held {len(in_flight)} claims; it sends one at a time")
            check(not before_kill, "nothing is delivered while greylisting")

            # 3. Restart (same SMTP port), still greylisting until every email
            #    (the one in flight at the kill too, once its claim expired)
            #    was refused with 451 at least once.
            greylisted_at_restart = smtp.greylisted
            s.start()
            wait_for("every email greylisted at least once, the one in flight at the kill again after its claim",
                     lambda: len(smtp.tries) >= n - 1 and all(smtp.tries[e["message_id"]] >= 2 for e in in_flight),
                     40)
            log(f"restarted; greylisted {smtp.greylisted - greylisted_at_restart} more; every email but the 550 "
                f"one greylisted at least once ({time.time() - t_greylist:.1f}s of greylisting in all)")

            # 4. Accept; bounded wait until nothing is queued.
            smtp.mode = "accept"
            t_accept = time.time()
            wait_for("an empty queue after SMTP came back", lambda: queued(db) == 0, 60, every=0.25)
            t_empty = time.time()
            time.sleep(2.5)  # more ticks: nothing more may reach the server (no retry of the failed one)

            counts = smtp.by_message_id()
            rows = outbox(db)
            sent = {e["message_id"] for e in rows if e["status"] == "sent"}
            failed = [e for e in rows if e["status"] == "failed"]
            dups = duplicates(counts)
            excused = {e["message_id"] for e in in_flight}
            attempts = collections.Counter(e["attempts"] for e in rows)
            per_rcpt = collections.Counter(d[2] for d in smtp.snapshot())
            log(f"accepted for {t_empty - t_accept:.1f}s until the queue was empty: "
                f"{sum(counts.values())} deliveries of {len(counts)} Message-IDs; "
                f"status {dict(collections.Counter(e['status'] for e in rows))}; "
                f"attempts {sorted(attempts.items())}; 451s {smtp.greylisted}")
            log(f"duplicates by Message-ID: {dups or 'none'} "
                f"(allowed only for the {len(excused)} email(s) claimed at the kill)")
            check(set(dups) <= excused, f"duplicates outside the crash window: {dups}")
            check(len(dups) <= len(excused) <= 1, f"{len(dups)} duplicates")
            check(set(counts) == sent, f"{len(set(counts) ^ sent)} Message-IDs differ between the server "
                                       "and the emails marked sent")
            check(len(counts) == n - 1, f"{len(counts)} emails delivered, expected {n - 1} (members less the 550 one)")
            dup_rcpts = {d[2] for d in smtp.snapshot() if d[1] in dups}
            check(all(per_rcpt[m] == 1 + (m in dup_rcpts) for m in members if m != bad),
                  "every member but the 550 one got exactly one email")
            check(max(attempts) < MAX_ATTEMPTS, f"an email reached {max(attempts)} attempts")

            check(len(failed) == 1 and failed[0]["to_addr"] == bad,
                  f"failed emails: {[(e['to_addr'], e['last_error']) for e in failed]}; expected only {bad}'s")
            f = failed[0]
            check("550" in (f["last_error"] or ""), f"the failed email's last_error: {f['last_error']!r}")
            check(smtp.rcpt[bad] == 1, f"the 550 recipient reached the server {smtp.rcpt[bad]} times, not once")
            check(per_rcpt[bad] == 0, "the 550 recipient got nothing")
            check(f["locked_by"] is None and f["scrubbed"], "the failed email is unlocked and its body dropped")
            check(all(e["to_addr"] == "" and e["scrubbed"] and e["locked_by"] is None
                      for e in rows if e["status"] == "sent"),
                  "sent invitations keep neither recipient nor body nor claim")
            log(f"550: {bad} failed after {f['attempts']} attempts (1 at the server): {f['last_error']!r}")
            log(f"total {time.time() - started:.1f}s")
        finally:
            s.stop()
            smtp.stop()


def duplicate_window():
    with harness.Workdir("smtp-dup") as wd:
        db = harness.Database("sqlite", wd)
        harness.demo(db.url, teams=4, people=30)
        token = harness.api_token(db.url)
        slow, lock, kill_after = 0.5, 5, 5
        smtp = SmtpServer(slow=slow).start()
        s = server(db, wd, DEVPULSE_SMTP_URL=smtp.url, DEVPULSE_MAIL_RETRY_SECONDS=1,
                   DEVPULSE_MAIL_LOCK_SECONDS=lock)
        killed = threading.Event()
        at_kill = {}

        def kill_after_taking(server_):
            # Called after the server took the message and before its 250: the
            # email is on the server, devpulse has not marked it sent.
            if len(server_.deliveries) >= kill_after and not killed.is_set():
                os.kill(s.proc.pid, signal.SIGKILL)
                at_kill["time"] = time.time()
                at_kill["message_id"] = server_.deliveries[-1][1]
                killed.set()

        try:
            s.start()
            smtp.on_data = kill_after_taking
            _, cycle = harness.open_cycle(s, token)
            n = int(db.scalar(f"SELECT count(*) FROM invitations WHERE cycle_id = '{cycle['cycle_id']}'"))
            wait_for("the kill during sending", killed.is_set, 60)
            s.proc.wait(timeout=30)
            smtp.on_data = None
            in_flight = claimed(db)
            t_kill = at_kill["time"]
            log(f"killed -9 with message {kill_after} of {n} taken by the server and not yet answered; "
                f"claims left: {[(e['message_id'], round(e['locked_until'] - t_kill, 2)) for e in in_flight]}")
            check(len(in_flight) <= 1, f"the dead process held {len(in_flight)} claims; it sends one at a time")
            s.start()
            wait_for("an empty queue after the restart", lambda: queued(db) == 0, 90, every=0.25)
            time.sleep(2)

            deliveries = smtp.snapshot()
            counts = collections.Counter(d[1] for d in deliveries)
            dups = duplicates(counts)
            rows = outbox(db)
            log(f"{len(deliveries)} deliveries of {len(counts)} Message-IDs for {n} emails; "
                f"duplicates: {dups or 'none'}")
            check(len(counts) == n and all(e["status"] == "sent" for e in rows), "every email was sent")
            check(len(dups) <= len(in_flight) <= 1, f"{len(dups)} duplicates; at most the one in flight may be")
            for mid in dups:
                claim = next((e for e in in_flight if e["message_id"] == mid), None)
                check(claim is not None, f"{mid} was duplicated but was not claimed at the kill")
                second = sorted(d[0] for d in deliveries if d[1] == mid)[1]
                log(f"duplicate {mid}: again {second - t_kill:.2f}s after the kill, "
                    f"{second - claim['locked_until']:+.2f}s after its claim expired (lock {lock}s)")
                check(second >= claim["locked_until"] - 0.05,
                      f"{mid} was sent again {claim['locked_until'] - second:.2f}s before its claim expired")
        finally:
            s.stop()
            smtp.stop()


if __name__ == "__main__":
    harness.main({"faults": faults, "duplicate_window": duplicate_window})
