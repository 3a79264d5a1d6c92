"""The Google Sync Processor and its engines.

- processor.py    `run_sync(studio, logins, run_id=, stop=, progress=, options=)`: every enabled user,
                  isolated, in a small thread pool. It is handed its SyncOptions (options.py); the jobs
                  layer reads them from the google-sync job (core.sync never imports core.jobs).
- outcomes        after each user: failure in words, run record, emails, Google tab outcomes, escalation.
- calendar_sync   one user's two-way calendar run: pull (list -> expand -> plan -> commit -> token), push.
    calendar_run  what one calendar run knows (user, calendar, switches, window, handles, tallies).
    listing       events.list pages: syncToken, full listing, 410 fallback.
    series        recurring masters -> instances in the window; vanished instances; exceptions.
    pairing       which event belongs to which appointment; the facts of one pair.
    rules         the pure decision table: decide(Pair) -> Action. No I/O.
    plan          pairs decided and turned into Decisions (writes, purges, clears, pushes), not yet applied.
    guard         the mass-deletion guard: holds too many deletions back; a person's release applies/undoes.
    held          the held record (per side, in the sync state) and how it reads: summary, message, fix.
    restore       held studio deletions undone from Google's copies (--restore-deleted).
    push          PushOps in batches of <= 50; 409/404 bounces; failures; link bookkeeping.
    failures      which Google problems end a user's run; Failure (what a failed run reports).
- contacts_sync   Google Contacts -> studio clients (one way, never deletes; linked by resourceName).
- mapping         appointment <-> event: ids, times and zones, all-day, status, content comparison.
- commit          writes sync results without losing concurrent studio edits.
- state           per-user sync state (tokens, series, populate progress, run history).
- runs, runlog    run records and the per-run log collector.
- services        Calendar/People services from trimmed discovery documents; the credentials cache.
"""
