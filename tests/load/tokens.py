#!/usr/bin/env python3
"""Rebuilds the invitation tokens of every unused invitation (HMAC of the secret key,
as store::invitations::token_for does), one per line, from a SQLite database file or
a PostgreSQL URL (read with psql)."""
import base64, hashlib, hmac, sqlite3, subprocess, sys

source, target = sys.argv[1], sys.argv[2]
KEY = "SELECT value FROM settings WHERE key = 'invitation_key'"
IDS = "SELECT invitation_id FROM invitations WHERE used = {false} ORDER BY invitation_id"
if source.startswith("postgres"):
    def rows(sql):
        out = subprocess.run(["psql", source, "-At", "-c", sql], check=True, capture_output=True, text=True).stdout
        return [line for line in out.splitlines() if line]
    key = rows(KEY)[0].encode()
    ids = rows(IDS.format(false="false"))
else:
    db = sqlite3.connect(source)
    key = db.execute(KEY).fetchone()[0].encode()
    ids = [r[0] for r in db.execute(IDS.format(false="0"))]
with open(target, "w") as out:
    for inv in ids:
        mac = hmac.new(key, b"invitation:" + inv.encode(), hashlib.sha256).digest()
        out.write(base64.urlsafe_b64encode(mac).rstrip(b"=").decode() + "\n")
