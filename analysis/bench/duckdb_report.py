#!/usr/bin/env python3
"""The roadmap priority report of analysis.md, written independently in DuckDB SQL.

It reads an export folder (`devpulse export`, Parquet or CSV) and prints the
priorities of one closed cycle as JSON. The tests use it to recompute the
report by hand; the benchmark uses it as the reference for speed.

    duckdb_report.py DIR [--cycle ID] [--k 5] [--weights 0.4,0.3,0.3] [--lookback-days 90]
"""
import argparse
import json
import os
import sys
import time

import duckdb

Z = 1.959964
TABLES = {
    "teams": "team_id VARCHAR, slug VARCHAR, name VARCHAR, group_name VARCHAR, kind VARCHAR, headcount BIGINT",
    "areas": "area_id VARCHAR, name VARCHAR, dimension VARCHAR",
    "surveys": "survey_id VARCHAR, title VARCHAR, cadence VARCHAR",
    "questions": "question_id VARCHAR, survey_id VARCHAR, position BIGINT, kind VARCHAR, area_id VARCHAR, prompt VARCHAR",
    "cycles": "cycle_id VARCHAR, survey_id VARCHAR, opens_on VARCHAR, closes_on VARCHAR, status VARCHAR",
    "participation": "cycle_id VARCHAR, team_id VARCHAR, invited BIGINT, responded BIGINT",
    "responses": "response_id VARCHAR, cycle_id VARCHAR, team_id VARCHAR, submitted_on VARCHAR",
    "answers": "response_id VARCHAR, question_id VARCHAR, value_num DOUBLE, choice VARCHAR",
    "friction_reports": "report_id VARCHAR, team_id VARCHAR, area_id VARCHAR, created_on VARCHAR, minutes_lost BIGINT, "
    "frequency VARCHAR, severity BIGINT, status VARCHAR, me_too BIGINT, resolved_on VARCHAR, duplicate_of VARCHAR",
    "roadmap_items": "item_id VARCHAR, title VARCHAR, area_id VARCHAR, status VARCHAR, shipped_on VARCHAR",
}

REPORT = """
WITH target AS (
    SELECT * FROM cycles WHERE cycle_id = $cycle
), prev AS (
    SELECT c.* FROM cycles c, target t
    WHERE c.status = 'closed' AND c.survey_id = t.survey_id AND c.opens_on < t.opens_on
    ORDER BY c.opens_on DESC LIMIT 1
), cyc AS (
    SELECT cycle_id, survey_id, closes_on FROM target UNION ALL SELECT cycle_id, survey_id, closes_on FROM prev
), resp AS (
    SELECT r.response_id, r.cycle_id FROM responses r JOIN cyc USING (cycle_id)
), likert AS (
    SELECT q.question_id, q.area_id FROM questions q JOIN target t USING (survey_id) WHERE q.kind = 'likert5'
), counts AS (
    SELECT r.cycle_id, l.area_id, count(*) AS n, sum(CASE WHEN a.value_num <= 2 THEN 1 ELSE 0 END) AS unfav
    FROM answers a JOIN likert l USING (question_id) JOIN resp r USING (response_id)
    WHERE a.value_num IS NOT NULL AND l.area_id IS NOT NULL
    GROUP BY 1, 2
), wilson AS (
    SELECT cycle_id, area_id, n, unfav::DOUBLE / n AS p,
           (unfav::DOUBLE / n + $z2 / (2.0 * n)
             - $z * sqrt((unfav::DOUBLE / n) * (1 - unfav::DOUBLE / n) / n + $z2 / (4.0 * n * n))) / (1 + $z2 / n) AS lo
    FROM counts
), picks AS (
    SELECT DISTINCT r.cycle_id, a.response_id, a.choice
    FROM answers a
    JOIN questions q ON q.question_id = a.question_id AND q.kind = 'priority_pick'
    JOIN target t ON q.survey_id = t.survey_id
    JOIN resp r ON r.response_id = a.response_id
    WHERE a.choice IS NOT NULL
), votes AS (
    SELECT cycle_id, choice AS area_id, count(DISTINCT response_id) AS votes FROM picks GROUP BY 1, 2
), pickers AS (
    SELECT cycle_id, count(DISTINCT response_id) AS n FROM picks GROUP BY 1
), friction AS (
    SELECT c.cycle_id, f.area_id,
           sum(f.minutes_lost / 60.0 * CASE f.frequency WHEN 'daily' THEN 5.0 WHEN 'weekly' THEN 1.0
               WHEN 'monthly' THEN 12.0 / 52.0 WHEN 'one_off' THEN 1.0 / 13.0 END * (1 + f.me_too)) AS hours,
           count(*) AS reports, count(DISTINCT f.team_id) AS teams
    FROM friction_reports f, cyc c
    WHERE f.duplicate_of IS NULL AND f.status NOT IN ('done', 'wont_fix')
      AND f.created_on >= CAST(CAST(c.closes_on AS DATE) - $lookback AS VARCHAR) AND f.created_on <= c.closes_on
    GROUP BY 1, 2
), grid AS (
    SELECT c.cycle_id, a.area_id, a.name, a.dimension FROM cyc c, areas a
), components AS (
    SELECT g.cycle_id, g.area_id, g.name, g.dimension,
           CASE WHEN w.n >= $k THEN w.n END AS n,
           CASE WHEN w.n >= $k THEN w.p END AS pct_unfavorable,
           CASE WHEN w.n >= $k THEN w.lo ELSE 0.0 END AS survey_pain,
           CASE WHEN coalesce(pk.n, 0) >= $k THEN coalesce(v.votes, 0)::DOUBLE / pk.n END AS vote_share,
           coalesce(f.hours, 0.0) AS friction_hours,
           coalesce(f.reports, 0) AS friction_reports,
           coalesce(f.teams, 0) AS teams_affected
    FROM grid g
    LEFT JOIN wilson w USING (cycle_id, area_id)
    LEFT JOIN votes v USING (cycle_id, area_id)
    LEFT JOIN pickers pk USING (cycle_id)
    LEFT JOIN friction f USING (cycle_id, area_id)
), scored AS (
    SELECT *, 100.0 * ($ws * survey_pain + $wv * coalesce(vote_share, 0.0)
        + $wf * CASE WHEN max(friction_hours) OVER (PARTITION BY cycle_id) > 0
                     THEN friction_hours / max(friction_hours) OVER (PARTITION BY cycle_id) ELSE 0.0 END)
        / ($ws + $wv + $wf) AS priority
    FROM components
)
SELECT row_number() OVER (ORDER BY t.priority DESC, t.area_id) AS rank,
       t.area_id, t.name AS area_name, t.dimension, t.priority, t.survey_pain, t.pct_unfavorable, t.n,
       t.vote_share, t.friction_hours, t.friction_reports, t.teams_affected,
       t.priority - p.priority AS priority_delta
FROM scored t
LEFT JOIN scored p ON p.area_id = t.area_id AND p.cycle_id = (SELECT cycle_id FROM prev)
WHERE t.cycle_id = (SELECT cycle_id FROM target)
ORDER BY rank
"""


def connect(folder, threads=None):
    con = duckdb.connect()
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    parquet = os.path.exists(os.path.join(folder, "answers.parquet"))
    for table, columns in TABLES.items():
        path = os.path.join(folder, f"{table}.{'parquet' if parquet else 'csv'}")
        if parquet:
            names = ", ".join(c.split()[0] for c in columns.split(", "))
            con.execute(f"CREATE VIEW {table} AS SELECT {names} FROM read_parquet('{path}')")
        else:
            cols = "{" + ", ".join(f"'{c.split()[0]}': '{c.split()[1]}'" for c in columns.split(", ")) + "}"
            con.execute(f"CREATE VIEW {table} AS SELECT * FROM read_csv('{path}', header = true, columns = {cols})")
    return con


def report(con, cycle=None, k=5, weights=(0.4, 0.3, 0.3), lookback=90):
    if cycle is None:
        cycle = con.execute(
            "SELECT cycle_id FROM cycles WHERE status = 'closed' ORDER BY closes_on DESC, cycle_id DESC LIMIT 1"
        ).fetchone()[0]
    params = {"cycle": cycle, "k": k, "z": Z, "z2": Z * Z, "ws": weights[0], "wv": weights[1], "wf": weights[2],
              "lookback": lookback}
    cur = con.execute(REPORT, params)
    names = [d[0] for d in cur.description]
    rows = [dict(zip(names, r)) for r in cur.fetchall()]
    responses = con.execute("SELECT count(*) FROM responses WHERE cycle_id = ?", [cycle]).fetchone()[0]
    return {"cycle_id": cycle, "responses": responses, "priorities": rows}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder")
    ap.add_argument("--cycle")
    ap.add_argument("--k", type=int, default=5)
    ap.add_argument("--weights", default="0.4,0.3,0.3")
    ap.add_argument("--lookback-days", type=int, default=90)
    ap.add_argument("--threads", type=int)
    args = ap.parse_args()
    started = time.perf_counter()
    con = connect(args.folder, args.threads)
    out = report(con, args.cycle, args.k, tuple(float(w) for w in args.weights.split(",")), args.lookback_days)
    out["seconds"] = time.perf_counter() - started
    json.dump(out, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
