"""The helper of tests/faults/fuzz.sh (standard library only).

  fuzz_helper.py config OUT --base URL --db SQLITE_FILE --member-email EMAIL [--api-only]
      Writes schemathesis' configuration: one bearer token per security
      scheme (${DP_API_TOKEN}, ${DP_MEMBER_TOKEN}; with --api-only just the
      API token), and dictionaries of real values read from the running
      server and its database (ids of cycles, surveys, friction reports and
      roadmap items, team slugs, member emails, areas, cursors, unused
      invitation tokens and the question ids of the open survey, and the
      words each enum-like field accepts). Each parameter takes a real value
      with some probability and a generated one otherwise, so the fuzzer gets
      past the 404s and 422s of random ids into the handlers' logic.

  fuzz_helper.py findings NDJSON... [--json OUT]
      Every failed check in schemathesis NDJSON reports, grouped by operation,
      check and cause, each with a count and one shortest curl reproduction.
      The tokens of $DP_API_TOKEN and $DP_MEMBER_TOKEN are written back as
      "$DP_API_TOKEN" / "$DP_MEMBER_TOKEN" so the commands can be pasted into
      a shell that exports them. Prints nothing when there is no failure.

  fuzz_helper.py serverlog LOG
      What devpulse logged during the run: responses per status, and every
      5xx, panic, "internal error" or ERROR line. Exits 1 on a 5xx, a panic
      or an "internal error"; ERROR lines of actix's HTTP/1 parser (a
      malformed request that it refused with 400, e.g. schemathesis' NUL-byte
      header probe) are listed but do not fail.
"""
import base64
import collections
import datetime
import glob
import hashlib
import hmac
import json
import os
import re
import sqlite3
import sys
import urllib.parse
import urllib.request

SKIP_HEADERS = {"user-agent", "accept-encoding", "accept", "connection", "content-length"}


def tokens():
    out = []
    for var in ("DP_API_TOKEN", "DP_MEMBER_TOKEN"):
        if os.environ.get(var):
            out.append((os.environ[var], "$" + var))
    return out


def unsecret(text):
    for value, name in tokens():
        text = text.replace(value, name)
    return text


def bash_quote(text):
    """A bash word for `text`: plain single quotes, or $'...' with escapes."""
    if all(32 <= ord(c) < 127 for c in text):
        return "'" + text.replace("'", "'\\''") + "'"
    out = []
    for ch in text.encode("utf-8", "surrogatepass"):
        c = chr(ch)
        if c == "'" or c == "\\":
            out.append("\\" + c)
        elif 32 <= ch < 127:
            out.append(c)
        else:
            out.append(f"\\x{ch:02x}")
    return "$'" + "".join(out) + "'"


def decode(blob):
    if blob is None:
        return None
    if isinstance(blob, dict) and "$base64" in blob:
        return base64.b64decode(blob["$base64"])
    if isinstance(blob, dict) and "string" in blob:
        return blob["string"].encode()
    if isinstance(blob, str):
        return blob.encode()
    return json.dumps(blob).encode()


def curl(request):
    parts = ["curl -sS -i -X", request["method"]]
    for name, values in (request.get("headers") or {}).items():
        if name.lower() in SKIP_HEADERS or name.lower().startswith("x-schemathesis"):
            continue
        for v in values if isinstance(values, list) else [values]:
            header = unsecret(f"{name}: {v}")
            parts += ["-H", f'"{header}"' if "$DP_" in header else bash_quote(header)]
    body = decode(request.get("body"))
    if body is not None:
        parts += ["--data-binary", bash_quote(body.decode("utf-8", "surrogateescape"))]
    parts.append(bash_quote(request["uri"]))
    return " ".join(parts)


def squash(text):
    """The message without its generated values, to group by cause."""
    text = re.sub(r'"(?:[^"\\]|\\.)*"', '"…"', text)
    return re.sub(r"\b\d+\b", "N", text)


def cause(failure, status, body):
    code, msg = failure["code"], failure.get("message") or ""
    if code == "ST108":
        where = re.search(r"Schema at (\S+?):?\n", msg)
        first = msg.split("\n", 1)[0]
        kind = re.sub(r'"(?:[^"\\]|\\.)*"', '"…"', first)
        return f"{where.group(1) if where else 'response schema'} [{status}]: {kind}"
    if code == "ST103":
        return msg.split("\n", 1)[0]
    if code in ("ST202", "ST201"):
        try:
            err = json.loads(body)
            field = err.get("field") if isinstance(err, dict) else None
            return f"[{status}] field={field}: {squash(err.get('message', ''))}"
        except (ValueError, AttributeError, TypeError):
            return f"[{status}] {squash(body[:120])}"
    if code == "ST204":
        return f"[{status}] an undeclared method does not answer 405"
    return f"[{status}] {squash(msg.splitlines()[0] if msg else failure['title'])}"


def findings(paths, json_out=None):
    groups = collections.OrderedDict()
    for path in paths:
        for line in open(path, encoding="utf-8"):
            event = json.loads(line)
            done = event.get("ScenarioFinished")
            if not done:
                continue
            rec = done["recorder"]
            for case_id, checks in (rec.get("checks") or {}).items():
                for check in checks:
                    if check.get("status") != "failure":
                        continue
                    failure = check["failure_info"]["failure"]
                    inter = (rec.get("interactions") or {}).get(case_id)
                    status, body, cmd = None, "", None
                    if inter:
                        resp = inter.get("response") or {}
                        status = resp.get("status_code")
                        body = (decode(resp.get("content")) or b"").decode("utf-8", "replace")
                        cmd = curl(inter["request"])
                    key = (failure["operation"], failure["code"], cause(failure, status, body))
                    g = groups.setdefault(key, {"operation": key[0], "code": key[1], "title": failure["title"],
                                                "cause": key[2], "count": 0, "phases": set(), "examples": []})
                    g["count"] += 1
                    g["phases"].add(done["phase"])
                    g["examples"].append({"status": status, "message": unsecret(failure.get("message") or ""),
                                          "body": unsecret(body[:600]), "curl": cmd})
    items = sorted(groups.values(), key=lambda g: (g["code"], g["operation"], g["cause"]))
    for g in items:
        g["phases"] = sorted(g["phases"])
        with_cmd = [e for e in g["examples"] if e["curl"]] or g["examples"]
        g["example"] = min(with_cmd, key=lambda e: len(e["curl"] or ""))
        g["distinct_messages"] = sorted({e["message"].split("\n", 1)[0] for e in g["examples"]})[:8]
        del g["examples"]
    if json_out:
        with open(json_out, "w", encoding="utf-8") as f:
            json.dump(items, f, indent=1, ensure_ascii=False)
    for n, g in enumerate(items, 1):
        ex = g["example"]
        print(f"\n#{n} {g['code']} {g['title']} | {g['operation']} | x{g['count']} ({', '.join(g['phases'])})")
        print(f"   cause: {g['cause']}")
        for m in g["distinct_messages"]:
            print(f"   message: {m}")
        print(f"   response: {ex['status']} {ex['body'][:300]}")
        if ex["curl"]:
            print(f"   repro: {ex['curl']}")
    return items


def serverlog(path):
    statuses = collections.Counter()
    bad, noise = [], []
    for line in open(path, encoding="utf-8", errors="replace"):
        m = re.search(r"served status=(\d{3})", line)
        if m:
            statuses[m.group(1)] += 1
            if m.group(1).startswith("5"):
                bad.append(line.rstrip())
            continue
        low = line.lower()
        if "panicked" in low or "internal error" in low:
            bad.append(line.rstrip())
        elif " ERROR " in line:
            (noise if "actix_http::h1::dispatcher" in line else bad).append(line.rstrip())
    print("server responses by status: " + ", ".join(f"{k}: {v}" for k, v in sorted(statuses.items())))
    for line in noise[:5]:
        print(f"  (malformed request refused by the HTTP parser, not a finding) {line[:300]}")
    if len(noise) > 5:
        print(f"  ... and {len(noise) - 5} more such lines")
    for line in bad:
        print(f"  FINDING {line[:1000]}")
    return 1 if bad else 0


# --- config -----------------------------------------------------------------

def api_get(base, path):
    req = urllib.request.Request(base + path, headers={"Authorization": "Bearer " + os.environ["DP_API_TOKEN"]})
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.loads(r.read())


def all_items(base, path):
    """Every item of a paginated list, and the cursors it handed out."""
    items, cursors, cursor = [], [], None
    for _ in range(1000):
        sep = "&" if "?" in path else "?"
        page = api_get(base, path + sep + "limit=5" + (f"&cursor={urllib.parse.quote(cursor)}" if cursor else ""))
        items += page["items"]
        cursor = page.get("next_cursor")
        if not cursor:
            break
        cursors.append(cursor)
    return items, cursors


def invitation_tokens(db_path):
    """Tokens of the unused invitations (as tests/faults/harness.py derives them)."""
    db = sqlite3.connect(db_path, timeout=30)
    try:
        key = db.execute("SELECT value FROM settings WHERE key = 'invitation_key'").fetchone()[0].encode()
        ids = [r[0] for r in db.execute("SELECT invitation_id FROM invitations WHERE used = 0 ORDER BY invitation_id")]
    finally:
        db.close()
    return [base64.urlsafe_b64encode(hmac.new(key, b"invitation:" + i.encode(), hashlib.sha256).digest())
            .rstrip(b"=").decode() for i in ids]


def toml_str(value):
    return json.dumps(value, ensure_ascii=False)


def config(out, base, db_path, member_email, api_only):
    teams, team_cursors = all_items(base, "/api/v1/teams")
    slugs = [t["slug"] for t in teams]
    groups = sorted({t["group_name"] for t in teams if t.get("group_name")})
    emails = []
    for slug in slugs:
        emails += [m["email"] for m in all_items(base, f"/api/v1/teams/{slug}/members")[0]]
    # The member whose token the run uses is never offered for erasure or
    # deactivation (the fuzzer may still find it by itself).
    emails = [e for e in emails if e != member_email][:40]
    areas, _ = all_items(base, "/api/v1/areas")
    surveys, survey_cursors = all_items(base, "/api/v1/surveys")
    cycles, cycle_cursors = all_items(base, "/api/v1/cycles")
    reports, report_cursors = all_items(base, "/api/v1/friction")
    items, roadmap_cursors = all_items(base, "/api/v1/roadmap")
    open_surveys = {c["survey_id"] for c in cycles if c["status"] == "open"}
    question_ids = [q["question_id"] for s in surveys if s["survey_id"] in open_surveys for q in s["questions"]]
    today = datetime.date.today()
    dates = [str(today + datetime.timedelta(days=d)) for d in (-400, -60, -1, 0, 1, 7, 30)] + ["2028-02-29"]

    dicts = {
        "cycle_ids": [c["cycle_id"] for c in cycles],
        "survey_ids": [s["survey_id"] for s in surveys],
        "report_ids": [r["report_id"] for r in reports][:60],
        "item_ids": [i["item_id"] for i in items],
        "slugs": slugs,
        "emails": emails,
        "area_ids": [a["area_id"] for a in areas],
        # Real cursors, and well-formed ones (base64url of UTF-8) of keys no
        # page ends on: a random string is refused with 422 as it should be.
        "cursors": sorted(set(team_cursors + survey_cursors + cycle_cursors + report_cursors + roadmap_cursors))
        + [base64.urlsafe_b64encode(k.encode()).rstrip(b"=").decode()
           for k in ("0", "zzzz", "' OR 1=1 --", "\u00e9\u0000", "~" * 300, "2026-01-01T00:00:00Z|x")],
        "scopes": ["org"] + [f"team:{s}" for s in slugs] + [f"group:{g}" for g in groups],
        "weights": ["0.4,0.3,0.3", "1,0,0", "0,0,1", "0.5,0.25,0.25", "0,0,0"],
        "cycle_statuses": ["scheduled", "open", "closed"],
        "friction_statuses": ["new", "triaged", "planned", "in_progress", "done", "wont_fix"],
        "roadmap_statuses": ["proposed", "planned", "in_progress", "shipped", "dropped"],
        "frequencies": ["one_off", "monthly", "weekly", "daily"],
        "dimensions": ["feedback_loops", "cognitive_load", "flow_state", "other"],
        "question_kinds": ["likert5", "priority_pick", "text", "hours", "nps"],
        "team_kinds": ["stream-aligned", "platform", "enabling", "complicated-subsystem"],
        "cadences": ["one_off", "monthly", "quarterly", "every_2_weeks"],
        "templates": ["devex"],
        "orders": ["newest", "cost"],
        "dates": dates,
        "true": ["true"],
        "severities": [1, 2, 3, 4],
        "minutes": [1, 30, 600, 10080],
        "invitation_tokens": invitation_tokens(db_path) or ["x"],
        "question_ids": question_ids or ["x"],
    }
    # (path regex, method or None, {parameter: (dictionary, probability)})
    ops = [
        (r"^/api/v1/cycles/\{id\}", None, {"path.id": ("cycle_ids", 0.8), "query.scope": ("scopes", 0.6),
                                           "query.weights": ("weights", 0.5)}),
        (r"^/api/v1/cycles$", "GET", {"query.survey_id": ("survey_ids", 0.6), "query.status": ("cycle_statuses", 0.6)}),
        (r"^/api/v1/surveys/\{id\}", None, {"path.id": ("survey_ids", 0.8), "body.opens_on": ("dates", 0.7),
                                            "body.closes_on": ("dates", 0.5), "body.teams[*]": ("slugs", 0.7)}),
        (r"^/api/v1/surveys$", "POST", {"body.template": ("templates", 0.4), "body.cadence": ("cadences", 0.6),
                                        "body.questions[*].kind": ("question_kinds", 0.7),
                                        "body.questions[*].area_id": ("area_ids", 0.7)}),
        (r"^/api/v1/friction$", "GET", {"query.status": ("friction_statuses", 0.5), "query.area_id": ("area_ids", 0.5),
                                        "query.team": ("slugs", 0.5), "query.since": ("dates", 0.5),
                                        "query.order": ("orders", 0.6)}),
        (r"^/api/v1/friction$", "POST", {"body.area_id": ("area_ids", 0.8), "body.frequency": ("frequencies", 0.6),
                                         "body.severity": ("severities", 0.6), "body.minutes_lost": ("minutes", 0.6),
                                         "body.team": ("slugs", 0.5)}),
        (r"^/api/v1/friction/\{id\}", None, {"path.id": ("report_ids", 0.8), "body.status": ("friction_statuses", 0.6),
                                             "body.area_id": ("area_ids", 0.6), "body.severity": ("severities", 0.6),
                                             "body.roadmap_item_id": ("item_ids", 0.5),
                                             "body.duplicate_of": ("report_ids", 0.4)}),
        (r"^/api/v1/roadmap$", "POST", {"body.area_id": ("area_ids", 0.8), "body.status": ("roadmap_statuses", 0.6),
                                        "body.shipped_on": ("dates", 0.5)}),
        (r"^/api/v1/roadmap/\{id\}", None, {"path.id": ("item_ids", 0.8), "body.area_id": ("area_ids", 0.6),
                                            "body.status": ("roadmap_statuses", 0.6), "body.shipped_on": ("dates", 0.5)}),
        (r"^/api/v1/areas$", "POST", {"body.dimension": ("dimensions", 0.7)}),
        (r"^/api/v1/teams$", "POST", {"body.kind": ("team_kinds", 0.6)}),
        (r"^/api/v1/teams/\{slug\}", None, {"path.slug": ("slugs", 0.8), "path.email": ("emails", 0.7)}),
        (r"^/api/v1/members/\{email\}", None, {"path.email": ("emails", 0.7), "query.erase": ("true", 0.5)}),
        (r"^/api/v1/responses$", "POST", {"body.token": ("invitation_tokens", 0.8),
                                          "body.answers[*].question_id": ("question_ids", 0.8),
                                          "body.answers[*].choices[*]": ("area_ids", 0.7)}),
    ]
    lines = ["# Written by tests/faults/fuzz_helper.py config; see tests/faults/fuzz.sh.",
             "[auth.openapi.api_token]", 'bearer = "${DP_API_TOKEN}"']
    if not api_only:
        lines += ["[auth.openapi.member_token]", 'bearer = "${DP_MEMBER_TOKEN}"']
    # Scalars that the document can describe (limit, lookback_days) get no
    # dictionary: a value typed unlike the document's parameter reads as a
    # deliberate type mutation to schemathesis. A cursor is opaque: generated
    # ones are only used as invalid input.
    lines += ["", "[parameters]", '"query.cursor" = { dictionary = "cursors", probability = 1.0 }']
    for name, values in dicts.items():
        lines += ["", f"[dictionaries.{name}]", "values = [" + ", ".join(toml_str(v) for v in values) + "]"]
    for regex, method, params in ops:
        lines += ["", "[[operations]]", f"include-path-regex = {toml_str(regex)}"]
        if method:
            lines.append(f"include-method = {toml_str(method)}")
        lines.append("[operations.parameters]")
        for key, (dictionary, p) in params.items():
            lines.append(f"{toml_str(key)} = {{ dictionary = {toml_str(dictionary)}, probability = {p} }}")
    with open(out, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    return 0


def main(argv):
    if len(argv) >= 2 and argv[0] == "findings":
        out = None
        if "--json" in argv:
            i = argv.index("--json")
            out = argv[i + 1]
            argv = argv[:i] + argv[i + 2:]
        paths = [p for a in argv[1:] for p in sorted(glob.glob(a))]
        findings(paths, out)
        return 0
    if len(argv) >= 2 and argv[0] == "config":
        opts = {"--base": None, "--db": None, "--member-email": ""}
        rest = argv[2:]
        api_only = "--api-only" in rest
        rest = [a for a in rest if a != "--api-only"]
        for key, value in zip(rest[::2], rest[1::2]):
            opts[key] = value
        return config(argv[1], opts["--base"], opts["--db"], opts["--member-email"], api_only)
    if len(argv) == 2 and argv[0] == "serverlog":
        return serverlog(argv[1])
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
