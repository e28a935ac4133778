#!/usr/bin/env python3
"""Rows of bench_tokens for tests/load/submit.pgbench, tab-separated for COPY: a
number, the token's hash (as store::hash_secret), a new response id, and the answers
of answers.json as the submission statement takes them (one row per pick, each
with a new answer id)."""
import hashlib, json, sys, uuid

tokens_file, answers_file = sys.argv[1], sys.argv[2]
template = json.load(open(answers_file))["answers"]
for n, token in enumerate(line.strip() for line in open(tokens_file)):
    rows = []
    for a in template:
        base = {"q": a["question_id"], "n": None, "c": None, "t": None}
        for choice in a.get("choices") or []:
            rows.append({**base, "a": str(uuid.uuid4()), "c": choice})
        if "value" in a:
            rows.append({**base, "a": str(uuid.uuid4()), "n": a["value"]})
        if "text" in a:
            rows.append({**base, "a": str(uuid.uuid4()), "t": a["text"]})
    token_hash = hashlib.sha256(token.encode()).hexdigest()
    print(f"{n}\t{token_hash}\t{uuid.uuid4()}\t{json.dumps(rows)}")
