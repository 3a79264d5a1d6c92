"""One user's run as it happens: counts, warnings, failures, conflicts and the detailed log.

A warning is for something that needs no action to be correct (the run's status becomes "warning", exit
0); a failure (`fail`) is for something left undone or apart that needs a person or a retry (the run's
status becomes "error", exit 1), recorded while the run goes on with everything else.

Every line goes to the structured log (core.logs: one JSON line, carrying the job, run id and user from the
log context) and is also kept here, so the run record and the optional "detailed sync log" email are built
from exactly what was logged.
"""

from __future__ import annotations

import json
from typing import Any

from studiosync.core import clock, logs
from studiosync.core.sync.failures import Failure, most_urgent
from studiosync.core.sync.runs import zero_counts

DETAIL_LIMIT = 2000  # lines kept for the detailed log email; the log file has everything
_LOG_FILE_ONLY = frozenset({"traceback", "exc"})  # a stack is for the log file, never for an email


class RunLog:
    def __init__(self, login: str, run_id: str) -> None:
        self.login = login
        self.run_id = run_id
        self.counts = zero_counts()
        self.warnings: list[str] = []
        self.conflicts: list[dict[str, Any]] = []
        self.failures: list[Failure] = []
        self.held: dict[str, Any] | None = None  # the held deletions' summary (core.sync.held), if any
        self.details: list[str] = []
        self._dropped = 0

    def count(self, key: str, n: int = 1) -> None:
        self.counts[key] = self.counts.get(key, 0) + n

    def debug(self, message: str, **fields: Any) -> None:
        self._emit("DEBUG", message, fields, keep=False)

    def info(self, message: str, **fields: Any) -> None:
        self._emit("INFO", message, fields)

    def warning(self, message: str, **fields: Any) -> None:
        """A warning of the run: logged, recorded, and it makes the run's status 'warning'."""
        if message not in self.warnings:
            self.warnings.append(message)
        self._emit("WARNING", message, fields)

    def error(self, message: str, **fields: Any) -> None:
        self._emit("ERROR", message, fields)

    def fail(self, message: str, *, cause: str, fix: str | None, **fields: Any) -> None:
        """Something this run left undone or apart (it goes on with the rest): the user's run fails."""
        if all(f.message != message for f in self.failures):
            self.failures.append(Failure(message, cause, fix))
        self._emit("ERROR", message, {"cause": cause, "fix": fix, **fields})

    def line(self, level: str, message: str, **fields: Any) -> None:
        """A line of the run's log only (its status is decided by warning/fail): e.g. each change that
        could not be sent, before the one failure that sums them up."""
        self._emit(level, message, fields)

    def failure(self) -> Failure | None:
        return most_urgent(self.failures)

    def conflict(self, record: dict[str, Any]) -> None:
        """An appointment with fields changed on both sides (core.sync.actions' record): counts one conflict
        per field."""
        fields = list(record.get("fields") or ["?"])
        self.count("conflicts", len(fields))
        self.conflicts.append(record)
        who = "Google" if record.get("winner") == "google" else "the studio"
        self._emit(
            "WARNING",
            f"conflict on {record.get('appointment_id')}: {', '.join(fields)} changed in the studio and on "
            f"Google; kept {who}'s ({record.get('policy')})",
            {"conflict": record},
        )

    def _emit(self, level: str, message: str, fields: dict[str, Any], keep: bool = True) -> None:
        logs.event(level, message, **fields)
        if not keep:
            return
        if len(self.details) >= DETAIL_LIMIT:
            self._dropped += 1
            return
        stamp = clock.now().strftime("%H:%M:%S")
        shown = {k: v for k, v in fields.items() if k not in _LOG_FILE_ONLY}
        extra = f" {json.dumps(shown, default=str, ensure_ascii=False)}" if shown else ""
        self.details.append(f"{stamp} {level:<7} {message}{extra}")

    def detail_lines(self) -> list[str]:
        if self._dropped:
            return [*self.details, f"... {self._dropped} more line(s) in the studiosync log"]
        return list(self.details)
