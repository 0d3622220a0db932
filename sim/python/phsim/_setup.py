"""A configuration handle (phsim_setup) from a config file and keys."""
import contextlib
import ctypes
import json
import numbers
import os

import numpy as np

from . import _errors, _lib


def format_value(key, value):
    """The text of a key's value as `--set key=value` takes it: bools as
    true/false, floats by repr (17 digits: they round-trip), lists joined
    by commas."""
    if isinstance(value, (bool, np.bool_)):
        return "true" if value else "false"
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        return float.__repr__(float(value))
    if isinstance(value, (str, os.PathLike)):
        return os.fspath(value)
    if isinstance(value, (list, tuple, range, np.ndarray)):
        return ",".join(format_value(key, v) for v in value)
    raise TypeError(f"key '{key}': a {type(value).__name__} is not a value "
                    "(numbers, bools, strings and lists of them are)")


def error_buffer():
    """A buffer for the C API's messages (PHSIM_ERR_MAX bytes)."""
    return ctypes.create_string_buffer(_lib.ERR_MAX)


def check(status, err):
    """Raise the exception of status unless it is PHSIM_OK."""
    if status != _lib.OK:
        _errors.raise_for(status, err)


def _apply(handle, config, keys):
    """Read config (a file path, or a dict of keys) and set keys, the
    latter winning; None values are left unset."""
    err = error_buffer()
    if isinstance(config, dict):
        keys = {**config, **keys}
    elif config is not None:
        path = os.fsencode(config)
        check(_lib.lib.phsim_setup_read_file(handle, path, err), err)
    for key, value in keys.items():
        if value is None:
            continue
        text = format_value(key, value).encode()
        check(_lib.lib.phsim_setup_set(handle, key.encode(), text, err), err)


@contextlib.contextmanager
def setup(config=None, keys=None):
    """A phsim_setup handle from config and keys, freed on exit."""
    handle = _lib.lib.phsim_setup_alloc()
    if not handle:
        raise MemoryError("phsim: no memory for a configuration")
    try:
        _apply(handle, config, keys or {})
        yield handle
    finally:
        _lib.lib.phsim_setup_free(handle)


@contextlib.contextmanager
def validated(config=None, keys=None):
    """setup(), with the cross-key rules checked."""
    with setup(config, keys) as handle:
        err = error_buffer()
        check(_lib.lib.phsim_setup_validate(handle, err), err)
        yield handle


def resolved(handle):
    """The configuration of handle as a dict (summary.json's "config")."""
    ptr = _lib.lib.phsim_setup_config_text(handle)
    if not ptr:
        raise MemoryError("phsim: no memory for the configuration's text")
    return json.loads(_lib.take_text(ptr))
