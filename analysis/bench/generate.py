#!/usr/bin/env python3
"""Writes a large synthetic export folder (the raw export of analysis.md) for benchmarks.

Defaults: 4,000 teams in 40 groups, 4 closed quarterly cycles, 300,000 responses,
about 5.1 million answers (14 likert items, 2 priority picks and the hours of each
response), 200,000 friction reports. Ids are UUID-shaped like devpulse's own.
Deterministic: the same arguments give the same files.

    generate.py DIR [--teams 4000] [--responses 300000] [--cycles 4] [--friction 200000] [--format parquet|csv]
"""
import argparse
import os
import time

import duckdb

AREAS = [
    ("build_test", "Build and test speed", "feedback_loops"), ("ci", "Continuous integration", "feedback_loops"),
    ("code_review", "Code review", "feedback_loops"), ("deploy", "Deployment and release", "feedback_loops"),
    ("local_env", "Local development environment", "feedback_loops"), ("docs", "Documentation", "cognitive_load"),
    ("codebase", "Codebase and tech debt", "cognitive_load"), ("debugging", "Debugging and observability", "cognitive_load"),
    ("cross_team", "Working across teams", "cognitive_load"), ("change_confidence", "Confidence in changes", "cognitive_load"),
    ("deep_work", "Time for deep work", "flow_state"), ("planning", "Planning and priorities", "flow_state"),
    ("on_call", "On-call load", "flow_state"), ("incident_response", "Incident response", "flow_state"),
]


def uid(expr):
    """A UUID-shaped id from the md5 of a SQL expression."""
    h = f"md5({expr})"
    return (f"(substr({h}, 1, 8) || '-' || substr({h}, 9, 4) || '-4' || substr({h}, 14, 3) || '-a' || "
            f"substr({h}, 18, 3) || '-' || substr({h}, 21, 12))")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder")
    ap.add_argument("--teams", type=int, default=4000)
    ap.add_argument("--responses", type=int, default=300_000)
    ap.add_argument("--cycles", type=int, default=4)
    ap.add_argument("--friction", type=int, default=200_000)
    ap.add_argument("--format", choices=["parquet", "csv"], default="parquet")
    a = ap.parse_args()
    os.makedirs(a.folder, exist_ok=True)
    started = time.perf_counter()
    con = duckdb.connect()
    con.execute("SELECT setseed(0.42)")
    con.execute("CREATE TABLE area_list (i INTEGER, area_id VARCHAR, name VARCHAR, dimension VARCHAR)")
    con.executemany("INSERT INTO area_list VALUES (?, ?, ?, ?)", [(i, *x) for i, x in enumerate(AREAS)])
    tables = {
        "areas": "SELECT area_id, name, dimension FROM area_list ORDER BY i",
        "teams": f"""SELECT {uid("'team' || i")} AS team_id, 'team-' || i AS slug, 'Team ' || i AS name,
                     CASE WHEN i % 50 = 49 THEN NULL ELSE 'Group ' || (i % 40) END AS group_name,
                     CASE WHEN i % 10 = 0 THEN 'platform' ELSE 'stream-aligned' END AS kind, 5 + (i * 7) % 20 AS headcount
                     FROM range({a.teams}) t(i)""",
        "surveys": "SELECT 'survey-devex' AS survey_id, 'Developer experience check-in' AS title, 'quarterly' AS cadence",
        "questions": """SELECT 'q-' || area_id AS question_id, 'survey-devex' AS survey_id, i + 1 AS position, 'likert5' AS kind,
                        area_id, 'How satisfied are you with ' || name || '?' AS prompt FROM area_list
                        UNION ALL SELECT 'q-pick', 'survey-devex', 15, 'priority_pick', NULL, 'Pick up to three'
                        UNION ALL SELECT 'q-hours', 'survey-devex', 16, 'hours', NULL, 'Hours lost per week'
                        UNION ALL SELECT 'q-text', 'survey-devex', 17, 'text', NULL, 'Anything else?'""",
        "cycles": f"""SELECT 'cycle-' || c AS cycle_id, 'survey-devex' AS survey_id,
                      CAST(DATE '2025-01-06' + INTERVAL (3 * c) MONTH AS DATE)::VARCHAR AS opens_on,
                      CAST(DATE '2025-01-20' + INTERVAL (3 * c) MONTH AS DATE)::VARCHAR AS closes_on,
                      'closed' AS status FROM range({a.cycles}) t(c)""",
    }
    for name, sql in tables.items():
        con.execute(f"CREATE TABLE {name} AS {sql}")
    con.execute("CREATE TABLE team_ids AS SELECT row_number() OVER () - 1 AS t, team_id FROM teams")
    con.execute(f"""CREATE TABLE responses AS
        SELECT {uid("'response' || r")} AS response_id, 'cycle-' || (r % {a.cycles}) AS cycle_id,
               ti.team_id, c.opens_on AS submitted_on, r
        FROM range({a.responses}) x(r)
        JOIN team_ids ti ON ti.t = (hash(r) % {a.teams})
        JOIN cycles c ON c.cycle_id = 'cycle-' || (r % {a.cycles})""")
    # Answers: 14 likert values per response, moved by area, team and cycle; 2 picks; hours.
    con.execute(f"""CREATE TABLE answers AS
        SELECT response_id, 'q-' || al.area_id AS question_id,
               CAST(least(5, greatest(1, round(3 + (hash(r * 31 + al.i) % 1000) / 500.0 - 1
                    + CASE WHEN al.area_id = 'ci' THEN (r % {a.cycles}) * 0.3 - 0.6 ELSE 0 END
                    + (CAST(hash(team_id) % 7 AS BIGINT) - 3) / 10.0))) AS DOUBLE) AS value_num,
               CAST(NULL AS VARCHAR) AS choice
        FROM responses, area_list al
        UNION ALL
        SELECT response_id, 'q-pick', NULL, (SELECT area_id FROM area_list WHERE i = hash(r * 7 + p) % 14)
        FROM responses, range(2) pk(p)
        UNION ALL
        SELECT response_id, 'q-hours', CAST(hash(r) % 12 AS DOUBLE), NULL FROM responses""")
    con.execute("""CREATE TABLE participation AS
        SELECT cycle_id, team_id, CAST(ceil(count(*) / 0.8) AS BIGINT) AS invited, count(*) AS responded
        FROM responses GROUP BY 1, 2""")
    con.execute(f"""CREATE TABLE friction_reports AS
        SELECT {uid("'friction' || f")} AS report_id,
               CASE WHEN f % 9 = 0 THEN NULL ELSE (SELECT team_id FROM team_ids WHERE t = hash(f) % {a.teams}) END AS team_id,
               (SELECT area_id FROM area_list WHERE i = hash(f * 3) % 14) AS area_id,
               CAST(DATE '2025-01-01' + CAST(hash(f * 5) % (91 * {a.cycles}) AS INTEGER) AS VARCHAR) AS created_on,
               [5, 10, 15, 30, 45, 60, 120, 240][CAST(1 + hash(f * 11) % 8 AS BIGINT)] AS minutes_lost,
               ['one_off', 'monthly', 'weekly', 'daily'][CAST(1 + hash(f * 13) % 4 AS BIGINT)] AS frequency,
               CAST(1 + hash(f * 17) % 4 AS BIGINT) AS severity,
               ['new', 'triaged', 'planned', 'in_progress', 'done', 'wont_fix'][CAST(1 + hash(f * 19) % 6 AS BIGINT)] AS status,
               CAST(hash(f * 23) % 6 AS BIGINT) AS me_too, CAST(NULL AS VARCHAR) AS resolved_on,
               CASE WHEN f % 40 = 39 THEN {uid("'friction' || (f - 1)")} END AS duplicate_of
        FROM range({a.friction}) x(f)""")
    con.execute("""CREATE TABLE roadmap_items AS
        SELECT 'item-' || i AS item_id, 'Improve ' || name AS title, area_id,
               ['proposed', 'planned', 'in_progress', 'shipped', 'dropped'][1 + i % 5] AS status,
               CASE WHEN i % 5 = 3 THEN '2025-06-01' END AS shipped_on FROM area_list""")
    order = {"teams": "slug", "responses": "response_id", "answers": "response_id, question_id"}
    for name in ["teams", "areas", "surveys", "questions", "cycles", "participation", "responses", "answers",
                 "friction_reports", "roadmap_items"]:
        cols = "* EXCLUDE (r)" if name == "responses" else "*"
        path = os.path.join(a.folder, f"{name}.{a.format}")
        fmt = "(FORMAT parquet, COMPRESSION zstd)" if a.format == "parquet" else "(FORMAT csv, HEADER)"
        con.execute(f"COPY (SELECT {cols} FROM {name} {'ORDER BY ' + order[name] if name in order else ''}) TO '{path}' {fmt}")
    counts = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ["teams", "responses", "answers", "friction_reports"]}
    print(f"wrote {a.folder} in {time.perf_counter() - started:.1f}s: {counts}")


if __name__ == "__main__":
    main()
