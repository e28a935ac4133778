"""Shared pieces of the fault suite (tests/faults): a devpulse binary on a fresh
database (SQLite file or a new PostgreSQL database on the local server), its
HTTP API, invitation tokens, and bounded waits. Loopback only; every loop is
bounded in count and time. Standard library only, except where a scenario
imports aiosmtpd itself."""
import base64
import hashlib
import hmac
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
PG = os.environ.get("DEVPULSE_FAULTS_PG", "postgres://postgres@127.0.0.1:5432")


def binary():
    """The devpulse binary under test: $DEVPULSE_BIN, else the debug build."""
    path = os.environ.get("DEVPULSE_BIN", os.path.join(ROOT, "target", "debug", "devpulse"))
    if not os.path.exists(path):
        sys.exit(f"{path} is missing: build it first (cargo build -p devpulse)")
    return path


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def log(*args):
    print("[faults]", *args, flush=True)


class Failure(AssertionError):
    pass


def check(cond, message):
    if not cond:
        raise Failure(message)


class Database:
    """A fresh database: a SQLite file in `workdir`, or a new database on the
    local PostgreSQL server, dropped by `drop()`."""

    def __init__(self, backend, workdir):
        self.backend = backend
        if backend == "postgres":
            self.name = f"devpulse_faults_{os.getpid()}_{int(time.time() * 1000) % 10**8}"
            self.psql("postgres", f"CREATE DATABASE {self.name}")
            self.url = f"{PG}/{self.name}"
        else:
            self.path = os.path.join(workdir, "devpulse.db")
            self.url = f"sqlite://{self.path}?mode=rwc"

    def psql(self, db, sql):
        out = subprocess.run(["psql", f"{PG}/{db}", "-At", "-c", sql], check=True, capture_output=True, text=True)
        return [line for line in out.stdout.splitlines() if line]

    def rows(self, sql):
        """Rows of a query, each a list of strings (PostgreSQL) or values (SQLite)."""
        if self.backend == "postgres":
            return [line.split("|") for line in self.psql(self.name, sql)]
        if getattr(self, "namespace_of", None):
            # A file in another mount namespace: read it from inside (SQLite
            # resolves /proc/PID/root to this namespace's root).
            script = ("import json, sqlite3, sys; db = sqlite3.connect(sys.argv[1], timeout=30); "
                      "print(json.dumps([list(r) for r in db.execute(sys.argv[2])]))")
            out = subprocess.run(["nsenter", "-t", str(self.namespace_of), "-m", sys.executable, "-c", script,
                                  self.path, sql], check=True, capture_output=True, text=True, timeout=60)
            return json.loads(out.stdout)
        db = sqlite3.connect(self.path, timeout=30)
        try:
            return [list(r) for r in db.execute(sql)]
        finally:
            db.close()

    def scalar(self, sql):
        return self.rows(sql)[0][0]

    def execute(self, sql):
        if self.backend == "postgres":
            self.psql(self.name, sql)
        else:
            db = sqlite3.connect(self.path, timeout=30)
            try:
                db.execute(sql)
                db.commit()
            finally:
                db.close()

    def false(self):
        return "false" if self.backend == "postgres" else "0"

    def true(self):
        return "true" if self.backend == "postgres" else "1"

    def drop(self):
        if self.backend == "postgres":
            self.psql("postgres", f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)")


def run_cli(db_url, *args, env=None, check_rc=True):
    full = dict(os.environ, DATABASE_URL=db_url, RUST_LOG="warn", **(env or {}))
    out = subprocess.run([binary(), *args], capture_output=True, text=True, env=full, timeout=600)
    if check_rc and out.returncode != 0:
        raise Failure(f"devpulse {' '.join(args)} exited {out.returncode}: {out.stderr.strip()[-500:]}")
    return out.stdout.strip()


class Server:
    """One `devpulse serve` process on a free loopback port."""

    def __init__(self, db_url, workdir, env=None, name="serve", wrap=None):
        """`wrap`: a command that runs the binary, given as "$0" and its
        arguments as "$@" (e.g. a mount namespace of its own)."""
        self.db_url, self.workdir, self.name, self.wrap = db_url, workdir, name, wrap or []
        self.env = dict(os.environ, DATABASE_URL=db_url, DEVPULSE_MAIL_DIR=os.path.join(workdir, "mail"),
                        DEVPULSE_TICK_SECONDS="3600", RUST_LOG="info")
        self.env.update(env or {})
        self.port = free_port()
        self.proc = None

    @property
    def base(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self, wait=True):
        logfile = open(os.path.join(self.workdir, f"{self.name}.log"), "ab")
        self.proc = subprocess.Popen([*self.wrap, binary(), "serve", "--bind", f"127.0.0.1:{self.port}",
                                      "--base-url", self.base], env=self.env, stdout=logfile, stderr=logfile)
        if wait:
            self.wait_healthy()
        return self

    def wait_healthy(self, seconds=60):
        deadline = time.time() + seconds
        while time.time() < deadline:
            check(self.proc.poll() is None, f"{self.name} exited with {self.proc.returncode}; see {self.log_path()}")
            try:
                with urllib.request.urlopen(self.base + "/health", timeout=2) as r:
                    if r.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.1)
        raise Failure(f"{self.name} did not become healthy in {seconds}s")

    def log_path(self):
        return os.path.join(self.workdir, f"{self.name}.log")

    def kill9(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=30)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill9()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def request(method, url, body=None, token=None, headers=None, timeout=30, raw=None):
    """One HTTP request; returns (status, headers, body bytes). Never raises for
    a status, and never follows a redirect (a 303 is the answer)."""
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    h = dict(headers or {})
    if body is not None and raw is None:
        h.setdefault("Content-Type", "application/json")
    if token:
        h["Authorization"] = f"Bearer {token}"
    req = urllib.request.Request(url, data=data, method=method, headers=h)
    try:
        with _OPENER.open(req, timeout=timeout) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def api(server, method, path, body=None, token=None, expect=None):
    status, _, data = request(method, server.base + path, body, token)
    if expect is not None:
        check(status in (expect if isinstance(expect, (list, tuple)) else [expect]),
              f"{method} {path}: {status} {data[:300]!r}")
    try:
        return status, json.loads(data) if data else None
    except ValueError:
        return status, data


def demo(db_url, teams=20, people=400):
    run_cli(db_url, "demo", "--teams", str(teams), "--people", str(people), "--cycles", "0", "--friction", "0",
            "--no-open-cycle")


def api_token(db_url, name="faults"):
    return run_cli(db_url, "token", "create", name).splitlines()[-1].strip()


def open_cycle(server, token, opens_on=None, closes_on=None):
    """The default DevEx survey and a cycle on it opening today (its invitations
    are queued at once). Returns (survey, cycle)."""
    _, survey = api(server, "POST", "/api/v1/surveys", {"template": "devex"}, token, expect=201)
    body = {"opens_on": opens_on or time.strftime("%Y-%m-%d", time.gmtime())}
    if closes_on:
        body["closes_on"] = closes_on
    _, cycle = api(server, "POST", f"/api/v1/surveys/{survey['survey_id']}/cycles", body, token, expect=201)
    return survey, cycle


def invitation_tokens(db, cycle_id=None):
    """Tokens of every unused invitation (HMAC of the stored link key, as
    store::invitations::token_for does), of one cycle or all, in invitation order."""
    key = db.scalar("SELECT value FROM settings WHERE key = 'invitation_key'").encode()
    of_cycle = f" AND cycle_id = '{cycle_id}'" if cycle_id else ""
    ids = [r[0] for r in db.rows(f"SELECT invitation_id FROM invitations WHERE used = {db.false()}{of_cycle} "
                                 "ORDER BY invitation_id")]
    out = []
    for inv in ids:
        mac = hmac.new(key, b"invitation:" + inv.encode(), hashlib.sha256).digest()
        out.append(base64.urlsafe_b64encode(mac).rstrip(b"=").decode())
    return out


def answers_for(survey, seed=0):
    """A complete set of answers to `survey`."""
    answers = []
    for i, q in enumerate(survey["questions"]):
        kind = q["kind"]
        if kind == "likert5":
            answers.append({"question_id": q["question_id"], "value": 1 + (i + seed) % 5})
        elif kind == "priority_pick":
            answers.append({"question_id": q["question_id"], "choices": ["ci", "docs"]})
        elif kind == "hours":
            answers.append({"question_id": q["question_id"], "value": (i + seed) % 9})
        elif kind == "nps":
            answers.append({"question_id": q["question_id"], "value": (i + seed) % 11})
        else:
            answers.append({"question_id": q["question_id"], "text": f"Builds are slow ({seed})."})
    return answers


class Workdir:
    """A temporary folder, kept when the scenario fails (its logs say why)."""

    def __init__(self, name):
        self.path = tempfile.mkdtemp(prefix=f"devpulse-{name}-")

    def __enter__(self):
        return self.path

    def __exit__(self, kind, value, tb):
        if kind is None and not os.environ.get("DEVPULSE_FAULTS_KEEP"):
            shutil.rmtree(self.path, ignore_errors=True)
        else:
            log(f"kept {self.path} for its logs")
        return False


def main(scenarios):
    """Runs the named scenario functions (all by default, or those given on the
    command line); exits 1 on the first failure with its message."""
    wanted = sys.argv[1:] or list(scenarios)
    for name in wanted:
        started = time.time()
        log(f"scenario {name}")
        try:
            scenarios[name]()
        except Failure as e:
            log(f"FAILED {name}: {e}")
            sys.exit(1)
        log(f"ok {name} ({time.time() - started:.1f}s)")
