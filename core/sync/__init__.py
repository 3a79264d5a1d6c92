"""The Google Sync Processor and its engines.

- processor.py   `run_sync(studio, logins, run_id=, stop=, progress=)`: every enabled user, isolated, in a
                 small thread pool; outcomes on the Google tabs, run records, logs, emails, escalation.
- calendar_sync  one user's two-way calendar sync (pull with syncToken, pair, decide, push in batches).
- contacts_sync  Google Contacts -> studio clients (one way, never deletes).
- mapping        appointment <-> event: ids, times and zones, all-day, status, content comparison.
- commit         writes sync results without losing concurrent studio edits.
- state          per-user sync state (tokens, series, populate progress, run history).
- runs, runlog   run records and the per-run log collector.
- services       Calendar/People services from trimmed discovery documents (cheap to build per run).
"""
