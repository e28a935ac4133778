#!/usr/bin/env python3
"""Rebuilds the invitation tokens of every unused invitation (HMAC of the secret key,
as store::invitations::token_for does) from a SQLite database, one per line."""
import base64, hashlib, hmac, sqlite3, sys

db = sqlite3.connect(sys.argv[1])
key = db.execute("SELECT value FROM settings WHERE key = 'invitation_key'").fetchone()[0].encode()
with open(sys.argv[2], "w") as out:
    for (inv,) in db.execute("SELECT invitation_id FROM invitations WHERE used = 0 ORDER BY invitation_id"):
        mac = hmac.new(key, b"invitation:" + inv.encode(), hashlib.sha256).digest()
        out.write(base64.urlsafe_b64encode(mac).rstrip(b"=").decode() + "\n")
