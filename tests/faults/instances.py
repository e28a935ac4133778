"""Scenario 4 of the fault suite: three `devpulse serve` instances on one
PostgreSQL database, a cycle due to open for DEVPULSE_FAULTS_PEOPLE people
(10,000 by default) with one reminder day already come, and one instance
killed with -9 in the middle of sending.

The cycle is created through the API for tomorrow (scheduled), then moved
with SQL to open today: the scheduler of whichever instance ticks first opens
it and queues one invitation per member. Then its opening day is moved three
days back (the DevEx survey reminds on days 3 and 7, so one reminder is due)
and the schedulers queue the reminders.
Every email goes to one aiosmtpd (from smtp.py) that counts per Message-ID
and per (recipient, kind).

Checks: the cycle opened once (one invitation per member, one scheduler
pass that opened it, one audit entry: its creation), each member got
exactly one invitation email and one reminder, every email was delivered
exactly once except the one(s) the killed instance had claimed at the kill
(at most one: an instance's mailer claims and sends one email at a time),
which may come again only after its claim expired; nothing is left queued
or failed.

Run: python3 tests/faults/instances.py (10,000 people), or with
DEVPULSE_FAULTS_PEOPLE=1000 for a shorter run (CI). Needs the local
PostgreSQL server ($DEVPULSE_FAULTS_PG), aiosmtpd and a built binary.
To see it fail on purpose: DEVPULSE_FAULTS_BREAK=duplicate (the server counts
one message twice: the exactly-once check fails) or
DEVPULSE_FAULTS_BREAK=remind-twice (five invitations' reminder count is reset
with SQL once the reminders are queued, as a lost claim would: five members
get a second reminder, and the outbox and per-member counts are off)."""
import collections
import datetime
import os
import re
import time

import harness
from harness import check, log
from smtp import BREAK, SmtpServer, claimed, duplicates, queued, server, wait_for

PEOPLE = int(os.environ.get("DEVPULSE_FAULTS_PEOPLE", "10000"))
INSTANCES = 3
LOCK = 5


def log_counts(path, event, field):
    """Sum of `field=N` over a server log's `devpulse::worker: {event} ...` lines."""
    pattern = re.compile(rf"devpulse::worker: {event} .*\b{field}=(\d+)")
    with open(path, errors="replace") as f:
        return sum(int(m.group(1)) for m in map(pattern.search, f) if m)


def three_instances():
    started = time.time()
    with harness.Workdir("instances") as wd:
        db = harness.Database("postgres", wd)
        servers = []
        smtp = SmtpServer().start()
        try:
            t = time.time()
            harness.demo(db.url, teams=max(1, min(300, PEOPLE // 33)), people=PEOPLE)
            token = harness.api_token(db.url)
            n = int(db.scalar("SELECT count(*) FROM members WHERE active"))
            log(f"demo: {n} active members in {db.scalar('SELECT count(*) FROM teams')} teams "
                f"({time.time() - t:.1f}s)")

            servers = [server(db, wd, name=f"serve{i}", DEVPULSE_SMTP_URL=smtp.url, DEVPULSE_MAIL_RETRY_SECONDS=1,
                              DEVPULSE_MAIL_LOCK_SECONDS=LOCK) for i in range(INSTANCES)]
            for s in servers:
                s.start(wait=False)
            for s in servers:
                s.wait_healthy()
            tomorrow = (datetime.datetime.now(datetime.timezone.utc).date() + datetime.timedelta(days=1))
            survey, cycle = harness.open_cycle(servers[0], token, opens_on=tomorrow.isoformat())
            cid, sid = cycle["cycle_id"], survey["survey_id"]
            check(cycle["status"] == "scheduled", f"a cycle for tomorrow is {cycle['status']}")
            check(queued(db) == 0, "nothing is queued for a scheduled cycle")

            # Due: opened three days ago; reminders on days 3 and 7, so one has come.
            today = tomorrow - datetime.timedelta(days=1)
            opens_on = today - datetime.timedelta(days=3)
            closes_on = datetime.date.fromisoformat(cycle["closes_on"])
            reminder_days = [3, 7]
            due = sum(1 for d in reminder_days if d <= 3 and d < (closes_on - opens_on).days)
            check(due == 1, "one reminder day has come")
            db.execute(f"UPDATE surveys SET reminder_days = '{','.join(map(str, reminder_days))}' "
                       f"WHERE survey_id = '{sid}'")
            t_due = time.time()
            # Due today; once open, moved back three days so a reminder day has
            # come (a cycle that opens late counts the days already gone as
            # reminded: the invitation would come first, the reminder on day 7).
            db.execute(f"UPDATE cycles SET opens_on = '{today}' WHERE cycle_id = '{cid}'")
            total = n * (1 + due)
            log(f"cycle {cid} due to open (opens_on {opens_on}, {due} reminder day come): {total} emails expected")

            wait_for("the cycle to open", lambda: db.scalar(f"SELECT status FROM cycles WHERE cycle_id = '{cid}'")
                     == "open", 300, every=0.5)
            t_open = time.time()
            db.execute(f"UPDATE cycles SET opens_on = '{opens_on}' WHERE cycle_id = '{cid}'")
            wait_for("the reminders to be queued", lambda: int(db.scalar(
                "SELECT count(*) FROM email_outbox WHERE kind = 'reminder'")) >= n, 600, every=0.5)
            t_reminded = time.time()
            if BREAK == "remind-twice":  # a lost claim: five members are reminded again
                db.execute(f"UPDATE invitations SET reminders_sent = 0 WHERE invitation_id IN (SELECT invitation_id "
                           f"FROM invitations WHERE cycle_id = '{cid}' ORDER BY invitation_id LIMIT 5)")
            log(f"opened {t_open - t_due:.1f}s after it was due; reminders queued {t_reminded - t_open:.1f}s later; "
                f"delivered so far: {len(smtp.snapshot())}")

            # Kill one instance with -9 while emails are being sent.
            victim = servers[1]
            wait_for("a third of the emails delivered", lambda: len(smtp.snapshot()) >= total // 3,
                     60 + total * 0.1, every=0.05)
            t_kill = time.time()
            victim.kill9()
            delivered_at_kill = len(smtp.snapshot())
            # The dead instance's claims: taken before the kill (claims last
            # LOCK seconds, one clock for all) and still there, unchanged, a
            # second later (the live instances finish an email in milliseconds).
            time.sleep(1.0)
            first = {(e["email_id"], e["locked_by"], e["locked_until"]) for e in claimed(db)}
            time.sleep(1.0)
            second = {(e["email_id"], e["locked_by"], e["locked_until"]) for e in claimed(db)}
            dead = [c for c in first & second if c[2] is not None and c[2] <= t_kill + LOCK + 0.05]
            dead_ids = {c[0] for c in dead}
            dead_mids = {r[0] for r in db.rows("SELECT message_id FROM email_outbox WHERE email_id IN ("
                                               + ",".join(f"'{i}'" for i in dead_ids) + ")")} if dead_ids else set()
            log(f"killed {victim.name} -9 at {delivered_at_kill}/{total} delivered; its claims: "
                f"{[(c[0], c[1][:8], round(c[2] - t_kill, 2)) for c in dead]}")
            check(len({c[1] for c in dead}) <= 1 and len(dead) <= 1,
                  f"the killed instance held {len(dead)} claims; its mailer sends one at a time")

            wait_for("an empty queue", lambda: queued(db) == 0, 60 + total * 0.2, every=0.5)
            t_empty = time.time()
            time.sleep(2.5)  # a few more ticks: nothing more may go out

            # What the server got.
            deliveries = smtp.snapshot()
            counts = collections.Counter(d[1] for d in deliveries)
            dups = duplicates(counts)
            first_at, last_at = min(d[0] for d in deliveries), max(d[0] for d in deliveries)
            log(f"{len(deliveries)} deliveries of {len(counts)} Message-IDs in {last_at - first_at:.1f}s "
                f"({len(deliveries) / max(last_at - first_at, 0.001):.0f}/s); queue empty "
                f"{t_empty - t_due:.1f}s after the cycle was due")
            log(f"duplicates by Message-ID: {dups or 'none'} (allowed only for {sorted(dead_mids) or 'none'})")
            check(set(dups) <= dead_mids, f"duplicates outside the crash window: {sorted(set(dups) - dead_mids)[:5]}")
            check(len(dups) <= 1, f"{len(dups)} duplicates with one instance killed")
            for mid in dups:
                claim = next(c for c in dead if c[0] in {r[0] for r in db.rows(
                    f"SELECT email_id FROM email_outbox WHERE message_id = '{mid}'")})
                first_at_server, again = sorted(d[0] for d in deliveries if d[1] == mid)[:2]
                log(f"duplicate {mid}: first taken by the server {first_at_server - t_kill:+.3f}s from the kill, "
                    f"again {again - t_kill:.2f}s after the kill, "
                    f"{again - claim[2]:+.2f}s after its claim expired")
                check(again >= claim[2] - 0.05, f"{mid} sent again before its claim expired")

            # The outbox: everything sent, nothing queued or failed.
            status = dict((r[0], int(r[1])) for r in db.rows(
                "SELECT status, count(*) FROM email_outbox GROUP BY status"))
            kinds = dict((r[0], int(r[1])) for r in db.rows("SELECT kind, count(*) FROM email_outbox GROUP BY kind"))
            log(f"outbox: {status}; {kinds}")
            check(status == {"sent": total}, f"outbox statuses {status}, expected {total} sent")
            check(kinds == {"invitation": n, "reminder": n * due}, f"outbox kinds {kinds}")
            sent_mids = {r[0] for r in db.rows("SELECT message_id FROM email_outbox")}
            check(set(counts) == sent_mids, f"{len(set(counts) ^ sent_mids)} Message-IDs differ between the server "
                                            "and the outbox")

            # Per member: one invitation, one reminder per due day.
            per = collections.Counter((d[2], d[3]) for d in deliveries if d[1] not in dups)
            for mid in dups:  # a duplicate counts once here; it was checked above
                d = next(d for d in deliveries if d[1] == mid)
                per[(d[2], d[3])] += 1
            emails = [r[0] for r in db.rows("SELECT email FROM members WHERE active")]
            wrong = [(m, k, per[(m, k)]) for m in emails for k, want in (("invitation", 1), ("reminder", due))
                     if per[(m, k)] != want]
            check(not wrong, f"{len(wrong)} (member, kind) counts are off, e.g. {wrong[:5]}")
            check(sum(per.values()) == total and not any(k == "other" for _, k in per),
                  "only invitations and reminders were sent")

            # The cycle opened once.
            inv = db.rows(f"SELECT count(*), count(DISTINCT member_id), min(reminders_sent), max(reminders_sent) "
                          f"FROM invitations WHERE cycle_id = '{cid}'")[0]
            check([int(x) for x in inv] == [n, n, due, due], f"invitations (count, members, reminders): {inv}")
            audit = [r[0] for r in db.rows(f"SELECT action FROM audit_log WHERE entity_id = '{cid}'")]
            check(audit == ["cycle.create"], f"audit entries of the cycle: {audit}")
            opened = {s.name: log_counts(s.log_path(), "scheduler", "opened") for s in servers}
            reminded = {s.name: log_counts(s.log_path(), "scheduler", "reminded") for s in servers}
            sent_by = {s.name: log_counts(s.log_path(), "mailer", "sent") for s in servers}
            errors = {s.name: sum(1 for line in open(s.log_path(), errors="replace") if " ERROR " in line)
                      for s in servers}
            log(f"per instance: opened {opened}, reminders queued {reminded}, sent (logged) {sent_by}, "
                f"ERROR lines {errors}")
            check(sum(opened.values()) == 1, f"the scheduler passes that opened the cycle: {opened}")
            check(sum(reminded.values()) == n * due, f"reminders queued per the logs: {reminded}")
            log(f"total {time.time() - started:.1f}s for {n} members")
        finally:
            for s in servers:
                s.stop()
            smtp.stop()
            db.drop()


if __name__ == "__main__":
    harness.main({"three_instances": three_instances})
