"""The one place worker failures become something a person sees.

Worker.StateChanged does not bubble, so every view and dialog inherits this mixin. The failure is logged
(tui.failures: one line, the traceback only at DEBUG) and shown as one line: inside the dialog when a
dialog's worker failed (its fields stay as typed), else as a toast. No traceback ever reaches the screen.
"""

from __future__ import annotations

from textual.worker import Worker, WorkerState


class WorkerErrors:
    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is not WorkerState.ERROR or event.worker.error is None:
            return
        report = getattr(self.app, "report_error", None)  # type: ignore[attr-defined]
        if report is None:
            return
        own = getattr(self, "worker_failed", None)
        line = report(event.worker.error, where=event.worker.name, toast=own is None)
        if own is not None:
            own(line)
