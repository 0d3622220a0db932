"""The exceptions of phsim, one per status code of the C API."""
import errno

from . import _lib


class Error(Exception):
    """A failure reported by libphsim; the message is the library's."""


class ConfigError(Error, ValueError):
    """A bad configuration, grid or input file (PHSIM_EINPUT): the message
    is the one `phsim` prints after "phsim: "."""


class DivergedError(Error, ArithmeticError):
    """A numerical fault (PHSIM_ENUM); .result holds the run up to it (the
    trajectory and the summary, whose status is "diverged")."""

    def __init__(self, message, result):
        super().__init__(message)
        self.result = result


class OutputError(Error, OSError):
    """An output could not be written (PHSIM_EIO)."""

    def __init__(self, message):
        super().__init__(errno.EIO, message)

    def __str__(self):
        return self.strerror


def raise_for(status, err):
    """Raise the exception of a failed status with the message in err (a
    ctypes buffer); EINTR and ENUM are the callers' to handle."""
    message = err.value.decode(errors="replace")
    if status == _lib.EINPUT:
        raise ConfigError(message)
    if status == _lib.EIO:
        raise OutputError(message)
    if status == _lib.ENOMEM:
        raise MemoryError(message)
    raise Error(f"status {status}: {message}")
