"""The Control Center: scheduled jobs (Google Sync Processor, backup, compact, log cleanup).

- `base`: what a job is (kind, settings) and what its body receives and returns
- `catalogue`: the registered job kinds and their persisted settings (enabled, schedule, computer, options)
- `computers`: heartbeats of running consoles and daemons, so a job can name a live computer
- `runlock`: one run of a job at a time per computer, across processes
- `history`: bounded run history (the RUNS store file)
- `runner`: run one job now, with lock, history and logs
- `fire_times`: when a job fires (anchored triggers, owed and next fire times)
- `executor`: each fire in its own daemon thread
- `scheduler`: APScheduler wiring, embedded in the console or headless for `studiosync serve`
- `daemon`: `studiosync serve`
- `sync_job`, `housekeeping`: the job bodies
- `service`: the facade the CLI and the console call (never TinyDB directly)
"""
