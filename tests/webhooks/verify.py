"""Verifies recorded webhook requests with the `standardwebhooks` package
(PyPI), an implementation independent of devpulse's.

Usage: python3 verify.py SECRET < requests.jsonl
Prints one line per request: "ok <webhook-id>" or "bad <webhook-id> <why>".
"""

import json
import sys

from standardwebhooks import Webhook

webhook = Webhook(sys.argv[1])
for line in sys.stdin:
    if not line.strip():
        continue
    r = json.loads(line)
    msg_id = r["headers"].get("webhook-id", "?")
    try:
        webhook.verify(r["body"], r["headers"])
        print(f"ok {msg_id}")
    except Exception as e:  # noqa: BLE001 - any failure is a refusal
        print(f"bad {msg_id} {type(e).__name__}: {e}")
