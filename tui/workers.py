"""The one place worker failures become something a person sees.

Worker.StateChanged does not bubble, so every view and modal inherits this mixin; the mixin hands the
error to the app, which shows one line (message + fix) and logs the traceback. No traceback ever reaches
the screen.
"""

from __future__ import annotations

from textual.worker import Worker, WorkerState


class WorkerErrors:
    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR and event.worker.error is not None:
            report = getattr(self.app, "report_error", None)  # type: ignore[attr-defined]
            if report is not None:
                report(event.worker.error, where=event.worker.name)
