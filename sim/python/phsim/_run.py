"""phsim.run: a run in process, its summary and trajectory."""
import ctypes
import json
import os

from . import _errors, _lib, _setup, _stop
from ._trajectory import Rows


class Result:
    """A run: .config (the resolved configuration), .summary (what
    summary.json holds), .trajectory (trajectory.csv's table)."""

    def __init__(self, summary, trajectory):
        self.summary = summary
        self.config = summary["config"]
        self.trajectory = trajectory

    @property
    def status(self):
        """"ok", "diverged" or "interrupted"."""
        return self.summary["status"]

    def __repr__(self):
        return (f"<phsim.Result {self.status}: {len(self.trajectory['step'])} rows, "
                f"features_learned {self.summary['features_learned']}>")


def _callback(rows, stop, on_row, progress, steps):
    """The C row callback: copy the row, then call on_row(Row) and
    progress(step, steps); an exception stops the run and is raised."""

    def on_c_row(_ctx, row_ptr):
        if stop.reason is not None:
            return
        try:
            rows.add(row_ptr.contents)
            if on_row is not None:
                on_row(rows.last())
            if progress is not None:
                progress(rows.steps[-1], steps)
        except BaseException as e:  # raised by run() once the C call returns
            stop.request(e)

    return _lib.ROW_CALLBACK(on_c_row)


def _summary(buffer):
    """The summary the run filled in buffer, as a dict (summary.json)."""
    ptr = _lib.lib.phsim_summary_text(buffer)
    if not ptr:
        raise MemoryError("phsim: no memory for the summary's text")
    return json.loads(_lib.take_text(ptr))


def run(config=None, out=None, progress=None, on_row=None, **keys):
    """Run phsim (as `phsim run`) in this process and return a Result.

    config: a config file's path, or a dict of keys; keys: the keys of
    `phsim keys` (alpha=[2, 1], engine="order", seed=3, ...), winning over
    config.  out: a directory that also receives config, trajectory.csv and
    summary.json.  on_row(row): called with every logged row (phsim.Row);
    progress(step, steps): with every logged step.  Raises ConfigError,
    DivergedError (with .result), OutputError; Ctrl-C stops the run within
    a step and raises KeyboardInterrupt.
    """
    with _setup.validated(config, keys) as handle:
        cfg = _setup.resolved(handle)
        rows, stop = Rows(cfg["m"], len(cfg["alpha"])), _stop.Stop()
        callback = _callback(rows, stop, on_row, progress, cfg["steps"])
        summary = ctypes.create_string_buffer(_lib.lib.phsim_summary_size())
        err = _setup.error_buffer()
        out_dir = os.fsencode(out) if out is not None else None
        try:
            status = _stop.call(lambda: _lib.lib.phsim_setup_run(
                handle, out_dir, callback, None, summary, err), stop)
            done = status in (_lib.OK, _lib.ENUM, _lib.EINTR)
            result = Result(_summary(summary), rows.table()) if done else None
        finally:
            _lib.lib.phsim_summary_free(summary)
    if status == _lib.EINTR:
        stop.raise_reason()
    if status == _lib.ENUM:
        raise _errors.DivergedError(err.value.decode(errors="replace"), result)
    _setup.check(status, err)
    return result
