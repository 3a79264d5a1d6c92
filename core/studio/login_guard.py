"""Failed-login throttling for the web console: per login AND per client address, shared by processes.

`studiosync web` starts one console process per browser session, so the counters live in the store (the
`logins` file: cross-process lock, atomic writes, survives a crash) and every time comes from the one
clock, `core.clock.now()`.

Rules (`Rules`): every FAILURES_PER_LOCK failures in a row lock the login (and, separately, the address)
for BASE_LOCK seconds, doubling with each further lock up to MAX_LOCK. While a key is locked no password
is checked at all, so a right guess during a lock is worth nothing. A successful login clears that login's
record but not the address's: an attacker with one valid account cannot reset the address counter
between guesses at other logins. A record nobody failed on for FORGET_AFTER starts over.

`web_log_in` is the browser console's whole login: lock check, password check, counting, log lines.
Nothing here ever logs or stores a password.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from studiosync.core import clock
from studiosync.core.errors import InputError
from studiosync.core.logs import event, log_context
from studiosync.core.model.users import User
from studiosync.core.store import layout
from studiosync.core.store.store import Store
from studiosync.core.studio.passwords import dummy_verify, verify_password

TABLE = "throttle"


@dataclass(frozen=True)
class Rules:
    """The throttle's rules (the module docstring tells them): failures per lock, the first and the longest
    lock, and when a quiet record is forgotten."""

    failures_per_lock: int = 5
    base_lock: timedelta = timedelta(seconds=30)
    max_lock: timedelta = timedelta(hours=1)
    forget_after: timedelta = timedelta(hours=24)


DEFAULT_RULES = Rules()


@dataclass(frozen=True)
class Lock:
    """Why a login attempt is refused without looking at the password."""

    kind: str  # "login" or "address"
    until: datetime
    seconds_left: int

    def message(self) -> str:
        what = "this user" if self.kind == "login" else "this computer"
        return f"too many failed logins for {what}: try again in {self.seconds_left} s"


@dataclass(frozen=True)
class Failure:
    """What one failed attempt led to: the count so far and the lock it caused, if any."""

    failures: int
    lock: Lock | None


def login_key(login: str) -> str:
    return f"login:{login}"


def address_key(address: str) -> str:
    return f"address:{address}"


class LoginGuard:
    def __init__(self, store: Store, rules: Rules = DEFAULT_RULES) -> None:
        self._store = store
        self.rules = rules

    def locked(self, login: str, address: str) -> Lock | None:
        """The lock that refuses an attempt now (the longer one when both keys are locked), or None."""
        now = clock.now()
        found: list[Lock] = []
        for kind, key in (("login", login_key(login)), ("address", address_key(address))):
            row = self._store.get(layout.LOGINS, TABLE, key)
            lock = _active_lock(kind, row, now)
            if lock is not None:
                found.append(lock)
        return max(found, key=lambda lock: lock.until) if found else None

    def failed(self, login: str, address: str) -> Failure:
        """Count a wrong password for both keys; the worse outcome is returned."""
        now = clock.now()
        results: list[Failure] = []
        with self._store.transaction(layout.LOGINS) as tx:
            table = tx.table(layout.LOGINS, TABLE)
            for kind, key in (("login", login_key(login)), ("address", address_key(address))):
                row = dict(table.get(doc_id=key) or {})
                row, failure = self._count(kind, row, now)
                table.put(key, row)
                results.append(failure)
            # Records of keys nobody tried for a long time go: the file stays small under a spray.
            stale = [
                str(r.doc_id)
                for r in table.all()
                if _older(r.get("last_failure"), now, self.rules.forget_after)
            ]
            if stale:
                table.delete(*stale)
        locks = [f for f in results if f.lock is not None]
        if locks:
            return max(locks, key=lambda f: f.lock.until)  # type: ignore[union-attr]
        return max(results, key=lambda f: f.failures)

    def succeeded(self, login: str) -> None:
        """A right password: the login starts over (the address keeps its count; see the module doc)."""
        self.clear_login(login)

    def clear_login(self, login: str) -> None:
        """Forget a login's failures and lock (a good login, or an admin setting a new password)."""
        key = login_key(login)
        if self._store.get(layout.LOGINS, TABLE, key) is None:
            return
        with self._store.transaction(layout.LOGINS) as tx:
            tx.table(layout.LOGINS, TABLE).delete(key)

    def _count(self, kind: str, row: dict, now: datetime) -> tuple[dict, Failure]:
        rules = self.rules
        if _older(row.get("last_failure"), now, rules.forget_after):
            row = {}
        failures = int(row.get("failures", 0)) + 1
        locks = int(row.get("locks", 0))
        lock: Lock | None = None
        row["last_failure"] = now.isoformat()
        if failures >= rules.failures_per_lock:
            locks += 1
            length = min(rules.base_lock * (2 ** (locks - 1)), rules.max_lock)
            until = now + length
            row["locked_until"] = until.isoformat()
            lock = Lock(kind, until, int(length.total_seconds()))
            failures = 0
        row["failures"] = failures
        row["locks"] = locks
        return row, Failure(failures if lock is None else rules.failures_per_lock, lock)


def _active_lock(kind: str, row: dict | None, now: datetime) -> Lock | None:
    until_text = (row or {}).get("locked_until")
    if not until_text:
        return None
    try:
        until = datetime.fromisoformat(until_text)
    except (TypeError, ValueError):
        return None  # an unreadable stamp must not lock anyone out for ever
    if until <= now:
        return None
    left = until - now
    return Lock(kind, until, max(1, int(left.total_seconds() + 0.999)))


def _older(stamp: object, now: datetime, age: timedelta) -> bool:
    if not isinstance(stamp, str):
        return False
    try:
        return now - datetime.fromisoformat(stamp) > age
    except (TypeError, ValueError):
        return True


class UserDirectory(Protocol):
    """What a login needs of core.studio.users.Users (not imported: Users clears a login's lock through
    this module when a password is set, so importing it here would close a circle)."""

    def find(self, login: str) -> User | None: ...


NO_WEB_PASSWORD = "{login} has no password for the browser yet: ask IT to set your password"
WRONG = "wrong login or password"


def web_log_in(users: UserDirectory, guard: LoginGuard, login: str, password: str, address: str) -> User:
    """A browser login: always a password, throttled, logged with the address (never the password).

    InputError carries what the person sees; a wrong login and a wrong password read the same and take
    the same time (one scrypt), so the page does not tell which logins exist.
    """
    login = (login or "").strip().lower()
    lock = guard.locked(login, address)
    if lock is not None:
        event(
            "WARNING",
            "web login refused: locked",
            login=login,
            address=address,
            retry_after=lock.seconds_left,
        )
        raise InputError(lock.message())
    user = users.find(login) if login else None
    if user is not None and user.kind == "staff" and not user.password_hash:
        _failed(guard, login, address, "no password set")
        raise InputError(NO_WEB_PASSWORD.format(login=login))
    if user is None or user.kind != "staff" or not user.password_hash:
        dummy_verify(password)
        ok = False
    else:
        ok = verify_password(password, user.password_hash)
    if not ok:
        failure = _failed(guard, login, address, "wrong login or password")
        raise InputError(f"{WRONG}; {failure.lock.message()}" if failure.lock else WRONG)
    guard.succeeded(login)
    with log_context(user=login):
        event("INFO", "web login", login=login, address=address, admin=user.admin)
    return user


def _failed(guard: LoginGuard, login: str, address: str, why: str) -> Failure:
    failure = guard.failed(login, address)
    fields = {"login": login, "address": address, "reason": why, "failures": failure.failures}
    if failure.lock is not None:
        fields.update(locked=failure.lock.kind, lock_seconds=failure.lock.seconds_left)
    with log_context(user=login or None):
        event("WARNING", "web login failed", **fields)
    return failure
