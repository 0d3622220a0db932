"""libphsim, found and loaded through ctypes, with the prototypes of the
calls the binding makes (include/phsim.h).

The library is looked for in this order: the file named by $PHSIM_LIB;
the checkout's lib/libphsim.so (this package is sim/python/phsim/ in a
checkout); the installed prefix's lib/ (the package installed as
PREFIX/lib/python3/dist-packages/phsim/); the system's search path
(ctypes.util.find_library).
"""
import ctypes
import ctypes.util
import os
from pathlib import Path

#: Status codes (phsim_config.h).
OK, EINPUT, EIO, ENUM, ENOMEM, EINTR = 0, 2, 3, 4, 5, 6
#: Size of the message buffers (PHSIM_ERR_MAX).
ERR_MAX = 512

_HERE = Path(__file__).resolve().parent


class Row(ctypes.Structure):
    """phsim_row (phsim_trajectory.h): a logged row, row-major arrays."""

    _fields_ = [("step", ctypes.c_ulong), ("m", ctypes.c_size_t), ("K", ctypes.c_size_t),
                ("loss", ctypes.c_double), ("rho", ctypes.c_void_p), ("a", ctypes.c_void_p),
                ("cos", ctypes.c_void_p), ("noise", ctypes.c_void_p),
                ("force", ctypes.c_void_p), ("E", ctypes.c_void_p)]


#: phsim_row_callback: void (*)(void *ctx, const phsim_row *row).
ROW_CALLBACK = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.POINTER(Row))


def candidates():
    """The paths tried for libphsim.so, in order."""
    paths = []
    if os.environ.get("PHSIM_LIB"):
        paths.append(os.environ["PHSIM_LIB"])
    above = _HERE.parents[2]  # the checkout, or the installed PREFIX/lib
    paths += [str(above / "lib" / "libphsim.so"), str(above / "libphsim.so")]
    found = ctypes.util.find_library("phsim")
    if found:
        paths.append(found)
    return paths


def _load():
    """The first candidate that loads; ImportError naming them all if none."""
    tried = []
    for path in candidates():
        if os.sep in path and not os.path.exists(path):
            tried.append(f"{path} (missing)")
            continue
        try:
            return ctypes.CDLL(path)
        except OSError as e:
            tried.append(f"{path} ({e})")
    raise ImportError("phsim: cannot load libphsim.so (run `make all`, or set PHSIM_LIB); "
                      "tried: " + "; ".join(tried))


def _declare(lib):
    """Set the argument and result types of every call used."""
    vp, cp, sz = ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t
    err = ctypes.c_char_p  # char err[PHSIM_ERR_MAX], a writable buffer
    table = {
        "phsim_setup_alloc": (vp, []),
        "phsim_setup_free": (None, [vp]),
        "phsim_setup_set": (ctypes.c_int, [vp, cp, cp, err]),
        "phsim_setup_read_file": (ctypes.c_int, [vp, cp, err]),
        "phsim_setup_validate": (ctypes.c_int, [vp, err]),
        "phsim_setup_run": (ctypes.c_int, [vp, cp, ROW_CALLBACK, vp, vp, err]),
        "phsim_setup_grad_text": (vp, [vp, err]),
        "phsim_setup_config_text": (vp, [vp]),
        "phsim_summary_text": (vp, [vp]),
        "phsim_summary_free": (None, [vp]),
        "phsim_summary_size": (sz, []),
        "phsim_keys_text": (vp, []),
        "phsim_free": (None, [vp]),
        "phsim_interrupt_watch": (None, [ctypes.POINTER(ctypes.c_int)]),
        "phsim_study_alloc": (vp, [vp, cp, err]),
        "phsim_study_free": (None, [vp]),
        "phsim_study_grid": (ctypes.c_int, [vp, cp, err]),
        "phsim_study_jobs": (ctypes.c_int, [vp, ctypes.c_uint, err]),
        "phsim_study_run": (ctypes.c_int, [vp, err]),
        "phsim_version": (cp, []),
        "phsim_commit": (cp, []),
    }
    for name, (restype, argtypes) in table.items():
        fn = getattr(lib, name)
        fn.restype, fn.argtypes = restype, argtypes
    return lib


lib = _declare(_load())
#: The path of the library loaded.
path = lib._name


def take_text(ptr):
    """The C string at ptr (malloc'd by libphsim) as str, freed."""
    try:
        return ctypes.string_at(ptr).decode()
    finally:
        lib.phsim_free(ptr)
