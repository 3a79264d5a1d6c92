"""The Control Center: scheduled jobs (Google Sync Processor, backup, compact, log cleanup).

- `catalogue`: job kinds and their persisted settings (enabled, schedule, computer, options)
- `computers`: heartbeats of running consoles and daemons, so a job can name a live computer
- `runlock`: one run of a job at a time per computer, across processes
- `history`: bounded run history (the RUNS store file)
- `runner`: run one job now, with lock, history and logs
- `scheduler`: APScheduler wiring, embedded in the console or headless for `studiosync serve`
- `service`: the facade the CLI and the console call (never TinyDB directly)
"""
