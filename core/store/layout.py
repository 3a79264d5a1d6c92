"""Names of the store files and how appointments are partitioned.

- `studio`: users, client groups, company preferences, each user's Google tab (small, rarely written)
- `clients`: studio clients
- `jobs`: the Control Center job catalogue; `computers`: process heartbeats (written often, kept apart)
- `runs`: bounded run history
- `logins`: failed-login counters and locks of the web console, shared by its per-session processes
- `appts/<user-key>/<bucket>`: one user's appointments, hashed into BUCKETS buckets so an edit rewrites a
  small file (with 128, a 50,000-appointment book keeps each bucket near 400 appointments)
- `pending/<user-key>`: ids of that user's appointments changed in the studio since they last synced: the
  sync reads this one small file to find studio changes, whatever the size of the book
- `sync/<user-key>`: that user's sync state (Google sync tokens, populate progress, run history, alert
  emails' state)
- `live`: live sync's marks (when each user last pushed / pulled) and the measured request rate

Appointment ids start with the owner's user key, so an id alone finds its file without a global index.
"""

from __future__ import annotations

try:  # start-up: the builtin SHA-1 spares every command loading OpenSSL through hashlib (a few ms)
    from _sha1 import sha1
except ImportError:  # pragma: no cover - a Python built without its builtin hashes
    from hashlib import sha1

STUDIO = "studio"
CLIENTS = "clients"
JOBS = "jobs"
COMPUTERS = "computers"
RUNS = "runs"
LIVE = "live"
LOGINS = "logins"

BUCKETS = 128  # schema 2 (schema 1 had 16): changing it needs a migration (core.store.schema.rebucket_file)
APPOINTMENTS_TABLE = "appointments"  # in each bucket file
PENDING_TABLE = "pending"  # in each pending file: appointment id -> {"revision": n}
SYNC_RUNS_TABLE = "runs"  # in each sync state file: the user's run history (kept when the state resets)
# In each sync state file: the alert emails' state (core.alerts), kept when the sync state resets (an
# account switch must not forget which problem a person was told about).
ALERTS_TABLE = "alerts"
USER_KEY_LEN = 6
ID_LEN = 32


def user_key(login: str) -> str:
    """A short stable hex key for a login (base32hex-safe, usable in Google event ids)."""
    return sha1(login.encode("utf-8")).hexdigest()[:USER_KEY_LEN]


def new_appointment_id(login: str) -> str:
    import uuid  # start-up: uuid loads the platform module; only adding an appointment needs it

    return user_key(login) + uuid.uuid4().hex[: ID_LEN - USER_KEY_LEN]


def derived_appointment_id(login: str, seed: str) -> str:
    """Deterministic id for an appointment that came from Google (same event -> same appointment)."""
    digest = sha1(f"{login}\0{seed}".encode()).hexdigest()
    return user_key(login) + digest[: ID_LEN - USER_KEY_LEN]


def bucket_of(appointment_id: str) -> int:
    return int(sha1(appointment_id.encode("utf-8")).hexdigest()[:4], 16) % BUCKETS


def appointments_file(login: str, bucket: int) -> str:
    return bucket_file(user_key(login), bucket)


def bucket_file(key: str, bucket: int) -> str:
    """The bucket file of a user key (migrations work from the files on disk, without logins)."""
    return f"appts/{key}/{bucket:02d}"


def appointment_file_for(login: str, appointment_id: str) -> str:
    return appointments_file(login, bucket_of(appointment_id))


def all_appointment_files(login: str) -> list[str]:
    return [appointments_file(login, b) for b in range(BUCKETS)]


def pending_file(login: str) -> str:
    return pending_file_of_key(user_key(login))


def pending_file_of_key(key: str) -> str:
    return f"pending/{key}"


def sync_state_file(login: str) -> str:
    return f"sync/{user_key(login)}"


def looks_like_appointment_id(text: str) -> bool:
    return len(text) == ID_LEN and all(c in "0123456789abcdef" for c in text)
