"""Live sync figures (issue 14): `studiosync serve` against the Google emulator, 20 users.

    .venv/bin/python bench/live.py [--users 20] [--edits 200] [--google-edits 200] [--idle-minutes 5]

Everything is watched from outside, as a person would: the emulator runs in its own process and is read
and driven over its HTTP control API; the studio is changed and read with the `studiosync` CLI.

1. Push on save: EDITS studio changes (new appointments, and title changes of earlier ones) made by CLI
   processes at random moments; latency = from the CLI command's exit to the event on Google (polled every
   50 ms). Target p95 < 10 s.
2. Fast pull: GOOGLE_EDITS events added through the emulator's control API at random moments; latency =
   from the POST to the appointment in `studiosync appointments list --json` (polled every second).
   Target p95 < 75 s with the default pull_every (60 s).
3. Idle: counters reset, nothing changes for --idle-minutes; Calendar requests per user per minute
   (target <= 1.1; the scheduled full run every 15 minutes adds its one listing per user when it falls in
   the window) and the CPU seconds `serve` used per idle minute (/proc/PID/stat).

Prints one table. Not a timed test.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")

from studiosync.core.google.tokens import StoredToken  # noqa: E402
from studiosync.core.model.users import GooglePrefs  # noqa: E402
from studiosync.core.studio.studio import Studio  # noqa: E402
from studiosync.core.studio.timeparse import stamp  # noqa: E402
from studiosync.core.sync.mapping import event_id_for  # noqa: E402

CLIENT_ID = "bench-live-client"
CLIENT_SECRET = "bench-live-secret-0123456789"
COMPUTER = "bench-live"
STUDIOSYNC = str(Path(sys.executable).with_name("studiosync"))


# -- the emulator, over HTTP -------------------------------------------------------------------------------
class Emulator:
    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "studiosync.core.emulator", "--port", "0"],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        found = re.search(r"listening on (\S+)", line)
        if not found:
            raise SystemExit(f"the emulator did not start: {line!r}")
        self.url = found.group(1)
        threading.Thread(target=self.proc.stdout.read, daemon=True).start()  # keep its pipe drained

    def call(self, method: str, path: str, body: Any = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(
            f"{self.url}/_emulator{path}",
            data=data,
            method=method,
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(req, timeout=30) as resp:
            raw = resp.read()
        return json.loads(raw) if raw else None

    def event(self, email: str, event_id: str) -> dict[str, Any] | None:
        q = urllib.parse.quote
        try:
            return self.call("GET", f"/accounts/{q(email)}/calendars/{q(email)}/events/{q(event_id)}")
        except urllib.error.HTTPError:
            return None

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)


# -- the studio ---------------------------------------------------------------------------------------------
def cli(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "STUDIOSYNC_COMPUTER": COMPUTER}
    return subprocess.run(
        [STUDIOSYNC, "--home", str(home), *args], capture_output=True, text=True, env=env, timeout=120
    )


def set_up(home: Path, emu: Emulator, users: int) -> list[tuple[str, str]]:
    emu.call("POST", "/clients", {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET})
    secrets = home.parent / "client_secrets.json"
    secrets.write_text(json.dumps(emu.call("GET", f"/clients/{CLIENT_ID}")))
    studio = Studio.open(home)
    studio.prefs.set_google(client_secrets=secrets, api_endpoint=emu.url)
    people = []
    for n in range(users):
        login, email = f"user{n:02d}", f"user{n:02d}@example.com"
        emu.call("POST", "/accounts", {"email": email, "name": login, "timezone": "UTC"})
        grant = emu.call("POST", f"/accounts/{urllib.parse.quote(email)}/authorize", {"client_id": CLIENT_ID})
        studio.users.add(login, login.capitalize())
        studio.secrets.put(
            login,
            StoredToken(grant["refresh_token"], email, CLIENT_ID, tuple(grant["scopes"]), grant["token_uri"]),
        )
        studio.users.save_google_prefs(
            GooglePrefs(
                login=login,
                enabled=True,
                account_email=email,
                calendar_id=email,
                calendar_summary=email,
                two_way=True,
                enabled_at=stamp(),
            )
        )
        people.append((login, email))
    return people


def serve(home: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "STUDIOSYNC_COMPUTER": COMPUTER}
    return subprocess.Popen(
        [STUDIOSYNC, "--home", str(home), "serve"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
        start_new_session=True,
    )


def wait_for(predicate: Any, timeout: float, what: str, interval: float = 0.2) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise SystemExit(f"timed out waiting for {what}")


def full_runs_done(home: Path) -> int:
    try:
        rows = json.loads((home / "store" / "runs.json").read_text())["runs"].values()
    except (OSError, ValueError, KeyError):
        return 0
    return sum(
        1
        for r in rows
        if r.get("job") == "google-sync" and r.get("kind") == "scheduled" and r.get("status") == "ok"
    )


def watching(home: Path) -> bool:
    log = home / "logs" / "studiosync.log"
    return log.exists() and "live sync watching studio changes" in log.read_text(errors="replace")


# -- 1. push on save ----------------------------------------------------------------------------------------
def push_phase(
    home: Path, emu: Emulator, people: list[tuple[str, str]], edits: int, spread: float
) -> list[float]:
    rng = random.Random(14)
    # Bookings already on Google, each edited at most once (an edit of one still on its way would hide the
    # first change's time): (email, appointment id).
    on_google: list[tuple[str, str]] = []
    made_lock = threading.Lock()
    latencies: list[float] = []
    waiting: dict[tuple[str, str], tuple[str, float, bool]] = {}  # -> (title, exit time, new booking)
    waiting_lock = threading.Lock()
    done = threading.Event()

    def poller() -> None:
        while not done.is_set() or waiting:
            with waiting_lock:
                items = list(waiting.items())
            for (email, event_id), (title, exited, new) in items:
                ev = emu.event(email, event_id)
                if ev is not None and ev.get("summary") == title:
                    latencies.append(time.monotonic() - exited)
                    with waiting_lock:
                        waiting.pop((email, event_id), None)
                    if new:
                        with made_lock:
                            on_google.append((email, event_id.removeprefix(event_id_for(""))))
            time.sleep(0.05)

    def edit(n: int) -> None:
        login, email = people[rng.randrange(len(people))]
        with made_lock:
            mine = [i for i, (e, _aid) in enumerate(on_google) if e == email]
            picked = on_google.pop(rng.choice(mine)) if mine and n % 4 == 3 else None
        if picked is not None:  # every fourth: a title change of an earlier booking
            aid, title = picked[1], f"Rescheduled {n}"
            result = cli(home, "appointments", "edit", aid, "--title", title)
        else:
            start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(
                days=1 + n % 20, hours=n % 8
            )
            title = f"Booking {n}"
            result = cli(home, "appointments", "add", login, "--title", title, "--start", start.isoformat(),
                         "--end", (start + timedelta(hours=1)).isoformat())  # fmt: skip
            aid = result.stdout.strip()
        exited = time.monotonic()
        if result.returncode != 0:
            print(f"  edit {n} failed: {result.stderr.strip()}", file=sys.stderr)
            return
        with waiting_lock:
            waiting[(email, event_id_for(aid))] = (title, exited, picked is None)

    thread = threading.Thread(target=poller, daemon=True)
    thread.start()
    moments = sorted(rng.uniform(0, spread) for _ in range(edits))
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=4) as pool:
        for n, at in enumerate(moments):
            time.sleep(max(0.0, started + at - time.monotonic()))
            pool.submit(edit, n)
    done.set()
    wait_for(lambda: not waiting, 120, "every studio edit on Google")
    thread.join(5)
    return latencies


# -- 2. fast pull -------------------------------------------------------------------------------------------
def pull_phase(
    home: Path, emu: Emulator, people: list[tuple[str, str]], edits: int, spread: float
) -> list[float]:
    rng = random.Random(15)
    posted: dict[str, float] = {}
    latencies: list[float] = []
    lock = threading.Lock()

    def poster() -> None:
        moments = sorted(rng.uniform(0, spread) for _ in range(edits))
        started = time.monotonic()
        for n, at in enumerate(moments):
            time.sleep(max(0.0, started + at - time.monotonic()))
            _login, email = people[rng.randrange(len(people))]
            start = datetime.now(UTC).replace(minute=30, second=0, microsecond=0) + timedelta(days=2 + n % 20)
            title = f"From Google {n}"
            emu.call(
                "POST",
                f"/accounts/{urllib.parse.quote(email)}/calendars/{urllib.parse.quote(email)}/events",
                {"summary": title, "start": {"dateTime": start.isoformat()}, "end": {"dateTime": (start + timedelta(hours=1)).isoformat()}},
            )  # fmt: skip
            with lock:
                posted[title] = time.monotonic()

    thread = threading.Thread(target=poster, daemon=True)
    thread.start()
    seen: set[str] = set()
    deadline = time.monotonic() + spread + 300
    while time.monotonic() < deadline:
        listed = cli(home, "appointments", "list", "--json")
        now = time.monotonic()
        titles = {a["title"] for a in json.loads(listed.stdout or "[]")}
        with lock:
            for title, at in posted.items():
                if title not in seen and title in titles:
                    seen.add(title)
                    latencies.append(now - at)
            if len(seen) == edits:
                break
        time.sleep(max(0.0, 1.0 - (time.monotonic() - now)))
    thread.join(5)
    return latencies


# -- 3. idle ------------------------------------------------------------------------------------------------
def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def idle_phase(
    home: Path, emu: Emulator, people: list[tuple[str, str]], pid: int, minutes: float
) -> tuple[float, float, int, float]:
    runs_before = full_runs_done(home)
    emu.call("DELETE", "/requests")
    cpu0, t0 = cpu_seconds(pid), time.monotonic()
    time.sleep(minutes * 60)
    cpu1, took = cpu_seconds(pid), (time.monotonic() - t0) / 60
    calendar = [
        emu.call("GET", f"/requests?account={urllib.parse.quote(e)}")["counts"]["calendar"] for _, e in people
    ]
    per_user = statistics.mean(calendar) / took
    return per_user, max(calendar) / took, full_runs_done(home) - runs_before, (cpu1 - cpu0) / took


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--edits", type=int, default=200, help="studio edits made with the CLI")
    parser.add_argument("--google-edits", type=int, default=200, help="events added on Google")
    parser.add_argument(
        "--spread", type=float, default=150.0, help="seconds each batch of edits spreads over"
    )
    parser.add_argument("--idle-minutes", type=float, default=5.0)
    args = parser.parse_args()

    emu = Emulator()
    tmp = tempfile.TemporaryDirectory()
    home = Path(tmp.name) / "home"
    daemon = None
    try:
        people = set_up(home, emu, args.users)
        assert cli(home, "jobs", "set", "google-sync", "--enable", "--computer", COMPUTER).returncode == 0
        daemon = serve(home)
        wait_for(
            lambda: full_runs_done(home) >= 1 and watching(home), 120, "the first full run and live sync"
        )
        print(f"serve (pid {daemon.pid}) synced {args.users} users once; live sync watching", file=sys.stderr)

        push = push_phase(home, emu, people, args.edits, args.spread)
        print(f"push phase done: {len(push)} edits on Google", file=sys.stderr)
        pull = pull_phase(home, emu, people, args.google_edits, args.spread)
        print(f"pull phase done: {len(pull)} Google edits in the studio", file=sys.stderr)
        per_user, busiest, full_runs, cpu = idle_phase(home, emu, people, daemon.pid, args.idle_minutes)
    finally:
        if daemon is not None:
            daemon.terminate()
            daemon.wait(20)
        emu.stop()
        tmp.cleanup()

    rows = [
        ("studio edit -> Google (s)", push, "p95 < 10"),
        ("Google edit -> studio (s)", pull, "p95 < 75"),
    ]
    print(f"\nlive sync, {args.users} users, `studiosync serve` against the emulator (pull_every 60 s)\n")
    print(f"{'':28} {'n':>5} {'p50':>7} {'p95':>7} {'max':>7}  target")
    for name, values, target in rows:
        if values:
            print(
                f"{name:28} {len(values):>5} {pct(values, 50):>7.2f} {pct(values, 95):>7.2f} {max(values):>7.2f}  {target}"
            )
        else:
            print(f"{name:28} {0:>5} {'-':>7} {'-':>7} {'-':>7}  {target}")
    print(
        f"\nidle {args.idle_minutes:g} min: {per_user:.2f} Calendar requests per user per minute "
        f"(busiest user {busiest:.2f}; {full_runs} scheduled full run(s) in the window)  target <= 1.1"
    )
    print(f"idle CPU of serve: {cpu:.2f} s per minute")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
