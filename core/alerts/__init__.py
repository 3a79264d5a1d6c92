"""Alert emails that people read: sent on a change of state, never once per run.

- `machine`: the pure state machine (problem starts / cause changes / reminder / resolved; detailed logs at
  most hourly) and why the state is recorded before an email is sent.
- `record`: where each user's alert state is kept (their sync state file) and how it reads to people.

The user's warning emails (core.sync.alerting) and the admins' escalation (core.escalation) both go by
it. This package never composes or sends an email and never talks to Google.
"""
