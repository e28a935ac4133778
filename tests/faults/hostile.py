#!/usr/bin/env python3
"""Scenario 6 (second half) of the fault suite: hostile input over HTTP, against
a running devpulse (the schemathesis run in fuzz.sh is the first half).

Each input answers a 4xx that names what is wrong (never a 5xx), writes
nothing half-way, and leaves the server as it was (memory, other requests):
a gzip bomb, invalid UTF-8, NUL, right-to-left override, a 1 MB comment, a
token replayed 50 times at once, and the console's hostile requests (cross-site
posts, 50 wrong passwords at once).

    python3 tests/faults/hostile.py [sqlite|postgres]
"""
import gzip
import json
import os
import sys
import threading
import urllib.parse

import harness as h

FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def expect(status, want, what, body=b""):
    ok = status in (want if isinstance(want, (list, tuple)) else [want])
    h.check(ok, f"{what}: answered {status}, expected {want}: {body[:300]!r}")
    h.check(status < 500, f"{what}: a 5xx")


def field_of(body):
    try:
        return json.loads(body).get("field") or ""
    except ValueError:
        return ""


def friction(area_id, **over):
    body = {"area_id": area_id, "title": "Flaky deploys", "trying_to": "ship a fix", "blocked_by": "the pipeline",
            "minutes_lost": 30, "frequency": "weekly", "severity": 2, "follow_up": False}
    body.update(over)
    return body


def burst(n, fn):
    """Runs fn() n times at once; returns the results in order."""
    results = [None] * n
    start = threading.Barrier(n)

    def run(i):
        start.wait(timeout=30)
        results[i] = fn()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


def run(backend):
    with h.Workdir("hostile") as w:
        db = h.Database(backend, w)
        try:
            h.demo(db.url, teams=5, people=60)
            token = h.api_token(db.url)
            email = db.scalar("SELECT email FROM members ORDER BY email LIMIT 1")
            server = h.Server(db.url, w).start()
            member_link = h.run_cli(db.url, "member", "link", email, "--base-url", server.base)
            member = member_link.rstrip("/").rsplit("/", 1)[-1]
            try:
                survey, _ = h.open_cycle(server, token)
                attack(server, db, survey, token, member)
            finally:
                server.stop()
            log = open(server.log_path(), encoding="utf-8", errors="replace").read()
            h.check("panicked" not in log, "the server log has a panic")
            h.check(" ERROR " not in log, "the server log has an ERROR line: " +
                    next((line for line in log.splitlines() if " ERROR " in line), "")[:300])
        finally:
            db.drop()


def attack(server, db, survey, token, member):
    base = server.base
    tokens = h.invitation_tokens(db)
    area = "ci"
    rss_before = rss_kib(server.proc.pid)
    responses_before = int(db.scalar("SELECT COUNT(*) FROM responses"))
    friction_before = int(db.scalar("SELECT COUNT(*) FROM friction_reports"))

    # A gzip bomb: 1 GiB of zeros in about 1 MB, as JSON and as a form.
    bomb = gzip.compress(b"0" * (256 << 20), compresslevel=9) * 4
    for path, headers in [("/api/v1/responses", {"Content-Type": "application/json"}),
                          ("/api/v1/friction", {"Content-Type": "application/json"}),
                          (f"/s/{tokens[0]}", FORM)]:
        status, _, body = h.request("POST", base + path, raw=bomb, headers=dict(headers, **{"Content-Encoding": "gzip"}),
                                    token=member if "friction" in path else None)
        expect(status, [413, 415], f"gzip bomb at {path}", body)
    grown = rss_kib(server.proc.pid) - rss_before
    h.check(grown < 200 * 1024, f"the gzip bombs grew the server by {grown} KiB")

    # Invalid UTF-8.
    status, _, body = h.request("POST", base + "/api/v1/responses", raw=b'{"token": "\xff\xfe", "answers": []}',
                                headers={"Content-Type": "application/json"})
    expect(status, [400, 422], "invalid UTF-8 in JSON", body)
    status, _, body = h.request("POST", base + f"/s/{tokens[0]}", raw=b"q_x=%FF%FE&q_y=\xff", headers=FORM)
    expect(status, [400, 422], "invalid UTF-8 in the survey form", body)
    status, _, body = h.request("POST", base + "/api/v1/friction", raw=json.dumps(friction(area)).encode()[:-1] +
                                b', "expected": "\xc3\x28"}', token=member, headers={"Content-Type": "application/json"})
    expect(status, [400, 422], "invalid UTF-8 in a friction report", body)

    # NUL and the right-to-left override, in every free text of a report.
    for bad, name in [("fine\u0000then", "NUL"), ("invoice\u202efdp.exe", "right-to-left override")]:
        for field in ["title", "trying_to", "blocked_by", "expected"]:
            status, _, body = h.request("POST", base + "/api/v1/friction", friction(area, **{field: bad}),
                                        token=member)
            expect(status, 422, f"{name} in friction {field}", body)
            h.check(field_of(body) == field, f"{name} in {field}: the error names {field_of(body)!r}")
        answers = h.answers_for(survey)
        for a in answers:
            if "text" in a:
                a["text"] = bad
        status, _, body = h.request("POST", base + "/api/v1/responses", {"token": tokens[0], "answers": answers})
        expect(status, 422, f"{name} in a survey comment", body)
        h.check("text" in field_of(body), f"{name} in a comment: the error names {field_of(body)!r}")
    status, _, body = h.request("GET", base + "/s/abc%00def")
    expect(status, 404, "NUL in a path", body)
    status, _, body = h.request("GET", base + "/api/v1/friction?q=%00%E2%80%AE", token=token)
    expect(status, [200, 422], "NUL and RLO in a search", body)
    for path in ["/api/v1/friction/abc%00", "/api/v1/cycles/x%00y/results", "/api/v1/members/a%00%40x.io/data",
                 "/api/v1/surveys/%00", "/api/v1/friction?team=%00&area_id=%00&status=new", f"/p/{member}%00",
                 "/api/v1/cycles?survey_id=%00"]:
        status, _, body = h.request("GET", base + path, token=token)
        # A filter that matches nothing may answer an empty list.
        expect(status, [400, 404, 422] + ([200] if "?" in path else []), f"NUL in {path}", body)
    status, _, body = h.request("POST", base + "/api/v1/friction", friction("ci\u0000"), token=member)
    expect(status, [404, 422], "NUL in an area id", body)

    # A 1 MB comment: refused whole, the form keeps what was typed.
    answers = h.answers_for(survey)
    for a in answers:
        if "text" in a:
            a["text"] = "x" * (1 << 20)
    status, _, body = h.request("POST", base + "/api/v1/responses", {"token": tokens[0], "answers": answers})
    expect(status, 413, "a 1 MB comment (JSON)", body)
    text_q = next(q["question_id"] for q in survey["questions"] if q["kind"] == "text")
    likert = next(q["question_id"] for q in survey["questions"] if q["kind"] == "likert5")
    form = urllib.parse.urlencode([("q_" + likert, "4"), ("q_" + text_q, "kept " + "y" * (1 << 20))]).encode()
    status, _, body = h.request("POST", base + f"/s/{tokens[0]}", raw=form, headers=FORM)
    expect(status, 413, "a 1 MB comment (form)", body)
    h.check(b'value="4" checked' in body or b'checked' in body, "the 413 form lost the answers")
    status, _, body = h.request("POST", base + "/api/v1/friction", friction(area, title="x" * (1 << 20)), token=member)
    expect(status, 413, "a 1 MB friction title", body)

    # One token replayed 50 times at once: exactly one response.
    replayed = tokens[1]
    answers = h.answers_for(survey)
    statuses = burst(50, lambda: h.request("POST", base + "/api/v1/responses",
                                           {"token": replayed, "answers": answers})[0])
    h.check(statuses.count(201) == 1, f"replayed token: {statuses.count(201)} stored: {sorted(statuses)}")
    h.check(all(s in (201, 409) for s in statuses), f"replayed token: {sorted(set(statuses))}")
    h.check(int(db.scalar("SELECT COUNT(*) FROM responses")) == responses_before + 1,
            "the replayed token stored more or less than one response")
    # Me-too 50 times at once from one member: one vote.
    status, _, body = h.request("POST", base + "/api/v1/friction", friction(area), token=member)
    expect(status, 201, "a friction report", body)
    report = json.loads(body)
    report_id = report["report_id"]
    other = h.run_cli(db.url, "member", "link",
                      db.scalar("SELECT email FROM members ORDER BY email DESC LIMIT 1")).rstrip("/").rsplit("/", 1)[-1]
    statuses = burst(50, lambda: h.request("POST", base + f"/api/v1/friction/{report_id}/me-too", token=other)[0])
    h.check(sum(1 for s in statuses if s in (200, 201)) == 1, f"me-too x50: {sorted(statuses)}")
    h.check(all(s in (200, 201, 409) for s in statuses), f"me-too x50: {sorted(set(statuses))}")

    # The console: a cross-site sign-in form and fifty wrong passwords at once.
    status, _, body = h.request("POST", base + "/admin/login", raw=b"email=a%40x.io&password=x",
                                headers=dict(FORM, **{"Sec-Fetch-Site": "cross-site"}))
    expect(status, 403, "a cross-site sign-in", body)
    h.run_cli(db.url, "admin", "add", "ops@example.org", env={"DEVPULSE_ADMIN_PASSWORD": "correct horse battery"},
              check_rc=False)
    wrong = burst(50, lambda: h.request("POST", base + "/admin/login",
                                        raw=b"email=ops%40example.org&password=guess", headers=FORM)[0])
    h.check(wrong.count(401) <= 5, f"50 wrong passwords at once: {wrong.count(401)} were checked")
    h.check(all(s in (401, 429) for s in wrong), f"50 wrong passwords: {sorted(set(wrong))}")

    h.check(int(db.scalar("SELECT COUNT(*) FROM friction_reports")) == friction_before + 1,
            "a refused friction report was stored")
    status, _, _ = h.request("GET", base + "/ready")
    expect(status, 200, "/ready after the attacks")
    h.log(f"hostile input ({db.backend}): no 5xx; replay 1 of 50 stored; sign-in {wrong.count(401)} of 50 checked; "
          f"RSS grew {(rss_kib(server.proc.pid) - rss_before) // 1024} MiB")


if __name__ == "__main__":
    backends = sys.argv[1:] or ["sqlite", "postgres"]
    h.main({b: (lambda b=b: run(b)) for b in backends})
