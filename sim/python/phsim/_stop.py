"""C calls that Ctrl-C and the binding's callbacks can stop.

A run polls, at every step, a flag its thread watches
(phsim_interrupt_watch).  Called from the main thread, the C call runs on a
worker thread (ctypes releases the GIL for it) while the main thread waits
in short waits: a KeyboardInterrupt raises the flag, the run stops at its
next step and returns PHSIM_EINTR, the main thread waits for that and the
KeyboardInterrupt goes on.  One worker serves the main thread (a thread a
call would cost more than a small gradient).  A callback that raises stops its run the same
way, and its exception is the one raised.
"""
import ctypes
import queue
import threading

from . import _lib

#: How long the main thread waits at a time (seconds).
POLL = 0.05


class Stop:
    """The flag one C call watches, and why it was raised."""

    def __init__(self):
        self.flag = ctypes.c_int(0)
        self.reason = None

    def request(self, reason):
        """Stop the call at its next step; reason is raised after it."""
        if self.reason is None:
            self.reason = reason
        self.flag.value = 1

    def raise_reason(self):
        """Raise what stopped the call (KeyboardInterrupt if not known)."""
        raise self.reason if self.reason is not None else KeyboardInterrupt()


def _watched(fn, stop):
    """fn() with this thread watching stop.flag."""
    _lib.lib.phsim_interrupt_watch(ctypes.byref(stop.flag))
    try:
        return fn()
    finally:
        _lib.lib.phsim_interrupt_watch(None)


class _Job:
    """A C call handed to the worker, and its outcome."""

    def __init__(self, fn, stop):
        self.fn, self.stop = fn, stop
        self.done = threading.Event()
        self.value = self.error = None

    def execute(self):
        """Run on the worker: fn() with the flag watched; done set."""
        try:
            self.value = _watched(self.fn, self.stop)
        except BaseException as e:  # handed to the caller's thread
            self.error = e
        self.done.set()

    def wait(self):
        """The outcome, in short waits; on KeyboardInterrupt the call is
        stopped and waited for (through further ones), then it goes on."""
        try:
            while not self.done.wait(POLL):
                pass
        except KeyboardInterrupt as e:
            self.stop.request(e)
            while not self.done.is_set():
                try:
                    self.done.wait(POLL)
                except KeyboardInterrupt:
                    pass
            raise
        if self.error is not None:
            raise self.error
        return self.value


class _Worker:
    """One daemon thread that runs the main thread's C calls in turn
    (started on first use, and again after a fork)."""

    def __init__(self):
        self.jobs = queue.SimpleQueue()
        self.thread = None

    def _loop(self):
        while True:
            self.jobs.get().execute()

    def run(self, job):
        """job's outcome, computed on the worker."""
        if self.thread is None or not self.thread.is_alive():
            self.thread = threading.Thread(target=self._loop, name="phsim", daemon=True)
            self.thread.start()
        self.jobs.put(job)
        return job.wait()


_worker = _Worker()


def call(fn, stop):
    """fn() (a C call), stoppable through stop; from the main thread it runs
    on the worker so that KeyboardInterrupt stops it within a step."""
    if threading.current_thread() is not threading.main_thread():
        return _watched(fn, stop)
    return _worker.run(_Job(fn, stop))
